// MySQL/MariaDB declared types → how the snapshot stores them, and the SELECT
// expression that makes the wire value exact (mysql2 would otherwise turn
// FLOAT into a JS double, parse JSON, and decode BIT and GEOMETRY its own way).
import type { StorageKind } from '../../../shared/model/snapshot.ts';
import { quoteMysqlIdentifier } from '../../../shared/model/sql.ts';

/** `dataType` is information_schema.COLUMNS.DATA_TYPE, `columnType` its COLUMN_TYPE. */
export function mysqlStorageKind(dataType: string, columnType: string): StorageKind {
  const type = dataType.toLowerCase();
  switch (type) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int':
    case 'integer':
    case 'bigint':
    case 'year':
      return 'integer';
    case 'decimal':
    case 'numeric':
    case 'fixed':
      return 'decimal';
    case 'float':
    case 'double':
    case 'real':
    case 'double precision':
      return 'float';
    case 'bit':
      return 'bit';
    case 'json':
      return 'json';
    case 'date':
    case 'datetime':
    case 'timestamp':
    case 'time':
      return 'temporal';
    case 'binary':
    case 'varbinary':
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
    case 'geometry':
    case 'point':
    case 'linestring':
    case 'polygon':
    case 'multipoint':
    case 'multilinestring':
    case 'multipolygon':
    case 'geometrycollection':
    case 'geomcollection':
      return 'blob';
    default:
      // char, varchar, text types, enum, set, uuid (MariaDB), inet4/6 (MariaDB): text.
      void columnType;
      return 'text';
  }
}

const GEOMETRY_TYPES = new Set(['geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection', 'geomcollection']);

/** The select-list expression for one column, chosen so the value arrives exactly. */
export function mysqlSelectExpression(name: string, dataType: string): string {
  const column = quoteMysqlIdentifier(name);
  const type = dataType.toLowerCase();
  // FLOAT is binary32: + 0E0 widens it to a double exactly, which the server prints in full
  // (CAST(f AS CHAR) would print 6 significant digits); float32Text() shortens it again.
  if (type === 'float') return `CAST(${column} + 0E0 AS CHAR)`;
  if (type === 'double' || type === 'real') return `CAST(${column} AS CHAR)`;
  // BIT(n) arrives as raw bytes; +0 makes it an unsigned integer.
  if (type === 'bit') return `${column} + 0`;
  // WKB with the SRID in front, exactly as stored (mysql2 would parse it into objects).
  if (GEOMETRY_TYPES.has(type)) return `CAST(${column} AS BINARY)`;
  return column;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * mysql2 (supportBigNumbers) gives integers beyond 2^53 as strings: bind them as
 * BigInt, or keep the decimal text when they do not fit in SQLite's 64-bit integer.
 */
export function bigIntegerValue(text: string): bigint | string {
  const value = BigInt(text);
  return value > INT64_MAX || value < INT64_MIN ? text : value;
}

/**
 * A binary32 value (given as the exact decimal text of its double widening) as
 * the shortest decimal text that reads back as the same 32-bit value: `0.1`,
 * `123456790`, `3.4028235e38`, `-1.5e38`.
 */
export function float32Text(exact: string): string {
  const value = Number(exact);
  if (!Number.isFinite(value)) return exact;
  const single = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === single) return String(candidate).replace('e+', 'e');
  }
  return String(value).replace('e+', 'e');
}
