// Rows as bytes in the content hash's own line encoding (hash.ts), the form in
// which an adapter hands rows to the snapshot writer when it can build them
// straight from the bytes on the wire (MySQL's text protocol, PostgreSQL's COPY
// text). The writer hashes these bytes as they are (they are the hash's input)
// and transfers the buffer to its thread, which binds the values from it: no JS
// value per field on the adapter's thread, no structured clone, no second
// representation to hash.
//
//   value = type ':' byte-length ':' bytes      n: NULL (n:0:)   i: integer, canonical digits
//                                              t: UTF-8 text    b: blob
//   row   = value ',' value ... '\n'
//
// An encoder writes a value only where the column's affinity stores exactly it
// (canEncode): text in TEXT, BLOB or untyped columns, integers in INTEGER or
// untyped ones, blobs in BLOB or untyped ones. Anything else goes as JS values.
import type { Affinity } from './hash.ts';

export interface EncodedRows {
  rows: number;
  /** The encoded rows: a view of an ArrayBuffer of their own (never a pooled Buffer's), moved to the writer's thread. */
  bytes: Uint8Array;
}

export const TYPE_NULL = 0x6e; // n
export const TYPE_INTEGER = 0x69; // i
export const TYPE_TEXT = 0x74; // t
export const TYPE_BLOB = 0x62; // b
const COLON = 0x3a;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/** Whether a value of this type (TYPE_*) in a column of this affinity is stored exactly as encoded. */
export function canEncode(type: number, affinity: Affinity): boolean {
  if (type === TYPE_NULL) return true;
  if (affinity === '') return true;
  if (affinity === 'TEXT') return type === TYPE_TEXT;
  if (affinity === 'INTEGER') return type === TYPE_INTEGER;
  return type === TYPE_TEXT || type === TYPE_BLOB; // BLOB: no conversion
}

/** A surrogate code unit that is not half of a pair. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A buffer of its own (transferable): Buffer.allocUnsafe may hand out a slice of a shared pool. */
function ownBuffer(size: number): Buffer {
  return Buffer.allocUnsafeSlow(size);
}

/**
 * Appends encoded rows to a growing buffer. Every value is followed by ',';
 * endRow() turns the row's last ',' into '\n'. A row can be rolled back (an
 * adapter that meets a value it cannot encode sends the row another way).
 */
export class RowEncoder {
  buf: Buffer;
  at = 0;
  rows = 0;
  private rowStart = 0;

  constructor(private capacity = 1 << 16) {
    this.buf = ownBuffer(capacity);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = ownBuffer(Math.max(this.buf.length * 2, this.at + n + 1024));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  beginRow(): void {
    this.rowStart = this.at;
  }

  rollbackRow(): void {
    this.at = this.rowStart;
  }

  endRow(): void {
    this.buf[this.at - 1] = NEWLINE;
    this.rows++;
  }

  writeNull(): void {
    this.reserve(5);
    const buf = this.buf;
    let at = this.at;
    buf[at++] = TYPE_NULL;
    buf[at++] = COLON;
    buf[at++] = 0x30;
    buf[at++] = COLON;
    buf[at++] = COMMA;
    this.at = at;
  }

  /** `type ':' length ':'`, with room for the value and its separator after it. */
  header(type: number, length: number): void {
    this.reserve(length + 24);
    const buf = this.buf;
    let at = this.at;
    buf[at++] = type;
    buf[at++] = COLON;
    if (length < 10) buf[at++] = 0x30 + length;
    else if (length < 100) {
      buf[at++] = 0x30 + ((length / 10) | 0);
      buf[at++] = 0x30 + (length % 10);
    } else {
      const digits = String(length);
      for (let i = 0; i < digits.length; i++) buf[at++] = digits.charCodeAt(i);
    }
    buf[at++] = COLON;
    this.at = at;
  }

  /** Copies src[start, end) after a header(), and the separator. */
  copy(src: Uint8Array, start: number, end: number): void {
    const buf = this.buf;
    let at = this.at;
    const n = end - start;
    if (n <= 48) {
      for (let i = start; i < end; i++) buf[at++] = src[i]!;
    } else {
      buf.set(src.subarray(start, end), at);
      at += n;
    }
    buf[at++] = COMMA;
    this.at = at;
  }

  /** A whole value from bytes: header, bytes, separator. */
  value(type: number, src: Uint8Array, start: number, end: number): void {
    this.header(type, end - start);
    this.copy(src, start, end);
  }

  /** A value from an ASCII string (integer digits). */
  ascii(type: number, text: string): void {
    this.header(type, text.length);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
    buf[at++] = COMMA;
    this.at = at;
  }

  /**
   * A JS string as text. Returns false, having written nothing, when it holds a
   * lone surrogate (which UTF-8 cannot carry: the value path decides what is stored).
   */
  text(value: string): boolean {
    const n = value.length;
    // ASCII (the common case): copied as it is checked, in one pass.
    const start = this.at;
    this.header(TYPE_TEXT, n);
    const buf = this.buf;
    let at = this.at;
    let i = 0;
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at++] = c;
    }
    if (i === n) {
      buf[at++] = COMMA;
      this.at = at;
      return true;
    }
    this.at = start;
    if (LONE_SURROGATE.test(value)) return false;
    const length = Buffer.byteLength(value, 'utf8');
    this.header(TYPE_TEXT, length);
    this.at += this.buf.write(value, this.at, length, 'utf8');
    this.buf[this.at++] = COMMA;
    return true;
  }

  /** A safe integer (a JS number) as digits. */
  integer(value: number): void {
    this.ascii(TYPE_INTEGER, String(value));
  }

  get bytes(): number {
    return this.at;
  }

  /** Hands out the rows encoded so far and starts a new buffer. */
  take(): EncodedRows {
    const out: EncodedRows = { rows: this.rows, bytes: this.buf.subarray(0, this.at) };
    // The next batch is about as large as this one: start there, so it rarely grows.
    this.capacity = Math.max(this.capacity, Math.min(this.at + (this.at >> 2), 16 << 20));
    this.buf = ownBuffer(this.capacity);
    this.at = 0;
    this.rows = 0;
    this.rowStart = 0;
    return out;
  }
}

/** int64 bounds as digits, to compare 19-digit values without BigInt. */
const INT64_MAX_DIGITS = '9223372036854775807';
const INT64_MIN_DIGITS = '9223372036854775808';

/**
 * Writes the integer in buf[s, e) (an optional '-', then digits) as the digits
 * SQLite stores for it: leading zeros dropped, no sign on zero. Returns false,
 * having written nothing, when it is not such an integer, has more than
 * `maxDigits` significant digits, or does not fit in 64 bits.
 */
export function writeInteger(enc: RowEncoder, buf: Uint8Array, s: number, e: number, maxDigits = 19): boolean {
  let k = s;
  const negative = buf[k] === 0x2d;
  if (negative) k++;
  if (k >= e) return false;
  for (let i = k; i < e; i++) {
    const b = buf[i]!;
    if (b < 0x30 || b > 0x39) return false;
  }
  while (k < e - 1 && buf[k] === 0x30) k++;
  const digits = e - k;
  if (digits > maxDigits || digits > 19) return false;
  if (digits === 19) {
    const bound = negative ? INT64_MIN_DIGITS : INT64_MAX_DIGITS;
    for (let i = 0; i < 19; i++) {
      const d = buf[k + i]! - bound.charCodeAt(i);
      if (d > 0) return false;
      if (d < 0) break;
    }
  }
  const sign = negative && !(digits === 1 && buf[k] === 0x30) ? 1 : 0;
  enc.header(TYPE_INTEGER, digits + sign);
  const out = enc.buf;
  let o = enc.at;
  if (sign) out[o++] = 0x2d;
  for (let i = k; i < e; i++) out[o++] = buf[i]!;
  out[o++] = COMMA;
  enc.at = o;
  return true;
}

/** Thrown by the writer's thread when encoded rows are not what their table's columns take. */
export class EncodedRowsError extends Error {
  constructor(message: string) {
    super(`malformed encoded rows: ${message}`);
    this.name = 'EncodedRowsError';
  }
}

type Bound = null | number | bigint | string | Uint8Array;

/**
 * The writer thread's side: decodes encoded rows into the values to bind, one
 * statement execution per `chunkRows` rows. Text for a TEXT column is bound as
 * its bytes under `CAST(? AS TEXT)` (the statement must say so: see
 * encodedPlaceholder), which stores the same UTF-8 text without converting it
 * to a JS string and back.
 */
export function encodedRowsDecoder(
  affinities: readonly Affinity[],
  chunkRows: number,
  runChunk: (params: Bound[]) => void,
  runOne: (params: Bound[]) => void,
): (bytes: Uint8Array, rows: number) => void {
  const width = affinities.length;
  // 0: TEXT (bytes under CAST), 1: INTEGER (number or BigInt), 2: no conversion (BLOB or untyped).
  const mode = Uint8Array.from(affinities, (a) => (a === 'TEXT' ? 0 : a === 'INTEGER' ? 1 : 2));
  const params: Bound[] = new Array(width * chunkRows);
  const one: Bound[] = new Array(width);
  return (bytes, rows) => {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const base = bytes.byteOffset;
    const ab = bytes.buffer;
    const end = buf.length;
    let at = 0;
    let p = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < width; c++) {
        if (at + 4 > end || buf[at + 1] !== COLON) throw new EncodedRowsError(`row ${r + 1}, column ${c + 1}: no value header`);
        const type = buf[at]!;
        at += 2;
        let length = 0;
        let ch = buf[at++]!;
        if (ch === COLON) throw new EncodedRowsError(`row ${r + 1}, column ${c + 1}: no length`);
        for (; ch !== COLON; ch = buf[at++]!) {
          if (ch < 0x30 || ch > 0x39 || at >= end) throw new EncodedRowsError(`row ${r + 1}, column ${c + 1}: bad length`);
          length = length * 10 + (ch - 0x30);
        }
        const start = at;
        at += length;
        if (at >= end || buf[at] !== (c === width - 1 ? NEWLINE : COMMA)) {
          throw new EncodedRowsError(`row ${r + 1}, column ${c + 1}: value not followed by its separator`);
        }
        at++;
        const m = mode[c]!;
        let value: Bound;
        if (type === TYPE_NULL) {
          if (length !== 0) throw new EncodedRowsError(`row ${r + 1}, column ${c + 1}: NULL with a length`);
          value = null;
        } else if (type === TYPE_TEXT && m !== 1) {
          value = m === 0 ? new Uint8Array(ab, base + start, length) : buf.toString('utf8', start, start + length);
        } else if (type === TYPE_INTEGER && m !== 0) {
          value = integerAt(buf, start, start + length, m === 2);
        } else if (type === TYPE_BLOB && m === 2) {
          value = new Uint8Array(ab, base + start, length);
        } else {
          throw new EncodedRowsError(`row ${r + 1}, column ${c + 1}: a '${String.fromCharCode(type)}' value in a ${affinities[c] || 'untyped'} column`);
        }
        params[p++] = value;
      }
      if (p === params.length) {
        runChunk(params);
        p = 0;
      }
    }
    if (at !== end) throw new EncodedRowsError(`${end - at} bytes after the last of ${rows} rows`);
    for (let k = 0; k < p; k += width) {
      for (let c = 0; c < width; c++) one[c] = params[k + c]!;
      runOne(one);
    }
  };
}

/** The integer written as canonical digits in buf[start, end): a number when safe (BigInt when `asBigInt`), else a BigInt. */
function integerAt(buf: Buffer, start: number, end: number, asBigInt: boolean): number | bigint {
  const negative = buf[start] === 0x2d;
  const digits = end - start - (negative ? 1 : 0);
  if (digits < 1) throw new EncodedRowsError('an integer without digits');
  if (digits > 15) return BigInt(buf.toString('latin1', start, end));
  let v = 0;
  for (let k = negative ? start + 1 : start; k < end; k++) {
    const d = buf[k]! - 0x30;
    if (d < 0 || d > 9) throw new EncodedRowsError('an integer with a non-digit');
    v = v * 10 + d;
  }
  if (negative) v = -v;
  // An untyped column stores a bound JS number as REAL: bind it as a 64-bit integer.
  return asBigInt ? BigInt(v) : v;
}

/** The placeholder for one column in the INSERT that encodedRowsDecoder's values are bound to. */
export function encodedPlaceholder(affinity: Affinity): string {
  return affinity === 'TEXT' ? 'CAST(? AS TEXT)' : '?';
}
