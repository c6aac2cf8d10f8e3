// Reads the catalog (information_schema) and the server facts of a MySQL/MariaDB instance.
import type { CatalogObject, ColumnInfo, ForeignKeyInfo, IndexInfo, ServerFact, TableInfo } from '../../../shared/model/snapshot.ts';
import { quoteMysqlIdentifier } from '../../../shared/model/sql.ts';
import { mysqlQuery, type MysqlConnection } from './connect.ts';
import { mysqlStorageKind } from './types.ts';

const SYSTEM_SCHEMAS = ['information_schema', 'performance_schema', 'mysql', 'sys'];

const KEY_VARIABLES = [
  'version', 'version_comment', 'version_compile_machine', 'innodb_version', 'aurora_version',
  'character_set_server', 'collation_server', 'time_zone', 'system_time_zone', 'sql_mode',
  'transaction_isolation', 'tx_isolation', 'read_only', 'super_read_only', 'log_bin', 'binlog_format',
  'innodb_buffer_pool_size', 'innodb_file_per_table', 'innodb_flush_log_at_trx_commit', 'max_connections',
  'max_allowed_packet', 'table_open_cache', 'thread_cache_size', 'query_cache_type', 'slow_query_log',
  'long_query_time', 'lower_case_table_names', 'max_execution_time', 'max_statement_time', 'wait_timeout',
  'performance_schema', 'default_storage_engine',
];

const KEY_STATUS = [
  'Uptime', 'Questions', 'Queries', 'Threads_connected', 'Threads_running', 'Threads_created', 'Connections',
  'Max_used_connections', 'Aborted_connects', 'Aborted_clients', 'Slow_queries', 'Com_select', 'Com_insert',
  'Com_update', 'Com_delete', 'Bytes_received', 'Bytes_sent', 'Innodb_buffer_pool_read_requests',
  'Innodb_buffer_pool_reads', 'Innodb_rows_read', 'Innodb_rows_inserted', 'Innodb_rows_updated', 'Innodb_rows_deleted',
  'Open_tables', 'Created_tmp_disk_tables',
];

export async function listDatabases(connection: MysqlConnection): Promise<string[]> {
  const rows = await mysqlQuery<{ name: string }>(connection, 'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME');
  return rows.map((r) => r.name);
}

export function userDatabases(all: string[]): string[] {
  return all.filter((name) => !SYSTEM_SCHEMAS.includes(name.toLowerCase()));
}

interface TableRow {
  db: string;
  name: string;
  engine: string | null;
  table_type: string;
  table_rows: number | string | null;
  data_length: number | string | null;
  index_length: number | string | null;
  comment: string | null;
}
interface ColumnRow {
  db: string;
  table_name: string;
  name: string;
  ordinal: number;
  column_type: string;
  data_type: string;
  nullable: string;
  default_value: string | null;
  comment: string | null;
  extra: string | null;
  charset: string | null;
  /** GENERATION_EXPRESSION (MySQL 5.7+, MariaDB 10.2+); null where the server lacks the column. */
  generation: string | null;
}
interface ForeignKeyRow {
  db: string;
  table_name: string;
  name: string;
  column_name: string;
  ref_db: string | null;
  ref_table: string;
  ref_column: string;
  on_update: string | null;
  on_delete: string | null;
}
interface IndexRow {
  db: string;
  table_name: string;
  index_name: string;
  non_unique: number | string;
  seq: number;
  column_name: string | null;
}

function toNumber(value: number | string | null): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/**
 * A table as introspected, with each column's DATA_TYPE to pick exact select
 * expressions, and what a system-versioned table needs to read its history.
 */
export type MysqlTable = TableInfo & {
  dataTypes: string[];
  /** MariaDB WITH SYSTEM VERSIONING. */
  versioned: boolean;
  /** The row start/end columns are implicit (ROW_START/ROW_END, not in the column list). */
  implicitPeriod: boolean;
};

export interface MysqlCatalog {
  tables: MysqlTable[];
  /** Views and sequences: definitions only. */
  objects: CatalogObject[];
}

/** Reads information_schema.COLUMNS with the newer columns where the server has them. */
async function readColumns(connection: MysqlConnection, databases: string[]): Promise<ColumnRow[]> {
  const base = `TABLE_SCHEMA AS db, TABLE_NAME AS table_name, COLUMN_NAME AS name, ORDINAL_POSITION AS ordinal,
            COLUMN_TYPE AS column_type, DATA_TYPE AS data_type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS default_value,
            COLUMN_COMMENT AS comment, EXTRA AS extra, CHARACTER_SET_NAME AS charset`;
  const order = `FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN (?) ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`;
  try {
    return await mysqlQuery<ColumnRow>(connection, `SELECT ${base}, GENERATION_EXPRESSION AS generation ${order}`, [databases]);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ER_BAD_FIELD_ERROR') throw error;
    return mysqlQuery<ColumnRow>(connection, `SELECT ${base}, NULL AS generation ${order}`, [databases]);
  }
}

/** Columns that MariaDB's JSON type became: LONGTEXT with a `json_valid(col)` CHECK. */
async function jsonCheckedColumns(connection: MysqlConnection, databases: string[]): Promise<Set<string>> {
  const rows = await mysqlQuery<{ db: string; table_name: string; clause: string }>(
    connection,
    `SELECT CONSTRAINT_SCHEMA AS db, TABLE_NAME AS table_name, CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN (?)`,
    [databases],
  ).catch(() => []);
  const out = new Set<string>();
  for (const r of rows) {
    const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(r.clause).trim());
    if (m) out.add(`${r.db}\u0000${r.table_name}\u0000${m[1]!.replaceAll('``', '`')}`);
  }
  return out;
}

async function readForeignKeys(connection: MysqlConnection, databases: string[]): Promise<ForeignKeyRow[]> {
  return mysqlQuery<ForeignKeyRow>(
    connection,
    `SELECT k.TABLE_SCHEMA AS db, k.TABLE_NAME AS table_name, k.CONSTRAINT_NAME AS name, k.COLUMN_NAME AS column_name,
            k.REFERENCED_TABLE_SCHEMA AS ref_db, k.REFERENCED_TABLE_NAME AS ref_table, k.REFERENCED_COLUMN_NAME AS ref_column,
            r.UPDATE_RULE AS on_update, r.DELETE_RULE AS on_delete
       FROM information_schema.KEY_COLUMN_USAGE AS k
       LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS AS r
         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
      WHERE k.TABLE_SCHEMA IN (?) AND k.REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    [databases],
  ).catch(() => []);
}

/** Views (with their definitions, where the account may see them) and sequences (with their parameters). */
async function readObjects(connection: MysqlConnection, tables: TableRow[]): Promise<CatalogObject[]> {
  const objects: CatalogObject[] = [];
  const views = tables.filter((t) => t.table_type === 'VIEW');
  if (views.length > 0) {
    const rows = await mysqlQuery<{ db: string; name: string; definition: string | null; updatable: string; security: string }>(
      connection,
      `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS name, VIEW_DEFINITION AS definition, IS_UPDATABLE AS updatable, SECURITY_TYPE AS security
         FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN (?) ORDER BY TABLE_SCHEMA, TABLE_NAME`,
      [[...new Set(views.map((v) => v.db))]],
    );
    for (const v of rows) {
      objects.push({
        database: v.db,
        name: v.name,
        kind: 'view',
        // Empty when the account lacks SHOW VIEW on it.
        definition: v.definition || null,
        details: { updatable: v.updatable === 'YES', security: v.security, ...(v.definition ? {} : { definitionHidden: 'the account lacks SHOW VIEW on it' }) },
      });
    }
  }
  for (const seq of tables.filter((t) => t.table_type === 'SEQUENCE')) {
    const name = `${quoteMysqlIdentifier(seq.db)}.${quoteMysqlIdentifier(seq.name)}`;
    const [state] = await mysqlQuery<Record<string, unknown>>(connection, `SELECT * FROM ${name} LIMIT 1`).catch(() => []);
    const [create] = await mysqlQuery<Record<string, string>>(connection, `SHOW CREATE SEQUENCE ${name}`).catch(() => []);
    const details: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(state ?? {})) details[key] = typeof value === 'number' || value === null ? value : String(value);
    objects.push({ database: seq.db, name: seq.name, kind: 'sequence', definition: create ? String(Object.values(create)[1] ?? '') || null : null, details });
  }
  return objects;
}

/** Every base table of the given databases, with columns, keys and size estimates; views and sequences as objects. */
export async function introspectMysql(connection: MysqlConnection, databases: string[]): Promise<MysqlCatalog> {
  if (databases.length === 0) return { tables: [], objects: [] };
  const all = await mysqlQuery<TableRow>(
    connection,
    `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS name, ENGINE AS engine, TABLE_TYPE AS table_type, TABLE_ROWS AS table_rows,
            DATA_LENGTH AS data_length, INDEX_LENGTH AS index_length, TABLE_COMMENT AS comment
       FROM information_schema.TABLES
      WHERE TABLE_SCHEMA IN (?)
      ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    [databases],
  );
  const tables = all.filter((t) => t.table_type === 'BASE TABLE' || t.table_type === 'SYSTEM VERSIONED');
  const objects = await readObjects(connection, all);
  const columns = await readColumns(connection, databases);
  const jsonColumns = await jsonCheckedColumns(connection, databases);
  const foreignKeys = await readForeignKeys(connection, databases);
  const indexes = await mysqlQuery<IndexRow>(
    connection,
    `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS table_name, INDEX_NAME AS index_name, NON_UNIQUE AS non_unique,
            SEQ_IN_INDEX AS seq, COLUMN_NAME AS column_name
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN (?)
      ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [databases],
  );
  const key = (db: string, table: string) => `${db}\u0000${table}`;
  const foreignKeysByTable = new Map<string, Map<string, ForeignKeyInfo>>();
  for (const f of foreignKeys) {
    const k = key(f.db, f.table_name);
    if (!foreignKeysByTable.has(k)) foreignKeysByTable.set(k, new Map());
    const byName = foreignKeysByTable.get(k)!;
    if (!byName.has(f.name)) {
      byName.set(f.name, {
        name: f.name,
        columns: [],
        referencedDatabase: f.ref_db,
        referencedSchema: null,
        referencedTable: f.ref_table,
        referencedColumns: [],
        onUpdate: f.on_update,
        onDelete: f.on_delete,
      });
    }
    byName.get(f.name)!.columns.push(f.column_name);
    byName.get(f.name)!.referencedColumns.push(f.ref_column);
  }
  const columnsByTable = new Map<string, ColumnRow[]>();
  for (const c of columns) {
    const k = key(c.db, c.table_name);
    if (!columnsByTable.has(k)) columnsByTable.set(k, []);
    columnsByTable.get(k)!.push(c);
  }
  const indexesByTable = new Map<string, Map<string, IndexInfo>>();
  for (const i of indexes) {
    const k = key(i.db, i.table_name);
    if (!indexesByTable.has(k)) indexesByTable.set(k, new Map());
    const byName = indexesByTable.get(k)!;
    if (!byName.has(i.index_name)) {
      byName.set(i.index_name, { name: i.index_name, unique: Number(i.non_unique) === 0, primary: i.index_name === 'PRIMARY', columns: [] });
    }
    byName.get(i.index_name)!.columns.push(i.column_name ?? '(expression)');
  }
  const mysqlTables = tables.map((t): MysqlTable => {
    const rawColumns = columnsByTable.get(key(t.db, t.name)) ?? [];
    const tableIndexes = [...(indexesByTable.get(key(t.db, t.name))?.values() ?? [])];
    const primary = tableIndexes.find((i) => i.primary);
    const tableColumns = rawColumns.map((c): ColumnInfo => columnInfo(c, primary, jsonColumns.has(`${c.db}\u0000${c.table_name}\u0000${c.name}`)));
    const versioned = t.table_type === 'SYSTEM VERSIONED';
    return {
      database: t.db,
      name: t.name,
      engineTableType: t.engine,
      estimatedRows: toNumber(t.table_rows),
      dataBytes: toNumber(t.data_length),
      indexBytes: toNumber(t.index_length),
      columns: tableColumns,
      indexes: tableIndexes,
      foreignKeys: [...(foreignKeysByTable.get(key(t.db, t.name))?.values() ?? [])],
      comment: t.comment || null,
      dataTypes: rawColumns.map((c) => c.data_type),
      versioned,
      implicitPeriod: versioned && !rawColumns.some((c) => /^ROW (START|END)$/i.test(String(c.generation ?? ''))),
    };
  });
  return { tables: mysqlTables, objects };
}

/** One column's catalog entry: generated expressions, identity, MariaDB JSON and binary ENUM/SET as such. */
function columnInfo(c: ColumnRow, primary: IndexInfo | undefined, jsonChecked: boolean): ColumnInfo {
  const extra = String(c.extra ?? '');
  const generation = c.generation === null || c.generation === undefined ? null : String(c.generation);
  const period = generation !== null && /^ROW (START|END)$/i.test(generation);
  const generated = /\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b/i.test(extra) && !period ? (generation ?? '(expression not shown by the server)') : null;
  const json = jsonChecked && /text$/i.test(c.data_type);
  const notes: string[] = [];
  if (json) notes.push(`MariaDB JSON: ${c.column_type} with a json_valid CHECK`);
  if (period) notes.push(`system-versioning period column (${generation!.toUpperCase()})`);
  if (/^(enum|set)$/i.test(c.data_type) && c.charset === 'binary') notes.push(`${c.data_type.toUpperCase()} with the binary character set: values stored as UTF-8 text (bytes that are not UTF-8 stay a BLOB)`);
  if (c.data_type.toLowerCase() === 'float') notes.push('binary32: stored as the shortest decimal text that reads back as the same 32-bit value');
  return {
    name: c.name,
    declaredType: json ? 'json' : c.column_type,
    storage: json ? 'json' : mysqlStorageKind(c.data_type, c.column_type),
    nullable: c.nullable === 'YES',
    primaryKeyOrdinal: primary && primary.columns.includes(c.name) ? primary.columns.indexOf(c.name) + 1 : null,
    defaultValue: generated !== null || period ? null : c.default_value,
    comment: c.comment || null,
    generated: period ? `AS ${generation!.toUpperCase()}` : generated,
    identity: /\bauto_increment\b/i.test(extra) ? 'auto_increment' : null,
    note: notes.length > 0 ? notes.join('; ') : null,
  };
}

/** Version, key variables, global status and database sizes, as strings. */
export async function mysqlServerFacts(connection: MysqlConnection, databases: string[]): Promise<ServerFact[]> {
  const facts: ServerFact[] = [];
  const variables = await mysqlQuery<{ Variable_name: string; Value: string }>(
    connection,
    `SHOW GLOBAL VARIABLES WHERE Variable_name IN (?)`,
    [KEY_VARIABLES],
  );
  for (const v of variables) facts.push({ category: 'variable', name: v.Variable_name, value: v.Value });
  const status = await mysqlQuery<{ Variable_name: string; Value: string }>(connection, `SHOW GLOBAL STATUS WHERE Variable_name IN (?)`, [KEY_STATUS]);
  for (const s of status) facts.push({ category: 'status', name: s.Variable_name, value: s.Value });
  if (databases.length > 0) {
    const sizes = await mysqlQuery<{ db: string; tables: number; bytes: string | number | null; rows: string | number | null }>(
      connection,
      `SELECT TABLE_SCHEMA AS db, COUNT(*) AS tables, SUM(DATA_LENGTH + INDEX_LENGTH) AS bytes, SUM(TABLE_ROWS) AS \`rows\`
         FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (?) AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') GROUP BY TABLE_SCHEMA`,
      [databases],
    );
    for (const s of sizes) {
      facts.push({ category: 'database', name: `${s.db}.size_bytes`, value: s.bytes === null ? null : String(s.bytes) });
      facts.push({ category: 'database', name: `${s.db}.tables`, value: String(s.tables) });
      facts.push({ category: 'database', name: `${s.db}.estimated_rows`, value: s.rows === null ? null : String(s.rows) });
    }
  }
  return facts;
}
