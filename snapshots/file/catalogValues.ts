// The storage classes of Snapbench's own tables. Their values are read by typed
// code (names become paths, counts are added up), and a file someone re-hashed
// may hold a BLOB where a name belongs or text where a count does: such a file
// is refused with one line naming the table and column, before any command
// reads it, instead of failing later with a JavaScript error.
import type Database from 'better-sqlite3';
import { quoteIdentifier } from '../../shared/model/sql.ts';
import { DQ_TABLES, META, SIGNATURES_TABLE } from './schema.ts';

const CATALOG_TABLES: readonly string[] = [...Object.values(META), ...Object.values(DQ_TABLES), SIGNATURES_TABLE];

/** The storage classes a column of this declared type may hold in a file Snapbench wrote. */
function allowedClasses(declaredType: string): string[] | null {
  const type = declaredType.toUpperCase();
  if (type === 'TEXT') return ['text', 'null'];
  if (type === 'INTEGER') return ['integer', 'real', 'null'];
  return null; // BLOB (a signature) or untyped: anything
}

/** The first catalog value of a storage class Snapbench never writes there, as `table "t", column "c": a blob (row 3)`, or null. */
export function catalogValueProblem(db: Database.Database): string | null {
  const present = new Set(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]);
  for (const table of CATALOG_TABLES) {
    if (!present.has(table)) continue;
    const columns = db.prepare(`SELECT name, type FROM pragma_table_info(?) ORDER BY cid`).all(table) as { name: string; type: string }[];
    const checks = columns.flatMap((c) => {
      const allowed = allowedClasses(c.type);
      return allowed ? [{ name: c.name, allowed }] : [];
    });
    if (checks.length === 0) continue;
    const condition = checks.map((c) => `typeof(${quoteIdentifier(c.name)}) NOT IN (${c.allowed.map((a) => `'${a}'`).join(', ')})`).join(' OR ');
    const row = db.prepare(`SELECT rowid AS id, ${checks.map((c, i) => `typeof(${quoteIdentifier(c.name)}) AS t${i}`).join(', ')} FROM ${quoteIdentifier(table)} WHERE ${condition} LIMIT 1`).get() as
      | Record<string, string | number>
      | undefined;
    if (!row) continue;
    const index = checks.findIndex((c, i) => !c.allowed.includes(String(row[`t${i}`])));
    const bad = checks[index]!;
    return `table ${JSON.stringify(table)}, column ${JSON.stringify(bad.name)}: holds ${row[`t${index}`] === 'integer' ? 'an' : 'a'} ${String(row[`t${index}`])} value (row ${row.id}) where Snapbench writes ${bad.allowed.filter((a) => a !== 'null').join(' or ')}`;
  }
  return null;
}
