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

function packColumn(rows: SqlValue[][], c: number): PackedColumn {
  let strings = 0;
  let numbers = 0;
  let nullCount = 0;
  for (const row of rows) {
    const v = row[c];
    if (v === null || v === undefined) nullCount++;
    else if (typeof v === 'string') strings++;
    else if (typeof v === 'number') numbers++;
    else return { kind: 'plain', values: rows.map((r) => r[c] ?? null) };
  }
  const nulls = nullCount > 0 ? new Uint8Array(rows.length) : null;
  if (nulls) rows.forEach((row, i) => (nulls[i] = row[c] === null || row[c] === undefined ? 1 : 0));
  if (numbers > 0 && strings === 0) {
    const values = new Float64Array(rows.length);
    rows.forEach((row, i) => (values[i] = (row[c] as number | null) ?? 0));
    return { kind: 'number', values, nulls };
  }
  if (numbers === 0) {
    const parts = rows.map((row) => (row[c] as string | null) ?? '');
    const joined = parts.join(SEPARATOR);
    if (parts.some((p) => p.includes(SEPARATOR))) {
      return { kind: 'plain', values: rows.map((r) => r[c] ?? null) };
    }
    return { kind: 'text', joined, nulls };
  }
  return { kind: 'plain', values: rows.map((r) => r[c] ?? null) };
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
