// `snapbench query`: one read-only statement, results streamed as JSON or CSV.
import type Database from 'better-sqlite3';
import { csvCell, jsonCell, uniqueKeys, type CellValue } from './output.ts';
import { announceStatement } from '../file/timeLimit.ts';

export class QueryRefusedError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'QueryRefusedError';
  }
}

const FLUSH_AT = 1 << 16;

export function runQuery(db: Database.Database, sql: string, format: 'json' | 'csv', write: (chunk: string) => void): void {
  let statement: Database.Statement;
  try {
    statement = db.prepare(sql);
  } catch (error) {
    const message = (error as Error).message;
    if (/more than one statement/i.test(message)) throw new QueryRefusedError('query: give one SQL statement at a time', null);
    throw new QueryRefusedError(`query failed: ${message}`, 'check the SQL; "snapbench tables FILE" lists the sqlName of every table');
  }
  if (!statement.reader) {
    throw new QueryRefusedError('query refused: the statement would change the snapshot, which is read-only; the file was not changed', 'use SELECT (or WITH ... SELECT) statements');
  }
  statement.safeIntegers(true).raw(true);
  const keys = uniqueKeys(statement.columns().map((c) => c.name));
  let out = format === 'json' ? '[' : keys.map((k) => csvCell(k)).join(',') + '\n';
  let first = true;
  try {
    announceStatement('the query');
    for (const row of statement.iterate() as IterableIterator<CellValue[]>) {
      if (format === 'json') {
        const object: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) object[keys[i]!] = jsonCell(row[i]!);
        out += (first ? '\n' : ',\n') + JSON.stringify(object);
      } else {
        out += row.map(csvCell).join(',') + '\n';
      }
      first = false;
      if (out.length > FLUSH_AT) {
        write(out);
        out = '';
        // Streaming output counts the time limit from its last chunk: a long result that keeps coming runs on.
        announceStatement('the query');
      }
    }
  } catch (error) {
    const message = (error as Error).message;
    if (/readonly|read-only|query_only/i.test(message)) {
      throw new QueryRefusedError('query refused: the statement would change the snapshot, which is read-only; the file was not changed', null);
    }
    throw new QueryRefusedError(`query failed: ${message}`, null);
  }
  announceStatement(null);
  if (format === 'json') out += first ? ']\n' : '\n]\n';
  write(out);
}
