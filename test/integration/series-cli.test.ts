// `snapbench demo --series`, `snapbench series` and `scenario --series` as a
// user runs them: the demo series recovers its planted growth within 1%, the
// JSON has the contract's shape, files of another fleet are refused with one
// line, and a scenario says in every explanation where its growth comes from.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSnapshot } from '../helpers/dqFixture.ts';
import { parseJson, runCli, tempDir } from '../helpers/cli.ts';

interface SeriesJson {
  snapshots: { file: string; createdAt: string; rootSha256: string }[];
  tables: { instance: string; database: string; table: string; rows: (number | null)[] }[];
  redis: { instance: string; pattern: string; keys: (number | null)[]; persistentKeys: (number | null)[]; memoryBytes: (number | null)[] }[];
  dq: { pack: string; rule: string; counts: (number | null)[] }[];
  growth: { metric: string; perDay: number; perWeek: number; from: string; to: string; points: number }[];
}

interface Planted {
  directory: string;
  files: string[];
  planted: { ordersPerWeek: number; noTtlKeysPerWeek: number; storesPerWeek: number };
}

const SCALE = '0.002';
const dir = tempDir('snapbench-series-');
const seriesDir = join(dir, 'series');
let planted: Planted;
let files: string[];

function within1Percent(measured: number, expected: number): void {
  expect(Math.abs(measured - expected) / expected).toBeLessThanOrEqual(0.01);
}

beforeAll(async () => {
  const demo = await runCli(['demo', '--series', '4', '--scale', SCALE, '--out', seriesDir, '--format', 'json']);
  expect(demo.code, demo.stderr).toBe(0);
  planted = parseJson<Planted>(demo);
  files = readdirSync(seriesDir).map((f) => join(seriesDir, f)).sort();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('snapbench demo --series', () => {
  it('writes N snapshots a week apart, named by date', () => {
    expect(readdirSync(seriesDir).sort()).toEqual(['demo-2026-02-14.snapbench', 'demo-2026-02-21.snapbench', 'demo-2026-02-28.snapbench', 'demo-2026-03-07.snapbench']);
    expect(planted.files).toEqual(files);
    expect(planted.planted).toMatchObject({ storesPerWeek: 1 });
    expect(planted.planted.ordersPerWeek).toBeGreaterThan(0);
    expect(planted.planted.noTtlKeysPerWeek).toBeGreaterThan(0);
  });

  it('refuses --series 1 and an --out that is a file, naming the problem', async () => {
    const one = await runCli(['demo', '--series', '1', '--out', join(dir, 'x')]);
    expect(one.code).toBe(1);
    expect(one.stderr.split('\n')[0]).toMatch(/--series 1: must be a whole number from 2 to 53/);
    const onFile = await runCli(['demo', '--series', '2', '--scale', SCALE, '--out', files[0]!]);
    expect(onFile.code).toBe(1);
    expect(onFile.stderr).toMatch(/is a file; with --series it names a directory/);
  });
});

describe('snapbench series', () => {
  it('recovers the planted growth within 1%, in the contract\u2019s JSON, sorted by time whatever the argument order', async () => {
    const result = await runCli(['series', ...[...files].reverse(), '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson<SeriesJson>(result);
    expect(Object.keys(json).sort()).toEqual(['dq', 'growth', 'redis', 'snapshots', 'tables']);
    expect(json.snapshots.map((s) => s.file)).toEqual(files);
    expect(json.snapshots.map((s) => s.createdAt)).toEqual(['2026-02-14T00:00:00.000Z', '2026-02-21T00:00:00.000Z', '2026-02-28T00:00:00.000Z', '2026-03-07T00:00:00.000Z']);
    for (const s of json.snapshots) expect(s.rootSha256).toMatch(/^[0-9a-f]{64}$/);

    const orders = json.tables.find((t) => t.table === 't_order')!;
    expect(orders).toMatchObject({ instance: 'aws-luckyus-salesorder-rw', database: 'luckyus_sales_order' });
    expect(orders.rows).toHaveLength(4);
    expect(orders.rows[1]! - orders.rows[0]!).toBe(planted.planted.ordersPerWeek);
    const growth = (metric: string) => json.growth.find((g) => g.metric === metric)!;
    const orderGrowth = growth('rows:aws-luckyus-salesorder-rw/luckyus_sales_order/t_order');
    within1Percent(orderGrowth.perWeek, planted.planted.ordersPerWeek);
    within1Percent(orderGrowth.perDay, planted.planted.ordersPerWeek / 7);
    expect(orderGrowth).toMatchObject({ from: '2026-02-14T00:00:00.000Z', to: '2026-03-07T00:00:00.000Z', points: 4 });
    within1Percent(growth('persistentKeys:luckyus-isales-market').perWeek, planted.planted.noTtlKeysPerWeek);
    within1Percent(growth('stores').perWeek, planted.planted.storesPerWeek);
    // Every array has one entry per snapshot; tables that do not change grow by 0.
    for (const t of json.tables) expect(t.rows).toHaveLength(4);
    expect(growth('rows:aws-luckyus-fitax-rw/luckyus_fi_tax/t_tax_rate').perDay).toBe(0);
    const day = json.redis.find((r) => r.instance === 'luckyus-isales-market' && r.pattern === 'CONTACT_day:*')!;
    expect(day.persistentKeys[3]! - day.persistentKeys[0]!).toBe((3 * planted.planted.noTtlKeysPerWeek) / 3);
    expect(day.memoryBytes.every((m) => m !== null && m > 0)).toBe(true);
    // The DQ pack ran on each snapshot (none stored one): RDS-001 counts the no-TTL CONTACT_* keys.
    const rds001 = json.dq.find((d) => d.pack === 'report-07' && d.rule === 'RDS-001')!;
    expect(rds001.counts[3]! - rds001.counts[0]!).toBe(3 * planted.planted.noTtlKeysPerWeek);
  });

  it('prints CSV with one column per snapshot and text with the growth for the cost model', async () => {
    const csv = await runCli(['series', ...files, '--format', 'csv', '--no-dq']);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('metric,kind,instance,database,item,measure,2026-02-14T00:00:00.000Z,2026-02-21T00:00:00.000Z,2026-02-28T00:00:00.000Z,2026-03-07T00:00:00.000Z,per_day,per_week,points');
    expect(lines.find((l) => l.startsWith('rows:aws-luckyus-salesorder-rw/luckyus_sales_order/t_order,'))).toBeDefined();
    expect(lines.some((l) => l.startsWith('dq:'))).toBe(false);
    const text = await runCli(['series', ...files]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('4 snapshots of');
    expect(text.stdout).toContain('growth for the cost model (scenario --series): measured from 4 snapshots, 2026-02-14 … 2026-03-07');
  });

  it('refuses files of another fleet with one line and exit 1', async () => {
    const other = join(dir, 'other.snapbench');
    await buildSnapshot(other, [{ name: 'shop-db', engine: 'mysql', tables: [{ database: 'shop', name: 't_a', columns: [{ name: 'id', type: 'bigint', primaryKey: true }], rows: [[1]] }] }]);
    const result = await runCli(['series', files[0]!, other, '--format', 'json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/other\.snapbench: holds another fleet than .*demo-2026-02-14\.snapbench \(0 of 1 instances in common/);
  });
});

describe('snapbench scenario --series', () => {
  it('replaces the preset\u2019s growth with the measured one and says so in every explanation', async () => {
    const result = await runCli(['scenario', '--series', ...files, '--stores', '100', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('scenario: growth measured from 4 snapshots, 2026-02-14 … 2026-03-07\n');
    const json = parseJson<{
      fleet: { measuredStores: number };
      assumptions: Record<string, { value: unknown; source: string }>;
      explanations: { total: { note: string } };
      lineItems: { explanation: { note?: string } }[];
      items: { why: string }[];
    }>(result);
    expect(json.fleet.measuredStores).toBe(19);
    expect(json.assumptions.elasticityOrders!.source).toMatch(/^measured from 4 snapshots, 2026-02-14 … 2026-03-07: orders records/);
    expect(json.assumptions.elasticityOrders!.value).not.toBe(1);
    const phrase = 'measured from 4 snapshots, 2026-02-14 … 2026-03-07';
    expect(json.explanations.total.note).toContain(phrase);
    for (const l of json.lineItems) expect(l.explanation.note).toContain(phrase);
    for (const i of json.items) expect(i.why).toContain(phrase);
  });

  it('keeps the preset with 2 snapshots and says why', async () => {
    const result = await runCli(['scenario', '--series', files[0]!, files[1]!, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson<{ assumptions: Record<string, { value: unknown; note?: string }>; explanations: { total: { note: string } } }>(result);
    expect(json.assumptions.elasticityOrders!.value).toBe(1);
    expect(json.explanations.total.note).toContain('not measured: the series has 2 snapshots; at least 3 are needed to measure growth');
  });
});
