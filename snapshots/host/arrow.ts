// Rows as Arrow: the form rows travel in to the UI (IPC stream bytes) and the
// columnar export format. Columns are built straight into Arrow buffers, which
// is an order of magnitude faster than the generic builders for text.
import {
  Binary,
  Bool,
  Field,
  Float64,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Uint64,
  Utf8,
  type Data,
  type DataType,
} from 'apache-arrow';
import type { ColumnMeta } from '../../shared/api/types.ts';
import { passArrowChunk } from '../output/arrowChunks.ts';
import type { SqlValue } from '../../shared/model/snapshot.ts';

export type ArrowKind = 'int64' | 'uint64' | 'float64' | 'bool' | 'binary' | 'utf8';

function arrowType(kind: ArrowKind): DataType {
  switch (kind) {
    case 'int64':
      return new Int64();
    case 'uint64':
      return new Uint64();
    case 'float64':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'binary':
      return new Binary();
    case 'utf8':
      return new Utf8();
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** How a value shows as text in a text column: integers in full, bytes as hex. */
export function textOf(value: SqlValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) {
    const hex = Buffer.from(value.subarray(0, 64)).toString('hex');
    return `0x${hex}${value.length > 64 ? `… (${value.length} bytes)` : ''}`;
  }
  return String(value);
}

function nullBitmap(length: number, isValid: (i: number) => boolean): { bitmap: Uint8Array | undefined; nulls: number } {
  let nulls = 0;
  let bitmap: Uint8Array | undefined;
  for (let i = 0; i < length; i++) {
    if (!isValid(i)) {
      if (!bitmap) {
        bitmap = new Uint8Array((length + 7) >> 3);
        for (let j = 0; j < i; j++) bitmap[j >> 3]! |= 1 << (j & 7);
      }
      nulls++;
    } else if (bitmap) bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { bitmap, nulls };
}

function toBigInt(value: SqlValue, unsigned: boolean): bigint | null {
  let big: bigint | null = null;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number' && Number.isInteger(value)) big = BigInt(value);
  else if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) big = BigInt(value.trim());
  if (big === null) return null;
  if (unsigned ? big < 0n || big > UINT64_MAX : big < INT64_MIN || big > INT64_MAX) return null;
  return big;
}

/** One column's values as Arrow data of the given kind; values that do not fit become null (counted). */
export function columnData(kind: ArrowKind, values: readonly SqlValue[]): { data: Data; coerced: number } {
  const n = values.length;
  let coerced = 0;
  switch (kind) {
    case 'int64':
    case 'uint64': {
      const unsigned = kind === 'uint64';
      const array = unsigned ? new BigUint64Array(n) : new BigInt64Array(n);
      const valid = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v === null) continue;
        const big = toBigInt(v, unsigned);
        if (big === null) coerced++;
        else {
          array[i] = big;
          valid[i] = 1;
        }
      }
      const { bitmap, nulls } = nullBitmap(n, (i) => valid[i] === 1);
      return { data: makeData({ type: arrowType(kind) as Int64, length: n, nullCount: nulls, nullBitmap: bitmap, data: array as BigInt64Array }), coerced };
    }
    case 'float64': {
      const array = new Float64Array(n);
      const valid = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v === null) continue;
        const num = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
        if (Number.isNaN(num) && !(typeof v === 'number')) coerced++;
        else {
          array[i] = num;
          valid[i] = 1;
        }
      }
      const { bitmap, nulls } = nullBitmap(n, (i) => valid[i] === 1);
      return { data: makeData({ type: new Float64(), length: n, nullCount: nulls, nullBitmap: bitmap, data: array }), coerced };
    }
    case 'bool': {
      const bits = new Uint8Array((n + 7) >> 3);
      const valid = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v === null) continue;
        const truth = typeof v === 'bigint' ? v !== 0n : typeof v === 'number' ? v !== 0 : typeof v === 'string' ? !['0', 'false', 'f', ''].includes(v.trim().toLowerCase()) : v.length > 0;
        if (truth) bits[i >> 3]! |= 1 << (i & 7);
        valid[i] = 1;
      }
      const { bitmap, nulls } = nullBitmap(n, (i) => valid[i] === 1);
      return { data: makeData({ type: new Bool(), length: n, nullCount: nulls, nullBitmap: bitmap, data: bits }), coerced };
    }
    case 'binary': {
      const offsets = new Int32Array(n + 1);
      const parts: Uint8Array[] = [];
      let total = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v !== null) {
          const bytes = v instanceof Uint8Array ? v : Buffer.from(textOf(v), 'utf8');
          parts.push(bytes);
          total += bytes.length;
        }
        offsets[i + 1] = total;
      }
      const data = new Uint8Array(total);
      let at = 0;
      for (const p of parts) {
        data.set(p, at);
        at += p.length;
      }
      const { bitmap, nulls } = nullBitmap(n, (i) => values[i] !== null);
      return { data: makeData({ type: new Binary(), length: n, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, data }), coerced };
    }
    case 'utf8': {
      const offsets = new Int32Array(n + 1);
      const texts: (string | null)[] = new Array(n);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        const text = v === null ? null : textOf(v);
        texts[i] = text;
        if (text !== null) total += Buffer.byteLength(text, 'utf8');
        offsets[i + 1] = total;
      }
      const buffer = Buffer.allocUnsafe(total);
      for (let i = 0; i < n; i++) {
        const text = texts[i];
        if (text) buffer.write(text, offsets[i]!, 'utf8');
      }
      const { bitmap, nulls } = nullBitmap(n, (i) => texts[i] !== null);
      return {
        data: makeData({ type: new Utf8(), length: n, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, data: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) }),
        coerced,
      };
    }
  }
}

/** The kind that holds every value of a block exactly, for the grid (each page may differ). */
export function inferKind(values: readonly SqlValue[]): ArrowKind {
  let kind: ArrowKind | null = null;
  for (const v of values) {
    if (v === null) continue;
    const k: ArrowKind = typeof v === 'bigint' ? 'int64' : typeof v === 'number' ? 'float64' : v instanceof Uint8Array ? 'binary' : 'utf8';
    if (kind === null) kind = k;
    else if (kind !== k) {
      if ((kind === 'int64' && k === 'float64') || (kind === 'float64' && k === 'int64')) kind = 'float64';
      else return 'utf8';
    }
  }
  // Integers that do not fit a double stay integers; mixed integer/real blocks stay exact as text.
  if (kind === 'float64' && values.some((v) => typeof v === 'bigint' && (v > 2n ** 53n || v < -(2n ** 53n)))) return 'utf8';
  return kind ?? 'utf8';
}

export interface ArrowColumn {
  name: string;
  kind: ArrowKind;
  metadata?: Record<string, string>;
}

/** Column names made unique (Arrow IPC needs that); the original names travel in the API response. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set(names);
  return names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n === 1) return name;
    let candidate = `${name}_${n}`;
    while (taken.has(candidate)) candidate = `${candidate}_`;
    taken.add(candidate);
    return candidate;
  });
}

function schemaOf(columns: readonly ArrowColumn[]): Schema {
  return new Schema(columns.map((c) => new Field(c.name, arrowType(c.kind), true, c.metadata ? new Map(Object.entries(c.metadata)) : null)));
}

/** A record batch of rows (row-major, as better-sqlite3's raw mode returns them). */
export function recordBatch(columns: readonly ArrowColumn[], rows: readonly SqlValue[][], schema: Schema = schemaOf(columns)): { batch: RecordBatch; coerced: number } {
  let coerced = 0;
  const children = columns.map((c, ci) => {
    const values = rows.map((r) => r[ci] ?? null);
    const built = columnData(c.kind, values);
    coerced += built.coerced;
    return built.data;
  });
  const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return { batch: new RecordBatch(schema, data), coerced };
}

/** One page for the grid: each column typed by what this page holds. */
export function pageToArrow(names: readonly string[], rows: readonly SqlValue[][]): Uint8Array {
  const unique = uniqueNames(names);
  const columns = unique.map((name, i) => ({ name, kind: inferKind(rows.map((r) => r[i] ?? null)) }));
  const { batch } = recordBatch(columns, rows);
  return tableToIPC(new Table([batch]), 'stream');
}

/** The Arrow kind a snapshot column exports as: integers stay integers, everything stored as text stays text (exact). */
export function exportKind(column: Pick<ColumnMeta, 'storage' | 'declaredType'>): ArrowKind {
  switch (column.storage) {
    case 'integer':
      return /unsigned/i.test(column.declaredType) && /bigint/i.test(column.declaredType) ? 'uint64' : 'int64';
    case 'bit':
      return 'uint64';
    case 'boolean':
      return 'bool';
    case 'blob':
      return 'binary';
    default:
      return 'utf8';
  }
}

/** The kind of a SQL result column from its declared type (when it is a table column) or its first values. */
export function resultKind(declaredType: string | null, sample: readonly SqlValue[]): ArrowKind {
  if (declaredType) {
    if (/INT/i.test(declaredType)) return 'int64';
    if (/BLOB/i.test(declaredType)) return 'binary';
    if (/REAL|FLOA|DOUB/i.test(declaredType)) return 'float64';
    return 'utf8';
  }
  return inferKind(sample);
}

/**
 * Writes an Arrow IPC stream batch by batch, handing each piece of bytes to
 * `sink` as soon as it is produced (the library's writer would queue them all).
 */
export class ArrowStreamSink {
  private readonly writer: ChunkedStreamWriter;
  private readonly schema: Schema;
  coerced = 0;

  constructor(
    readonly columns: readonly ArrowColumn[],
    sink: (bytes: Uint8Array) => void,
  ) {
    this.schema = schemaOf(columns);
    this.writer = new ChunkedStreamWriter(sink);
  }

  write(rows: readonly SqlValue[][]): void {
    if (rows.length === 0) return;
    const { batch, coerced } = recordBatch(this.columns, rows, this.schema);
    this.coerced += coerced;
    this.writer.write(batch);
  }

  /** Ends the stream (writes the schema first when there were no rows). */
  finish(): void {
    if (!(this.writer as unknown as { _started: boolean })._started) this.writer.reset(undefined, this.schema);
    this.writer.finish();
  }
}

class ChunkedStreamWriter extends RecordBatchStreamWriter {
  constructor(private readonly sink: (bytes: Uint8Array) => void) {
    super();
  }

  // The base class appends to an internal queue; here each piece goes straight to the sink.
  protected override _write(chunk: ArrayBufferView | ArrayBuffer | string): this {
    passArrowChunk(this, chunk, (bytes) => this.sink(bytes.slice()));
    return this;
  }
}
