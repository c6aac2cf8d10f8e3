// Streams one MySQL/MariaDB table row by row into a table sink: the rows are
// never buffered whole, only in batches the sink takes at once.
import type { SqlValue, TableInfo } from '../../../shared/model/snapshot.ts';
import { quoteMysqlIdentifier } from '../../../shared/model/sql.ts';
import type { PullOptions, TablePullResult, TableSink } from '../types.ts';
import { isUtf8 } from 'node:buffer';
import type { MysqlConnection } from './connect.ts';
import { NO_LIMIT } from './session.ts';
import { bigIntegerValue, float32Text, mysqlSelectExpression } from './types.ts';

const BATCH_ROWS = 2000;
/** ...or fewer rows when they are wide (long text, JSON, blobs), so memory stays bounded. */
const BATCH_BYTES = 8 << 20;
const LONG_TYPES = /text|blob|json|geometry|char|binary/i;
const PROGRESS_EVERY_ROWS = 50_000;

/** The columns a history pull adds to a table whose period columns are implicit (MariaDB names them ROW_START / ROW_END). */
export const IMPLICIT_PERIOD_COLUMNS = ['ROW_START', 'ROW_END'] as const;

/**
 * The SELECT of one table. It always carries a LIMIT (no limit: the largest one),
 * so a server-side sql_select_limit never applies. `history`: every row version
 * of a system-versioned table (FOR SYSTEM_TIME ALL).
 */
export function mysqlSelectSql(table: TableInfo, dataTypes: string[], limit: number | null, history = false): string {
  const list = table.columns.map((c, i) => mysqlSelectExpression(c.name, dataTypes[i]!)).join(', ');
  const from = `${quoteMysqlIdentifier(table.database)}.${quoteMysqlIdentifier(table.name)}${history ? ' FOR SYSTEM_TIME ALL' : ''}`;
  return `SELECT ${list} FROM ${from} LIMIT ${limit === null ? NO_LIMIT : limit}`;
}

export function pullMysqlTable(
  connection: MysqlConnection,
  table: TableInfo,
  dataTypes: string[],
  sink: TableSink,
  options: PullOptions,
  instance: string,
  history = false,
): Promise<TablePullResult> {
  const maxRows = options.maxRows;
  const sql = mysqlSelectSql(table, dataTypes, maxRows === null ? null : maxRows + 1, history);
  // Integer columns may arrive as decimal strings beyond 2^53 (supportBigNumbers).
  const bigColumns = table.columns.flatMap((c, i) => ((c.storage === 'integer' || c.storage === 'bit') ? [i] : []));
  const floatColumns = dataTypes.flatMap((t, i) => (t?.toLowerCase() === 'float' ? [i] : []));
  // ENUM/SET with the binary character set arrive as bytes: they are text (UTF-8) like every other ENUM.
  const binaryTextColumns = table.columns.flatMap((c, i) => (c.storage === 'text' && /^(enum|set)$/i.test(dataTypes[i] ?? '') ? [i] : []));
  // Only variable-length columns can make a row large; their lengths bound a batch's bytes.
  const longColumns = dataTypes.flatMap((t, i) => (LONG_TYPES.test(t) ? [i] : []));
  let batchBytes = 0;
  const label = `${table.database}.${table.name}`;
  // Bytes off the wire for progress: the socket's counter, from where this table started.
  const socket = (connection as unknown as { stream?: { bytesRead?: number } }).stream;
  const startBytes = socket?.bytesRead ?? 0;
  return new Promise<TablePullResult>((resolve, reject) => {
    let rows = 0;
    let limited = false;
    let batch: SqlValue[][] = [];
    let settled = false;
    let pending: Promise<void> = Promise.resolve();
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      connection.removeListener('error', fail);
      reject(error);
    };
    // A streaming query has no callback, so mysql2 reports a lost connection (a dropped
    // tunnel, a killed server) on the connection, not on the query: without this the pull would wait forever.
    connection.on('error', fail);
    const onAbort = () => {
      connection.destroy();
      fail(options.signal.reason ?? new Error('pull cancelled'));
    };
    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    const flush = () => {
      if (batch.length === 0) return;
      const out = batch;
      batch = [];
      batchBytes = 0;
      const result = sink.push(out);
      if (result && typeof (result as Promise<void>).then === 'function') {
        connection.pause();
        pending = (result as Promise<void>).then(() => connection.resume(), fail);
      }
    };
    const query = connection.query({ sql, rowsAsArray: true });
    query.on('result', (row: unknown) => {
      if (settled) return;
      const values = row as SqlValue[];
      if (maxRows !== null && rows >= maxRows) {
        limited = true;
        return;
      }
      for (const i of bigColumns) {
        const v = values[i];
        if (typeof v === 'string') values[i] = bigIntegerValue(v);
      }
      for (const i of floatColumns) {
        const v = values[i];
        if (typeof v === 'string') values[i] = float32Text(v);
      }
      for (const i of binaryTextColumns) {
        const v = values[i];
        if (v instanceof Uint8Array && isUtf8(v)) values[i] = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
      }
      batch.push(values);
      rows++;
      for (const i of longColumns) {
        const v = values[i];
        if (v !== null) batchBytes += (v as string | Uint8Array).length;
      }
      if (batch.length >= BATCH_ROWS || batchBytes >= BATCH_BYTES) flush();
      if (rows % PROGRESS_EVERY_ROWS === 0) options.progress({ type: 'table-progress', instance, table: label, rows, bytes: (socket?.bytesRead ?? 0) - startBytes });
    });
    query.on('error', (error: unknown) => fail(error));
    query.on('end', () => {
      if (settled) return;
      try {
        flush();
      } catch (error) {
        return fail(error);
      }
      pending.then(() => {
        if (settled) return;
        settled = true;
        options.signal.removeEventListener('abort', onAbort);
        connection.removeListener('error', fail);
        resolve({ rows, limited });
      }, fail);
    });
  });
}
