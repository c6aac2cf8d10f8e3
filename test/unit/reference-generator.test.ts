// The reference fleet generator: deterministic, scaled, complete (every name of
// reference-fleet.md), with the report's edge cases planted, and planted counts
// that agree with the definitions re-applied here, independently, to the rows.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SqlValue } from '../../shared/model/snapshot.ts';
import { batches, computePlantedCounts, referenceFleet, tableKey, type ReferenceFleet } from '../../snapshots/fleet/reference/index.ts';
import { redisFacts } from '../../snapshots/fleet/reference/facts.ts';
import { fleetInstance } from '../../snapshots/fleet/reference/fleet.ts';

const fleet = referenceFleet({ seed: 7, scale: 0.005 });
const counts = computePlantedCounts(fleet);

function rowsOf(f: ReferenceFleet, name: string): SqlValue[][] {
  const table = f.tables.find((t) => t.name === name);
  if (!table) throw new Error(`no table ${name}`);
  return [...table.rows()];
}

function column(f: ReferenceFleet, table: string, name: string): number {
  return f.tables.find((t) => t.name === table)!.columns.findIndex((c) => c.name === name);
}

function digest(f: ReferenceFleet): string {
  const hash = createHash('sha256');
  for (const table of f.tables) for (const batch of batches(table.rows())) hash.update(JSON.stringify(batch));
  for (const space of f.redis) for (const batch of batches(space.keys())) hash.update(JSON.stringify(batch));
  return hash.digest('hex');
}

/** Exact sum of DECIMAL(12,2) text as integer cents, parsed here without the generator's helpers. */
function cents(text: string): bigint {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
}

describe('reference fleet generator', () => {
  it('is deterministic: same seed and scale, same rows and keys; another seed, other data', () => {
    const again = referenceFleet({ seed: 7, scale: 0.005 });
    expect(digest(again)).toBe(digest(fleet));
    expect(rowsOf(referenceFleet({ seed: 8, scale: 0.005 }), 't_order')).not.toEqual(rowsOf(fleet, 't_order'));
  });

  it('scales row counts; catalogues stay whole; every table keeps a row where it must', () => {
    const bigger = computePlantedCounts(referenceFleet({ seed: 7, scale: 0.01 }));
    const key = (instance: string, db: string, table: string) => `${instance}/${db}/${table}`;
    expect(counts.orders.total).toBe(2435);
    expect(bigger.orders.total).toBe(4870);
    expect(bigger.tables[key('aws-luckyus-igers-rw', 'luckyus_igers', 't_user')]).toBe(2770);
    expect(counts.tables[key('aws-luckyus-igers-rw', 'luckyus_igers', 't_user')]).toBe(1385);
    expect(bigger.tables[key('aws-luckyus-opshop-rw', 'luckyus_op_shop', 't_shop_info')]).toBe(19);
    expect(counts.tables[key('aws-luckyus-salespayment-rw', 'luckyus_sales_payment', 't_pay_channel')]).toBe(11);
    const tiny = computePlantedCounts(referenceFleet({ seed: 7, scale: 0.00001 }));
    expect(tiny.orders.total).toBe(5);
    expect(tiny.orders.nzd).toBe(1);
    expect(tiny.orders.nullCurrency).toBe(1);
    expect(tiny.orders.blankShopName).toBe(4);
    for (const [name, rows] of Object.entries(tiny.tables)) {
      if (/luckyus_fi_tax|luckyus_member_marketing/.test(name)) expect(rows, name).toBe(0);
      else expect(rows, name).toBeGreaterThan(0);
    }
  });

  it('has every instance, database, table and column of reference-fleet.md', () => {
    const expected: Record<string, string[]> = {
      'aws-luckyus-salesorder-rw/luckyus_sales_order': ['t_order', 't_order_item'],
      'aws-luckyus-salespayment-rw/luckyus_sales_payment': ['t_pay_channel', 't_payment'],
      'aws-luckyus-salesmarketing-rw/luckyus_sales_marketing': ['t_coupon_template', 't_coupon', 't_coupon_expired'],
      'aws-luckyus-isalesmembermarketing-rw/luckyus_member_marketing': ['t_member', 't_member_level', 't_member_points_log', 't_member_benefit'],
      'aws-luckyus-opshop-rw/luckyus_op_shop': ['t_shop_info'],
      'aws-luckyus-scmcommodity-rw/luckyus_scm_commodity': ['t_commodity'],
      'aws-luckyus-scm-shopstock-rw/luckyus_scm_shopstock': ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => `t_stock_change_record_${d}`),
      'aws-luckyus-fitax-rw/luckyus_fi_tax': ['t_tax_rate', 't_tax_record', 't_tax_remittance'],
      'aws-luckyus-igers-rw/luckyus_igers': ['t_user'],
      'aws-luckyus-dify-rw/dify': ['public.apps', 'public.conversations', 'public.messages', 'public.provider_credentials'],
      'aws-luckyus-pgilkmap-rw/ilkmap': ['public.store_locations'],
    };
    const keys = fleet.tables.map(tableKey).sort();
    expect(keys).toEqual(Object.entries(expected).flatMap(([prefix, tables]) => tables.map((t) => `${prefix}/${t}`)).sort());
    const typesOf = (name: string) => Object.fromEntries(fleet.tables.find((t) => t.name === name)!.columns.map((c) => [c.name, c.type]));
    expect(typesOf('t_order')).toEqual({
      id: 'BIGINT', order_no: 'VARCHAR(32)', user_id: 'BIGINT', shop_id: 'INT', shop_name: 'VARCHAR(64)', currency_code: 'CHAR(3)', country_code: 'CHAR(2)',
      total_amount: 'DECIMAL(12,2)', discount_amount: 'DECIMAL(12,2)', pay_amount: 'DECIMAL(12,2)', coupon_id: 'BIGINT', pay_channel: 'TINYINT', status: 'TINYINT',
      create_time: 'DATETIME', pay_time: 'DATETIME',
    });
    expect(typesOf('t_order_item')).toEqual({ id: 'BIGINT', order_id: 'BIGINT', commodity_id: 'INT', commodity_name: 'VARCHAR(128)', quantity: 'INT', unit_price: 'DECIMAL(10,2)', amount: 'DECIMAL(12,2)' });
    expect(Object.keys(typesOf('t_pay_channel'))).toEqual(['id', 'code', 'name']);
    expect(Object.keys(typesOf('t_payment'))).toEqual(['id', 'order_id', 'pay_channel', 'amount', 'currency_code', 'status', 'create_time']);
    expect(Object.keys(typesOf('t_coupon_template'))).toEqual(['id', 'name', 'face_value', 'is_active']);
    expect(typesOf('t_coupon_expired')).toEqual(typesOf('t_coupon'));
    expect(Object.keys(typesOf('t_coupon'))).toEqual(['id', 'coupon_code', 'user_id', 'template_id', 'status', 'expire_time', 'create_time']);
    expect(typesOf('t_shop_info')).toMatchObject({ id: 'INT', latitude: 'DECIMAL(9,6)', longitude: 'DECIMAL(9,6)' });
    expect(Object.keys(typesOf('t_shop_info'))).toEqual(['id', 'shop_no', 'shop_name', 'city', 'state', 'country_code', 'latitude', 'longitude', 'timezone', 'status', 'open_date']);
    expect(typesOf('t_commodity')).toMatchObject({ id: 'INT', commodity_name: 'VARCHAR(128)', commodity_name_en: 'VARCHAR(128)', price: 'DECIMAL(10,2)' });
    expect(Object.keys(typesOf('t_stock_change_record_wed'))).toEqual(['id', 'shop_id', 'goods_id', 'change_qty', 'change_type', 'create_time']);
    expect(typesOf('t_user')).toMatchObject({ id: 'BIGINT' });
    expect(Object.keys(typesOf('t_user'))).toEqual(['id', 'mobile', 'email', 'nickname', 'register_time', 'country_code']);
    expect(typesOf('provider_credentials')).toMatchObject({ provider: 'character varying(255)', encrypted_config: 'text' });
    expect(Object.keys(typesOf('store_locations'))).toEqual(['shop_id', 'latitude', 'longitude', 'geohash']);
    expect(fleet.redis.map((r) => r.instance)).toEqual([
      'luckyus-isales-market', 'luckyus-isales-session', 'luckyus-isales-order', 'luckyus-isales-commodity', 'luckyus-iotplatform', 'luckyus-apigateway',
    ]);
  });

  it('lists the whole inventory: 62 MySQL by section 2 domains, 78 Redis in 4.2 tiers, 3 PostgreSQL', () => {
    const by = (engine: string) => fleet.inventory.filter((i) => i.engine === engine);
    expect(fleet.inventory).toHaveLength(143);
    expect(new Set(fleet.inventory.map((i) => i.name)).size).toBe(143);
    expect(by('mysql')).toHaveLength(62);
    expect(by('redis')).toHaveLength(78);
    expect(by('postgres').map((i) => i.name)).toEqual(['aws-luckyus-dify-rw', 'aws-luckyus-difynew-rw', 'aws-luckyus-pgilkmap-rw']);
    const domains: Record<string, number> = {};
    for (const i of by('mysql')) domains[i.domain] = (domains[i.domain] ?? 0) + 1;
    expect(domains).toEqual({ sales: 8, operations: 6, scm: 9, finance: 5, 'ai-data': 5, platform: 6, iot: 1, other: 22 });
    expect(by('mysql').filter((i) => i.note)).toHaveLength(4);
    const tiers = { high: 0, moderate: 0, low: 0, nearZero: 0 };
    for (const r of by('redis')) {
      const u = r.utilisation!;
      expect(r.allocatedMemoryMb, r.name).toBeGreaterThan(0);
      expect(r.version).toBe('6.0.5');
      if (u > 0.2) tiers.high++;
      else if (u >= 0.05) tiers.moderate++;
      else if (u >= 0.01) tiers.low++;
      else tiers.nearZero++;
    }
    expect(tiers).toEqual({ high: 2, moderate: 3, low: 15, nearZero: 58 });
    const market = by('redis').find((r) => r.name === 'luckyus-isales-market')!;
    // 1.28 GiB of 4.79 GiB (26.7%, report 4.3), the cost preset's figures.
    expect([market.allocatedMemoryMb, market.hitRate]).toEqual([4905, 0.869]);
    expect(market.utilisation).toBeCloseTo(0.267, 3);
    // 99.73 MB of 384 MB: 26.0%; the report prints 26.2% (REPORT_DISCREPANCIES.sessionUtilisation).
    expect(by('redis').find((r) => r.name === 'luckyus-isales-session')!.utilisation).toBeCloseTo(99.73 / 384, 9);
    expect(counts.rules['RDS-002']).toMatchObject({ count: 58, total: 78 });
    expect(counts.rules['RDS-003']).toMatchObject({ count: 78 });
  });

  it('writes Redis facts with the report\u2019s hit rates and utilisation, in the adapter\u2019s categories', () => {
    for (const [name, rate] of [['luckyus-isales-market', 0.869], ['luckyus-isales-order', 0.644]] as const) {
      const instance = fleet.inventory.find((i) => i.name === name)!;
      const facts = redisFacts(instance, fleetInstance(instance), null);
      const fact = (category: string, n: string) => facts.find((f) => f.category === category && f.name === n)?.value;
      const hits = Number(fact('stats', 'keyspace_hits'));
      const misses = Number(fact('stats', 'keyspace_misses'));
      expect(hits / (hits + misses)).toBeCloseTo(rate, 3);
      expect(fact('server', 'redis_version')).toBe('6.0.5');
      expect(fact('memory', 'maxmemory_policy')).toBe('volatile-lfu');
      expect(Number(fact('inventory', 'utilisation'))).toBeCloseTo(instance.utilisation!, 6);
      expect(fact('inventory', 'allocation_source')).toBe('manifest');
    }
  });

  it('plants the edge cases the rules must get right', () => {
    const orders = rowsOf(fleet, 't_order');
    const shopName = column(fleet, 't_order', 'shop_name');
    const names = new Set(orders.map((o) => o[shopName]));
    for (const blank of [null, '', '   ', '\u3000']) expect(names.has(blank), JSON.stringify(blank)).toBe(true);
    const shops = rowsOf(fleet, 't_shop_info').map((r) => r[2] as string);
    expect(shops).toHaveLength(19);
    expect(shops).toEqual(expect.arrayContaining(['NJ Test Kitchen', 'Lab-Test Store', 'IQA2 Store', 'Testament Ave']));
    expect(counts.rules['DQ-005']!.detail).toEqual(['NJ Test Kitchen', 'Lab-Test Store', 'IQA2 Store']);
    const commodities = rowsOf(fleet, 't_commodity').map((r) => r[2] as string);
    const han = /\p{Script=Han}/u;
    const katakana = commodities.filter((n) => /^[\p{Script=Katakana}ー]+$/u.test(n));
    const hangul = commodities.filter((n) => /\p{Script=Hangul}/u.test(n));
    expect(katakana.length).toBeGreaterThan(0);
    expect(hangul.length).toBeGreaterThan(0);
    for (const n of [...katakana, ...hangul]) expect(han.test(n), n).toBe(false);
    expect(commodities.filter((n) => han.test(n)).length).toBeGreaterThan(commodities.length / 2);
    const configs = rowsOf(fleet, 'provider_credentials').map((r) => r[3] as string);
    expect(configs.some((c) => c.includes('"sk-short"'))).toBe(true);
    expect(configs.some((c) => c.startsWith('{"') && c.includes('HYBRID:'))).toBe(true);
    const currency = column(fleet, 't_order', 'currency_code');
    const country = column(fleet, 't_order', 'country_code');
    for (const o of orders.filter((o) => o[currency] === 'NZD')) expect(o[country]).toBe('CK');
    expect(counts.orders.nzd / counts.orders.total).toBeCloseTo(0.0436, 3);
    const templates = rowsOf(fleet, 't_coupon_template').map((r) => r[1] as string);
    expect(templates.filter((t) => /\biqa\d*\b/i.test(t)).length).toBeGreaterThanOrEqual(2);
    for (const t of fleet.tables.filter((t) => /luckyus_(fi_tax|member_marketing)/.test(t.database))) expect([...t.rows()]).toEqual([]);
  });

  it('gives Redis keys the TTLs of the report: counters persistent, the order cache ~96 s', () => {
    const keys = (instance: string) => [...fleet.redis.find((r) => r.instance === instance)!.keys()];
    const market = keys('luckyus-isales-market');
    for (const k of market.filter((k) => k.name.startsWith('CONTACT_'))) expect(k.ttlMs).toBe(-1);
    for (const k of market.filter((k) => /^(mkt:campaign|coupon:stock):/.test(k.name))) expect(k.ttlMs).toBeGreaterThan(0);
    for (const k of keys('luckyus-isales-order')) {
      expect(k.ttlMs).toBeGreaterThanOrEqual(60_000);
      expect(k.ttlMs).toBeLessThanOrEqual(96_000);
    }
    for (const k of keys('luckyus-isales-session')) {
      expect(k.name).toMatch(/^session:[0-9a-f]{32}$/);
      expect(k.ttlMs).toBeGreaterThan(0);
    }
    expect(keys('luckyus-iotplatform').length).toBeLessThan(10);
    expect(keys('luckyus-apigateway').length).toBeLessThan(10);
  });

  it('reports planted counts that the definitions, re-applied to the rows, confirm', () => {
    const orders = rowsOf(fleet, 't_order');
    const [currency, pay, shopName, shopId] = ['currency_code', 'pay_amount', 'shop_name', 'shop_id'].map((c) => column(fleet, 't_order', c));
    const blank = (v: SqlValue) => v === null || (typeof v === 'string' && /^\p{White_Space}*$/u.test(v));
    const testName = /\b(test|iqa\d*)\b/i;
    const testShops = rowsOf(fleet, 't_shop_info').filter((s) => testName.test(s[2] as string)).map((s) => s[0]);
    let revenue = 0n;
    for (const o of orders) if (o[currency!] === 'USD') revenue += cents(o[pay!] as string);
    const revenueText = `${revenue / 100n}.${String(revenue % 100n).padStart(2, '0')}`;
    expect(counts.orders.total).toBe(orders.length);
    expect(counts.rules['DQ-002']).toMatchObject({ count: orders.filter((o) => o[currency!] === null || o[currency!] !== 'USD').length, total: orders.length });
    expect(counts.rules['DQ-001']).toMatchObject({ count: 3, total: 3, metrics: { revenue: revenueText } });
    expect(counts.orders.revenueUsd).toBe(revenueText);
    expect(counts.rules['DQ-003']).toMatchObject({ count: 4, total: 4 });
    expect(counts.rules['DQ-004']!.count).toBe(rowsOf(fleet, 't_commodity').filter((c) => /\p{Script=Han}/u.test(c[2] as string)).length);
    expect(counts.rules['DQ-005']).toMatchObject({ count: testShops.length, metrics: { orders: orders.filter((o) => testShops.includes(o[shopId!])).length } });
    expect(counts.rules['DQ-006']!.count).toBe(1);
    expect(counts.rules['DQ-007']!.count).toBe(orders.filter((o) => blank(o[shopName!]!)).length);
    const persistentContact = fleet.redis.flatMap((r) => [...r.keys()]).filter((k) => k.ttlMs === -1 && /^CONTACT_(day|week|month):/.test(k.name)).length;
    expect(counts.rules['RDS-001']!.count).toBe(persistentContact);
    let secrets = 0;
    for (const table of fleet.tables) for (const row of table.rows()) for (const v of row) if (typeof v === 'string' && /sk-[A-Za-z0-9]{32,}/.test(v)) secrets++;
    expect(counts.rules['SEC-002']!.count).toBe(secrets);
    expect(secrets).toBe(5);
    expect(counts.rules['SEC-001']!.detail).toEqual(['aws-luckyus-igers-rw/luckyus_igers/t_user.mobile', 'aws-luckyus-igers-rw/luckyus_igers/t_user.email']);
    for (const table of fleet.tables) expect(counts.tables[tableKey(table)], tableKey(table)).toBe([...table.rows()].length);
  });
});
