// Content hashes of a snapshot file. The row encoding is chosen so that the
// stock sqlite3 CLI and sha256sum reproduce every hash without our code:
//   line(row) = for each column c, in table order: substr(typeof(c),1,1) || ':' || hex(c)
//               joined with ','
//   hash(table) = sha256 of every line followed by '\n', rows in rowid order
// typeof() and hex() print the same bytes in every SQLite version, and hex output
// holds no character a shell or terminal could alter. The manifest's root hash is
// sha256(manifest body || '\n').
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { quoteIdentifier } from '../../shared/model/sql.ts';

export const ROW_ENCODING_DESCRIPTION =
  "line = substr(typeof(c),1,1)||':'||hex(c) for each column joined by ','; sha256 over line||'\\n' in rowid order";

/** The SQL whose output lines, each followed by a newline, hash to the table's content hash. */
export function rowEncodingSql(db: Database, table: string): string {
  const columns = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).map(quoteIdentifier);
  if (columns.length === 0) throw new Error(`table ${table} has no columns`);
  const parts = columns.map((c) => `substr(typeof(${c}),1,1)||':'||hex(${c})`);
  return `SELECT ${parts.join(`||','||`)} FROM ${quoteIdentifier(table)} ORDER BY rowid`;
}

export interface ContentHash {
  rows: number;
  sha256: string;
}

export function tableContentHash(db: Database, table: string): ContentHash {
  const hash = createHash('sha256');
  let rows = 0;
  let pending = '';
  for (const line of db.prepare(rowEncodingSql(db, table)).pluck().iterate() as IterableIterator<string>) {
    pending += line + '\n';
    rows++;
    if (pending.length > 1 << 16) {
      hash.update(pending);
      pending = '';
    }
  }
  hash.update(pending);
  return { rows, sha256: hash.digest('hex') };
}

export function rootHash(manifestBody: string): string {
  return createHash('sha256').update(manifestBody + '\n').digest('hex');
}
