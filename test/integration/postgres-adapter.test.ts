// Pulls a throwaway PostgreSQL server with the PostgreSQL adapter into an
// in-memory target and checks, value by value, that nothing changed on the way:
// int8 beyond 2^53, numeric/NaN, floats, bytea, JSON, arrays, infinity dates,
// intervals, tabs/newlines/backslashes/Han/emoji text, NULL in every column, odd
// identifiers, partitions. Also the catalog, server facts, --max-rows, errors
// (wrong password, closed port, timeout, missing database, TLS), abort, and the
// read-only proof from the server's own log_statement=all log.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFile, writeFile, stat } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { freePort, psqlExec, startPostgres } from '../helpers/servers.ts';
import { CollectingTarget, testPullOptions } from '../helpers/collectingTarget.ts';
import { postgresAdapter } from '../../snapshots/engines/postgres/index.ts';
import { CopyFormatError, CopyTextParser } from '../../snapshots/engines/postgres/copyText.ts';
import { Decode } from '../../snapshots/engines/postgres/types.ts';
import { PullError, type InstanceTarget, type PullEvent } from '../../snapshots/engines/types.ts';
import type { FleetInstance } from '../../shared/model/fleet.ts';
import type { SqlValue, TableInfo } from '../../shared/model/snapshot.ts';
import { rmSync } from 'node:fs';
import { tempDir, writeFleet } from '../helpers/cli.ts';
import { pullWithBothDecoders } from '../helpers/decoderEquivalence.ts';

type Server_ = Awaited<ReturnType<typeof startPostgres>>;
let server: Server_;

const READER_PASSWORD = 'Right-Reader-Passw0rd-42';
const WRONG_PASSWORD = 'Wr0ng-Secret-Value-77';

const FIXTURE_SHOP = String.raw`
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive_amount AS numeric(20,4) CHECK (VALUE > 0);
CREATE DOMAIN big_id AS bigint;
CREATE DOMAIN big_id2 AS big_id;
CREATE TABLE all_types (
  id int PRIMARY KEY,
  i2 smallint, i4 integer, i8 bigint, o oid,
  n numeric, n2 numeric(12,2), m money,
  f8 double precision, f4 real,
  b bytea, ok boolean,
  j json, jb jsonb,
  u uuid,
  ia int[], ta text[],
  ts timestamp, tstz timestamptz, d date, t time, ttz timetz, iv interval,
  tx text, vc varchar(20), ch char(5), mo mood, dom positive_amount, dom8 big_id2,
  ip inet, x xml, tsv tsvector, pt point, bits bit(4), vbits varbit(8)
);
COMMENT ON TABLE all_types IS 'every type';
COMMENT ON COLUMN all_types.tx IS 'free text';
INSERT INTO all_types VALUES
 (1, 32767, 2147483647, 9007199254740993, 4294967295,
  12345678901234567890.123456789, 1234567890.12, 12.34,
  0.1, 1.1,
  '\x00ff0041'::bytea, true,
  '{"a": [1, 2], "s": "x\ty"}', '{"b": [1, 2], "a": null}',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '{1,2,3}', ARRAY['a b', 'c,d', 'e"f', 'g\h', NULL, ''],
  '2024-02-29 23:59:59.999999', '2024-01-02 03:04:05.123456+02', 'infinity', '13:14:15.5', '13:14:15+05', '1 year 2 mons 3 days 04:05:06.789',
  E'tab\there\nnew line\\back slash \r cr 中文 😀 end', 'héllo wörld', 'ab', 'happy', 12.5, 9007199254740993,
  '192.168.0.1/24', '<a x="1">t</a>', 'a fat cat', '(1.5,2)', B'1010', B'101'),
 (2, -32768, -2147483648, -9223372036854775808, 0,
  'NaN', -0.01, -1.5,
  'Infinity', '-Infinity',
  '\x'::bytea, false,
  'null', '[]',
  '00000000-0000-0000-0000-000000000000',
  '{}', '{}',
  '-infinity', '-infinity', '-infinity', '00:00:00', '00:00:00+00', '-1 mons -00:00:01',
  '', '', '', 'sad', 0.0001, 1,
  '::1', '', '', '(0,0)', B'0000', B''),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, 0, 0, 9007199254740991, 1,
  '-0.000000001', 0, 0,
  '-0', 3.4028235e38,
  '\x5c0a09'::bytea, NULL,
  '"\u00e9"', '{"k": "\\N"}',
  NULL, '{{1,2},{3,4}}', ARRAY['\N', 'NULL', E'tab\tin', E'nl\nin'],
  '0001-01-01 00:00:00 BC', '1970-01-01 00:00:00+00', '2000-01-01', '24:00:00', NULL, 'PT0S',
  '\N', E'\\', E'\\N', 'ok', 1, -9007199254740992,
  NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE all_types SET f8 = 1e308, f4 = 3.4028235e38 WHERE id = 4;
CREATE UNIQUE INDEX all_types_vc_key ON all_types (vc);
CREATE INDEX all_types_lower_tx ON all_types (lower(tx), id);
CREATE INDEX all_types_i4_incl ON all_types (i4) INCLUDE (i2);

CREATE SCHEMA "Sales Data";
CREATE TABLE "Sales Data"."select" (id int PRIMARY KEY, "from" text, "we""ird" text);
INSERT INTO "Sales Data"."select" VALUES (1, 'f', 'w"q'), (2, NULL, E'\t');
CREATE TABLE "Sales Data"."order items" (order_id bigint, line_no smallint, "Qty Ordered" int NOT NULL DEFAULT 1, PRIMARY KEY (order_id, line_no));
INSERT INTO "Sales Data"."order items" VALUES (10, 2, 5), (10, 1, 3);

CREATE TABLE empty_table (id bigint PRIMARY KEY, name text);
CREATE TABLE no_columns ();
INSERT INTO no_columns DEFAULT VALUES;
INSERT INTO no_columns DEFAULT VALUES;
-- A user type that shares a built-in type's name must not be decoded as one.
CREATE TYPE "int8" AS ENUM ('one', 'two');
CREATE TABLE shadowed (v public."int8", w pg_catalog.int8);
INSERT INTO shadowed VALUES ('two', 2);

CREATE TABLE big (id int PRIMARY KEY, label text NOT NULL, amount numeric(10,2), at timestamptz DEFAULT now());
INSERT INTO big SELECT g, 'row ' || g || CASE WHEN g % 1000 = 0 THEN E'\t中' ELSE '' END, g / 100.0, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
FROM generate_series(1, 20000) g;
ANALYZE big;

CREATE TABLE counter (n int);
INSERT INTO counter SELECT g FROM generate_series(1, 120000) g;

CREATE TABLE events (id int NOT NULL, happened date NOT NULL, what text, PRIMARY KEY (id, happened)) PARTITION BY RANGE (happened);
CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO events VALUES (1, '2023-05-01', 'old'), (2, '2024-05-01', 'new'), (3, '2024-06-01', 'newer');
ANALYZE events;

CREATE VIEW big_view AS SELECT id FROM big;
CREATE MATERIALIZED VIEW big_mat AS SELECT id FROM big WHERE id < 10;

CREATE TABLE secret (id int, code text);
INSERT INTO secret VALUES (1, 'x');
CREATE TABLE rls_table (id int, owner_name text);
INSERT INTO rls_table VALUES (1, 'reader'), (2, 'someone else');
ALTER TABLE rls_table ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_own ON rls_table USING (owner_name = current_user);

CREATE ROLE reader LOGIN PASSWORD '${READER_PASSWORD}';
GRANT USAGE ON SCHEMA "Sales Data" TO reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader;
GRANT SELECT ON ALL TABLES IN SCHEMA "Sales Data" TO reader;
REVOKE SELECT ON secret FROM reader;
`;

function pgInstance(options: { user?: string; port?: number; host?: string; databases?: string[]; passwordEnv?: string; connectTimeoutMs?: number; statementTimeoutMs?: number; tls?: NonNullable<FleetInstance['connection']>['tls'] } = {}): FleetInstance {
  return {
    name: 'pg-test',
    engine: 'postgres',
    domain: 'sales',
    connection: {
      host: options.host ?? server.host,
      port: options.port ?? server.port,
      user: options.user ?? 'postgres',
      passwordEnv: options.passwordEnv,
      tls: options.tls,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      statementTimeoutMs: options.statementTimeoutMs ?? 60_000,
    },
    databases: 'databases' in options ? options.databases : ['shop'],
    rawKeyNames: false,
    readValues: false,
  };
}

async function pull(instance: FleetInstance, overrides: Parameters<typeof testPullOptions>[0] = {}) {
  const target = new CollectingTarget();
  const options = testPullOptions(overrides);
  await postgresAdapter.pullInstance(instance, target, options);
  return { target, events: options.events };
}

async function pullError(instance: FleetInstance, password?: string): Promise<PullError> {
  const error = await postgresAdapter.pullInstance(instance, new CollectingTarget(), testPullOptions({ password })).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PullError);
  return error as PullError;
}

function rowsById(rows: SqlValue[][]): Map<unknown, SqlValue[]> {
  return new Map(rows.map((r) => [r[0], r]));
}

function column(info: TableInfo, name: string) {
  const c = info.columns.find((col) => col.name === name);
  if (!c) throw new Error(`no column ${name} in ${info.name}`);
  return c;
}

/** Snapbench's statements from the server log (log_line_prefix carries the application name). */
function snapbenchStatements(log: string): string[] {
  const statements: string[] = [];
  let current: string | null = null;
  for (const line of log.split('\n')) {
    const m = /app=snapbench (?:LOG|STATEMENT):\s+(?:statement|execute [^:]*): (.*)$/.exec(line);
    if (m) {
      if (current !== null) statements.push(current);
      current = m[1]!;
    } else if (current !== null && line.startsWith('\t')) {
      current += '\n' + line.slice(1);
    } else if (current !== null) {
      statements.push(current);
      current = null;
    }
  }
  if (current !== null) statements.push(current);
  return statements;
}

beforeAll(async () => {
  server = await startPostgres({ logStatements: true });
  await psqlExec(server, `ALTER SYSTEM SET log_line_prefix = '%m [%p] app=%a '; SELECT pg_reload_conf();`);
  await psqlExec(server, 'CREATE DATABASE shop; CREATE DATABASE crm;');
  await psqlExec(server, FIXTURE_SHOP, 'shop');
  await psqlExec(server, `CREATE TABLE contacts (id serial PRIMARY KEY, email text); INSERT INTO contacts (email) VALUES ('a@example.com');`, 'crm');
  // An extension beyond plpgsql, where the server has one to offer.
  await psqlExec(server, 'CREATE EXTENSION IF NOT EXISTS pgcrypto', 'crm').catch(() => {});
  // A table in the maintenance database, which is pulled only when named.
  await psqlExec(server, 'CREATE TABLE maintenance_only (id int);');
  // Password authentication for "reader" (initdb's default for everyone else is trust).
  const hbaFile = await psqlExec(server, 'SHOW hba_file');
  const hba = await readFile(hbaFile, 'utf8');
  await writeFile(hbaFile, `host all reader 127.0.0.1/32 scram-sha-256\n${hba}`);
  await psqlExec(server, 'SELECT pg_reload_conf()');
  for (let i = 0; i < 50 && !(await psqlExec(server, 'SHOW log_line_prefix')).includes('app='); i++) await new Promise((r) => setTimeout(r, 100));
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('postgres adapter: a full pull', () => {
  let target: CollectingTarget;
  let events: PullEvent[];
  let logBefore = 0;

  beforeAll(async () => {
    logBefore = (await stat(server.logFile)).size;
    ({ target, events } = await pull(pgInstance()));
  }, 60_000);

  it('pulls every table of the database once, partitions through their root, materialized views as tables, no views', () => {
    const names = target.tables.map((t) => `${t.info.schema}.${t.info.name}`).sort();
    expect(names).toEqual(
      [
        'Sales Data.order items',
        'Sales Data.select',
        'public.all_types',
        'public.big',
        'public.big_mat',
        'public.counter',
        'public.empty_table',
        'public.events',
        'public.no_columns',
        'public.shadowed',
        'public.rls_table',
        'public.secret',
      ].sort(),
    );
    for (const t of target.tables) expect(t.info.database).toBe('shop');
  });

  it('keeps every value of every type exactly', () => {
    const t = target.table('shop', 'public.all_types');
    const cols = t.info.columns.map((c) => c.name);
    const rows = rowsById(t.rows);
    const row = (id: number) => Object.fromEntries(cols.map((c, i) => [c, rows.get(id)![i]]));
    expect(t.rows).toHaveLength(4);

    expect(row(1)).toEqual({
      id: 1,
      i2: 32767,
      i4: 2147483647,
      i8: 9007199254740993n,
      o: 4294967295,
      n: '12345678901234567890.123456789',
      n2: '1234567890.12',
      m: expect.any(String),
      f8: '0.1',
      f4: '1.1',
      b: Buffer.from([0x00, 0xff, 0x00, 0x41]),
      ok: 1,
      j: '{"a": [1, 2], "s": "x\\ty"}',
      jb: '{"a": null, "b": [1, 2]}',
      u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      ia: '{1,2,3}',
      ta: '{"a b","c,d","e\\"f","g\\\\h",NULL,""}',
      ts: '2024-02-29 23:59:59.999999',
      tstz: '2024-01-02 01:04:05.123456+00',
      d: 'infinity',
      t: '13:14:15.5',
      ttz: '13:14:15+05',
      iv: '1 year 2 mons 3 days 04:05:06.789',
      tx: 'tab\there\nnew line\\back slash \r cr 中文 😀 end',
      vc: 'héllo wörld',
      ch: 'ab   ',
      mo: 'happy',
      dom: '12.5000',
      dom8: 9007199254740993n,
      ip: '192.168.0.1/24',
      x: '<a x="1">t</a>',
      tsv: "'a' 'cat' 'fat'",
      pt: '(1.5,2)',
      bits: '1010',
      vbits: '101',
    });
    expect(row(1).m).toMatch(/12\.34/);

    expect(row(2)).toEqual({
      id: 2,
      i2: -32768,
      i4: -2147483648,
      i8: -9223372036854775808n,
      o: 0,
      n: 'NaN',
      n2: '-0.01',
      m: expect.any(String),
      f8: 'Infinity',
      f4: '-Infinity',
      b: Buffer.alloc(0),
      ok: 0,
      j: 'null',
      jb: '[]',
      u: '00000000-0000-0000-0000-000000000000',
      ia: '{}',
      ta: '{}',
      ts: '-infinity',
      tstz: '-infinity',
      d: '-infinity',
      t: '00:00:00',
      ttz: '00:00:00+00',
      iv: '-1 mons -00:00:01',
      tx: '',
      vc: '',
      ch: '     ',
      mo: 'sad',
      dom: '0.0001',
      dom8: 1,
      ip: '::1',
      x: '',
      tsv: '',
      pt: '(0,0)',
      bits: '0000',
      vbits: '',
    });

    // NULL in every column but the key.
    expect(rows.get(3)!.slice(1).every((v) => v === null)).toBe(true);
    expect(rows.get(3)!.slice(1)).toHaveLength(cols.length - 1);

    const r4 = row(4);
    expect(r4.i8).toBe(9007199254740991); // largest safe integer stays a number
    expect(r4.dom8).toBe(-9007199254740992n); // one beyond the safe range is a BigInt
    expect(r4.n).toBe('-0.000000001');
    expect(r4.n2).toBe('0.00');
    expect(r4.f8).toBe('1e+308');
    expect(r4.f4).toBe('3.4028235e+38');
    expect(r4.b).toEqual(Buffer.from([0x5c, 0x0a, 0x09]));
    expect(r4.j).toBe('"\\u00e9"');
    expect(r4.jb).toBe('{"k": "\\\\N"}');
    expect(r4.ia).toBe('{{1,2},{3,4}}');
    expect(r4.ta).toBe('{"\\\\N","NULL","tab\tin","nl\nin"}');
    expect(r4.ts).toBe('0001-01-01 00:00:00 BC');
    expect(r4.tstz).toBe('1970-01-01 00:00:00+00');
    expect(r4.t).toBe('24:00:00');
    expect(r4.iv).toBe('00:00:00');
    expect(r4.tx).toBe('\\N'); // the two characters backslash and N, not NULL
    expect(r4.vc).toBe('\\');
    expect(r4.ch).toBe('\\N   ');
    expect(r4.ok).toBeNull();
  });

  it('keeps money as its exact numeric value, not the lc_monetary rendering', async () => {
    const printed = (await psqlExec(server, 'SELECT m::numeric::text FROM all_types WHERE id IN (1, 2) ORDER BY id', 'shop')).split('\n');
    const rows = rowsById(target.table('shop', 'public.all_types').rows);
    const m = target.table('shop', 'public.all_types').info.columns.findIndex((c) => c.name === 'm');
    expect([rows.get(1)![m], rows.get(2)![m]]).toEqual(printed);
  });

  it('reports the catalog: declared types, storage, keys, defaults, indexes, comments, sizes', () => {
    const info = target.table('shop', 'public.all_types').info;
    expect(info.engineTableType).toBe('table');
    expect(info.comment).toBe('every type');
    const expectations: Record<string, [string, string]> = {
      id: ['integer', 'integer'],
      i2: ['smallint', 'integer'],
      i4: ['integer', 'integer'],
      i8: ['bigint', 'integer'],
      o: ['oid', 'integer'],
      n: ['numeric', 'decimal'],
      n2: ['numeric(12,2)', 'decimal'],
      m: ['money', 'decimal'],
      f8: ['double precision', 'float'],
      f4: ['real', 'float'],
      b: ['bytea', 'blob'],
      ok: ['boolean', 'boolean'],
      j: ['json', 'json'],
      jb: ['jsonb', 'json'],
      u: ['uuid', 'text'],
      ia: ['integer[]', 'text'],
      ta: ['text[]', 'text'],
      ts: ['timestamp without time zone', 'temporal'],
      tstz: ['timestamp with time zone', 'temporal'],
      d: ['date', 'temporal'],
      t: ['time without time zone', 'temporal'],
      ttz: ['time with time zone', 'temporal'],
      iv: ['interval', 'temporal'],
      tx: ['text', 'text'],
      vc: ['character varying(20)', 'text'],
      ch: ['character(5)', 'text'],
      mo: ['mood', 'text'],
      dom: ['positive_amount', 'decimal'],
      dom8: ['big_id2', 'integer'],
      ip: ['inet', 'text'],
      x: ['xml', 'text'],
      tsv: ['tsvector', 'text'],
      pt: ['point', 'text'],
      bits: ['bit(4)', 'text'],
      vbits: ['bit varying(8)', 'text'],
    };
    expect(info.columns.map((c) => c.name)).toEqual(Object.keys(expectations));
    for (const [name, [declared, storage]] of Object.entries(expectations)) {
      expect([name, column(info, name).declaredType, column(info, name).storage]).toEqual([name, declared, storage]);
    }
    expect(column(info, 'id')).toMatchObject({ nullable: false, primaryKeyOrdinal: 1 });
    expect(column(info, 'tx')).toMatchObject({ nullable: true, primaryKeyOrdinal: null, comment: 'free text' });
    const byName = Object.fromEntries(info.indexes.map((i) => [i.name, i]));
    expect(byName.all_types_pkey).toEqual({ name: 'all_types_pkey', unique: true, primary: true, columns: ['id'] });
    expect(byName.all_types_vc_key).toEqual({ name: 'all_types_vc_key', unique: true, primary: false, columns: ['vc'] });
    expect(byName.all_types_lower_tx).toEqual({ name: 'all_types_lower_tx', unique: false, primary: false, columns: ['lower(tx)', 'id'] });
    expect(byName.all_types_i4_incl!.columns).toEqual(['i4']);
    expect(info.dataBytes).toBeGreaterThan(0);
    expect(info.indexBytes).toBeGreaterThan(0);

    const items = target.table('shop', 'Sales Data.order items').info;
    expect(items.columns.map((c) => [c.name, c.primaryKeyOrdinal, c.nullable])).toEqual([
      ['order_id', 1, false],
      ['line_no', 2, false],
      ['Qty Ordered', null, false],
    ]);
    expect(column(items, 'Qty Ordered').defaultValue).toBe('1');
    expect(column(target.table('shop', 'public.big').info, 'at').defaultValue).toBe('now()');

    const big = target.table('shop', 'public.big').info;
    expect(big.estimatedRows).toBe(20000);
    expect(target.table('shop', 'public.empty_table').info.estimatedRows).toBeNull(); // never analysed
  });

  it('handles odd identifiers: a table named select, a space, a double quote, another schema', () => {
    const select = target.table('shop', 'Sales Data.select');
    expect(select.info.schema).toBe('Sales Data');
    expect(select.info.columns.map((c) => c.name)).toEqual(['id', 'from', 'we"ird']);
    expect(rowsById(select.rows)).toEqual(
      new Map<unknown, SqlValue[]>([
        [1, [1, 'f', 'w"q']],
        [2, [2, null, '\t']],
      ]),
    );
    const items = target.table('shop', 'Sales Data.order items');
    expect([...items.rows].sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual([
      [10, 1, 3],
      [10, 2, 5],
    ]);
  });

  it('a user type named like a built-in one is text; a table without columns still has its rows', () => {
    const shadowed = target.table('shop', 'public.shadowed');
    expect(shadowed.info.columns.map((c) => [c.declaredType, c.storage])).toEqual([
      ['public.int8', 'text'], // format_type qualifies the name it shares with pg_catalog.int8
      ['bigint', 'integer'],
    ]);
    expect(shadowed.rows).toEqual([['two', 2]]);
    const none = target.table('shop', 'public.no_columns');
    expect(none.info.columns).toEqual([]);
    expect(none.rows).toEqual([[], []]);
    expect(none.result).toEqual({ rows: 2, limited: false });
  });

  it('pulls an empty table and a 20k-row table completely', () => {
    const empty = target.table('shop', 'public.empty_table');
    expect(empty.rows).toEqual([]);
    expect(empty.result).toEqual({ rows: 0, limited: false });

    const big = target.table('shop', 'public.big');
    expect(big.result).toEqual({ rows: 20000, limited: false });
    expect(big.rows).toHaveLength(20000);
    const byId = rowsById(big.rows);
    expect(byId.size).toBe(20000);
    expect(byId.get(1)).toEqual([1, 'row 1', '0.01', '2024-01-01 00:01:00+00']);
    expect(byId.get(1000)).toEqual([1000, 'row 1000\t中', '10.00', '2024-01-01 16:40:00+00']);
    expect(byId.get(20000)).toEqual([20000, 'row 20000\t中', '200.00', '2024-01-14 21:20:00+00']);
    expect(target.table('shop', 'public.counter').rows).toHaveLength(120000);
  });

  it('pulls a partitioned table once, through its root, with every partition', () => {
    const events = target.table('shop', 'public.events');
    expect(events.info.engineTableType).toBe('partitioned');
    expect(events.info.estimatedRows).toBe(3);
    expect(events.info.dataBytes).toBeGreaterThan(0);
    expect([...events.rows].sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [1, '2023-05-01', 'old'],
      [2, '2024-05-01', 'new'],
      [3, '2024-06-01', 'newer'],
    ]);
    expect(target.tables.some((t) => t.info.name.startsWith('events_'))).toBe(false);
    expect(target.fact('partition', 'shop.public.events_2023')).toBe('public.events');
    expect(target.fact('partition', 'shop.public.events_2024')).toBe('public.events');
  });

  it('reports version, consistency and server facts', () => {
    expect(target.version).toMatch(/^\d+(\.\d+)?$/);
    expect(target.consistency).toBe('snapshot');
    expect(target.consistencyNote).toBeNull(); // one database: one snapshot
    expect(target.fact('server', 'version')).toMatch(/^PostgreSQL \d+/);
    expect(target.fact('setting', 'max_connections')).toMatch(/^\d+$/);
    expect(target.fact('setting', 'shared_buffers')).toMatch(/^\d+(kB|MB|GB)$/);
    expect(target.fact('setting', 'timezone')).toBeTruthy(); // the server's, not the session's UTC
    expect(target.fact('setting', 'datestyle')).toBeTruthy();
    expect(target.fact('setting', 'server_encoding')).toBe('UTF8');
    expect(target.fact('setting', 'wal_level')).toBeTruthy();
    expect(Number(target.fact('database', 'shop.size_bytes'))).toBeGreaterThan(1_000_000);
    expect(target.fact('extension', 'plpgsql')).toMatch(/^\d/);
    expect(Number(target.fact('status', 'uptime_seconds'))).toBeGreaterThanOrEqual(0);
    expect(Number(target.fact('status', 'connections'))).toBeGreaterThanOrEqual(1);
    const stats = JSON.parse(target.fact('table_stats', 'shop.public.big')!);
    expect(stats).toHaveProperty('n_live_tup');
    expect(stats).toHaveProperty('n_dead_tup');
    expect(stats).toHaveProperty('seq_scan');
    expect(stats).toHaveProperty('last_analyze');
    expect(typeof stats.n_live_tup).toBe('number');
    for (const f of target.facts) expect(f.value === null || typeof f.value === 'string').toBe(true);
  });

  it('emits table-start, table-progress and table-done events', () => {
    const forTable = (name: string) => events.filter((e) => 'table' in e && e.table === name);
    expect(forTable('shop.public.big').map((e) => e.type)).toEqual(['table-start', 'table-done']);
    expect(forTable('shop.public.big')[0]).toMatchObject({ type: 'table-start', instance: 'pg-test', estimatedRows: 20000 });
    expect(forTable('shop.public.big')[1]).toMatchObject({ type: 'table-done', rows: 20000, limited: false });
    const counter = forTable('shop.public.counter');
    const progress = counter.filter((e) => e.type === 'table-progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]).toMatchObject({ type: 'table-progress' });
    const first = progress[0] as Extract<PullEvent, { type: 'table-progress' }>;
    expect(first.rows).toBeGreaterThanOrEqual(50000);
    expect(first.bytes).toBeGreaterThan(0);
    expect(counter.at(-1)).toMatchObject({ type: 'table-done', rows: 120000 });
  });

  it('sent nothing but reads: the server log shows only SELECT, SET LOCAL, BEGIN READ ONLY, COPY ... TO STDOUT, COMMIT', async () => {
    const log = (await readFile(server.logFile)).subarray(logBefore).toString('utf8');
    const statements = snapbenchStatements(log);
    expect(statements.length).toBeGreaterThan(5);
    const pieces = statements.flatMap((s) => s.split(';').map((p) => p.trim()).filter(Boolean));
    // LOCK ... IN ACCESS SHARE MODE (as pg_dump takes) keeps a TRUNCATE from emptying a table under the snapshot.
    const offending = pieces.filter(
      (p) => !/^(SELECT|BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY$|SET LOCAL |COMMIT$|COPY \(SELECT |LOCK TABLE [\s\S]* IN ACCESS SHARE MODE$|(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT) snapbench_locks$)/i.test(p),
    );
    expect(offending).toEqual([]);
    for (const copy of pieces.filter((p) => p.startsWith('COPY'))) expect(copy).toMatch(/^COPY \(SELECT [\s\S]*\) TO STDOUT$/);
    expect(pieces.some((p) => /^BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY$/.test(p))).toBe(true);
    expect(pieces.filter((p) => p.startsWith('COPY')).length).toBe(12);
    // Odd names are quoted.
    expect(pieces.some((p) => p.includes('FROM ONLY "Sales Data"."select"'))).toBe(true);
    expect(pieces.some((p) => p.includes('"we""ird"'))).toBe(true);
    // And the server never saw an error from us.
    expect(log).not.toMatch(/app=snapbench (ERROR|FATAL)/);
  });

  it('closes every connection it opened', async () => {
    let open = '';
    for (let i = 0; i < 50; i++) {
      open = await psqlExec(server, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'snapbench'`);
      if (open === '0') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(open).toBe('0');
  });
});

describe('postgres pull through the CLI', () => {
  it('stores the same bytes whether its COPY encoder or the value decoder read the rows', async () => {
    const dir = tempDir();
    try {
      const fleet = writeFleet(dir, [{ name: 'pg', engine: 'postgres', host: server.host, port: server.port, user: 'postgres', databases: ['shop'] }]);
      const { hashes, verified } = await pullWithBothDecoders(dir, fleet);
      expect(hashes.size).toBeGreaterThan(5);
      for (const [table, [wire, driver]] of hashes) expect(wire, table).toBe(driver);
      expect(verified).toEqual([0, 0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('postgres adapter: databases', () => {
  it('without a list, pulls every connectable non-template database, the maintenance one only when it holds tables, each its own snapshot', async () => {
    const { target } = await pull(pgInstance({ databases: undefined }));
    const databases = [...new Set(target.tables.map((t) => t.info.database))].sort();
    expect(databases).toEqual(['crm', 'postgres', 'shop']);
    expect(target.tables.some((t) => t.info.name === 'maintenance_only')).toBe(true);
    expect(target.table('crm', 'public.contacts').rows).toEqual([[1, 'a@example.com']]);
    expect(target.consistency).toBe('snapshot');
    expect(target.consistencyNote).toMatch(/each database/);
    expect(target.consistencyNote).toMatch(/crm/);
    expect(target.fact('database', 'crm.size_bytes')).toMatch(/^\d+$/);
    expect(target.fact('database', 'shop.size_bytes')).toMatch(/^\d+$/);
  }, 60_000);

  it('pulls the maintenance database when it is named', async () => {
    const { target } = await pull(pgInstance({ databases: ['postgres'] }));
    expect(target.tables.map((t) => `${t.info.database}.${t.info.name}`)).toEqual(['postgres.maintenance_only']);
  });

  it('names what exists when a listed database does not', async () => {
    for (const databases of [['nope'], ['shop', 'nope']]) {
      const error = await pullError(pgInstance({ databases }));
      expect(error.message).toContain('nope');
      expect(error.message).toContain('pg-test');
      expect(error.hint).toMatch(/crm/);
      expect(error.hint).toMatch(/shop/);
    }
  });
});

describe('postgres adapter: --max-rows', () => {
  it('keeps maxRows rows and says when a table had more', async () => {
    const { target, events } = await pull(pgInstance(), { maxRows: 4 });
    expect(target.table('shop', 'public.big').result).toEqual({ rows: 4, limited: true });
    expect(target.table('shop', 'public.big').rows).toHaveLength(4);
    expect(target.table('shop', 'public.all_types').result).toEqual({ rows: 4, limited: false }); // exactly 4
    expect(target.table('shop', 'Sales Data.order items').result).toEqual({ rows: 2, limited: false });
    expect(target.table('shop', 'public.empty_table').result).toEqual({ rows: 0, limited: false });
    expect(target.table('shop', 'public.events').result).toEqual({ rows: 3, limited: false });
    expect(events.find((e) => e.type === 'table-done' && e.table === 'shop.public.big')).toMatchObject({ rows: 4, limited: true });
  });

  it('with maxRows 0 reads no rows but still knows which tables have some', async () => {
    const { target } = await pull(pgInstance(), { maxRows: 0 });
    expect(target.table('shop', 'public.big').result).toEqual({ rows: 0, limited: true });
    expect(target.table('shop', 'public.empty_table').result).toEqual({ rows: 0, limited: false });
  });
});

describe('postgres adapter: a read-only user', () => {
  it('lists what it may not read in full, with the missing privilege or the rows it sees', async () => {
    const { target } = await pull(pgInstance({ user: 'reader', passwordEnv: 'PG_READER_PW' }), { password: READER_PASSWORD });
    const names = target.tables.map((t) => `${t.info.schema}.${t.info.name}`);
    expect(names).toContain('public.all_types');
    expect(target.table('shop', 'public.secret')).toMatchObject({ rows: [], result: { rows: 0, status: 'not-readable', statusReason: expect.stringMatching(/missing privilege: SELECT on public\.secret/) } });
    const rls = target.table('shop', 'public.rls_table');
    expect(rls.rows).toEqual([[1, 'reader']]);
    expect(rls.result).toMatchObject({ rows: 1, status: 'partial', statusReason: expect.stringMatching(/row-level security: the account sees 1 row\(s\)/) });
    expect(target.table('shop', 'public.big').rows).toHaveLength(20000);
  });

  it('the superuser gets the row-level-security table in full', async () => {
    const { target } = await pull(pgInstance());
    expect(target.table('shop', 'public.rls_table').rows).toHaveLength(2);
  });
});

describe('postgres adapter: connection errors', () => {
  it('wrong password: PullError naming instance, host:port and database, pointing at password_env, never the password', async () => {
    const error = await pullError(pgInstance({ user: 'reader', passwordEnv: 'PG_READER_PW' }), WRONG_PASSWORD);
    expect(error.message).toContain('pg-test');
    expect(error.message).toContain(`${server.host}:${server.port}`);
    expect(error.message).toContain('shop');
    expect(error.message).toMatch(/password authentication failed/);
    expect(error.hint).toMatch(/password_env/);
    expect(error.hint).toContain('PG_READER_PW');
    for (const text of [error.message, error.hint ?? '', error.stack ?? '', JSON.stringify(error)]) {
      expect(text).not.toContain(WRONG_PASSWORD);
      expect(text).not.toContain(READER_PASSWORD);
    }
  });

  it('no password where the server wants one: PullError pointing at password_env', async () => {
    const error = await pullError(pgInstance({ user: 'reader', passwordEnv: 'PG_READER_PW' }), undefined);
    expect(error.code).toBe('auth-failed');
    expect(error.hint).toMatch(/PG_READER_PW/);
    const noEnv = await pullError(pgInstance({ user: 'reader' }), undefined);
    expect(noEnv.hint).toMatch(/password_env/);
  });

  it('closed port: PullError with a hint to check the server and port', async () => {
    const port = await freePort();
    const error = await pullError(pgInstance({ port }));
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.hint).toBe('is the server running and the port right?');
  });

  it('a server that never answers: PullError with a timeout hint', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const error = await pullError(pgInstance({ port, connectTimeoutMs: 300 }));
      expect(Date.now() - started).toBeLessThan(5000);
      expect(error.hint).toMatch(/network\/bastion/);
      expect(error.hint).toMatch(/connect_timeout_ms/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('TLS asked of a server without it, and an unreadable CA file: PullErrors with hints', async () => {
    const noTls = await pullError(pgInstance({ tls: { insecure: false } }));
    expect(noTls.message).toMatch(/does not offer TLS/i);
    expect(noTls.hint).toMatch(/tls/);
    const noCa = await pullError(pgInstance({ tls: { insecure: false, caFile: '/nonexistent/ca.pem' } }));
    expect(noCa.message).toContain('/nonexistent/ca.pem');
    expect(noCa.hint).toMatch(/ca_file/);
  });
});

describe('postgres adapter: abort', () => {
  it('stops at once, abandons the table being read, and closes its connections', async () => {
    const controller = new AbortController();
    const target = new CollectingTarget();
    const abandoned: string[] = [];
    const begin = target.beginTable.bind(target);
    // Wrapped through the adapter-facing interface, whose sinks may return a promise.
    const wrapped: InstanceTarget = target;
    wrapped.beginTable = (info) => {
      const table = begin(info);
      return {
        sink: {
          push: (rows) => {
            table.sink.push(rows);
            if (info.name === 'counter') controller.abort();
            // An async writer: the adapter must wait for it (backpressure).
            return new Promise<void>((resolve) => setTimeout(resolve, 5));
          },
        },
        finish: table.finish,
        abandon: async () => {
          abandoned.push(info.name);
          await table.abandon();
        },
      };
    };
    const error = await postgresAdapter
      .pullInstance(pgInstance(), target, testPullOptions({ signal: controller.signal }))
      .then(() => null, (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(error!.name).toBe('AbortError');
    expect(abandoned).toEqual(['counter']);
    expect(target.tables.some((t) => t.info.name === 'counter')).toBe(false);
    let open = '';
    for (let i = 0; i < 50; i++) {
      open = await psqlExec(server, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'snapbench'`);
      if (open === '0') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(open).toBe('0');
  });

  it('an already aborted signal does not connect at all', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await postgresAdapter
      .pullInstance(pgInstance(), new CollectingTarget(), testPullOptions({ signal: controller.signal }))
      .then(() => null, (e: unknown) => e as Error);
    expect(error?.name).toBe('AbortError');
  });
});

describe('COPY text parser', () => {
  const K = Decode;

  function parseAll(kinds: Decode[], chunks: Buffer[], keepAtMost?: number) {
    const parser = new CopyTextParser(kinds, { keepAtMost });
    const rows: SqlValue[][] = [];
    for (const c of chunks) {
      parser.push(c);
      for (const row of parser.take()) rows.push(row);
    }
    parser.end();
    for (const row of parser.take()) rows.push(row);
    return { rows, parser };
  }

  function splitEvery(buf: Buffer, n: number): Buffer[] {
    const out: Buffer[] = [];
    for (let i = 0; i < buf.length; i += n) out.push(buf.subarray(i, i + n));
    return out;
  }

  it('decodes every escape, including octal and hex bytes that form UTF-8', () => {
    const data = Buffer.from(String.raw`a\tb\nc\\d\101\x41\xe4\xb8\xad\q\b\f\r\v` + '\t' + String.raw`\N` + '\t' + String.raw`\\N` + '\n');
    const { rows } = parseAll([K.Utf8, K.Utf8, K.Utf8], [data]);
    expect(rows).toEqual([['a\tb\nc\\dAA中q\b\f\r\v', null, '\\N']]);
  });

  it('parses the same rows whatever the chunk boundaries (one byte at a time, mid-character, mid-escape)', async () => {
    const client = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'shop' });
    await client.connect();
    try {
      await client.query(`SET extra_float_digits = 3; SET bytea_output = 'hex'; SET TimeZone = 'UTC'`);
      const chunks: Buffer[] = [];
      for await (const chunk of client.query(copyTo('COPY (SELECT id, i8, b, tx, ta, jb FROM all_types ORDER BY id) TO STDOUT'))) chunks.push(chunk as Buffer);
      const all = Buffer.concat(chunks);
      const kinds = [K.Int, K.BigInt, K.Bytea, K.Utf8, K.Utf8, K.Utf8];
      const whole = parseAll(kinds, [all]).rows;
      expect(whole).toHaveLength(4);
      expect(whole[0]![1]).toBe(9007199254740993n);
      for (const size of [1, 2, 3, 5, 7, 64]) expect(parseAll(kinds, splitEvery(all, size)).rows).toEqual(whole);
    } finally {
      await client.end();
    }
  });

  it('a row spread over many chunks and a huge field', () => {
    const huge = 'x'.repeat(300_000) + '中';
    const data = Buffer.from(`1\t${huge}\n2\tshort\n`);
    const { rows } = parseAll([K.Int, K.Utf8], splitEvery(data, 1000));
    expect(rows).toEqual([
      [1, huge],
      [2, 'short'],
    ]);
  });

  it('stays linear in the chunk size, also for one-column rows (no rescanning per row)', () => {
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i++) lines.push(i % 7 === 0 ? String.raw`\N` : String(i));
    const data = Buffer.from(lines.join('\n') + '\n');
    const started = performance.now();
    const { rows } = parseAll([K.Int], [data]);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(rows).toHaveLength(200_000);
    expect(rows[7]).toEqual([null]);
    expect(rows[8]).toEqual([8]);
  });

  it('rejects rows with the wrong number of fields, and data that stops inside a row', () => {
    expect(() => parseAll([K.Int, K.Int], [Buffer.from('1\t2\t3\n')])).toThrow(CopyFormatError);
    expect(() => parseAll([K.Int, K.Int, K.Int], [Buffer.from('1\t2\n')])).toThrow(CopyFormatError);
    expect(() => parseAll([K.Int], [Buffer.from('1\n2')])).toThrow(/ended inside a row/);
  });

  it('counts rows past keepAtMost without keeping them', () => {
    const { rows, parser } = parseAll([K.Int], [Buffer.from('1\n2\n3\n')], 2);
    expect(rows).toEqual([[1], [2]]);
    expect(parser.rowsSeen).toBe(3);
    expect(parser.rowsKept).toBe(2);
  });

  it('integers: exact numbers up to 2^53-1, BigInt beyond', () => {
    const lines = ['0', '-1', '9007199254740991', '-9007199254740991', '9007199254740992', '-9007199254740993', '9223372036854775807', '-9223372036854775808', '123456789012345'];
    const { rows } = parseAll([K.BigInt], [Buffer.from(lines.join('\n') + '\n')]);
    expect(rows.map((r) => r[0])).toEqual([0, -1, 9007199254740991, -9007199254740991, 9007199254740992n, -9007199254740993n, 9223372036854775807n, -9223372036854775808n, 123456789012345]);
  });

  it('strict UTF-8 mode (SQL_ASCII databases) refuses bytes that are not UTF-8', () => {
    const bad = Buffer.from([0x31, 0x09, 0x63, 0x61, 0x66, 0xe9, 0x0a]); // "1\tcaf\xe9\n"
    expect(() => new CopyTextParser([K.Int, K.Utf8], { strictUtf8: true }).push(bad)).toThrow(/not valid UTF-8/);
    const parser = new CopyTextParser([K.Int, K.Utf8], { strictUtf8: true });
    parser.push(Buffer.from('1\tcafé\n'));
    expect(parser.take()).toEqual([[1, 'café']]);
  });
});
