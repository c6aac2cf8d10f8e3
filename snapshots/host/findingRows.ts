// "Export these rows (all columns)": a finding's evidence query names each
// offending row by its table and key (primary key, a Redis key's hash, else
// the rowid) and only the columns the rule checked; this turns it into one
// query per table that reads those rows with every column of the table.
import type Database from 'better-sqlite3';
import type { ColumnMeta, TableEntry } from '../../shared/api/types.ts';
import { quoteIdentifier } from '../../shared/model/sql.ts';
import { sqlString } from '../dq/sql.ts';

/** The tables an evidence query of the DQ engine names (its `SELECT '<table>' AS "table"` parts). */
export function evidenceTables(evidenceQuery: string): string[] {
  const names = new Set<string>();
  for (const match of evidenceQuery.matchAll(/SELECT '((?:[^']|'')*)' AS "table"/g)) names.add(match[1]!.replaceAll("''", "'"));
  return [...names];
}

/** How an evidence row names its row in `table`: the evidence labels and the table's columns they match. */
function keyOf(table: TableEntry, columns: readonly ColumnMeta[]): { labels: string[]; sql: string[] } {
  if (table.kind === 'redis-keys') return { labels: ['key_hash'], sql: ['key_hash'] };
  const key = columns.filter((c) => c.primaryKeyOrdinal !== null).sort((a, b) => a.primaryKeyOrdinal! - b.primaryKeyOrdinal!);
  if (key.length === 0) return { labels: ['_rowid'], sql: ['rowid'] };
  return { labels: key.map((c) => c.sourceName), sql: key.map((c) => c.name) };
}

/**
 * One query per table the evidence names, selecting every column of the
 * offending rows in the table's order. Tables that are not in the snapshot,
 * or whose key the evidence does not carry, are left out (the query is
 * compiled here, never run).
 */
export function findingRowQueries(
  db: Database.Database,
  evidenceQuery: string,
  table: (name: string) => TableEntry | null,
  columnsOf: (name: string) => ColumnMeta[],
): { table: string; source: string; sql: string }[] {
  const out: { table: string; source: string; sql: string }[] = [];
  for (const name of evidenceTables(evidenceQuery)) {
    const entry = table(name);
    if (!entry) continue;
    const key = keyOf(entry, columnsOf(entry.name));
    const left = key.sql.length === 1 ? quoteIdentifier(key.sql[0]!) : `(${key.sql.map(quoteIdentifier).join(', ')})`;
    const sql = `SELECT * FROM ${entry.sqlName} WHERE ${left} IN (SELECT ${key.labels.map(quoteIdentifier).join(', ')} FROM (${evidenceQuery}) WHERE "table" = ${sqlString(entry.name)}) ORDER BY rowid`;
    try {
      db.prepare(sql);
    } catch {
      continue;
    }
    out.push({ table: entry.name, source: entry.source, sql });
  }
  return out;
}
