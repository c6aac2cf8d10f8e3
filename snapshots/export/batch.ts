// Rows of a snapshot table as Arrow record batches typed by the export plan.
// Every value is converted exactly or the export stops with the table, column
// and value named: nothing becomes NULL or rounds on the way.
import { Bool, DateDay, Decimal, Field, Int64, makeData, RecordBatch, Schema, Struct, TimestampMicrosecond, Utf8, Binary, type Data, type DataType } from 'apache-arrow';
import type { SqlValue } from '../../shared/model/snapshot.ts';
import { columnData } from '../host/arrow.ts';
import type { ExportColumn } from './columns.ts';
import { dateDays, decimalUnits, integerValue, timestampMicros } from './values.ts';

/** Field metadata Arrow's canonical JSON extension type uses; Parquet readers see UTF-8 text. */
const JSON_EXTENSION = new Map([['ARROW:extension:name', 'arrow.json']]);

export class ExportValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportValueError';
  }
}

function arrowType(column: ExportColumn): DataType {
  switch (column.kind) {
    case 'int64':
      return new Int64();
    case 'decimal':
      return new Decimal(column.scale!, column.precision!, 128);
    case 'date':
      return new DateDay();
    case 'timestamp':
      return new TimestampMicrosecond('UTC');
    case 'bool':
      return new Bool();
    case 'binary':
      return new Binary();
    case 'utf8':
    case 'json':
      return new Utf8();
  }
}

export function exportSchema(columns: readonly ExportColumn[]): Schema {
  return new Schema(columns.map((c) => new Field(c.name, arrowType(c), true, c.kind === 'json' ? JSON_EXTENSION : null)));
}

/** Parses one value of a typed column; null when it is not representable (the caller decides what that means). */
export function typedValue(column: ExportColumn, value: SqlValue): bigint | number | null {
  switch (column.kind) {
    case 'decimal':
      return typeof value === 'string' ? decimalUnits(value, column.precision!, column.scale!) : (() => {
        const units = integerValue(value);
        return units === null ? null : decimalUnits(units.toString(), column.precision!, column.scale!);
      })();
    case 'date':
      return typeof value === 'string' ? dateDays(value) : null;
    case 'timestamp':
      return typeof value === 'string' ? timestampMicros(value) : null;
    default:
      return null;
  }
}

function validity(n: number, values: readonly SqlValue[]): { bitmap: Uint8Array | undefined; nulls: number } {
  let nulls = 0;
  for (const v of values) if (v === null) nulls++;
  if (nulls === 0) return { bitmap: undefined, nulls };
  const bitmap = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (values[i] !== null) bitmap[i >> 3]! |= 1 << (i & 7);
  return { bitmap, nulls };
}

const TWO_128 = 1n << 128n;

function typedData(column: ExportColumn, type: DataType, values: readonly SqlValue[], where: string): Data {
  const n = values.length;
  const { bitmap, nulls } = validity(n, values);
  const fail = (value: SqlValue) => {
    throw new ExportValueError(`${where}, column ${column.name}: value ${JSON.stringify(String(value)).slice(0, 80)} does not fit ${column.declaredType}`);
  };
  switch (column.kind) {
    case 'decimal': {
      const words = new Uint32Array(4 * n);
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v === null) continue;
        const units = typedValue(column, v);
        if (units === null) fail(v);
        let u = (units as bigint) < 0n ? TWO_128 + (units as bigint) : (units as bigint);
        for (let w = 0; w < 4; w++) {
          words[4 * i + w] = Number(u & 0xffffffffn);
          u >>= 32n;
        }
      }
      return makeData({ type: type as Decimal, length: n, nullCount: nulls, nullBitmap: bitmap, data: words });
    }
    case 'date': {
      const days = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v === null) continue;
        const day = typedValue(column, v);
        if (day === null) fail(v);
        days[i] = day as number;
      }
      return makeData({ type: type as DateDay, length: n, nullCount: nulls, nullBitmap: bitmap, data: days });
    }
    case 'timestamp': {
      const micros = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v === null) continue;
        const t = typedValue(column, v);
        if (t === null) fail(v);
        micros[i] = t as bigint;
      }
      return makeData({ type: type as TimestampMicrosecond, length: n, nullCount: nulls, nullBitmap: bitmap, data: micros });
    }
    default: {
      const kind = column.kind === 'json' ? 'utf8' : column.kind;
      const { data, coerced } = columnData(kind, values);
      if (coerced > 0) fail(values.find((v) => v !== null && (kind !== 'int64' || integerValue(v) === null)) ?? null);
      return data;
    }
  }
}

/** One record batch of rows (row-major, as better-sqlite3's raw mode returns them). */
export function exportBatch(schema: Schema, columns: readonly ExportColumn[], rows: readonly SqlValue[][], where: string): RecordBatch {
  const children = columns.map((c, ci) =>
    typedData(
      c,
      schema.fields[ci]!.type as DataType,
      rows.map((r) => r[ci] ?? null),
      where,
    ),
  );
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}
