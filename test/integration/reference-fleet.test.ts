// The reference fleet end to end: `snapbench demo` writes a snapshot that
// verifies and lists every table of reference-fleet.md with the planted row
// counts; `snapbench fleet seed` loads the same data into throwaway MariaDB,
// PostgreSQL and Redis servers, and `snapbench pull` of the manifest it writes
// gets the same rows — the same content hashes as the demo, table for table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Redis } from 'ioredis';
import { mariadbExec, startMariadb, startPostgres, startRedis, type ThrowawayServer } from '../helpers/servers.ts';
import { parseJson, runCli, tempDir } from '../helpers/cli.ts';
import type { PlantedCounts } from '../../snapshots/fleet/reference/index.ts';

interface Listing {
  instance: string;
  engine: string;
  database: string;
  table: string;
  rows: number;
  sqlName: string;
}

const SCALE = '0.01';
/** The same key-hash secret for the demo and the pull, so their Redis key hashes compare. */
const env = { SNAPBENCH_KEY_HASH_SECRET: 'reference-fleet-test' };

let maria: ThrowawayServer;
let pg: ThrowawayServer;
let redis: ThrowawayServer[] = [];
let dir: string;
let demoFile: string;
let demoCounts: PlantedCounts;
let seedCounts: PlantedCounts;
let fleetFile: string;
let pulledFile: string;
let pullStderr: string;

function manifestHashes(file: string): Record<string, { rows: number; sha256: string }> {
  const db = new Database(file, { readonly: true });
  try {
    return JSON.parse((db.prepare('SELECT body FROM _snapbench_manifest').pluck().get() as string)).hashes;
  } finally {
    db.close();
  }
}

function redisKeys(file: string, table: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT pattern || ' ' || key_hash || ' ' || type FROM "${table}"`).pluck().all() as string[]).sort();
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  [maria, pg, ...redis] = await Promise.all([startMariadb(), startPostgres(), ...Array.from({ length: 6 }, () => startRedis({ maxmemoryMb: 64 }))]);
  dir = tempDir('snapbench-reference-');
  demoFile = join(dir, 'demo.snapbench');
  const demo = await runCli(['demo', '--scale', SCALE, '--out', demoFile, '--format', 'json'], { env });
  expect(demo.code, demo.stderr).toBe(0);
  demoCounts = parseJson<PlantedCounts>(demo);

  fleetFile = join(dir, 'fleet.yaml');
  const seeded = await runCli(
    ['fleet', 'seed', '--scale', SCALE, '--mysql', `${maria.host}:${maria.port}`, '--mysql-user', 'root', '--postgres', `${pg.host}:${pg.port}`,
      '--redis', redis.map((r) => `${r.host}:${r.port}`).join(','), '--out', fleetFile, '--format', 'json'],
  );
  expect(seeded.code, seeded.stderr).toBe(0);
  seedCounts = parseJson<PlantedCounts>(seeded);
  // Pull right away: the order cache's keys expire 60–96 s after seeding.
  pulledFile = join(dir, 'pulled.snapbench');
  const pulled = await runCli(['pull', '--fleet', fleetFile, '--out', pulledFile], { env });
  pullStderr = pulled.stderr;
  expect(pulled.code, pulled.stderr).toBe(0);
}, 240_000);

afterAll(async () => {
  await Promise.all([maria?.stop(), pg?.stop(), ...redis.map((r) => r.stop())]);
});

describe('snapbench demo', () => {
  it('writes a snapshot that verifies', async () => {
    const verify = await runCli(['verify', demoFile]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain('intact');
  });

  it('lists every table of reference-fleet.md with the planted row counts', async () => {
    const tables = parseJson<Listing[]>(await runCli(['tables', demoFile, '--format', 'json']));
    const listed = Object.fromEntries(tables.map((t) => [`${t.instance}/${t.database}/${t.table}`, t.rows]));
    expect(listed).toEqual(demoCounts.tables);
    for (const name of ['t_order', 't_order_item', 't_pay_channel', 't_payment', 't_coupon_template', 't_coupon', 't_coupon_expired', 't_member', 't_member_level',
      't_member_points_log', 't_member_benefit', 't_shop_info', 't_commodity', 't_tax_rate', 't_tax_record', 't_tax_remittance', 't_user',
      'public.apps', 'public.conversations', 'public.messages', 'public.provider_credentials', 'public.store_locations',
      ...['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => `t_stock_change_record_${d}`)]) {
      expect(tables.some((t) => t.table === name), name).toBe(true);
    }
    expect(listed['aws-luckyus-salesorder-rw/luckyus_sales_order/t_order']).toBe(demoCounts.orders.total);
    expect(demoCounts.orders.total).toBe(4870);
    expect(tables.filter((t) => t.engine === 'redis').map((t) => t.instance).sort()).toEqual(
      ['luckyus-apigateway', 'luckyus-iotplatform', 'luckyus-isales-commodity', 'luckyus-isales-market', 'luckyus-isales-order', 'luckyus-isales-session'],
    );
  });

  it('records all 143 instances with synthetic facts and a synthetic manifest', async () => {
    const db = new Database(demoFile, { readonly: true });
    try {
      const manifest = JSON.parse(db.prepare('SELECT body FROM _snapbench_manifest').pluck().get() as string);
      expect(manifest).toMatchObject({ synthetic: true, fleet: { name: 'reference-fleet (synthetic)', instances: 143 } });
      expect(db.prepare('SELECT engine, count(*) AS n FROM _snapbench_instances GROUP BY engine ORDER BY engine').all()).toEqual([
        { engine: 'mysql', n: 62 }, { engine: 'postgres', n: 3 }, { engine: 'redis', n: 78 },
      ]);
      expect(db.prepare(`SELECT count(DISTINCT instance) FROM _snapbench_server_facts`).pluck().get()).toBe(143);
      const below1 = db.prepare(`SELECT count(*) FROM _snapbench_server_facts WHERE category = 'inventory' AND name = 'utilisation' AND CAST(value AS REAL) < 0.01`).pluck().get();
      expect(below1).toBe(58);
      expect(db.prepare(`SELECT DISTINCT value FROM _snapbench_server_facts WHERE category = 'server' AND name = 'redis_version'`).pluck().all()).toEqual(['6.0.5']);
      expect(db.prepare(`SELECT DISTINCT consistency_note FROM _snapbench_instances`).pluck().all()).toEqual(['synthetic']);
    } finally {
      db.close();
    }
  });
});

describe('snapbench fleet seed, then pull', () => {
  it('plants the same counts as the demo of the same seed and scale', () => {
    expect(seedCounts).toEqual(demoCounts);
  });

  it('writes a manifest of all 143 instances: seeded ones with connections, the rest inventory-only', async () => {
    const doc = parseYaml(readFileSync(fleetFile, 'utf8')) as { synthetic: boolean; instances: Record<string, unknown>[] };
    expect(doc.synthetic).toBe(true);
    expect(doc.instances).toHaveLength(143);
    const connected = doc.instances.filter((i) => i.host);
    expect(connected.map((i) => i.name).sort()).toEqual(
      [...Object.keys(demoCounts.tables).map((k) => k.split('/')[0]!)].filter((v, i, a) => a.indexOf(v) === i).sort(),
    );
    expect(doc.instances.find((i) => i.name === 'aws-luckyus-salesorder-rw')).toMatchObject({ port: maria.port, user: 'root', databases: ['luckyus_sales_order'] });
    expect(doc.instances.find((i) => i.name === 'luckyus-isales-market')).toMatchObject({ port: redis[0]!.port, allocated_memory_mb: 4905 });
    const check = await runCli(['fleet', 'check', fleetFile]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('mysql: 62 instances, 9 with connection details, 53 inventory-only');
    expect(check.stdout).toContain('redis: 78 instances, 6 with connection details, 72 inventory-only');
    expect(check.stdout).toContain('postgres: 3 instances, 2 with connection details, 1 inventory-only');
  });

  it('pulls the generator\u2019s row counts, and the same rows as the demo', async () => {
    expect(pullStderr).not.toMatch(/failed/);
    const tables = parseJson<Listing[]>(await runCli(['tables', pulledFile, '--format', 'json']));
    const pulled = Object.fromEntries(tables.map((t) => [`${t.instance}/${t.database}/${t.table}`, t.rows]));
    expect(pulled).toEqual(seedCounts.tables);
    // SQL tables: identical content hashes to the demo's, so the demo reads exactly like a pull.
    const demo = manifestHashes(demoFile);
    const real = manifestHashes(pulledFile);
    for (const t of tables.filter((t) => t.engine !== 'redis')) {
      const name = `${t.instance}/${t.database}/${t.table}`;
      expect(real[name]!.sha256, name).toBe(demo[name]!.sha256);
    }
    // Redis: the same keys (pattern, keyed hash, type) as the demo's inventory.
    for (const t of tables.filter((t) => t.engine === 'redis')) {
      const name = `${t.instance}/${t.database}/${t.table}`;
      expect(redisKeys(pulledFile, name), name).toEqual(redisKeys(demoFile, name));
    }
  });

  it('report-07 on the pulled fleet finds exactly what the generator planted', async () => {
    const result = await runCli(['dq', pulledFile, '--format', 'json', '--no-store']);
    expect(result.code, result.stderr).toBe(0);
    const report = parseJson<{ results: { id: string; status: string; count: number | null; total: number | null; metrics: Record<string, unknown> }[] }>(result);
    const found = Object.fromEntries(report.results.map((r) => [r.id, r]));
    for (const id of ['DQ-001', 'DQ-002', 'DQ-003', 'DQ-004', 'DQ-005', 'DQ-006', 'DQ-007', 'RDS-001', 'SEC-001', 'SEC-002']) {
      const planted = seedCounts.rules[id]!;
      expect(found[id]!.count, `${id} count`).toBe(planted.count);
      if (planted.total !== undefined && planted.total !== null && id !== 'SEC-002') expect(found[id]!.total, `${id} total`).toBe(planted.total);
      expect(found[id]!.status, id).toBe(id === 'DQ-006' ? 'warn' : 'fail');
    }
    expect(found['DQ-001']!.metrics.revenue).toBe(seedCounts.orders.revenueUsd);
    expect(found['DQ-005']!.metrics.orders).toBe(seedCounts.orders.atTestShops);
    // The throwaway servers are Redis 7.0: every pulled Redis instance is below 7.2.
    expect(found['RDS-003']).toMatchObject({ status: 'fail', count: redis.length, total: redis.length });
  });

  it('refuses a non-empty target without --replace, and replaces only its own databases with it', async () => {
    await mariadbExec(maria, 'CREATE DATABASE unrelated; CREATE TABLE unrelated.keep (id INT); INSERT INTO unrelated.keep VALUES (1);');
    const args = ['fleet', 'seed', '--scale', '0.002', '--mysql', `${maria.host}:${maria.port}`, '--redis', `${redis[0]!.host}:${redis[0]!.port}`, '--out', join(dir, 'again.yaml')];
    const refused = await runCli(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not empty: --mysql .*luckyus_sales_order/);
    expect(refused.stderr).toContain('--replace');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    const replaced = await runCli([...args, '--replace', '--format', 'json']);
    expect(replaced.code, replaced.stderr).toBe(0);
    const counts = parseJson<PlantedCounts>(replaced);
    expect(await mariadbExec(maria, 'SELECT count(*) FROM luckyus_sales_order.t_order')).toBe(String(counts.orders.total));
    expect(await mariadbExec(maria, 'SELECT count(*) FROM unrelated.keep')).toBe('1');
    const client = new Redis({ host: redis[0]!.host, port: redis[0]!.port });
    try {
      expect(await client.dbsize()).toBe(counts.tables['luckyus-isales-market/db0/keys']);
    } finally {
      client.disconnect();
    }
  });

  it('names the flag and the fix on bad input', async () => {
    const out = join(dir, 'bad.yaml');
    const cases: [string[], RegExp][] = [
      [['--mysql', 'not a host:port:3306', '--out', out], /--mysql not a host:port:3306: expected HOST:PORT/],
      [['--mysql', `${maria.host}:${maria.port}`, '--mysql-password-env', 'SNAPBENCH_TEST_UNSET_PW', '--out', out], /--mysql-password-env SNAPBENCH_TEST_UNSET_PW: the environment variable is not set/],
      [['--out', out], /nothing to seed/],
      [['--redis', `${redis[1]!.host}:${redis[1]!.port},${redis[1]!.host}:${redis[1]!.port}`, '--out', out], /--redis: a server is given twice/],
      [['--postgres', '127.0.0.1:1', '--out', out], /--postgres 127\.0\.0\.1:1: connection refused/],
      [['--scale', '0', '--redis', `${redis[1]!.host}:${redis[1]!.port}`, '--out', out], /--scale must be a number above 0/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['fleet', 'seed', ...args]);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
