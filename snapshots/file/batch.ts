// A compact, column-wise form of a batch of rows for crossing to the writer's
// worker thread. Structured cloning row arrays costs more than decoding them;
// here a text column becomes one joined string and an integer column one
// Float64Array, which the worker splits back at native speed.
import type { SqlValue } from '../../shared/model/snapshot.ts';

/**
 * Text decoded from UTF-8 never holds a lone surrogate, so one can separate
 * values. A string that does hold one (built by hand) sends its column as a plain array.
 */
const SEPARATOR = '\uD800';

export type PackedColumn =
  | { kind: 'text'; joined: string; nulls: Uint8Array | null }
  | { kind: 'number'; values: Float64Array; nulls: Uint8Array | null }
  | { kind: 'plain'; values: SqlValue[] };

export interface PackedBatch {
  rows: number;
  columns: PackedColumn[];
}

function plainColumn(rows: SqlValue[][], c: number): PackedColumn {
  return { kind: 'plain', values: rows.map((r) => r[c] ?? null) };
}

/** One pass: text and numbers are gathered as they come; any other value sends the column plain. */
function packColumn(rows: SqlValue[][], c: number): PackedColumn {
  const n = rows.length;
  let nulls: Uint8Array | null = null;
  let texts: string[] | null = null;
  let numbers: Float64Array | null = null;
  for (let r = 0; r < n; r++) {
    const v = rows[r]![c];
    if (v === null || v === undefined) {
      (nulls ??= new Uint8Array(n))[r] = 1;
      if (texts) texts[r] = '';
    } else if (typeof v === 'string') {
      if (numbers || v.includes(SEPARATOR)) return plainColumn(rows, c);
      if (!texts) {
        texts = new Array<string>(n);
        for (let k = 0; k < r; k++) texts[k] = '';
      }
      texts[r] = v;
    } else if (typeof v === 'number') {
      if (texts) return plainColumn(rows, c);
      (numbers ??= new Float64Array(n))[r] = v;
    } else return plainColumn(rows, c);
  }
  if (numbers) return { kind: 'number', values: numbers, nulls };
  return { kind: 'text', joined: (texts ?? new Array<string>(n).fill('')).join(SEPARATOR), nulls };
}

export function packBatch(rows: SqlValue[][], width: number): { batch: PackedBatch; transfer: ArrayBuffer[] } {
  const columns: PackedColumn[] = [];
  const transfer: ArrayBuffer[] = [];
  for (let c = 0; c < width; c++) {
    const column = packColumn(rows, c);
    columns.push(column);
    if (column.kind === 'number') transfer.push(column.values.buffer as ArrayBuffer);
  }
  return { batch: { rows: rows.length, columns }, transfer };
}

export function unpackBatch(batch: PackedBatch): SqlValue[][] {
  const rows: SqlValue[][] = new Array(batch.rows);
  const width = batch.columns.length;
  for (let r = 0; r < batch.rows; r++) rows[r] = new Array(width);
  batch.columns.forEach((column, c) => {
    if (column.kind === 'plain') {
      for (let r = 0; r < batch.rows; r++) rows[r]![c] = column.values[r]!;
    } else if (column.kind === 'number') {
      const { values, nulls } = column;
      for (let r = 0; r < batch.rows; r++) rows[r]![c] = nulls && nulls[r] ? null : values[r]!;
    } else {
      const parts = batch.rows === 0 ? [] : column.joined.split(SEPARATOR);
      const { nulls } = column;
      for (let r = 0; r < batch.rows; r++) rows[r]![c] = nulls && nulls[r] ? null : parts[r]!;
    }
  });
  return rows;
}
