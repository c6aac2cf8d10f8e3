// What the reference fleet generator produces: SQL tables (one definition used
// both to write a demo snapshot and to create and load real servers) and Redis
// key spaces, with rows and keys generated on demand.
import type { Engine } from '../../../shared/model/fleet.ts';
import type { ColumnInfo, IndexInfo, SqlValue, TableInfo } from '../../../shared/model/snapshot.ts';
import { mysqlStorageKind } from '../../engines/mysql/types.ts';
import { columnTypeFor } from '../../engines/postgres/types.ts';

/**
 * A column. `type` is the DDL type: for MySQL as reference-fleet.md writes it
 * (`DECIMAL(12,2)`); for PostgreSQL as format_type() prints it
 * (`character varying(255)`), which is valid DDL too.
 * Values: integers are numbers, DECIMAL/numeric exact text ("12.50"),
 * DATETIME/timestamp text ("2025-07-01 08:15:00"), booleans 1/0.
 */
export interface ColumnDef {
  name: string;
  type: string;
  nullable?: boolean;
}

export interface IndexDef {
  name: string;
  columns: string[];
  unique?: boolean;
}

export interface TableDef {
  instance: string;
  engine: Exclude<Engine, 'redis'>;
  database: string;
  /** PostgreSQL schema (always public here); absent for MySQL. */
  schema?: string;
  name: string;
  columns: ColumnDef[];
  primaryKey: string[];
  indexes?: IndexDef[];
  /** Rough on-disk bytes per row, for the size estimates a server would report. */
  avgRowBytes: number;
  comment?: string;
}

export interface ReferenceTable extends TableDef {
  /** Rows the table will have (exact, except where noted by `estimated`). */
  expectedRows: number;
  /** True when expectedRows is an estimate (rows derived from another table's random draws). */
  estimated?: boolean;
  rows(): Iterable<SqlValue[]>;
}

export function referenceTable(def: TableDef, expectedRows: number, rows: () => Iterable<SqlValue[]>, estimated = false): ReferenceTable {
  return { ...def, expectedRows, estimated, rows };
}

export type RedisKeyType = 'string' | 'hash' | 'set';

export interface RedisKeySpec {
  name: string;
  type: RedisKeyType;
  /** PTTL: -1 for no TTL, else milliseconds left. */
  ttlMs: number;
  /** string: the value; hash: field, value, field, value...; set: the members. */
  value: string | string[];
}

export interface ReferenceRedis {
  instance: string;
  db: number;
  expectedKeys: number;
  keys(): Iterable<RedisKeySpec>;
}

/** "instance/database/table" (PostgreSQL: "instance/database/schema.table"): the snapshot's table name. */
export function tableKey(table: Pick<TableDef, 'instance' | 'database' | 'schema' | 'name'>): string {
  return `${table.instance}/${table.database}/${table.schema ? `${table.schema}.` : ''}${table.name}`;
}

export function redisTableKey(redis: Pick<ReferenceRedis, 'instance' | 'db'>): string {
  return `${redis.instance}/db${redis.db}/keys`;
}

/** PostgreSQL format_type() names → pg_type.typname, for the adapter's own type mapping. */
const PG_TYPNAME: Record<string, string> = {
  uuid: 'uuid',
  text: 'text',
  'character varying': 'varchar',
  'timestamp without time zone': 'timestamp',
  integer: 'int4',
  bigint: 'int8',
  smallint: 'int2',
  boolean: 'bool',
  numeric: 'numeric',
  jsonb: 'jsonb',
};

function baseTypeName(type: string): string {
  return type.replace(/\(.*$/, '').trim().toLowerCase();
}

/** The column as the engine adapter of its server would describe it. */
export function columnInfo(table: TableDef, column: ColumnDef): ColumnInfo {
  const pk = table.primaryKey.indexOf(column.name);
  const base = baseTypeName(column.type);
  let declaredType: string;
  let storage: ColumnInfo['storage'];
  if (table.engine === 'mysql') {
    // MySQL 8 prints COLUMN_TYPE in lower case without display widths.
    declaredType = column.type.toLowerCase();
    storage = mysqlStorageKind(base, declaredType);
  } else {
    const typname = PG_TYPNAME[base];
    if (!typname) throw new Error(`reference fleet: no typname for PostgreSQL type ${column.type}`);
    declaredType = column.type;
    storage = columnTypeFor(typname, '').storage;
  }
  return { name: column.name, declaredType, storage, nullable: column.nullable === true && pk < 0, primaryKeyOrdinal: pk < 0 ? null : pk + 1, defaultValue: null, comment: null };
}

export function indexInfos(table: TableDef): IndexInfo[] {
  const primaryName = table.engine === 'mysql' ? 'PRIMARY' : `${table.name}_pkey`;
  return [
    { name: primaryName, unique: true, primary: true, columns: [...table.primaryKey] },
    ...(table.indexes ?? []).map((i) => ({ name: i.name, unique: i.unique === true, primary: false, columns: [...i.columns] })),
  ];
}

const PAGE = 16384;

/** Rounds up to whole pages, as InnoDB/PostgreSQL sizes are. */
export function pageBytes(bytes: number): number {
  return Math.max(PAGE, Math.ceil(bytes / PAGE) * PAGE);
}

/** The catalog entry the engine adapter would report for the table holding `rows` rows. */
export function tableInfo(table: TableDef, rows: number): TableInfo {
  const dataBytes = pageBytes(rows * table.avgRowBytes);
  const indexCount = (table.indexes?.length ?? 0) + (table.engine === 'postgres' ? 1 : 0);
  return {
    database: table.database,
    schema: table.schema,
    name: table.name,
    engineTableType: table.engine === 'mysql' ? 'InnoDB' : 'table',
    estimatedRows: rows,
    dataBytes,
    indexBytes: indexCount === 0 ? 0 : pageBytes(rows * 24 * indexCount),
    columns: table.columns.map((c) => columnInfo(table, c)),
    indexes: indexInfos(table),
    comment: table.comment ?? null,
  };
}
