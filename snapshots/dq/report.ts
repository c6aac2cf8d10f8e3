// A DQ run as a report: JSON (the CLI contract's shape), CSV (one row per
// result), a short text summary, and HTML (report/html.ts).
import type { RulePack } from '../../shared/dq/pack.ts';
import { summarize, type DqReport, type DqResult } from '../../shared/dq/results.ts';
import type { SnapshotManifest } from '../../shared/model/snapshot.ts';
import { inertText } from '../../shared/text/inert.ts';
import { csvRow } from '../output/csv.ts';
import type { ManifestMismatch } from '../file/manifestCheck.ts';

/** The formats of a DQ report (`dq --format`). */
export const REPORT_FORMATS = ['json', 'html', 'csv', 'text'] as const;

export interface ReportContext {
  file: string;
  manifest: SnapshotManifest;
  rootSha256: string;
  pack: RulePack;
  run: { id: number | null; startedAt: string; finishedAt: string; packSha256: string; toolVersion: string };
  results: DqResult[];
  /** Set when the manifest body no longer hashes to the recorded root: the report says so instead of showing the root as if fine. */
  manifestChanged?: ManifestMismatch | null;
}

export function reportOf(ctx: ReportContext): DqReport {
  return { snapshot: { file: ctx.file, createdAt: ctx.manifest.createdAt, sha256: ctx.rootSha256 }, pack: ctx.pack.pack, results: ctx.results };
}

export function renderJson(ctx: ReportContext): string {
  return JSON.stringify(reportOf(ctx), null, 2) + '\n';
}

const CSV_COLUMNS = ['id', 'title', 'severity', 'status', 'count', 'total', 'limited', 'metrics', 'evidence_rows', 'evidence', 'evidence_query'] as const;

/** `safe`: formula cells neutralised (output/csv.ts); the UI's export and files get it by default. */
export function renderCsv(ctx: ReportContext, safe = false): string {
  let out = csvRow(CSV_COLUMNS, { safe });
  for (const r of ctx.results) {
    // One line per result: the query's line breaks become spaces (SQL reads the same).
    out += csvRow([r.id, r.title, r.severity, r.status, r.count, r.total, r.limited ? 'true' : 'false', JSON.stringify(r.metrics), r.evidence.length, JSON.stringify(r.evidence), r.evidenceQuery?.replace(/\s*\n\s*/g, ' ') ?? null], { safe });
  }
  return out;
}

/** The numbers worth a glance next to a count: scalar metrics, short. */
export function metricSummary(metrics: Record<string, unknown>): string {
  return Object.entries(metrics)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

export function renderText(ctx: ReportContext): string {
  const s = summarize(ctx.results);
  const lines = [
    `${inertText(ctx.pack.pack)} on ${inertText(ctx.file)} (snapshot of ${inertText(String(ctx.manifest.createdAt))}, root sha256 ${ctx.rootSha256.slice(0, 16)}…${ctx.manifestChanged ? ' NOT INTACT' : ''}): ${s.rules} rules: ${s.fail} fail, ${s.warn} warn, ${s.pass} pass, ${s.error} error, ${s.skipped} skipped`,
  ];
  if (ctx.manifestChanged) lines.push(`NOT INTACT: the manifest was changed after the snapshot was made (it hashes to ${ctx.manifestChanged.recomputed.slice(0, 16)}…, not the recorded root); run "snapbench verify" before relying on these results`);
  for (const r of ctx.results) {
    const count = r.count === null ? '' : r.total === null ? `count ${r.count}` : `count ${r.count} of ${r.total}`;
    const detail = inertText(r.status === 'error' ? String(r.metrics.error) : r.status === 'skipped' ? String(r.metrics.reason) : metricSummary(r.metrics));
    lines.push(`${r.status.toUpperCase().padEnd(7)} ${r.severity.padEnd(8)} ${inertText(r.id).padEnd(8)} ${inertText(r.title)}${count ? `: ${count}` : ''}${r.limited ? ' (limited pull)' : ''}${detail ? `  [${detail}]` : ''}`);
  }
  return lines.join('\n') + '\n';
}
