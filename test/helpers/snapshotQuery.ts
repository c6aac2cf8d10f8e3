// Reads a snapshot file in the test process (read-only), for assertions that
// need many small queries: much faster than one `snapbench query` process each.
// The CLI path itself is covered by the tests that run `snapbench query`.
import Database from 'better-sqlite3';

export function querySnapshot<T = Record<string, unknown>>(file: string, sql: string): T[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
