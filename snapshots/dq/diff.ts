// `snapbench diff A B`: what changed between two snapshots — schema (tables and
// columns added, removed, retyped), rows per table, and DQ findings new, fixed
// or changed between the latest stored run of each file (report-07 is run in
// memory for a file that has none, or the given pack on both).
import { countText, formatTimeText, TEXT_WIDTH, wrapLine } from '../../shared/text/layout.ts';
import { inertText } from '../../shared/text/inert.ts';
import type Database from 'better-sqlite3';
import type { RulePack } from '../../shared/dq/pack.ts';
import { REPORT_07 } from '../../shared/dq/report07.ts';
import { compareFindings, type DqResult, type FindingChange, type FindingsComparison } from '../../shared/dq/results.ts';
import { readManifest } from '../file/reader.ts';
import { loadCatalog, type CatalogTable } from './catalog.ts';
import { runPack } from './run.ts';
import { latestRun } from './store.ts';

export interface DiffInput {
  file: string;
  db: Database.Database;
}

export interface SnapshotSide {
  file: string;
  createdAt: string;
  sha256: string;
}

export interface FindingsSource {
  /** `stored`: the file's latest stored run; `computed`: run now, in memory, not stored. */
  source: 'stored' | 'computed';
  runId: number | null;
  pack: string;
}

export interface SnapshotDiff {
  a: SnapshotSide;
  b: SnapshotSide;
  schema: {
    tablesAdded: { table: string; rows: number }[];
    tablesRemoved: { table: string; rows: number }[];
    columnsAdded: { table: string; column: string; type: string }[];
    columnsRemoved: { table: string; column: string; type: string }[];
    columnsChanged: { table: string; column: string; from: string; to: string }[];
  };
  /** Tables in both snapshots whose row count changed. */
  rowCounts: { table: string; before: number; after: number; change: number; limited: boolean }[];
  findings: { a: FindingsSource; b: FindingsSource } & FindingsComparison;
}

function findings(input: DiffInput, pack: RulePack | undefined): { source: FindingsSource; results: DqResult[] } {
  if (!pack) {
    const stored = latestRun(input.db);
    if (stored) return { source: { source: 'stored', runId: stored.run.runId, pack: stored.run.pack }, results: stored.results };
  }
  const run = runPack(input.db, pack ?? REPORT_07);
  return { source: { source: 'computed', runId: null, pack: run.pack.pack }, results: run.results };
}

function typeOf(c: CatalogTable['columns'][number]): string {
  return `${c.declaredType} (${c.storage})`;
}

export function diffSnapshots(a: DiffInput, b: DiffInput, pack?: RulePack): SnapshotDiff {
  const side = (x: DiffInput): SnapshotSide => {
    const stored = readManifest(x.db, x.file);
    return { file: x.file, createdAt: stored.manifest.createdAt, sha256: stored.rootSha256 };
  };
  const before = new Map(loadCatalog(a.db).tables.map((t) => [t.name, t]));
  const after = new Map(loadCatalog(b.db).tables.map((t) => [t.name, t]));
  const schema: SnapshotDiff['schema'] = { tablesAdded: [], tablesRemoved: [], columnsAdded: [], columnsRemoved: [], columnsChanged: [] };
  const rowCounts: SnapshotDiff['rowCounts'] = [];
  for (const [name, t] of after) if (!before.has(name)) schema.tablesAdded.push({ table: name, rows: t.rows });
  for (const [name, t] of before) {
    const other = after.get(name);
    if (!other) {
      schema.tablesRemoved.push({ table: name, rows: t.rows });
      continue;
    }
    const oldColumns = new Map(t.columns.map((c) => [c.name, c]));
    const newColumns = new Map(other.columns.map((c) => [c.name, c]));
    for (const [column, c] of newColumns) if (!oldColumns.has(column)) schema.columnsAdded.push({ table: name, column, type: typeOf(c) });
    for (const [column, c] of oldColumns) {
      const n = newColumns.get(column);
      if (!n) schema.columnsRemoved.push({ table: name, column, type: typeOf(c) });
      else if (typeOf(c) !== typeOf(n)) schema.columnsChanged.push({ table: name, column, from: typeOf(c), to: typeOf(n) });
    }
    if (t.rows !== other.rows) rowCounts.push({ table: name, before: t.rows, after: other.rows, change: other.rows - t.rows, limited: t.limited || other.limited });
  }
  const fa = findings(a, pack);
  const fb = findings(b, pack);
  return { a: side(a), b: side(b), schema, rowCounts, findings: { a: fa.source, b: fb.source, ...compareFindings(fa.results, fb.results) } };
}

function signed(n: number): string {
  return n > 0 ? `+${n.toLocaleString('en-US')}` : n.toLocaleString('en-US');
}

function describeSource(s: FindingsSource): string {
  return s.source === 'stored' ? `stored run ${s.runId} (${inertText(s.pack)})` : `${inertText(s.pack)} run now, not stored`;
}

export function renderDiffText(diff: SnapshotDiff): string {
  const lines = [
    `A: ${inertText(diff.a.file)} (made ${inertText(formatTimeText(diff.a.createdAt))}, root sha256 ${diff.a.sha256.slice(0, 16)}…)`,
    `B: ${inertText(diff.b.file)} (made ${inertText(formatTimeText(diff.b.createdAt))}, root sha256 ${diff.b.sha256.slice(0, 16)}…)`,
  ];
  const s = diff.schema;
  const schemaChanges = s.tablesAdded.length + s.tablesRemoved.length + s.columnsAdded.length + s.columnsRemoved.length + s.columnsChanged.length;
  lines.push('', `schema: ${schemaChanges === 0 ? 'no change' : `${countText(s.tablesAdded.length, 'table', 'tables')} added, ${s.tablesRemoved.length} removed, ${countText(s.columnsAdded.length + s.columnsRemoved.length + s.columnsChanged.length, 'column change', 'column changes')}`}`);
  for (const t of s.tablesAdded) lines.push(`  + table ${inertText(t.table)} (${t.rows.toLocaleString('en-US')} rows)`);
  for (const t of s.tablesRemoved) lines.push(`  - table ${inertText(t.table)} (${t.rows.toLocaleString('en-US')} rows)`);
  for (const c of s.columnsAdded) lines.push(`  + column ${inertText(c.table)}.${inertText(c.column)} ${inertText(c.type)}`);
  for (const c of s.columnsRemoved) lines.push(`  - column ${inertText(c.table)}.${inertText(c.column)} ${inertText(c.type)}`);
  for (const c of s.columnsChanged) lines.push(`  ~ column ${inertText(c.table)}.${inertText(c.column)}: ${inertText(c.from)} → ${inertText(c.to)}`);
  lines.push('', `rows: ${diff.rowCounts.length === 0 ? 'no table changed' : `${countText(diff.rowCounts.length, 'table', 'tables')} changed`}`);
  for (const r of diff.rowCounts) lines.push(`  ${inertText(r.table)}: ${r.before.toLocaleString('en-US')} → ${r.after.toLocaleString('en-US')} (${signed(r.change)})${r.limited ? ' (limited pull)' : ''}`);
  const f = diff.findings;
  lines.push('', `findings: A ${describeSource(f.a)}, B ${describeSource(f.b)}: ${f.new.length} new, ${f.fixed.length} fixed, ${f.changed.length} changed, ${f.unchanged} unchanged`);
  const each = (mark: string, list: FindingChange[]) => list.forEach((c) => lines.push(`  ${mark} ${inertText(c.id)} ${inertText(c.title)}: ${inertText(c.note)}`));
  each('new', f.new);
  each('fixed', f.fixed);
  each('changed', f.changed);
  // The header and summary lines wrap at 80 columns; a line naming a table or column is not split inside a name.
  return lines.flatMap((line) => (/^ {2}[-+~ ]/.test(line) ? [line] : wrapLine(line, TEXT_WIDTH, '      '))).join('\n') + '\n';
}
