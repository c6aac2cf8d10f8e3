// dq --pushdown on the seeded reference fleet (throwaway MariaDB, PostgreSQL and
// Redis): the checks run on the servers, read-only, and find exactly what the
// offline run of report-07 finds on a full pull of the same fleet. The servers'
// own logs (MariaDB general log, PostgreSQL log_statement=all) show no write and
// one aggregate scan per table. The output is a snapshot without data tables
// that verify accepts and that holds the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { startMariadb, startPostgres, startRedis, type ThrowawayServer } from '../helpers/servers.ts';
import { parseJson, runCli, tempDir } from '../helpers/cli.ts';
import { dispatch } from '../../shared/api/rpc.ts';
import type { CatalogColumns, CatalogTree, RowPage, TableDescription, TableEntry } from '../../shared/api/types.ts';
import { WorkbenchHost } from '../../snapshots/host/host.ts';

interface Result {
  id: string;
  status: string;
  count: number | null;
  total: number | null;
  metrics: Record<string, unknown>;
  evidence: Record<string, unknown>[];
}

const env = { SNAPBENCH_KEY_HASH_SECRET: 'pushdown-test' };
let maria: ThrowawayServer;
let pg: ThrowawayServer;
let redis: ThrowawayServer[] = [];
let dir: string;
let fleetFile: string;
let offline: Record<string, Result>;
let pushed: Record<string, Result>;
let pushdownFile: string;
let mariaLog = '';
let pgLog = '';
let pushdownMs = 0;
let dupOffline: Record<string, Result>;
let dupPushed: Record<string, Result>;
let pulledFile: string;

/** duplicates on text (blank, Han, NULL, case), numbers, decimals, several columns and a primary key, in MariaDB and PostgreSQL. */
const DUPLICATES_PACK = `pack: pushdown-duplicates
rules:
  - { id: D-shop-name, title: shop names shared, severity: low, check: duplicates, table: t_order, columns: [shop_name] }
  - { id: D-shop-currency, title: shop and currency, severity: low, check: duplicates, table: t_order, columns: [shop_id, currency_code] }
  - { id: D-amount, title: amounts, severity: low, check: duplicates, table: t_order, columns: [pay_amount] }
  - { id: D-id, title: primary key, severity: low, check: duplicates, table: t_order, columns: [id] }
  - { id: D-commodity, title: item names, severity: low, check: duplicates, table: t_order_item, columns: [commodity_name], fail: metrics.groups > 1000000 }
  - { id: D-conversation, title: conversation names per app, severity: low, check: duplicates, table: conversations, columns: [app_id, name] }
  - { id: D-latitude, title: store latitudes, severity: low, check: duplicates, table: store_locations, columns: [latitude] }
`;

beforeAll(async () => {
  [maria, pg, ...redis] = await Promise.all([startMariadb({ generalLog: true }), startPostgres({ logStatements: true }), ...Array.from({ length: 6 }, () => startRedis({ maxmemoryMb: 64 }))]);
  dir = tempDir('snapbench-pushdown-');
  fleetFile = join(dir, 'fleet.yaml');
  const seeded = await runCli(['fleet', 'seed', '--scale', '0.01', '--mysql', `${maria.host}:${maria.port}`, '--mysql-user', 'root', '--postgres', `${pg.host}:${pg.port}`,
    '--redis', redis.map((r) => `${r.host}:${r.port}`).join(','), '--out', fleetFile]);
  expect(seeded.code, seeded.stderr).toBe(0);
  pulledFile = join(dir, 'pulled.snapbench');
  const pulled = await runCli(['pull', '--fleet', fleetFile, '--out', pulledFile], { env });
  expect(pulled.code, pulled.stderr).toBe(0);
  const report = parseJson<{ results: Result[] }>(await runCli(['dq', pulledFile, '--format', 'json', '--no-store']));
  offline = Object.fromEntries(report.results.map((r) => [r.id, r]));

  const mariaBefore = statSync(maria.logFile).size;
  const pgBefore = statSync(pg.logFile).size;
  pushdownFile = join(dir, 'pushdown.snapbench');
  const started = performance.now();
  const result = await runCli(['dq', '--fleet', fleetFile, '--pack', 'report-07', '--pushdown', '--out', pushdownFile, '--format', 'json'], { env });
  pushdownMs = performance.now() - started;
  expect(result.code, result.stderr).toBe(0);
  pushed = Object.fromEntries(parseJson<{ results: Result[] }>(result).results.map((r) => [r.id, r]));
  mariaLog = readFileSync(maria.logFile).subarray(mariaBefore).toString('utf8');
  pgLog = readFileSync(pg.logFile).subarray(pgBefore).toString('utf8');

  const dupPack = join(dir, 'duplicates.yaml');
  writeFileSync(dupPack, DUPLICATES_PACK);
  const [dupOfflineRun, dupPushedRun] = await Promise.all([
    runCli(['dq', pulledFile, '--pack', dupPack, '--format', 'json', '--no-store']),
    runCli(['dq', '--fleet', fleetFile, '--pack', dupPack, '--pushdown', '--out', join(dir, 'duplicates.snapbench'), '--format', 'json'], { env }),
  ]);
  dupOffline = Object.fromEntries(parseJson<{ results: Result[] }>(dupOfflineRun).results.map((r) => [r.id, r]));
  dupPushed = Object.fromEntries(parseJson<{ results: Result[] }>(dupPushedRun).results.map((r) => [r.id, r]));
}, 240_000);

afterAll(async () => {
  await Promise.all([maria?.stop(), pg?.stop(), ...redis.map((r) => r.stop())]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dq --pushdown on the seeded reference fleet', () => {
  it('finds exactly the counts of the offline run of report-07 on a full pull', () => {
    console.log(`dq --pushdown on the reference fleet (scale 0.01): ${pushdownMs.toFixed(0)} ms; ${Object.values(pushed).map((r) => `${r.id}=${r.status} ${r.count}`).join(', ')}`);
    expect(Object.keys(pushed)).toEqual(Object.keys(offline));
    for (const id of Object.keys(offline)) {
      expect(pushed[id]!.status, id).toBe(offline[id]!.status);
      expect(pushed[id]!.count, `${id} count`).toBe(offline[id]!.count);
      expect(pushed[id]!.total, `${id} total`).toBe(offline[id]!.total);
    }
    expect(pushed['DQ-001']!.metrics.revenue).toBe(offline['DQ-001']!.metrics.revenue);
    expect(pushed['DQ-005']!.metrics.orders).toBe(offline['DQ-005']!.metrics.orders);
    // Evidence rows were read back by primary key.
    expect(pushed['DQ-002']!.evidence.length).toBe(50);
    expect(pushed['DQ-002']!.evidence[0]).toHaveProperty('id');
    expect(pushed['DQ-002']!.evidence.every((e) => e.currency_code !== 'USD')).toBe(true);
  });

  it('counts duplicates on the servers exactly as offline: rows in groups, groups, extra rows', () => {
    console.log(`duplicates: ${Object.values(dupPushed).map((r) => `${r.id}=${r.status} ${r.count}/${r.total} groups ${String(r.metrics.groups)}`).join(', ')}`);
    expect(Object.keys(dupPushed)).toEqual(Object.keys(dupOffline));
    for (const id of Object.keys(dupOffline)) {
      const [off, on] = [dupOffline[id]!, dupPushed[id]!];
      expect(off.status, `${id} offline: ${JSON.stringify(off.metrics)}`).not.toMatch(/skipped|error/);
      expect({ status: on.status, count: on.count, total: on.total, groups: on.metrics.groups, extra: on.metrics.extra_rows }, id).toEqual({
        status: off.status,
        count: off.count,
        total: off.total,
        groups: off.metrics.groups,
        extra: off.metrics.extra_rows,
      });
    }
    // Something was found on both engines, and nothing on a primary key.
    expect(dupPushed['D-shop-name']!.count).toBeGreaterThan(0);
    expect(dupPushed['D-conversation']!.count).toBeGreaterThan(0);
    expect(dupPushed['D-id']!.count).toBe(0);
    // Evidence: rows of a duplicate group, read by primary key, with the checked column.
    const evidence = dupPushed['D-shop-name']!.evidence;
    expect(evidence.length).toBeGreaterThan(0);
    expect(evidence[0]).toHaveProperty('id');
    expect(evidence.every((e) => typeof e.shop_name === 'string')).toBe(true);
  });

  it('writes a snapshot without data tables that verify accepts, holding the run and each table with its exact row count', async () => {
    const verify = await runCli(['verify', pushdownFile]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const db = new Database(pushdownFile, { readonly: true });
    try {
      const kinds = db.prepare(`SELECT kind, count(*) AS n FROM _snapbench_tables GROUP BY kind ORDER BY kind`).all() as { kind: string; n: number }[];
      expect(kinds.map((k) => k.kind)).toEqual(['pushdown', 'redis-keys']);
      const dataTables = db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_snapbench\\_%' ESCAPE '\\' AND name NOT LIKE '%/keys'`).pluck().get();
      expect(dataTables).toBe(0);
      expect(db.prepare(`SELECT rows FROM _snapbench_tables WHERE source_table = 't_order'`).pluck().get()).toBe(offline['DQ-002']!.total);
      expect(db.prepare(`SELECT count(*) FROM _snapbench_columns`).pluck().get()).toBeGreaterThan(100);
    } finally {
      db.close();
    }
    const history = parseJson<{ pack: string; fail: number }[]>(await runCli(['dq', 'history', pushdownFile, '--format', 'json']));
    expect(history).toHaveLength(1);
    expect(history[0]!.pack).toBe('report-07');
    const stored = parseJson<{ results: Result[] }>(await runCli(['dq', pushdownFile, '--format', 'json', '--no-store']));
    expect(stored.results.find((r) => r.id === 'DQ-006')!.count).toBe(offline['DQ-006']!.count);
  });

  it('is understood by series, scenario --snapshot and share like any snapshot', async () => {
    type Series = { tables: { instance: string; table: string; rows: (number | null)[] }[]; dq: { rule: string; counts: (number | null)[] }[]; growth: { metric: string }[] };
    const series = parseJson<Series>(await runCli(['series', pulledFile, pushdownFile, '--format', 'json']));
    // Each table checked in place keeps the server's exact count; it is not a Redis key count.
    const order = series.tables.find((t) => t.table === 't_order')!;
    expect(order.rows).toEqual([offline['DQ-002']!.total, offline['DQ-002']!.total]);
    expect(series.dq.find((d) => d.rule === 'DQ-002')!.counts).toEqual([offline['DQ-002']!.count, offline['DQ-002']!.count]);
    expect(series.growth.map((g) => g.metric)).not.toContain('keys:aws-luckyus-salesorder-rw');
    const scenario = await runCli(['scenario', '--snapshot', pushdownFile, '--stores', '100', '--format', 'json']);
    expect(scenario.code, scenario.stderr).toBe(0);
    const shared = join(dir, 'pushdown-shared.snapbench');
    const share = await runCli(['share', pushdownFile, '--out', shared, '--fresh-key']);
    expect(share.code, share.stderr).toBe(0);
    expect((await runCli(['verify', shared])).code).toBe(0);
  });

  it('sent the servers nothing but reads, and scanned each table once', () => {
    const writes = /\b(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|TRUNCATE|GRANT|RENAME|LOCK)\b/i;
    const mariaQueries = mariaLog.split('\n').filter((l) => /\sQuery\t/.test(l)).map((l) => l.split(/\sQuery\t/)[1]!);
    expect(mariaQueries.length).toBeGreaterThan(0);
    expect(mariaQueries.filter((q) => writes.test(q.replace(/'[^']*'/g, "''")) && !/^(SELECT|SHOW)/i.test(q.trim()))).toEqual([]);
    expect(mariaQueries.filter((q) => /^START TRANSACTION WITH CONSISTENT SNAPSHOT/i.test(q)).length).toBeGreaterThan(0);
    expect(mariaQueries.filter((q) => /^SET SESSION TRANSACTION READ ONLY/i.test(q)).length).toBeGreaterThan(0);
    const pgStatements = pgLog.split('\n').filter((l) => /statement: /.test(l)).map((l) => l.split('statement: ')[1]!);
    expect(pgStatements.filter((q) => writes.test(q) && !/^(SELECT|BEGIN|SET|COMMIT|SHOW)/i.test(q.trim()))).toEqual([]);
    expect(pgStatements.some((q) => /READ ONLY/.test(q))).toBe(true);
    // One aggregate scan per table: the one SELECT that carries every rule's aggregates.
    const scans = new Map<string, number>();
    for (const q of [...mariaQueries, ...pgStatements]) {
      const match = /^SELECT COUNT\(\*\) AS a0.* FROM ((?:`[^`]+`|"[^"]+")\.(?:`[^`]+`|"[^"]+"))$/s.exec(q.trim());
      if (match) scans.set(match[1]!, (scans.get(match[1]!) ?? 0) + 1);
    }
    expect(scans.size).toBeGreaterThan(20);
    expect([...scans.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(scans.get('`luckyus_sales_order`.`t_order`')).toBe(1);
  });

  it('lists a table checked in place in the workbench as what it is, and refuses to open rows it does not have', async () => {
    const host = new WorkbenchHost({ transport: 'http', configDir: join(dir, 'host-config') });
    const call = (channel: string, request: unknown) => dispatch(host.handlers, channel, request, { callId: 't', signal: new AbortController().signal, progress: () => {} });
    const value = async <T,>(channel: string, request: unknown): Promise<T> => {
      const outcome = await call(channel, request);
      if (!outcome.ok) throw new Error(`${channel}: ${outcome.error.message}`);
      return outcome.value as T;
    };
    try {
      const snapshotId = (await value<{ id: string }>('snapshot/open', { path: pushdownFile })).id;
      const tree = await value<CatalogTree>('catalog/tree', { snapshotId });
      const tables: TableEntry[] = tree.instances.flatMap((i) => i.databases.flatMap((d) => d.tables));
      const order = tables.find((t) => t.source === 't_order')!;
      expect({ kind: order.kind, rows: order.rows }).toEqual({ kind: 'pushdown', rows: offline['DQ-002']!.total });
      expect(new Set(tables.map((t) => t.kind))).toEqual(new Set(['pushdown', 'redis-keys']));
      // Its columns and exact row count are there to read ...
      const described = await value<TableDescription>('table/describe', { snapshotId, table: order.name });
      expect(described.table.kind).toBe('pushdown');
      expect(described.columns.map((c) => c.name)).toContain('currency_code');
      // ... its rows are not: every call that would read them says so in one line, and offers nothing to complete in SQL.
      const view = { table: order.name, sort: null, filters: [] };
      const refusals = await Promise.all([
        call('table/page', { snapshotId, view, offset: 0, limit: 100 }),
        call('table/count', { snapshotId, view: { ...view, filters: [{ column: 'currency_code', op: 'is-null' }] } }),
        call('table/facet', { snapshotId, view, column: 'currency_code' }),
        call('column/profile', { snapshotId, table: order.name, column: 'currency_code' }),
        call('export/start', { snapshotId, source: { kind: 'table', view, format: 'csv' } }),
      ]);
      for (const outcome of refusals) {
        expect(outcome.ok).toBe(false);
        expect(!outcome.ok && outcome.error.code).toBe('refused');
        expect(!outcome.ok && outcome.error.message).toMatch(new RegExp(`t_order was checked in place \\(pull: pushdown\\): .* holds its columns and its row count \\(${order.rows}, counted on the server\\), not its rows`));
        expect(!outcome.ok && outcome.error.hint).toMatch(/pull: full/);
      }
      expect((await value<CatalogColumns>('catalog/columns', { snapshotId })).some((c) => c.table === order.name)).toBe(false);
      // The unfiltered count is the catalog's (no rows read); a key inventory in the same file still pages.
      expect(await value<{ rows: number }>('table/count', { snapshotId, view })).toEqual({ rows: order.rows });
      const keys = tables.find((t) => t.kind === 'redis-keys' && t.rows > 0)!;
      const page = await value<RowPage>('table/page', { snapshotId, view: { table: keys.name, sort: null, filters: [] }, offset: 0, limit: 10 });
      expect(page.rows).toBe(Math.min(10, keys.rows));
    } finally {
      await host.close();
    }
  });

  it('pulls per instance as the manifest says: full, sample (max_rows) or pushdown', async () => {
    const doc = parseYaml(readFileSync(fleetFile, 'utf8')) as { instances: Record<string, unknown>[] };
    for (const instance of doc.instances) {
      if (instance.name === 'aws-luckyus-salesorder-rw') instance.pull = 'pushdown';
      if (instance.name === 'aws-luckyus-opshop-rw') Object.assign(instance, { pull: 'sample', max_rows: 5 });
    }
    const mixed = join(dir, 'mixed.yaml');
    writeFileSync(mixed, stringify(doc));
    const out = join(dir, 'mixed.snapbench');
    const pulled = await runCli(['pull', '--fleet', mixed, '--out', out], { env });
    expect(pulled.code, pulled.stderr).toBe(0);
    const db = new Database(out, { readonly: true });
    try {
      const order = db.prepare(`SELECT kind, rows FROM _snapbench_tables WHERE source_table = 't_order'`).get();
      expect(order).toEqual({ kind: 'pushdown', rows: offline['DQ-002']!.total });
      const shops = db.prepare(`SELECT kind, rows, limited FROM _snapbench_tables WHERE source_table = 't_shop_info'`).get();
      expect(shops).toEqual({ kind: 'table', rows: 5, limited: 1 });
      expect(db.prepare(`SELECT kind FROM _snapbench_tables WHERE source_table = 't_commodity'`).pluck().get()).toBe('table');
    } finally {
      db.close();
    }
    expect((await runCli(['verify', out])).code).toBe(0);
    const listed = parseJson<{ table: string }[]>(await runCli(['tables', out, '--format', 'json']));
    expect(listed.some((t) => t.table === 't_order')).toBe(false);
  });

  it('names the problem on bad input', async () => {
    const noPushdown = await runCli(['dq', '--fleet', fleetFile]);
    expect(noPushdown.stderr).toMatch(/need --pushdown/);
    const overInput = await runCli(['dq', '--fleet', fleetFile, '--pushdown', '--out', fleetFile]);
    expect(overInput.code).not.toBe(0);
    expect(overInput.stderr).toMatch(/fleet manifest/);
  });
});
