// Streams one table's rows with COPY ... TO STDOUT (text format) and hands them
// to the snapshot writer in batches, with backpressure: while the writer's
// push() promise is pending nothing more is read from the stream, so the socket
// stops being read and the server waits (TCP flow control).
import { to as copyTo } from 'pg-copy-streams';
import { quotePostgresIdentifier } from '../../../shared/model/sql.ts';
import type { PullOptions, TablePullResult, TableSink } from '../types.ts';
import { abortError, destroyClient, type PgClient } from './connect.ts';
import { CopyTextParser } from './copyText.ts';
import { wireDecoding } from '../rowDecoding.ts';
import type { PgTable } from './introspect.ts';

/** Rows per sink.push() (a batch may run over by the rows of one network chunk). */
export const BATCH_ROWS = 2000;
/** ...or fewer rows when they are wide, so memory stays bounded whatever a row holds. */
export const BATCH_BYTES = 8 << 20;
/** A table-progress event about this often. */
export const PROGRESS_EVERY_ROWS = 50_000;

/**
 * Which rows of an append-only table: those above \`after\` in key order (the new
 * rows), or the \`last\` rows at or below \`upTo\`, largest key first (to compare
 * with the base). Keys are integer literals.
 */
export type KeyRange = { key: string; after: string } | { key: string; upTo: string; last: number };

/** The COPY statement for a table: explicit column list, `ONLY` for plain tables, LIMIT maxRows+1 to detect truncation. */
export function copyStatement(table: PgTable, maxRows: number | null, range?: KeyRange): string {
  const q = quotePostgresIdentifier;
  // money is read as its exact numeric value (its text form depends on lc_monetary).
  const columns = table.info.columns.length > 0 ? table.info.columns.map((c, i) => (table.types[i]?.baseType === 'money' ? `${q(c.name)}::numeric` : q(c.name))).join(', ') : '';
  // A partitioned root is read through the root (all its partitions), a materialized view as it is; a
  // plain table with ONLY, so an inheritance parent does not repeat its children's rows.
  const from = `${table.relkind === 'r' ? 'ONLY ' : ''}${q(table.info.schema!)}.${q(table.info.name)}`;
  let where = '';
  if (range && 'after' in range) where = ` WHERE ${q(range.key)} > ${range.after} ORDER BY ${q(range.key)}`;
  else if (range) where = ` WHERE ${q(range.key)} <= ${range.upTo} ORDER BY ${q(range.key)} DESC LIMIT ${range.last}`;
  const limit = maxRows !== null ? ` LIMIT ${maxRows + 1}` : '';
  return `COPY (SELECT ${columns} FROM ${from}${where}${limit}) TO STDOUT`;
}

export interface CopyContext {
  instance: string;
  /** Progress label, e.g. `shop.public.orders`. */
  label: string;
  /** The database stores text unchecked (SQL_ASCII): fail on bytes that are not UTF-8 rather than replace them. */
  strictUtf8: boolean;
}

export async function copyTable(
  client: PgClient,
  table: PgTable,
  sink: TableSink,
  options: Pick<PullOptions, 'maxRows' | 'signal' | 'progress'>,
  context: CopyContext,
  range?: KeyRange,
): Promise<TablePullResult> {
  const { signal, maxRows } = options;
  if (signal.aborted) throw abortError(signal);
  const encode = sink.pushEncoded && sink.affinities && wireDecoding() ? sink.affinities : undefined;
  const parser = new CopyTextParser(
    table.types.map((t) => t.decode),
    { keepAtMost: maxRows ?? Number.POSITIVE_INFINITY, strictUtf8: context.strictUtf8, encodeFor: encode },
  );
  const stream = client.query(copyTo(copyStatement(table, maxRows, range)));
  // Abort: stop reading and drop the connection (it is mid-COPY and cannot be reused).
  const onAbort = () => {
    stream.destroy();
    destroyClient(client);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let delivered = 0;
  let nextProgress = PROGRESS_EVERY_ROWS;
  let bytesDelivered = 0;
  // Encoded rows first: the parser encodes until it meets a row it leaves to values, and never goes back.
  const deliver = async () => {
    bytesDelivered = parser.bytes;
    const encoded = parser.takeEncoded();
    if (encoded) {
      delivered += encoded.rows;
      const pending = sink.pushEncoded!(encoded);
      if (pending) await pending;
    }
    if (parser.buffered > 0) {
      const rows = parser.take();
      delivered += rows.length;
      const pending = sink.push(rows);
      if (pending) await pending;
    }
  };
  const waiting = () => parser.buffered + parser.encodedRows;
  try {
    for await (const chunk of stream) {
      parser.push(chunk as Buffer);
      if (waiting() >= BATCH_ROWS || (waiting() > 0 && parser.bytes - bytesDelivered >= BATCH_BYTES)) {
        await deliver();
        if (signal.aborted) throw abortError(signal);
        if (delivered >= nextProgress) {
          options.progress({ type: 'table-progress', instance: context.instance, table: context.label, rows: delivered, bytes: parser.bytes });
          nextProgress = delivered + PROGRESS_EVERY_ROWS;
        }
      }
    }
    parser.end();
    if (waiting() > 0) await deliver();
    if (signal.aborted) throw abortError(signal);
    const limited = maxRows !== null && parser.rowsSeen > maxRows;
    return { rows: parser.rowsKept, limited };
  } catch (error) {
    if (signal.aborted) throw abortError(signal);
    // A COPY left half-read (the writer failed, or the data was malformed) leaves
    // the connection mid-protocol, and after a server error the transaction is
    // dead anyway: drop the connection rather than reuse it.
    stream.destroy();
    destroyClient(client);
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
