// Rows handed to the writer already encoded (the MySQL and PostgreSQL wire
// decoders' path) are stored byte for byte as the same rows given as JS values,
// and their content hash is the one `verify` recomputes with SQL.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rmSync } from 'node:fs';
import type { SqlValue } from '../../shared/model/snapshot.ts';
import { encodedRowsDecoder, EncodedRowsError, RowEncoder, TYPE_TEXT, writeInteger } from '../../snapshots/file/encodedRows.ts';
import { tempDir } from '../helpers/cli.ts';
import { encodeForTest, storeTwice, type TestColumn } from '../helpers/storedTwice.ts';

const dir = tempDir('snapbench-encoded-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One column of each affinity: TEXT, INTEGER, BLOB, and untyped (BIT / unsigned BIGINT).
const COLUMNS: TestColumn[] = [
  { name: 'text', storage: 'text' },
  { name: 'int', storage: 'integer' },
  { name: 'blob', storage: 'blob' },
  { name: 'untyped', storage: 'bit' },
];

/** No lone surrogate (text decoded from UTF-8 never has one). */
const wellFormed = (s: string) => !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const integer = fc.bigInt(INT64_MIN, INT64_MAX).map((v) => (v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v));
const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }).filter(wellFormed), fc.constantFrom('', '\u0000', 'a\u0000b', '\uFEFFbom', '😀', '中文'));
const bytes = fc.uint8Array({ maxLength: 80 });
const row = fc.tuple(
  fc.option(text, { nil: null }),
  fc.option(integer, { nil: null }),
  fc.option(fc.oneof(bytes, text), { nil: null }),
  fc.option(fc.oneof(text, integer, bytes), { nil: null }),
);

describe('encoded rows', () => {
  it('store the same bytes and hash as the same rows given as values, for any values their columns take', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 60 }), async (generated) => {
        const rows = generated.map((r) => [...r] as SqlValue[]);
        const cut = Math.floor(rows.length / 2);
        const stored = await storeTwice(dir, COLUMNS, [rows], () => [encodeForTest(rows.slice(0, cut)), encodeForTest(rows.slice(cut))].filter((b) => b.rows > 0));
        expect(stored.problems).toEqual([]);
        expect(stored.encoded.cells).toEqual(stored.values.cells);
        expect(stored.encoded.sha256).toBe(stored.values.sha256);
        expect(stored.encoded.rows).toBe(rows.length);
      }),
      { numRuns: 25 },
    );
  });

  it('keep an empty string apart from NULL, NUL bytes, 4-byte characters, empty blobs and the int64 limits', async () => {
    const rows: SqlValue[][] = [
      ['', 0, new Uint8Array(0), ''],
      [null, null, null, null],
      ['a\u0000b😀', INT64_MIN, Buffer.from([0, 255]), INT64_MAX],
      ['\uFEFF', -1, 'text in a blob column', 42],
    ];
    const stored = await storeTwice(dir, COLUMNS, [rows], () => [encodeForTest(rows)]);
    expect(stored.problems).toEqual([]);
    expect(stored.encoded.cells).toEqual(stored.values.cells);
    expect(stored.encoded.cells[0]).toEqual(['text:', 'integer:30', 'blob:', 'text:']);
    expect(stored.encoded.cells[1]).toEqual(['null:', 'null:', 'null:', 'null:']);
    expect(stored.encoded.sha256).toBe(stored.values.sha256);
  });

  it('mix with rows given as values, in order', async () => {
    const rows: SqlValue[][] = Array.from({ length: 9 }, (_, i) => [`r${i}`, i, null, i % 2 ? `odd ${i}` : BigInt(i)]);
    const stored = await storeTwice(dir, COLUMNS, [rows], () => [encodeForTest(rows.slice(0, 3)), rows.slice(3, 5), encodeForTest(rows.slice(5))]);
    expect(stored.problems).toEqual([]);
    expect(stored.encoded.cells).toEqual(stored.values.cells);
    expect(stored.encoded.sha256).toBe(stored.values.sha256);
  });

  it('are refused when a value is not what its column stores exactly, or the bytes are cut', () => {
    const decode = (affinities: ('TEXT' | 'INTEGER' | 'BLOB' | '')[], text: string, rows = 1) =>
      encodedRowsDecoder(affinities, 4, () => {}, () => {})(Buffer.from(text), rows);
    expect(() => decode(['TEXT'], 'i:1:5\n')).toThrow(EncodedRowsError);
    expect(() => decode(['INTEGER'], 't:1:5\n')).toThrow(EncodedRowsError);
    expect(() => decode(['TEXT'], 'b:1:x\n')).toThrow(EncodedRowsError);
    expect(() => decode(['TEXT'], 't:3:ab\n')).toThrow(EncodedRowsError);
    expect(() => decode(['TEXT', 'TEXT'], 't:1:a\n')).toThrow(EncodedRowsError);
    expect(() => decode(['TEXT'], 't:1:a\nt:1:b\n', 1)).toThrow(EncodedRowsError);
    expect(() => decode(['TEXT'], 'n:1:x\n')).toThrow(EncodedRowsError);
    expect(() => decode(['INTEGER'], 'i:2:1x\n')).toThrow(EncodedRowsError);
    expect(() => decode(['TEXT', 'INTEGER', 'BLOB', ''], 't:0:,n:0:,b:0:,i:2:-1\n')).not.toThrow();
  });

  it('write integers canonically and refuse what is not a 64-bit integer', () => {
    const written = (text: string, maxDigits?: number) => {
      const enc = new RowEncoder(16);
      const buf = Buffer.from(text);
      if (!writeInteger(enc, buf, 0, buf.length, maxDigits)) return null;
      return enc.buf.toString('latin1', 0, enc.at);
    };
    expect(written('0042')).toBe('i:2:42,');
    expect(written('-000')).toBe('i:1:0,');
    expect(written('-9223372036854775808')).toBe('i:20:-9223372036854775808,');
    expect(written('9223372036854775807')).toBe('i:19:9223372036854775807,');
    expect(written('9223372036854775808')).toBeNull();
    expect(written('-9223372036854775809')).toBeNull();
    expect(written('00000000000000000000000001')).toBe('i:1:1,');
    expect(written('1234567890123456', 15)).toBeNull();
    for (const bad of ['', '-', '+1', '1.0', ' 1', '1e3', '٣']) expect(written(bad), bad).toBeNull();
  });

  it('grow the buffer for long values and start each batch in a buffer of its own', () => {
    const enc = new RowEncoder(8);
    const long = Buffer.alloc(100_000, 0x61);
    enc.beginRow();
    enc.value(TYPE_TEXT, long, 0, long.length);
    enc.endRow();
    const first = enc.take();
    expect(first.rows).toBe(1);
    expect(first.bytes.length).toBe('t:100000:'.length + 100_000 + 1);
    expect(Buffer.from(first.bytes).subarray(-2).toString()).toBe('a\n');
    enc.beginRow();
    enc.writeNull();
    enc.endRow();
    const second = enc.take();
    expect(second.bytes.buffer).not.toBe(first.bytes.buffer);
    expect(Buffer.from(second.bytes).toString()).toBe('n:0:\n');
  });
});
