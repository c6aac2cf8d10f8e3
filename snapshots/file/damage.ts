// SQLite errors that mean a file's pages are damaged (a truncated or altered
// file), as opposed to a bug, a missing file or a refused statement: `verify`
// reports them as a change, every other command as one line.

/** True for an SQLite error that says the file's pages are damaged. */
export function isDamage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB|IOERR|FORMAT|RANGE)/.test(code);
}
