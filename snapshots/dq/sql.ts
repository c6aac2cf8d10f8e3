// SQL text the checks build. Literals are inlined (not bound) so that every
// evidence query can be pasted as is into `snapbench query`.
import { HAN_RANGES, WHITE_SPACE_CODE_POINTS } from '../../shared/dq/definitions.ts';
import { quoteIdentifier } from '../../shared/model/sql.ts';

export { quoteIdentifier };

export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export function sqlLiteral(value: string | number | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  return sqlString(value);
}

const WHITE_SPACE_SQL = `char(${WHITE_SPACE_CODE_POINTS.join(',')})`;

/**
 * Blank: NULL, or nothing but Unicode white space (U+3000, NBSP, ...). Written
 * as "no character outside the white-space class" (a GLOB, which stops at the
 * first other character) rather than trim(), which copies every value.
 */
export function blankSql(column: string): string {
  return `(${column} IS NULL OR NOT ${column} GLOB '*[^' || ${WHITE_SPACE_SQL} || ']*')`;
}

function globChar(codePoint: number): string {
  return String.fromCodePoint(codePoint);
}

/** Holds a Han character, as a GLOB over the script's code point ranges (runs in C, and in the stock sqlite3 CLI). */
export function hanSql(column: string): string {
  const ranges = HAN_RANGES.map(([a, b]) => (a === b ? globChar(a) : `${globChar(a)}-${globChar(b)}`)).join('');
  return `(${column} GLOB '*[${ranges}]*')`;
}

/** Holds a character of a Unicode script: GLOB for Han, the registered dq_script() for any other. */
export function scriptSql(column: string, script: string): string {
  return script === 'Han' ? hanSql(column) : `dq_script(${column}, ${sqlString(script)})`;
}

export function regexSql(column: string, source: string, flags: string): string {
  return `dq_regexp(${column}, ${sqlString(source)}, ${sqlString(flags)})`;
}

/** `instance/db/table` as a string literal, to name the table in evidence rows. */
export function tableLabelSql(name: string): string {
  return `${sqlString(name)} AS "table"`;
}

export function column(name: string): string {
  return quoteIdentifier(name);
}
