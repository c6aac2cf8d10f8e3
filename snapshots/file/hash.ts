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

const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** The SQLite affinity of a data table's column, which decides the storage class a bound value gets. */
export type Affinity = 'INTEGER' | 'TEXT' | 'BLOB' | '';

function hexOfText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return Buffer.from(text, 'utf8').toString('hex').toUpperCase();
    out += HEX_BYTE[code];
  }
  return out;
}

/**
 * Computes a table's content hash while its rows are inserted, so no second
 * pass over the table is needed. It encodes each value as SQLite will store it
 * (the column's affinity decides); for any value whose stored form it cannot
 * predict exactly (a non-integer double), it gives up and the caller hashes the
 * table with SQL instead.
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
    let pending = this.pending;
    for (const row of rows) {
      let line = '';
      for (let c = 0; c < affinities.length; c++) {
        const value = row[c];
        if (c > 0) line += ',';
        if (value === null || value === undefined) line += 'n:';
        else if (typeof value === 'string') {
          // An INTEGER column would convert integer-looking text: leave that to SQL.
          if (affinities[c] === 'INTEGER') return this.giveUp();
          line += 't:' + hexOfText(value);
        } else if (typeof value === 'number') {
          // Only integers have a stored form known here (a double's text rendering is SQLite's own); the
          // store binds them as integers in untyped columns, and INTEGER affinity makes them integers.
          if (!Number.isSafeInteger(value) || (affinities[c] !== 'INTEGER' && affinities[c] !== '')) return this.giveUp();
          line += 'i:' + hexOfText(String(value));
        } else if (typeof value === 'bigint') {
          if (affinities[c] === 'TEXT') return this.giveUp();
          line += 'i:' + hexOfText(value.toString());
        } else if (value instanceof Uint8Array) {
          if (affinities[c] !== 'BLOB' && affinities[c] !== '') return this.giveUp();
          line += 'b:' + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex').toUpperCase();
        } else return this.giveUp();
      }
      pending += line + '\n';
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
