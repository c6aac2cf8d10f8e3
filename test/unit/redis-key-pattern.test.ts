// Key names become a pattern plus a keyed hash: the pattern must keep what
// names the kind of key and never a token, id or other variable part.
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyHasher, decodeKeyName } from '../../snapshots/engines/redis/types.ts';
import { KeyPatternLearner, PATTERN_SAMPLE_KEYS, redisKeyPattern, redisKeyPatterns } from '../../snapshots/engines/redis/patterns.ts';
import { scrubServerMessage } from '../../snapshots/engines/redis/types.ts';
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

// Generators of the variable parts production keys carry: tokens in every
// alphabet, people's names in several scripts, hex ids, API keys.
const pick = <T,>(items: readonly T[]): T => items[randomInt(items.length)]!;
const draw = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SYLLABLES = ['al', 'ice', 'bo', 'ben', 'car', 'la', 'da', 'vid', 'em', 'ma', 'fi', 'on', 'gra', 'ce', 'har', 'ry', 'iv', 'an', 'jo', 'hn', 'ka', 'te', 'leo', 'mi', 'ra', 'no', 'ah', 'ol', 'iv', 'er', 'pe', 'ter', 'qu', 'in', 'ro', 'se', 'sa', 'ra', 'to', 'm'];
const latinName = () => Array.from({ length: 2 + randomInt(2) }, () => pick(SYLLABLES)).join('');
const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1);
const HAN_SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const HAN_GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红';
const hanName = () => pick([...HAN_SURNAMES]) + draw(HAN_GIVEN, 1 + randomInt(2));
const CYRILLIC = 'абвгдежзиклмнопрстуфхцчшэюя';
const cyrillicName = () => capital(draw(CYRILLIC, 4 + randomInt(5)));
const HANGUL = '김이박최정강조윤장임민서준도현지수하은';
const hangulName = () => draw(HANGUL, 3);
const ARABIC = 'ابتثجحخدذرزسشصضطظعغفقكلمنهوي';
const arabicName = () => draw(ARABIC, 4 + randomInt(4));

interface Shape {
  /** A key name and the variable part it holds. */
  make(): { name: string; secret: string };
  expected: string;
}

const SHAPES: Record<string, Shape> = {
  'lc:<12 lower-case letters/digits>:data': { make: () => ((t) => ({ name: `lc:${t}:data`, secret: t }))(draw(LOWER + '0123456789', 12)), expected: 'lc:*' },
  'lcx:<12 lower-case letters>:data': { make: () => ((t) => ({ name: `lcx:${t}:data`, secret: t }))(draw(LOWER, 12)), expected: 'lcx:*' },
  'sess:<16 base62>': { make: () => ((t) => ({ name: `sess:${t}`, secret: t }))(draw(BASE62, 16)), expected: 'sess:*' },
  'sessx:<16 base62>:meta': { make: () => ((t) => ({ name: `sessx:${t}:meta`, secret: t }))(draw(BASE62, 16)), expected: 'sessx:*' },
  '<20 base62>': { make: () => ((t) => ({ name: t, secret: t }))(draw(BASE62, 20)), expected: '*' },
  '<20 lower-case letters>': { make: () => ((t) => ({ name: t, secret: t }))(draw(LOWER, 20)), expected: '*' },
  'user:<name>:<field>': { make: () => ((n) => ({ name: `user:${n}:${pick(['profile', 'cart', 'prefs'])}`, secret: n }))(latinName()), expected: 'user:*' },
  'cardholder:<FirstLast>:<field>': { make: () => ((n) => ({ name: `cardholder:${n}:${pick(['card', 'limit'])}`, secret: n }))(capital(latinName()) + capital(latinName())), expected: 'cardholder:*' },
  '用户:<名字>:<field>': { make: () => ((n) => ({ name: `用户:${n}:${pick(['资料', '购物车'])}`, secret: n }))(hanName()), expected: '用户:*' },
  'клиент:<Имя>:<field>': { make: () => ((n) => ({ name: `клиент:${n}:${pick(['профиль', 'корзина'])}`, secret: n }))(cyrillicName()), expected: 'клиент:*' },
  '회원:<이름>:<field>': { make: () => ((n) => ({ name: `회원:${n}:${pick(['정보', '장바구니'])}`, secret: n }))(hangulName()), expected: '회원:*' },
  'عميل:<اسم>:<field>': { make: () => ((n) => ({ name: `عميل:${n}:${pick(['ملف', 'سلة'])}`, secret: n }))(arabicName()), expected: 'عميل:*' },
  'user:<HEX8>:<field>': { make: () => ((t) => ({ name: `acct:${t}:${pick(['a', 'b'])}`, secret: t }))(draw('ABCDEF', 8)), expected: 'acct:*' },
  'apikey:sk_live_<letters>:<field>': { make: () => ((t) => ({ name: `apikey:${t}:${pick(['owner', 'quota'])}`, secret: t }))(`sk_live_${draw(LOWER, 8 + randomInt(16))}`), expected: 'apikey:*' },
  'reset_token:<email>:<hex>': { make: () => ((e) => ({ name: `reset_token:${e}:${draw('0123456789abcdef', 8)}`, secret: e }))(`${latinName()}@example.com`), expected: 'reset_token:*' },
};

/** No segment of the secret, and for long secrets no 6-character run of it, is in the pattern. */
function expectNoSecret(pattern: string, name: string, secret: string): void {
  let leaked = pattern.split(/[:/|]/).includes(secret);
  if (secret.length >= 8) for (let j = 0; !leaked && j + 6 <= secret.length; j++) leaked = pattern.includes(secret.slice(j, j + 6));
  if (leaked) expect.fail(`${name} → ${pattern} keeps part of ${secret}`);
}

describe('KeyPatternLearner: what varies across sibling keys is variable, whatever its letters', () => {
  it.each(Object.entries(SHAPES))('%s', (_label, shape) => {
    for (const count of [40, 400, 4000]) {
      const keys = Array.from({ length: count }, () => shape.make());
      const patterns = redisKeyPatterns(keys.map((k) => k.name));
      keys.forEach((k, i) => {
        if (patterns[i] !== shape.expected) expect(patterns[i], k.name).toBe(shape.expected);
        expectNoSecret(patterns[i]!, k.name, k.secret);
      });
    }
  });

  it('keeps the kinds of key and drops every variable part when all shapes share one database', () => {
    const keys: { name: string; secret: string | null; expected: string }[] = [];
    for (const shape of Object.values(SHAPES)) for (let i = 0; i < 300; i++) keys.push({ ...shape.make(), expected: shape.expected });
    // Kinds of key that recur: kept.
    for (let i = 0; i < 2000; i++) keys.push({ name: `CONTACT_day:${randomInt(1e6)}`, secret: null, expected: 'CONTACT_day:*' });
    for (let i = 0; i < 500; i++) keys.push({ name: `order:detail:LK${randomInt(1e9)}`, secret: null, expected: 'order:detail:*' });
    for (let i = 0; i < 500; i++) keys.push({ name: `order:status:${randomInt(1e9)}`, secret: null, expected: 'order:status:*' });
    for (const entity of ['product', 'store', 'coupon', 'menu', 'region', 'brand']) {
      for (let i = 0; i < 200; i++) keys.push({ name: `cache:${entity}:${randomInt(1e6)}`, secret: null, expected: `cache:${entity}:*` });
    }
    for (let i = 0; i < 300; i++) keys.push({ name: `商品:库存:${randomInt(1e6)}`, secret: null, expected: '商品:库存:*' });
    for (let i = 0; i < 50; i++) keys.push({ name: `user${100000 + i}`, secret: null, expected: 'user*' });
    // Among hundreds of single-segment tokens, a lone word is not told apart from them.
    keys.push({ name: 'featureflags', secret: null, expected: '*' });
    // Shuffled, as SCAN returns them.
    for (let i = keys.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [keys[i], keys[j]] = [keys[j]!, keys[i]!];
    }
    const patterns = redisKeyPatterns(keys.map((k) => k.name));
    keys.forEach((k, i) => {
      if (patterns[i] !== k.expected) expect(patterns[i], k.name).toBe(k.expected);
      if (k.secret) expectNoSecret(patterns[i]!, k.name, k.secret);
    });
  });

  it('keeps a segment only when it recurs: a single key keeps nothing but what its siblings confirm', () => {
    expect(redisKeyPatterns(['mkt:campaign:17'])).toEqual(['*']);
    expect(redisKeyPatterns(['featureflags', 'config', 'session:a1', 'session:b2'])).toEqual(['featureflags', 'config', 'session:*', 'session:*']);
    expect(redisKeyPatterns(['iot:device:hb:1', 'iot:device:hb:2', 'iot:gateway:config'])).toEqual(['iot:device:hb:*', 'iot:device:hb:*', 'iot:*']);
    // Few kinds in a small database are kept; a few users followed by the same fields are not.
    const small = [...Array.from({ length: 10 }, (_, i) => `CONTACT_day:${i}`), 'CONTACT_week:1', 'CONTACT_week:2', 'CONTACT_month:1', 'CONTACT_month:2', 'coupon:stock:9'];
    expect(redisKeyPatterns(small)).toEqual([...Array(10).fill('CONTACT_day:*'), 'CONTACT_week:*', 'CONTACT_week:*', 'CONTACT_month:*', 'CONTACT_month:*', '*']);
    expect(new Set(redisKeyPatterns(['alice', 'bob', 'carol'].flatMap((u) => [`user:${u}:profile`, `user:${u}:cart`])))).toEqual(new Set(['user:*']));
    expect(new Set(redisKeyPatterns(['张三', '李四'].flatMap((u) => [`用户:${u}:资料`, `用户:${u}:购物车`])))).toEqual(new Set(['用户:*']));
    // A token with several keys of its own recurs, but its siblings take too many values.
    const tokens = Array.from({ length: 30 }, () => draw(LOWER, 10));
    const names = tokens.flatMap((t) => [`tok:${t}:a`, `tok:${t}:b`, `tok:${t}:c`]);
    expect(new Set(redisKeyPatterns(names))).toEqual(new Set(['tok:*']));
  });

  it('decides on the first keys (a random sample) and gives later keys the same decisions', () => {
    const learner = new KeyPatternLearner(100);
    for (let i = 0; i < 100; i++) learner.observe(`order:detail:${i}`);
    expect(learner.learning).toBe(false);
    learner.freeze();
    expect(learner.patternOf('order:detail:999999')).toBe('order:detail:*');
    // A kind first seen after the sample is variable: never kept on thinner evidence.
    expect(learner.patternOf('order:refund:1')).toBe('order:*');
    expect(learner.patternOf('late:kind:1')).toBe('*');
    expect(PATTERN_SAMPLE_KEYS).toBe(50_000);
  });
});

describe('scrubServerMessage', () => {
  it('cuts the arguments Redis quotes back and any other quoted data, keeping command names', () => {
    expect(scrubServerMessage("ERR unknown command 'MEMORY', with args beginning with: 'USAGE' 'reset_token:alice@example.com:9f8e' ")).toBe(
      "ERR unknown command 'MEMORY' (arguments not shown)",
    );
    expect(scrubServerMessage("ERR unknown command 'PTTL', with args beginning with: 'session:abc'")).toBe("ERR unknown command 'PTTL' (arguments not shown)");
    expect(scrubServerMessage("NOPERM User reader has no permissions to run the 'memory|usage' command")).toBe(
      "NOPERM User reader has no permissions to run the 'memory|usage' command",
    );
    expect(scrubServerMessage("ERR wrong key 'user:alice:cart' here")).toBe("ERR wrong key '…' here");
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
  it('stays HMAC-SHA256 across long keys (its buffer grows) and the short keys after them', () => {
    const secret = randomBytes(32);
    const hasher = createKeyHasher(secret);
    for (const length of [1000, 1024 - 64, 1024 - 63, 1024, 1025, 70_000, 3, 0, 5000, 17]) {
      const key = randomBytes(length);
      expect(hasher(key)).toBe(createHmac('sha256', secret).update(key).digest('hex').slice(0, 16));
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
