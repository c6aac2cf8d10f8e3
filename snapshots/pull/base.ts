// The base snapshot of an incremental pull (`pull --base OLD`): opened the way
// every reader opens a snapshot (read-only, hardened, its schema checked), its
// manifest's root hash checked, and its tables, columns, hashes and change
// proofs indexed so each adapter can ask about its own tables. Nothing in OLD
// is ever written; the rows a pull carries are copied by the writer, which
// checks them against OLD's hashes.
import type Database from 'better-sqlite3';
import { resolve } from 'node:path';
import type { SqlValue, TableInfo } from '../../shared/model/snapshot.ts';
import { quoteIdentifier } from '../../shared/model/sql.ts';
import type { BaseTable, ChangeProof, InstanceBase } from '../engines/types.ts';
import { rootHash } from '../file/hash.ts';
import { openSnapshot, readManifest, SnapshotFileError } from '../file/reader.ts';
import { columnNames, META } from '../file/schema.ts';
import { CHANGE_PROOF_CATEGORY, changeProofName } from './incremental.ts';

interface TableRow {
  tableName: string;
  instance: string;
  database: string;
  schema: string | null;
  sourceTable: string;
  rows: number;
  limited: number;
  status: string;
}

interface ColumnRow {
  tableName: string;
  name: string;
  sqlColumn: string;
  declaredType: string;
  storage: string;
  nullable: number;
  primaryKeyOrdinal: number | null;
}

function key(instance: string, database: string, schema: string | null | undefined, name: string): string {
  return JSON.stringify([instance, database, schema ?? null, name]);
}

export class BaseSnapshot {
  readonly file: string;
  readonly rootSha256: string;
  readonly createdAt: string;
  private readonly db: Database.Database;
  private readonly tables = new Map<string, BaseTable>();
  private readonly sqlColumns = new Map<string, Map<string, string>>();

  private constructor(file: string, db: Database.Database, rootSha256: string, createdAt: string) {
    this.file = file;
    this.db = db;
    this.rootSha256 = rootSha256;
    this.createdAt = createdAt;
  }

  /** Opens OLD read-only; throws SnapshotFileError (one line) when it is not an intact snapshot. */
  static open(path: string, options: { rehashCarried?: boolean } = {}): BaseSnapshot {
    const file = resolve(path);
    const db = openSnapshot(file);
    try {
      const { body, rootSha256, manifest } = readManifest(db, path);
      if (rootHash(body) !== rootSha256) {
        throw new SnapshotFileError(`${path}: its manifest does not match its root hash, so nothing can be carried from it`, `run "snapbench verify ${path}", or pull without --base`);
      }
      if (!manifest.complete) throw new SnapshotFileError(`${path}: is not a complete snapshot`, 'give a finished snapshot as --base');
      const base = new BaseSnapshot(file, db, rootSha256, manifest.createdAt);
      base.index(manifest.hashes ?? {}, options.rehashCarried ?? false);
      return base;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private index(hashes: Record<string, { sha256: string; rows: number }>, rehashCarried: boolean): void {
    const has = columnNames(this.db, META.tables);
    const status = has.has('status') ? 'status' : `'pulled'`;
    const rows = this.db
      .prepare(
        `SELECT table_name AS tableName, instance, database, schema, source_table AS sourceTable, rows, limited, ${status} AS status
           FROM ${META.tables} WHERE kind = 'table'`,
      )
      .all() as TableRow[];
    const columns = this.db
      .prepare(
        `SELECT table_name AS tableName, column_name AS name, sql_column AS sqlColumn, declared_type AS declaredType, storage, nullable, primary_key_ordinal AS primaryKeyOrdinal
           FROM ${META.columns} ORDER BY table_name, ordinal`,
      )
      .all() as ColumnRow[];
    const byTable = new Map<string, ColumnRow[]>();
    for (const c of columns) byTable.set(c.tableName, [...(byTable.get(c.tableName) ?? []), c]);
    const proofs = new Map<string, ChangeProof>();
    for (const f of this.db.prepare(`SELECT instance, name, value FROM ${META.serverFacts} WHERE category = ?`).all(CHANGE_PROOF_CATEGORY) as { instance: string; name: string; value: string | null }[]) {
      try {
        if (f.value) proofs.set(JSON.stringify([f.instance, f.name]), JSON.parse(f.value) as ChangeProof);
      } catch {
        // A proof that does not parse proves nothing: the table is read again.
      }
    }
    for (const t of rows) {
      const hash = hashes[t.tableName];
      if (!hash) continue;
      const name = t.schema && t.sourceTable.startsWith(`${t.schema}.`) ? t.sourceTable.slice(t.schema.length + 1) : t.sourceTable;
      const own = byTable.get(t.tableName) ?? [];
      this.sqlColumns.set(t.tableName, new Map(own.map((c) => [c.name, c.sqlColumn])));
      this.tables.set(key(t.instance, t.database, t.schema, name), {
        file: this.file,
        baseRootSha256: this.rootSha256,
        tableName: t.tableName,
        rows: t.rows,
        sha256: hash.sha256,
        proof: proofs.get(JSON.stringify([t.instance, changeProofName({ database: t.database, schema: t.schema ?? undefined, name })])) ?? null,
        columns: own.map((c) => ({ name: c.name, declaredType: c.declaredType, storage: c.storage, nullable: c.nullable === 1, primaryKeyOrdinal: c.primaryKeyOrdinal })),
        complete: t.limited === 0 && t.status === 'pulled' && hash.rows === t.rows,
        rehashCarried,
      });
    }
  }

  /** The base as one instance's adapter sees it. */
  forInstance(instance: string): InstanceBase {
    return {
      file: this.file,
      table: (table: TableInfo) => this.tables.get(key(instance, table.database, table.schema, table.name)) ?? null,
      lastRows: (table: BaseTable, keyColumn: string, count: number) => this.lastRows(table, keyColumn, count),
    };
  }

  private lastRows(table: BaseTable, keyColumn: string, count: number): SqlValue[][] {
    const sqlColumn = this.sqlColumns.get(table.tableName)?.get(keyColumn);
    if (!sqlColumn) return [];
    return this.db
      .prepare(`SELECT * FROM ${quoteIdentifier(table.tableName)} ORDER BY ${quoteIdentifier(sqlColumn)} DESC LIMIT ?`)
      .raw(true)
      .safeIntegers(true)
      .all(count) as SqlValue[][];
  }

  close(): void {
    this.db.close();
  }
}
