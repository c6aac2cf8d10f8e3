// Writes the same rows into one real snapshot file twice — once as JS values
// (sink.push), once as encoded rows (sink.pushEncoded) — and reads back what
// SQLite stored for each, so a test can require them to be byte for byte the
// same and the content hashes equal and verified.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { FleetInstance } from '../../shared/model/fleet.ts';
import type { ColumnInfo, SqlValue, StorageKind, TableInfo } from '../../shared/model/snapshot.ts';
import type { EncodedRows } from '../../snapshots/file/encodedRows.ts';
import type { Affinity } from '../../snapshots/file/hash.ts';
import { SnapshotWriter } from '../../snapshots/file/writer.ts';
import { verifySnapshot } from '../../snapshots/file/verify.ts';
import { fixtureManifest } from './manifestInput.ts';

export interface TestColumn {
  name: string;
  storage: StorageKind;
  declaredType?: string;
}

export interface StoredTable {
  /** Per row, per column: `typeof:hex`. */
  cells: string[][];
  sha256: string;
  rows: number;
}

function tableInfo(name: string, columns: readonly TestColumn[]): TableInfo {
  const infos: ColumnInfo[] = columns.map((c) => ({ name: c.name, declaredType: c.declaredType ?? c.storage, storage: c.storage, nullable: true, primaryKeyOrdinal: null }));
  return { database: 'db', name, estimatedRows: null, dataBytes: null, indexBytes: null, columns: infos, indexes: [] };
}

const INSTANCE: FleetInstance = { name: 'i', engine: 'mysql', connection: { host: '127.0.0.1', port: 1, connectTimeoutMs: 1000, statementTimeoutMs: 1000 }, rawKeyNames: false, readValues: false };

/**
 * `values`: batches of rows for push(); `encoded`: a function given the table's
 * affinities that returns the batches for pushEncoded() (it may also push values
 * through `sink.push` in between, to test mixing). Returns both tables as stored.
 */
export async function storeTwice(
  dir: string,
  columns: readonly TestColumn[],
  values: SqlValue[][][],
  encoded: (affinities: readonly Affinity[]) => (EncodedRows | SqlValue[][])[],
): Promise<{ values: StoredTable; encoded: StoredTable; verified: boolean; problems: string[] }> {
  const path = join(dir, `twice-${Math.random().toString(36).slice(2)}.snapbench`);
  const writer = await SnapshotWriter.open(path);
  try {
    const target = writer.instanceTarget(INSTANCE);
    const a = target.beginTable(tableInfo('values', columns));
    for (const batch of values) await a.sink.push(batch.map((r) => [...r]));
    await a.finish({ rows: values.reduce((n, b) => n + b.length, 0), limited: false });
    const b = target.beginTable(tableInfo('encoded', columns));
    let rows = 0;
    for (const part of encoded(b.sink.affinities!)) {
      if (Array.isArray(part)) {
        rows += part.length;
        await b.sink.push(part);
      } else {
        rows += part.rows;
        await b.sink.pushEncoded!(part);
      }
    }
    await b.finish({ rows, limited: false });
    writer.finishInstance('i');
    await writer.finish(fixtureManifest({ createdBy: 'test', fleet: 'test' }));
  } catch (error) {
    await writer.abort();
    throw error;
  }
  const db = new Database(path, { readonly: true });
  try {
    const report = verifySnapshot(db, path);
    const manifest = JSON.parse((db.prepare('SELECT body FROM _snapbench_manifest').pluck().get() as string)) as { hashes: Record<string, { sha256: string; rows: number }> };
    const read = (name: string): StoredTable => {
      const select = columns.map((_, i) => `typeof(c${i}) || ':' || hex(c${i})`).join(', ');
      const aliased = columns.map((c, i) => `"${c.name.replaceAll('"', '""')}" AS c${i}`).join(', ');
      const cells = db.prepare(`SELECT ${select} FROM (SELECT ${aliased}, rowid AS r FROM "i/db/${name}") ORDER BY r`).raw().all() as string[][];
      const hash = manifest.hashes[`i/db/${name}`]!;
      return { cells, sha256: hash.sha256, rows: hash.rows };
    };
    return { values: read('values'), encoded: read('encoded'), verified: report.problems.length === 0, problems: report.problems };
  } finally {
    db.close();
  }
}

/**
 * Encodes JS values as the line encoding, the way SQLite stores them in columns
 * of these affinities (only combinations that canEncode allows): a test's own
 * encoder, written from the format's description, not from the production encoders.
 */
export function encodeForTest(rows: readonly (readonly SqlValue[])[]): EncodedRows {
  const parts: Buffer[] = [];
  for (const row of rows) {
    row.forEach((v, c) => {
      if (c > 0) parts.push(Buffer.from(','));
      if (v === null) parts.push(Buffer.from('n:0:'));
      else if (typeof v === 'string') {
        const bytes = Buffer.from(v, 'utf8');
        parts.push(Buffer.from(`t:${bytes.length}:`), bytes);
      } else if (typeof v === 'number' || typeof v === 'bigint') {
        const digits = BigInt(v).toString();
        parts.push(Buffer.from(`i:${digits.length}:${digits}`));
      } else {
        parts.push(Buffer.from(`b:${v.byteLength}:`), Buffer.from(v));
      }
    });
    parts.push(Buffer.from('\n'));
  }
  const joined = Buffer.concat(parts);
  // A buffer of its own, as the writer requires (it is moved to the worker).
  const own = Buffer.allocUnsafeSlow(joined.length);
  joined.copy(own);
  return { rows: rows.length, bytes: own };
}
