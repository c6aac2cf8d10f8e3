// Turns SQLite values into JSON without losing a digit or a byte, and names
// result columns so none is lost.

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

/** Object keys for a result's columns: duplicate names get a numeric suffix so none is lost. */
export function uniqueKeys(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}_${n}`;
  });
}
