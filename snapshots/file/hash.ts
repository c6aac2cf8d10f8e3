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

/** Columns per parenthesised group of a row's line: keeps SQLite's expression tree far below its depth limit of 1000. */
const COLUMNS_PER_GROUP = 32;

/**
 * The SQL expression of one row's line, as a BLOB so no byte is reinterpreted.
 * A plain `a||b||…` chain is one level deeper per operator, and SQLite refuses
 * trees deeper than 1000 (about 145 columns); grouping the columns in
 * parentheses keeps any width (SQLite allows 2000 columns) at a few hundred
 * levels. `||` is associative, so the bytes are the same however they are grouped.
 */
export function rowLineExpression(columns: readonly string[]): string {
  const parts = columns.map((name) => {
    const c = quoteIdentifier(name);
    return `substr(typeof(${c}),1,1)||':'||coalesce(length(CAST(${c} AS BLOB)),0)||':'||coalesce(CAST(${c} AS BLOB),X'')`;
  });
  if (parts.length <= COLUMNS_PER_GROUP) return `CAST(${parts.join(`||','||`)} AS BLOB)`;
  const groups: string[] = [];
  for (let i = 0; i < parts.length; i += COLUMNS_PER_GROUP) groups.push(`(${parts.slice(i, i + COLUMNS_PER_GROUP).join(`||','||`)})`);
  return `CAST(${groups.join(`||','||`)} AS BLOB)`;
}

/**
 * The name that addresses SQLite's own row id in a table with these columns.
 * `rowid`, `_rowid_` and `oid` all name it unless a column has that name (a
 * source column called `rowid` shadows it): the first one no column takes.
 * null when all three are column names: then no SQL name reaches the row id,
 * and a plain scan of the table (snapshot data tables have no index) reads the
 * rows in row id order anyway.
 */
export function rowIdAlias(columns: readonly string[]): string | null {
  const taken = new Set(columns.map((c) => c.toLowerCase()));
  return ['rowid', '_rowid_', 'oid'].find((alias) => !taken.has(alias)) ?? null;
}

export interface RowEncodingOptions {
  /** An SQL condition on the rows (DQ results of one run). */
  where?: string;
  /**
   * Order by `rowid` as written, even when a column of that name shadows the row
   * id: files made before the alias was chosen per table were hashed that way
   * when their writer hashed with SQL.
   */
  legacyOrder?: boolean;
}

/** The SQL whose output rows, each followed by a newline, hash to the table's content hash. */
export function rowEncodingSql(db: Database, table: string, options: RowEncodingOptions = {}): string {
  const columns = db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).pluck().all(table) as string[];
  if (columns.length === 0) throw new Error(`table ${table} has no columns`);
  const order = options.legacyOrder ? 'rowid' : rowIdAlias(columns);
  return `SELECT ${rowLineExpression(columns)} FROM ${quoteIdentifier(table)}${options.where ? ` WHERE ${options.where}` : ''}${order ? ` ORDER BY ${order}` : ''}`;
}

/** True when a column of the table is named like SQLite's row id (its hash order then depends on the alias). */
export function shadowsRowId(db: Database, table: string): boolean {
  const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[];
  return columns.some((c) => ['rowid', '_rowid_', 'oid'].includes(c.toLowerCase()));
}

export interface ContentHash {
  rows: number;
  sha256: string;
}

export function tableContentHash(db: Database, table: string, options: RowEncodingOptions = {}): ContentHash {
  const hash = createHash('sha256');
  let rows = 0;
  const newline = Buffer.from('\n');
  for (const line of db.prepare(rowEncodingSql(db, table, options)).pluck().iterate() as IterableIterator<Buffer>) {
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

  constructor(readonly affinities: readonly Affinity[]) {}

  /**
   * Rows already in the line encoding (encodedRows.ts), each value written where
   * its column's affinity stores it exactly: hashed as they are.
   */
  updateEncoded(bytes: Uint8Array, rows: number): void {
    if (!this.exact) return;
    if (this.pending.length > 0) {
      this.hash.update(this.pending);
      this.pending = '';
    }
    this.hash.update(bytes);
    this.rows += rows;
  }

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
