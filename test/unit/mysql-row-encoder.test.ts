// The MySQL wire encoder stores exactly what mysql2's own row parser (with the
// pull's options, then bigIntegerValue) stores, for every value it takes on,
// and leaves to mysql2 every value it cannot take on exactly. Row packets are
// built here byte by byte, so values a server rarely sends (ZEROFILL digits,
// text that is not UTF-8, a '+' sign) are covered too.
import { afterAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlValue, StorageKind } from '../../shared/model/snapshot.ts';
import { MysqlRowEncoder, MYSQL2_DECODING, type MysqlFieldInfo } from '../../snapshots/engines/mysql/rowEncoder.ts';
import { bigIntegerValue, float32Text } from '../../snapshots/engines/mysql/types.ts';
import { isUtf8 } from 'node:buffer';
import { sqliteColumnType } from '../../snapshots/file/schema.ts';
import type { Affinity } from '../../snapshots/file/hash.ts';
import type { EncodedRows } from '../../snapshots/file/encodedRows.ts';
import { tempDir } from '../helpers/cli.ts';
import { storeTwice, type TestColumn } from '../helpers/storedTwice.ts';

// mysql2's row parser and packet, reached by path (its package exports only its entry points).
const require = createRequire(import.meta.url);
const MYSQL2 = join(process.cwd(), 'node_modules', 'mysql2', 'lib');
const getTextParser = require(join(MYSQL2, 'parsers', 'text_parser.js')) as (fields: unknown[], options: unknown, config: unknown) => new (fields: unknown[]) => { next(packet: unknown, fields: unknown[], options: unknown): SqlValue[] };
const Packet = require(join(MYSQL2, 'packets', 'packet.js')) as new (id: number, buffer: Buffer, start: number, end: number) => unknown;
const charsetEncodings = require(join(MYSQL2, 'constants', 'charset_encodings.js')) as string[];

const dir = tempDir('snapbench-mysql-encoder-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = { ...MYSQL2_DECODING, timezone: 'Z', typeCast: true };
const UTF8MB4 = 224;
const BINARY = 63;
const LATIN1 = 8;

interface Column {
  type: number;
  charset: number;
  storage: StorageKind;
  declaredType: string;
}
const col = (type: number, charset: number, storage: StorageKind, declaredType: string = storage): Column => ({ type, charset, storage, declaredType });
const INT = col(3, BINARY, 'integer', 'int');
const TINY = col(1, BINARY, 'integer', 'tinyint');
const YEAR = col(13, BINARY, 'integer', 'year');
const BIGINT = col(8, BINARY, 'integer', 'bigint');
const UBIGINT = col(8, BINARY, 'integer', 'bigint unsigned');
const BIT = col(8, BINARY, 'bit', 'bit(64)');
const DECIMAL = col(246, BINARY, 'decimal', 'decimal(30,10)');
const DATETIME = col(12, BINARY, 'temporal', 'datetime');
const TIME = col(11, BINARY, 'temporal', 'time');
const JSON_COL = col(245, BINARY, 'json', 'json');
const VARCHAR = col(253, UTF8MB4, 'text', 'varchar(100)');
const BLOB = col(252, BINARY, 'blob', 'blob');
/** FLOAT as the pull selects it: CAST(f + 0E0 AS CHAR). */
const FLOAT = col(253, UTF8MB4, 'float', 'float');
/** An ENUM in the binary character set: its value arrives as bytes. */
const BINARY_ENUM = col(254, BINARY, 'text', 'enum');

function fieldsOf(columns: Column[]): MysqlFieldInfo[] {
  return columns.map((c, i) => ({
    name: `c${i}`, columnType: c.type, type: c.type, characterSet: c.charset, encoding: charsetEncodings[c.charset], flags: 0, decimals: 0, columnLength: 0, schema: 'db', table: 't',
  }));
}

/** A text-protocol row payload: each value length-coded, NULL as 0xFB. */
function payload(values: (Buffer | string | null)[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) {
    if (v === null) {
      parts.push(Buffer.from([0xfb]));
      continue;
    }
    const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    const n = bytes.length;
    if (n < 251) parts.push(Buffer.from([n]));
    else if (n < 1 << 16) parts.push(Buffer.from([0xfc, n & 0xff, n >> 8]));
    else parts.push(Buffer.from([0xfd, n & 0xff, (n >> 8) & 0xff, n >> 16]));
    parts.push(bytes);
  }
  return Buffer.concat(parts);
}

/** The pull's conversions after mysql2's parser (pull.ts), for these columns. */
function conversions(columns: Column[]) {
  const where = (test: (c: Column) => boolean) => columns.flatMap((c, i) => (test(c) ? [i] : []));
  return {
    bigColumns: where((c) => c.storage === 'integer' || c.storage === 'bit'),
    floatColumns: where((c) => c.declaredType === 'float'),
    binaryTextColumns: where((c) => c.storage === 'text' && /^(enum|set)$/.test(c.declaredType)),
  };
}

/** What the pull stores through mysql2: its parser's values, then the pull's conversions. */
function mysql2Values(columns: Column[], rows: Buffer[]): SqlValue[][] {
  const fields = fieldsOf(columns);
  const Parser = getTextParser(fields, { rowsAsArray: true }, CONFIG);
  const parser = new Parser(fields);
  return rows.map((p) => {
    const framed = Buffer.concat([Buffer.alloc(4), p]);
    const values = parser.next(new Packet(0, framed, 0, framed.length), fields, { rowsAsArray: true });
    const { bigColumns, floatColumns, binaryTextColumns } = conversions(columns);
    for (const i of bigColumns) if (typeof values[i] === 'string') values[i] = bigIntegerValue(values[i] as string);
    for (const i of floatColumns) if (typeof values[i] === 'string') values[i] = float32Text(values[i] as string);
    for (const i of binaryTextColumns) {
      const v = values[i];
      if (v instanceof Uint8Array && isUtf8(v)) values[i] = Buffer.from(v).toString('utf8');
    }
    return values;
  });
}

function encoderFor(columns: Column[]): MysqlRowEncoder | null {
  const affinities = columns.map((c) => sqliteColumnType(c.storage, c.declaredType) as Affinity);
  return MysqlRowEncoder.create(fieldsOf(columns), affinities, conversions(columns), CONFIG);
}

/** Stores the rows through mysql2 and through the encoder; returns which rows the encoder left to mysql2. */
async function compare(columns: Column[], rows: (Buffer | string | null)[][]): Promise<number[]> {
  const encoder = encoderFor(columns);
  expect(encoder).not.toBeNull();
  const payloads = rows.map(payload);
  const values = mysql2Values(columns, payloads);
  const leftToMysql2: number[] = [];
  const testColumns: TestColumn[] = columns.map((c, i) => ({ name: `c${i}`, storage: c.storage, declaredType: c.declaredType }));
  const stored = await storeTwice(dir, testColumns, [values], () => {
    const out: (EncodedRows | SqlValue[][])[] = [];
    payloads.forEach((p, r) => {
      if (encoder!.encode(p, 0, p.length)) return;
      leftToMysql2.push(r);
      if (encoder!.encoder.rows > 0) out.push(encoder!.encoder.take());
      out.push([values[r]!]);
    });
    if (encoder!.encoder.rows > 0) out.push(encoder!.encoder.take());
    return out;
  });
  expect(stored.problems).toEqual([]);
  expect(stored.encoded.cells).toEqual(stored.values.cells);
  expect(stored.encoded.sha256).toBe(stored.values.sha256);
  return leftToMysql2;
}

describe('MySQL wire encoder', () => {
  it('stores integers as mysql2 does: ZEROFILL digits, signs, YEAR, BIGINT beyond 2^53 and beyond 64 bits', async () => {
    const columns = [INT, TINY, YEAR, BIGINT, UBIGINT, BIT];
    const left = await compare(columns, [
      ['42', '-128', '2024', '9007199254740993', '18446744073709551615', '18446744073709551615'],
      ['00042', '-0', '0000', '-9223372036854775808', '9223372036854775808', '0'],
      ['0', '127', '1901', '9223372036854775807', '00000000000000000042', '682'],
      [null, null, null, null, null, null],
      ['+5', '1', '2000', '1', '1', '1'],
      ['4294967295', '0', '0', '00000000000000009007199254740993', '0', '0'],
    ]);
    // '+5' is what mysql2 parses and the encoder does not.
    expect(left).toEqual([4]);
  });

  it('stores decimals, dates, JSON, utf8mb4 text and bytes as they came, long values too', async () => {
    const long = '行'.repeat(30_000);
    const columns = [DECIMAL, DATETIME, TIME, JSON_COL, VARCHAR, BLOB];
    const left = await compare(columns, [
      ['12345678901234567890.0123456789', '0000-00-00 00:00:00', '-838:59:59', '{"a": [1, 2.50, "中"]}', 'café 中文 😀', Buffer.from([0, 255, 0])],
      ['-0.0000000001', '2024-02-29 23:59:59', '00:00:00', '[]', '', Buffer.alloc(0)],
      [null, null, null, null, 'a\u0000b', null],
      ['0.10', '1970-01-01 00:00:01', '12:00:00', '"x"', '\uFEFFbom', Buffer.alloc(70_000, 7)],
      ['1', '2024-01-01 00:00:00', '01:02:03', `"${long}"`, long, Buffer.from('text bytes')],
    ]);
    expect(left).toEqual([]);
  });

  it('leaves text that is not UTF-8 to mysql2 (which replaces it), and everything after it', async () => {
    const columns = [INT, VARCHAR];
    const left = await compare(columns, [
      ['1', 'fine'],
      ['2', Buffer.from([0x66, 0xff, 0xfe])],
      ['3', Buffer.from([0xe4, 0xb8])],
      ['4', Buffer.from([0xed, 0xa0, 0x80])],
      ['5', 'fine again'],
    ]);
    expect(left).toEqual([1, 2, 3]);
  });

  it('stores FLOAT as float32Text of its widened text, and binary ENUM bytes as text when they are UTF-8', async () => {
    const columns = [FLOAT, BINARY_ENUM];
    const left = await compare(columns, [
      ['0.10000000149011612', 'b c'],
      ['123456792', '中'],
      ['3.4028234663852886e38', ''],
      ['-1.5e38', Buffer.from([0xff])],
      ['0', 'after'],
    ]);
    expect(left).toEqual([3]);
  });

  it('leaves a non-ASCII byte in a date or decimal, and malformed packets, to mysql2', () => {
    const encoder = encoderFor([DATETIME, INT])!;
    const latin = payload([Buffer.from([0x32, 0xe9]), '1']);
    expect(encoder.encode(latin, 0, latin.length)).toBe(false);
    const row = payload(['2024-01-01', '1']);
    expect(encoder.encode(row, 0, row.length - 1)).toBe(false); // cut short
    expect(encoder.encode(Buffer.concat([row, Buffer.from([1])]), 0, row.length + 1)).toBe(false); // a byte too many
    expect(encoder.encoder.rows).toBe(0);
    expect(encoder.encoder.bytes).toBe(0);
    expect(encoder.encode(row, 0, row.length)).toBe(true);
  });

  it('is not used for columns mysql2 decodes some other way, or under other connection options', () => {
    const big = { bigColumns: [], floatColumns: [], binaryTextColumns: [] };
    const affinities: Affinity[] = ['TEXT'];
    expect(MysqlRowEncoder.create(fieldsOf([col(253, LATIN1, 'text')]), affinities, big, CONFIG)).toBeNull();
    expect(MysqlRowEncoder.create(fieldsOf([col(4, BINARY, 'float')]), affinities, big, CONFIG)).toBeNull();
    expect(MysqlRowEncoder.create(fieldsOf([col(255, BINARY, 'blob')]), ['BLOB'], big, CONFIG)).toBeNull();
    expect(MysqlRowEncoder.create(fieldsOf([VARCHAR]), affinities, big, { ...CONFIG, dateStrings: false })).toBeNull();
    expect(MysqlRowEncoder.create(fieldsOf([VARCHAR]), affinities, big, { ...CONFIG, typeCast: () => null })).toBeNull();
    expect(MysqlRowEncoder.create(fieldsOf([VARCHAR]), affinities, big, { ...CONFIG, bigNumberStrings: true })).toBeNull();
    // A decimal arriving in an integer column would be turned into BigInt by the pull: not the encoder's to store.
    expect(MysqlRowEncoder.create(fieldsOf([col(246, BINARY, 'integer')]), ['INTEGER'], { ...big, bigColumns: [0] }, CONFIG)).toBeNull();
    // Bytes in a TEXT column that are not binary ENUM/SET would be stored as a blob: mysql2's to store.
    expect(MysqlRowEncoder.create(fieldsOf([BLOB]), affinities, big, CONFIG)).toBeNull();
    expect(MysqlRowEncoder.create(fieldsOf([VARCHAR]), affinities, big, CONFIG)).not.toBeNull();
  });
});
