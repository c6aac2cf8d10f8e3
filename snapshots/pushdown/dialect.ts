// The SQL a structured rule compiles to on a source server, per dialect
// (MySQL/MariaDB, PostgreSQL), with the same meaning the offline engine gives it
// over the snapshot: exact (binary) string comparison whatever the column's
// collation, the same definition of blank and of a script, and regexes written
// so both engines read them as JavaScript does.
import { HAN_RANGES, WHITE_SPACE_CODE_POINTS } from '../../shared/dq/definitions.ts';
import type { StorageKind, TableInfo } from '../../shared/model/snapshot.ts';
import { quoteMysqlIdentifier, quotePostgresIdentifier } from '../../shared/model/sql.ts';

export type DialectName = 'mysql' | 'postgres';

export class PushdownUnsupported extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PushdownUnsupported';
  }
}

export interface Dialect {
  name: DialectName;
  mariadb: boolean;
  ident(name: string): string;
  table(table: TableInfo): string;
  /** A string literal that no sql_mode or escaping setting can misread. */
  string(text: string): string;
  /** A column's value as text for exact, byte-wise comparison and regexes. */
  text(column: string): string;
  /** Rows where `condition` holds, counted (0 on an empty table). */
  countIf(condition: string): string;
  /** The first `limit` keys (each key's columns as JSON text) of the rows where `condition` holds. */
  keysIf(condition: string, keyColumns: string[], limit: number): string;
  /** Holds a match of a JavaScript regex source with flags (i, m, s). */
  regex(column: string, source: string, flags: string): string;
  /** NULL or only Unicode white space. */
  blank(column: string): string;
  /** Holds a character of Unicode script Han. */
  han(column: string): string;
  /**
   * What a duplicates check groups a column by: two values are equal here
   * exactly when the values a pull stores for them are equal in the snapshot
   * (byte-wise text, whatever the column's collation; numbers and bytes as they are).
   */
  groupKey(column: string, storage: StorageKind, declaredType: string): string;
}

function hexOf(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex').toUpperCase();
}

/** Constructs whose meaning differs between JavaScript, PCRE/ICU and PostgreSQL's regexes: refused rather than guessed. */
function checkPortableRegex(source: string): void {
  if (/\(\?[=!<]|\\[1-9kpPQE]|\\[sSwW]|\[\[:/.test(source)) {
    throw new PushdownUnsupported(`regex /${source}/ uses lookaround, back references, \\p, \\s/\\w or POSIX classes, whose meaning differs between MySQL and PostgreSQL; give the rule a query_mysql / query_postgres or run it offline`);
  }
}

/** \b (a word boundary in JavaScript and PCRE) is \y in PostgreSQL; outside brackets only. */
function postgresRegex(source: string): string {
  let out = '';
  let inBracket = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\' && i + 1 < source.length) {
      const next = source[i + 1]!;
      out += !inBracket && next === 'b' ? '\\y' : !inBracket && next === 'B' ? '\\Y' : c + next;
      i++;
      continue;
    }
    if (c === '[') inBracket = true;
    else if (c === ']') inBracket = false;
    out += c;
  }
  return out;
}

const WHITE_SPACE_CLASS_MYSQL = WHITE_SPACE_CODE_POINTS.map((c) => `\\x{${c.toString(16)}}`).join('');
const WHITE_SPACE_CLASS_POSTGRES = WHITE_SPACE_CODE_POINTS.map((c) => (c > 0xffff ? `\\U${c.toString(16).padStart(8, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`)).join('');
const HAN_CLASS_MYSQL = HAN_RANGES.map(([a, b]) => (a === b ? `\\x{${a.toString(16)}}` : `\\x{${a.toString(16)}}-\\x{${b.toString(16)}}`)).join('');
const pgChar = (c: number) => (c > 0xffff ? `\\U${c.toString(16).padStart(8, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`);
const HAN_CLASS_POSTGRES = HAN_RANGES.map(([a, b]) => (a === b ? pgChar(a) : `${pgChar(a)}-${pgChar(b)}`)).join('');

export function mysqlDialect(mariadb: boolean): Dialect {
  const string = (text: string) => (text === '' ? "''" : `_utf8mb4 X'${hexOf(text)}'`);
  const text = (column: string) => `CONVERT(${column} USING utf8mb4)`;
  // (?-i) / (?i): REGEXP otherwise follows the column's collation, which is usually case-insensitive.
  const regex = (column: string, source: string, flags: string) => {
    checkPortableRegex(source);
    const options = `(?${flags.includes('i') ? 'i' : '-i'}${flags.includes('s') ? 's' : ''}${flags.includes('m') ? 'm' : ''})`;
    return `(${text(column)} REGEXP ${string(options + source)})`;
  };
  return {
    name: 'mysql',
    mariadb,
    ident: quoteMysqlIdentifier,
    table: (t) => `${quoteMysqlIdentifier(t.database)}.${quoteMysqlIdentifier(t.name)}`,
    string,
    text,
    countIf: (condition) => `COALESCE(SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END), 0)`,
    keysIf: (condition, keyColumns, limit) => {
      const key = `JSON_ARRAY(${keyColumns.join(', ')})`;
      // MariaDB stops collecting at the limit; MySQL's list is cut by group_concat_max_len and trimmed here.
      return mariadb
        ? `GROUP_CONCAT(CASE WHEN ${condition} THEN ${key} END SEPARATOR '\\n' LIMIT ${limit})`
        : `GROUP_CONCAT(CASE WHEN ${condition} THEN ${key} END SEPARATOR '\\n')`;
    },
    regex,
    blank: (column) => `(${column} IS NULL OR ${text(column)} REGEXP ${string(`^[${WHITE_SPACE_CLASS_MYSQL}]*$`)})`,
    han: (column) => `(${text(column)} REGEXP ${string(`[${HAN_CLASS_MYSQL}]`)})`,
    // FLOAT (binary32) is stored as the shortest text of its value, one text per value (-0 included, as 0): its own equality is the same.
    groupKey: (column, storage, declaredType) => (!comparesAsText(storage) || storage === 'blob' || (storage === 'float' && /^float\b/i.test(declaredType)) ? column : `CAST(${text(column)} AS BINARY)`),
  };
}

export function postgresDialect(): Dialect {
  const string = (text: string) => {
    let tag = 'q';
    while (text.includes(`$${tag}$`)) tag += 'q';
    return `$${tag}$${text}$${tag}$`;
  };
  const text = (column: string) => `(${column})::text`;
  // Embedded options: p = "." and brackets do not match a newline (JavaScript without s), w/n = ^ and $ at lines (m).
  const options = (flags: string) => {
    const s = flags.includes('s');
    const m = flags.includes('m');
    const mode = !s && !m ? 'p' : s && !m ? '' : !s && m ? 'n' : 'w';
    return `(?${mode}${flags.includes('i') ? 'i' : 'c'})`;
  };
  return {
    name: 'postgres',
    mariadb: false,
    ident: quotePostgresIdentifier,
    table: (t) => `${quotePostgresIdentifier(t.schema ?? 'public')}.${quotePostgresIdentifier(t.name)}`,
    string,
    text,
    countIf: (condition) => `COALESCE(SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END), 0)`,
    keysIf: (condition, keyColumns, limit) =>
      `array_to_string((array_agg(json_build_array(${keyColumns.join(', ')})::text) FILTER (WHERE ${condition}))[1:${limit}], E'\\n')`,
    regex: (column, source, flags) => {
      checkPortableRegex(source);
      return `(${text(column)} ~ ${string(options(flags) + postgresRegex(source))})`;
    },
    blank: (column) => `(${column} IS NULL OR ${text(column)} ~ ${string(`^[${WHITE_SPACE_CLASS_POSTGRES}]*$`)})`,
    han: (column) => `(${text(column)} ~ ${string(`[${HAN_CLASS_POSTGRES}]`)})`,
    // Text as printed (numeric 1.5 and 1.50, interval '1 day' and '24 hours' stay apart, as in the snapshot), compared byte-wise.
    groupKey: (column, storage) => (!comparesAsText(storage) || storage === 'blob' ? column : `(${text(column)} COLLATE "C")`),
  };
}

export function dialectOf(name: DialectName, mariadb: boolean): Dialect {
  return name === 'mysql' ? mysqlDialect(mariadb) : postgresDialect();
}

/** Storage kinds whose values compare as text (exact bytes) rather than numbers. */
export function comparesAsText(storage: StorageKind): boolean {
  return storage !== 'integer' && storage !== 'boolean' && storage !== 'bit';
}
