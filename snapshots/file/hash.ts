// Content hashes of a snapshot file. The row encoding is chosen so that the
// stock sqlite3 CLI reproduces every hash without our code, and so that it is
// cheap to compute while the rows stream in:
//   value(c)  = substr(typeof(c),1,1) ':' byte-length ':' bytes      (NULL: 'n:0:')
//               bytes = CAST(c AS BLOB): UTF-8 text, integer digits, raw blob bytes
//   line(row) = value(c1) ',' value(c2) ... in table column order
//   hash(table) = sha256 over line || '\n' for every row in rowid order
// The length prefix makes the encoding unambiguous whatever the bytes are. The
// manifest's root hash is sha256(manifest body || '\n').
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { quoteIdentifier } from '../../shared/model/sql.ts';

export const ROW_ENCODING_DESCRIPTION =
  "value = substr(typeof(c),1,1)||':'||coalesce(length(CAST(c AS BLOB)),0)||':'||coalesce(CAST(c AS BLOB),X''); line = values joined by ','; sha256 over line||'\\n' in rowid order";

/** The SQL expression of one row's line, as a BLOB so no byte is reinterpreted. */
export function rowLineExpression(columns: string[]): string {
  const parts = columns.map((name) => {
    const c = quoteIdentifier(name);
    return `substr(typeof(${c}),1,1)||':'||coalesce(length(CAST(${c} AS BLOB)),0)||':'||coalesce(CAST(${c} AS BLOB),X'')`;
  });
  return `CAST(${parts.join(`||','||`)} AS BLOB)`;
}

/** The SQL whose output rows, each followed by a newline, hash to the table's content hash. */
export function rowEncodingSql(db: Database, table: string): string {
  const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[];
  if (columns.length === 0) throw new Error(`table ${table} has no columns`);
  return `SELECT ${rowLineExpression(columns)} FROM ${quoteIdentifier(table)} ORDER BY rowid`;
}

export interface ContentHash {
  rows: number;
  sha256: string;
}

export function tableContentHash(db: Database, table: string): ContentHash {
  const hash = createHash('sha256');
  let rows = 0;
  const newline = Buffer.from('\n');
  for (const line of db.prepare(rowEncodingSql(db, table)).pluck().iterate() as IterableIterator<Buffer>) {
    hash.update(line);
    hash.update(newline);
    rows++;
  }
  return { rows, sha256: hash.digest('hex') };
}

export function rootHash(manifestBody: string): string {
  return createHash('sha256').update(manifestBody + '\n').digest('hex');
}

/** The SQLite affinity of a data table's column, which decides the storage class a bound value gets. */
export type Affinity = 'INTEGER' | 'TEXT' | 'BLOB' | '';

/**
 * Computes a table's content hash while its rows are sent to the store, so no
 * second pass over the table is needed. It encodes each value as SQLite will
 * store it (the column's affinity decides); for any value whose stored form it
 * cannot predict exactly (a non-integer double, integer-looking text bound to an
 * INTEGER column), it gives up and the store hashes the table with SQL instead.
 */
export class RowHasher {
  private readonly hash = createHash('sha256');
  private pending = '';
  private exact = true;
  rows = 0;

  constructor(private readonly affinities: Affinity[]) {}

  update(rows: readonly (readonly unknown[])[]): void {
    if (!this.exact) return;
    const affinities = this.affinities;
    const width = affinities.length;
    let pending = this.pending;
    for (const row of rows) {
      for (let c = 0; c < width; c++) {
        const value = row[c];
        if (c > 0) pending += ',';
        if (value === null || value === undefined) pending += 'n:0:';
        else if (typeof value === 'string') {
          // An INTEGER column would convert integer-looking text: leave that to SQL.
          if (affinities[c] === 'INTEGER') return this.giveUp();
          pending += 't:' + Buffer.byteLength(value) + ':' + value;
        } else if (typeof value === 'number') {
          // Only integers have a stored form known here (a double's text rendering is SQLite's own); the
          // store binds them as integers in untyped columns, and INTEGER affinity makes them integers.
          if (!Number.isSafeInteger(value) || (affinities[c] !== 'INTEGER' && affinities[c] !== '')) return this.giveUp();
          const digits = '' + value;
          pending += 'i:' + digits.length + ':' + digits;
        } else if (typeof value === 'bigint') {
          if (affinities[c] === 'TEXT') return this.giveUp();
          const digits = value.toString();
          pending += 'i:' + digits.length + ':' + digits;
        } else if (value instanceof Uint8Array) {
          if (affinities[c] !== 'BLOB' && affinities[c] !== '') return this.giveUp();
          pending += 'b:' + value.byteLength + ':';
          this.hash.update(pending);
          this.hash.update(value);
          pending = '';
        } else return this.giveUp();
      }
      pending += '\n';
      if (pending.length > 1 << 16) {
        this.hash.update(pending);
        pending = '';
      }
    }
    this.pending = pending;
    this.rows += rows.length;
  }

  private giveUp(): void {
    this.exact = false;
    this.pending = '';
  }

  /** The hash, or null when the table must be hashed with SQL after all. */
  digest(): ContentHash | null {
    if (!this.exact) return null;
    this.hash.update(this.pending);
    return { rows: this.rows, sha256: this.hash.digest('hex') };
  }
}
