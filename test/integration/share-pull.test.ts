// A pulled fleet (real PostgreSQL and Redis servers) signed at pull time and
// then shared: `pull --sign` gives a file `verify --trust` accepts; the shared
// copy drops Redis key names (session tokens), masks the PII columns and the
// e-mail addresses inside free text, cuts out the secret, verifies, and keeps
// the DQ counts but SEC-002's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { DqReport } from '../../shared/dq/results.ts';
import { psqlExec, startPostgres, startRedis, type ThrowawayServer } from '../helpers/servers.ts';
import { parseJson, runCli, tempDir, writeFleet } from '../helpers/cli.ts';

const TOKENS = ['tok3n-0a1b2c3d4e5f60718293a4b5c6d7e8f9', 'tok3n-ffeeddccbbaa00998877665544332211'];
const SECRET = 'sk-' + 'Q7w'.repeat(14);
const CUSTOMERS = 'crm/crm/public.customers';

let pg: ThrowawayServer;
let redis: ThrowawayServer;
let dir: string;
let pulled: string;
let env: Record<string, string>;

function sqlite(path: string, sql: string): string {
  return execFileSync('sqlite3', [path, sql], { encoding: 'utf8' });
}

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis({ maxmemoryMb: 64 })]);
  await psqlExec(pg, 'CREATE DATABASE crm');
  await psqlExec(
    pg,
    `CREATE TABLE customers (id int PRIMARY KEY, email text, phone text, full_name text, note text);
     INSERT INTO customers SELECT i, 'customer' || i || '@example.org', '+1 212 555 ' || lpad(i::text, 4, '0'), 'Name ' || i,
       CASE WHEN i = 7 THEN 'wrote from customer7.alt@example.net about the refund' WHEN i = 9 THEN 'pasted key ${SECRET} in chat' ELSE 'ok' END
     FROM generate_series(1, 40) AS i;
     UPDATE customers SET email = NULL WHERE id = 3;
     UPDATE customers SET email = '  ' WHERE id = 4;
     CREATE TABLE orders (id int PRIMARY KEY, customer_id int, amount numeric(10,2));
     INSERT INTO orders SELECT i, 1 + i % 40, i * 1.5 FROM generate_series(1, 100) AS i;`,
    'crm',
  );
  const client = new Redis({ host: redis.host, port: redis.port });
  for (const token of TOKENS) await client.set(`session:${token}`, 'x', 'EX', 3600);
  await client.set('CONTACT_day:1001', '3');
  // A second one with a TTL: a pattern keeps a segment only when it recurs.
  await client.set('CONTACT_day:1002', '3', 'EX', 3600);
  await client.quit();
  dir = tempDir('snapbench-share-pull-');
  env = { SNAPBENCH_CONFIG_DIR: join(dir, 'config') };
  for (const name of ['alice', 'robot']) expect((await runCli(['keys', 'generate', '--out', join(dir, name)])).code).toBe(0);
  const fleet = writeFleet(dir, [
    { name: 'crm', engine: 'postgres', host: pg.host, port: pg.port, user: 'postgres', databases: ['crm'] },
    { name: 'cache', engine: 'redis', host: redis.host, port: redis.port, allocated_memory_mb: 128, raw_key_names: true },
  ]);
  pulled = join(dir, 'pulled.snapbench');
  const result = await runCli(['pull', '--fleet', fleet, '--out', pulled, '--sign', join(dir, 'robot.key'), '--signer', 'Pull Robot']);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/signed by Pull Robot with key [0-9a-f]{64}/);
});

afterAll(async () => {
  await Promise.all([pg?.stop(), redis?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pull --sign', () => {
  it('signs the pulled file so that verify --trust accepts it and names the signer', async () => {
    const result = await runCli(['verify', pulled, '--trust', join(dir, 'robot.pub')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/signature valid: signed by Pull Robot/);
    expect((await runCli(['verify', pulled, '--trust', join(dir, 'alice.pub')])).code).toBe(5);
  });

  it('fails before pulling anything when the key cannot be used', async () => {
    const out = join(dir, 'never.snapbench');
    const fleet = writeFleet(dir, [{ name: 'cache', engine: 'redis', host: redis.host, port: redis.port }], 'one.yaml');
    const result = await runCli(['pull', '--fleet', fleet, '--out', out, '--sign', join(dir, 'robot.pub')]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/signing key .*robot\.pub: not a PEM private key/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('never'))).toEqual([]);
  });
});

describe('sharing a pulled fleet', () => {
  let shared: string;

  beforeAll(async () => {
    expect(sqlite(pulled, `SELECT count(*) FROM "cache/db0/keys" WHERE key_name LIKE 'session:%'`).trim()).toBe('2');
    shared = join(dir, 'shared.snapbench');
    const result = await runCli(['share', pulled, '--out', shared, '--sign', join(dir, 'alice.key'), '--signer', 'Alice'], { env });
    expect(result.code, result.stderr).toBe(0);
  });

  it('leaves out session tokens, e-mail addresses, phone numbers and the secret', () => {
    const bytes = readFileSync(shared);
    const original = readFileSync(pulled);
    const values = [...TOKENS, SECRET, 'customer7.alt@example.net', ...Array.from({ length: 40 }, (_, i) => `customer${i + 1}@example.org`).filter((_, i) => i !== 2 && i !== 3)];
    values.push(...Array.from({ length: 40 }, (_, i) => `+1 212 555 ${String(i + 1).padStart(4, '0')}`));
    for (const value of values) expect(original.includes(value), `${value} is in the pulled file`).toBe(true);
    expect(values.filter((value) => bytes.includes(value))).toEqual([]);
  });

  it('drops key names but keeps patterns, hashes and TTLs; masks PII and e-mail addresses inside text', () => {
    expect(sqlite(shared, `SELECT count(*), count(key_name), count(key_hash), group_concat(DISTINCT pattern) FROM "cache/db0/keys"`).trim()).toMatch(/^4\|0\|4\|/);
    expect(sqlite(shared, `SELECT pattern, ttl_ms = -1 FROM "cache/db0/keys" WHERE pattern LIKE 'CONTACT%' ORDER BY ttl_ms`).trim()).toBe('CONTACT_day:*|1\nCONTACT_day:*|0');
    expect(sqlite(shared, `SELECT email FROM "${CUSTOMERS}" WHERE id IN (3, 4) ORDER BY id`)).toBe('\n  \n');
    expect(sqlite(shared, `SELECT count(*) FROM "${CUSTOMERS}" WHERE email LIKE 'pii-%@pseudonym.invalid' AND phone GLOB '+0[0-9]*' AND full_name LIKE 'pii:%'`).trim()).toBe('38');
    const note = sqlite(shared, `SELECT note FROM "${CUSTOMERS}" WHERE id = 7`).trim();
    expect(note).toMatch(/^wrote from pii-[0-9a-f]{16}@pseudonym\.invalid about the refund$/);
    expect(sqlite(shared, `SELECT note FROM "${CUSTOMERS}" WHERE id = 9`).trim()).toBe('pasted key [redacted:api-key] in chat');
    const rules = (JSON.parse(sqlite(shared, 'SELECT body FROM _snapbench_manifest')) as { share: { redactions: { table: string; column: string; rule: string; values: number }[]; removed: { signatures: number } } }).share;
    expect(rules.redactions.map((r) => `${r.table}.${r.column} ${r.rule} ${r.values}`)).toEqual(
      expect.arrayContaining([
        'cache/db0/keys.key_name redis-key-name 4',
        `${CUSTOMERS}.email SEC-001:email 38`,
        `${CUSTOMERS}.phone SEC-001:phone 40`,
        `${CUSTOMERS}.full_name person-name 40`,
        `${CUSTOMERS}.note email-in-text 1`,
        `${CUSTOMERS}.note SEC-002:api-key 1`,
      ]),
    );
    expect(rules.removed.signatures).toBe(1);
  });

  it('verifies, is signed by the sharer (not by the puller), and keeps the DQ counts except SEC-002', async () => {
    const verified = await runCli(['verify', shared, '--trust', join(dir, 'alice.pub')]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/signature valid: signed by Alice/);
    expect((await runCli(['verify', shared, '--trust', join(dir, 'robot.pub')])).code).toBe(5);
    const report = async (file: string) => parseJson<DqReport>(await runCli(['dq', file, '--format', 'json', '--no-store'])).results;
    const [before, after] = await Promise.all([report(pulled), report(shared)]);
    for (const rule of before) {
      const other = after.find((r) => r.id === rule.id)!;
      if (rule.id === 'SEC-002') {
        expect([rule.count, other.count]).toEqual([1, 0]);
        continue;
      }
      expect({ id: rule.id, status: other.status, count: other.count, total: other.total }).toEqual({ id: rule.id, status: rule.status, count: rule.count, total: rule.total });
    }
    expect(before.find((r) => r.id === 'SEC-001')!.count).toBe(2);
    expect(before.find((r) => r.id === 'RDS-001')!.count).toBe(1);
  });
});
