// Pure helpers of the Redis adapter: key names as text, the keyed hash of a
// key name, and the list of commands the adapter is allowed to send. Patterns
// are in patterns.ts.
import { isUtf8 } from 'node:buffer';
import { createHmac } from 'node:crypto';

/**
 * Every command the adapter may send, lower case. Nothing here writes, and
 * nothing reads a value: KEYS, GET, HGETALL, ... are never sent.
 * `config` is only ever `CONFIG GET`, `memory` only `MEMORY USAGE`.
 */
export const REDIS_ALLOWED_COMMANDS: readonly string[] = ['auth', 'hello', 'ping', 'info', 'config', 'select', 'scan', 'type', 'pttl', 'memory', 'dbsize', 'cluster', 'readonly'];
/** The only sub-commands of the container commands above the adapter uses. */
export const REDIS_ALLOWED_SUBCOMMANDS: Readonly<Record<string, readonly string[]>> = { config: ['get'], memory: ['usage'], cluster: ['shards', 'nodes'] };

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

/**
 * key → HMAC-SHA256(secret, key), the first 16 hex characters (64 bits), by
 * node:crypto's createHmac. A hand-written SHA-256 (sha256.ts), then an HMAC
 * composed by hand over node:crypto's one-shot hash, did this faster, but
 * neither won by the 20% of the whole pull a hand-written path must win by to
 * stay (bench/README.md, "Redis hand-written paths").
 */
export function createKeyHasher(secret: Uint8Array): (key: Uint8Array) => string {
  return (key) => createHmac('sha256', secret).update(key).digest('hex').slice(0, 16);
}

/** Words a Redis error may quote that are command names, not data. */
const COMMAND_WORDS = new Set([...REDIS_ALLOWED_COMMANDS, 'usage', 'get', 'samples', 'memory|usage', 'config|get', 'keys', 'cluster', 'acl', 'client']);

/**
 * A server message with key names and values taken out, before it is stored or
 * printed. Redis quotes a failed command's arguments (`ERR unknown command
 * 'MEMORY', with args beginning with: 'USAGE' 'reset_token:alice@…'`): the
 * argument list is cut, and any other quoted text that is not a command name
 * becomes `'…'`. The error code and its words stay.
 */
export function scrubServerMessage(text: string): string {
  return text
    .replace(/,?\s*with args beginning with:[\s\S]*$/i, ' (arguments not shown)')
    .replace(/'([^']*)'/g, (quoted, inner: string) => (COMMAND_WORDS.has(inner.toLowerCase()) ? quoted : "'…'"));
}
