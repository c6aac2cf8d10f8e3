// The snapshot's catalog as the rules see it, and how a rule's table reference
// finds tables by their source names: `t_order`, `luckyus_sales_order.t_order`,
// `aws-luckyus-salesorder-rw/luckyus_sales_order/t_order`, or a glob of any of
// these. A bare name may match the same table on several instances; the check
// then runs over all of them.
import type Database from 'better-sqlite3';
import type { StorageKind } from '../../shared/model/snapshot.ts';
import { globToRegExp, isGlob } from '../../shared/dq/definitions.ts';
import { columnNames, META } from '../file/schema.ts';

export interface CatalogColumn {
  /** The source's column name. */
  name: string;
  /** The column's name in the SQLite table (unique case-insensitively). */
  sqlColumn: string;
  declaredType: string;
  storage: StorageKind;
  nullable: boolean;
  primaryKeyOrdinal: number | null;
}

export interface CatalogTable {
  /** Physical name: instance/database/table. */
  name: string;
  sqlName: string;
  instance: string;
  engine: string;
  database: string;
  schema: string | null;
  sourceTable: string;
  /** 'pushdown': checked in place (pull: pushdown), catalog and row count only, no rows in the file. */
  kind: 'table' | 'redis-keys' | 'pushdown';
  rows: number;
  limited: boolean;
  /** `pulled` (or absent) unless the data table holds less than the source. */
  status?: string;
  statusReason?: string | null;
  columns: CatalogColumn[];
  primaryKey: CatalogColumn[];
}

export interface CatalogInstance {
  name: string;
  engine: string;
  status: string;
  version: string | null;
  allocatedMemoryMb: number | null;
}

export interface Catalog {
  tables: CatalogTable[];
  instances: CatalogInstance[];
  /** Databases an account could read only in part (MySQL table- or column-level grants): instance → database → why. */
  partialDatabases?: Map<string, Map<string, string>>;
}

export function loadCatalog(db: Database.Database): Catalog {
  const has = columnNames(db, META.tables);
  const tables = db
    .prepare(
      `SELECT table_name AS name, sql_name AS sqlName, instance, engine, database, schema, source_table AS sourceTable, kind, rows, limited,
              ${has.has('status') ? 'status' : `'pulled'`} AS status, ${has.has('status_reason') ? 'status_reason' : 'NULL'} AS statusReason
         FROM ${META.tables} ORDER BY table_name`,
    )
    .all() as (Omit<CatalogTable, 'columns' | 'primaryKey' | 'limited'> & { limited: number })[];
  const columns = db
    .prepare(
      `SELECT table_name AS tableName, column_name AS name, sql_column AS sqlColumn, declared_type AS declaredType, storage, nullable,
              primary_key_ordinal AS primaryKeyOrdinal FROM ${META.columns} ORDER BY table_name, ordinal`,
    )
    .all() as (Omit<CatalogColumn, 'nullable'> & { tableName: string; nullable: number })[];
  const byTable = new Map<string, CatalogColumn[]>();
  for (const { tableName, nullable, ...c } of columns) {
    const list = byTable.get(tableName) ?? [];
    list.push({ ...c, nullable: nullable === 1 });
    byTable.set(tableName, list);
  }
  const instances = db
    .prepare(`SELECT instance AS name, engine, status, version, allocated_memory_mb AS allocatedMemoryMb FROM ${META.instances} ORDER BY instance`)
    .all() as CatalogInstance[];
  const partialDatabases = new Map<string, Map<string, string>>();
  const readability = db
    .prepare(`SELECT instance, name, value FROM ${META.serverFacts} WHERE category = 'readability' AND value IS NOT NULL AND value <> 'full'`)
    .all() as { instance: string; name: string; value: string }[];
  for (const r of readability) {
    const byDatabase = partialDatabases.get(r.instance) ?? new Map<string, string>();
    byDatabase.set(r.name, r.value);
    partialDatabases.set(r.instance, byDatabase);
  }
  return {
    partialDatabases,
    tables: tables.map((t) => {
      const cols = byTable.get(t.name) ?? [];
      return {
        ...t,
        limited: t.limited === 1,
        columns: cols,
        primaryKey: cols.filter((c) => c.primaryKeyOrdinal !== null).sort((a, b) => a.primaryKeyOrdinal! - b.primaryKeyOrdinal!),
      };
    }),
    instances,
  };
}

function matcher(pattern: string, caseInsensitive = false): (value: string) => boolean {
  if (isGlob(pattern)) {
    const regex = globToRegExp(pattern, caseInsensitive);
    return (value) => regex.test(value);
  }
  if (caseInsensitive) {
    const lower = pattern.toLowerCase();
    return (value) => value.toLowerCase() === lower;
  }
  return (value) => value === pattern;
}

/** The table part of a reference matches a source table, also as the last part of a PostgreSQL `schema.table`. */
function tableMatcher(pattern: string, caseInsensitive: boolean): (table: CatalogTable) => boolean {
  const whole = matcher(pattern, caseInsensitive);
  return (t) => whole(t.sourceTable) || (t.schema !== null && whole(t.sourceTable.slice(t.schema.length + 1)));
}

function referenceMatcher(ref: string, caseInsensitive: boolean): (table: CatalogTable) => boolean {
  if (ref.includes('/')) {
    const whole = matcher(ref, caseInsensitive);
    return (t) => whole(t.name);
  }
  const dot = ref.indexOf('.');
  const bare = tableMatcher(ref, caseInsensitive);
  if (dot < 0) return bare;
  // `db.table` (or `db.schema.table`), or a PostgreSQL `schema.table`.
  const database = matcher(ref.slice(0, dot), caseInsensitive);
  const rest = tableMatcher(ref.slice(dot + 1), caseInsensitive);
  return (t) => (database(t.database) && rest(t)) || bare(t);
}

export interface ResolveOptions {
  /** Glob over instance names. */
  instance?: string;
  kinds?: readonly CatalogTable['kind'][];
}

/** The tables a reference names: exact (case-sensitive) matches, else case-insensitive ones. */
export function resolveTables(catalog: Catalog, ref: string, options: ResolveOptions = {}): CatalogTable[] {
  const kinds = options.kinds ?? ['table'];
  const instance = options.instance ? matcher(options.instance) : () => true;
  const candidates = catalog.tables.filter((t) => kinds.includes(t.kind) && instance(t.instance));
  const exact = candidates.filter(referenceMatcher(ref, false));
  return exact.length > 0 ? exact : candidates.filter(referenceMatcher(ref, true));
}

export function tablesOfDatabase(catalog: Catalog, database: string, instance?: string): CatalogTable[] {
  const inInstance = instance ? matcher(instance) : () => true;
  const db = matcher(database);
  return catalog.tables.filter((t) => t.kind === 'table' && db(t.database) && inInstance(t.instance));
}

/** A column by its source name: exact, else case-insensitive (MySQL column names are). */
export function findColumn(table: CatalogTable, name: string): CatalogColumn | undefined {
  return table.columns.find((c) => c.name === name) ?? table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
}

const keyNames = new WeakMap<CatalogTable, boolean>();

/**
 * Whether a Redis key inventory stores key names (raw_key_names: true), else
 * only patterns and hashes. A pull stores the names of every key of an
 * instance or of none, so the first key tells.
 */
export function storesKeyNames(db: Database.Database, table: CatalogTable): boolean {
  let stored = keyNames.get(table);
  if (stored === undefined) {
    stored = db.prepare(`SELECT key_name IS NOT NULL FROM ${table.sqlName} LIMIT 1`).pluck().get() === 1;
    keyNames.set(table, stored);
  }
  return stored;
}

export function instanceMatcher(glob: string | undefined): (name: string) => boolean {
  return glob ? matcher(glob) : () => true;
}

/**
 * Why a table's data cannot answer a rule whole: it was not read, or read in
 * part for a reason other than --max-rows (which rules report as `limited`).
 * Null when it was read whole.
 */
export function notReadWhole(table: CatalogTable): string | null {
  if (table.status === undefined || table.status === 'pulled' || (table.status === 'partial' && table.limited)) return null;
  return `${table.name} was not read whole (${table.status}${table.statusReason ? `: ${table.statusReason}` : ''})`;
}

/** Why a database's tables in the snapshot may not be all of it (the account could not see every table), or null. */
export function databaseNotReadWhole(catalog: Catalog, instance: string, database: string): string | null {
  const why = catalog.partialDatabases?.get(instance)?.get(database) ?? catalog.partialDatabases?.get(instance)?.get('*');
  return why ? `instance ${instance} could not read database ${database} whole (${why})` : null;
}
