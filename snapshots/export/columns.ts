// How each snapshot column is typed in a Parquet / Arrow export: exact, from the
// source's declared type. DECIMAL(p,s) stays DECIMAL(p,s) up to Parquet's 38
// digits, 64-bit integers stay INT64 (unsigned BIGINT becomes DECIMAL(20,0)),
// dates and timestamps become DATE and TIMESTAMP (UTC, microseconds), JSON is
// UTF-8 text marked as JSON, bytes stay bytes, booleans stay booleans, and the
// rest is UTF-8 text, exactly as the snapshot holds it.
import type { StorageKind } from '../../shared/model/snapshot.ts';

export type ExportKind = 'int64' | 'decimal' | 'date' | 'timestamp' | 'bool' | 'binary' | 'utf8' | 'json';

/** The largest precision a Parquet / Arrow DECIMAL (128-bit) holds. */
export const MAX_DECIMAL_PRECISION = 38;

export interface ExportColumn {
  /** The column's name in the export: the source's name. */
  name: string;
  /** The column read from the snapshot table. */
  sqlColumn: string;
  declaredType: string;
  storage: StorageKind | null;
  kind: ExportKind;
  precision?: number;
  scale?: number;
  /** Why the column is not typed as its declared type suggests (kept as text). */
  note?: string;
}

export interface SourceColumn {
  name: string;
  sqlColumn: string;
  declaredType: string;
  storage: StorageKind | null;
}

const DECLARED_DECIMAL = /^\s*(?:decimal|numeric|dec|fixed)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/i;

function decimalColumn(column: SourceColumn): ExportColumn {
  const match = DECLARED_DECIMAL.exec(column.declaredType);
  if (!match) {
    return { ...column, kind: 'utf8', note: `${column.declaredType} has no fixed precision and scale: kept as the exact text` };
  }
  const precision = Number(match[1]);
  const scale = Number(match[2] ?? 0);
  if (precision > MAX_DECIMAL_PRECISION || scale > precision) {
    return { ...column, kind: 'utf8', note: `${column.declaredType} is wider than the ${MAX_DECIMAL_PRECISION} digits of a Parquet DECIMAL: kept as the exact text` };
  }
  return { ...column, kind: 'decimal', precision: Math.max(precision, 1), scale };
}

function isUnsignedBigint(declaredType: string): boolean {
  return /unsigned/i.test(declaredType) && /bigint/i.test(declaredType);
}

function temporalColumn(column: SourceColumn): ExportColumn {
  const type = column.declaredType.trim().toLowerCase();
  if (type === 'date') return { ...column, kind: 'date' };
  if (/^(datetime|timestamp)\b/.test(type)) return { ...column, kind: 'timestamp' };
  return { ...column, kind: 'utf8', note: `${column.declaredType} is not a date or a point in time: kept as text` };
}

/** The export type of one snapshot column, from its storage kind and declared type. */
export function planColumn(column: SourceColumn): ExportColumn {
  switch (column.storage) {
    case 'integer':
      return isUnsignedBigint(column.declaredType) ? { ...column, kind: 'decimal', precision: 20, scale: 0 } : { ...column, kind: 'int64' };
    case 'bit':
      // BIT(64) values reach 2^64-1.
      return /\(\s*64\s*\)/.test(column.declaredType) ? { ...column, kind: 'decimal', precision: 20, scale: 0 } : { ...column, kind: 'int64' };
    case 'decimal':
      return decimalColumn(column);
    case 'temporal':
      return temporalColumn(column);
    case 'json':
      return { ...column, kind: 'json' };
    case 'boolean':
      return { ...column, kind: 'bool' };
    case 'blob':
      return { ...column, kind: 'binary' };
    case 'float':
    case 'text':
      return { ...column, kind: 'utf8' };
    case null:
      return catalogColumn(column);
  }
}

/** A catalog table's column, typed by its SQLite declaration. */
function catalogColumn(column: SourceColumn): ExportColumn {
  const type = column.declaredType.toUpperCase();
  if (type.includes('INT')) return { ...column, kind: 'int64' };
  if (type.includes('BLOB')) return { ...column, kind: 'binary' };
  return { ...column, kind: 'utf8' };
}

/** The column kept as UTF-8 text instead, with the reason. */
export function asText(column: ExportColumn, note: string): ExportColumn {
  const { precision: _p, scale: _s, ...rest } = column;
  return { ...rest, kind: 'utf8', note };
}

/** The Parquet type named in _snapbench_export.json. */
export function exportTypeName(column: ExportColumn): string {
  switch (column.kind) {
    case 'int64':
      return 'INT64';
    case 'decimal':
      return `DECIMAL(${column.precision},${column.scale})`;
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'TIMESTAMP(MICROS,UTC)';
    case 'bool':
      return 'BOOLEAN';
    case 'binary':
      return 'BINARY';
    case 'json':
      return 'STRING(JSON)';
    case 'utf8':
      return 'STRING';
  }
}
