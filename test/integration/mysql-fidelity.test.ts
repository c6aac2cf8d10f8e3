// What production MariaDB servers do to a pull (issue 10, items 1, 2, 4, 5, 6,
// 18-20, 23, 25; issue 11's "what the account cannot read"), through the real
// CLI against one throwaway server set up hostile all at once: init_connect
// 'SET NAMES latin1', sql_select_limit 1000, max_statement_time 50 ms,
// max_join_size 1000, sql_mode ANSI_QUOTES + PAD_CHAR_TO_FULL_LENGTH +
// NO_BACKSLASH_ESCAPES + REAL_AS_FLOAT, time_zone +08:00.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DqReport } from '../../shared/dq/results.ts';
import type { TableSink } from '../../snapshots/engines/types.ts';
import { mysqlAdapter } from '../../snapshots/engines/mysql/index.ts';
import { hookedPull } from '../helpers/hookedPull.ts';
import { parseJson, runCli, tempDir, writeFleet } from '../helpers/cli.ts';
import { mariadbExec, startMariadb, type ThrowawayServer } from '../helpers/servers.ts';
import { querySnapshot } from '../helpers/snapshotQuery.ts';

let server: ThrowawayServer;
let dir: string;
let file: string;
let pulled: Awaited<ReturnType<typeof runCli>>;
const ORDERS = 60_000;
const WIDE_COLUMNS = 250;

const FIXTURE = `
SET NAMES utf8mb4;
CREATE DATABASE shop CHARACTER SET utf8mb4;
USE shop;
CREATE TABLE t_order (id INT PRIMARY KEY, note VARCHAR(40), code CHAR(5), placed TIMESTAMP NULL) ENGINE=InnoDB;
INSERT INTO t_order SELECT seq, CASE seq % 3 WHEN 0 THEN 'emoji 😀' WHEN 1 THEN '名前' ELSE 'café €' END, 'ab', '2024-06-01 12:00:00' FROM seq_1_to_${ORDERS};
CREATE TABLE wide (${Array.from({ length: WIDE_COLUMNS }, (_, i) => `c${i} INT`).join(', ')});
INSERT INTO wide VALUES (${Array.from({ length: WIDE_COLUMNS }, (_, i) => i).join(', ')});
CREATE TABLE floats (id INT PRIMARY KEY, f FLOAT, f2 FLOAT(7,3), d DOUBLE);
INSERT INTO floats VALUES (1, 123456789, 1234.567, 0.1), (2, 3.4028234e38, -0.5, 1.7976931348623157e308), (3, 0.1, NULL, NULL), (4, -1.5e38, 1.5, 5e-324), (5, 1e-30, 0, -0.0);
CREATE TABLE enums (id INT PRIMARY KEY, e ENUM('a','b') CHARACTER SET binary, s SET('x','y') CHARACTER SET binary, plain ENUM('p','q'));
INSERT INTO enums VALUES (1, 'b', 'x,y', 'q'), (2, 'a', '', 'p');
CREATE TABLE docs (id INT PRIMARY KEY, doc JSON);
INSERT INTO docs VALUES (1, '{"a": [1, 2.50]}');
CREATE TABLE parent (id INT PRIMARY KEY);
INSERT INTO parent VALUES (1), (2);
CREATE TABLE child (id INT AUTO_INCREMENT PRIMARY KEY, parent_id INT, qty INT, total INT AS (qty * 2) VIRTUAL, stored_total INT AS (qty + 1) STORED,
  KEY idx_qty (qty), CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE);
INSERT INTO child (parent_id, qty) VALUES (1, 5), (2, 7);
CREATE TABLE aria_log (id INT PRIMARY KEY, v INT) ENGINE=Aria TRANSACTIONAL=1;
INSERT INTO aria_log VALUES (1, 1);
CREATE TABLE hist (id INT PRIMARY KEY, x INT) WITH SYSTEM VERSIONING;
INSERT INTO hist VALUES (1, 1), (2, 2), (3, 3);
UPDATE hist SET x = 10 WHERE id = 1;
UPDATE hist SET x = 11 WHERE id = 1;
DELETE FROM hist WHERE id = 2;
CREATE VIEW v_big_orders AS SELECT id, note FROM t_order WHERE id > 100;
CREATE SEQUENCE seq_orders START WITH 1000 INCREMENT BY 10;
CREATE DATABASE part CHARACTER SET utf8mb4;
CREATE TABLE part.a (id INT PRIMARY KEY);
CREATE TABLE part.b (id INT PRIMARY KEY, secret VARCHAR(20));
CREATE TABLE part.c (id INT PRIMARY KEY);
INSERT INTO part.a VALUES (1); INSERT INTO part.b VALUES (1, 'hidden'), (2, 'hidden'); INSERT INTO part.c VALUES (1), (2), (3);
CREATE DATABASE ddl;
CREATE TABLE ddl.a_first (id INT PRIMARY KEY, pad VARCHAR(100));
INSERT INTO ddl.a_first SELECT seq, REPEAT('x', 100) FROM seq_1_to_20000;
CREATE TABLE ddl.m_rebuilt (id INT PRIMARY KEY, v INT);
INSERT INTO ddl.m_rebuilt SELECT seq, seq FROM seq_1_to_100;
CREATE TABLE ddl.z_dropped (id INT PRIMARY KEY);
INSERT INTO ddl.z_dropped VALUES (1);
CREATE USER 'reader'@'%' IDENTIFIED BY 'pw';
GRANT SELECT, SHOW VIEW ON *.* TO 'reader'@'%';
CREATE USER 'narrow'@'%' IDENTIFIED BY 'pw';
GRANT SELECT ON part.a TO 'narrow'@'%';
GRANT SELECT (id) ON part.b TO 'narrow'@'%';
`;

const HOSTILE = `
SET GLOBAL init_connect = 'SET NAMES latin1';
SET GLOBAL sql_select_limit = 1000;
SET GLOBAL max_join_size = 1000;
SET GLOBAL sql_mode = 'ANSI_QUOTES,PAD_CHAR_TO_FULL_LENGTH,NO_BACKSLASH_ESCAPES,REAL_AS_FLOAT,PIPES_AS_CONCAT';
SET GLOBAL time_zone = '+08:00';
SET GLOBAL max_statement_time = 0.05;
`;

async function query<T = Record<string, unknown>>(sql: string, from = file): Promise<T[]> {
  return querySnapshot<T>(from, sql);
}

function instance(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'maria', engine: 'mysql', host: server.host, port: server.port, user: 'reader', password_env: 'MARIA_PW', databases: ['shop'], ...extra };
}

beforeAll(async () => {
  server = await startMariadb();
  await mariadbExec(server, FIXTURE);
  await mariadbExec(server, HOSTILE);
  dir = tempDir('snapbench-mysql-fidelity-');
  file = join(dir, 'shop.snapbench');
  pulled = await runCli(['pull', '--fleet', writeFleet(dir, [instance()]), '--out', file], { env: { MARIA_PW: 'pw' } });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('a pull under a hostile init_connect, sql_select_limit, max_statement_time, sql_mode and time_zone', () => {
  it('reads every row and column, exits 0 and verifies (item 1)', async () => {
    expect(pulled.code, pulled.stderr).toBe(0);
    const [orders] = await query<{ rows: number; limited: number; status: string }>(`SELECT rows, limited, status FROM _snapbench_tables WHERE source_table = 't_order'`);
    expect(orders).toEqual({ rows: ORDERS, limited: 0, status: 'pulled' });
    expect(await query(`SELECT count(*) AS n, max(id) AS top FROM "maria/shop/t_order"`)).toEqual([{ n: ORDERS, top: ORDERS }]);
    const wide = await query<Record<string, number>>(`SELECT * FROM "maria/shop/wide"`);
    expect(Object.keys(wide[0]!)).toHaveLength(WIDE_COLUMNS);
    expect(wide[0]!.c249).toBe(249);
    // Values as stored: no CHAR padding, timestamps in UTC.
    expect(await query(`SELECT code, placed FROM "maria/shop/t_order" WHERE id = 1`)).toEqual([{ code: 'ab', placed: '2024-06-01 12:00:00' }]);
    const facts = await query<{ name: string; value: string }>(`SELECT name, value FROM _snapbench_server_facts WHERE category = 'session' ORDER BY name`);
    expect(Object.fromEntries(facts.map((f) => [f.name, f.value]))).toMatchObject({ 'global.init_connect': 'SET NAMES latin1', 'global.sql_select_limit': '1000', 'global.time_zone': '+08:00' });
    expect((await runCli(['verify', file])).code).toBe(0);
  });

  it('keeps utf8mb4 text exact although init_connect sets latin1 (item 2)', async () => {
    const notes = await query<{ note: string; n: number }>(`SELECT note, count(*) AS n FROM "maria/shop/t_order" GROUP BY note ORDER BY note`);
    expect(notes).toEqual([
      { note: 'café €', n: ORDERS / 3 },
      { note: 'emoji 😀', n: ORDERS / 3 },
      { note: '名前', n: ORDERS / 3 },
    ]);
  });

  it('labels the Aria table as outside the snapshot (item 4)', async () => {
    const [row] = await query<{ consistency: string; consistency_note: string }>(`SELECT consistency, consistency_note FROM _snapbench_instances WHERE instance = 'maria'`);
    expect(row!.consistency).toBe('best-effort');
    expect(row!.consistency_note).toMatch(/Aria: shop\.aria_log\) were each read at their own moment/);
  });

  it('pulls the current rows of a system-versioned table and records its history (item 5)', async () => {
    expect(await query(`SELECT id, x FROM "maria/shop/hist" ORDER BY id`)).toEqual([
      { id: 1, x: 11 },
      { id: 3, x: 3 },
    ]);
    const [table] = await query<{ rows: number; history_rows: number; status: string; status_reason: string }>(`SELECT rows, history_rows, status, status_reason FROM _snapbench_tables WHERE source_table = 'hist'`);
    expect(table).toMatchObject({ rows: 2, history_rows: 3, status: 'pulled' });
    expect(table!.status_reason).toMatch(/3 historical row version\(s\) stay on the server \(history: true pulls them\)/);
    expect(await query(`SELECT kind, json_extract(details, '$.history') AS history FROM _snapbench_objects WHERE name = 'hist'`)).toEqual([{ kind: 'system-versioning', history: 0 }]);
  });

  it('records views and sequences with their definitions (item 6)', async () => {
    const objects = await query<{ name: string; kind: string; definition: string; details: string }>(`SELECT name, kind, definition, details FROM _snapbench_objects WHERE kind IN ('view', 'sequence') ORDER BY name`);
    expect(objects.map((o) => [o.name, o.kind])).toEqual([
      ['seq_orders', 'sequence'],
      ['v_big_orders', 'view'],
    ]);
    expect(objects[1]!.definition).toMatch(/select .*`id`.*from .*`t_order`.*where .*> 100/i);
    expect(objects[0]!.definition).toMatch(/create sequence .*start with 1000 .*increment by 10/i);
    expect(JSON.parse(objects[0]!.details)).toMatchObject({ start_value: 1000, increment: 10 });
  });

  it('stores FLOAT as text that reads back as the same 32-bit value; DOUBLE unchanged (item 18)', async () => {
    const rows = await query<{ id: number; f: string; f2: string | null; d: string | null }>(`SELECT id, f, f2, d FROM "maria/shop/floats" ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, f: '123456790', f2: '1234.567', d: '0.1' },
      { id: 2, f: '3.4028235e38', f2: '-0.5', d: '1.7976931348623157e308' },
      { id: 3, f: '0.1', f2: null, d: null },
      { id: 4, f: '-1.5e38', f2: '1.5', d: '5e-324' },
      { id: 5, f: '1e-30', f2: '0', d: '0' },
    ]);
    const inserted = [123456789, 3.4028234e38, 0.1, -1.5e38, 1e-30];
    rows.forEach((r, i) => expect(Math.fround(Number(r.f))).toBe(Math.fround(inserted[i]!)));
    const [column] = await query<{ note: string }>(`SELECT note FROM _snapbench_columns WHERE table_name = 'maria/shop/floats' AND column_name = 'f'`);
    expect(column!.note).toMatch(/binary32/);
  });

  it('stores binary ENUM/SET values as text that a WHERE finds (item 19)', async () => {
    expect(await query(`SELECT id, e, s, typeof(e) AS te, typeof(s) AS ts FROM "maria/shop/enums" WHERE e = 'b'`)).toEqual([{ id: 1, e: 'b', s: 'x,y', te: 'text', ts: 'text' }]);
  });

  it('catalogues MariaDB JSON columns as json (item 20)', async () => {
    expect(await query(`SELECT declared_type, storage, note FROM _snapbench_columns WHERE table_name = 'maria/shop/docs' AND column_name = 'doc'`)).toEqual([
      { declared_type: 'json', storage: 'json', note: 'MariaDB JSON: longtext with a json_valid CHECK' },
    ]);
    expect(await query(`SELECT json_extract(doc, '$.a[1]') AS v FROM "maria/shop/docs"`)).toEqual([{ v: 2.5 }]);
  });

  it('records identity, generated expressions, foreign keys and secondary indexes (item 25)', async () => {
    const columns = await query(`SELECT column_name, default_value, generated, identity FROM _snapbench_columns WHERE table_name = 'maria/shop/child' ORDER BY ordinal`);
    expect(columns).toEqual([
      { column_name: 'id', default_value: null, generated: null, identity: 'auto_increment' },
      { column_name: 'parent_id', default_value: 'NULL', generated: null, identity: null },
      { column_name: 'qty', default_value: 'NULL', generated: null, identity: null },
      { column_name: 'total', default_value: null, generated: '`qty` * 2', identity: null },
      { column_name: 'stored_total', default_value: null, generated: '`qty` + 1', identity: null },
    ]);
    expect(await query(`SELECT total, stored_total FROM "maria/shop/child" ORDER BY id`)).toEqual([
      { total: 10, stored_total: 6 },
      { total: 14, stored_total: 8 },
    ]);
    expect(await query(`SELECT constraint_name, columns, referenced_table, referenced_table_name, referenced_columns, on_delete FROM _snapbench_foreign_keys`)).toEqual([
      { constraint_name: 'fk_parent', columns: '["parent_id"]', referenced_table: 'parent', referenced_table_name: 'maria/shop/parent', referenced_columns: '["id"]', on_delete: 'CASCADE' },
    ]);
    const indexes = await query<{ index_name: string }>(`SELECT index_name FROM _snapbench_indexes WHERE table_name = 'maria/shop/child' ORDER BY index_name`);
    expect(indexes.map((i) => i.index_name)).toEqual(['PRIMARY', 'fk_parent', 'idx_qty']);
  });
});

describe('history: true (item 5)', () => {
  it('pulls every row version of a system-versioned table with ROW_START and ROW_END', async () => {
    const out = join(dir, 'history.snapbench');
    const result = await runCli(['pull', '--fleet', writeFleet(dir, [instance({ history: true })], 'history.yaml'), '--out', out], { env: { MARIA_PW: 'pw' } });
    expect(result.code, result.stderr).toBe(0);
    const rows = await query<{ id: number; x: number; current: number }>(`SELECT id, x, ROW_END LIKE '2038-01-19%' AS current FROM "maria/shop/hist" ORDER BY id, ROW_START`, out);
    expect(rows).toEqual([
      { id: 1, x: 1, current: 0 },
      { id: 1, x: 10, current: 0 },
      { id: 1, x: 11, current: 1 },
      { id: 2, x: 2, current: 0 },
      { id: 3, x: 3, current: 1 },
    ]);
    expect(await query(`SELECT rows, history_rows FROM _snapbench_tables WHERE source_table = 'hist'`, out)).toEqual([{ rows: 5, history_rows: 3 }]);
    expect(await query(`SELECT column_name, generated FROM _snapbench_columns WHERE table_name = 'maria/shop/hist' AND ordinal > 2 ORDER BY ordinal`, out)).toEqual([
      { column_name: 'ROW_START', generated: 'AS ROW START' },
      { column_name: 'ROW_END', generated: 'AS ROW END' },
    ]);
    expect((await runCli(['verify', out])).code).toBe(0);
  });
});

describe('what the account cannot read (issue 11)', () => {
  it('warns that a table-level grant hides the other tables, stores the granted columns only, and DQ skips that database', async () => {
    const out = join(dir, 'narrow.snapbench');
    const fleet = writeFleet(dir, [{ name: 'narrow', engine: 'mysql', host: server.host, port: server.port, user: 'narrow', password_env: 'MARIA_PW', databases: ['part'] }], 'narrow.yaml');
    const result = await runCli(['pull', '--fleet', fleet, '--out', out], { env: { MARIA_PW: 'pw' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: instance "narrow": database part: the account narrow@% may SELECT only a, b \(columns id\) \(table- or column-level grants\); every other table of part is invisible to it/);
    expect(result.stderr).toMatch(/not read whole: "narrow\/part\/b": partial \(the account may SELECT only columns id of it/);
    const tables = parseJson<{ table: string; rows: number; status: string }[]>(await runCli(['tables', out, '--format', 'json']));
    expect(tables.map((t) => [t.table, t.rows, t.status])).toEqual([
      ['a', 1, 'pulled'],
      ['b', 2, 'partial'],
    ]);
    expect(await query(`SELECT * FROM "narrow/part/b" ORDER BY id`, out)).toEqual([{ id: 1 }, { id: 2 }]);
    const pack = join(dir, 'part-pack.yaml');
    (await import('node:fs')).writeFileSync(
      pack,
      ['pack: part', 'rules:', '  - { id: P-1, title: part empty, severity: low, check: empty, database: part }', '  - { id: P-2, title: b rows, severity: low, check: row_count, table: part.b, fail: count = 0 }'].join('\n'),
    );
    const dq = parseJson<DqReport>(await runCli(['dq', out, '--pack', pack, '--format', 'json', '--no-store']));
    for (const rule of dq.results) {
      expect(rule.status, rule.id).toBe('skipped');
      expect(String(rule.metrics.reason), rule.id).toMatch(/could not read .*whole|not read whole/);
    }
    expect((await runCli(['verify', out])).code).toBe(0);
  });

  it('says a listed database that is not found may be hidden by missing privileges', async () => {
    const fleet = writeFleet(dir, [{ name: 'narrow', engine: 'mysql', host: server.host, port: server.port, user: 'narrow', password_env: 'MARIA_PW', databases: ['shop'] }], 'hidden.yaml');
    const result = await runCli(['pull', '--fleet', fleet, '--out', join(dir, 'hidden.snapbench')], { env: { MARIA_PW: 'pw' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/database shop not found \(.*hidden from it, so shop may exist: grant it SELECT there/);
  });
});

describe('concurrent DDL during a pull (item 23)', () => {
  it('reads a table rebuilt by an online schema change again in a snapshot of its own, and fails a dropped table alone', async () => {
    const out = join(dir, 'ddl.snapbench');
    let altered = false;
    // While the first table streams, another session rebuilds one table (as pt-osc / gh-ost do) and drops another.
    const during = async () => {
      if (altered) return;
      altered = true;
      await mariadbExec(server, 'SET SESSION max_statement_time = 0; SET SESSION lock_wait_timeout = 10; ALTER TABLE ddl.m_rebuilt ADD COLUMN w INT DEFAULT 7, ALGORITHM=COPY; DROP TABLE ddl.z_dropped;');
    };
    const result = await hookedPull(
      mysqlAdapter,
      instance({ databases: ['ddl'] }),
      out,
      (target) => ({
        beginTable: (table) => {
          const begun = target.beginTable(table);
          if (table.name !== 'a_first') return begun;
          const sink: TableSink = { push: async (rows) => (await during(), begun.sink.push(rows)) };
          return { ...begun, sink };
        },
      }),
      { MARIA_PW: 'pw' },
    );
    expect(result.failures, JSON.stringify(result.failures)).toEqual([]);
    expect(altered).toBe(true);
    const tables = parseJson<{ table: string; rows: number; status: string; statusReason: string | null }[]>(await runCli(['tables', out, '--format', 'json']));
    expect(tables.map((t) => [t.table, t.rows, t.status])).toEqual([
      ['a_first', 20_000, 'pulled'],
      ['m_rebuilt', 100, 'pulled'],
      ['z_dropped', 0, 'failed'],
    ]);
    expect(tables[2]!.statusReason).toMatch(/dropped or renamed during the pull \(Table 'ddl.z_dropped' doesn't exist\)/);
    expect(await query(`SELECT count(*) AS n, min(w) AS w FROM "maria/ddl/m_rebuilt"`, out)).toEqual([{ n: 100, w: 7 }]);
    const [row] = await query<{ consistency: string; consistency_note: string }>(`SELECT consistency, consistency_note FROM _snapbench_instances`, out);
    expect(row).toMatchObject({ consistency: 'best-effort' });
    expect(row!.consistency_note).toMatch(/ddl\.m_rebuilt changed by a schema change during the pull and read again in a later snapshot of its own/);
    expect((await runCli(['verify', out])).code).toBe(0);
  });
});
