// What every job shares: one read-only connection per snapshot file for the
// worker's life, view errors as API errors, throttled progress.
import type Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { fail } from '../../../shared/api/errors.ts';
import type { JobProgress } from '../../../shared/api/types.ts';
import { registerDqFunctions } from '../../dq/functions.ts';
import { openSnapshot, SnapshotFileError } from '../../file/reader.ts';
import { ViewError } from '../viewSql.ts';
import type { JobContext } from './types.ts';

const connections = new Map<string, Database.Database>();

/** The file behind a path: a pull that replaces the file (rename) gives it a new inode, and every cache keyed on it starts afresh. */
export function fileKey(path: string): string {
  try {
    return `${path}#${statSync(path).ino}`;
  } catch {
    return path;
  }
}

/** A read-only connection per snapshot file, kept for the worker's life. */
export function connection(path: string, dqFunctions = false): Database.Database {
  const key = fileKey(path);
  let db = connections.get(key);
  if (!db) {
    try {
      db = openSnapshot(path);
    } catch (error) {
      if (error instanceof SnapshotFileError) fail('not-found', error.message, error.hint);
      throw error;
    }
    connections.set(key, db);
  }
  if (dqFunctions) registerDqFunctions(db);
  return db;
}

export function withViewErrors<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ViewError) fail('bad-request', error.message, error.hint);
    throw error;
  }
}

/** Throttles progress to a few events a second. */
export function throttled(ctx: JobContext): (progress: JobProgress, force?: boolean) => void {
  let last = 0;
  return (progress, force = false) => {
    const now = Date.now();
    if (force || now - last >= 150) {
      last = now;
      ctx.progress(progress);
    }
  };
}
