// What production Redis servers do to a pull (issue 10, items 9-14 and 24),
// through the real CLI against throwaway servers: a server with MEMORY renamed
// away, one with PTTL renamed away (fails mid-walk), key shapes holding names,
// tokens and e-mails in several scripts, --max-rows, a hash that MEMORY USAGE's
// default sampling under-reports, and a server that stops answering.
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DqReport } from '../../shared/dq/results.ts';
import { parseJson, runCli, tempDir, writeFleet } from '../helpers/cli.ts';
import { startRedis, type ThrowawayServer } from '../helpers/servers.ts';
import { querySnapshot } from '../helpers/snapshotQuery.ts';

let plain: ThrowawayServer;
let noMemory: ThrowawayServer;
let noPttl: ThrowawayServer;
let dir: string;
/** Every variable part written into a key name: none may reach the file or the output. */
const secrets: string[] = [];
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const draw = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
const SYLLABLES = ['al', 'ice', 'bo', 'ben', 'car', 'la', 'vid', 'em', 'ma', 'fi', 'on', 'gra', 'ce', 'har', 'ry', 'jo', 'ka', 'te', 'leo', 'mi', 'ra', 'no', 'ol', 'pe', 'ter', 'ro', 'se', 'sa', 'to'];
const latinName = () => Array.from({ length: 3 }, () => SYLLABLES[randomInt(SYLLABLES.length)]).join('');
const hanName = () => draw('王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗', 1) + draw('伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红', 2);
const cyrillicName = () => draw('АБВГДЕЖЗИКЛМНОПРСТУФ', 1) + draw('абвгдежзиклмнопрстуфхцчшэюя', 5);
const BIG_HASH = 'bighash';
const PERSISTENT_COUNTERS = 120;

/** Key names with a variable part of every kind, remembered in `secrets`. */
function generatedKeys(count: number): string[] {
  const names = new Set<string>();
  const add = (name: string, secret: string) => {
    names.add(name);
    secrets.push(secret);
  };
  for (let i = 0; i < count; i++) {
    const lc = draw(LOWER + '0123456789', 12);
    add(`lc:${lc}:data`, lc);
    const sess = draw(BASE62, 16);
    add(`sess:${sess}`, sess);
    const bare = draw(BASE62, 20);
    add(bare, bare);
    const user = latinName();
    add(`user:${user}:profile`, user);
    const card = `${latinName()}Smith${draw(LOWER, 3)}`.replace(/^./, (c) => c.toUpperCase());
    add(`cardholder:${card}:limit`, card);
    const han = hanName();
    add(`用户:${han}:资料`, han);
    const cyr = cyrillicName();
    add(`клиент:${cyr}:корзина`, cyr);
    const email = `${latinName()}${i}@example.com`;
    add(`reset_token:${email}:${draw('0123456789abcdef', 8)}`, email);
    const apiKey = `sk_live_${draw(LOWER, 16)}`;
    add(`apikey:${apiKey}:quota`, apiKey);
  }
  return [...names];
}

let plainNames: string[] = [];

async function seed(server: ThrowawayServer, names: string[]): Promise<void> {
  const client = new Redis({ host: server.host, port: server.port, lazyConnect: true });
  await client.connect();
  const p = client.pipeline();
  for (const name of names) p.set(name, 'v', 'EX', 3600);
  for (let i = 0; i < PERSISTENT_COUNTERS; i++) p.set(`CONTACT_day:${10_000 + i}`, '1');
  await p.exec();
  client.disconnect();
}

async function query<T>(file: string, sql: string): Promise<T[]> {
  return querySnapshot<T>(file, sql);
}

beforeAll(async () => {
  [plain, noMemory, noPttl] = await Promise.all([
    startRedis(),
    startRedis({ extraArgs: ['--rename-command', 'MEMORY', ''] }),
    startRedis({ extraArgs: ['--rename-command', 'PTTL', ''] }),
  ]);
  plainNames = generatedKeys(150);
  await Promise.all([seed(plain, plainNames), seed(noMemory, generatedKeys(40)), seed(noPttl, generatedKeys(40))]);
  // A hash of 100k small fields and 50 large ones: MEMORY USAGE's default SAMPLES 5 sees only small ones.
  const client = new Redis({ host: plain.host, port: plain.port, lazyConnect: true });
  await client.connect();
  const fill = client.pipeline();
  for (let start = 0; start < 100_000; start += 5_000) {
    const small: string[] = [];
    for (let i = start; i < start + 5_000; i++) small.push(`f${i}`, 'x');
    fill.call('HSET', BIG_HASH, ...small);
  }
  await fill.exec();
  const large: string[] = [];
  for (let i = 0; i < 50; i++) large.push(`big${i}`, 'y'.repeat(200_000));
  await client.hset(BIG_HASH, ...large);
  client.disconnect();
  dir = tempDir('snapbench-redis-fidelity-');
}, 120_000);

afterAll(async () => {
  await Promise.all([plain?.stop(), noMemory?.stop(), noPttl?.stop()]);
});

describe('a fleet of Redis servers set up as production ones are', () => {
  let file: string;
  let pulled: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    file = join(dir, 'fleet.snapbench');
    const fleet = writeFleet(dir, [
      { name: 'plain', engine: 'redis', host: plain.host, port: plain.port },
      { name: 'plain-exact', engine: 'redis', host: plain.host, port: plain.port, memory_samples: 0 },
      { name: 'no-memory', engine: 'redis', host: noMemory.host, port: noMemory.port },
      { name: 'no-pttl', engine: 'redis', host: noPttl.host, port: noPttl.port },
    ]);
    pulled = await runCli(['pull', '--fleet', fleet, '--out', file]);
  }, 120_000);

  it('fails the instance whose PTTL is renamed away, rolls its tables back, and the file verifies and shares (items 9, 10)', async () => {
    expect(pulled.code, pulled.stderr).toBe(3);
    expect(pulled.stderr).toMatch(/no-pttl.*ERR unknown command 'PTTL' \(arguments not shown\)/);
    const instances = await query<{ instance: string; status: string; error: string | null; tables: number }>(file, 'SELECT instance, status, error, tables FROM _snapbench_instances ORDER BY instance');
    expect(Object.fromEntries(instances.map((i) => [i.instance, i.status]))).toEqual({ 'no-memory': 'pulled', 'no-pttl': 'failed', plain: 'pulled', 'plain-exact': 'pulled' });
    const failed = instances.find((i) => i.instance === 'no-pttl')!;
    expect(failed.error).toBe("ERR unknown command 'PTTL' (arguments not shown)".replace(/^/, `Redis instance "no-pttl" at ${noPttl.host}:${noPttl.port}: `));
    expect(failed.tables).toBe(0);
    expect(await query(file, `SELECT name FROM sqlite_master WHERE name LIKE 'no-pttl/%'`)).toEqual([]);
    expect(await query(file, `SELECT * FROM _snapbench_tables WHERE instance = 'no-pttl'`)).toEqual([]);
    expect(await query(file, `SELECT * FROM _snapbench_redis_patterns WHERE instance = 'no-pttl'`)).toEqual([]);
    const verified = await runCli(['verify', file]);
    expect(verified.code, verified.stdout).toBe(0);
    const shared = await runCli(['share', file, '--out', join(dir, 'shared.snapbench')]);
    expect(shared.code, shared.stderr).toBe(0);
  });

  it('keeps every key name, token, person name and e-mail out of the file, stderr and facts (items 10, 11)', () => {
    const bytes = readFileSync(file);
    const leaked = secrets.filter((s) => bytes.includes(Buffer.from(s, 'utf8')));
    expect(leaked).toEqual([]);
    for (const s of secrets) expect(pulled.stderr.includes(s), s).toBe(false);
    expect(bytes.includes(Buffer.from('example.com'))).toBe(false);
  });

  it('gives the generated shapes their kinds only, in every script (item 11)', async () => {
    const patterns = await query<{ pattern: string; keys: number }>(file, `SELECT pattern, keys FROM _snapbench_redis_patterns WHERE instance = 'plain' ORDER BY pattern`);
    // Random names may repeat; the key count per kind is that of the distinct names written.
    const expected: Record<string, number> = { '*': 1, 'CONTACT_day:*': PERSISTENT_COUNTERS };
    for (const name of plainNames) {
      const kind = name.includes(':') ? `${name.slice(0, name.indexOf(':'))}:*` : '*';
      expected[kind] = (expected[kind] ?? 0) + 1;
    }
    expect(Object.keys(expected).sort()).toEqual(['*', 'CONTACT_day:*', 'apikey:*', 'cardholder:*', 'lc:*', 'reset_token:*', 'sess:*', 'user:*', 'клиент:*', '用户:*']);
    expect(Object.fromEntries(patterns.map((p) => [p.pattern, p.keys]))).toEqual(expected);
  });

  it('keeps unknown memory unknown: NULL sums with the count of keys they cover, and RDS-001 says so (items 10, 13)', async () => {
    const facts = await query<{ name: string; value: string }>(file, `SELECT name, value FROM _snapbench_server_facts WHERE instance = 'no-memory' AND category = 'inventory' ORDER BY name`);
    const fact = Object.fromEntries(facts.map((f) => [f.name, f.value]));
    expect(fact.memory_usage).toBe("unavailable: ERR unknown command 'MEMORY' (arguments not shown)");
    const counters = await query<Record<string, number | null>>(
      file,
      `SELECT keys, persistent_keys, memory_bytes, persistent_memory_bytes, memory_unknown_keys, persistent_memory_unknown_keys
         FROM _snapbench_redis_patterns WHERE instance = 'no-memory' AND pattern = 'CONTACT_day:*'`,
    );
    expect(counters).toEqual([
      { keys: PERSISTENT_COUNTERS, persistent_keys: PERSISTENT_COUNTERS, memory_bytes: null, persistent_memory_bytes: null, memory_unknown_keys: PERSISTENT_COUNTERS, persistent_memory_unknown_keys: PERSISTENT_COUNTERS },
    ]);
    const known = await query<Record<string, number | null>>(
      file,
      `SELECT persistent_memory_bytes > 0 AS known, persistent_memory_unknown_keys FROM _snapbench_redis_patterns WHERE instance = 'plain' AND pattern = 'CONTACT_day:*'`,
    );
    expect(known).toEqual([{ known: 1, persistent_memory_unknown_keys: 0 }]);
    const dq = await runCli(['dq', file, '--format', 'json', '--no-store']);
    const rds001 = parseJson<DqReport>(dq).results.find((r) => r.id === 'RDS-001')!;
    // Three instances each hold 120 persistent counters; one of them could not size them.
    expect(rds001).toMatchObject({ status: 'fail', count: 3 * PERSISTENT_COUNTERS, total: 3 * PERSISTENT_COUNTERS });
    expect(rds001.metrics).toMatchObject({ persistent_memory_unknown_keys: PERSISTENT_COUNTERS, instances: { 'no-memory': PERSISTENT_COUNTERS } });
    expect(rds001.metrics.persistent_memory_bytes as number).toBeGreaterThan(0);
  });

  it('records the MEMORY USAGE sampling, and memory_samples: 0 sizes a hash exactly (item 14)', async () => {
    const samples = await query<{ instance: string; value: string }>(file, `SELECT instance, value FROM _snapbench_server_facts WHERE category = 'inventory' AND name = 'memory_samples' ORDER BY instance`);
    expect(Object.fromEntries(samples.map((s) => [s.instance, s.value.split(':')[0]]))).toEqual({ 'no-memory': '5', plain: '5', 'plain-exact': '0' });
    const client = new Redis({ host: plain.host, port: plain.port, lazyConnect: true });
    await client.connect();
    const exact = Number(await client.call('MEMORY', 'USAGE', BIG_HASH, 'SAMPLES', '0'));
    const sampled = Number(await client.call('MEMORY', 'USAGE', BIG_HASH));
    client.disconnect();
    expect(exact / sampled).toBeGreaterThan(2);
    const largest = async (instance: string) =>
      (await query<{ memory: number }>(file, `SELECT max(memory_bytes) AS memory FROM "${instance}/db0/keys" WHERE type = 'hash'`))[0]!.memory;
    expect(await largest('plain-exact')).toBe(exact);
    // The default estimate varies with the fields sampled; it is far below the exact size.
    expect(await largest('plain')).toBeLessThan(exact / 2);
  });
});

describe('--max-rows on Redis (item 12)', () => {
  it('marks each cut database and its pattern statistics as limited, and lists them as not read whole', async () => {
    const file = join(dir, 'limited.snapbench');
    const fleet = writeFleet(dir, [{ name: 'plain', engine: 'redis', host: plain.host, port: plain.port }], 'limited.yaml');
    const result = await runCli(['pull', '--fleet', fleet, '--out', file, '--max-rows', '100', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = parseJson<{ notRead: { sqlName: string; status: string; reason: string }[] }>(result);
    expect(summary.notRead).toEqual([{ instance: 'plain', database: 'db0', table: 'keys', sqlName: '"plain/db0/keys"', status: 'partial', reason: '--max-rows: the first 100 keys SCAN returned' }]);
    const tables = parseJson<{ table: string; rows: number; status: string; schema: string | null }[]>(await runCli(['tables', file, '--format', 'json']));
    expect(tables).toEqual([expect.objectContaining({ instance: 'plain', table: 'keys', rows: 100, status: 'partial', schema: null })]);
    expect(await query(file, `SELECT limited FROM _snapbench_tables`)).toEqual([{ limited: 1 }]);
    const patterns = await query<{ keys: number; limited: number }>(file, `SELECT sum(keys) AS keys, min(limited) AS limited FROM _snapbench_redis_patterns`);
    expect(patterns).toEqual([{ keys: 100, limited: 1 }]);
    const fact = await query<{ value: string }>(file, `SELECT value FROM _snapbench_server_facts WHERE category = 'inventory' AND name = 'limited'`);
    expect(fact[0]!.value).toMatch(/^true: at most 100 keys per database/);
    expect((await runCli(['verify', file])).code).toBe(0);
  });
});

describe('an unresponsive Redis (item 24)', () => {
  it('fails within the command timeout instead of waiting, and --help states the defaults', async () => {
    const help = await runCli(['pull', '--help']);
    expect(help.stdout).toMatch(/connect_timeout_ms\s+connecting and logging in; default 10000 \(10 s\)/);
    // The help is wrapped at 80 columns: the words may continue on the next line.
    expect(help.stdout).toMatch(/statement_timeout_ms\s+Redis: one command without an answer fails the\s+instance; default 60000 \(60 s\)/);
    // A stopped process: the kernel still accepts the connection, nothing answers.
    process.kill(noPttl.pid, 'SIGSTOP');
    try {
      const fleet = writeFleet(
        dir,
        [
          { name: 'plain', engine: 'redis', host: plain.host, port: plain.port, databases: [1] },
          { name: 'stopped', engine: 'redis', host: noPttl.host, port: noPttl.port, connect_timeout_ms: 1000, statement_timeout_ms: 1500 },
        ],
        'stopped.yaml',
      );
      const started = Date.now();
      const result = await runCli(['pull', '--fleet', fleet, '--out', join(dir, 'stopped.snapbench')]);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(/instance "stopped".*timed out.*statement_timeout_ms/);
    } finally {
      process.kill(noPttl.pid, 'SIGCONT');
    }
  });
});
