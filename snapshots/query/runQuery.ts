// One read-only statement's rows streamed as JSON or CSV: `snapbench query` and
// `snapbench dq evidence`.
import type Database from 'better-sqlite3';
import { jsonCell, uniqueKeys, type CellValue } from '../output/cells.ts';
import { csvRow } from '../output/csv.ts';
import { prepareReadOnly, queryFailure } from './readOnly.ts';
import { announceStatement } from '../file/timeLimit.ts';
import { queryTable } from '../output/textTables.ts';

const FLUSH_AT = 1 << 16;

/** `csvSafe`: neutralise formula cells in CSV (output/csv.ts); JSON is always exact; `table` is for a person at a terminal. */
export function runQuery(db: Database.Database, sql: string, format: 'json' | 'csv' | 'table', write: (chunk: string) => void, csvSafe = false): void {
  const statement = prepareReadOnly(db, sql);
  statement.safeIntegers(true).raw(true);
  const keys = uniqueKeys(statement.columns().map((c) => c.name));
  if (format === 'table') {
    try {
      announceStatement('the query');
      queryTable(keys, statement.iterate() as IterableIterator<CellValue[]>, (chunk) => {
        write(chunk);
        announceStatement('the query');
      });
    } catch (error) {
      throw queryFailure(error);
    }
    announceStatement(null);
    return;
  }
  let out = format === 'json' ? '[' : csvRow(keys, { safe: csvSafe });
  let first = true;
  try {
    announceStatement('the query');
    for (const row of statement.iterate() as IterableIterator<CellValue[]>) {
      if (format === 'json') {
        const object: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) object[keys[i]!] = jsonCell(row[i]!);
        out += (first ? '\n' : ',\n') + JSON.stringify(object);
      } else {
        out += csvRow(row, { safe: csvSafe });
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
    throw queryFailure(error);
  }
  announceStatement(null);
  if (format === 'json') out += first ? ']\n' : '\n]\n';
  write(out);
}
