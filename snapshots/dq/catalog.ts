// The snapshot's catalog as the rules see it, and how a rule's table reference
// finds tables by their source names: `t_order`, `luckyus_sales_order.t_order`,
// `aws-luckyus-salesorder-rw/luckyus_sales_order/t_order`, or a glob of any of
// these. A bare name may match the same table on several instances; the check
// then runs over all of them.
import type Database from 'better-sqlite3';
import type { StorageKind } from '../../shared/model/snapshot.ts';
import { globToRegExp, isGlob } from '../../shared/dq/definitions.ts';
import { META } from '../file/schema.ts';

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
}

export function loadCatalog(db: Database.Database): Catalog {
  const tables = db
    .prepare(
      `SELECT table_name AS name, sql_name AS sqlName, instance, engine, database, schema, source_table AS sourceTable, kind, rows, limited
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
  return {
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
