// Turns SQLite values into JSON and CSV without losing a digit or a byte.

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

export function csvCell(value: CellValue): string {
  if (value === null) return '';
  let text: string;
  if (value instanceof Uint8Array) text = Buffer.from(value).toString('base64');
  else text = String(value);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
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
