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
 * CHECKSUM TABLE of every table (one statement per database) and each table's
 * UPDATE_TIME, keyed by the table. Run once, before the tables are read, inside
 * the pull's snapshot transaction.
 */
export async function mysqlChangeProofs(connection: MysqlConnection, tables: TableInfo[]): Promise<Map<TableInfo, ChangeProof>> {
  const proofs = new Map<TableInfo, ChangeProof>();
  const byDatabase = new Map<string, TableInfo[]>();
  for (const t of tables) byDatabase.set(t.database, [...(byDatabase.get(t.database) ?? []), t]);
  for (const [database, own] of byDatabase) {
    const updated = await mysqlQuery<{ name: string; updated: unknown }>(
      connection,
      'SELECT TABLE_NAME AS name, UPDATE_TIME AS updated FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
      [database],
    );
    const updateTimes = new Map(updated.map((r) => [r.name, text(r.updated)]));
    const byName = new Map<string, string | null>();
    try {
      for (const r of await mysqlQuery<{ Table: string; Checksum: unknown }>(connection, `CHECKSUM TABLE ${own.map(qualified).join(', ')}`)) byName.set(r.Table, text(r.Checksum));
    } catch {
      // One table the statement cannot read (a column-level grant, a table rebuilt since the snapshot began)
      // fails it for all: ask table by table, and a table without a checksum is simply read again next time.
      for (const t of own) {
        const [r] = await mysqlQuery<{ Table: string; Checksum: unknown }>(connection, `CHECKSUM TABLE ${qualified(t)}`).catch(() => [] as { Table: string; Checksum: unknown }[]);
        if (r) byName.set(r.Table, text(r.Checksum));
      }
    }
    for (const t of own) {
      proofs.set(t, { engine: 'mysql', checksum: byName.get(`${t.database}.${t.name}`) ?? null, updateTime: updateTimes.get(t.name) ?? null });
    }
  }
  return proofs;
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
