// A DQ run as a report: JSON (the CLI contract's shape), CSV (one row per
// result), a short text summary, and HTML (report/html.ts).
import type { RulePack } from '../../shared/dq/pack.ts';
import { summarize, type DqReport, type DqResult } from '../../shared/dq/results.ts';
import type { SnapshotManifest } from '../../shared/model/snapshot.ts';
import { isAbsolute, relative } from 'node:path';
import { inertText } from '../../shared/text/inert.ts';
import { countText, formatBytesText, formatNumberText, formatTimeText, TEXT_WIDTH, textTable, wrapLine } from '../../shared/text/layout.ts';
import { csvRow } from '../output/csv.ts';
import type { ManifestMismatch } from '../file/manifestCheck.ts';

export { REPORT_FORMATS } from './formats.ts';

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

/** The numbers worth a glance next to a count: scalar metrics, short (as the HTML report shows them). */
export function metricSummary(metrics: Record<string, unknown>): string {
  return Object.entries(metrics)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** A decimal kept as text ("46997.58") with separators and every digit kept ("46,997.58"); other text unchanged. */
function groupDigits(text: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  if (!match) return text;
  return `${match[1]}${match[2]!.replace(/\B(?=(\d{3})+$)/g, ',')}${match[3] ?? ''}`;
}

/** The same metrics for a person: "revenue 46,997.58, persistent memory 893 KiB". */
export function metricWords(metrics: Record<string, unknown>): string {
  return Object.entries(metrics)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
    .map(([k, v]) => {
      const bytes = /_bytes$/.test(k) && typeof v === 'number';
      const name = k.replace(/_bytes$/, '').replaceAll('_', ' ');
      const value = bytes ? formatBytesText(v) : typeof v === 'number' ? formatNumberText(v) : groupDigits(String(v));
      return `${name} ${value}`;
    })
    .join(', ');
}

const STATUS_WORDS = { pass: 'pass', fail: 'FAIL', warn: 'WARN', error: 'ERROR', skipped: 'skip' } as const;

/**
 * The text report, in 80 columns: what was checked, then one row per rule
 * (rule, status, severity, what it found) with its title and measurements
 * wrapped under it, then what to run next.
 */
export function renderText(ctx: ReportContext): string {
  const s = summarize(ctx.results);
  // The file as the reader would type it from here (the JSON keeps the full path).
  const near = relative(process.cwd(), ctx.file);
  const file = inertText(near && !near.startsWith('..') && !isAbsolute(near) ? near : ctx.file);
  const lines = [
    ...wrapLine(`${inertText(ctx.pack.pack)} on ${file}`, TEXT_WIDTH, '  '),
    `snapshot made ${formatTimeText(String(ctx.manifest.createdAt))}, root sha256 ${ctx.rootSha256.slice(0, 16)}…${ctx.manifestChanged ? ' NOT INTACT' : ''}`,
    `${countText(s.rules, 'rule', 'rules')}: ${s.fail} failed, ${countText(s.warn, 'warning', 'warnings')}, ${s.pass} passed, ${s.error} could not run, ${s.skipped} skipped`,
  ];
  if (ctx.manifestChanged) {
    lines.push(
      ...wrapLine(
        `NOT INTACT: the manifest was changed after the snapshot was made (it hashes to ${ctx.manifestChanged.recomputed.slice(0, 16)}…, not the recorded root); run "snapbench verify" before relying on these results`,
      ),
    );
  }
  lines.push('');
  const rows = ctx.results.map((r) => {
    const found = r.count === null ? '' : r.total === null ? formatNumberText(r.count) : `${formatNumberText(r.count)} of ${formatNumberText(r.total)}`;
    const detail = r.status === 'error' ? String(r.metrics.error) : r.status === 'skipped' ? String(r.metrics.reason) : metricWords(r.metrics);
    const what = `${inertText(r.title)}${r.limited ? ' (on a limited pull: at least this many)' : ''}${detail ? `; ${inertText(detail)}` : ''}`;
    return [inertText(r.id), STATUS_WORDS[r.status], r.severity, found, what];
  });
  lines.push(...textTable([{ header: 'rule' }, { header: 'status' }, { header: 'severity' }, { header: 'found', right: true }, { header: 'what', wrap: true }], rows));
  lines.push('');
  lines.push(...wrapLine(`next: snapbench dq evidence ${file} RULE   (every offending row of a rule)`, TEXT_WIDTH, '        '));
  lines.push(...wrapLine(`      snapbench dq ${file} --format html --out report.html   (the report with its evidence)`, TEXT_WIDTH, '        '));
  return lines.join('\n') + '\n';
}
