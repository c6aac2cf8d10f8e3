// The HTML report: one self-contained page (inline CSS, no script, nothing
// fetched) that an auditor can open offline or attach to a ticket: summary by
// severity, every finding with its definition, counts, evidence and the query
// that lists the full set, and the snapshot's provenance.
import { SEVERITIES } from '../../shared/dq/pack.ts';
import { summarize, type DqResult, type Status } from '../../shared/dq/results.ts';
import type { ReportContext } from './report.ts';

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Markup placed in a table cell as is. */
class Html {
  constructor(readonly html: string) {}
}

function cell(value: unknown): string {
  if (value instanceof Html) return value.html;
  if (value === null || value === undefined) return '<span class="null">NULL</span>';
  if (typeof value === 'object') return `<code>${escapeHtml(JSON.stringify(value))}</code>`;
  return escapeHtml(value);
}

function table(headers: string[], rows: unknown[][], className = ''): string {
  return `<table${className ? ` class="${className}"` : ''}><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function badge(kind: string, text = kind): string {
  return `<span class="badge ${escapeHtml(kind)}">${escapeHtml(text)}</span>`;
}

const CSS = `
:root { color-scheme: light; --fail:#b3261e; --warn:#9a6700; --pass:#1a7f37; --error:#6f42c1; --skipped:#57606a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 0; } .sub { color: #57606a; margin: 0 0 16px; }
.not-intact { background: #ffebe9; border: 1px solid #cf222e; color: #82071e; padding: 8px 12px; border-radius: 6px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; width: auto; max-width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td code { white-space: pre-wrap; word-break: break-all; }
.null { color: #8c959f; font-style: italic; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: #57606a; text-transform: uppercase; }
.badge.fail { background: var(--fail); } .badge.warn { background: var(--warn); } .badge.pass { background: var(--pass); }
.badge.error { background: var(--error); } .badge.skipped { background: var(--skipped); }
.badge.critical { background: #82071e; } .badge.high { background: #bc4c00; } .badge.medium { background: #9a6700; } .badge.low { background: #0969da; } .badge.info { background: #57606a; }
.finding { border: 1px solid #d0d7de; border-radius: 6px; padding: 12px 16px; margin: 12px 0; }
.finding.fail { border-left: 6px solid var(--fail); } .finding.warn { border-left: 6px solid var(--warn); } .finding.pass { border-left: 6px solid var(--pass); }
.finding.error { border-left: 6px solid var(--error); } .finding.skipped { border-left: 6px solid var(--skipped); }
.head { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.definition { margin: 8px 0; } .counts { font-size: 15px; margin: 6px 0; } .limited { color: var(--warn); font-weight: 600; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; font-size: 12px; }
.num { text-align: right; } .zero { color: #8c959f; } a { color: #0969da; }
.hash { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; word-break: break-all; }
.scroll { max-height: 380px; overflow: auto; display: inline-block; max-width: 100%; }
@media print { .finding { break-inside: avoid; } .scroll { max-height: none; overflow: visible; } }
`;

/** Findings first in the summary grid. */
const STATUS_ORDER: readonly Status[] = ['fail', 'warn', 'error', 'skipped', 'pass'];

function summarySection(ctx: ReportContext): string {
  const s = summarize(ctx.results);
  const grid = SEVERITIES.map((severity) => [
    severity,
    ...STATUS_ORDER.map((status) => ctx.results.filter((r) => r.severity === severity && r.status === status).length),
  ]);
  const gridHtml = `<table><thead><tr><th>severity</th>${STATUS_ORDER.map((st) => `<th>${badge(st)}</th>`).join('')}</tr></thead><tbody>${grid
    .map((row) => `<tr><td>${badge(String(row[0]))}</td>${row.slice(1).map((n) => `<td class="num${n === 0 ? ' zero' : ''}">${n}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
  const list = table(
    ['rule', 'severity', 'status', 'finding', 'count', 'total'],
    ctx.results.map((r) => [new Html(`<a href="#rule-${escapeHtml(r.id)}">${escapeHtml(r.id)}</a>`), new Html(badge(r.severity)), new Html(badge(r.status)), r.title, r.count, r.total]),
  );
  return `<h2>Summary</h2><p>${s.rules} rules: <strong>${s.fail}</strong> fail, <strong>${s.warn}</strong> warn, ${s.pass} pass, ${s.error} error, ${s.skipped} skipped.</p>${gridHtml}${list}`;
}

function metricsTable(metrics: Record<string, unknown>): string {
  const entries = Object.entries(metrics);
  return entries.length === 0 ? '' : table(['metric', 'value'], entries);
}

function evidenceTable(r: DqResult): string {
  const evidence = r.evidence;
  if (evidence.length === 0) return '';
  const headers = [...new Set(evidence.flatMap((e) => Object.keys(e)))];
  const of = r.count !== null && r.count > evidence.length ? `the first ${evidence.length} of ${r.count.toLocaleString('en-US')}` : `all ${evidence.length}`;
  return `<p>Evidence, ${of}:</p><div class="scroll">${table(headers, evidence.map((e) => headers.map((h) => e[h])), 'evidence')}</div>`;
}

function findingSection(ctx: ReportContext, r: DqResult): string {
  const rule = ctx.pack.rules.find((x) => x.id === r.id);
  const counts =
    r.count === null
      ? ''
      : `<p class="counts">count <strong>${r.count.toLocaleString('en-US')}</strong>${r.total === null ? '' : ` of ${r.total.toLocaleString('en-US')}`}${r.limited ? ' <span class="limited">— limited pull: a table was cut by --max-rows, counts are lower bounds</span>' : ''}</p>`;
  const query = r.evidenceQuery
    ? `<details><summary>Query for the full set (paste into <code>snapbench query ${escapeHtml(ctx.file)} "…"</code>)</summary><pre>${escapeHtml(r.evidenceQuery)}</pre></details>`
    : '';
  return `<section class="finding ${r.status}" id="rule-${escapeHtml(r.id)}">
<div class="head">${badge(r.status)} ${badge(r.severity)} <h3>${escapeHtml(r.id)} — ${escapeHtml(r.title)}</h3></div>
<p class="definition">${escapeHtml(rule?.description ?? r.title)}</p>${rule ? `<p class="sub">check <code>${escapeHtml(rule.check)}</code></p>` : ''}
${counts}${metricsTable(r.metrics)}${evidenceTable(r)}${query}
</section>`;
}

function provenanceSection(ctx: ReportContext): string {
  const m = ctx.manifest;
  const facts: [string, unknown][] = [
    ['file', ctx.file],
    ['root sha256 (manifest)', ctx.rootSha256],
    ['created at', m.createdAt],
    ['created by', m.createdBy],
    ['created on host', m.createdOnHost],
    ['tool version', `${m.tool.name} ${m.tool.version}`],
    ['synthetic', m.synthetic],
    ['fleet', m.fleet.name ?? m.fleet.file ?? null],
    ['fleet manifest sha256', m.fleet.sha256],
    ['instances in fleet', m.fleet.instances],
    ['options', `max rows ${m.options.maxRows ?? 'none'}; only ${m.options.only?.join(', ') ?? 'all'}; concurrency ${m.options.concurrency}`],
    ['Redis key names', m.keyHashing ? `${m.keyHashing.algorithm}, key ${m.keyHashing.keySource}` : null],
  ];
  const run: [string, unknown][] = [
    ['pack', ctx.pack.pack],
    ['pack sha256', ctx.run.packSha256],
    ['run', ctx.run.id === null ? 'not stored in the snapshot' : `run ${ctx.run.id}, stored in the snapshot`],
    ['started', ctx.run.startedAt],
    ['finished', ctx.run.finishedAt],
    ['run by', `snapbench ${ctx.run.toolVersion}`],
  ];
  const instances = table(
    ['instance', 'engine', 'status', 'consistency', 'version', 'tables', 'rows', 'limited tables', 'note'],
    m.instances.map((i) => [
      i.name,
      i.engine,
      i.status,
      i.consistency,
      i.version,
      i.tables,
      i.rows,
      i.limitedTables,
      i.error ? `${i.error.message}${i.error.hint ? ` (${i.error.hint})` : ''}` : i.consistencyNote,
    ]),
  );
  return `<h2>Provenance</h2>${table(['snapshot', ''], facts)}<p>Check that the file was not altered: <code>snapbench verify ${escapeHtml(ctx.file)}</code> (or <code>snapshots/file/verify-with-sqlite3.sh</code> with only the sqlite3 shell).</p>
<h2>DQ run</h2>${table(['', ''], run)}<h2>Instances (${m.instances.length})</h2>${instances}`;
}

export function renderHtml(ctx: ReportContext): string {
  const s = summarize(ctx.results);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(`DQ ${ctx.pack.pack}: ${s.fail} fail, ${s.warn} warn — ${ctx.file}`)}</title><style>${CSS}</style></head>
<body><main>
<h1>Data-quality report: ${escapeHtml(ctx.pack.pack)}</h1>
<p class="sub">Snapshot <code>${escapeHtml(ctx.file)}</code> made ${escapeHtml(ctx.manifest.createdAt)}; root sha256 <span class="hash">${escapeHtml(ctx.rootSha256)}</span>. Counts are exact on the pulled data unless marked limited.</p>
${ctx.manifestChanged ? `<p class="not-intact" role="alert"><strong>Not intact:</strong> the snapshot's manifest was changed after it was made (it hashes to <span class="hash">${escapeHtml(ctx.manifestChanged.recomputed)}</span>, not the recorded root above). Run <code>snapbench verify</code> before relying on these results.</p>` : ''}
${summarySection(ctx)}
<h2>Findings</h2>
${ctx.results.map((r) => findingSection(ctx, r)).join('\n')}
${provenanceSection(ctx)}
</main></body></html>
`;
}
