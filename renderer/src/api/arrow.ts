// Arrow IPC pages → rows the grid can render. Values keep their exact form:
// 64-bit integers as bigint, text as string, bytes as Uint8Array.
import { tableFromIPC } from 'apache-arrow';

export type Cell = null | string | number | bigint | boolean | Uint8Array;

export interface DecodedPage {
  /** Column names as the page carries them (unique). */
  names: string[];
  /** The row's rowid in its table, when the page has one. */
  rowids: (bigint | number | null)[] | null;
  rows: Cell[][];
}

export function decodePage(bytes: Uint8Array): DecodedPage {
  const table = tableFromIPC(bytes);
  const names = table.schema.fields.map((f) => f.name);
  const rowidAt = names[0] === '__rowid' ? 0 : -1;
  const vectors = names.map((_, i) => table.getChildAt(i)!);
  const rows: Cell[][] = [];
  const rowids: (bigint | number | null)[] | null = rowidAt === 0 ? [] : null;
  for (let r = 0; r < table.numRows; r++) {
    const row: Cell[] = [];
    for (let c = 0; c < vectors.length; c++) {
      if (c === rowidAt) {
        rowids!.push((vectors[c]!.get(r) as bigint | null) ?? null);
        continue;
      }
      row.push((vectors[c]!.get(r) as Cell) ?? null);
    }
    rows.push(row);
  }
  return { names: rowidAt === 0 ? names.slice(1) : names, rowids, rows };
}
