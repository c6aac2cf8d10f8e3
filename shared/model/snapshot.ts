// Domain types of the snapshot file: the catalog an engine adapter reports and
// the manifest the file carries. Plain data only, so it crosses any boundary.
import type { Engine } from './fleet.ts';

/** A value as it is stored in the snapshot's SQLite tables. */
export type SqlValue = null | number | bigint | string | Uint8Array;

/**
 * How a source column's values are stored, so no value silently changes:
 * - integer: INTEGER (an unsigned BIGINT above 2^63-1 is stored as decimal text)
 * - decimal: exact decimal text as the server printed it ("12.50")
 * - float:   the server's text rendering of a FLOAT/DOUBLE/REAL
 * - text:    UTF-8 text (CHAR, VARCHAR, TEXT, ENUM, SET, uuid, arrays, intervals, ...)
 * - temporal: date/time text as the server printed it, zero dates kept ("0000-00-00 00:00:00")
 * - json:    JSON text as the server printed it
 * - boolean: INTEGER 0/1
 * - bit:     INTEGER value of a BIT(n) column (decimal text when n > 63)
 * - blob:    the bytes, unchanged
 */
export type StorageKind = 'integer' | 'decimal' | 'float' | 'text' | 'temporal' | 'json' | 'boolean' | 'bit' | 'blob';

export interface ColumnInfo {
  name: string;
  /** The type as the source server declares it, e.g. `decimal(12,2)`, `bigint unsigned`, `timestamp with time zone`. */
  declaredType: string;
  storage: StorageKind;
  nullable: boolean;
  /** 1-based position in the primary key, or null. */
  primaryKeyOrdinal: number | null;
  defaultValue?: string | null;
  comment?: string | null;
  /** A generated (computed) column's expression; its defaultValue is then null. */
  generated?: string | null;
  /** Identity / auto-increment: `ALWAYS`, `BY DEFAULT` (PostgreSQL identity), `serial`, `auto_increment`. */
  identity?: string | null;
  /** How the stored value relates to the source's when that is not plain (money, FLOAT, binary ENUM). */
  note?: string | null;
}

export interface ForeignKeyInfo {
  name: string;
  columns: string[];
  referencedDatabase: string | null;
  referencedSchema: string | null;
  referencedTable: string;
  referencedColumns: string[];
  onUpdate: string | null;
  onDelete: string | null;
}

/**
 * What a pulled table's data table holds:
 * - pulled: every row and column the source had in the pull's snapshot;
 * - partial: some rows or columns only (the reason says which and why);
 * - not-readable: nothing; the account may not read it (the reason names the missing privilege);
 * - skipped: nothing; not read by choice or because its schema cannot be reached;
 * - failed: nothing; reading it failed (the reason is the error).
 */
export type TableStatus = 'pulled' | 'partial' | 'not-readable' | 'skipped' | 'failed';

/**
 * Where a data table's rows came from in an incremental pull (`pull --base OLD`):
 * read from the server, carried over from OLD (proven unchanged), or OLD's rows
 * plus the rows above OLD's largest key (append-only tables).
 */
export type TableOrigin = 'pulled' | 'carried' | 'appended';
export const TABLE_ORIGINS: readonly TableOrigin[] = ['pulled', 'carried', 'appended'];

/** A database object recorded in the catalog without data of its own (or besides it). */
export interface CatalogObject {
  database: string;
  schema?: string | null;
  name: string;
  /** `view`, `materialized view`, `sequence`, `inheritance` (name = child, details.parent), `system-versioning`. */
  kind: string;
  definition: string | null;
  /** Plain JSON-able details (sequence parameters, parent table, ...). */
  details?: Record<string, unknown> | null;
}

/** Replication as the server reports it. */
export interface ReplicationInfo {
  role: 'primary' | 'replica';
  /** host:port of the primary (replicas). */
  primary: string | null;
  /** The replica's link to its primary: `up`, `down`, or the server's own word. */
  linkStatus: string | null;
  /** How far behind the primary, in milliseconds, when the server says. */
  lagMs: number | null;
}

export interface IndexInfo {
  name: string;
  unique: boolean;
  primary: boolean;
  columns: string[];
}

export interface TableInfo {
  database: string;
  /** PostgreSQL schema; absent for MySQL. */
  schema?: string;
  name: string;
  /** The engine's own kind/engine of table, e.g. InnoDB, MyISAM, BASE TABLE, partitioned. */
  engineTableType?: string | null;
  estimatedRows: number | null;
  dataBytes: number | null;
  indexBytes: number | null;
  columns: ColumnInfo[];
  indexes: IndexInfo[];
  foreignKeys?: ForeignKeyInfo[];
  comment?: string | null;
}

export interface ServerFact {
  category: string;
  name: string;
  value: string | null;
}

export type Consistency =
  /** Every table of the instance (or of each database, for PostgreSQL) read in one read-only snapshot transaction. */
  | 'snapshot'
  /** Tables read one after another without a common snapshot; the note says why. */
  | 'best-effort'
  /** Redis: SCAN walks a live keyspace; keys changing during the walk may be missed or seen twice. */
  | 'scan';

export type InstanceStatus = 'pulled' | 'failed' | 'inventory-only' | 'skipped';

export interface InstanceRecord {
  name: string;
  engine: Engine;
  domain: string | null;
  host: string | null;
  port: number | null;
  instanceClass: string | null;
  allocatedMemoryMb: number | null;
  status: InstanceStatus;
  error: { message: string; hint: string | null } | null;
  consistency: Consistency | null;
  consistencyNote: string | null;
  version: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  tables: number;
  rows: number;
  limitedTables: number;
  /** Tables listed in the catalog whose data was not (fully) read: status other than `pulled`. */
  notReadTables?: number;
  replication?: ReplicationInfo | null;
}

export interface TableHash {
  sqlName: string;
  rows: number;
  sha256: string;
}

/** One row of sqlite_master. `sql` is null for the indexes SQLite makes for PRIMARY KEY and UNIQUE. */
export interface SchemaObject {
  type: string;
  name: string;
  table: string;
  sql: string | null;
}

/** One row of `pragma_table_xinfo`: name, declared type, hidden (0 plain, 1 hidden, 2 virtual generated, 3 stored generated). */
export type ColumnRecord = [name: string, type: string, hidden: number];

/** The manifest's `schema`: every SQLite object the writer created (sqlite_master order) and every table's columns. */
export interface RecordedSchema {
  objects: SchemaObject[];
  columns: Record<string, ColumnRecord[]>;
}

export interface SnapshotManifest {
  format: 'snapbench-snapshot';
  formatVersion: 1;
  tool: { name: 'snapbench'; version: string };
  createdAt: string;
  createdBy: string;
  createdOnHost: string;
  synthetic: boolean;
  fleet: { name: string | null; file: string | null; sha256: string | null; instances: number };
  options: { maxRows: number | null; only: string[] | null; concurrency: number };
  keyHashing: { algorithm: 'hmac-sha256/16'; keySource: 'random-per-snapshot' | 'SNAPBENCH_KEY_HASH_SECRET' };
  instances: InstanceRecord[];
  /** Content hashes of every table in the file, data and catalog alike, keyed by table name. */
  hashes: Record<string, TableHash>;
  rowEncoding: string;
  /** The file's schema as written; absent in files made before it was recorded (their schema is rebuilt from the catalog). */
  schema?: RecordedSchema;
  /** Incremental pulls: the root hash of the snapshot given as --base. The file stands alone; this only says where carried rows came from. */
  base?: string;
  /** Incremental pulls: what was read from the servers and what was carried from the base. */
  incremental?: IncrementalSummary;
  complete: true;
}

export interface IncrementalSummary {
  /** The base file as given on the command line, and when it was made. */
  baseFile: string;
  baseCreatedAt: string;
  tables: Record<TableOrigin, number>;
  /** Rows read from the servers (pulled tables and the new rows of appended ones) and rows copied from the base. */
  rowsRead: number;
  rowsCarried: number;
}

/** One row of `snapbench tables --format json`. */
export interface TableListing {
  instance: string;
  engine: Engine;
  database: string;
  /** PostgreSQL schema, else null. */
  schema: string | null;
  table: string;
  rows: number;
  sqlName: string;
  /** `pulled` unless the data table holds less than the source (files before this field: `pulled`). */
  status: TableStatus;
  statusReason: string | null;
}

/** Per-key record of a Redis inventory. The key name is kept only where the manifest allows it. */
export interface RedisKeyRecord {
  db: number;
  pattern: string;
  keyHash: string;
  keyName: string | null;
  type: string;
  ttlMs: number;
  memoryBytes: number | null;
  /** The cluster shard (its slot ranges) the key was read from; absent outside a cluster. */
  shard?: string | null;
}
