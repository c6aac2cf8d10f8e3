// Reads the catalog (information_schema) and the server facts of a MySQL/MariaDB instance.
import type { ColumnInfo, IndexInfo, ServerFact, TableInfo } from '../../../shared/model/snapshot.ts';
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

/** Every base table of the given databases, with columns, keys and size estimates. */
/** A table as introspected, with each column's DATA_TYPE to pick exact select expressions. */
export type MysqlTable = TableInfo & { dataTypes: string[] };

export async function introspectMysql(connection: MysqlConnection, databases: string[]): Promise<MysqlTable[]> {
  if (databases.length === 0) return [];
  const tables = await mysqlQuery<TableRow>(
    connection,
    `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS name, ENGINE AS engine, TABLE_TYPE AS table_type, TABLE_ROWS AS table_rows,
            DATA_LENGTH AS data_length, INDEX_LENGTH AS index_length, TABLE_COMMENT AS comment
       FROM information_schema.TABLES
      WHERE TABLE_SCHEMA IN (?) AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')
      ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    [databases],
  );
  const columns = await mysqlQuery<ColumnRow>(
    connection,
    `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS table_name, COLUMN_NAME AS name, ORDINAL_POSITION AS ordinal,
            COLUMN_TYPE AS column_type, DATA_TYPE AS data_type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS default_value,
            COLUMN_COMMENT AS comment
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN (?)
      ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
    [databases],
  );
  const indexes = await mysqlQuery<IndexRow>(
    connection,
    `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS table_name, INDEX_NAME AS index_name, NON_UNIQUE AS non_unique,
            SEQ_IN_INDEX AS seq, COLUMN_NAME AS column_name
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN (?)
      ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [databases],
  );
  const key = (db: string, table: string) => `${db}\u0000${table}`;
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
  return tables.map((t): MysqlTable => {
    const rawColumns = columnsByTable.get(key(t.db, t.name)) ?? [];
    const tableIndexes = [...(indexesByTable.get(key(t.db, t.name))?.values() ?? [])];
    const primary = tableIndexes.find((i) => i.primary);
    const tableColumns = rawColumns.map(
      (c): ColumnInfo => ({
        name: c.name,
        declaredType: c.column_type,
        storage: mysqlStorageKind(c.data_type, c.column_type),
        nullable: c.nullable === 'YES',
        primaryKeyOrdinal: primary && primary.columns.includes(c.name) ? primary.columns.indexOf(c.name) + 1 : null,
        defaultValue: c.default_value,
        comment: c.comment || null,
      }),
    );
    return {
      database: t.db,
      name: t.name,
      engineTableType: t.engine,
      estimatedRows: toNumber(t.table_rows),
      dataBytes: toNumber(t.data_length),
      indexBytes: toNumber(t.index_length),
      columns: tableColumns,
      indexes: tableIndexes,
      comment: t.comment || null,
      dataTypes: rawColumns.map((c) => c.data_type),
    };
  });
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
