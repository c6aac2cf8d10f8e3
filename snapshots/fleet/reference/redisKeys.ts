// The Redis key spaces of the reference fleet (reference-fleet.md, "Redis
// instances"). Keys carry their values so that `fleet seed` can write them;
// the demo only uses name, type and TTL (and sizes derived from the value).
import { commodities, couponTemplates, STORES } from './catalog.ts';
import type { ReferenceRedis, RedisKeySpec } from './model.ts';
import { lastOrderNumbers, type OrderVolumes } from './orders.ts';
import { Random } from './random.ts';
import { DAY, formatDateTime, NOW } from './time.ts';
import { appendedContactKeys, noTtlKeysPerWeek, plantedGrowth, type PlantedGrowth } from './growth.ts';

export interface RedisVolumes {
  users: number;
  sessions: number;
  cachedOrders: number;
  campaigns: number;
}

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

function space(instance: string, expectedKeys: number, keys: () => Iterable<RedisKeySpec>): ReferenceRedis {
  return { instance, db: 0, expectedKeys, keys };
}

/**
 * Per-user reach counters with a TTL, in proportion to the report's 2.9M keys
 * with a TTL against 2.69M without (4.3): 2.3 × 2.9 / 2.69 ≈ 2.49 per user.
 */
const REACH_SHARE = [0.95, 0.85, 0.69];

/** Share of users with each contact-frequency counter. */
const CONTACT_SHARE: [string, number][] = [
  ['CONTACT_month', 0.95],
  ['CONTACT_week', 0.8],
  ['CONTACT_day', 0.55],
];

/** The key spaces; `growth` appends the counters of the users who registered during the series. */
export function redisSpaces(seed: number, v: RedisVolumes, orders: OrderVolumes, growth: PlantedGrowth = plantedGrowth(0, 0)): ReferenceRedis[] {
  const menu = commodities().filter((c) => c.sellable);
  const activeTemplates = couponTemplates().filter((t) => t.active === 1);
  return [
    space('luckyus-isales-market', Math.round(v.users * (2.3 + 2.49)) + v.campaigns + activeTemplates.length + growth.weeks * noTtlKeysPerWeek(growth), function* () {
      const rng = new Random(seed, 'redis/market');
      // Contact-frequency counters accumulate forever: no TTL (RDS-001).
      for (let user = 1; user <= v.users; user++) {
        for (const [prefix, share] of CONTACT_SHARE) {
          if (rng.chance(share)) yield { name: `${prefix}:${user}`, type: 'string', ttlMs: -1, value: String(rng.int(1, prefix === 'CONTACT_month' ? 30 : 7)) };
        }
      }
      // Reach counters expire with their campaign window (their own stream, so the counters above stay as planted).
      const reach = new Random(seed, 'redis/market-reach');
      for (let user = 1; user <= v.users; user++) {
        for (let window = 0; window < REACH_SHARE.length; window++) {
          if (reach.chance(REACH_SHARE[window]!)) yield { name: `mkt:freq:${user}:${window + 1}`, type: 'string', ttlMs: reach.int(1, 30) * DAY_MS, value: String(reach.int(1, 20)) };
        }
      }
      for (let id = 2001; id < 2001 + v.campaigns; id++) {
        const start = NOW - rng.int(1, 60) * 86400;
        yield {
          name: `mkt:campaign:${id}`,
          type: 'hash',
          ttlMs: rng.int(1, 45) * DAY_MS,
          value: ['name', `Campaign ${id}`, 'start', formatDateTime(start), 'end', formatDateTime(start + 30 * DAY), 'budget', String(rng.int(500, 20000)), 'status', 'running'],
        };
      }
      for (const t of activeTemplates) {
        yield { name: `coupon:stock:${t.id}`, type: 'string', ttlMs: rng.int(1, 30) * DAY_MS, value: String(rng.int(0, 50000)) };
      }
      yield* appendedContactKeys(seed, growth, v.users);
    }),
    space('luckyus-isales-session', v.sessions, function* () {
      const rng = new Random(seed, 'redis/session');
      for (let i = 0; i < v.sessions; i++) {
        yield {
          name: `session:${rng.hex(32)}`,
          type: 'hash',
          ttlMs: rng.int(HOUR_MS, 30 * DAY_MS),
          value: ['userId', String(rng.int(1, Math.max(1, v.users))), 'device', rng.pick(['ios', 'android', 'web']), 'loginAt', formatDateTime(NOW - rng.int(0, 29) * 86400), 'appVersion', rng.pick(['5.2.0', '5.3.1', '5.4.0'])],
        };
      }
    }),
    space('luckyus-isales-order', v.cachedOrders, function* () {
      const rng = new Random(seed, 'redis/order');
      // Read-through cache of the latest orders, ~96 s TTL: keys written by
      // `fleet seed` expire 60–96 s later, so pull promptly after seeding.
      for (const orderNo of lastOrderNumbers(orders, STORES, v.cachedOrders)) {
        const shop = rng.pick(STORES.filter((s) => !s.test));
        yield { name: `order:detail:${orderNo}`, type: 'string', ttlMs: rng.int(60_000, 96_000), value: JSON.stringify({ orderNo, shopId: shop.id, status: 3, items: rng.int(1, 3) }) };
      }
    }),
    space('luckyus-isales-commodity', menu.length, function* () {
      const rng = new Random(seed, 'redis/commodity');
      for (const c of menu) {
        yield { name: `commodity:${c.id}`, type: 'string', ttlMs: rng.int(10 * 60_000, DAY_MS), value: JSON.stringify({ id: c.id, name: c.name, nameEn: c.nameEn, price: c.priceCents / 100 }) };
      }
    }),
    // Near-empty clusters: a handful of keys on a whole node.
    space('luckyus-iotplatform', 6, function* () {
      const rng = new Random(seed, 'redis/iot');
      for (let device = 1; device <= 5; device++) {
        yield { name: `iot:device:heartbeat:${210000 + device}`, type: 'hash', ttlMs: rng.int(HOUR_MS / 2, HOUR_MS), value: ['shopId', String(STORES[device]!.id), 'model', 'LM-ESP-200', 'lastSeen', formatDateTime(NOW - rng.int(0, 300))] };
      }
      yield { name: 'iot:gateway:config', type: 'string', ttlMs: -1, value: JSON.stringify({ pollSeconds: 30, mqtt: 'mqtt://10.20.8.4:1883' }) };
    }),
    space('luckyus-apigateway', 5, function* () {
      const rng = new Random(seed, 'redis/apigateway');
      for (const client of ['app-ios', 'app-android', 'partner-doordash']) {
        yield { name: `apigw:ratelimit:${client}-${rng.int(100, 999)}`, type: 'string', ttlMs: rng.int(HOUR_MS / 2, HOUR_MS), value: String(rng.int(1, 600)) };
      }
      yield { name: 'apigw:route:table', type: 'hash', ttlMs: -1, value: ['/v1/order', 'isales-order', '/v1/menu', 'isales-commodity', '/v1/coupon', 'isales-market'] };
      yield { name: 'apigw:blocklist', type: 'set', ttlMs: -1, value: ['203.0.113.7', '198.51.100.23'] };
    }),
  ];
}

/**
 * About what MEMORY USAGE reports for the key (Redis 6, jemalloc): object
 * header and dict entry, key and value rounded up to allocator size classes.
 * Only for the demo; a pull reads the server's own figure.
 */
export function estimateMemoryBytes(key: RedisKeySpec): number {
  const round = (n: number) => (n <= 64 ? Math.ceil(n / 8) * 8 : Math.ceil(n / 16) * 16);
  const keyBytes = round(Buffer.byteLength(key.name) + 9);
  if (key.type === 'string') {
    const value = key.value as string;
    // Small integers are stored inside the object header.
    const valueBytes = /^-?\d{1,19}$/.test(value) ? 0 : round(Buffer.byteLength(value) + 4);
    return 40 + keyBytes + valueBytes + (key.ttlMs === -1 ? 0 : 8);
  }
  const parts = key.value as string[];
  const packed = parts.reduce((n, p) => n + Buffer.byteLength(p) + 2, 11);
  return 40 + keyBytes + round(packed) + (key.ttlMs === -1 ? 0 : 8);
}
