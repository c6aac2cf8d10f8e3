// Files nobody touched must verify, whatever the source tables look like
// (issue 10, items 16 and 17): a MySQL column named `rowid` (or all of rowid,
// _rowid_ and oid) must not change the row order the hash reads, and a
// 1,200-column PostgreSQL table must hash without SQLite's expression depth
// limit, in `snapbench verify` and in the sqlite3-only script alike. Real pulls
// from throwaway MariaDB and PostgreSQL servers.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mariadbExec, psqlExec, startMariadb, startPostgres, type ThrowawayServer } from '../helpers/servers.ts';
import { parseJson, runCli, tempDir, writeFleet } from '../helpers/cli.ts';

const SCRIPT = join(import.meta.dirname, '../../snapshots/file/verify-with-sqlite3.sh');
const WIDTH = 1200;

let maria: ThrowawayServer;
let pg: ThrowawayServer;
let dir: string;
let file: string;

beforeAll(async () => {
  [maria, pg] = await Promise.all([startMariadb(), startPostgres()]);
  // Row ids given in the reverse of the insertion order: ordering by the column would read the rows backwards.
  await mariadbExec(
    maria,
    `CREATE DATABASE odd; USE odd;
     CREATE TABLE odd.shadow (id INT PRIMARY KEY, rowid INT, note VARCHAR(20));
     INSERT INTO odd.shadow SELECT seq, 1000 - seq, CONCAT('row ', seq) FROM seq_1_to_300;
     CREATE TABLE odd.all_three (rowid INT, _rowid_ INT, oid INT, note VARCHAR(20));
     INSERT INTO odd.all_three SELECT 1000 - seq, seq % 7, 500 - seq, CONCAT('n', seq) FROM seq_1_to_200;`,
  );
  const columns = Array.from({ length: WIDTH }, (_, i) => `c${i + 1} ${i % 3 === 0 ? 'text' : i % 3 === 1 ? 'integer' : 'numeric(12,2)'}`);
  const values = (row: number) => Array.from({ length: WIDTH }, (_, i) => (i % 3 === 0 ? `'r${row}c${i + 1}'` : i % 3 === 1 ? String(row * i) : `${row}.${i % 100}`)).join(', ');
  await psqlExec(pg, 'CREATE DATABASE wide');
  await psqlExec(pg, `CREATE TABLE very_wide (${columns.join(', ')}); INSERT INTO very_wide VALUES (${values(1)}), (${values(2)}), (${values(3)});`, 'wide');
  dir = tempDir('snapbench-hash-fidelity-');
  file = join(dir, 'pulled.snapbench');
  const fleet = writeFleet(dir, [
    { name: 'maria', engine: 'mysql', host: maria.host, port: maria.port, user: 'root', databases: ['odd'] },
    { name: 'pg', engine: 'postgres', host: pg.host, port: pg.port, user: 'postgres', databases: ['wide'] },
  ]);
  const pulled = await runCli(['pull', '--fleet', fleet, '--out', file]);
  expect(pulled.code, pulled.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await Promise.all([maria?.stop(), pg?.stop()]);
  spawnSync('rm', ['-rf', dir]);
});

describe('hashes of honest files, whatever the source columns', () => {
  it('pulled the tables as they are: a rowid column, all three row id names, 1,200 columns', async () => {
    const tables = parseJson<{ table: string; rows: number; sqlName: string }[]>(await runCli(['tables', file, '--format', 'json']));
    expect(tables.map((t) => [t.table, t.rows]).sort()).toEqual([['all_three', 200], ['public.very_wide', 3], ['shadow', 300]]);
    const shadow = tables.find((t) => t.table === 'shadow')!;
    const first = parseJson<{ id: number; rowid: number }[]>(await runCli(['query', file, `SELECT id, rowid FROM ${shadow.sqlName} LIMIT 1`]));
    expect(first).toEqual([{ id: 1, rowid: 999 }]);
    const wide = tables.find((t) => t.table === 'public.very_wide')!;
    const cells = parseJson<Record<string, unknown>[]>(await runCli(['query', file, `SELECT c1, c1200 FROM ${wide.sqlName} ORDER BY c1`]));
    expect(cells[0]).toEqual({ c1: 'r1c1', c1200: '1.99' });
  });

  it('verify passes', async () => {
    const result = await runCli(['verify', file]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/intact\. \d+ tables verified/);
  });

  it('the sqlite3-only script passes', () => {
    const result = spawnSync('bash', [SCRIPT, file], { encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/tables: (\d+) of \1 hashes match/);
  });

  it('and both still see a changed value in the wide table and in the shadowed one', async () => {
    for (const [table, column] of [['pg/wide/public.very_wide', 'c1200'], ['maria/odd/shadow', 'note']] as const) {
      const copy = join(dir, `changed-${column}.snapbench`);
      spawnSync('cp', [file, copy]);
      spawnSync('sqlite3', [copy, `UPDATE "${table}" SET ${column} = ${column} || 'x' WHERE _rowid_ = 2`]);
      const result = await runCli(['verify', copy]);
      expect(result.code, result.stdout).toBe(2);
      expect(result.stdout).toContain(`table "${table}": content changed`);
      expect(spawnSync('bash', [SCRIPT, copy], { encoding: 'utf8' }).stdout).toContain(`table "${table}": CHANGED`);
    }
  });
});
