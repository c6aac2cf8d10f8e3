// A streaming parser for PostgreSQL's COPY ... TO STDOUT text format, fed the
// raw Buffers as they come off the socket.
//
// Format (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format"):
// one row per line ending in \n (0x0A), fields separated by \t (0x09), NULL as
// `\N`, and inside a field the backslash escapes \b \f \n \r \t \v \\, \ooo
// (1-3 octal digits), \xHH (1-2 hex digits); a backslash before any other
// character stands for that character. Data tabs and newlines are always
// escaped, so a raw tab/newline is always a delimiter, and only fields that hold
// a backslash need the (slower) unescaping pass.
//
// Speed: per chunk, the complete rows are decoded to ONE string with one native
// call, then cut into fields with String indexOf/substring (JIT builtins, no
// native boundary per field), and integers are parsed from char codes. No regex,
// no split().
//
// Rows may span chunk boundaries: the incomplete tail of a chunk is kept (as a
// list of pieces, joined once the row's newline arrives, so a huge field that
// arrives in many chunks is copied once, not once per chunk).
//
// Encoded mode (`encode`): the rows go straight from the bytes into the
// snapshot's line encoding (file/encodedRows.ts) with no JS value per field:
// text without a backslash is copied as it is, escapes are undone byte by byte,
// integers and booleans are written as digits, bytea's hex as bytes. The stored
// values are the same as in value mode; anything unusual (a region that is not
// UTF-8, an integer that is not canonical) turns the parser to value mode for
// the rest of the stream, after the rows already encoded.
import { isUtf8 } from 'node:buffer';
import type { SqlValue } from '../../../shared/model/snapshot.ts';
import { canEncode, RowEncoder, TYPE_BLOB, TYPE_INTEGER, TYPE_TEXT, writeInteger, type EncodedRows } from '../../file/encodedRows.ts';
import type { Affinity } from '../../file/hash.ts';
import type { Decode } from './types.ts';

// Node's Buffer has had this direct decoder for every supported version; it
// skips toString()'s argument normalisation.
interface FastBuffer extends Buffer {
  utf8Slice(start: number, end: number): string;
}

/** Thrown when the bytes are not a well-formed COPY text stream for the expected columns. */
export class CopyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyFormatError';
  }
}

export interface CopyTextParserOptions {
  /** Rows beyond this many are counted but not kept (the `--max-rows` probe row). */
  keepAtMost?: number;
  /**
   * Fail on bytes that are not UTF-8 instead of turning them into U+FFFD. Needed
   * for SQL_ASCII databases, where the server sends stored bytes unconverted.
   */
  strictUtf8?: boolean;
  /**
   * The affinity of each column in the snapshot: encode rows (takeEncoded)
   * instead of decoding them into values, where every column's values can be.
   */
  encodeFor?: readonly Affinity[];
}

/** The encoded type each decoder writes. */
const ENCODED_TYPE = [TYPE_INTEGER, TYPE_INTEGER, TYPE_TEXT, TYPE_TEXT, TYPE_INTEGER, TYPE_BLOB];

export class CopyTextParser {
  /** Rows parsed since the last take(), at most `keepAtMost` in total. */
  private rows: SqlValue[][] = [];
  /** Every row seen, including those past `keepAtMost`. */
  rowsSeen = 0;
  /** Rows kept (handed out by take()). */
  rowsKept = 0;
  /** Bytes fed in. */
  bytes = 0;

  private readonly kinds: Uint8Array;
  private readonly ncols: number;
  private readonly keepAtMost: number;
  private readonly strict: boolean;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private scratch: Buffer = Buffer.allocUnsafe(4096);
  private scratchMadeHigh = false;
  /** Encoded mode's output (null when the columns cannot be encoded), and whether rows still go there. */
  private readonly encoder: RowEncoder | null = null;
  private encodingOn = false;

  /** @param kinds one Decode code per column, in COPY column order */
  constructor(kinds: readonly Decode[], options: CopyTextParserOptions = {}) {
    this.kinds = Uint8Array.from(kinds);
    this.ncols = kinds.length;
    this.keepAtMost = options.keepAtMost ?? Number.POSITIVE_INFINITY;
    this.strict = options.strictUtf8 ?? false;
    const affinities = options.encodeFor;
    if (affinities && kinds.length > 0 && affinities.length === kinds.length && kinds.every((k, c) => canEncode(ENCODED_TYPE[k]!, affinities[c]!))) {
      this.encoder = new RowEncoder();
      this.encodingOn = true;
    }
  }

  /** Whether rows are being encoded (takeEncoded) rather than decoded into values (take). */
  get encoding(): boolean {
    return this.encodingOn;
  }

  /** Encoded rows waiting to be taken. */
  get encodedRows(): number {
    return this.encoder?.rows ?? 0;
  }

  /** Hands out the rows encoded so far; they come before any rows take() hands out. */
  takeEncoded(): EncodedRows | null {
    return this.encoder && this.encoder.rows > 0 ? this.encoder.take() : null;
  }

  /** Leaves encoded mode for good: the rows from here on are decoded into values (the encoded ones stay for takeEncoded). */
  private stopEncoding(): void {
    this.encodingOn = false;
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
      this.parseRegion(joined, 0, joined.length);
      start = nl + 1;
    }
    if (start >= chunk.length) return;
    const last = chunk.lastIndexOf(10);
    if (last >= start) {
      this.parseRegion(chunk, start, last + 1);
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

  /**
   * Parses the complete rows in buf[start, end) (buf[end - 1] is a newline).
   *
   * The region is decoded to one JS string first (one native call; V8's UTF-8
   * decoder has a fast ASCII path), and fields are then cut out of it with
   * String indexOf/substring, which are JIT builtins. That is several times
   * cheaper than one native Buffer-to-string call per field. Delimiters are
   * ASCII, and a UTF-8 sequence never contains an ASCII byte, so splitting the
   * decoded string at tab/newline gives exactly the fields the bytes hold; the
   * region never splits a character because it ends at a newline.
   */
  private parseRegion(buf: Buffer, start: number, end: number): void {
    if ((this.strict || this.encodingOn) && !isUtf8(buf.subarray(start, end))) {
      if (this.strict) {
        throw new CopyFormatError(
          `rows ${this.rowsSeen + 1}+ hold text that is not valid UTF-8 (the database encoding is SQL_ASCII, which stores bytes unchecked)`,
        );
      }
      // Value mode replaces what is not UTF-8 with U+FFFD, as it always has.
      this.stopEncoding();
    }
    if (this.encodingOn) {
      start = this.encodeRegion(buf, start, end);
      if (start === end) return;
      this.stopEncoding();
    }
    this.parseText((buf as FastBuffer).utf8Slice(start, end));
  }

  /**
   * Encodes the complete rows in buf[start, end) (valid UTF-8, ending in a
   * newline). Returns where it stopped: `end`, or the start of a row it leaves
   * to value mode (which then stores it, or reports it, exactly as it always has).
   */
  private encodeRegion(buf: Buffer, start: number, end: number): number {
    const enc = this.encoder!;
    const ncols = this.ncols;
    const last = ncols - 1;
    const kinds = this.kinds;
    let pos = start;
    while (pos < end) {
      if (this.rowsKept >= this.keepAtMost) {
        // Rows past --max-rows are only counted.
        for (let k = buf.indexOf(10, pos); k >= 0 && k < end; k = buf.indexOf(10, k + 1)) this.rowsSeen++;
        return end;
      }
      enc.beginRow();
      let s = pos;
      for (let col = 0; col < ncols; col++) {
        let k = s;
        let escaped = false;
        let b = buf[k]!;
        while (b !== 9 && b !== 10) {
          if (b === 92) escaped = true;
          b = buf[++k]!;
        }
        if ((b === 10) !== (col === last) || !this.encodeField(buf, s, k, kinds[col]!, escaped)) {
          enc.rollbackRow();
          return pos;
        }
        s = k + 1;
      }
      enc.endRow();
      this.rowsSeen++;
      this.rowsKept++;
      pos = s;
    }
    return end;
  }

  /** Encodes one field, buf[s, e); false when value mode must decode it. */
  private encodeField(buf: Buffer, s: number, e: number, kind: number, escaped: boolean): boolean {
    const enc = this.encoder!;
    if (escaped && e - s === 2 && buf[s] === 92 && buf[s + 1] === 78 /* \N */) {
      enc.writeNull();
      return true;
    }
    switch (kind) {
      case 0: // Int
      case 1: // BigInt
        return !escaped && writeInteger(enc, buf, s, e);
      case 2: // Ascii
      case 3: // Utf8
        if (!escaped) enc.value(TYPE_TEXT, buf, s, e);
        else {
          // Not UTF-8 after unescaping: value mode replaces such bytes, so this row goes that way.
          const n = this.unescapeToScratch(buf, s, e);
          if (!this.scratchIsUtf8(n)) return false;
          enc.value(TYPE_TEXT, this.scratch, 0, n);
        }
        return true;
      case 4: // Bool: as value mode, 't' is true and anything else false
        if (escaped) return false;
        enc.header(TYPE_INTEGER, 1);
        enc.buf[enc.at++] = buf[s] === 116 ? 0x31 : 0x30;
        enc.buf[enc.at++] = 0x2c;
        return true;
      default: {
        // Bytea, hex output: `\\x` then an even number of hex digits.
        const digits = e - s - 3;
        if (!escaped || digits < 0 || digits % 2 !== 0 || buf[s] !== 92 || buf[s + 1] !== 92 || buf[s + 2] !== 120) return false;
        enc.header(TYPE_BLOB, digits / 2);
        const out = enc.buf;
        let o = enc.at;
        for (let k = s + 3; k < e; k += 2) {
          const hi = hexValue(buf[k]!);
          const lo = hexValue(buf[k + 1]!);
          if (hi < 0 || lo < 0) return false;
          out[o++] = hi * 16 + lo;
        }
        out[o++] = 0x2c;
        enc.at = o;
        return true;
      }
    }
  }

  /**
   * Undoes the escapes of buf[s, e) into this.scratch, byte by byte; returns the
   * length. `scratchMadeHigh` says whether an octal or hex escape made a byte of
   * 0x80 or more, the only way the result can stop being UTF-8.
   */
  private unescapeToScratch(buf: Buffer, s: number, e: number): number {
    if (this.scratch.length < e - s) this.scratch = Buffer.allocUnsafe(Math.max(e - s, this.scratch.length * 2));
    const out = this.scratch;
    let o = 0;
    let madeHigh = false;
    for (let k = s; k < e; k++) {
      let c = buf[k]!;
      if (c === 92 && k + 1 < e) {
        c = buf[++k]!;
        switch (c) {
          case 98: c = 8; break; // \b
          case 102: c = 12; break; // \f
          case 110: c = 10; break; // \n
          case 114: c = 13; break; // \r
          case 116: c = 9; break; // \t
          case 118: c = 11; break; // \v
          case 120: { // \xH or \xHH; a bare \x is a literal x
            const h1 = k + 1 < e ? hexValue(buf[k + 1]!) : -1;
            if (h1 >= 0) {
              c = h1;
              k++;
              const h2 = k + 1 < e ? hexValue(buf[k + 1]!) : -1;
              if (h2 >= 0) {
                c = c * 16 + h2;
                k++;
              }
              madeHigh ||= c >= 0x80;
            }
            break;
          }
          default:
            if (c >= 48 && c <= 55) { // \o, \oo, \ooo
              let v = c - 48;
              for (let n = 0; n < 2 && k + 1 < e && buf[k + 1]! >= 48 && buf[k + 1]! <= 55; n++) v = v * 8 + (buf[++k]! - 48);
              c = v & 0xff;
              madeHigh ||= c >= 0x80;
            }
          // any other byte after a backslash stands for itself (this covers \\)
        }
      }
      out[o++] = c;
    }
    this.scratchMadeHigh = madeHigh;
    return o;
  }

  /** Whether scratch[0, n) is UTF-8; in strict mode a value that is not fails the parse. */
  private scratchIsUtf8(n: number): boolean {
    if (!this.scratchMadeHigh || isUtf8(this.scratch.subarray(0, n))) return true;
    if (this.strict) throw new CopyFormatError(`row ${this.rowsSeen + 1}: an escaped text value is not valid UTF-8`);
    return false;
  }

  /** Parses rows from `text`, which ends with a newline. */
  private parseText(text: string): void {
    const ncols = this.ncols;
    const kinds = this.kinds;
    const len = text.length;
    let pos = 0;
    if (ncols === 0) {
      // SELECT of no columns: every row is an empty line.
      for (; pos < len; pos++) {
        if (text.charCodeAt(pos) !== 10) throw new CopyFormatError(`row ${this.rowsSeen + 1}: expected no columns`);
        this.accept([]);
      }
      return;
    }
    const last = ncols - 1;
    // Positions of the next tab and the next backslash at or after the current
    // field. Each is searched for once per occurrence, so the whole region is
    // scanned a bounded number of times whatever the row shape.
    let nextTab = text.indexOf('\t');
    if (nextTab < 0) nextTab = len;
    // A field that ends before the next backslash needs no unescaping (nor NULL check).
    let nextBackslash = text.indexOf('\\');
    if (nextBackslash < 0) nextBackslash = len;
    while (pos < len) {
      const nl = text.indexOf('\n', pos);
      const row = new Array<SqlValue>(ncols);
      let s = pos;
      for (let col = 0; col < ncols; col++) {
        let e: number;
        if (col === last) {
          if (nextTab < nl) throw this.shapeError('more than');
          e = nl;
        } else {
          e = nextTab;
          if (e > nl) throw this.shapeError(String(col + 1));
          nextTab = text.indexOf('\t', e + 1);
          if (nextTab < 0) nextTab = len;
        }
        if (nextBackslash < e) {
          row[col] = this.decodeEscaped(text, s, e, kinds[col]);
          nextBackslash = text.indexOf('\\', e);
          if (nextBackslash < 0) nextBackslash = len;
        } else {
          row[col] = decodePlain(text, s, e, kinds[col]);
        }
        s = e + 1;
      }
      pos = nl + 1;
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

  private shapeError(found: string): CopyFormatError {
    return new CopyFormatError(`row ${this.rowsSeen + 1}: expected ${this.ncols} fields, found ${found}`);
  }

  /** A field holding at least one backslash: NULL, bytea, or text to unescape. */
  private decodeEscaped(text: string, s: number, e: number, kind: number): SqlValue {
    if (e - s === 2 && text.charCodeAt(s) === 92 && text.charCodeAt(s + 1) === 78 /* N */) return null;
    if (kind === 5) return decodeBytea(text, s, e);
    let out = '';
    let from = s;
    for (let k = text.indexOf('\\', s); k >= 0 && k < e; k = text.indexOf('\\', from)) {
      if (k + 1 >= e) break; // a lone trailing backslash stands for itself
      const c = text.charCodeAt(k + 1);
      let ch: string;
      switch (c) {
        case 98: ch = '\b'; break;
        case 102: ch = '\f'; break;
        case 110: ch = '\n'; break;
        case 114: ch = '\r'; break;
        case 116: ch = '\t'; break;
        case 118: ch = '\v'; break;
        default:
          // \ooo and \xHH give bytes, which may be parts of one UTF-8 character: decode those at byte level.
          if ((c >= 48 && c <= 55) || (c === 120 && k + 2 < e && hexValue(text.charCodeAt(k + 2)) >= 0)) {
            return decodePlain(this.unescapeBytes(text.substring(s, e)), 0, -1, kind);
          }
          ch = text[k + 1]!; // any other character after a backslash stands for itself (this covers \\)
      }
      out += text.substring(from, k) + ch;
      from = k + 2;
    }
    out += text.substring(from, e);
    return decodePlain(out, 0, out.length, kind);
  }

  /** Byte-level unescaping for octal and hex escapes; returns the UTF-8 decoded field. */
  private unescapeBytes(field: string): string {
    const buf = Buffer.from(field, 'utf8');
    const n = this.unescapeToScratch(buf, 0, buf.length);
    this.scratchIsUtf8(n);
    return this.scratch.toString('utf8', 0, n);
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Decodes text[s, e), which holds no escapes; e = -1 means to the end. */
function decodePlain(text: string, s: number, e: number, kind: number): SqlValue {
  switch (kind) {
    case 0: // Int
      return parseSmallInt(text, s, e < 0 ? text.length : e);
    case 1: // BigInt
      if (e < 0) e = text.length;
      if (e - s < 16) return parseSmallInt(text, s, e); // at most 15 digits: below 2^53
      return parseInt8(text.substring(s, e));
    case 2: // Ascii
    case 3: // Utf8
      return e < 0 ? (s === 0 ? text : text.substring(s)) : text.substring(s, e);
    case 4: // Bool
      return text.charCodeAt(s) === 116 /* t */ ? 1 : 0;
    case 5: // Bytea without a backslash: not the hex output form
      throw new CopyFormatError('bytea value is not in hex output form (bytea_output must be hex)');
    default:
      throw new CopyFormatError(`unknown decoder ${kind}`);
  }
}

function parseSmallInt(text: string, s: number, e: number): number {
  let k = s;
  const negative = text.charCodeAt(k) === 45; /* - */
  if (negative) k++;
  let v = 0;
  for (; k < e; k++) v = v * 10 + (text.charCodeAt(k) - 48);
  return negative ? -v : v;
}

function parseInt8(text: string): number | bigint {
  const n = Number(text);
  // Number() of an integer literal is exact iff the result is a safe integer.
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** bytea hex output: the field is `\\\\x` (an escaped backslash, then x) and hex digits, which never need unescaping. */
function decodeBytea(text: string, s: number, e: number): Buffer {
  if (e - s < 3 || text.charCodeAt(s) !== 92 || text.charCodeAt(s + 1) !== 92 || text.charCodeAt(s + 2) !== 120) {
    throw new CopyFormatError('bytea value is not in hex output form (bytea_output must be hex)');
  }
  const hexDigits = e - s - 3;
  const out = Buffer.from(text.substring(s + 3, e), 'hex');
  if (out.length * 2 !== hexDigits) throw new CopyFormatError('malformed bytea hex value');
  return out;
}
