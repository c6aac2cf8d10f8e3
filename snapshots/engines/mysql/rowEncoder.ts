// MySQL text-protocol rows straight into the snapshot's line encoding
// (file/encodedRows.ts), without a JS value per field: a row packet's values are
// length-prefixed bytes that already are the stored bytes for text, decimals,
// dates and blobs, and the digits of an integer.
//
// It must store exactly what mysql2 decodes (the options connect.ts sets:
// supportBigNumbers, dateStrings, jsonStrings, decimalNumbers off) followed by
// the pull's own conversions (pull.ts: bigIntegerValue in integer and bit
// columns, float32Text for FLOAT, UTF-8 bytes of binary ENUM/SET as text):
// each column's kind below mirrors mysql2's text parser
// (lib/parsers/text_parser.js, readCodeFor). Whatever it does not take on —
// a column type it does not know, a value that is not canonical, text that is
// not valid UTF-8 (mysql2 replaces it) — is left to mysql2: encode() returns
// false and the caller decodes that row with mysql2 instead.
import { isUtf8 } from 'node:buffer';
import type { Affinity } from '../../file/hash.ts';
import { float32Text } from './types.ts';
import { canEncode, RowEncoder, TYPE_BLOB, TYPE_INTEGER, TYPE_TEXT, writeInteger } from '../../file/encodedRows.ts';

/** mysql2's column type codes (lib/constants/types.js). */
const T = {
  DECIMAL: 0, TINY: 1, SHORT: 2, LONG: 3, TIMESTAMP: 7, LONGLONG: 8, INT24: 9, DATE: 10, TIME: 11, DATETIME: 12, YEAR: 13,
  JSON: 245, NEWDECIMAL: 246, FLOAT: 4, DOUBLE: 5, NULL: 6, GEOMETRY: 255, VECTOR: 242,
} as const;
const BINARY_CHARSET = 63;

/** How one column's values are encoded. */
const Kind = {
  /** TINY, SHORT, LONG, INT24, YEAR: always a safe integer (mysql2 parseLengthCodedIntNoBigCheck). */
  Int: 0,
  /** LONGLONG: an integer, or its text beyond 64 bits (supportBigNumbers, then bigIntegerValue). */
  BigInt: 1,
  /** DECIMAL, dates and times: ASCII text (mysql2 decodes them as "ascii"). */
  Ascii: 2,
  /** Text in a UTF-8 result character set, and JSON. */
  Utf8: 3,
  /** The binary character set: bytes. */
  Binary: 4,
  /** FLOAT, selected as the exact text of its double widening: float32Text() of it. */
  Float32: 5,
  /** ENUM/SET in the binary character set: text when the bytes are UTF-8 (else left to mysql2). */
  BinaryText: 6,
} as const;

/** The pull's conversions after mysql2's parser (pull.ts), by column index. */
export interface MysqlValueConversions {
  /** Integer and bit columns: text from mysql2 becomes BigInt (bigIntegerValue). */
  bigColumns: readonly number[];
  /** FLOAT columns: text becomes float32Text(text). */
  floatColumns: readonly number[];
  /** ENUM/SET columns: bytes that are UTF-8 become text. */
  binaryTextColumns: readonly number[];
}

/**
 * The connection options the kinds below assume (connect.ts sets them): with
 * any other, mysql2 decodes differently and the encoder is not used.
 */
export const MYSQL2_DECODING = { dateStrings: true, supportBigNumbers: true, jsonStrings: true, decimalNumbers: false } as const;

/** mysql2's connection config, as far as the decoding depends on it. */
export interface MysqlDecodingConfig {
  dateStrings?: unknown;
  supportBigNumbers?: unknown;
  bigNumberStrings?: unknown;
  jsonStrings?: unknown;
  decimalNumbers?: unknown;
  typeCast?: unknown;
}

function decodesAsAssumed(config: MysqlDecodingConfig): boolean {
  return (
    config.dateStrings === true &&
    config.supportBigNumbers === true &&
    !config.bigNumberStrings &&
    config.jsonStrings === true &&
    !config.decimalNumbers &&
    (config.typeCast === undefined || config.typeCast === true)
  );
}

/** The column definitions mysql2 hands over (ColumnDefinition), as far as the decoding depends on them. */
export interface MysqlFieldInfo {
  columnType: number;
  characterSet: number;
  encoding?: string;
  extendedFormat?: string;
}

function kindOf(field: MysqlFieldInfo): number | null {
  // MariaDB's extended metadata marks JSON, which arrives as LONGTEXT.
  if (field.extendedFormat === 'json') return field.encoding === 'utf8' ? Kind.Utf8 : null;
  switch (field.columnType) {
    case T.TINY:
    case T.SHORT:
    case T.LONG:
    case T.INT24:
    case T.YEAR:
      return Kind.Int;
    case T.LONGLONG:
      return Kind.BigInt;
    case T.DECIMAL:
    case T.NEWDECIMAL:
    case T.DATE:
    case T.DATETIME:
    case T.TIMESTAMP:
    case T.TIME:
      return Kind.Ascii;
    case T.JSON:
      return Kind.Utf8;
    case T.FLOAT:
    case T.DOUBLE:
    case T.NULL:
    case T.GEOMETRY:
    case T.VECTOR:
      return null;
    default:
      if (field.characterSet === BINARY_CHARSET) return Kind.Binary;
      return field.encoding === 'utf8' ? Kind.Utf8 : null;
  }
}

export class MysqlRowEncoder {
  readonly encoder = new RowEncoder();

  private constructor(
    private readonly kinds: Uint8Array,
    private readonly affinities: readonly Affinity[],
  ) {}

  /**
   * An encoder for a result with these columns into a table with these
   * affinities (one per column, in order), or null when some column is left to mysql2.
   */
  static create(
    fields: readonly MysqlFieldInfo[],
    affinities: readonly Affinity[],
    conversions: MysqlValueConversions,
    config: MysqlDecodingConfig,
  ): MysqlRowEncoder | null {
    if (fields.length === 0 || fields.length !== affinities.length || !decodesAsAssumed(config)) return null;
    const big = new Set(conversions.bigColumns);
    const float = new Set(conversions.floatColumns);
    const binaryText = new Set(conversions.binaryTextColumns);
    const kinds = new Uint8Array(fields.length);
    for (let c = 0; c < fields.length; c++) {
      let kind = kindOf(fields[c]!);
      if (kind === null) return null;
      const affinity = affinities[c]!;
      // The pull turns text into BigInt in integer and bit columns (bigIntegerValue), whatever the wire type:
      // only integer wire types there, and LONGLONG (mysql2 text beyond 2^53) nowhere else.
      const integerKind = kind === Kind.Int || kind === Kind.BigInt;
      if (big.has(c) ? !integerKind : kind === Kind.BigInt) return null;
      // The other conversions apply to text (FLOAT) and to bytes (binary ENUM/SET): the kinds mysql2 gives them as.
      if (float.has(c) && (kind === Kind.Ascii || kind === Kind.Utf8)) kind = Kind.Float32;
      if (binaryText.has(c) && kind === Kind.Binary) kind = Kind.BinaryText;
      const type = integerKind ? TYPE_INTEGER : kind === Kind.Binary ? TYPE_BLOB : TYPE_TEXT;
      if (!canEncode(type, affinity)) return null;
      kinds[c] = kind;
    }
    return new MysqlRowEncoder(kinds, affinities);
  }

  /**
   * Appends the row whose values are buf[start, end) (a row packet's payload).
   * Returns false, having appended nothing, when a value must be decoded by mysql2.
   */
  encode(buf: Buffer, start: number, end: number): boolean {
    const enc = this.encoder;
    const kinds = this.kinds;
    const width = kinds.length;
    enc.beginRow();
    let at = start;
    for (let c = 0; c < width; c++) {
      if (at >= end) return this.giveUp();
      const first = buf[at++]!;
      if (first === 0xfb) {
        enc.writeNull();
        continue;
      }
      let length: number;
      if (first < 0xfb) length = first;
      else if (first === 0xfc) {
        length = buf[at]! | (buf[at + 1]! << 8);
        at += 2;
      } else if (first === 0xfd) {
        length = buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16);
        at += 3;
      } else if (first === 0xfe) {
        length = buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 0x100000000;
        at += 8;
      } else return this.giveUp();
      const s = at;
      const e = at + length;
      if (e > end) return this.giveUp();
      at = e;
      switch (kinds[c]) {
        case Kind.Int:
        case Kind.BigInt:
          if (!this.integer(buf, s, e, kinds[c] === Kind.BigInt, this.affinities[c]!)) return this.giveUp();
          break;
        case Kind.Ascii:
          for (let k = s; k < e; k++) if (buf[k]! >= 0x80) return this.giveUp();
          enc.value(TYPE_TEXT, buf, s, e);
          break;
        case Kind.Utf8: {
          let high = 0;
          if (e - s <= 48) {
            enc.header(TYPE_TEXT, e - s);
            const out = enc.buf;
            let o = enc.at;
            for (let k = s; k < e; k++) {
              const b = buf[k]!;
              high |= b;
              out[o++] = b;
            }
            out[o++] = 0x2c;
            enc.at = o;
          } else {
            for (let k = s; k < e; k++) high |= buf[k]!;
            enc.value(TYPE_TEXT, buf, s, e);
          }
          if (high >= 0x80 && !isUtf8(buf.subarray(s, e))) return this.giveUp();
          break;
        }
        case Kind.Float32: {
          for (let k = s; k < e; k++) if (buf[k]! >= 0x80) return this.giveUp();
          enc.ascii(TYPE_TEXT, float32Text(buf.toString('latin1', s, e)));
          break;
        }
        case Kind.BinaryText:
          if (!isUtf8(buf.subarray(s, e))) return this.giveUp();
          enc.value(TYPE_TEXT, buf, s, e);
          break;
        default:
          enc.value(TYPE_BLOB, buf, s, e);
      }
    }
    if (at !== end) return this.giveUp();
    enc.endRow();
    return true;
  }

  private giveUp(): false {
    this.encoder.rollbackRow();
    return false;
  }

  /**
   * An integer field: what mysql2 makes of it, as canonical digits (leading
   * zeros of ZEROFILL columns dropped, no sign on zero). A LONGLONG beyond 64
   * bits is kept as mysql2's text (bigIntegerValue), which only a column
   * without INTEGER or TEXT affinity stores as it is.
   */
  private integer(buf: Buffer, s: number, e: number, big: boolean, affinity: Affinity): boolean {
    // mysql2 parses TINY..LONG and YEAR as doubles: exact up to 15 digits, which is all they have.
    if (writeInteger(this.encoder, buf, s, e, big ? 19 : 15)) return true;
    if (!big || affinity === 'INTEGER' || affinity === 'TEXT') return false;
    for (let k = buf[s] === 0x2d ? s + 1 : s; k < e; k++) if (buf[k]! < 0x30 || buf[k]! > 0x39) return false;
    if (e - s < 19) return false;
    this.encoder.value(TYPE_TEXT, buf, s, e);
    return true;
  }
}
