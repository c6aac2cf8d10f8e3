// A whole fleet through the CLI against real servers: MariaDB, PostgreSQL and
// Redis pulled into one file; failing instances named (exit 3) while the rest is
// kept; nothing written when nothing could be pulled; malformed manifests; verify
// and tampering with the stock sqlite3 CLI; Ctrl-C leaving no file behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { mariadbExec, psqlExec, startMariadb, startPostgres, startRedis, freePort, type ThrowawayServer } from '../helpers/servers.ts';
import { parseJson, runCli, SNAPBENCH_BIN, tempDir, writeFleet } from '../helpers/cli.ts';

let maria: ThrowawayServer;
let pg: ThrowawayServer;
let redis: ThrowawayServer;
let dir: string;
let good: Record<string, unknown>[];
let file: string;

function sqlite(path: string, sql: string): string {
  return execFileSync('sqlite3', [path, sql], { encoding: 'utf8' });
}

beforeAll(async () => {
  [maria, pg, redis] = await Promise.all([startMariadb(), startPostgres(), startRedis({ maxmemoryMb: 64 })]);
  await mariadbExec(
    maria,
    `CREATE DATABASE shop; USE shop; CREATE TABLE shop.t_order (id BIGINT PRIMARY KEY, pay_amount DECIMAL(12,2), currency_code CHAR(3));
     INSERT INTO shop.t_order SELECT seq, seq * 1.25, IF(seq % 20 = 0, 'NZD', 'USD') FROM seq_1_to_5000;
     CREATE TABLE shop.big (id INT PRIMARY KEY, pad VARCHAR(100));
     INSERT INTO shop.big SELECT seq, REPEAT('x', 100) FROM seq_1_to_400000;
     CREATE USER 'reader'@'%' IDENTIFIED BY 'right-pw'; GRANT SELECT, SHOW VIEW ON *.* TO 'reader'@'%';`,
  );
  await psqlExec(pg, 'CREATE DATABASE dify');
  await psqlExec(pg, `CREATE TABLE apps (id uuid PRIMARY KEY, name text); INSERT INTO apps VALUES ('123e4567-e89b-12d3-a456-426614174000', 'chat');
     CREATE TABLE nocols (); INSERT INTO nocols DEFAULT VALUES; INSERT INTO nocols DEFAULT VALUES;`, 'dify');
  const client = new Redis({ host: redis.host, port: redis.port });
  await client.set('CONTACT_day:1001', '3');
  await client.set('CONTACT_day:1002', '4', 'EX', 600);
  await client.set('session:tok3n-s3cr3t-abcdef0123456789', 'x', 'EX', 600);
  await client.set('session:other-t0ken-fedcba9876543210', 'x', 'EX', 600);
  await client.quit();
  dir = tempDir();
  good = [
    { name: 'maria', engine: 'mysql', domain: 'sales', host: maria.host, port: maria.port, user: 'reader', password_env: 'MARIA_PW', databases: ['shop'] },
    { name: 'pg', engine: 'postgres', host: pg.host, port: pg.port, user: 'postgres', databases: ['dify'] },
    { name: 'cache', engine: 'redis', host: redis.host, port: redis.port, allocated_memory_mb: 128 },
    { name: 'devops', engine: 'mysql', instance_class: 'db.t4g.medium' },
  ];
  file = join(dir, 'fleet.snapbench');
  const result = await runCli(['pull', '--fleet', writeFleet(dir, good), '--out', file, '--only', 'pg,cache,devops', '--max-rows', '1000000']);
  expect(result.code, result.stderr).toBe(0);
  const withMaria = await runCli(['pull', '--fleet', writeFleet(dir, good), '--out', file], { env: { MARIA_PW: 'right-pw' } });
  expect(withMaria.code, withMaria.stderr).toBe(0);
});

afterAll(async () => {
  await Promise.all([maria?.stop(), pg?.stop(), redis?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pulling a fleet', () => {
  it('puts all three engines into one file, listed by `tables`', async () => {
    const tables = parseJson<{ instance: string; engine: string; database: string; table: string; rows: number; sqlName: string }[]>(
      await runCli(['tables', file, '--format', 'json']),
    );
    expect(tables.find((t) => t.instance === 'maria' && t.table === 't_order')).toMatchObject({ engine: 'mysql', database: 'shop', rows: 5000 });
    expect(tables.find((t) => t.instance === 'pg' && t.table === 'public.apps')).toMatchObject({ engine: 'postgres', database: 'dify', rows: 1 });
    // PostgreSQL allows a table without columns; its rows still count.
    expect(tables.find((t) => t.instance === 'pg' && t.table === 'public.nocols')).toMatchObject({ rows: 2 });
    expect(tables.find((t) => t.instance === 'cache')).toMatchObject({ engine: 'redis', rows: 4 });
    const redisTable = tables.find((t) => t.instance === 'cache')!;
    const keys = parseJson<{ pattern: string; ttl_ms: number }[]>(await runCli(['query', file, `SELECT pattern, ttl_ms FROM ${redisTable.sqlName} ORDER BY pattern`]));
    expect(keys.map((k) => k.pattern)).toEqual(['CONTACT_day:*', 'CONTACT_day:*', 'session:*', 'session:*']);
    expect(keys.map((k) => k.ttl_ms).filter((ttl) => ttl === -1)).toHaveLength(1);
  });

  it('records inventory-only instances and provenance in the manifest', async () => {
    const [row] = parseJson<{ body: string }[]>(await runCli(['query', file, 'SELECT body FROM _snapbench_manifest']));
    const manifest = JSON.parse(row!.body);
    expect(manifest).toMatchObject({ format: 'snapbench-snapshot', complete: true, tool: { name: 'snapbench' } });
    expect(manifest.createdBy).toBeTruthy();
    expect(manifest.fleet.sha256).toMatch(/^[0-9a-f]{64}$/);
    const status = Object.fromEntries(manifest.instances.map((i: { name: string; status: string }) => [i.name, i.status]));
    expect(status).toEqual({ maria: 'pulled', pg: 'pulled', cache: 'pulled', devops: 'inventory-only' });
    const consistency = Object.fromEntries(manifest.instances.map((i: { name: string; consistency: string }) => [i.name, i.consistency]));
    expect(consistency).toMatchObject({ maria: 'snapshot', pg: 'snapshot', cache: 'scan' });
  });

  it('keeps the session token out of the file', () => {
    expect(sqlite(file, "SELECT count(*) FROM sqlite_master").trim()).not.toBe('0');
    const bytes = readFileSync(file);
    expect(bytes.includes(Buffer.from('tok3n-s3cr3t'))).toBe(false);
    expect(bytes.includes(Buffer.from('right-pw'))).toBe(false);
  });

  it('exits 3 when some instances fail, names them, and keeps the others', async () => {
    const closedPort = await freePort();
    const fleet = writeFleet(
      dir,
      [
        ...good,
        { name: 'closed', engine: 'mysql', host: '127.0.0.1', port: closedPort, user: 'root' },
        { name: 'wrongpw', engine: 'mysql', host: maria.host, port: maria.port, user: 'reader', password_env: 'WRONG_PW' },
      ],
      'partial.yaml',
    );
    const out = join(dir, 'partial.snapbench');
    const result = await runCli(['pull', '--fleet', fleet, '--out', out], { env: { MARIA_PW: 'right-pw', WRONG_PW: 'not-the-password' } });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/closed.*connection refused/);
    expect(result.stderr).toMatch(/wrongpw.*access denied/);
    expect(result.stderr).not.toContain('not-the-password');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const instances = parseJson<{ instance: string; status: string; error: string | null }[]>(
      await runCli(['query', out, 'SELECT instance, status, error FROM _snapbench_instances ORDER BY instance']),
    );
    expect(Object.fromEntries(instances.map((i) => [i.instance, i.status]))).toMatchObject({ maria: 'pulled', pg: 'pulled', cache: 'pulled', closed: 'failed', wrongpw: 'failed' });
    expect(instances.find((i) => i.instance === 'closed')!.error).toMatch(/connection refused/);
    expect((await runCli(['verify', out])).code).toBe(0);
  });

  it('exits 1 and writes no file when no instance could be pulled', async () => {
    const closedPort = await freePort();
    const fleet = writeFleet(dir, [{ name: 'closed', engine: 'postgres', host: '127.0.0.1', port: closedPort }], 'none.yaml');
    const out = join(dir, 'none.snapbench');
    const result = await runCli(['pull', '--fleet', fleet, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no instance could be pulled/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('rejects a malformed manifest with one clear line per mistake and no stack trace', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'instances:\n  - name: x\n    engine: oracle\n    host: h\n');
    const result = await runCli(['pull', '--fleet', bad, '--out', join(dir, 'bad.snapbench')]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`snapbench: fleet manifest ${bad}: instance "x" field "engine": unknown engine "oracle"; use one of mysql, postgres, redis`);
    writeFileSync(bad, 'instances: [ {name: x\n');
    const yamlError = await runCli(['pull', '--fleet', bad, '--out', join(dir, 'bad.snapbench')]);
    expect(yamlError.code).toBe(1);
    expect(yamlError.stderr.trim().split('\n')).toHaveLength(1);
    expect(yamlError.stderr).toMatch(/invalid YAML/);
    const unset = await runCli(['pull', '--fleet', writeFleet(dir, good, 'unset.yaml'), '--out', join(dir, 'bad.snapbench')], { env: { MARIA_PW: '' } });
    expect(unset.code, 'an empty password is a set variable: the pull goes on and MariaDB refuses it').toBe(3);
    const env = { ...process.env };
    delete env.MARIA_PW;
    const missing = await runCli(['pull', '--fleet', writeFleet(dir, good, 'unset.yaml'), '--out', join(dir, 'bad2.snapbench')], { env: env as Record<string, string> });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('instance "maria" field "password_env": environment variable MARIA_PW is not set');
  });
});

describe('verify', () => {
  it('passes on a fresh file', async () => {
    const result = await runCli(['verify', file]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/intact/);
  });

  it('is verified by the documented procedure that uses only the sqlite3 CLI and coreutils', () => {
    const script = join(import.meta.dirname, '../../snapshots/file/verify-with-sqlite3.sh');
    const output = execFileSync('bash', [script, file], { encoding: 'utf8' });
    expect(output).toMatch(/^manifest: ok/);
    expect(output).toMatch(/^tables: (\d+) of \1 hashes match$/m);
    expect(output).not.toMatch(/CHANGED|ADDED|MISSING/);
    const copy = join(dir, 'tampered-for-script.snapbench');
    copyFileSync(file, copy);
    sqlite(copy, `UPDATE "pg/dify/public.apps" SET name = 'chat2'`);
    let failed: { status: number; stdout: string } | null = null;
    try {
      execFileSync('bash', [script, copy], { encoding: 'utf8' });
    } catch (error) {
      failed = error as { status: number; stdout: string };
    }
    expect(failed?.status).toBe(1);
    expect(failed?.stdout).toContain('table "pg/dify/public.apps": CHANGED');
  });

  it.each([
    ['one cell', `UPDATE "maria/shop/t_order" SET pay_amount = '1.00' WHERE id = 7`, /table "maria\/shop\/t_order": content changed \(same row count 5000, values differ\)/],
    ['a deleted row', `DELETE FROM "pg/dify/public.apps"`, /table "pg\/dify\/public.apps": content changed \(rows 1 → 0\)/],
    ['a catalog row', `UPDATE _snapbench_columns SET declared_type = 'text' WHERE column_name = 'pay_amount'`, /catalog table "_snapbench_columns": content changed/],
    ['the manifest', `UPDATE _snapbench_manifest SET body = replace(body, '"maria"', '"mario"')`, /manifest: changed/],
    ['an added table', `CREATE TABLE injected (x)`, /table "injected": added/],
  ])('fails and names what changed after %s is altered with the sqlite3 CLI', async (_what, sql, expected) => {
    const copy = join(dir, `tampered-${Math.random().toString(36).slice(2)}.snapbench`);
    copyFileSync(file, copy);
    sqlite(copy, sql);
    const result = await runCli(['verify', copy]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(expected);
    expect(result.stderr).toMatch(/not intact/);
  });
});

describe('query', () => {
  it('refuses a statement that would write and leaves the file byte-identical', async () => {
    const before = execFileSync('sha256sum', [file], { encoding: 'utf8' });
    for (const sql of ['DELETE FROM "maria/shop/t_order"', 'DROP TABLE _snapbench_manifest', "UPDATE _snapbench_instances SET status = 'x'", 'PRAGMA journal_mode = WAL', 'CREATE TABLE x (a)']) {
      const result = await runCli(['query', file, sql, '--format', 'json']);
      expect(result.code, sql).not.toBe(0);
      expect(result.stderr, sql).toMatch(/refused|read-only/);
      expect(result.stdout).toBe('');
    }
    expect(execFileSync('sha256sum', [file], { encoding: 'utf8' })).toBe(before);
    expect(readdirSync(dir).filter((f) => f.endsWith('-wal') || f.endsWith('-journal'))).toEqual([]);
  });

  it('writes CSV with a header', async () => {
    const result = await runCli(['query', file, `SELECT id, pay_amount, currency_code FROM "maria/shop/t_order" WHERE id <= 2 ORDER BY id`, '--format', 'csv']);
    expect(result.stdout).toBe('id,pay_amount,currency_code\n1,1.25,USD\n2,2.50,USD\n');
  });

  it('explains a bad query and a missing file in one line', async () => {
    const bad = await runCli(['query', file, 'SELECT * FROM nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/no such table: nope.*snapbench tables/);
    const missing = await runCli(['query', join(dir, 'missing.snapbench'), 'SELECT 1']);
    expect(missing.stderr).toMatch(/no such file/);
  });
});

describe('cancelling', () => {
  it('Ctrl-C (SIGINT) stops the pull and leaves no file at the output path', async () => {
    const out = join(dir, 'cancelled.snapbench');
    const fleet = writeFleet(dir, [good[0]!], 'cancel.yaml');
    const child = spawn(process.execPath, [SNAPBENCH_BIN, 'pull', '--fleet', fleet, '--out', out, '--progress'], {
      env: { ...process.env, MARIA_PW: 'right-pw' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/shop\.big [\d,]+ rows/.test(stderr)) resolve();
      });
      void exited.then(() => resolve());
    });
    child.kill('SIGINT');
    const code = await exited;
    expect(stderr).toMatch(/shop\.big [\d,]+ rows/);
    expect(code).toBe(130);
    expect(stderr).toMatch(/cancelled; no file was written/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('cancelled'))).toEqual([]);
  });
});
