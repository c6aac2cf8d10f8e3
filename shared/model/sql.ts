// SQL identifier helpers shared by the engine, the CLI and the UI.

/** Quotes an SQLite identifier: always double-quoted, inner quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a MySQL identifier with backticks. */
export function quoteMysqlIdentifier(name: string): string {
  return '`' + name.replaceAll('`', '``') + '`';
}

/** Quotes a PostgreSQL identifier with double quotes. */
export function quotePostgresIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
