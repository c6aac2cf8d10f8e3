// The storage side of a snapshot writer: owns the SQLite connection to the
// temporary file and does every write. It runs in a worker thread so that
// decoding rows (main thread) and storing them (here) use both cores.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import type { Engine } from '../../shared/model/fleet.ts';
import type {
  CatalogObject,
  ColumnInfo,
  InstanceRecord,
  ServerFact,
  SnapshotManifest,
  SqlValue,
  TableHash,
  TableInfo,
} from '../../shared/model/snapshot.ts';
import { quoteIdentifier } from '../../shared/model/sql.ts';
import type { TablePullResult } from '../engines/types.ts';
import { HASHED_META_TABLES, META, META_DDL, PUSHDOWN_KIND, REDIS_KEY_COLUMNS, physicalColumns, sqliteColumnType } from './schema.ts';
import { ROW_ENCODING_DESCRIPTION, rootHash, rowIdAlias, tableContentHash, type Affinity, type ContentHash } from './hash.ts';
import { unpackBatch, type PackedBatch } from './batch.ts';
import { encodedPlaceholder, encodedRowsDecoder } from './encodedRows.ts';
import { dataTableDdl, recordSchema } from './objects.ts';
import { hardenConnection } from './reader.ts';

/** The schema name the base snapshot's copy is attached under (incremental pulls). */
const BASE_SCHEMA = 'snapbench_base';

const COMMIT_EVERY_ROWS = 500_000;
/**
 * Rows per multi-row INSERT: fewer statement executions, same bound values. The
 * values are passed as arguments (run(...params)), which better-sqlite3 binds
 * about 20% faster than from one array; a few hundred arguments is where that
 * gain levels off (bench/README.md).
 */
const INSERT_CHUNK = 32;
const MAX_INSERT_ARGUMENTS = 960;

/** Rows per multi-row INSERT for a table this wide. */
function chunkRowsFor(width: number): number {
  return Math.max(1, Math.min(INSERT_CHUNK, Math.floor(MAX_INSERT_ARGUMENTS / width)));
}

export type ManifestInput = Omit<SnapshotManifest, 'format' | 'formatVersion' | 'instances' | 'hashes' | 'rowEncoding' | 'complete'>;

/**
 * The suffix of a table whose plain name is shared: `~` and the first 8 hex
 * digits of sha256 over its identity (instance, database, schema, table joined
 * by NUL). It depends on the table alone, never on which tables were pulled
 * first, so the same source table gets the same name in every snapshot.
 */
export function identitySuffix(identity: readonly string[], length = 8): string {
  return `~${createHash('sha256').update(identity.join('\u0000')).digest('hex').slice(0, length)}`;
}

/** SQLite column names are case-insensitive where the source's may not be: keep each unique. */
function uniqueColumnNames(columns: readonly { name: string }[]): string[] {
  const used = new Set<string>();
  return columns.map((c) => {
    let name = c.name === '' ? '_' : c.name;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${c.name}~${n}`;
    used.add(name.toLowerCase());
    return name;
  });
}

export interface InstanceRef {
  name: string;
  engine: Engine;
}

interface OpenTable {
  tableName: string;
  sqlColumns: string[];
  columns: readonly Pick<ColumnInfo, 'name' | 'declaredType' | 'storage'>[];
  insert: (rows: SqlValue[][]) => void;
  /** Rows in the content hash's line encoding (encodedRows.ts). */
  insertEncoded: (bytes: Uint8Array, rows: number) => void;
  /** Rebuilds `insert` for the table's current name (after a rename). */
  reprepare: (tableName: string) => void;
}

export class SnapshotStore {
  private readonly db: Database.Database;
  /** Physical names in use, lower-cased (SQLite compares table names without case), with their owner's identity. */
  private readonly usedNames = new Map<string, { name: string; identity: string[] }>();
  /** Plain names (lower-cased) two or more tables share: none of them keeps it. */
  private readonly sharedNames = new Set<string>();
  private readonly open = new Map<number, OpenTable>();
  /** Content hashes computed while inserting, by table name; the rest are hashed with SQL at finish. */
  private readonly hashedWhileWriting = new Map<string, ContentHash>();
  private rowsSinceCommit = 0;
  private closed = false;
  /** The base snapshot of an incremental pull: its path, and the copy attached as `snapbench_base` on first use. */
  private base: { path: string; copy: string } | null = null;

  constructor(
    readonly tempPath: string,
    readonly outPath: string,
  ) {
    this.db = new Database(tempPath);
    // Nothing in this file is visible to anyone until the rename, so durability
    // during the load buys nothing: the journal and syncs are off until finish.
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('locking_mode = EXCLUSIVE');
    // Rows are appended (only the rightmost pages are touched) and read back in order at finish:
    // a small page cache loses nothing and keeps the writer's memory flat (bench/README.md).
    this.db.pragma('cache_size = -4096');
    this.db.pragma('temp_store = MEMORY');
    // A dropped table (an abandoned table, a failed instance) leaves zeros, not its rows, in the file's free pages.
    this.db.pragma('secure_delete = ON');
    // Nothing read from an attached base runs code: no untrusted functions in its schema.
    hardenConnection(this.db);
    this.db.exec(META_DDL);
    this.db.exec('BEGIN');
  }

  /** Counts rows towards the periodic commit that bounds memory held by the open transaction. */
  private countRows(rows: number): void {
    this.rowsSinceCommit += rows;
    if (this.rowsSinceCommit >= COMMIT_EVERY_ROWS) {
      this.db.exec('COMMIT; BEGIN');
      this.rowsSinceCommit = 0;
    }
  }

  insertFacts(instance: string, facts: ServerFact[]): void {
    const insert = this.db.prepare(`INSERT INTO ${META.serverFacts} (instance, category, name, value) VALUES (?, ?, ?, ?)`);
    for (const fact of facts) insert.run(instance, fact.category, fact.name, fact.value);
  }

  private createDataTable(
    tableName: string,
    columns: readonly Pick<ColumnInfo, 'name' | 'declaredType' | 'storage'>[],
  ): { sqlColumns: string[]; convert: ((row: SqlValue[]) => void) | null; affinities: Affinity[] } {
    const sqlColumns = uniqueColumnNames(columns);
    const affinities = columns.map((c) => sqliteColumnType(c.storage, c.declaredType) as Affinity);
    this.db.exec(dataTableDdl(tableName, columns.map((c, i) => ({ sqlColumn: sqlColumns[i]!, storage: c.storage, declaredType: c.declaredType }))));
    // Columns without affinity would store a bound JS number as REAL: bind integers as BigInt there.
    const untyped = affinities.flatMap((a, i) => (a === '' ? [i] : []));
    const convert =
      untyped.length === 0
        ? null
        : (row: SqlValue[]) => {
            for (const i of untyped) {
              const v = row[i];
              if (typeof v === 'number' && Number.isInteger(v)) row[i] = BigInt(v);
            }
          };
    return { sqlColumns, convert, affinities };
  }

  private rowInserter(tableName: string, width: number, convert: ((row: SqlValue[]) => void) | null) {
    const one = `(${new Array(width).fill('?').join(',')})`;
    const single = this.db.prepare(`INSERT INTO ${quoteIdentifier(tableName)} VALUES ${one}`);
    const chunkSize = chunkRowsFor(width);
    const chunk = this.db.prepare(`INSERT INTO ${quoteIdentifier(tableName)} VALUES ${new Array(chunkSize).fill(one).join(',')}`);
    const params: SqlValue[] = new Array(width * chunkSize);
    return (rows: SqlValue[][]) => {
      if (convert) for (const row of rows) convert(row);
      let i = 0;
      for (; i + chunkSize <= rows.length; i += chunkSize) {
        let p = 0;
        for (let r = i; r < i + chunkSize; r++) {
          const row = rows[r]!;
          for (let c = 0; c < width; c++) params[p++] = row[c]!;
        }
        chunk.run(...params);
      }
      for (; i < rows.length; i++) single.run(...rows[i]!);
      this.countRows(rows.length);
    };
  }

  /** Inserts rows given in the content hash's line encoding, decoded and bound here (encodedRows.ts). */
  private encodedInserter(tableName: string, affinities: readonly Affinity[]) {
    const one = `(${affinities.map(encodedPlaceholder).join(',')})`;
    const chunkRows = chunkRowsFor(affinities.length);
    const single = this.db.prepare(`INSERT INTO ${quoteIdentifier(tableName)} VALUES ${one}`);
    const chunk = this.db.prepare(`INSERT INTO ${quoteIdentifier(tableName)} VALUES ${new Array(chunkRows).fill(one).join(',')}`);
    const decode = encodedRowsDecoder(
      affinities,
      chunkRows,
      (params) => chunk.run(...params),
      (params) => single.run(...params),
    );
    return (bytes: Uint8Array, rows: number) => {
      decode(bytes, rows);
      this.countRows(rows);
    };
  }

  /**
   * The physical name of a new table: `instance/database/table`, unless another
   * table of the snapshot has (or had) the same name ignoring case, or the same
   * text (schema `a` table `b.c` and schema `a.b` table `c`). Then none of them
   * keeps the plain name: each gets its identity suffix (identitySuffix), and a
   * table that already had the plain name is renamed.
   */
  private assignName(parts: string[], identity: string[]): string {
    const base = parts.join('/');
    const key = base.toLowerCase();
    const holder = this.usedNames.get(key);
    if (holder) {
      // The table that had the plain name gives it up.
      this.sharedNames.add(key);
      this.usedNames.delete(key);
      this.renameTable(holder.name, this.suffixed(holder.name, holder.identity));
    }
    if (this.sharedNames.has(key)) return this.suffixed(base, identity);
    this.usedNames.set(key, { name: base, identity });
    return base;
  }

  /** `base` with the identity suffix, lengthened in the (astronomically unlikely) case it is taken. */
  private suffixed(base: string, identity: string[]): string {
    for (let length = 8; ; length += 4) {
      const name = `${base}${identitySuffix(identity, length)}`;
      if (!this.usedNames.has(name.toLowerCase())) {
        this.usedNames.set(name.toLowerCase(), { name, identity });
        return name;
      }
    }
  }

  /** Renames a data table and every catalog row that names it. */
  private renameTable(from: string, to: string): void {
    if (from === to) return;
    this.db.exec(`ALTER TABLE ${quoteIdentifier(from)} RENAME TO ${quoteIdentifier(to)}`);
    this.db.prepare(`UPDATE ${META.tables} SET table_name = ?, sql_name = ? WHERE table_name = ?`).run(to, quoteIdentifier(to), from);
    for (const meta of [META.columns, META.indexes, META.foreignKeys]) this.db.prepare(`UPDATE ${meta} SET table_name = ? WHERE table_name = ?`).run(to, from);
    const hash = this.hashedWhileWriting.get(from);
    if (hash) {
      this.hashedWhileWriting.delete(from);
      this.hashedWhileWriting.set(to, hash);
    }
    for (const open of this.open.values()) {
      if (open.tableName !== from) continue;
      open.tableName = to;
      open.reprepare(to);
    }
  }

  private openTable(
    id: number,
    tableName: string,
    sqlColumns: string[],
    columns: readonly Pick<ColumnInfo, 'name' | 'declaredType' | 'storage'>[],
    affinities: readonly Affinity[],
    convert: ((row: SqlValue[]) => void) | null,
  ): void {
    const width = affinities.length;
    const open: OpenTable = {
      tableName,
      sqlColumns,
      columns,
      insert: this.rowInserter(tableName, width, convert),
      insertEncoded: this.encodedInserter(tableName, affinities),
      reprepare: (name) => {
        open.insert = this.rowInserter(name, width, convert);
        open.insertEncoded = this.encodedInserter(name, affinities);
      },
    };
    this.open.set(id, open);
  }

  private table(id: number): OpenTable {
    const table = this.open.get(id);
    if (!table) throw new Error(`snapshot store: table #${id} is not open`);
    return table;
  }

  beginTable(id: number, instance: InstanceRef, table: TableInfo): void {
    const sourceTable = table.schema ? `${table.schema}.${table.name}` : table.name;
    const tableName = this.assignName([instance.name, table.database, sourceTable], [instance.name, table.database, table.schema ?? '', table.name]);
    const columns = physicalColumns(table.columns);
    const { sqlColumns, convert, affinities } = this.createDataTable(tableName, columns);
    this.openTable(id, tableName, sqlColumns, columns, affinities, convert);
  }

  /**
   * The base snapshot as this connection reads it: a copy of the file made with
   * a read-only open (the kernel's file copy), attached. The base itself is
   * never opened for writing; the copy is checked to hold the base's manifest
   * and is removed with the temporary file.
   */
  private attachBase(path: string, rootSha256: string): void {
    if (this.base?.path === path) return;
    if (this.base) throw new Error('snapshot store: one base per pull');
    const copy = `${this.tempPath}.base`;
    copyFileSync(path, copy);
    this.base = { path, copy };
    // ATTACH cannot run inside the load's open transaction.
    this.db.exec('COMMIT');
    this.db.prepare(`ATTACH DATABASE ? AS ${BASE_SCHEMA}`).run(copy);
    this.db.exec('BEGIN');
    const root = this.db.prepare(`SELECT root_sha256 FROM ${BASE_SCHEMA}.${META.manifest}`).pluck().all() as string[];
    if (root.length !== 1 || root[0] !== rootSha256) throw new Error(`the base ${path} changed while it was read (its root hash is not the one checked at the start); pull again`);
  }

  /**
   * Copies a table of the base snapshot into open table \`id\` (same columns),
   * in the base's row order, natively (INSERT … SELECT). The copy keeps the
   * hash the base's manifest records for it: were the base's rows altered after
   * it was made, the new file would fail \`verify\` and name the table. A base
   * table that is not the plain table this pull would write, or holds another
   * number of rows than its manifest says, is not copied; the caller reads the
   * table from the server instead.
   */
  /**
   * Copies a base table's rows. `rehash` (appended tables, whose hash is computed
   * again at the end over all rows) hashes the copy and refuses it unless it is
   * the base manifest's hash: the base's root hash covers its manifest, not its
   * rows, and the new rows' hash must not take in rows altered in the base. A
   * carried table keeps the hash the base records without a second pass, so
   * rows altered in the base make the new file fail `verify`, naming the table.
   */
  copyFromBase(id: number, basePath: string, baseRootSha256: string, baseTable: string, expected: { rows: number; sha256: string }, rehash: boolean): { ok: true; hash: ContentHash } | { ok: false; reason: string } {
    const target = this.table(id);
    this.attachBase(basePath, baseRootSha256);
    const object = this.db.prepare(`SELECT type, sql FROM ${BASE_SCHEMA}.sqlite_master WHERE name = ?`).get(baseTable) as { type: string; sql: string | null } | undefined;
    const ddl = dataTableDdl(baseTable, target.columns.map((c, i) => ({ sqlColumn: target.sqlColumns[i]!, storage: c.storage, declaredType: c.declaredType })));
    if (!object || object.type !== 'table' || object.sql !== ddl) {
      return { ok: false, reason: `the base's table ${baseTable} ${object ? 'is not defined as this pull would define it' : 'is missing'}` };
    }
    const order = rowIdAlias(target.sqlColumns);
    const copied = this.db
      .prepare(`INSERT INTO main.${quoteIdentifier(target.tableName)} SELECT * FROM ${BASE_SCHEMA}.${quoteIdentifier(baseTable)}${order ? ` ORDER BY ${order}` : ''}`)
      .run().changes;
    this.countRows(copied);
    if (copied !== expected.rows) {
      this.db.exec(`DELETE FROM main.${quoteIdentifier(target.tableName)}`);
      return { ok: false, reason: `the base holds ${copied} rows of ${baseTable}, its manifest says ${expected.rows} (the base was changed after it was made)` };
    }
    if (!rehash) return { ok: true, hash: { rows: expected.rows, sha256: expected.sha256 } };
    const hash = tableContentHash(this.db, target.tableName);
    if (hash.sha256 !== expected.sha256) {
      this.db.exec(`DELETE FROM main.${quoteIdentifier(target.tableName)}`);
      return { ok: false, reason: `the base's rows of ${baseTable} do not match the content hash its manifest records (the base was changed after it was made)` };
    }
    return { ok: true, hash };
  }

  insertRows(id: number, batch: PackedBatch): void {
    this.table(id).insert(unpackBatch(batch));
  }

  insertEncoded(id: number, rows: number, bytes: Uint8Array): void {
    this.table(id).insertEncoded(bytes, rows);
  }

  /** `hash` is the content hash the writer computed while sending the rows, or null to hash with SQL. */
  finishTable(id: number, instance: InstanceRef, table: TableInfo, result: TablePullResult, hash: ContentHash | null): void {
    const { tableName, sqlColumns } = this.table(id);
    this.open.delete(id);
    if (hash) this.hashedWhileWriting.set(tableName, hash);
    this.recordCatalog(instance, table, tableName, sqlColumns, 'table', result);
  }

  /** A table checked in place (pull: pushdown): its catalog and exact row count, no data table. */
  recordTable(instance: InstanceRef, table: TableInfo, rows: number): void {
    const sourceTable = table.schema ? `${table.schema}.${table.name}` : table.name;
    const tableName = this.assignName([instance.name, table.database, sourceTable], [instance.name, table.database, table.schema ?? '', table.name]);
    this.recordCatalog(instance, table, tableName, uniqueColumnNames(table.columns), PUSHDOWN_KIND, { rows, limited: false });
  }

  private recordCatalog(instance: InstanceRef, table: TableInfo, tableName: string, sqlColumns: string[], kind: string, result: TablePullResult): void {
    const sourceTable = table.schema ? `${table.schema}.${table.name}` : table.name;
    this.db
      .prepare(
        `INSERT INTO ${META.tables} (sql_name, table_name, instance, engine, database, schema, source_table, kind, rows, limited,
           estimated_rows, data_bytes, index_bytes, engine_table_type, comment, status, status_reason, history_rows, origin, origin_note) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      )
      .run(
        quoteIdentifier(tableName),
        tableName,
        instance.name,
        instance.engine,
        table.database,
        table.schema ?? null,
        sourceTable,
        kind,
        result.rows,
        result.limited ? 1 : 0,
        table.estimatedRows,
        table.dataBytes,
        table.indexBytes,
        table.engineTableType ?? null,
        table.comment ?? null,
        result.status ?? (result.limited ? 'partial' : 'pulled'),
        result.statusReason ?? (result.limited ? `--max-rows: the first ${result.rows} rows the server returned` : null),
        result.historyRows ?? null,
        result.origin ?? 'pulled',
        result.originNote ?? null,
      );
    const insertColumn = this.db.prepare(
      `INSERT INTO ${META.columns} (table_name, ordinal, column_name, sql_column, declared_type, storage, nullable, primary_key_ordinal, default_value, comment,
         generated, identity, note) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    table.columns.forEach((c, i) =>
      insertColumn.run(
        tableName, i + 1, c.name, sqlColumns[i], c.declaredType, c.storage, c.nullable ? 1 : 0, c.primaryKeyOrdinal, c.defaultValue ?? null, c.comment ?? null,
        c.generated ?? null, c.identity ?? null, c.note ?? null,
      ),
    );
    const insertIndex = this.db.prepare(`INSERT INTO ${META.indexes} (table_name, index_name, is_unique, is_primary, columns) VALUES (?,?,?,?,?)`);
    for (const index of table.indexes) insertIndex.run(tableName, index.name, index.unique ? 1 : 0, index.primary ? 1 : 0, JSON.stringify(index.columns));
    const insertForeignKey = this.db.prepare(
      `INSERT INTO ${META.foreignKeys} (table_name, constraint_name, columns, referenced_database, referenced_schema, referenced_table, referenced_columns, on_update, on_delete)
       VALUES (?,?,?,?,?,?,?,?,?)`,
    );
    for (const fk of table.foreignKeys ?? []) {
      insertForeignKey.run(
        tableName, fk.name, JSON.stringify(fk.columns), fk.referencedDatabase, fk.referencedSchema, fk.referencedTable, JSON.stringify(fk.referencedColumns),
        fk.onUpdate, fk.onDelete,
      );
    }
  }

  abandonTable(id: number): void {
    const table = this.open.get(id);
    if (!table) return;
    this.open.delete(id);
    this.db.exec(`DROP TABLE IF EXISTS ${quoteIdentifier(table.tableName)}`);
    this.usedNames.delete(table.tableName.toLowerCase());
  }

  /**
   * Rolls a failed instance back: its data tables (finished or still open) and
   * their catalog rows go; its instance row (with the error) and the server
   * facts read before the failure stay. secure_delete zeroes the freed pages.
   */
  dropInstance(instance: string, openIds: number[]): void {
    for (const id of openIds) this.abandonTable(id);
    const names = this.db.prepare(`SELECT table_name FROM ${META.tables} WHERE instance = ?`).pluck().all(instance) as string[];
    for (const name of names) {
      this.db.exec(`DROP TABLE IF EXISTS ${quoteIdentifier(name)}`);
      this.usedNames.delete(name.toLowerCase());
      this.hashedWhileWriting.delete(name);
      for (const meta of [META.columns, META.indexes, META.foreignKeys]) this.db.prepare(`DELETE FROM ${meta} WHERE table_name = ?`).run(name);
    }
    this.db.prepare(`DELETE FROM ${META.tables} WHERE instance = ?`).run(instance);
    this.db.prepare(`DELETE FROM ${META.redisPatterns} WHERE instance = ?`).run(instance);
    this.db.prepare(`DELETE FROM ${META.objects} WHERE instance = ?`).run(instance);
  }

  insertObjects(instance: string, objects: CatalogObject[]): void {
    const insert = this.db.prepare(`INSERT INTO ${META.objects} (instance, database, schema, name, kind, definition, details) VALUES (?,?,?,?,?,?,?)`);
    for (const o of objects) insert.run(instance, o.database, o.schema ?? null, o.name, o.kind, o.definition, o.details ? JSON.stringify(o.details) : null);
  }

  beginRedisDatabase(id: number, instance: InstanceRef, dbIndex: number): void {
    const tableName = this.assignName([instance.name, `db${dbIndex}`, 'keys'], [instance.name, `db${dbIndex}`, '', 'keys']);
    const { sqlColumns, affinities } = this.createDataTable(tableName, REDIS_KEY_COLUMNS);
    this.openTable(id, tableName, sqlColumns, REDIS_KEY_COLUMNS, affinities, null);
  }

  finishRedisDatabase(id: number, instance: InstanceRef, dbIndex: number, rows: number, hash: ContentHash | null, limited = false): void {
    const { tableName } = this.table(id);
    this.open.delete(id);
    if (hash) this.hashedWhileWriting.set(tableName, hash);
    const table = quoteIdentifier(tableName);
    this.db
      .prepare(
        `INSERT INTO ${META.tables} (sql_name, table_name, instance, engine, database, schema, source_table, kind, rows, limited, status, status_reason)
         VALUES (?,?,?,?,?,NULL,'keys','redis-keys',?,?,?,?)`,
      )
      .run(table, tableName, instance.name, instance.engine, `db${dbIndex}`, rows, limited ? 1 : 0, limited ? 'partial' : 'pulled', limited ? `--max-rows: the first ${rows} keys SCAN returned` : null);
    const insertColumn = this.db.prepare(
      `INSERT INTO ${META.columns} (table_name, ordinal, column_name, sql_column, declared_type, storage, nullable, primary_key_ordinal)
       VALUES (?,?,?,?,?,?,1,NULL)`,
    );
    REDIS_KEY_COLUMNS.forEach((c, i) => insertColumn.run(tableName, i + 1, c.name, c.name, c.declaredType, c.storage));
    // Memory: sums over the keys whose MEMORY USAGE is known (NULL when none is), and how many are not.
    // One sort by (pattern, type), summed again per pattern: the types object comes from the same
    // rows (keys in type order) without a subquery per pattern. The sort covers every key of the
    // database: with temp_store = MEMORY its spill would stay in memory (60 MB at 1M keys), so
    // this statement spills to a temporary file.
    this.db.pragma('temp_store = FILE');
    try {
      this.db
        .prepare(
          `INSERT INTO ${META.redisPatterns} (instance, db, pattern, keys, persistent_keys, memory_bytes, persistent_memory_bytes, types,
             ttl_persistent, ttl_under_1m, ttl_1m_1h, ttl_1h_1d, ttl_1d_7d, ttl_over_7d, memory_unknown_keys, persistent_memory_unknown_keys, limited)
           SELECT ?, ?, pattern, sum(keys), sum(persistent), sum(memory), sum(persistent_memory), json_group_object(type, keys ORDER BY type),
             sum(persistent), sum(under_1m), sum(m1_h1), sum(h1_d1), sum(d1_d7), sum(over_7d), sum(memory_unknown), sum(persistent_memory_unknown), ?
           FROM (SELECT pattern, type, count(*) AS keys, sum(ttl_ms = -1) AS persistent, sum(memory_bytes) AS memory,
                   sum(CASE WHEN ttl_ms = -1 THEN memory_bytes END) AS persistent_memory,
                   sum(ttl_ms >= 0 AND ttl_ms < 60000) AS under_1m, sum(ttl_ms >= 60000 AND ttl_ms < 3600000) AS m1_h1,
                   sum(ttl_ms >= 3600000 AND ttl_ms < 86400000) AS h1_d1, sum(ttl_ms >= 86400000 AND ttl_ms < 604800000) AS d1_d7,
                   sum(ttl_ms >= 604800000) AS over_7d, sum(memory_bytes IS NULL) AS memory_unknown,
                   sum(ttl_ms = -1 AND memory_bytes IS NULL) AS persistent_memory_unknown
                 FROM ${table} GROUP BY pattern, type)
           GROUP BY pattern ORDER BY pattern`,
        )
        .run(instance.name, dbIndex, limited ? 1 : 0);
    } finally {
      this.db.pragma('temp_store = MEMORY');
    }
  }

  /** Links objects and foreign keys to the data tables they name, where those were pulled. */
  private linkCatalog(): void {
    this.db.exec(`
      UPDATE ${META.objects} SET table_name = (
        SELECT t.table_name FROM ${META.tables} AS t
         WHERE t.instance = ${META.objects}.instance AND t.database = ${META.objects}.database
           AND t.source_table = CASE WHEN ${META.objects}.schema IS NULL THEN ${META.objects}.name ELSE ${META.objects}.schema || '.' || ${META.objects}.name END
           AND t.kind = 'table')
      WHERE table_name IS NULL;
      UPDATE ${META.foreignKeys} SET referenced_table_name = (
        SELECT r.table_name FROM ${META.tables} AS t JOIN ${META.tables} AS r ON r.instance = t.instance
         WHERE t.table_name = ${META.foreignKeys}.table_name
           AND r.database = coalesce(${META.foreignKeys}.referenced_database, t.database)
           AND r.source_table = CASE WHEN ${META.foreignKeys}.referenced_schema IS NULL THEN ${META.foreignKeys}.referenced_table
                                     ELSE ${META.foreignKeys}.referenced_schema || '.' || ${META.foreignKeys}.referenced_table END
           AND r.kind = 'table');`);
  }

  /** Hashes every table, writes the manifest, syncs, and moves the file to its final path. */
  finish(input: ManifestInput, records: InstanceRecord[]): SnapshotManifest {
    this.linkCatalog();
    const insertInstance = this.db.prepare(
      `INSERT INTO ${META.instances} (instance, engine, domain, host, port, instance_class, allocated_memory_mb, status, error, hint, consistency,
         consistency_note, version, started_at, finished_at, tables, rows, limited_tables, role, primary_host, link_status, replication_lag_ms, not_read_tables)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    for (const r of records) {
      insertInstance.run(
        r.name, r.engine, r.domain, r.host, r.port, r.instanceClass, r.allocatedMemoryMb, r.status, r.error?.message ?? null,
        r.error?.hint ?? null, r.consistency, r.consistencyNote, r.version, r.startedAt, r.finishedAt, r.tables, r.rows, r.limitedTables,
        r.replication?.role ?? null, r.replication?.primary ?? null, r.replication?.linkStatus ?? null, r.replication?.lagMs ?? null, r.notReadTables ?? 0,
      );
    }
    this.db.exec('COMMIT');
    const hashes: Record<string, TableHash> = {};
    const dataTables = this.db.prepare(`SELECT table_name FROM ${META.tables} WHERE kind <> ? ORDER BY table_name`).pluck().all(PUSHDOWN_KIND) as string[];
    for (const table of [...dataTables, ...HASHED_META_TABLES]) {
      const { rows, sha256 } = this.hashedWhileWriting.get(table) ?? tableContentHash(this.db, table);
      hashes[table] = { sqlName: quoteIdentifier(table), rows, sha256 };
    }
    const manifest: SnapshotManifest = {
      format: 'snapbench-snapshot',
      formatVersion: 1,
      ...input,
      instances: records,
      hashes,
      rowEncoding: ROW_ENCODING_DESCRIPTION,
      // Every object of the file as written, so the root hash (and a signature) covers the schema too.
      schema: recordSchema(this.db),
      complete: true,
    };
    const body = JSON.stringify(manifest);
    this.db.prepare(`INSERT INTO ${META.manifest} (body, root_sha256) VALUES (?, ?)`).run(body, rootHash(body));
    if (this.base) this.db.exec(`DETACH DATABASE ${BASE_SCHEMA}`);
    this.db.pragma('journal_mode = DELETE');
    this.db.close();
    this.closed = true;
    const fd = openSync(this.tempPath, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(this.tempPath, this.outPath);
    this.removeBaseCopy();
    return manifest;
  }

  /** Closes and removes the temporary file: nothing is left at or next to the output path. */
  abort(): void {
    if (!this.closed) {
      try {
        this.db.close();
      } catch {
        // already closed by a failing statement
      }
      this.closed = true;
    }
    rmSync(this.tempPath, { force: true });
    rmSync(`${this.tempPath}-journal`, { force: true });
    this.removeBaseCopy();
  }

  private removeBaseCopy(): void {
    if (!this.base) return;
    rmSync(this.base.copy, { force: true });
    rmSync(`${this.base.copy}-journal`, { force: true });
    this.base = null;
  }
}
