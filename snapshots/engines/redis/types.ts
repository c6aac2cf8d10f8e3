// Pure helpers of the Redis adapter: how a key name becomes a pattern plus a
// keyed hash (so no token or id ever lands in the snapshot), and the list of
// commands the adapter is allowed to send.
import { isUtf8 } from 'node:buffer';

/**
 * Every command the adapter may send, lower case. Nothing here writes, and
 * nothing reads a value: KEYS, GET, HGETALL, ... are never sent.
 * `config` is only ever `CONFIG GET`, `memory` only `MEMORY USAGE`.
 */
export const REDIS_ALLOWED_COMMANDS: readonly string[] = ['auth', 'hello', 'ping', 'info', 'config', 'select', 'scan', 'type', 'pttl', 'memory', 'dbsize', 'cluster', 'readonly'];
/** The only sub-commands of the container commands above the adapter uses. */
export const REDIS_ALLOWED_SUBCOMMANDS: Readonly<Record<string, readonly string[]>> = { config: ['get'], memory: ['usage'], cluster: ['shards', 'nodes'] };

const MAX_CONSTANT_LENGTH = 24;

function isWordCode(c: number): boolean {
  // A-Z, a-z, '_', '-', '.'
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x2d || c === 0x2e;
}

const NON_ASCII_WORD = /^[\p{L}\p{M}_.-]+$/u;

/**
 * A "constant" segment: word-like (letters of any script, '_', '-', '.'; no
 * digit, no other character) and at most 24 characters long. Such segments
 * name things (`session`, `CONTACT_day`, `order`); anything else (ids,
 * numbers, hex, tokens with digits, long runs of letters) is variable.
 */
function isConstant(s: string, start: number, end: number): boolean {
  const length = end - start;
  if (length < 1 || length > MAX_CONSTANT_LENGTH) return false;
  let upper = false;
  let lower = false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) upper = true;
    else if (c >= 0x61 && c <= 0x7a) lower = true;
    if (isWordCode(c)) continue;
    if (c < 0x80) return false;
    return NON_ASCII_WORD.test(s.slice(start, end));
  }
  // Mixed case must read as words (camelCase, PascalCase, ALLCAPS_lower); random
  // letters (`PcIjTMKrXZp`) put capitals next to capitals and are a token.
  return !(upper && lower) || s.slice(start, end).split(/[_.-]/).every((part) => CASED_WORDS.test(part));
}

const CASED_WORDS = /^(?:[A-Z]+|[a-z]*(?:[A-Z][a-z]+)*)$/;

function isHexCode(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** `user12345` → `user*`; `featureflags` → itself; a token → `*`. */
function singleSegmentPattern(s: string): string {
  if (isConstant(s, 0, s.length)) return s;
  // The tail: the longest run of hex digits at the end, which must hold a digit.
  let i = s.length;
  let digit = false;
  while (i > 0 && isHexCode(s.charCodeAt(i - 1))) {
    i--;
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digit = true;
  }
  if (digit && i > 0 && isConstant(s, 0, i)) return `${s.slice(0, i)}*`;
  return '*';
}

function delimiterOf(name: string): string | null {
  if (name.includes(':')) return ':';
  if (name.includes('/')) return '/';
  if (name.includes('|')) return '|';
  return null;
}

/**
 * The pattern of a key name, keeping only the parts that name a kind of key:
 *
 * - The name is split on ':' (or, when it has no ':', on '/', else on '|'; '.'
 *   never splits, it counts as part of a word).
 * - A segment is constant when it is word-like: letters of any script, '_',
 *   '-', '.', no digit, 1 to 24 characters, and, when it mixes upper and lower
 *   case, words in camelCase or PascalCase (random mixed-case letters are a
 *   token). Hash tags (`{...}`) are never word-like, so they are variable.
 * - In a multi-segment name the last segment is always variable (that is where
 *   ids and tokens live). The pattern is the leading run of constant segments
 *   followed by `*`: `session:3f9a…` → `session:*`, `user:42:profile` → `user:*`,
 *   `42:x` → `*`.
 * - A single-segment name is kept when it is word-like (`featureflags`); else
 *   its hex/digit tail becomes `*` when what is before it is word-like
 *   (`user12345` → `user*`); else the whole name is `*` (a 32-character token).
 *
 * Known limit: a secret made only of letters, at most 24 of them, in a
 * non-last segment (`a:SECRETLETTERS:b`) or as a whole single-segment name, is
 * indistinguishable from a word and is kept.
 */
export function redisKeyPattern(name: string): string {
  const delimiter = delimiterOf(name);
  if (delimiter === null) return singleSegmentPattern(name);
  const d = delimiter.charCodeAt(0);
  let start = 0;
  let kept = 0; // end of the constant prefix in `name`, without its delimiter
  for (let i = 0; i < name.length; i++) {
    if (name.charCodeAt(i) !== d) continue;
    // Segment [start, i) is followed by a delimiter, so it is not the last one.
    if (!isConstant(name, start, i)) break;
    kept = i;
    start = i + 1;
  }
  return kept === 0 && start === 0 ? '*' : `${name.slice(0, kept)}${delimiter}*`;
}

const HEX = '0123456789abcdef';

/**
 * A key name as text: the UTF-8 text when the bytes are valid UTF-8, else the
 * valid parts kept and every byte that is not part of a valid UTF-8 sequence
 * written as `\xHH`.
 */
export function decodeKeyName(bytes: Uint8Array): string {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buffer)) return buffer.toString('utf8');
  let out = '';
  let runStart = 0;
  let i = 0;
  while (i < buffer.length) {
    const length = utf8SequenceLength(buffer, i);
    if (length > 0) {
      i += length;
      continue;
    }
    if (runStart < i) out += buffer.toString('utf8', runStart, i);
    const b = buffer[i];
    out += `\\x${HEX[b >> 4]}${HEX[b & 15]}`;
    i++;
    runStart = i;
  }
  if (runStart < buffer.length) out += buffer.toString('utf8', runStart, buffer.length);
  return out;
}

/** Length of the valid UTF-8 sequence at `i`, or 0 when the byte there does not start one. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k] & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const c1 = b[i + 1];
    if (c === 0xe0 && c1 < 0xa0) return 0; // overlong
    if (c === 0xed && c1 >= 0xa0) return 0; // surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const c1 = b[i + 1];
    if (c === 0xf0 && c1 < 0x90) return 0;
    if (c === 0xf4 && c1 >= 0x90) return 0;
    return 4;
  }
  return 0;
}

export { createKeyHasher } from './sha256.ts';
