// Pure helpers of the Redis adapter: key names as text, the keyed hash of a
// key name, and the list of commands the adapter is allowed to send. Patterns
// are in patterns.ts.
import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';

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
 * node:crypto. A hand-written SHA-256 (sha256.ts) did this until it was measured
 * against createHmac (bench/redis-paths.ts, bench/README.md): it saved ~1.2 s of
 * CPU per 1M keys, 16-19% of the whole pull, under the 20% a hand-written path
 * must win by to stay.
 *
 * HMAC is RFC 2104 over node:crypto's one-shot SHA-256 (`hash`):
 * H((K ^ opad) || H((K ^ ipad) || key)), with both padded keys prepared once.
 * createHmac builds an Hmac stream object per key; the two one-shot hashes cost
 * half its CPU (0.68 against 1.4 µs a key) and leave almost no garbage
 * (bench/README.md, "Redis 1M-key pull: memory and CPU"). The same bytes:
 * test/unit/redis-key-pattern.test.ts checks it against createHmac.
 */
export function createKeyHasher(secret: Uint8Array): (key: Uint8Array) => string {
  const BLOCK = 64;
  const k = Buffer.alloc(BLOCK);
  if (secret.length > BLOCK) k.set(hash('sha256', secret, 'buffer'));
  else k.set(secret);
  // inner: K ^ ipad, then the key (grown when a key does not fit); outer: K ^ opad, then the inner digest.
  let inner = Buffer.alloc(BLOCK + 1024);
  const outer = Buffer.alloc(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = k[i]! ^ 0x36;
    outer[i] = k[i]! ^ 0x5c;
  }
  return (key) => {
    const n = key.length;
    if (BLOCK + n > inner.length) {
      const grown = Buffer.alloc(BLOCK + n);
      inner.copy(grown, 0, 0, BLOCK);
      inner = grown;
    }
    inner.set(key, BLOCK);
    // The inner digest as 'binary' (latin1) text: one char per byte, written back as those bytes (no Buffer per key).
    outer.write(hash('sha256', new Uint8Array(inner.buffer, inner.byteOffset, BLOCK + n), 'binary'), BLOCK, 32, 'latin1');
    return hash('sha256', outer, 'hex').slice(0, 16);
  };
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
