// What proves a MySQL/MariaDB table unchanged between two pulls, and how an
// append-only table is read above its old largest key. CHECKSUM TABLE runs in
// the pull's consistent snapshot (InnoDB reads it like a SELECT, without a
// commit); UPDATE_TIME is kept only as a hint. Nothing here writes.
import type { SqlValue, TableInfo } from '../../../shared/model/snapshot.ts';
import { quoteMysqlIdentifier } from '../../../shared/model/sql.ts';
import { APPEND_CHECK_ROWS, lastRowsDiffer, type TableReader } from '../../pull/incremental.ts';
import type { AppendState, BaseTable, ChangeProof, InstanceBase, PullOptions } from '../types.ts';
import { mysqlQuery, type MysqlConnection } from './connect.ts';
import type { MysqlTable } from './introspect.ts';
import { pullMysqlTable } from './pull.ts';
import { bigIntegerValue, mysqlSelectExpression } from './types.ts';

function qualified(table: TableInfo): string {
  return `${quoteMysqlIdentifier(table.database)}.${quoteMysqlIdentifier(table.name)}`;
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value);
}

/**
 * Each table's UPDATE_TIME (a hint only), read once per database before the
 * tables are read: information_schema takes no lock a schema change would wait for.
 */
export async function mysqlUpdateTimes(connection: MysqlConnection, tables: TableInfo[]): Promise<Map<TableInfo, string | null>> {
  const times = new Map<TableInfo, string | null>();
  for (const database of new Set(tables.map((t) => t.database))) {
    const rows = await mysqlQuery<{ name: string; updated: unknown }>(connection, 'SELECT TABLE_NAME AS name, UPDATE_TIME AS updated FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [database]);
    const byName = new Map(rows.map((r) => [r.name, text(r.updated)]));
    for (const t of tables) if (t.database === database) times.set(t, byName.get(t.name) ?? null);
  }
  return times;
}

/**
 * The table's proof: CHECKSUM TABLE, run in the pull's snapshot just before the
 * table is read (so its metadata lock is taken when reading would take it, never
 * earlier: a schema change on a table not read yet does not wait for the pull).
 * No checksum (the table was rebuilt or dropped since the snapshot began, or the
 * account may read only some columns): the table is simply read again next time.
 */
export async function mysqlChangeProof(connection: MysqlConnection, table: TableInfo, updateTime: string | null): Promise<ChangeProof> {
  const [row] = await mysqlQuery<{ Table: string; Checksum: unknown }>(connection, `CHECKSUM TABLE ${qualified(table)}`).catch(() => [] as { Table: string; Checksum: unknown }[]);
  return { engine: 'mysql', checksum: text(row?.Checksum), updateTime };
}

/** A 64-bit checksum of the rows the server computes itself: XOR of the first half of each row's MD5 over every column's bytes. */
function rowsChecksumSql(table: TableInfo): string {
  const columns = table.columns.map((c) => `IFNULL(HEX(CAST(${quoteMysqlIdentifier(c.name)} AS BINARY)), '-')`);
  const row = columns.length > 0 ? `CONCAT_WS(',', ${columns.join(', ')})` : `''`;
  return `BIT_XOR(CAST(CONV(SUBSTRING(MD5(${row}), 1, 16), 16, 10) AS UNSIGNED))`;
}

function integerLiteral(value: string): string {
  if (!/^-?\d+$/.test(value)) throw new Error(`append_only: key value ${value} is not an integer`);
  return value;
}

function rowsAsArray(connection: MysqlConnection, sql: string): Promise<SqlValue[][]> {
  return new Promise((resolve, reject) => {
    connection.query({ sql, rowsAsArray: true }, (error, rows) => (error ? reject(error) : resolve(rows as SqlValue[][])));
  });
}

/** How the pull reads, proves and appends one MySQL table. */
export function mysqlTableReader(connection: MysqlConnection, table: MysqlTable, proof: ChangeProof | null, options: PullOptions, instance: string, base: InstanceBase | undefined): TableReader {
  const from = qualified(table);
  const bigColumns = table.columns.flatMap((c, i) => (c.storage === 'integer' || c.storage === 'bit' ? [i] : []));
  return {
    label: `${table.database}.${table.name}`,
    proof,
    read: (sink, above) => pullMysqlTable(connection, table, table.dataTypes, sink, options, instance, false, above ? { key: above.key, after: integerLiteral(above.value) } : undefined),
    async checkAppend(old: BaseTable, state: AppendState, key: string): Promise<string | null> {
      const k = quoteMysqlIdentifier(key);
      const max = integerLiteral(state.maxKey!);
      const [range] = await mysqlQuery<{ n: unknown; c: unknown }>(connection, `SELECT COUNT(*) AS n, ${rowsChecksumSql(table)} AS c FROM ${from} WHERE ${k} <= ${max}`);
      if (Number(range?.n) !== state.rows) return `the rows at or below ${key} ${max} are ${String(range?.n)} now, ${state.rows} in the base (rows were deleted or inserted below the old end)`;
      if (state.rangeChecksum !== undefined && state.rangeChecksum !== null && text(range?.c) !== state.rangeChecksum) {
        return `the rows at or below ${key} ${max} changed since the base (their checksum differs: old rows were updated)`;
      }
      if (!base) return null;
      const list = table.columns.map((c, i) => mysqlSelectExpression(c.name, table.dataTypes[i]!)).join(', ');
      const server = await rowsAsArray(connection, `SELECT ${list} FROM ${from} WHERE ${k} <= ${max} ORDER BY ${k} DESC LIMIT ${APPEND_CHECK_ROWS}`);
      for (const row of server) for (const i of bigColumns) if (typeof row[i] === 'string') row[i] = bigIntegerValue(row[i] as string);
      const why = lastRowsDiffer(server, base.lastRows(old, key, APPEND_CHECK_ROWS), table.columns);
      return why ? `OLD's last rows no longer match the server's: ${why}` : null;
    },
    async appendState(key: string): Promise<AppendState> {
      const [all] = await mysqlQuery<{ m: unknown; n: unknown; c: unknown }>(connection, `SELECT MAX(${quoteMysqlIdentifier(key)}) AS m, COUNT(*) AS n, ${rowsChecksumSql(table)} AS c FROM ${from}`);
      return { key, maxKey: text(all?.m), rows: Number(all?.n ?? 0), rangeChecksum: text(all?.c) };
    },
  };
}
