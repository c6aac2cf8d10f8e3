// The Redis adapter against a throwaway redis-server: inventory, privacy of key
// names, server facts, the read-only proof (MONITOR), AUTH / ACL and errors.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_ALLOWED_COMMANDS, REDIS_ALLOWED_SUBCOMMANDS, redisAdapter } from '../../snapshots/engines/redis/index.ts';
import { PullError } from '../../snapshots/engines/types.ts';
import type { FleetInstance } from '../../shared/model/fleet.ts';
import type { RedisKeyRecord } from '../../shared/model/snapshot.ts';
import { CollectingTarget, testPullOptions } from '../helpers/collectingTarget.ts';
import { freePort, startRedis, type ThrowawayServer } from '../helpers/servers.ts';

const MAXMEMORY_MB = 64;
const CONTACTS = 300;
const SESSIONS = 60;
const ORDERS = 40;
const COMMODITIES = 25;
const BINARY_KEY = Buffer.from([0x62, 0x69, 0x6e, 0x3a, 0x80, 0xff, 0x01]); // "bin:" + invalid UTF-8

let server: ThrowawayServer;
let admin: Redis;
const sessionTokens: string[] = [];
const orderNumbers: string[] = [];

function instance(overrides: Partial<FleetInstance> = {}, connection: Partial<NonNullable<FleetInstance['connection']>> = {}): FleetInstance {
  return {
    name: 'luckyus-isales-test',
    engine: 'redis',
    connection: { host: server.host, port: server.port, connectTimeoutMs: 5_000, statementTimeoutMs: 30_000, ...connection },
    rawKeyNames: false,
    readValues: false,
    ...overrides,
  };
}

function byPattern(records: RedisKeyRecord[], pattern: string, db?: number): RedisKeyRecord[] {
  return records.filter((r) => r.pattern === pattern && (db === undefined || r.db === db));
}

/** `cmdstat_config|get:calls=3,...` → config|get → 3 (Redis 7 names sub-commands; older ones do not). */
function parseCommandStats(text: string): Map<string, number> {
  const stats = new Map<string, number>();
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) stats.set(match[1].toLowerCase(), Number(match[2]));
  return stats;
}

async function expectPullError(promise: Promise<unknown>): Promise<PullError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PullError);
  return error as PullError;
}

beforeAll(async () => {
  server = await startRedis({ maxmemoryMb: MAXMEMORY_MB });
  admin = new Redis({ host: server.host, port: server.port, lazyConnect: true });
  await admin.connect();
  const p = admin.pipeline();
  p.select(0);
  for (let i = 0; i < CONTACTS; i++) p.set(`CONTACT_day:${100000 + i}`, String(i % 7));
  for (let i = 0; i < SESSIONS; i++) {
    const token = randomBytes(24).toString('base64url');
    sessionTokens.push(token);
    p.hset(`session:${token}`, 'uid', String(i), 'ts', '1700000000');
    p.pexpire(`session:${token}`, 3_600_000);
  }
  for (let i = 0; i < ORDERS; i++) {
    const orderNo = `LK2024010112${String(i).padStart(4, '0')}`;
    orderNumbers.push(orderNo);
    p.set(`order:detail:${orderNo}`, JSON.stringify({ amount: 12.5, i }), 'EX', 96);
  }
  p.set(BINARY_KEY, 'x');
  p.rpush('queue:jobs', 'a', 'b');
  p.rpush('queue:mail', 'c');
  p.select(2);
  for (let i = 0; i < COMMODITIES; i++) p.set(`commodity:${1000 + i}`, 'latte', 'EX', 600);
  p.hset('mkt:campaign:17', 'name', 'spring');
  p.select(0);
  await p.exec();
}, 60_000);

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

const DB0_KEYS = CONTACTS + SESSIONS + ORDERS + 3;
const DB2_KEYS = COMMODITIES + 1;

describe('redisAdapter.pullInstance', () => {
  it('inventories every database with patterns, types, TTLs and memory, sending only allowed commands', async () => {
    // The read-only proof, twice: MONITOR shows every command with its arguments
    // except "admin" ones (CONFIG, ACL, DEBUG, ...); INFO commandstats, reset
    // just before the pull, counts every command executed, admin ones included.
    const seen: { args: string[]; source: string }[] = [];
    const monitor = await admin.monitor();
    const marker = `end-of-pull-${randomBytes(4).toString('hex')}`;
    let markerSeen!: () => void;
    const markerArrived = new Promise<void>((resolve) => (markerSeen = resolve));
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (args[0]?.toLowerCase() === 'echo' && args[1] === marker) markerSeen();
      else seen.push({ args, source });
    });

    const target = new CollectingTarget();
    const options = testPullOptions();
    let commandStats: Map<string, number>;
    try {
      await admin.config('RESETSTAT');
      await redisAdapter.pullInstance(instance(), target, options);
      await admin.echo(marker);
      await markerArrived;
      commandStats = parseCommandStats(await admin.info('commandstats'));
    } finally {
      monitor.disconnect();
    }

    // Every command executed during the pull, by anyone: the adapter's, plus this test's own.
    const testOwn = ['config|resetstat', 'echo'];
    for (const [name] of commandStats) {
      const [command, sub] = name.split('|');
      if (testOwn.includes(name)) continue;
      expect(REDIS_ALLOWED_COMMANDS, name).toContain(command);
      if (REDIS_ALLOWED_SUBCOMMANDS[command]) expect(REDIS_ALLOWED_SUBCOMMANDS[command], name).toContain(sub);
    }
    expect(commandStats.get('config|get')).toBe(3);
    expect(commandStats.get('type')).toBe(DB0_KEYS + DB2_KEYS);
    expect(commandStats.get('memory|usage')).toBe(DB0_KEYS + DB2_KEYS);

    const commands = seen.map(({ args }) => args.map((a) => a.toLowerCase()));
    const names = new Set(commands.map((c) => c[0]));
    for (const command of commands) {
      expect(REDIS_ALLOWED_COMMANDS, command.join(' ')).toContain(command[0]);
      const sub = REDIS_ALLOWED_SUBCOMMANDS[command[0]];
      if (sub) expect(sub, command.join(' ')).toContain(command[1]);
    }
    for (const forbidden of ['keys', 'get', 'hgetall', 'hget', 'lrange', 'smembers', 'zrange', 'xrange', 'dump', 'client', 'set', 'del', 'flushall', 'debug', 'object'])
      expect(names.has(forbidden), forbidden).toBe(false);
    for (const used of ['info', 'select', 'scan', 'type', 'pttl', 'memory']) expect(names.has(used), used).toBe(true);
    // SCAN walks with MATCH * COUNT 1000.
    for (const scan of commands.filter((c) => c[0] === 'scan')) expect(scan.slice(2)).toEqual(['match', '*', 'count', '1000']);

    // Counts per database.
    expect(target.redisDatabases).toEqual([0, 2]);
    const records = target.redisKeys;
    expect(records.filter((r) => r.db === 0)).toHaveLength(DB0_KEYS);
    expect(records.filter((r) => r.db === 2)).toHaveLength(DB2_KEYS);

    // Patterns, types and TTLs.
    const contacts = byPattern(records, 'CONTACT_day:*', 0);
    expect(contacts).toHaveLength(CONTACTS);
    expect(contacts.every((r) => r.type === 'string' && r.ttlMs === -1)).toBe(true);
    const sessions = byPattern(records, 'session:*', 0);
    expect(sessions).toHaveLength(SESSIONS);
    expect(sessions.every((r) => r.type === 'hash' && r.ttlMs > 3_500_000 && r.ttlMs <= 3_600_000)).toBe(true);
    const orders = byPattern(records, 'order:detail:*', 0);
    expect(orders).toHaveLength(ORDERS);
    expect(orders.every((r) => r.type === 'string' && r.ttlMs > 0 && r.ttlMs <= 96_000)).toBe(true);
    expect(byPattern(records, 'queue:*', 0).map((r) => r.type)).toEqual(['list', 'list']);
    expect(byPattern(records, 'commodity:*', 2)).toHaveLength(COMMODITIES);
    // A key alone of its kind keeps nothing of its name: a segment is kept only when it recurs.
    expect(byPattern(records, '*', 2).map((r) => r.type)).toEqual(['hash']);
    expect(records.every((r) => typeof r.memoryBytes === 'number' && r.memoryBytes > 0)).toBe(true);

    // The binary key: pattern from its escaped name, hash of its raw bytes.
    const hashOf = (key: Buffer | string) => createHmac('sha256', options.keyHashSecret).update(key).digest('hex').slice(0, 16);
    const binary = records.find((r) => r.keyHash === hashOf(BINARY_KEY));
    expect(binary).toMatchObject({ db: 0, pattern: '*', keyName: null, type: 'string', ttlMs: -1 });
    expect(sessions.map((r) => r.keyHash).sort()).toEqual(sessionTokens.map((t) => hashOf(`session:${t}`)).sort());

    // Privacy: no token or order number anywhere in what the adapter handed over.
    const everything = JSON.stringify({ records, facts: target.facts, events: options.events });
    for (const token of sessionTokens) expect(everything.includes(token)).toBe(false);
    for (const orderNo of orderNumbers) expect(everything.includes(orderNo)).toBe(false);
    expect(records.every((r) => r.keyName === null)).toBe(true);

    // Facts.
    expect(target.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(target.fact('server', 'redis_version')).toBe(target.version);
    const usedMemory = Number(target.fact('memory', 'used_memory'));
    expect(usedMemory).toBeGreaterThan(0);
    expect(target.fact('keyspace', 'db0')).toMatch(new RegExp(`^keys=${DB0_KEYS},`));
    expect(target.fact('config', 'maxmemory')).toBe(String(MAXMEMORY_MB * 1024 * 1024));
    expect(target.fact('config', 'maxmemory-policy')).toBeTruthy();
    expect(target.fact('config', 'maxmemory-samples')).toBeTruthy();
    expect(target.fact('inventory', 'allocation_source')).toBe('maxmemory');
    expect(target.fact('inventory', 'allocated_memory_bytes')).toBe(String(MAXMEMORY_MB * 1024 * 1024));
    const utilisation = Number(target.fact('inventory', 'utilisation'));
    expect(utilisation).toBeGreaterThan(0);
    expect(utilisation).toBeCloseTo(usedMemory / (MAXMEMORY_MB * 1024 * 1024), 3);
    expect(target.fact('inventory', 'memory_usage')).toBe('available');
    for (const section of ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'keyspace'])
      expect(target.facts.some((f) => f.category === section), section).toBe(true);

    expect(target.consistency).toBe('scan');
    expect(target.consistencyNote).toMatch(/SCAN/);
    expect(options.events).toContainEqual({ type: 'table-start', instance: 'luckyus-isales-test', table: 'db0/keys', estimatedRows: DB0_KEYS });
    expect(options.events).toContainEqual({ type: 'table-done', instance: 'luckyus-isales-test', table: 'db0/keys', rows: DB0_KEYS, limited: false });
    expect(options.events).toContainEqual({ type: 'table-done', instance: 'luckyus-isales-test', table: 'db2/keys', rows: DB2_KEYS, limited: false });

    // Both of the adapter's connections are closed.
    await expect.poll(async () => String(await admin.client('LIST')).trim().split('\n').length, { timeout: 2_000 }).toBe(1);
  });

  it('walks a keyspace of many SCAN pages exactly once, with progress every 50k keys', async () => {
    const KEYS = 120_000;
    const DB = 5;
    const seed = new Redis({ host: server.host, port: server.port, db: DB, lazyConnect: true });
    await seed.connect();
    try {
      for (let start = 0; start < KEYS; start += 10_000) {
        const p = seed.pipeline();
        for (let i = start; i < start + 10_000; i++) {
          if (i % 3 === 0) p.set(`CONTACT_week:${i}`, '1');
          else p.set(`coupon:stock:${i}`, '1', 'EX', 3_600);
        }
        await p.exec();
      }
      const target = new CollectingTarget();
      const options = testPullOptions();
      await redisAdapter.pullInstance(instance({ databases: [String(DB)] }), target, options);
      expect(target.redisKeys).toHaveLength(KEYS);
      expect(new Set(target.redisKeys.map((r) => r.keyHash)).size).toBe(KEYS);
      expect(byPattern(target.redisKeys, 'CONTACT_week:*')).toHaveLength(KEYS / 3);
      expect(byPattern(target.redisKeys, 'coupon:stock:*').every((r) => r.ttlMs > 0)).toBe(true);
      const progress = options.events.filter((e) => e.type === 'table-progress');
      expect(progress.map((e) => (e as { rows: number }).rows).every((rows, i) => rows >= (i + 1) * 50_000)).toBe(true);
      expect(progress).toHaveLength(2);
      expect(options.events.at(-1)).toEqual({ type: 'table-done', instance: 'luckyus-isales-test', table: `db${DB}/keys`, rows: KEYS, limited: false });

      // maxRows cuts inside a page, after several pages.
      const limitedTarget = new CollectingTarget();
      const limitedOptions = testPullOptions({ maxRows: 2_500 });
      await redisAdapter.pullInstance(instance({ databases: [String(DB)] }), limitedTarget, limitedOptions);
      expect(limitedTarget.redisKeys).toHaveLength(2_500);
      expect(limitedOptions.events.at(-1)).toMatchObject({ type: 'table-done', rows: 2_500, limited: true });
    } finally {
      await seed.flushdb();
      seed.disconnect();
    }
  });

  it('keeps raw key names only when the manifest asks for them', async () => {
    const target = new CollectingTarget();
    await redisAdapter.pullInstance(instance({ rawKeyNames: true }), target, testPullOptions());
    const everything = JSON.stringify(target.redisKeys);
    for (const token of sessionTokens) expect(everything.includes(token)).toBe(true);
    expect(target.redisKeys.map((r) => r.keyName)).toContain('bin:\\x80\\xff\u0001');
    expect(target.redisKeys.find((r) => r.keyName === 'CONTACT_day:100000')?.pattern).toBe('CONTACT_day:*');
  });

  it('walks only the manifest databases and takes the allocation from the manifest', async () => {
    const target = new CollectingTarget();
    await redisAdapter.pullInstance(instance({ databases: ['2'], allocatedMemoryMb: 4905 }), target, testPullOptions());
    expect(target.redisDatabases).toEqual([2]);
    expect(target.redisKeys).toHaveLength(DB2_KEYS);
    const allocated = 4905 * 1024 * 1024;
    expect(target.fact('inventory', 'allocation_source')).toBe('manifest');
    expect(target.fact('inventory', 'allocated_memory_bytes')).toBe(String(allocated));
    expect(Number(target.fact('inventory', 'utilisation'))).toBeCloseTo(Number(target.fact('memory', 'used_memory')) / allocated, 6);
  });

  it('stops each database at maxRows and says so', async () => {
    const target = new CollectingTarget();
    const options = testPullOptions({ maxRows: 10 });
    await redisAdapter.pullInstance(instance(), target, options);
    expect(target.redisKeys.filter((r) => r.db === 0)).toHaveLength(10);
    expect(options.events).toContainEqual({ type: 'table-done', instance: 'luckyus-isales-test', table: 'db0/keys', rows: 10, limited: true });
  });

  it('goes on without CONFIG and MEMORY USAGE when the server refuses them (ACL user, as on ElastiCache)', async () => {
    await admin.call('ACL', 'SETUSER', 'snapreader', 'on', '>reader-Pw-1', '~*', 'resetchannels', '-@all', '+info', '+select', '+scan', '+type', '+pttl');
    try {
      const target = new CollectingTarget();
      await redisAdapter.pullInstance(instance({}, { user: 'snapreader' }), target, testPullOptions({ password: 'reader-Pw-1' }));
      expect(target.fact('config', 'unavailable')).toMatch(/NOPERM/);
      expect(target.fact('config', 'maxmemory')).toBeUndefined();
      // maxmemory then comes from INFO memory.
      expect(target.fact('inventory', 'allocation_source')).toBe('maxmemory');
      expect(target.redisKeys).toHaveLength(DB0_KEYS + DB2_KEYS);
      expect(target.redisKeys.every((r) => r.memoryBytes === null)).toBe(true);
      expect(target.fact('inventory', 'memory_usage')).toMatch(/^unavailable: NOPERM/);
    } finally {
      await admin.call('ACL', 'DELUSER', 'snapreader');
    }
  });

  it('reports a refused or missing password without revealing it', async () => {
    const password = 'S3cret-Pw-rightOne';
    await admin.config('SET', 'requirepass', password);
    try {
      const wrong = 'Wr0ng-Pw-guessed';
      const refused = await expectPullError(
        redisAdapter.pullInstance(instance({}, { passwordEnv: 'MARKET_PW' }), new CollectingTarget(), testPullOptions({ password: wrong })),
      );
      expect(refused.message).toContain('luckyus-isales-test');
      expect(refused.message).toContain(`${server.host}:${server.port}`);
      expect(refused.message).toMatch(/WRONGPASS|invalid password/);
      expect(refused.message).not.toContain(wrong);
      expect(refused.message).not.toContain(password);
      expect(refused.hint).toMatch(/password_env \(MARKET_PW\)/);
      expect(refused.hint ?? '').not.toContain(wrong);

      const missing = await expectPullError(redisAdapter.pullInstance(instance(), new CollectingTarget(), testPullOptions()));
      expect(missing.message).toMatch(/NOAUTH/);
      expect(missing.hint).toMatch(/password_env/);

      const target = new CollectingTarget();
      await redisAdapter.pullInstance(instance(), target, testPullOptions({ password }));
      expect(target.redisKeys).toHaveLength(DB0_KEYS + DB2_KEYS);
    } finally {
      // admin authenticated before requirepass was set, so it can still undo it.
      await admin.config('SET', 'requirepass', '');
    }
  });

  it('says what to check when nothing listens on the port', async () => {
    const port = await freePort();
    const error = await expectPullError(redisAdapter.pullInstance(instance({}, { port }), new CollectingTarget(), testPullOptions()));
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('luckyus-isales-test');
    expect(error.hint).toBe('is the server running and the port right?');
  });

  it('gives up when the server does not answer, and says so', async () => {
    // Accepts the connection and never answers, like a hung or overloaded server.
    const silent = createServer((socket) => socket.on('data', () => {}));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const started = Date.now();
      const error = await expectPullError(
        redisAdapter.pullInstance(instance({}, { port, statementTimeoutMs: 500 }), new CollectingTarget(), testPullOptions()),
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(error.code).toBe('timeout');
      expect(error.message).toMatch(/timed out/);
      expect(error.hint).toMatch(/statement_timeout_ms/);
    } finally {
      silent.close();
    }
  });

  it('stops when the signal aborts, and closes its connections', async () => {
    const controller = new AbortController();
    const options = testPullOptions({
      signal: controller.signal,
      progress: (event) => {
        if (event.type === 'table-start') controller.abort();
      },
    });
    const error = await expectPullError(redisAdapter.pullInstance(instance(), new CollectingTarget(), options));
    expect(error.code).toBe('aborted');
    await expect.poll(async () => String(await admin.client('LIST')).trim().split('\n').length, { timeout: 2_000 }).toBe(1);
  });
});
