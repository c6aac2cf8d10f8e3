// The hand-written HMAC-SHA256 of Redis key names (engines/redis/sha256.ts)
// against node:crypto's createHmac: every stored key hash depends on it, so it
// must agree byte for byte on any key and any secret, around every block
// boundary (a key of up to 55 bytes is one final block, 56 to 119 two), on long
// keys, and on secrets longer than the 64-byte block (hashed first).
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyHasher } from '../../snapshots/engines/redis/sha256.ts';

const reference = (secret: Uint8Array, key: Uint8Array) => createHmac('sha256', secret).update(key).digest('hex').slice(0, 16);

const BOUNDARIES = [0, 1, 54, 55, 56, 57, 63, 64, 65, 118, 119, 120, 121, 127, 128, 129, 183, 184, 191, 192];
const LONG = [1000, 4096, 65_535, 65_536, 1_000_000];
const SECRETS = [0, 1, 16, 32, 63, 64, 65, 128, 200, 1000];

describe('the hand-written HMAC-SHA256 of key names (sha256.ts)', () => {
  it('agrees with createHmac at every block boundary of the key, for secrets shorter and longer than the block', () => {
    for (const secretLength of SECRETS) {
      const secret = randomBytes(secretLength);
      const hasher = createKeyHasher(secret);
      for (const length of BOUNDARIES) {
        for (let round = 0; round < 8; round++) {
          const key = randomBytes(length);
          expect(hasher(key), `secret ${secretLength} B, key ${length} B`).toBe(reference(secret, key));
        }
      }
    }
  });

  it('agrees with createHmac on long keys', () => {
    const secret = randomBytes(32);
    const hasher = createKeyHasher(secret);
    for (const length of LONG) {
      const key = randomBytes(length);
      expect(hasher(key), `key ${length} B`).toBe(reference(secret, key));
    }
  });

  it('agrees with createHmac on random keys and secrets of random lengths', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.uint8Array({ minLength: 0, maxLength: 2000 }), (secret, key) => {
        expect(createKeyHasher(secret)(key)).toBe(reference(secret, key));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps no state between keys: one hasher, many keys of mixed lengths, in any order', () => {
    const secret = randomBytes(48);
    const hasher = createKeyHasher(secret);
    const keys = Array.from({ length: 5000 }, (_, i) => randomBytes((i * 7919) % 257));
    for (const key of keys) expect(hasher(key)).toBe(reference(secret, key));
    // Keys given as views into a larger buffer (as SCAN's replies are) hash like copies.
    const big = randomBytes(4096);
    for (let offset = 0; offset < 200; offset += 13) {
      const view = big.subarray(offset, offset + 70);
      expect(hasher(view)).toBe(reference(secret, Buffer.from(view)));
    }
  });
});
