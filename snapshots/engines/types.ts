// The contract every engine adapter fulfils. An adapter reads one instance and
// hands what it finds to an InstanceTarget (the snapshot writer's view of that
// instance); it never touches the file itself.
import type { Engine, FleetInstance } from '../../shared/model/fleet.ts';
import type { Network } from '../net/network.ts';
import type { EncodedRows } from '../file/encodedRows.ts';
import type { Affinity } from '../file/hash.ts';
import type { CatalogObject, Consistency, RedisKeyRecord, ReplicationInfo, ServerFact, SqlValue, TableInfo, TableOrigin, TableStatus } from '../../shared/model/snapshot.ts';

/** Receives the rows of one table in column order. May return a promise to apply backpressure. */
export interface TableSink {
  push(rows: SqlValue[][]): void | Promise<void>;
  /**
   * Rows already in the content hash's line encoding (file/encodedRows.ts), in
   * order with the rows given to push(). Offered by the snapshot writer; an
   * adapter uses it only when present, and writes a value only where
   * `affinities` (one per physical column) says it is stored exactly (canEncode).
   */
  pushEncoded?(rows: EncodedRows): void | Promise<void>;
  readonly affinities?: readonly Affinity[];
}

export interface TablePullResult {
  rows: number;
  /** True when --max-rows stopped the table before its end. */
  limited: boolean;
  /** Absent: `pulled`. */
  status?: TableStatus;
  statusReason?: string | null;
  /** System-versioned tables: historical (no longer current) row versions on the server. */
  historyRows?: number | null;
  /** Incremental pulls: where the rows came from (absent: `pulled`), and why a table was not carried or appended when it could have been. */
  origin?: TableOrigin;
  originNote?: string | null;
  /** Appended tables: how many of `rows` were copied from the base. */
  carriedRows?: number;
}

/**
 * What shows that a table has not changed since an earlier pull, recorded with
 * every pull (server fact `change_proof`, one per table) so the next incremental
 * pull can compare. PostgreSQL: the relation's file node and its insert / update
 * / delete counters; MySQL/MariaDB: CHECKSUM TABLE (UPDATE_TIME kept as a hint,
 * never as proof). `append`: for append-only tables, the key, its largest value
 * and the rows at or below it, with the server's checksum of those rows (MySQL).
 */
export type ChangeProof =
  | { engine: 'mysql'; checksum: string | null; updateTime: string | null; append?: AppendState }
  | { engine: 'postgres'; relfilenode: string; inserted: string; updated: string; deleted: string; append?: AppendState };

export interface AppendState {
  key: string;
  maxKey: string | null;
  rows: number;
  /** MySQL: BIT_XOR of CRC32 over the rows at or below maxKey, computed by the server. */
  rangeChecksum?: string | null;
}

/** A data table of the base snapshot, as an incremental pull sees it. */
export interface BaseTable {
  /** The base file, and the table's name in it ("instance/database/table"). */
  file: string;
  /** The base's root hash (its copy is checked against it before anything is carried). */
  baseRootSha256: string;
  tableName: string;
  rows: number;
  sha256: string;
  proof: ChangeProof | null;
  /** Its catalog columns, to check the server's table still has the same ones. */
  columns: { name: string; declaredType: string; storage: string; nullable: boolean; primaryKeyOrdinal: number | null }[];
  /** Every row was read (not limited, status pulled). */
  complete: boolean;
  /**
   * Hash a carried table's copy before carrying it (`pull --base --sign`: a
   * signature attests the rows, so rows altered in the base are read again
   * instead); otherwise it keeps the base's recorded hash without a second pass.
   */
  rehashCarried: boolean;
}

/** The base snapshot (`pull --base OLD`) as one instance's adapter sees it: OLD is opened read-only and never changed. */
export interface InstanceBase {
  file: string;
  table(table: TableInfo): BaseTable | null;
  /** OLD's rows with the largest keys, largest first, as OLD stores them. */
  lastRows(table: BaseTable, keyColumn: string, count: number): SqlValue[][];
}

export interface InstanceTarget {
  setVersion(version: string): void;
  setConsistency(consistency: Consistency, note: string | null): void;
  setReplication(replication: ReplicationInfo | null): void;
  addServerFacts(facts: ServerFact[]): void;
  /** Views, sequences, inheritance links, ...: recorded in the catalog. */
  addObjects(objects: CatalogObject[]): void;
  /**
   * Creates the table in the snapshot and returns where its rows go; `finish` records its row count.
   * `appendTo`: first copies that base table's rows (an append-only table), the pushed rows follow.
   */
  beginTable(table: TableInfo, options?: { appendTo?: BaseTable }): { sink: TableSink; finish(result: TablePullResult): Promise<void>; abandon(): Promise<void> };
  /**
   * Copies a table proven unchanged from the base snapshot, checking the copy
   * against the base's own hash. Not carried (and nothing kept) when the base's
   * rows do not match its manifest, with the reason.
   */
  carryTable?(table: TableInfo, from: BaseTable, note: string | null): Promise<{ carried: true } | { carried: false; reason: string }>;
  /**
   * An append-only table: copies the base table's rows (checked like a carried
   * table's) into a new table; the rows pushed into it follow them.
   */
  beginAppend?(table: TableInfo, from: BaseTable): Promise<{ ok: true; table: { sink: TableSink; finish(result: TablePullResult): Promise<void>; abandon(): Promise<void> } } | { ok: false; reason: string }>;
  /**
   * Records a table's catalog (columns, indexes, the exact row count the server
   * gave) without its rows: an instance checked in place (pull: pushdown).
   */
  recordTable(table: TableInfo, rows: number): Promise<void>;
  beginRedisDatabase(db: number): {
    push(keys: RedisKeyRecord[]): void | Promise<void>;
    /** `limited`: --max-rows stopped the walk before the end of the keyspace. */
    finish(result?: { limited: boolean }): Promise<void>;
  };
}

export type PullEvent =
  | { type: 'instance-start'; instance: string; engine: Engine }
  | { type: 'table-start'; instance: string; table: string; estimatedRows: number | null }
  | { type: 'table-progress'; instance: string; table: string; rows: number; bytes: number }
  | { type: 'table-done'; instance: string; table: string; rows: number; limited: boolean; origin?: TableOrigin; carriedRows?: number; note?: string | null }
  | { type: 'instance-done'; instance: string; tables: number; rows: number }
  | { type: 'instance-failed'; instance: string; message: string; hint: string | null };

/**
 * The read-only session an adapter opened for one instance (MySQL) or one
 * database (PostgreSQL), lent to code that checks the data in place: the same
 * connection, guards, statement time limit and read-only transaction as a pull.
 */
export interface InPlaceSession {
  instance: FleetInstance;
  dialect: 'mysql' | 'postgres';
  /** MariaDB rather than MySQL (their SQL differs in places). */
  mariadb: boolean;
  /** The PostgreSQL database of this session; null for MySQL (one session for the instance). */
  database: string | null;
  tables: TableInfo[];
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
}

/** Runs in a session instead of reading the rows; returns each table's exact row count. */
export type InPlaceRunner = (session: InPlaceSession) => Promise<Map<TableInfo, number>>;

export interface PullOptions {
  /** 'catalog': record each table's catalog and row count, read no rows (pull: pushdown); `inPlace` then runs in the session. */
  mode?: 'full' | 'catalog';
  inPlace?: InPlaceRunner;
  maxRows: number | null;
  signal: AbortSignal;
  /** Password looked up from the variable the manifest names; never stored. */
  password: string | undefined;
  /** HMAC key for Redis key names' variable parts. */
  keyHashSecret: Buffer;
  progress(event: PullEvent): void;
  /** How servers are reached (SSH bastions shared across the run); absent: each adapter makes its own, direct or through its instance's bastion. */
  network?: Network;
  /** Incremental pull: the base snapshot's tables of this instance. */
  base?: InstanceBase;
}

export interface EngineAdapter {
  engine: Engine;
  /** Pulls one instance into the target. Throws on failure; the caller records it and goes on. */
  pullInstance(instance: FleetInstance, target: InstanceTarget, options: PullOptions): Promise<void>;
}

/** The runner of a catalog-only pull without checks: one count(*) per table, in the pull's own session. */
export async function countRowsInPlace(session: InPlaceSession): Promise<Map<TableInfo, number>> {
  const counts = new Map<TableInfo, number>();
  for (const table of session.tables) {
    const from =
      session.dialect === 'mysql'
        ? `\`${table.database.replaceAll('`', '``')}\`.\`${table.name.replaceAll('`', '``')}\``
        : `"${(table.schema ?? 'public').replaceAll('"', '""')}"."${table.name.replaceAll('"', '""')}"`;
    const [row] = await session.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${from}`);
    counts.set(table, Number(row?.n ?? 0));
  }
  return counts;
}

export { PullError } from './errors.ts';
