// What production PostgreSQL servers do to a pull (issue 10, items 3, 6, 7, 8,
// 21, 22, 25; issue 11's "what the account cannot read"), through the real CLI
// against one throwaway server: a read-only account without SELECT on some
// tables, with column grants, row-level security, a schema without USAGE, a
// partition root without a grant; views, materialized views, sequences,
// inheritance, a foreign table; money; names that collide; and TRUNCATE by
// another session during the pull.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DqReport } from '../../shared/dq/results.ts';
import { postgresAdapter } from '../../snapshots/engines/postgres/index.ts';
import type { TableSink } from '../../snapshots/engines/types.ts';
import { hookedPull } from '../helpers/hookedPull.ts';
import { parseJson, runCli, tempDir, writeFleet } from '../helpers/cli.ts';
import { psqlExec, startPostgres, type ThrowawayServer } from '../helpers/servers.ts';
import { querySnapshot } from '../helpers/snapshotQuery.ts';

let server: ThrowawayServer;
let dir: string;
let file: string;
let pulled: Awaited<ReturnType<typeof runCli>>;

const FIXTURE = `
CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2));
INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 50) g;
CREATE TABLE secret (id int PRIMARY KEY, code text);
INSERT INTO secret VALUES (1, 'x'), (2, 'y');
CREATE TABLE people (id int PRIMARY KEY, name text, ssn text);
INSERT INTO people VALUES (1, 'Ann', '111'), (2, 'Bo', '222');
CREATE TABLE rls_t (id int, owner_name text);
INSERT INTO rls_t SELECT g, CASE WHEN g <= 3 THEN 'reader' ELSE 'other' END FROM generate_series(1, 100) g;
ANALYZE rls_t;
ALTER TABLE rls_t ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON rls_t USING (owner_name = current_user);
CREATE SCHEMA nousage;
CREATE TABLE nousage.t (id int);
INSERT INTO nousage.t VALUES (1);
CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO events VALUES (1, '2024-02-02');
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 10;
CREATE MATERIALIZED VIEW order_totals AS SELECT count(*) AS n, sum(total) AS s FROM orders;
CREATE MATERIALIZED VIEW never_filled AS SELECT id FROM orders WITH NO DATA;
CREATE SEQUENCE order_no START 1000 INCREMENT 10;
SELECT nextval('order_no'), nextval('order_no');
CREATE TABLE measurement (id int, v int);
CREATE TABLE measurement_2023 () INHERITS (measurement);
CREATE TABLE measurement_2024 () INHERITS (measurement);
INSERT INTO measurement VALUES (1, 1);
INSERT INTO measurement_2023 VALUES (2, 2), (3, 3);
INSERT INTO measurement_2024 VALUES (4, 4);
CREATE EXTENSION file_fdw;
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
CREATE FOREIGN TABLE outside (line text) SERVER files OPTIONS (filename '/dev/null');
CREATE TABLE prices (id int PRIMARY KEY, m money);
INSERT INTO prices VALUES (1, 1234567.89), (2, -0.5), (3, NULL);
CREATE TABLE "MIXEDCASE" (id int); INSERT INTO "MIXEDCASE" VALUES (1);
CREATE TABLE "MixedCase" (id int); INSERT INTO "MixedCase" VALUES (1), (2);
CREATE TABLE mixedcase (id int); INSERT INTO mixedcase VALUES (1), (2), (3);
CREATE SCHEMA a; CREATE SCHEMA "a.b";
CREATE TABLE a."b.c" (id int); INSERT INTO a."b.c" VALUES (10);
CREATE TABLE "a.b".c (id int); INSERT INTO "a.b".c VALUES (20), (21);
CREATE TABLE parent (id int PRIMARY KEY);
INSERT INTO parent VALUES (1);
CREATE TABLE line (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, parent_id int REFERENCES parent (id) ON DELETE CASCADE, qty int,
  total int GENERATED ALWAYS AS (qty * 2) STORED, note text DEFAULT 'none');
CREATE INDEX line_qty ON line (qty);
INSERT INTO line (parent_id, qty) VALUES (1, 5);
CREATE TABLE a_first (id int);
INSERT INTO a_first SELECT g FROM generate_series(1, 3000) g;
CREATE TABLE t_truncated (id int);
INSERT INTO t_truncated SELECT g FROM generate_series(1, 1000) g;
CREATE TABLE t_truncate_later (id int);
INSERT INTO t_truncate_later SELECT g FROM generate_series(1, 1000) g;
CREATE ROLE reader LOGIN PASSWORD 'pw';
GRANT SELECT ON ALL TABLES IN SCHEMA public, a, "a.b" TO reader;
GRANT USAGE ON SCHEMA a, "a.b" TO reader;
GRANT USAGE, SELECT ON SEQUENCE order_no TO reader;
REVOKE SELECT ON secret, people, events FROM reader;
GRANT SELECT (id, name) ON people TO reader;
GRANT SELECT ON events_2024 TO reader;
GRANT SELECT ON nousage.t TO reader;
`;

function query<T = Record<string, unknown>>(sql: string, from = file): T[] {
  return querySnapshot<T>(from, sql);
}

const suffix = (...identity: string[]) => `~${createHash('sha256').update(identity.join('\u0000')).digest('hex').slice(0, 8)}`;

beforeAll(async () => {
  server = await startPostgres();
  await psqlExec(server, 'CREATE DATABASE shop');
  await psqlExec(server, FIXTURE, 'shop');
  dir = tempDir('snapbench-pg-fidelity-');
  file = join(dir, 'pg.snapbench');
  const fleet = writeFleet(dir, [{ name: 'pg', engine: 'postgres', host: server.host, port: server.port, user: 'reader', password_env: 'PG_PW', databases: ['shop'] }]);
  pulled = await runCli(['pull', '--fleet', fleet, '--out', file], { env: { PG_PW: 'pw' } });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('a PostgreSQL account that cannot read everything (items 7, 8; issue 11)', () => {
  it('pulls the rest, lists each table it could not read whole with its status and reason, and names them in the summary', () => {
    expect(pulled.code, pulled.stderr).toBe(0);
    const tables = query<{ source_table: string; rows: number; status: string; status_reason: string | null }>(
      `SELECT source_table, rows, status, status_reason FROM _snapbench_tables WHERE status <> 'pulled' ORDER BY source_table`,
    );
    expect(tables.map((t) => [t.source_table, t.rows, t.status])).toEqual([
      ['nousage.t', 0, 'not-readable'],
      ['public.events', 0, 'not-readable'],
      ['public.never_filled', 0, 'skipped'],
      ['public.people', 2, 'partial'],
      ['public.rls_t', 3, 'partial'],
      ['public.secret', 0, 'not-readable'],
    ]);
    const reason = Object.fromEntries(tables.map((t) => [t.source_table, t.status_reason]));
    expect(reason['nousage.t']).toMatch(/missing privilege: USAGE on schema nousage/);
    expect(reason['public.secret']).toMatch(/missing privilege: SELECT on public\.secret/);
    expect(reason['public.events']).toMatch(/missing privilege: SELECT on public\.events/);
    expect(reason['public.people']).toMatch(/missing privilege: SELECT on columns ssn of public\.people \(column-level grant\)/);
    expect(reason['public.rls_t']).toMatch(/row-level security: the account sees 3 row\(s\); the table holds about 100 by the server's estimate/);
    for (const t of tables) expect(pulled.stderr).toContain(`not read whole: "pg/shop/${t.source_table}": ${t.status}`);
    expect(pulled.stderr).toMatch(/tables pulled whole and 6 not \(listed above\)/);
    // The columns it may read, and the rows it sees.
    expect(query(`SELECT * FROM "pg/shop/public.people" ORDER BY id`)).toEqual([
      { id: 1, name: 'Ann' },
      { id: 2, name: 'Bo' },
    ]);
    expect(query<{ n: number }>(`SELECT count(*) AS n FROM "pg/shop/public.rls_t"`)).toEqual([{ n: 3 }]);
    expect(query(`SELECT column_name FROM _snapbench_columns WHERE table_name = 'pg/shop/public.secret' ORDER BY ordinal`)).toEqual([{ column_name: 'id' }, { column_name: 'code' }]);
    expect(query(`SELECT not_read_tables FROM _snapbench_instances`)).toEqual([{ not_read_tables: 6 }]);
  });

  it('query answers from what the file holds, and says when a table was not read whole', async () => {
    const result = await runCli(['query', file, 'SELECT count(*) AS n FROM "pg/shop/public.secret"']);
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson(result)).toEqual([{ n: 0 }]);
    expect(result.stderr.trim()).toMatch(/^snapbench query: warning: "pg\/shop\/public\.secret" was not read whole: not-readable \(missing privilege: SELECT on public\.secret/);
    expect((await runCli(['query', file, 'SELECT count(*) FROM "pg/shop/public.orders"'])).stderr).toBe('');
  });

  it('tables --format json carries status and schema', async () => {
    const tables = parseJson<{ table: string; schema: string | null; status: string; statusReason: string | null; sqlName: string }[]>(await runCli(['tables', file, '--format', 'json']));
    expect(tables.find((t) => t.table === 'nousage.t')).toMatchObject({ schema: 'nousage', status: 'not-readable' });
    expect(tables.find((t) => t.table === 'public.orders')).toMatchObject({ schema: 'public', status: 'pulled', statusReason: null });
  });

  it('skips DQ rules over a table it could not read, never pass or fail, and verifies', async () => {
    const pack = join(dir, 'pack.yaml');
    writeFileSync(
      pack,
      [
        'pack: pg',
        'rules:',
        '  - { id: R-1, title: secret rows, severity: low, check: row_count, table: public.secret, fail: count = 0 }',
        '  - { id: R-2, title: orders rows, severity: low, check: row_count, table: public.orders, fail: count = 0 }',
        '  - { id: R-3, title: rls rows, severity: low, check: row_count, table: rls_t, fail: count = 0 }',
        '  - { id: R-4, title: secrets anywhere, severity: high, check: secrets }',
        '  - { id: R-5, title: PII anywhere, severity: high, check: pii_columns, kinds: [email, phone], sample: 1000, threshold: 50% }',
      ].join('\n'),
    );
    const results = Object.fromEntries(parseJson<DqReport>(await runCli(['dq', file, '--pack', pack, '--format', 'json', '--no-store'])).results.map((r) => [r.id, r]));
    expect(results['R-1']).toMatchObject({ status: 'skipped', metrics: { reason: expect.stringMatching(/pg\/shop\/public\.secret was not read whole \(not-readable: missing privilege: SELECT/) } });
    expect(results['R-2']).toMatchObject({ status: 'pass', count: 50 });
    expect(results['R-3']).toMatchObject({ status: 'skipped', metrics: { reason: expect.stringMatching(/row-level security/) } });
    // Fleet-wide security scans look at what was read whole and name what they could not look at.
    for (const id of ['R-4', 'R-5']) {
      expect(results[id]!.status, id).not.toBe('skipped');
      const notRead = results[id]!.metrics.not_read as string[];
      expect(notRead.some((why) => /pg\/shop\/public\.secret was not read whole \(not-readable/.test(why)), id).toBe(true);
      expect(results[id]!.metrics.tables_not_read, id).toBe(notRead.length);
    }
    expect((await runCli(['verify', file])).code).toBe(0);
  });
});

describe('views, materialized views, sequences, inheritance and foreign tables (item 6)', () => {
  it('records every definition and pulls materialized views as tables', () => {
    const objects = query<{ name: string; kind: string; table_name: string | null; definition: string | null; details: string | null }>(
      `SELECT name, kind, table_name, definition, details FROM _snapbench_objects ORDER BY kind, name`,
    );
    const byName = Object.fromEntries(objects.map((o) => [`${o.kind}:${o.name}`, o]));
    expect(byName['view:big_orders']!.definition).toMatch(/SELECT orders\.id,\s+orders\.total\s+FROM orders\s+WHERE orders\.total > 10/);
    expect(byName['materialized view:order_totals']).toMatchObject({ table_name: 'pg/shop/public.order_totals' });
    expect(byName['sequence:order_no']!.definition).toMatch(/START WITH 1000/);
    expect(JSON.parse(byName['sequence:order_no']!.details!)).toMatchObject({ increment_by: '10', last_value: '1010' });
    expect(byName['foreign table:outside']).toMatchObject({ table_name: null });
    expect(JSON.parse(byName['foreign table:outside']!.details!)).toMatchObject({ server: 'files' });
    expect(objects.filter((o) => o.kind === 'inheritance').map((o) => [o.name, JSON.parse(o.details!).parent, o.table_name])).toEqual([
      ['measurement_2023', 'public.measurement', 'pg/shop/public.measurement_2023'],
      ['measurement_2024', 'public.measurement', 'pg/shop/public.measurement_2024'],
    ]);
    expect(query(`SELECT engine_table_type, rows FROM _snapbench_tables WHERE source_table = 'public.order_totals'`)).toEqual([{ engine_table_type: 'materialized view', rows: 1 }]);
    expect(query(`SELECT n, s FROM "pg/shop/public.order_totals"`)).toEqual([{ n: 50, s: '1912.50' }]);
    // Each table of an inheritance tree holds its own rows (FROM ONLY); the parent's query is their union.
    expect(query<{ n: number }>(`SELECT (SELECT count(*) FROM "pg/shop/public.measurement") AS n`)).toEqual([{ n: 1 }]);
    expect(
      query<{ n: number }>(
        `SELECT count(*) AS n FROM (SELECT id, v FROM "pg/shop/public.measurement" UNION ALL SELECT id, v FROM "pg/shop/public.measurement_2023" UNION ALL SELECT id, v FROM "pg/shop/public.measurement_2024")`,
      ),
    ).toEqual([{ n: 4 }]);
  });
});

describe('money, identity, generated columns, foreign keys and UTC facts (items 21, 25)', () => {
  it('stores money as its exact numeric value and keeps the currency format in the catalog', () => {
    const rows = query<{ m: string | null; as_real: number | null }>(`SELECT m, CAST(m AS REAL) AS as_real FROM "pg/shop/public.prices" ORDER BY id`);
    expect(rows).toEqual([
      { m: '1234567.89', as_real: 1234567.89 },
      { m: '-0.50', as_real: -0.5 },
      { m: null, as_real: null },
    ]);
    expect(query(`SELECT declared_type, storage, note FROM _snapbench_columns WHERE table_name = 'pg/shop/public.prices' AND column_name = 'm'`)).toEqual([
      { declared_type: 'money', storage: 'decimal', note: expect.stringMatching(/money: stored as its exact numeric value \(money::numeric\); the server prints it with lc_monetary=.*, e\.g\. \$1,234,567\.89/) },
    ]);
  });

  it('records identity, generated expressions (not as defaults), foreign keys, secondary indexes, and server times in UTC', () => {
    expect(query(`SELECT column_name, default_value, generated, identity FROM _snapbench_columns WHERE table_name = 'pg/shop/public.line' ORDER BY ordinal`)).toEqual([
      { column_name: 'id', default_value: null, generated: null, identity: 'ALWAYS' },
      { column_name: 'parent_id', default_value: null, generated: null, identity: null },
      { column_name: 'qty', default_value: null, generated: null, identity: null },
      { column_name: 'total', default_value: null, generated: '(qty * 2)', identity: null },
      { column_name: 'note', default_value: "'none'::text", generated: null, identity: null },
    ]);
    expect(query(`SELECT columns, referenced_schema, referenced_table, referenced_table_name, referenced_columns, on_delete FROM _snapbench_foreign_keys WHERE table_name = 'pg/shop/public.line'`)).toEqual([
      { columns: '["parent_id"]', referenced_schema: 'public', referenced_table: 'parent', referenced_table_name: 'pg/shop/public.parent', referenced_columns: '["id"]', on_delete: 'CASCADE' },
    ]);
    expect(query<{ index_name: string }>(`SELECT index_name FROM _snapbench_indexes WHERE table_name = 'pg/shop/public.line' ORDER BY index_name`).map((i) => i.index_name)).toEqual(['line_pkey', 'line_qty']);
    const [started] = query<{ value: string }>(`SELECT value FROM _snapbench_server_facts WHERE name = 'postmaster_start_time'`);
    expect(started!.value).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00$/);
  });
});

describe('names that collide (item 22)', () => {
  it('gives none of the colliding tables the plain name, and each a suffix from its own identity', async () => {
    const tables = parseJson<{ table: string; schema: string; sqlName: string; rows: number }[]>(await runCli(['tables', file, '--format', 'json']));
    const byTable = (table: string) => tables.find((t) => t.table === table)!;
    expect(byTable('public.MIXEDCASE').sqlName).toBe(`"pg/shop/public.MIXEDCASE${suffix('pg', 'shop', 'public', 'MIXEDCASE')}"`);
    expect(byTable('public.MixedCase').sqlName).toBe(`"pg/shop/public.MixedCase${suffix('pg', 'shop', 'public', 'MixedCase')}"`);
    expect(byTable('public.mixedcase').sqlName).toBe(`"pg/shop/public.mixedcase${suffix('pg', 'shop', 'public', 'mixedcase')}"`);
    expect(tables.filter((t) => t.table === 'a.b.c').map((t) => [t.schema, t.sqlName, t.rows]).sort()).toEqual([
      ['a', `"pg/shop/a.b.c${suffix('pg', 'shop', 'a', 'b.c')}"`, 1],
      ['a.b', `"pg/shop/a.b.c${suffix('pg', 'shop', 'a.b', 'c')}"`, 2],
    ]);
    // The plain name reads nothing rather than another table.
    expect(query(`SELECT name FROM sqlite_master WHERE name = 'pg/shop/public.mixedcase' COLLATE NOCASE OR name = 'pg/shop/a.b.c'`)).toEqual([]);
    for (const t of tables) expect(query<{ n: number }>(`SELECT count(*) AS n FROM ${t.sqlName}`)[0]!.n, t.sqlName).toBe(t.rows);
  });
});

describe('TRUNCATE by another session during the pull (item 3)', () => {
  it('keeps the snapshot honest: a table truncated after the locks keeps its rows, one truncated before them is read anew and said so', async () => {
    const out = join(dir, 'truncate.snapbench');
    const psqlSync = (sql: string) =>
      execFileSync('psql', ['-X', '-q', '-h', server.host, '-p', String(server.port), '-U', 'postgres', '-d', 'shop', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
    let truncatedEarly = false;
    let later: Promise<string> | null = null;
    const result = await hookedPull(postgresAdapter, { name: 'pg', engine: 'postgres', host: server.host, port: server.port, user: 'postgres', databases: ['shop'] }, out, (target) => ({
      addServerFacts: (facts) => {
        // After the snapshot began and the catalog was read, before the locks: TRUNCATE and refill, committed.
        if (!truncatedEarly && facts.some((f) => f.category === 'database' && f.name === 'shop.size_bytes')) {
          truncatedEarly = true;
          psqlSync('BEGIN; TRUNCATE t_truncated; INSERT INTO t_truncated SELECT g FROM generate_series(1, 5) g; COMMIT;');
        }
        target.addServerFacts(facts);
      },
      beginTable: (table) => {
        const begun = target.beginTable(table);
        if (table.name !== 'a_first') return begun;
        // While the first table streams (the locks are held): this TRUNCATE must wait for the pull.
        const sink: TableSink = {
          push: (rows) => {
            later ??= psqlExec(server, 'BEGIN; TRUNCATE t_truncate_later; INSERT INTO t_truncate_later VALUES (1); COMMIT;', 'shop');
            return begun.sink.push(rows);
          },
        };
        return { ...begun, sink };
      },
    }));
    expect(result.failures, JSON.stringify(result.failures)).toEqual([]);
    expect(truncatedEarly).toBe(true);
    expect(later).not.toBeNull();
    await later;
    expect(query(`SELECT count(*) AS n FROM "pg/shop/public.t_truncate_later"`, out)).toEqual([{ n: 1000 }]);
    expect((await psqlExec(server, 'SELECT count(*) FROM t_truncate_later', 'shop')).trim()).toBe('1');
    expect(query(`SELECT rows, status FROM _snapbench_tables WHERE source_table = 'public.t_truncated'`, out)).toEqual([{ rows: 5, status: 'pulled' }]);
    const [instance] = query<{ consistency: string; consistency_note: string }>(`SELECT consistency, consistency_note FROM _snapbench_instances`, out);
    expect(instance).toMatchObject({ consistency: 'best-effort' });
    expect(instance!.consistency_note).toMatch(/shop\.public\.t_truncated rewritten \(TRUNCATE, .*\) after the snapshot began, so read again in a later snapshot of its own/);
    expect((await runCli(['verify', out])).code).toBe(0);
  });
});
