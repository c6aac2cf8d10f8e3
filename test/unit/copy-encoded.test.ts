// The COPY text parser's encoded mode (the PostgreSQL pull's default) stores
// exactly what its value mode stores, whatever the escapes and wherever the
// network cuts the stream, and hands to value mode what it does not take on.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { SqlValue, StorageKind } from '../../shared/model/snapshot.ts';
import { CopyFormatError, CopyTextParser } from '../../snapshots/engines/postgres/copyText.ts';
import { Decode } from '../../snapshots/engines/postgres/types.ts';
import type { EncodedRows } from '../../snapshots/file/encodedRows.ts';
import type { Affinity } from '../../snapshots/file/hash.ts';
import { sqliteColumnType } from '../../snapshots/file/schema.ts';
import { tempDir } from '../helpers/cli.ts';
import { storeTwice, type TestColumn } from '../helpers/storedTwice.ts';

const dir = tempDir('snapbench-copy-encoded-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COLUMNS: { decode: Decode; storage: StorageKind }[] = [
  { decode: Decode.Int, storage: 'integer' },
  { decode: Decode.BigInt, storage: 'integer' },
  { decode: Decode.Ascii, storage: 'decimal' },
  { decode: Decode.Utf8, storage: 'text' },
  { decode: Decode.Bool, storage: 'boolean' },
  { decode: Decode.Bytea, storage: 'blob' },
];
const TEST_COLUMNS: TestColumn[] = COLUMNS.map((c, i) => ({ name: `c${i}`, storage: c.storage }));
const AFFINITIES = COLUMNS.map((c) => sqliteColumnType(c.storage, '') as Affinity);
const KINDS = COLUMNS.map((c) => c.decode);

const ROWS = [
  '1\t9007199254740993\t12.50\tplain\tt\t\\\\x00ff',
  '-32768\t-9223372036854775808\t-0.001\t中文 😀 tab\\there nl\\nx cr\\r bs\\\\ \\b\\f\\v\tf\t\\\\x',
  '\\N\t\\N\t\\N\t\\N\t\\N\t\\N',
  '0\t9223372036854775807\tNaN\toctal \\344\\270\\255 hex \\xe4\\xb8\\xad bare \\x and \\q\tt\t\\\\xDEADbeef',
  '7\t0\t1e+300\t\\N is not null here: a\\Nb, trailing \\\tf\t\\\\x41',
  '2147483647\t42\t2024-01-01 00:00:00+00\t\tt\t\\\\x0a',
].map((r) => `${r}\n`);
const STREAM = Buffer.from(ROWS.join(''));

/** Parses `chunks` in encoded mode; returns the batches in order (encoded rows, then any values). */
function parseEncoded(chunks: Buffer[], options: { strictUtf8?: boolean; keepAtMost?: number } = {}) {
  const parser = new CopyTextParser(KINDS, { ...options, encodeFor: AFFINITIES });
  const out: (EncodedRows | SqlValue[][])[] = [];
  const drain = () => {
    const encoded = parser.takeEncoded();
    if (encoded) out.push(encoded);
    if (parser.buffered > 0) out.push(parser.take());
  };
  for (const chunk of chunks) {
    parser.push(chunk);
    drain();
  }
  parser.end();
  drain();
  return { out, parser };
}

function parseValues(chunks: Buffer[], options: { strictUtf8?: boolean; keepAtMost?: number } = {}) {
  const parser = new CopyTextParser(KINDS, options);
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return parser.take();
}

async function expectSameStored(values: SqlValue[][], encoded: (EncodedRows | SqlValue[][])[]) {
  const stored = await storeTwice(dir, TEST_COLUMNS, [values], () => encoded);
  expect(stored.problems).toEqual([]);
  expect(stored.encoded.cells).toEqual(stored.values.cells);
  expect(stored.encoded.sha256).toBe(stored.values.sha256);
  return stored;
}

describe('COPY text parser, encoded mode', () => {
  it('stores every type and escape as value mode does', async () => {
    const { out, parser } = parseEncoded([STREAM]);
    expect(parser.encoding).toBe(true);
    expect(out.every((b) => !Array.isArray(b))).toBe(true);
    const stored = await expectSameStored(parseValues([STREAM]), out);
    expect(stored.encoded.rows).toBe(ROWS.length);
  });

  it('stores the same wherever the stream is cut (every byte offset, twice)', async () => {
    const values = parseValues([STREAM]);
    const batches: (EncodedRows | SqlValue[][])[] = [];
    for (let cut = 1; cut < STREAM.length; cut++) {
      const second = Math.min(STREAM.length - 1, cut + 7);
      const { out } = parseEncoded([STREAM.subarray(0, cut), STREAM.subarray(cut, second), STREAM.subarray(second)].filter((c) => c.length > 0));
      expect(out.every((b) => !Array.isArray(b)), `cut at ${cut}`).toBe(true);
      batches.push(...out);
    }
    const all = Array.from({ length: STREAM.length - 1 }, () => values).flat();
    await expectSameStored(all, batches);
  });

  it('hands rows to value mode from the first one it does not take on, in order', async () => {
    const odd = ['1\t2\t3\tok\tt\t\\\\x00\n', '+5\t2\t3\tnot an integer PostgreSQL prints\tt\t\\\\x00\n', '3\t4\t5\tafter\tf\t\\\\x01\n'].join('');
    const { out, parser } = parseEncoded([Buffer.from(odd)]);
    expect(parser.encoding).toBe(false);
    expect(out.map((b) => (Array.isArray(b) ? `values ${b.length}` : `encoded ${b.rows}`))).toEqual(['encoded 1', 'values 2']);
    await expectSameStored(parseValues([Buffer.from(odd)]), out);
  });

  it('replaces bytes that are not UTF-8 as value mode does, and refuses them in strict mode', async () => {
    const bad = Buffer.concat([Buffer.from('1\t2\t3\tfine\tt\t\\\\x00\n'), Buffer.from('4\t5\t6\tbad '), Buffer.from([0xff, 0xfe]), Buffer.from('\tt\t\\\\x00\n')]);
    const { out } = parseEncoded([bad]);
    await expectSameStored(parseValues([bad]), out);
    expect(() => parseEncoded([bad], { strictUtf8: true })).toThrow(CopyFormatError);
    const escaped = Buffer.from('1\t2\t3\tbad \\377 byte\tt\t\\\\x00\n');
    const viaEscape = parseEncoded([escaped]);
    await expectSameStored(parseValues([escaped]), viaEscape.out);
    expect(() => parseEncoded([escaped], { strictUtf8: true })).toThrow(/escaped text value is not valid UTF-8/);
  });

  it('reports malformed rows and bytea as value mode does', () => {
    for (const bad of ['1\t2\t3\n', '1\t2\t3\t4\tt\t\\\\x00\textra\n', '1\t2\t3\t4\tt\t\\\\x0\n', '1\t2\t3\t4\tt\t\\\\xzz\n', '1\t2\t3\t4\tt\tplain\n']) {
      const encoded = (() => {
        try {
          parseEncoded([Buffer.from(bad)]);
          return null;
        } catch (error) {
          return (error as Error).message;
        }
      })();
      const values = (() => {
        try {
          parseValues([Buffer.from(bad)]);
          return null;
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(values, bad).not.toBeNull();
      expect(encoded, bad).toBe(values);
    }
  });

  it('keeps at most keepAtMost rows and counts the rest', async () => {
    const { out, parser } = parseEncoded([STREAM], { keepAtMost: 2 });
    expect(parser.rowsKept).toBe(2);
    expect(parser.rowsSeen).toBe(ROWS.length);
    await expectSameStored(parseValues([STREAM], { keepAtMost: 2 }), out);
  });
});
