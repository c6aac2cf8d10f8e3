// Streams one MySQL/MariaDB table row by row into a table sink: the rows are
// never buffered whole, only in batches the sink takes at once.
//
// When the sink takes encoded rows (the snapshot writer does), each row packet
// is encoded straight into the snapshot's line encoding (rowEncoder.ts) in
// place of mysql2's row parser; a row the encoder leaves to mysql2, and every
// row after it, goes through mysql2's parser as JS values instead.
import type { SqlValue, TableInfo } from '../../../shared/model/snapshot.ts';
import { quoteMysqlIdentifier } from '../../../shared/model/sql.ts';
import type { PullOptions, TablePullResult, TableSink } from '../types.ts';
import { isUtf8 } from 'node:buffer';
import { wireDecoding } from '../rowDecoding.ts';
import type { MysqlConnection } from './connect.ts';
import { MysqlRowEncoder, type MysqlDecodingConfig, type MysqlFieldInfo } from './rowEncoder.ts';
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
 * of a system-versioned table (FOR SYSTEM_TIME ALL). `above`: only the rows whose
 * key is above `after` (an integer literal), in key order (append-only tables).
 */
export function mysqlSelectSql(table: TableInfo, dataTypes: string[], limit: number | null, history = false, above?: { key: string; after: string }): string {
  const list = table.columns.map((c, i) => mysqlSelectExpression(c.name, dataTypes[i]!)).join(', ');
  const from = `${quoteMysqlIdentifier(table.database)}.${quoteMysqlIdentifier(table.name)}${history ? ' FOR SYSTEM_TIME ALL' : ''}`;
  const where = above ? ` WHERE ${quoteMysqlIdentifier(above.key)} > ${above.after} ORDER BY ${quoteMysqlIdentifier(above.key)}` : '';
  return `SELECT ${list} FROM ${from}${where} LIMIT ${limit === null ? NO_LIMIT : limit}`;
}

/** What mysql2's Query hands its row state: a packet with the row's payload at [offset, end). */
interface RowPacket {
  buffer: Buffer;
  offset: number;
  end: number;
  isEOF(): boolean;
}

/** The parts of mysql2's Query (commands/query.js) the row hook uses. */
interface QueryInternals {
  row: (packet: RowPacket, connection: unknown) => unknown;
  _rowParser: { next(packet: RowPacket, fields: unknown, options: unknown): unknown };
  _currentFields: unknown;
  options: unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
}

export function pullMysqlTable(
  connection: MysqlConnection,
  table: TableInfo,
  dataTypes: string[],
  sink: TableSink,
  options: PullOptions,
  instance: string,
  history = false,
  above?: { key: string; after: string },
): Promise<TablePullResult> {
  const maxRows = options.maxRows;
  const sql = mysqlSelectSql(table, dataTypes, maxRows === null ? null : maxRows + 1, history, above);
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
    let encoder: MysqlRowEncoder | null = null;
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
    const wait = (result: void | Promise<void>) => {
      if (result && typeof (result as Promise<void>).then === 'function') {
        connection.pause();
        pending = (result as Promise<void>).then(() => connection.resume(), fail);
      }
    };
    const flushEncoded = () => {
      if (encoder && encoder.encoder.rows > 0) wait(sink.pushEncoded!(encoder.encoder.take()));
    };
    const flush = () => {
      flushEncoded();
      if (batch.length === 0) return;
      const out = batch;
      batch = [];
      batchBytes = 0;
      wait(sink.push(out));
    };
    const counted = () => {
      rows++;
      if (rows % PROGRESS_EVERY_ROWS === 0) options.progress({ type: 'table-progress', instance, table: label, rows, bytes: (socket?.bytesRead ?? 0) - startBytes });
    };
    const accept = (values: SqlValue[]) => {
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
      for (const i of longColumns) {
        const v = values[i];
        if (v !== null) batchBytes += (v as string | Uint8Array).length;
      }
      if (batch.length >= BATCH_ROWS || batchBytes >= BATCH_BYTES) flush();
      counted();
    };
    const query = connection.query({ sql, rowsAsArray: true });
    if (sink.pushEncoded && sink.affinities && wireDecoding()) {
      const internals = query as unknown as QueryInternals;
      internals.on('fields', (fields: MysqlFieldInfo[]) => {
        const config = (connection as unknown as { config: MysqlDecodingConfig }).config;
        encoder = MysqlRowEncoder.create(fields, sink.affinities!, { bigColumns, floatColumns, binaryTextColumns }, config);
        if (!encoder) return;
        const libraryRow = internals.row;
        // mysql2's state machine asks the query for its row state after the column
        // definitions (`return this.row`): this one takes the rows from here on.
        const encodedRow = function (this: QueryInternals, packet: RowPacket, conn: unknown): unknown {
          if (packet.isEOF()) return libraryRow.call(this, packet, conn);
          if (settled) return encodedRow;
          if (maxRows !== null && rows >= maxRows) {
            limited = true;
            return encodedRow;
          }
          try {
            if (encoder && encoder.encode(packet.buffer, packet.offset, packet.end)) {
              const enc = encoder.encoder;
              if (enc.rows >= BATCH_ROWS || enc.bytes >= BATCH_BYTES) flushEncoded();
              counted();
            } else {
              // Left to mysql2 from here on, in order after the rows encoded so far.
              flushEncoded();
              encoder = null;
              accept(this._rowParser.next(packet, this._currentFields, this.options) as SqlValue[]);
            }
          } catch (error) {
            connection.destroy();
            fail(error);
          }
          return encodedRow;
        };
        internals.row = encodedRow;
      });
    }
    query.on('result', (row: unknown) => {
      if (settled) return;
      if (maxRows !== null && rows >= maxRows) {
        limited = true;
        return;
      }
      accept(row as SqlValue[]);
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
