// A streaming parser for PostgreSQL's COPY ... TO STDOUT text format, working on
// raw Buffers as they come off the socket.
//
// Format (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format"):
// one row per line ending in \n (0x0A), fields separated by \t (0x09), NULL as
// `\N`, and inside a field the backslash escapes \b \f \n \r \t \v \\, \ooo
// (1-3 octal digits), \xHH (1-2 hex digits); a backslash before any other
// character stands for that character. Since data tabs/newlines are always
// escaped, a raw 0x09/0x0A byte is always a delimiter, so rows and fields are
// found with one byte loop and no lookahead; only fields that contained a
// backslash need the (slower) unescaping pass.
//
// Rows may span chunk boundaries: the incomplete tail of a chunk is kept (as a
// list of pieces, joined once the row's newline arrives, so a huge field that
// arrives in many chunks is copied once, not once per chunk).
import type { SqlValue } from '../../../shared/model/snapshot.ts';
import type { Decode } from './types.ts';

// Node's Buffer has had these direct slice decoders for every supported version;
// they skip toString()'s argument normalisation, which matters for short fields.
interface FastBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Thrown when the bytes are not a well-formed COPY text stream for the expected columns. */
export class CopyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyFormatError';
  }
}

/**
 * Decoder code used in place of Decode.Utf8 when the database's encoding is
 * SQL_ASCII: there the server sends bytes unconverted, and a byte sequence that
 * is not UTF-8 must fail loudly instead of becoming U+FFFD.
 */
export const DECODE_UTF8_STRICT = 6;

export class CopyTextParser {
  /** Rows parsed since the last take(), at most `keepAtMost` in total. */
  private rows: SqlValue[][] = [];
  /** Every row seen, including those past `keepAtMost`. */
  rowsSeen = 0;
  /** Rows kept (handed out by take()). */
  rowsKept = 0;
  bytes = 0;

  private readonly kinds: Uint8Array;
  private readonly ncols: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private scratch: Buffer = Buffer.allocUnsafe(4096);

  /**
   * @param kinds one Decode code (or DECODE_UTF8_STRICT) per column, in COPY column order
   * @param keepAtMost rows beyond this many are counted but not kept (the `--max-rows` probe row)
   */
  constructor(
    kinds: readonly (Decode | typeof DECODE_UTF8_STRICT)[],
    private readonly keepAtMost = Number.POSITIVE_INFINITY,
  ) {
    this.kinds = Uint8Array.from(kinds);
    this.ncols = kinds.length;
  }

  /** Parses every complete row in `chunk`; keeps the incomplete tail for the next call. */
  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    let start = 0;
    if (this.pendingBytes > 0) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;
        return;
      }
      this.pending.push(chunk.subarray(0, nl + 1));
      const joined = Buffer.concat(this.pending, this.pendingBytes + nl + 1);
      this.pending = [];
      this.pendingBytes = 0;
      this.parseRows(joined, 0, joined.length);
      start = nl + 1;
    }
    if (start >= chunk.length) return;
    const last = chunk.lastIndexOf(10);
    if (last >= start) {
      this.parseRows(chunk, start, last + 1);
      start = last + 1;
    }
    if (start < chunk.length) {
      this.pending.push(chunk.subarray(start));
      this.pendingBytes = chunk.length - start;
    }
  }

  /** Call at the end of the stream: fails if it stopped inside a row. */
  end(): void {
    if (this.pendingBytes > 0) {
      throw new CopyFormatError(`COPY data ended inside a row (${this.pendingBytes} bytes after the last complete row)`);
    }
  }

  /** Number of rows waiting to be taken. */
  get buffered(): number {
    return this.rows.length;
  }

  /** Hands out the rows parsed so far. */
  take(): SqlValue[][] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }

  /** Parses rows in buf[pos, end); buf[end - 1] is a newline. */
  private parseRows(buf: Buffer, pos: number, end: number): void {
    const ncols = this.ncols;
    const kinds = this.kinds;
    if (ncols === 0) {
      // SELECT of no columns: every row is an empty line.
      for (; pos < end; pos++) {
        if (buf[pos] !== 10) throw new CopyFormatError(`row ${this.rowsSeen + 1}: expected no columns`);
        this.accept([]);
      }
      return;
    }
    const fast = buf as FastBuffer;
    while (pos < end) {
      const row = new Array<SqlValue>(ncols);
      let col = 0;
      let fieldStart = pos;
      let escaped = false;
      let i = pos;
      for (;;) {
        const c = buf[i];
        if (c === 9 || c === 10) {
          if (col === ncols) throw this.shapeError(col + 1);
          row[col] = escaped ? this.decodeEscaped(fast, fieldStart, i, kinds[col]) : decodePlain(fast, fieldStart, i, kinds[col]);
          col++;
          if (c === 10) break;
          fieldStart = i + 1;
          escaped = false;
        } else if (c === 92) {
          escaped = true;
        }
        i++;
      }
      if (col !== ncols) throw this.shapeError(col);
      pos = i + 1;
      this.accept(row);
    }
  }

  private accept(row: SqlValue[]): void {
    this.rowsSeen++;
    if (this.rowsKept < this.keepAtMost) {
      this.rows.push(row);
      this.rowsKept++;
    }
  }

  private shapeError(found: number): CopyFormatError {
    return new CopyFormatError(`row ${this.rowsSeen + 1}: expected ${this.ncols} fields, found ${found === this.ncols + 1 ? 'more' : found}`);
  }

  /** A field that contained at least one backslash: NULL, bytea, or text needing unescaping. */
  private decodeEscaped(buf: FastBuffer, s: number, e: number, kind: number): SqlValue {
    const len = e - s;
    if (len === 2 && buf[s + 1] === 78 /* N */ && buf[s] === 92) return null;
    if (kind === 5) return decodeBytea(buf, s, e);
    if (this.scratch.length < len) this.scratch = Buffer.allocUnsafe(Math.max(len, this.scratch.length * 2));
    const out = this.scratch;
    let o = 0;
    for (let k = s; k < e; k++) {
      let c = buf[k];
      if (c === 92 && k + 1 < e) {
        c = buf[++k];
        switch (c) {
          case 98: c = 8; break; // \b
          case 102: c = 12; break; // \f
          case 110: c = 10; break; // \n
          case 114: c = 13; break; // \r
          case 116: c = 9; break; // \t
          case 118: c = 11; break; // \v
          case 120: { // \xH or \xHH; a bare \x is a literal x
            const h1 = k + 1 < e ? hexValue(buf[k + 1]) : -1;
            if (h1 >= 0) {
              c = h1;
              k++;
              const h2 = k + 1 < e ? hexValue(buf[k + 1]) : -1;
              if (h2 >= 0) {
                c = c * 16 + h2;
                k++;
              }
            }
            break;
          }
          default:
            if (c >= 48 && c <= 55) { // \o, \oo, \ooo
              let v = c - 48;
              for (let n = 0; n < 2 && k + 1 < e && buf[k + 1] >= 48 && buf[k + 1] <= 55; n++) v = v * 8 + (buf[++k] - 48);
              c = v & 0xff;
            }
          // any other character after a backslash stands for itself (this covers \\)
        }
      }
      out[o++] = c;
    }
    return decodePlain(out as FastBuffer, 0, o, kind);
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Decodes buf[s, e), which holds no escapes. */
function decodePlain(buf: FastBuffer, s: number, e: number, kind: number): SqlValue {
  switch (kind) {
    case 0: // Int
      return parseSmallInt(buf, s, e);
    case 1: // BigInt
      if (e - s < 16) return parseSmallInt(buf, s, e); // at most 15 digits: below 2^53
      return parseInt8(buf.latin1Slice(s, e));
    case 2: // Ascii
      return buf.latin1Slice(s, e);
    case 3: // Utf8
      return buf.utf8Slice(s, e);
    case 4: // Bool
      return buf[s] === 116 /* t */ ? 1 : 0;
    case 5: // Bytea without a backslash: not the hex output form
      throw new CopyFormatError('bytea value is not in hex output form (bytea_output must be hex)');
    case 6: // Utf8Strict
      try {
        return strictUtf8.decode(buf.subarray(s, e));
      } catch {
        throw new CopyFormatError('a text value is not valid UTF-8 (the database encoding is SQL_ASCII, which stores bytes unchecked)');
      }
    default:
      throw new CopyFormatError(`unknown decoder ${kind}`);
  }
}

function parseSmallInt(buf: Buffer, s: number, e: number): number {
  let k = s;
  const negative = buf[k] === 45; /* - */
  if (negative) k++;
  let v = 0;
  for (; k < e; k++) v = v * 10 + (buf[k] - 48);
  return negative ? -v : v;
}

function parseInt8(text: string): number | bigint {
  const n = Number(text);
  // Number() of an integer literal is exact iff the result is a safe integer.
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** bytea hex output: the field is `\\x` (an escaped backslash, then x) and hex digits, which never need unescaping. */
function decodeBytea(buf: FastBuffer, s: number, e: number): Buffer {
  if (e - s < 3 || buf[s] !== 92 || buf[s + 1] !== 92 || buf[s + 2] !== 120) {
    throw new CopyFormatError('bytea value is not in hex output form (bytea_output must be hex)');
  }
  const hexDigits = e - s - 3;
  const out = Buffer.from(buf.latin1Slice(s + 3, e), 'hex');
  if (out.length * 2 !== hexDigits) throw new CopyFormatError('malformed bytea hex value');
  return out;
}
