// Every check type of the DQ engine on small snapshots built in a temp dir with
// the real SnapshotWriter, including the edge cases of the definitions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { parsePack, type RuleDocument } from '../../shared/dq/pack.ts';
import { REPORT_07 } from '../../shared/dq/report07.ts';
import type { DqResult } from '../../shared/dq/results.ts';
import type { ServerFact } from '../../shared/model/snapshot.ts';
import { openSnapshot } from '../../snapshots/file/reader.ts';
import { buildSnapshot, type FixtureInstance } from '../helpers/dqFixture.ts';
import { registerDqFunctions } from '../../snapshots/dq/functions.ts';
import { runPack } from '../../snapshots/dq/run.ts';

const SECRET = 'sk-' + 'Ab3'.repeat(14); // 45 characters
const orderColumns = [
  { name: 'id', type: 'bigint', primaryKey: true },
  { name: 'shop_id', type: 'int' },
  { name: 'shop_name', type: 'varchar(64)' },
  { name: 'currency_code', type: 'char(3)' },
  { name: 'pay_amount', type: 'decimal(12,2)' },
  { name: 'tax_amount', type: 'decimal(12,2)' },
];

function memory(used: number, extra: ServerFact[] = []): ServerFact[] {
  return [{ category: 'memory', name: 'used_memory', value: String(used) }, ...extra];
}

const FLEET: FixtureInstance[] = [
  {
    name: 'sales-a',
    engine: 'mysql',
    version: '8.0.35',
    tables: [
      {
        database: 'shop',
        name: 't_order',
        columns: orderColumns,
        rows: [
          [1, 1, 'Main St', 'USD', '0.10', '0.01'],
          [2, 1, 'Main St', 'USD', '0.20', null],
          [3, 2, '  ', 'NZD', '5.00', '0.50'],
          [4, 3, '\u3000', null, '1.00', '0.10'],
          [5, 2, null, 'usd', '2.00', '0.20'],
          [6, 4, '\u00a0x\u00a0', 'USD', '0.05', '0.00'],
          [7, 99, '', 'USD ', '1.00', '0.10'],
          [8, 5, '\t\n', 'USD', '-0.05', '0.00'],
        ],
      },
      {
        database: 'shop',
        name: 't_shop_info',
        columns: [
          { name: 'id', type: 'int', primaryKey: true },
          { name: 'shop_name', type: 'varchar(64)' },
        ],
        rows: [
          [1, 'Main St'],
          [2, 'NJ Test Kitchen'],
          [3, 'Testament Ave'],
          [4, 'Lab-Test'],
          [5, 'IQA2 Store'],
          [6, 'Contest Cafe'],
          [7, null],
        ],
      },
      {
        database: 'catalog',
        name: 't_commodity',
        columns: [
          { name: 'id', type: 'int', primaryKey: true },
          { name: 'commodity_name', type: 'varchar(128)' },
        ],
        rows: [
          [1, '拿铁'],
          [2, 'カフェラテ'],
          [3, '카페 라떼'],
          [4, 'Latte'],
          [5, 'Latte 咖啡'],
          [6, null],
        ],
      },
      {
        database: 'users',
        name: 't_user',
        columns: [
          { name: 'id', type: 'bigint', primaryKey: true },
          { name: 'email', type: 'varchar(128)' },
          { name: 'mobile', type: 'varchar(20)' },
          { name: 'order_no', type: 'varchar(32)' },
          { name: 'day', type: 'varchar(10)' },
          { name: 'note', type: 'text' },
        ],
        rows: [
          [1, 'ann@example.com', '+1 212-555-0101', '2125550101', '2024-01-01', 'hello'],
          [2, 'bob@example.org', '2125550102', '2125550102', '2024-01-02', `key=${SECRET} end`],
          [3, null, '(212) 555-0103', '2125550103', '2024-01-03', 'sk-short'],
          [4, 'cy@example.net', '+12125550104', '2125550104', '2024-01-04', `${SECRET}`],
        ],
      },
    ],
  },
  {
    name: 'sales-b',
    engine: 'mysql',
    version: '8.0.35',
    tables: [
      {
        database: 'shop',
        name: 't_order',
        columns: orderColumns,
        rows: [
          [1, 1, 'Main St', 'USD', '0.30', '0.03'],
          [2, 1, 'Main St', 'NZD', '1.00', '0.10'],
        ],
        limited: true,
      },
    ],
  },
  {
    name: 'fitax',
    engine: 'mysql',
    tables: [
      { database: 'fi_tax', name: 't_tax_rate', columns: [{ name: 'id', type: 'int', primaryKey: true }], rows: [] },
      { database: 'fi_tax', name: 't_tax_record', columns: [{ name: 'id', type: 'int', primaryKey: true }], rows: [] },
    ],
  },
  {
    name: 'member',
    engine: 'mysql',
    tables: [
      { database: 'mm', name: 't_member', columns: [{ name: 'id', type: 'int', primaryKey: true }], rows: [[1]] },
      { database: 'mm', name: 't_level', columns: [{ name: 'id', type: 'int', primaryKey: true }], rows: [] },
    ],
  },
  {
    name: 'pg',
    engine: 'postgres',
    version: '16.2',
    tables: [
      {
        database: 'dify',
        schema: 'public',
        name: 'provider_credentials',
        columns: [
          { name: 'id', type: 'uuid', primaryKey: true },
          { name: 'encrypted_config', type: 'text' },
          { name: 'config', type: 'jsonb' },
        ],
        rows: [
          ['a0', `{"api_key": "${SECRET}"}`, null],
          ['a1', 'encrypted:xyz', `{"k": "${SECRET}x"}`],
          ['a2', null, null],
        ],
      },
    ],
  },
  {
    name: 'cache-a',
    engine: 'redis',
    version: '6.0.5',
    allocatedMemoryMb: 100,
    facts: memory(500_000),
    redis: [
      {
        db: 0,
        keys: [
          { name: 'CONTACT_day:1', ttlMs: -1, memoryBytes: 100 },
          { name: 'CONTACT_day:2', ttlMs: 60_000 },
          { name: 'CONTACT_week:3', ttlMs: -1, memoryBytes: 50 },
          { name: 'session:abc123', ttlMs: -1 },
        ],
      },
    ],
  },
  {
    name: 'cache-b',
    engine: 'redis',
    version: '7.2.4',
    facts: memory(900_000, [{ category: 'config', name: 'maxmemory', value: '1000000' }]),
    redis: [
      {
        db: 1,
        rawKeyNames: true,
        keys: [
          { name: 'CONTACT_month:5', ttlMs: -1, memoryBytes: 10 },
          { name: 'CONTACTS:7', ttlMs: -1 },
          { name: 'CONTACT_month:6', ttlMs: 5000 },
          { name: `token:${SECRET}`, ttlMs: 5000 },
        ],
      },
    ],
  },
  { name: 'cache-c', engine: 'redis', version: '7.10.1', facts: memory(10) },
  { name: 'cache-d', engine: 'redis', version: '5.0', facts: memory(1000, [{ category: 'inventory', name: 'allocated_memory_bytes', value: '1000000000' }]) },
  { name: 'cache-inv', engine: 'redis', status: 'inventory-only', allocatedMemoryMb: 1000 },
];

let dir: string;
let file: string;
let db: Database.Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snapbench-dq-'));
  file = join(dir, 'fleet.snapbench');
  await buildSnapshot(file, FLEET);
  db = openSnapshot(file);
});

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(...rules: Partial<RuleDocument>[]): DqResult[] {
  const pack = parsePack({ pack: 'test', rules: rules.map((r, i) => ({ id: `R-${i + 1}`, title: `rule ${i + 1}`, severity: 'medium', ...r })) });
  return runPack(db, pack).results;
}

function one(rule: Partial<RuleDocument>): DqResult {
  return run(rule)[0]!;
}

/** The evidence query must list the same rows as the count (with the dq functions, as `snapbench query` would). */
function evidenceRows(result: DqResult): Record<string, unknown>[] {
  registerDqFunctions(db);
  return db.prepare(result.evidenceQuery!).all() as Record<string, unknown>[];
}

describe('table references', () => {
  it('a bare name runs over the table on every instance, and evidence names the table', () => {
    const r = one({ check: 'allowed_values', table: 't_order', column: 'currency_code', values: ['USD'] });
    expect(r).toMatchObject({ status: 'fail', count: 5, total: 10 });
    expect(r.metrics.tables).toEqual({ 'sales-a/shop/t_order': 4, 'sales-b/shop/t_order': 1 });
    expect(r.evidence.map((e) => `${e.table}#${e.id}`)).toEqual(['sales-a/shop/t_order#3', 'sales-a/shop/t_order#4', 'sales-a/shop/t_order#5', 'sales-a/shop/t_order#7', 'sales-b/shop/t_order#2']);
    expect(evidenceRows(r)).toHaveLength(5);
  });

  it('db.table and instance/db/table narrow it down; a glob matches many; a missing table skips the rule', () => {
    expect(one({ check: 'row_count', table: 'shop.t_order' }).count).toBe(10);
    expect(one({ check: 'row_count', table: 'sales-b/shop/t_order' }).count).toBe(2);
    expect(one({ check: 'row_count', table: 't_order', instance: 'sales-a' }).count).toBe(8);
    expect(one({ check: 'row_count', table: 'fi_tax.*' })).toMatchObject({ count: 0, status: 'fail' });
    expect(one({ check: 'row_count', table: 'dify.provider_credentials' }).count).toBe(3);
    expect(one({ check: 'row_count', table: 'T_ORDER' }).count).toBe(10);
    expect(one({ check: 'row_count', table: 't_nothing' })).toMatchObject({ status: 'skipped', count: null, metrics: { reason: 'table t_nothing is not in the snapshot' } });
    expect(one({ check: 'missing', table: 't_order', column: 'nope' })).toMatchObject({ status: 'skipped', metrics: { reason: 'table sales-a/shop/t_order has no column nope' } });
  });

  it('says when a table it read was cut by --max-rows', () => {
    expect(one({ check: 'row_count', table: 't_order' }).limited).toBe(true);
    expect(one({ check: 'row_count', table: 't_order', instance: 'sales-a' }).limited).toBe(false);
  });
});

describe('checks', () => {
  it('row_count counts rows (with a where), failing on none by default', () => {
    expect(one({ check: 'row_count', table: 't_order', where: "currency_code = 'USD'" })).toMatchObject({ count: 5, total: null, status: 'pass' });
    // DECIMAL values are text: compare them as numbers with a cast.
    expect(one({ check: 'row_count', table: 't_order', where: 'CAST(pay_amount AS REAL) > 100' }).status).toBe('fail');
    expect(one({ check: 'row_count', table: 't_order', fail: 'count < 20' }).status).toBe('fail');
  });

  it('empty counts empty tables of a database or a table list', () => {
    expect(one({ check: 'empty', database: 'fi_tax' })).toMatchObject({ status: 'fail', count: 2, total: 2, evidence: [{ table: 'fitax/fi_tax/t_tax_rate', rows: 0 }, { table: 'fitax/fi_tax/t_tax_record', rows: 0 }] });
    expect(one({ check: 'empty', database: 'mm' })).toMatchObject({ count: 1, total: 2 });
    expect(one({ check: 'empty', table: 't_member' })).toMatchObject({ status: 'pass', count: 0, total: 1 });
    expect(one({ check: 'empty', database: 'nowhere' })).toMatchObject({ status: 'skipped', metrics: { reason: 'database nowhere is not in the snapshot' } });
  });

  it('missing: blank is NULL or only white space, U+3000 and NBSP included', () => {
    const r = one({ check: 'missing', table: 't_order', column: 'shop_name', instance: 'sales-a' });
    expect(r).toMatchObject({ count: 5, total: 8 });
    expect(r.evidence.map((e) => e.id)).toEqual([3, 4, 5, 7, 8]);
    expect(evidenceRows(r).map((e) => e.id)).toEqual([3, 4, 5, 7, 8]);
    expect(one({ check: 'missing', table: 't_order', column: 'shop_name', instance: 'sales-a', blank: false }).count).toBe(1);
    expect(one({ check: 'missing', table: 't_order', column: 'shop_name', instance: 'sales-a', blank: false, missing_values: ['', '  '] }).count).toBe(3);
  });

  it('allowed_values: exactly the values listed; NULL offends unless allowed; says which values offend', () => {
    const r = one({ check: 'allowed_values', table: 't_order', column: 'currency_code', values: ['USD'], instance: 'sales-a' });
    expect(r).toMatchObject({ count: 4, total: 8 });
    expect(r.metrics.values).toEqual([
      { value: 'NZD', rows: 1 },
      { value: 'USD ', rows: 1 },
      { value: 'usd', rows: 1 },
      { value: null, rows: 1 },
    ]);
    const both = one({ check: 'allowed_values', table: 't_order', column: 'currency_code', values: ['USD'] });
    expect(both.metrics.values).toEqual([{ value: 'NZD', rows: 2 }, { value: 'USD ', rows: 1 }, { value: 'usd', rows: 1 }, { value: null, rows: 1 }]);
    expect(one({ check: 'allowed_values', table: 't_order', column: 'currency_code', values: ['USD'], instance: 'sales-a', allow_null: true }).count).toBe(3);
    expect(one({ check: 'allowed_values', table: 't_order', column: 'shop_id', values: [1, 2, 3, 4, 5], instance: 'sales-a' }).count).toBe(1);
  });

  it('pattern: a regex (test names: Lab-Test is one, Testament Ave is not)', () => {
    const r = one({ check: 'pattern', table: 't_shop_info', column: 'shop_name', regex: '\\b(test|iqa\\d*)\\b', flags: 'i' });
    expect(r).toMatchObject({ status: 'fail', count: 3, total: 7 });
    expect(r.evidence.map((e) => e.shop_name)).toEqual(['NJ Test Kitchen', 'Lab-Test', 'IQA2 Store']);
    expect(evidenceRows(r)).toHaveLength(3);
    expect(one({ check: 'pattern', table: 't_order', column: 'currency_code', regex: '^[A-Z]{3}$', counts: 'not_matching', instance: 'sales-a' }).count).toBe(2);
  });

  it('pattern: a Unicode script (kanji is Han; katakana and Hangul are not)', () => {
    const r = one({ check: 'pattern', table: 't_commodity', column: 'commodity_name', script: 'Han' });
    expect(r).toMatchObject({ count: 2, total: 6 });
    expect(r.evidence.map((e) => e.id)).toEqual([1, 5]);
    expect(evidenceRows(r).map((e) => e.id)).toEqual([1, 5]);
    expect(one({ check: 'pattern', table: 't_commodity', column: 'commodity_name', script: 'Hangul' }).count).toBe(1);
    expect(one({ check: 'pattern', table: 't_commodity', column: 'commodity_name', script: 'Katakana' }).count).toBe(1);
  });

  it('duplicates: rows sharing a key, by primary key', () => {
    const r = one({ check: 'duplicates', table: 't_order', columns: ['shop_id', 'shop_name'], instance: 'sales-a' });
    expect(r).toMatchObject({ count: 2, total: 8, metrics: { groups: 1, extra_rows: 1 } });
    expect(r.evidence.map((e) => e.id)).toEqual([1, 2]);
    expect(one({ check: 'duplicates', table: 't_order', columns: ['id'] }).count).toBe(0);
  });

  it('schema: columns present, absent, typed; one count per failed expectation and table', () => {
    const address = one({ check: 'schema', table: 't_order', columns: [{ name: '*address*' }], fail: 'never', warn: 'count > 0' });
    expect(address).toMatchObject({ status: 'warn', count: 2, total: 2 });
    const r = one({
      check: 'schema',
      table: 't_order',
      instance: 'sales-a',
      columns: [{ name: 'pay_amount', type: 'DECIMAL(12, 2)' }, { name: 'currency_code', type: 'varchar(3)' }, { name: 'tax_*', present: false }, { name: 'id', storage: 'integer', nullable: false }],
    });
    expect(r).toMatchObject({ count: 2, total: 4 });
    expect(r.evidence).toEqual([
      { table: 'sales-a/shop/t_order', column: 'currency_code', problem: 'type char(3), expected varchar(3)' },
      { table: 'sales-a/shop/t_order', column: 'tax_amount', problem: 'column present, expected absent' },
    ]);
  });

  it('reference: values with no row in the referenced table', () => {
    const r = one({ check: 'reference', table: 't_order', column: 'shop_id', instance: 'sales-a', references: { table: 't_shop_info', column: 'id' } });
    expect(r).toMatchObject({ count: 1, evidence: [{ table: 'sales-a/shop/t_order', id: 7, shop_id: 99 }] });
    expect(one({ check: 'reference', table: 't_order', column: 'shop_id', references: { table: 't_shops', column: 'id' } }).status).toBe('skipped');
  });

  it('condition: a cross-check as SQL (tax empty while revenue > 0), with {{table}} references', () => {
    const r = one({ check: 'condition', table: 't_order', where: 'tax_amount IS NULL AND CAST(pay_amount AS REAL) > 0', columns: ['pay_amount', 'tax_amount'] });
    expect(r).toMatchObject({ count: 1, total: 10, evidence: [{ table: 'sales-a/shop/t_order', id: 2, pay_amount: '0.20', tax_amount: null }] });
    const cross = one({ check: 'condition', table: 't_order', instance: 'sales-a', where: 'shop_id NOT IN (SELECT id FROM {{ shop.t_shop_info }})' });
    expect(cross.count).toBe(1);
  });

  it('redis_persistent_keys: TTL -1 only, by key name when stored, else by pattern', () => {
    const r = one({ check: 'redis_persistent_keys', patterns: ['CONTACT_day:*', 'CONTACT_week:*', 'CONTACT_month:*'] });
    expect(r).toMatchObject({ status: 'fail', count: 3, total: 5 });
    expect(r.metrics).toMatchObject({ by_pattern: { 'CONTACT_day:*': 1, 'CONTACT_week:*': 1, 'CONTACT_month:*': 1 }, instances: { 'cache-a': 2, 'cache-b': 1 }, persistent_memory_bytes: 160 });
    expect(r.evidence.map((e) => e.key_name ?? e.pattern)).toEqual(['CONTACT_day:*', 'CONTACT_week:*', 'CONTACT_month:5']);
    expect(evidenceRows(r)).toHaveLength(3);
    expect(one({ check: 'redis_persistent_keys', patterns: ['session:*'] }).count).toBe(1);
    expect(one({ check: 'redis_persistent_keys', patterns: ['CONTACT_day:2'] }).count).toBe(0);
  });

  it('redis_utilisation: used / allocated (manifest, else maxmemory), pulled instances with a known allocation only', () => {
    const r = one({ check: 'redis_utilisation', below: '1%' });
    expect(r).toMatchObject({ status: 'fail', count: 2, total: 3, metrics: { below: 0.01, unknown_allocation: 1, inventory_only: 1 } });
    expect(r.evidence).toEqual([
      { instance: 'cache-d', used_memory: 1000, allocated_memory_bytes: 1000000000, allocation_source: null, utilisation: 0.000001 },
      { instance: 'cache-a', used_memory: 500000, allocated_memory_bytes: 104857600, allocation_source: 'manifest', utilisation: 0.00476837 },
    ]);
    expect(evidenceRows(r).map((e) => e.instance)).toEqual(['cache-d', 'cache-a']);
    expect(one({ check: 'redis_utilisation', below: 0.95 }).count).toBe(3);
  });

  it('version_below: numeric comparison (7.10 is not below 7.2)', () => {
    const r = one({ check: 'version_below', engine: 'redis', minimum: '7.2' });
    expect(r).toMatchObject({ count: 2, total: 4, metrics: { unknown_version: 1, versions: { '6.0.5': 1, '7.2.4': 1, '7.10.1': 1, '5.0': 1 } } });
    expect(r.evidence.map((e) => e.instance)).toEqual(['cache-a', 'cache-d']);
    expect(evidenceRows(r).map((e) => e.instance)).toEqual(['cache-a', 'cache-d']);
    expect(one({ check: 'version_below', engine: 'postgres', minimum: '14' }).count).toBe(0);
  });

  it('pii_columns: columns mostly e-mails or phones, not order numbers or dates; no value in evidence', () => {
    const r = one({ check: 'pii_columns' });
    expect(r.count).toBe(2);
    expect(r.evidence).toEqual([
      { table: 'sales-a/users/t_user', column: 'email', kind: 'email', ratio: 1, sampled: 3 },
      { table: 'sales-a/users/t_user', column: 'mobile', kind: 'phone', ratio: 1, sampled: 4 },
    ]);
    expect(JSON.stringify(r)).not.toContain('ann@example.com');
    expect(evidenceRows(r)).toEqual([
      { table: 'sales-a/users/t_user', column: 'email', sampled: 3, emails: 3, phones: 0 },
      { table: 'sales-a/users/t_user', column: 'mobile', sampled: 4, emails: 0, phones: 4 },
    ]);
  });

  it('secrets: every API-key-shaped value in any text column, masked, never the secret itself', () => {
    const r = one({ check: 'secrets' });
    expect(r.count).toBe(5);
    expect(r.metrics.by_column).toEqual({
      'cache-b/db1/keys.key_name': 1,
      'pg/dify/public.provider_credentials.encrypted_config': 1,
      'pg/dify/public.provider_credentials.config': 1,
      'sales-a/users/t_user.note': 2,
    });
    expect(r.evidence).toContainEqual({ table: 'sales-a/users/t_user', id: 2, column: 'note', value: 'sk-Ab3A…(45 chars)' });
    expect(r.evidence).toContainEqual({ table: 'pg/dify/public.provider_credentials', id: 'a1', column: 'config', value: 'sk-Ab3A…(46 chars)' });
    const everything = JSON.stringify(r);
    expect(everything).not.toContain(SECRET.slice(0, 12));
    const rows = evidenceRows(r);
    expect(rows).toHaveLength(5);
    expect(JSON.stringify(rows)).not.toContain(SECRET.slice(0, 12));
  });

  it('sql: rows of a query are the offending items; total from a query', () => {
    const r = one({ check: 'sql', query: "SELECT id, shop_name FROM {{sales-a/shop/t_order}} WHERE currency_code = 'USD' AND shop_id > 3", total: 'SELECT count(*) FROM {{sales-a/shop/t_order}}' });
    expect(r).toMatchObject({ count: 2, total: 8, evidence: [{ id: 6 }, { id: 8 }] });
    expect(one({ check: 'sql', query: 'SELECT * FROM {{ t_order }}', total: 100, fail: 'ratio > 5%' })).toMatchObject({ count: 10, total: 100, status: 'fail' });
    // Key inventories too: {{ keys }} is every Redis database's.
    expect(one({ check: 'sql', query: 'SELECT key_hash FROM {{ keys }} WHERE ttl_ms = -1' }).count).toBe(5);
  });
});

describe('rule metrics, thresholds and failures', () => {
  it('sums decimals exactly over every matching table: 0.10 + 0.20 + 0.30 = 0.60', () => {
    const r = one({ check: 'empty', database: 'fi_tax', metrics: { revenue: { table: 't_order', sum: 'pay_amount' } }, fail: 'count = total and metrics.revenue > 0' });
    expect(r.metrics.revenue).toBe('10.60');
    expect(r.status).toBe('fail');
    const exact = one({ check: 'row_count', table: 't_order', where: 'shop_id = 1', metrics: { revenue: { table: 'shop.t_order', sum: 'pay_amount', where: "shop_id = 1 AND currency_code = 'USD'" } } });
    expect(exact.metrics.revenue).toBe('0.60');
  });

  it('{{failing}} reaches the offending rows from a metric (orders at test shops)', () => {
    const r = one({ check: 'pattern', table: 't_shop_info', column: 'shop_name', regex: '\\btest\\b', flags: 'i', metrics: { orders: { table: 't_order', instance: 'sales-a', where: 'shop_id IN (SELECT id FROM {{failing}})' } } });
    expect(r).toMatchObject({ count: 2, metrics: { orders: 3 } });
  });

  it('warn and fail thresholds, ratios and unknown metrics', () => {
    const base = { check: 'allowed_values' as const, table: 't_order', column: 'currency_code', values: ['USD'] };
    expect(one({ ...base, fail: 'ratio > 60%', warn: 'ratio > 40%' }).status).toBe('warn');
    expect(one({ ...base, fail: 'ratio > 40%' }).status).toBe('fail');
    expect(one({ ...base, warn: 'count > 100' }).status).toBe('pass');
  });

  it('a broken rule is an error for that rule only, never a crashed run', () => {
    const results = run(
      { check: 'condition', table: 't_order', where: 'no_such_column = 1' },
      { check: 'row_count', table: 't_order' },
      { check: 'sql', query: 'SELECT * FROM nowhere' },
      { check: 'condition', table: 't_order', where: "json_extract(shop_name, '$.x') = 1" },
      { check: 'missing', table: 't_order', column: 'shop_name' },
    );
    expect(results.map((r) => r.status)).toEqual(['error', 'pass', 'error', 'error', 'fail']);
    expect(results[0]!.metrics.error).toMatch(/no such column: no_such_column/);
    expect(results[2]!.metrics.error).toMatch(/no such table: nowhere/);
    expect(results[3]!.metrics.error).toMatch(/malformed JSON/);
    expect(results[4]!.count).toBe(5);
  });

  it('never writes: the connection is read-only', () => {
    expect(one({ check: 'sql', query: "SELECT 1 FROM sqlite_master WHERE 0" }).status).toBe('pass');
    expect(one({ check: 'sql', query: 'DELETE FROM {{t_order}}' })).toMatchObject({ status: 'error' });
    expect(one({ check: 'row_count', table: 't_order' }).count).toBe(10);
  });
});

describe('report-07 on a small fleet', () => {
  it('runs every rule and finds what the fleet holds', () => {
    const byId = Object.fromEntries(runPack(db, REPORT_07).results.map((r) => [r.id, r]));
    expect(byId['DQ-001']).toMatchObject({ status: 'skipped' }); // no luckyus_fi_tax database here
    expect(byId['DQ-002']).toMatchObject({ status: 'fail', count: 5, total: 10 });
    expect(byId['DQ-005']).toMatchObject({ status: 'fail', count: 3, metrics: { orders: 4 } });
    expect(byId['DQ-006']).toMatchObject({ status: 'warn', count: 2 });
    expect(byId['DQ-007']).toMatchObject({ status: 'fail', count: 5, total: 10 });
    expect(byId['RDS-001']).toMatchObject({ status: 'fail', count: 3 });
    expect(byId['RDS-002']).toMatchObject({ status: 'fail', count: 2, total: 3 });
    expect(byId['RDS-003']).toMatchObject({ status: 'fail', count: 2 });
    expect(byId['SEC-001']).toMatchObject({ status: 'fail', count: 2 });
    expect(byId['SEC-002']).toMatchObject({ status: 'fail', count: 5 });
  });
});
