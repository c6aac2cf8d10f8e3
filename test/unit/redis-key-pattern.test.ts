// Key names become a pattern plus a keyed hash: the pattern must keep what
// names the kind of key and never a token, id or other variable part.
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyHasher, decodeKeyName, redisKeyPattern } from '../../snapshots/engines/redis/types.ts';
import { decimalText, inventoryFacts, parseInfo, parseKeyspace } from '../../snapshots/engines/redis/introspect.ts';
import type { FleetInstance } from '../../shared/model/fleet.ts';

describe('redisKeyPattern', () => {
  it.each([
    ['session:3f9a1c0e5b7d4a2f9e8c6b4a2d0f1e3c', 'session:*'],
    ['CONTACT_day:12345', 'CONTACT_day:*'],
    ['CONTACT_week:12345', 'CONTACT_week:*'],
    ['CONTACT_month:12345', 'CONTACT_month:*'],
    ['order:detail:LK20240101123', 'order:detail:*'],
    ['mkt:campaign:17', 'mkt:campaign:*'],
    ['coupon:stock:42', 'coupon:stock:*'],
    ['commodity:1001', 'commodity:*'],
    ['session:abcdefghijklmnopqrstuvwxyzabcdef', 'session:*'],
    ['user:42:profile', 'user:*'],
    ['user:profile', 'user:*'],
    ['a:b:c', 'a:b:*'],
    ['42:x', '*'],
    [':x', '*'],
    ['config:', 'config:*'],
    ['featureflags', 'featureflags'],
    ['config', 'config'],
    ['feature.flags', 'feature.flags'],
    ['user12345', 'user*'],
    // Random mixed-case letters are a token, not a word, even with a word-like tail cut off.
    ['PcIjTMKrXZp-rxWSxanEVMBs7b13', '*'],
    ['sess:PcIjTMKrXZp:x', 'sess:*'],
    ['featureFlags:OrderDetail:CONTACT_day:1', 'featureFlags:OrderDetail:CONTACT_day:*'],
    ['user_12345', 'user_*'],
    ['cache.user.12345', 'cache.user.*'],
    ['deadbeef1', '*'],
    ['3f9a1c0e5b7d4a2f9e8c6b4a2d0f1e3c', '*'],
    ['abcdefghijklmnopqrstuvwxyzabcdef', '*'],
    ['', '*'],
    ['{user:42}:cart', '*'],
    ['cart:{user42}:items', 'cart:*'],
    ['api/v1/users/7', 'api/*'],
    ['api/users/7', 'api/users/*'],
    ['rate|10.0.0.1', 'rate|*'],
    ['商品:1001', '商品:*'],
    ['bin:\\x80\\xff', 'bin:*'],
    ['averyveryveryverylongwordname:1', '*'],
  ])('%s → %s', (name, pattern) => {
    expect(redisKeyPattern(name)).toBe(pattern);
  });

  const alphabets = {
    hex: '0123456789abcdef',
    base62: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
    base64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
    letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
    digits: '0123456789',
  };
  const token = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');

  it('never keeps any part of a token, over 1000 random tokens in many key shapes', () => {
    const names = Object.keys(alphabets) as (keyof typeof alphabets)[];
    for (let i = 0; i < 1000; i++) {
      const alphabet = alphabets[names[i % names.length]];
      // Session tokens are 25+ characters; only-digit ids of any length.
      const secret = token(alphabet, alphabet === alphabets.digits ? 4 + randomInt(30) : 25 + randomInt(40));
      const shapes: [string, string][] = [
        [`session:${secret}`, 'session:*'],
        [`session:${secret}:data`, 'session:*'],
        [`sess:user:${secret}`, 'sess:user:*'],
        [secret, '*'],
        [`${secret}:x`, '*'],
        [`token/${secret}`, 'token/*'],
        [`{${secret}}:cart`, '*'],
      ];
      for (const [name, expected] of shapes) {
        const pattern = redisKeyPattern(name);
        expect(pattern, name).toBe(expected);
        // No run of 6 characters of the token survives (stronger than "not the token";
        // shorter runs could match the constant words by chance).
        for (let j = 0; j + 6 <= secret.length; j++) expect(pattern.includes(secret.slice(j, j + 6)), name).toBe(false);
      }
    }
  });
});

describe('decodeKeyName', () => {
  it('keeps valid UTF-8 as text', () => {
    expect(decodeKeyName(Buffer.from('商品:1001'))).toBe('商品:1001');
    expect(decodeKeyName(Buffer.from('plain'))).toBe('plain');
  });
  it('hex-escapes bytes that are not valid UTF-8 and keeps the valid parts', () => {
    expect(decodeKeyName(Buffer.from([0x62, 0x69, 0x6e, 0x3a, 0x80, 0xff, 0x00]))).toBe('bin:\\x80\\xff\u0000');
    expect(decodeKeyName(Buffer.concat([Buffer.from('é'), Buffer.from([0xc3]), Buffer.from('x')]))).toBe('é\\xc3x');
    // overlong encoding and a lone surrogate are invalid UTF-8
    expect(decodeKeyName(Buffer.from([0xc0, 0xaf]))).toBe('\\xc0\\xaf');
    expect(decodeKeyName(Buffer.from([0xed, 0xa0, 0x80]))).toBe('\\xed\\xa0\\x80');
    expect(decodeKeyName(Buffer.from([0xf0, 0x9f, 0x98, 0x80, 0xf0]))).toBe('😀\\xf0');
  });
});

describe('createKeyHasher', () => {
  it('equals HMAC-SHA256 (first 16 hex) for secrets and keys of every block boundary', () => {
    for (const secretLength of [0, 1, 32, 63, 64, 65, 200]) {
      const secret = randomBytes(secretLength);
      const hasher = createKeyHasher(secret);
      for (let length = 0; length <= 300; length++) {
        const key = randomBytes(length);
        expect(hasher(key)).toBe(createHmac('sha256', secret).update(key).digest('hex').slice(0, 16));
      }
    }
  });
  it('depends on the secret', () => {
    const key = Buffer.from('session:abc');
    expect(createKeyHasher(randomBytes(32))(key)).not.toBe(createKeyHasher(randomBytes(32))(key));
  });
});

describe('INFO parsing and inventory facts', () => {
  const info = [
    '# Server',
    'redis_version:6.0.5',
    'redis_mode:standalone',
    '',
    '# Memory',
    'used_memory:1048576',
    'maxmemory:4194304',
    '# CPU',
    'used_cpu_sys:1.0',
    '# Keyspace',
    'db0:keys=12,expires=3,avg_ttl=100',
    'db3:keys=5,expires=0,avg_ttl=0',
    '',
  ].join('\r\n');

  it('keeps the wanted sections, lower-cased, and reads the keyspace', () => {
    const facts = parseInfo(info);
    expect(facts).toContainEqual({ category: 'server', name: 'redis_version', value: '6.0.5' });
    expect(facts).toContainEqual({ category: 'memory', name: 'used_memory', value: '1048576' });
    expect(facts.some((f) => f.category === 'cpu')).toBe(false);
    expect([...parseKeyspace(facts)]).toEqual([
      [0, 12],
      [3, 5],
    ]);
  });

  const instance = (allocatedMemoryMb?: number): FleetInstance => ({
    name: 'x',
    engine: 'redis',
    allocatedMemoryMb,
    rawKeyNames: false,
    readValues: false,
  });
  const value = (facts: { name: string; value: string | null }[], name: string) => facts.find((f) => f.name === name)?.value;

  it('takes the allocation from the manifest, else maxmemory, else unknown', () => {
    const manifest = inventoryFacts(instance(4), 1048576, 8 * 1048576);
    expect(value(manifest, 'allocated_memory_bytes')).toBe(String(4 * 1048576));
    expect(value(manifest, 'allocation_source')).toBe('manifest');
    expect(value(manifest, 'utilisation')).toBe('0.25');
    const maxmemory = inventoryFacts(instance(), 1048576, 8 * 1048576);
    expect(value(maxmemory, 'allocation_source')).toBe('maxmemory');
    expect(value(maxmemory, 'utilisation')).toBe('0.125');
    const unknown = inventoryFacts(instance(), 1048576, 0);
    expect(value(unknown, 'allocation_source')).toBe('unknown');
    expect(value(unknown, 'allocated_memory_bytes')).toBeNull();
    expect(value(unknown, 'utilisation')).toBeNull();
  });

  it('writes ratios as plain decimals', () => {
    expect(decimalText(0.267)).toBe('0.267');
    expect(decimalText(1e-7)).toBe('0.0000001');
    expect(decimalText(1)).toBe('1');
  });
});
