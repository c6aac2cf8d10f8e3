// report-07 on a snapshot pulled from real servers (MariaDB and Redis), so the
// rules read what the adapters really write: DECIMAL text, INFO/CONFIG facts,
// key inventories without key names, and --max-rows limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { DqReport, DqResult } from '../../shared/dq/results.ts';
import { mariadbExec, startMariadb, startRedis, type ThrowawayServer } from '../helpers/servers.ts';
import { parseJson, runCli, tempDir, writeFleet } from '../helpers/cli.ts';

let maria: ThrowawayServer;
let redis: ThrowawayServer;
let dir: string;
let fleetFile: string;
let redisVersion: string;

beforeAll(async () => {
  [maria, redis] = await Promise.all([startMariadb(), startRedis({ maxmemoryMb: 1024 })]);
  await mariadbExec(
    maria,
    `SET NAMES utf8mb4; CREATE DATABASE luckyus_sales_order CHARACTER SET utf8mb4; CREATE DATABASE luckyus_fi_tax; USE luckyus_sales_order;
     CREATE TABLE luckyus_sales_order.t_order (id BIGINT PRIMARY KEY, shop_id INT, shop_name VARCHAR(64) NULL, currency_code CHAR(3) NULL, pay_amount DECIMAL(12,2));
     INSERT INTO luckyus_sales_order.t_order SELECT seq, seq % 7, IF(seq % 100 = 0, '　', CONCAT('Shop ', seq % 7)), IF(seq % 20 = 0, 'NZD', IF(seq % 333 = 0, NULL, 'USD')), 0.10 + (seq % 3) / 10 FROM seq_1_to_3000;
     CREATE TABLE luckyus_fi_tax.t_tax_rate (id INT PRIMARY KEY, rate DECIMAL(5,4)); CREATE TABLE luckyus_fi_tax.t_tax_record (id INT PRIMARY KEY);
     CREATE USER 'reader'@'%' IDENTIFIED BY 'pw'; GRANT SELECT, SHOW VIEW ON *.* TO 'reader'@'%';`,
  );
  const client = new Redis({ host: redis.host, port: redis.port });
  for (let i = 0; i < 40; i++) await client.set(`CONTACT_day:${5000 + i}`, '1');
  // Two of each kind: a pattern keeps a segment only when it recurs.
  await client.set('CONTACT_week:1', '1');
  await client.set('CONTACT_week:2', '1', 'EX', 3600);
  await client.set('CONTACT_month:1', '1', 'EX', 3600);
  await client.set('CONTACT_month:2', '1', 'EX', 3600);
  await client.set('coupon:stock:9', '5', 'EX', 600);
  redisVersion = /redis_version:(\S+)/.exec(await client.info('server'))![1]!;
  await client.quit();
  dir = tempDir('snapbench-dq-pull-');
  fleetFile = writeFleet(dir, [
    { name: 'aws-luckyus-salesorder-rw', engine: 'mysql', host: maria.host, port: maria.port, user: 'reader', password_env: 'SALES_PW', databases: ['luckyus_sales_order', 'luckyus_fi_tax'] },
    { name: 'luckyus-isales-market', engine: 'redis', host: redis.host, port: redis.port },
    { name: 'luckyus-iotplatform', engine: 'redis', allocated_memory_mb: 1024 },
  ]);
});

afterAll(async () => {
  await Promise.all([maria?.stop(), redis?.stop()]);
});

async function pullAndCheck(out: string, extra: string[] = []): Promise<Record<string, DqResult>> {
  const pulled = await runCli(['pull', '--fleet', fleetFile, '--out', out, ...extra], { env: { SALES_PW: 'pw' } });
  expect(pulled.code, pulled.stderr).toBe(0);
  const result = await runCli(['dq', out, '--format', 'json']);
  expect(result.code, result.stderr).toBe(0);
  return Object.fromEntries(parseJson<DqReport>(result).results.map((r) => [r.id, r]));
}

describe('report-07 on a pulled snapshot', () => {
  it('counts exactly what the servers hold, and verify passes after the results are stored', async () => {
    const file = join(dir, 'pulled.snapbench');
    const r = await pullAndCheck(file);
    // 3000 orders: 150 NZD (every 20th), NULL every 333rd unless NZD, blank (U+3000) every 100th.
    const nullCurrency = [...Array(3000).keys()].map((i) => i + 1).filter((n) => n % 20 !== 0 && n % 333 === 0).length;
    expect(r['DQ-002']).toMatchObject({ status: 'fail', count: 150 + nullCurrency, total: 3000, limited: false });
    expect(r['DQ-007']).toMatchObject({ status: 'fail', count: 30, total: 3000 });
    // pay_amount is 0.10, 0.20 or 0.30 (seq % 3 = 0, 1, 2): summed exactly over the USD rows.
    let cents = 0;
    for (let n = 1; n <= 3000; n++) if (n % 20 !== 0 && n % 333 !== 0) cents += 10 + (n % 3) * 10;
    expect(r['DQ-001']).toMatchObject({ status: 'fail', count: 2, total: 2, metrics: { revenue: (cents / 100).toFixed(2) } });
    expect(r['RDS-001']).toMatchObject({ status: 'fail', count: 41, total: 44, metrics: { by_pattern: { 'CONTACT_day:*': 40, 'CONTACT_week:*': 1, 'CONTACT_month:*': 0 } } });
    // Allocation from maxmemory (1 GB): a nearly empty Redis is far below 1%; the inventory-only one is left out.
    expect(r['RDS-002']).toMatchObject({ count: 1, total: 1, metrics: { inventory_only: 1 } });
    expect(r['RDS-002']!.evidence[0]).toMatchObject({ instance: 'luckyus-isales-market', allocated_memory_bytes: 1024 * 1024 * 1024, allocation_source: 'maxmemory' });
    const below = Number(redisVersion.split('.')[0]) < 7 || (Number(redisVersion.split('.')[0]) === 7 && Number(redisVersion.split('.')[1]) < 2);
    expect(r['RDS-003']).toMatchObject({ count: below ? 1 : 0, total: 1, metrics: { versions: { [redisVersion]: 1 } } });
    expect(r['DQ-006']).toMatchObject({ status: 'warn', count: 1 });
    const verify = await runCli(['verify', file]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('says a result is limited when --max-rows cut a table it read', async () => {
    const r = await pullAndCheck(join(dir, 'limited.snapbench'), ['--max-rows', '1000']);
    expect(r['DQ-002']).toMatchObject({ total: 1000, limited: true });
    expect(r['DQ-001']).toMatchObject({ limited: true });
    expect(r['RDS-001']).toMatchObject({ limited: false });
  });
});
