// The SQL console: one read-only statement (snapshots/query/readOnly.ts), its rows as Arrow blocks.
import type Database from 'better-sqlite3';
import { ApiFailure, fail } from '../../../shared/api/errors.ts';
import { PAGE_ROWS, type ResultColumn } from '../../../shared/api/types.ts';
import type { SqlValue } from '../../../shared/model/snapshot.ts';
import { uniqueKeys } from '../../output/cells.ts';
import { prepareReadOnly, queryFailure, QueryRefusedError } from '../../query/readOnly.ts';
import { pageToArrow } from '../arrow.ts';
import { connection, throttled } from './connection.ts';
import type { JobContext, JobSpec, SqlJobResult } from './types.ts';
import { announceStatement } from '../../file/timeLimit.ts';

/** A QueryRefusedError as the API error the console shows. */
function asApiFailure(error: QueryRefusedError): never {
  fail(error.reason, error.message, error.hint);
}

/** The read-only check, raising an API error; rows come back raw with exact integers. */
export function prepareReadOnlyJob(db: Database.Database, sql: string): Database.Statement {
  try {
    return prepareReadOnly(db, sql).raw(true).safeIntegers(true);
  } catch (error) {
    if (error instanceof QueryRefusedError) asApiFailure(error);
    throw error;
  }
}

/** An error raised while a read-only statement runs, as an API error. */
export function sqlFailure(error: unknown): never {
  if (error instanceof ApiFailure) throw error;
  asApiFailure(queryFailure(error));
}

export function sqlJob(spec: Extract<JobSpec, { kind: 'sql' }>, ctx: JobContext): SqlJobResult {
  const started = performance.now();
  const db = connection(spec.path, true);
  const statement = prepareReadOnlyJob(db, spec.sql);
  const described = statement.columns();
  const names = uniqueKeys(described.map((c) => c.name));
  const columns: ResultColumn[] = described.map((c) => ({ name: c.name, declaredType: c.type ?? null }));
  const blocks: Uint8Array[] = [];
  let block: SqlValue[][] = [];
  let rows = 0;
  let limited = false;
  const report = throttled(ctx);
  try {
    announceStatement('the SQL statement');
    for (const row of statement.iterate() as IterableIterator<SqlValue[]>) {
      if (rows >= spec.maxRows) {
        limited = true;
        break;
      }
      block.push(row);
      rows++;
      if (block.length === PAGE_ROWS) {
        blocks.push(pageToArrow(names, block));
        block = [];
        report({ phase: 'reading rows', done: rows, total: null, unit: 'rows' });
      }
    }
  } catch (error) {
    sqlFailure(error);
  }
  announceStatement(null);
  if (block.length > 0 || blocks.length === 0) blocks.push(pageToArrow(names, block));
  return { columns, blocks, rows, limited, seconds: (performance.now() - started) / 1000 };
}

/** Checks a statement (syntax, tables, read-only) without running it; returns its column names. */
export function prepareJob(spec: Extract<JobSpec, { kind: 'prepare' }>): string[] {
  return prepareReadOnlyJob(connection(spec.path, true), spec.sql).columns().map((c) => c.name);
}
