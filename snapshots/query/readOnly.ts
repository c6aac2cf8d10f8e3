// The one read-only SQL check, used by `snapbench query`, `dq evidence` and the
// workbench's SQL console and exports: one statement, which reads and writes
// nothing. The snapshot connection is read-only as well; this check gives the
// user a clear line before SQLite would refuse.
import type Database from 'better-sqlite3';

/** A statement refused before it ran ('refused'), or SQL that failed ('failed'). */
export class QueryRefusedError extends Error {
  constructor(
    message: string,
    readonly hint: string | null,
    readonly reason: 'refused' | 'failed',
  ) {
    super(message);
    this.name = 'QueryRefusedError';
  }
}

const WRITE_REFUSED = 'query refused: the statement would change the snapshot, which is read-only; the file was not changed';

/** Prepares one statement that only reads, or throws QueryRefusedError saying why not. */
export function prepareReadOnly(db: Database.Database, sql: string): Database.Statement {
  let statement: Database.Statement;
  try {
    statement = db.prepare(sql);
  } catch (error) {
    const message = (error as Error).message;
    if (/more than one statement/i.test(message)) throw new QueryRefusedError('give one SQL statement at a time', 'remove everything after the first ";"', 'refused');
    throw new QueryRefusedError(`SQL error: ${message}`, 'check the SQL; paste table names as their sqlName ("snapbench tables FILE" or the table tree lists them)', 'failed');
  }
  // `reader` alone lets through e.g. `INSERT ... RETURNING` and PRAGMAs that set a value; `readonly` alone lets through a no-op BEGIN.
  if (!statement.reader || !statement.readonly) throw new QueryRefusedError(WRITE_REFUSED, 'use SELECT (or WITH ... SELECT) statements', 'refused');
  return statement;
}

/** The error to raise when a prepared read-only statement fails while it runs. */
export function queryFailure(error: unknown): QueryRefusedError {
  if (error instanceof QueryRefusedError) return error;
  const message = (error as Error).message;
  if (/readonly|read-only|query_only/i.test(message)) return new QueryRefusedError(WRITE_REFUSED, null, 'refused');
  return new QueryRefusedError(`SQL error: ${message}`, null, 'failed');
}
