// Turns SQLite values into JSON and CSV without losing a digit or a byte.
import { csvField } from '../../shared/text/csv.ts';

export type CellValue = null | number | bigint | string | Uint8Array;

/** JSON form of one value: integers beyond 2^53 as strings, bytes as {"$base64": ...}. */
export function jsonCell(value: CellValue): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Uint8Array) return { $base64: true, encoded: Buffer.from(value).toString('base64') };
  return value;
}

/**
 * CSV form of one value. With `safe`, a text cell a spreadsheet would run as a
 * formula (=, +, -, @, tab, CR first) gets a leading apostrophe (shared/text/csv.ts);
 * numbers and bytes (base64 cannot call a function) are never changed.
 */
export function csvCell(value: CellValue, safe = false): string {
  if (value === null) return '';
  if (value instanceof Uint8Array) return csvField(Buffer.from(value).toString('base64'), false);
  if (typeof value === 'number' || typeof value === 'bigint') return csvField(String(value), false);
  return csvField(value, safe);
}

/** Object keys for a result's columns: duplicate names get a numeric suffix so none is lost. */
export function uniqueKeys(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}_${n}`;
  });
}
