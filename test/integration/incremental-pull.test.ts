// `pull --base OLD` against real servers: seed MariaDB, PostgreSQL and Redis,
// pull, change a few tables (insert, update one row, delete one row, append to
// append-only tables, update an old row of one, add Redis keys without a TTL),
// pull again with --base. Every table then equals the server; the servers' own
// logs (MariaDB general log, PostgreSQL log_statement=all) show that no carried
// table's rows were read; the new file verifies without OLD, names OLD's root
// hash as its base, and OLD was not changed by a single byte.
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mariadbExec, psqlExec, startMariadb, startPostgres, startRedis, type ThrowawayServer } from '../helpers/servers.ts';
import { parseJson, runCli, tempDir, writeFleet, type CliResult } from '../helpers/cli.ts';

const UNCHANGED_MARIA = Array.from({ length: 12 }, (_, i) => `t${String(i + 5).padStart(2, '0')}`);
const MARIA_TABLES = ['t01', 't02', 't03', 't04', ...UNCHANGED_MARIA];

let maria: ThrowawayServer;
let pg: ThrowawayServer;
let redis: ThrowawayServer;
let dir: string;
let oldFile: string;
let newFile: string;
let oldHashBefore: string;
let oldMtimeBefore: number;
let second: CliResult;
let mariaLog: string;
let pgLog: string;

function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function rowsOf(file: string, table: string, order = 'id'): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT * FROM "${table}" ORDER BY "${order}"`).raw(true).all() as unknown[][]).map((r) => r.map((v) => (v === null ? 'NULL' : String(v))).join('\t'));
  } finally {
    db.close();
  }
}

function catalog(file: string): Map<string, { origin: string; note: string | null; rows: number }> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare(`SELECT instance || '/' || source_table AS name, origin, origin_note AS note, rows FROM _snapbench_tables`).all() as { name: string; origin: string; note: string | null; rows: number }[];
    return new Map(rows.map((r) => [r.name, r]));
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  [maria, pg, redis] = await Promise.all([startMariadb({ generalLog: true }), startPostgres({ logStatements: true }), startRedis({ maxmemoryMb: 64 })]);
  const tables = MARIA_TABLES.map((t) => `CREATE TABLE shop.${t} (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO shop.${t} SELECT seq, CONCAT('${t}-', seq) FROM seq_1_to_40;`).join('\n');
  await mariadbExec(
    maria,
    `CREATE DATABASE shop; USE shop;
     ${tables}
     CREATE TABLE shop.t_order_log (id BIGINT PRIMARY KEY, order_no VARCHAR(20), amount DECIMAL(10,2));
     INSERT INTO shop.t_order_log SELECT seq, CONCAT('LK', seq), seq * 1.5 FROM seq_1_to_300;
     CREATE TABLE shop.t_stock_change_record_mon (id INT PRIMARY KEY, qty INT);
     INSERT INTO shop.t_stock_change_record_mon SELECT seq, seq FROM seq_1_to_200;
     CREATE USER 'reader'@'%' IDENTIFIED BY 'reader-pw'; GRANT SELECT ON *.* TO 'reader'@'%';`,
  );
  await psqlExec(pg, 'CREATE DATABASE app');
  await psqlExec(
    pg,
    `CREATE TABLE a1 (id int PRIMARY KEY, v text); INSERT INTO a1 SELECT g, 'a1-' || g FROM generate_series(1, 30) g;
     CREATE TABLE a2 (id int PRIMARY KEY, v text); INSERT INTO a2 SELECT g, 'a2-' || g FROM generate_series(1, 30) g;
     CREATE TABLE a3 (id int PRIMARY KEY, v text); INSERT INTO a3 SELECT g, 'a3-' || g FROM generate_series(1, 30) g;
     CREATE TABLE a4 (id int PRIMARY KEY, v text); INSERT INTO a4 SELECT g, 'a4-' || g FROM generate_series(1, 30) g;
     CREATE TABLE events (id bigint PRIMARY KEY, kind text, at timestamptz); INSERT INTO events SELECT g, 'k' || (g % 3), '2026-01-01'::timestamptz + g * interval '1 minute' FROM generate_series(1, 100) g;`,
    'app',
  );
  const client = new Redis({ host: redis.host, port: redis.port });
  for (let i = 0; i < 10; i++) await client.set(`CONTACT_day:${1000 + i}`, '1');
  await client.quit();

  dir = tempDir('snapbench-incremental-');
  const fleet = writeFleet(dir, [
    { name: 'maria', engine: 'mysql', host: maria.host, port: maria.port, user: 'reader', password_env: 'MARIA_PW', databases: ['shop'], append_only: ['t_order_log', 't_stock_change_record_*'] },
    { name: 'pg', engine: 'postgres', host: pg.host, port: pg.port, user: 'postgres', databases: ['app'], append_only: ['events'] },
    { name: 'cache', engine: 'redis', host: redis.host, port: redis.port, allocated_memory_mb: 64 },
  ]);
  const env = { MARIA_PW: 'reader-pw' };
  oldFile = join(dir, 'old.snapbench');
  newFile = join(dir, 'new.snapbench');
  const first = await runCli(['pull', '--fleet', fleet, '--out', oldFile], { env });
  expect(first.code, first.stderr).toBe(0);
  oldHashBefore = fileHash(oldFile);
  oldMtimeBefore = statSync(oldFile).mtimeMs;

  // Change a few tables; leave the rest alone.
  await mariadbExec(
    maria,
    `USE shop;
     INSERT INTO shop.t02 VALUES (41, 't02-new');
     UPDATE shop.t03 SET v = 't03-changed' WHERE id = 7;
     DELETE FROM shop.t04 WHERE id = 9;
     INSERT INTO shop.t_order_log SELECT seq, CONCAT('LK', seq), seq * 1.5 FROM seq_301_to_320;
     UPDATE shop.t_stock_change_record_mon SET qty = -1 WHERE id = 5;
     INSERT INTO shop.t_stock_change_record_mon SELECT seq, seq FROM seq_201_to_210;`,
  );
  await psqlExec(
    pg,
    `INSERT INTO a2 VALUES (31, 'a2-new'); UPDATE a3 SET v = 'a3-changed' WHERE id = 3; DELETE FROM a4 WHERE id = 4;
     INSERT INTO events SELECT g, 'k' || (g % 3), '2026-01-01'::timestamptz + g * interval '1 minute' FROM generate_series(101, 110) g;`,
    'app',
  );
  const again = new Redis({ host: redis.host, port: redis.port });
  for (let i = 0; i < 5; i++) await again.set(`CONTACT_week:${2000 + i}`, '1');
  await again.quit();

  const mariaOffset = statSync(maria.logFile).size;
  const pgOffset = statSync(pg.logFile).size;
  second = await runCli(['pull', '--fleet', fleet, '--out', newFile, '--base', oldFile, '--progress', '--format', 'json'], { env });
  mariaLog = readFileSync(maria.logFile, 'utf8').slice(mariaOffset);
  pgLog = readFileSync(pg.logFile, 'utf8').slice(pgOffset);
}, 240_000);

afterAll(async () => {
  await Promise.all([maria?.stop(), pg?.stop(), redis?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pull --base', () => {
  it('carries the unchanged tables, appends the append-only ones, reads the changed ones and says so', () => {
    expect(second.code, second.stderr).toBe(0);
    if (process.env.SERIES_DEBUG) console.log(second.stderr, second.stdout);
    const origin = catalog(newFile);
    for (const t of ['t01', ...UNCHANGED_MARIA]) expect(origin.get(`maria/${t}`)!.origin, t).toBe('carried');
    for (const t of ['t02', 't03', 't04']) {
      expect(origin.get(`maria/${t}`)!.origin, t).toBe('pulled');
      expect(origin.get(`maria/${t}`)!.note, t).toMatch(/^read again: CHECKSUM TABLE changed/);
    }
    expect(origin.get('pg/public.a1')!.origin).toBe('carried');
    for (const t of ['a2', 'a3', 'a4']) {
      expect(origin.get(`pg/public.${t}`)!.origin, t).toBe('pulled');
      expect(origin.get(`pg/public.${t}`)!.note, t).toMatch(/^read again: pg_stat_user_tables counts rows/);
    }
    expect(origin.get('maria/t_order_log')).toMatchObject({ origin: 'appended', rows: 320, note: '20 new rows above id 300' });
    expect(origin.get('pg/public.events')).toMatchObject({ origin: 'appended', rows: 110, note: '10 new rows above id 100' });
    // The append-only table whose old row was updated is detected and read again in full.
    expect(origin.get('maria/t_stock_change_record_mon')).toMatchObject({ origin: 'pulled', rows: 210 });
    expect(origin.get('maria/t_stock_change_record_mon')!.note).toMatch(/^append_only: read in full because the rows at or below id 200 changed since the base/);
    // Redis is always walked again.
    expect(origin.get('cache/keys')).toMatchObject({ origin: 'pulled', rows: 15 });

    const summary = parseJson<{ base: string; incremental: { tables: Record<string, number>; rowsRead: number; rowsCarried: number } }>(second);
    expect(summary.incremental.tables).toEqual({ pulled: 8, carried: 14, appended: 2 });
    expect(summary.incremental.rowsCarried).toBe(13 * 40 + 30 + 300 + 100);
    expect(summary.incremental.rowsRead).toBe(41 + 40 + 39 + 210 + 31 + 30 + 29 + 15 + 20 + 10);
    // --progress shows carried and appended tables as such.
    expect(second.stderr).toMatch(/maria: shop\.t01 carried from the base, 40 rows, none read/);
    expect(second.stderr).toMatch(/pg: app\.public\.events appended, 10 new rows read, 100 carried from the base/);
  });

  it('leaves every table equal to the server', async () => {
    for (const t of MARIA_TABLES) {
      const server = (await mariadbExec(maria, `SELECT id, v FROM shop.${t} ORDER BY id`)).split('\n');
      expect(rowsOf(newFile, `maria/shop/${t}`), t).toEqual(server);
    }
    expect(rowsOf(newFile, 'maria/shop/t_order_log')).toEqual((await mariadbExec(maria, 'SELECT id, order_no, amount FROM shop.t_order_log ORDER BY id')).split('\n'));
    expect(rowsOf(newFile, 'maria/shop/t_stock_change_record_mon')).toEqual((await mariadbExec(maria, 'SELECT id, qty FROM shop.t_stock_change_record_mon ORDER BY id')).split('\n'));
    for (const t of ['a1', 'a2', 'a3', 'a4']) {
      const server = (await psqlExec(pg, `COPY (SELECT id, v FROM ${t} ORDER BY id) TO STDOUT`, 'app')).split('\n');
      expect(rowsOf(newFile, `pg/app/public.${t}`), t).toEqual(server);
    }
    const events = (await psqlExec(pg, `SET TimeZone = 'UTC'; COPY (SELECT id, kind, to_char(at, 'YYYY-MM-DD HH24:MI:SS') || '+00' FROM events ORDER BY id) TO STDOUT`, 'app')).split('\n').filter((l) => /^\d/.test(l));
    expect(rowsOf(newFile, 'pg/app/public.events')).toEqual(events);
  });

  it('read no carried table\u2019s rows: the MariaDB general log and the PostgreSQL statement log prove it', () => {
    const mariaQueries = mariaLog.split('\n').filter((l) => /\sQuery\t/.test(l)).map((l) => l.split(/\sQuery\t/)[1]!);
    const selectsOf = (t: string) => mariaQueries.filter((q) => /^SELECT\b/i.test(q) && q.includes(`FROM \`shop\`.\`${t}\``));
    for (const t of ['t01', ...UNCHANGED_MARIA]) expect(selectsOf(t), t).toEqual([]);
    // The same check finds the tables that were read: it can fail.
    for (const t of ['t02', 't03', 't04', 't_stock_change_record_mon']) expect(selectsOf(t).length, t).toBeGreaterThan(0);
    // The append-only table: only the rows above OLD's largest key were read.
    const appended = selectsOf('t_order_log').filter((q) => !/COUNT\(\*\)|MAX\(/.test(q));
    expect(appended.filter((q) => !/ORDER BY `id` DESC LIMIT 3$/.test(q))).toEqual([expect.stringMatching(/WHERE `id` > 300 ORDER BY `id`( LIMIT \d+)?$/)]);
    expect(mariaQueries.some((q) => /^CHECKSUM TABLE /.test(q))).toBe(true);

    const pgStatements = pgLog.split('\n').filter((l) => /statement: /.test(l)).map((l) => l.split('statement: ')[1]!);
    const copiesOf = (t: string) => pgStatements.filter((q) => q.includes(`FROM ONLY "public"."${t}"`));
    expect(copiesOf('a1')).toEqual([]);
    for (const t of ['a2', 'a3', 'a4']) expect(copiesOf(t).length, t).toBeGreaterThan(0);
    expect(copiesOf('events').filter((q) => !/DESC LIMIT 3\) TO STDOUT$/.test(q))).toEqual([expect.stringMatching(/WHERE "id" > 100 ORDER BY "id"\) TO STDOUT$/)]);
    // Nothing but reads (PostgreSQL's LOCK TABLE … IN ACCESS SHARE MODE only keeps a TRUNCATE waiting).
    const writes = /^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|TRUNCATE|RENAME|GRANT|OPTIMIZE|ANALYZE|REPAIR)\b/i;
    expect(mariaQueries.filter((q) => writes.test(q))).toEqual([]);
    expect(pgStatements.filter((q) => writes.test(q))).toEqual([]);
  });

  it('names OLD\u2019s root hash as its base, never changes OLD, and verifies without it', async () => {
    const oldRoot = parseJson<{ rootSha256: string }[]>(await runCli(['query', oldFile, 'SELECT root_sha256 AS rootSha256 FROM _snapbench_manifest']))[0]!.rootSha256;
    const [row] = parseJson<{ base: string }[]>(await runCli(['query', newFile, "SELECT json_extract(body, '$.base') AS base FROM _snapbench_manifest"]));
    expect(row!.base).toBe(oldRoot);
    expect(fileHash(oldFile)).toBe(oldHashBefore);
    expect(statSync(oldFile).mtimeMs).toBe(oldMtimeBefore);
    const away = join(dir, 'elsewhere.snapbench');
    renameSync(oldFile, away);
    try {
      const verified = await runCli(['verify', newFile]);
      expect(verified.code, verified.stderr + verified.stdout).toBe(0);
      expect(verified.stdout).toMatch(/intact/);
    } finally {
      renameSync(away, oldFile);
    }
  });

  it('never lets rows altered in the base pass: an appended table is read again, a carried one fails verify by name, and with --sign it is read again', async () => {
    // The base's manifest is intact (its root hash still matches); only rows were changed.
    const altered = join(dir, 'altered-base.snapbench');
    copyFileSync(oldFile, altered);
    const carriedTable = UNCHANGED_MARIA[0]!;
    const db = new Database(altered);
    db.prepare(`UPDATE "maria/shop/t_order_log" SET amount = '0.00' WHERE id = 1`).run();
    db.close();
    const out = join(dir, 'from-altered.snapbench');
    const pull = await runCli(['pull', '--fleet', join(dir, 'fleet.yaml'), '--out', out, '--base', altered], { env: { MARIA_PW: 'reader-pw' } });
    expect(pull.code, pull.stderr).toBe(0);
    const origin = catalog(out);
    // The appended table's hash is computed again over all its rows: the altered base rows must not go into it.
    expect(origin.get('maria/t_order_log')).toMatchObject({ origin: 'pulled', rows: 320 });
    expect(origin.get('maria/t_order_log')!.note).toMatch(/^append_only: read in full because the base could not be used \(the base's rows of .* do not match the content hash its manifest records/);
    expect(rowsOf(out, 'maria/shop/t_order_log')).toEqual((await mariadbExec(maria, 'SELECT id, order_no, amount FROM shop.t_order_log ORDER BY id')).split('\n'));
    const verified = await runCli(['verify', out]);
    expect(verified.code, verified.stderr + verified.stdout).toBe(0);

    // A carried table keeps the base's recorded hash (no second pass over its rows): the new file names it.
    const db2 = new Database(altered);
    db2.prepare(`UPDATE "maria/shop/${carriedTable}" SET v = 'forged' WHERE id = 1`).run();
    db2.close();
    const out2 = join(dir, 'from-altered-2.snapbench');
    const pull2 = await runCli(['pull', '--fleet', join(dir, 'fleet.yaml'), '--out', out2, '--base', altered], { env: { MARIA_PW: 'reader-pw' } });
    expect(pull2.code, pull2.stderr).toBe(0);
    expect(catalog(out2).get(`maria/${carriedTable}`)!.origin).toBe('carried');
    const refused = await runCli(['verify', out2]);
    expect(refused.code).toBe(2);
    expect(refused.stdout + refused.stderr).toMatch(new RegExp(`maria/shop/${carriedTable}.*content changed`));

    // With --sign the signature attests the rows: each carried copy is hashed first, and the altered table is read again.
    const keys = await runCli(['keys', 'generate', '--out', join(dir, 'signer')]);
    expect(keys.code, keys.stderr).toBe(0);
    const out3 = join(dir, 'from-altered-signed.snapbench');
    const pull3 = await runCli(['pull', '--fleet', join(dir, 'fleet.yaml'), '--out', out3, '--base', altered, '--sign', join(dir, 'signer.key')], { env: { MARIA_PW: 'reader-pw' } });
    expect(pull3.code, pull3.stderr).toBe(0);
    const signedOrigin = catalog(out3);
    expect(signedOrigin.get(`maria/${carriedTable}`)!.origin).toBe('pulled');
    expect(signedOrigin.get(`maria/${carriedTable}`)!.note).toMatch(/do not match the content hash its manifest records/);
    expect(signedOrigin.get('maria/t01')!.origin).toBe('carried');
    const trusted = await runCli(['verify', out3, '--trust', join(dir, 'signer.pub')]);
    expect(trusted.code, trusted.stdout + trusted.stderr).toBe(0);
  });

  it('refuses --base as the output, and a base that is not a snapshot, in one line', async () => {
    const fleet = join(dir, 'fleet.yaml');
    const same = await runCli(['pull', '--fleet', fleet, '--out', oldFile, '--base', oldFile], { env: { MARIA_PW: 'reader-pw' } });
    expect(same.code).toBe(1);
    expect(same.stderr).toMatch(/--out .*old\.snapbench: is the base snapshot \(--base\); an output never replaces one of its inputs/);
    const bogus = await runCli(['pull', '--fleet', fleet, '--out', join(dir, 'x.snapbench'), '--base', fleet], { env: { MARIA_PW: 'reader-pw' } });
    expect(bogus.code).toBe(1);
    expect(bogus.stderr.trim().split('\n')).toHaveLength(1);
    expect(bogus.stderr).toMatch(/--base .*fleet\.yaml: not an SQLite file/);
    expect(fileHash(oldFile)).toBe(oldHashBefore);
  });
});
