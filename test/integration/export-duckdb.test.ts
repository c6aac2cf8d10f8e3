// `snapbench export` read back by a real query engine: DuckDB (@duckdb/node-api)
// loads the Parquet files and must see, table by table, the snapshot's row
// counts, exact DECIMAL sums and distinct counts per column, and report-07's
// counts when the pack's rules are written as SQL over the Parquet files. Done
// on the demo snapshot and on real MariaDB / PostgreSQL pulls of the values
// that break exports: big and unsigned integers, DECIMAL(30,10) and (65,30),
// zero dates, infinity, emoji, bytes, JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { mariadbExec, psqlExec, startMariadb, startPostgres, type ThrowawayServer } from '../helpers/servers.ts';
import { parseJson, runCli, tempDir, writeFleet } from '../helpers/cli.ts';
import { addDecimals, formatDecimal, parseDecimal, type Decimal } from '../../shared/dq/decimal.ts';
import { piiKind, WHITE_SPACE_CODE_POINTS } from '../../shared/dq/definitions.ts';
import type { ExportManifest, ExportedFile } from '../../snapshots/export/export.ts';

let maria: ThrowawayServer;
let pg: ThrowawayServer;
let dir: string;
let duck: DuckDBConnection;
let demoFile: string;
let demoExport: ExportManifest;
let fidelityFile: string;
let fidelityExport: ExportManifest;

const MARIA_FIXTURE = `
SET NAMES utf8mb4;
CREATE DATABASE fidelity CHARACTER SET utf8mb4;
USE fidelity;
SET SESSION sql_mode = '';
SET SESSION time_zone = '+00:00';
CREATE TABLE types (
  id INT PRIMARY KEY, big BIGINT, ubig BIGINT UNSIGNED, dec_col DECIMAL(30,10), wide DECIMAL(65,30), money DECIMAL(12,2),
  dt DATETIME, ts TIMESTAMP NULL DEFAULT NULL, dte DATE, good_day DATE, j JSON, b BLOB, txt TEXT, flag BOOLEAN, f DOUBLE
);
INSERT INTO types VALUES
 (1, 9007199254740993, 18446744073709551615, 12345678901234567890.0123456789, 12345678901234567890123456789012345.123456789012345678901234567891, 0.10,
  '0000-00-00 00:00:00', '2024-01-01 08:00:00', '0000-00-00', '2024-02-29', '{"a": [1, 2.50, "中"], "n": 12345678901234567890}', X'00FF00', '中文 😀 tab\\t nl\\n', 1, 0.1),
 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (3, -9223372036854775808, 9223372036854775808, -0.0000000001, -1, 99999.99,
  '2024-02-29 23:59:59', '1970-01-01 00:00:01', '2024-02-29', '1000-01-01', '[]', X'', '', 0, -1.5e300),
 (4, 0, 0, 99999999999999999999.9999999999, 0, 0.01, '9999-12-31 23:59:59', '2038-01-19 03:14:07', '0000-00-00', '9999-12-31', 'null', X'5C', 'Ünïcödé 𝄞', NULL, 0);
`;

const PG_FIXTURE = `
CREATE TABLE fidelity (
  id int PRIMARY KEY, i8 bigint, n numeric, n30 numeric(30,10), ts timestamp, tstz timestamptz, d date, b bytea, jb jsonb, tx text, ok boolean
);
INSERT INTO fidelity VALUES
 (1, 9223372036854775807, 'NaN', 12345678901234567890.0123456789, '2024-02-29 23:59:59.999999', '2024-01-02 03:04:05.123456+02', 'infinity', '\\x00ff0041', '{"b": [1, 2], "a": null}', '中文 😀', true),
 (2, -9223372036854775808, -0.01, -0.0000000001, '0001-01-01 00:00:00', '1970-01-01 00:00:00+00', '2024-02-29', '\\x', '[]', '', false),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
`;

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

async function scalar(sql: string): Promise<unknown> {
  return Object.values((await rows(sql))[0]!)[0];
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function readManifestJson(out: string): ExportManifest {
  return JSON.parse(readFileSync(join(out, '_snapbench_export.json'), 'utf8')) as ExportManifest;
}

async function exportTo(file: string, out: string, format = 'parquet'): Promise<ExportManifest> {
  const result = await runCli(['export', file, '--format', format, '--out', out]);
  expect(result.code, result.stderr).toBe(0);
  return readManifestJson(out);
}

function parquet(out: string, file: ExportedFile): string {
  return `read_parquet(${sqlString(join(out, file.path))})`;
}

/** Exact sum of decimal text, as the snapshot holds it. */
function exactSum(values: unknown[], scale: number): string {
  let sum: Decimal = { units: 0n, scale };
  for (const v of values) if (v !== null) sum = addDecimals(sum, parseDecimal(String(v))!);
  return formatDecimal(sum);
}

/**
 * Per data table: the same row count, exact DECIMAL sums, and the same number
 * of distinct values in every column as the snapshot itself.
 */
async function checkRoundTrip(snapshotFile: string, out: string, manifest: ExportManifest): Promise<{ tables: number; columns: number; decimals: number }> {
  const db = new Database(snapshotFile, { readonly: true });
  db.defaultSafeIntegers(true);
  let columns = 0;
  let decimals = 0;
  try {
    const listed = db.prepare('SELECT table_name, rows FROM _snapbench_tables').all() as { table_name: string; rows: bigint }[];
    const data = manifest.files.filter((f) => f.kind !== 'catalog');
    expect(data.map((f) => f.table).sort()).toEqual(listed.map((t) => t.table_name).sort());
    for (const file of data) {
      const source = ident(file.table);
      const expectedRows = Number(listed.find((t) => t.table_name === file.table)!.rows);
      expect(file.rows, file.table).toBe(expectedRows);
      expect(Number(await scalar(`SELECT count(*) FROM ${parquet(out, file)}`)), file.table).toBe(expectedRows);
      const sqlColumns = db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).pluck().all(file.table) as string[];
      for (const [i, column] of file.columns.entries()) {
        const c = ident(column.name);
        const s = ident(sqlColumns[i]!);
        columns++;
        const distinctSnapshot = Number(db.prepare(`SELECT count(DISTINCT ${s}) FROM ${source}`).pluck().get());
        const distinctParquet = Number(await scalar(`SELECT count(DISTINCT ${c}) FROM ${parquet(out, file)}`));
        expect(distinctParquet, `${file.table}.${column.name} distinct`).toBe(distinctSnapshot);
        const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(column.exportType);
        if (decimal) {
          decimals++;
          const values = db.prepare(`SELECT ${s} FROM ${source}`).pluck().all();
          const expected = exactSum(values, Number(decimal[2]));
          const actual = (await scalar(`SELECT coalesce(sum(${c}), 0)::VARCHAR FROM ${parquet(out, file)}`)) as string;
          expect(formatDecimal(addDecimals({ units: 0n, scale: Number(decimal[2]) }, parseDecimal(actual)!)), `${file.table}.${column.name} sum`).toBe(expected);
        }
      }
    }
    return { tables: data.length, columns, decimals };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  [maria, pg] = await Promise.all([startMariadb(), startPostgres()]);
  dir = tempDir('snapbench-export-');
  duck = await (await DuckDBInstance.create(':memory:')).connect();
  await duck.run(`SET TimeZone = 'UTC'`);
  demoFile = join(dir, 'demo.snapbench');
  const demo = await runCli(['demo', '--scale', '0.01', '--out', demoFile]);
  expect(demo.code, demo.stderr).toBe(0);
  demoExport = await exportTo(demoFile, join(dir, 'demo-parquet'));

  await mariadbExec(maria, MARIA_FIXTURE);
  await psqlExec(pg, 'CREATE DATABASE fidelity');
  await psqlExec(pg, PG_FIXTURE, 'fidelity');
  const fleet = writeFleet(dir, [
    { name: 'maria', engine: 'mysql', host: maria.host, port: maria.port, user: 'root', databases: ['fidelity'] },
    { name: 'pg', engine: 'postgres', host: pg.host, port: pg.port, user: 'postgres', databases: ['fidelity'] },
  ]);
  fidelityFile = join(dir, 'fidelity.snapbench');
  const pulled = await runCli(['pull', '--fleet', fleet, '--out', fidelityFile]);
  expect(pulled.code, pulled.stderr).toBe(0);
  fidelityExport = await exportTo(fidelityFile, join(dir, 'fidelity-parquet'));
}, 180_000);

afterAll(async () => {
  duck?.closeSync();
  await Promise.all([maria?.stop(), pg?.stop()]);
});

describe('export of the demo snapshot, read by DuckDB', () => {
  it('writes one file per table at DIR/<instance>/<database>/<source_table>.parquet, the catalog, and _snapbench_export.json', async () => {
    const tables = parseJson<{ instance: string; database: string; table: string; rows: number }[]>(await runCli(['tables', demoFile, '--format', 'json']));
    const out = join(dir, 'demo-parquet');
    for (const t of tables) {
      const file = demoExport.files.find((f) => f.path === `${t.instance}/${t.database}/${t.table}.parquet`);
      expect(file, `${t.instance}/${t.database}/${t.table}`).toBeDefined();
      expect(file!.rows).toBe(t.rows);
      expect(existsSync(join(out, file!.path))).toBe(true);
    }
    const verify = await runCli(['verify', demoFile, '--format', 'json']);
    expect(demoExport.rootSha256).toBe(parseJson<{ rootSha256: string }>(verify).rootSha256);
    expect(demoExport.snapshot.rootSha256).toBe(demoExport.rootSha256);
    for (const f of demoExport.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(demoExport.files.filter((f) => f.kind === 'catalog').map((f) => f.path)).toEqual(
      expect.arrayContaining(['_snapbench/_snapbench_tables.parquet', '_snapbench/_snapbench_columns.parquet', '_snapbench/_snapbench_server_facts.parquet', '_snapbench/_snapbench_redis_patterns.parquet']),
    );
    expect(readdirSync(out).filter((name) => name.startsWith('.'))).toEqual([]);
    // The files are exactly those hashed.
    const { createHash } = await import('node:crypto');
    for (const f of demoExport.files.slice(0, 5)) expect(createHash('sha256').update(readFileSync(join(out, f.path))).digest('hex')).toBe(f.sha256);
  });

  it('gives per table the same rows, exact DECIMAL sums and distinct counts per column', async () => {
    const checked = await checkRoundTrip(demoFile, join(dir, 'demo-parquet'), demoExport);
    console.log(`export round trip (demo): ${checked.tables} tables, ${checked.columns} columns, ${checked.decimals} DECIMAL sums, all equal in DuckDB`);
    expect(checked.tables).toBeGreaterThan(30);
    expect(checked.decimals).toBeGreaterThan(0);
  });

  it("gives report-07's counts when its rules are run as SQL over the Parquet files", async () => {
    const out = join(dir, 'demo-parquet');
    const report = parseJson<{ results: { id: string; count: number | null; total: number | null; metrics: Record<string, unknown> }[] }>(
      await runCli(['dq', demoFile, '--format', 'json', '--no-store']),
    );
    const offline = Object.fromEntries(report.results.map((r) => [r.id, r]));
    const files = demoExport.files;
    const named = (table: string) => `read_parquet([${files.filter((f) => f.kind === 'table' && f.sourceTable === table).map((f) => sqlString(join(out, f.path))).join(', ')}])`;
    const catalog = (name: string) => `read_parquet(${sqlString(join(out, '_snapbench', `${name}.parquet`))})`;
    const emptyTables = async (database: string) => {
      const inDb = files.filter((f) => f.kind === 'table' && f.database === database);
      let empty = 0;
      for (const f of inDb) if (Number(await scalar(`SELECT count(*) FROM ${parquet(out, f)}`)) === 0) empty++;
      return { count: empty, total: inDb.length };
    };
    const count = async (sql: string) => Number(await scalar(sql));
    const lake: Record<string, { count: number; total?: number | null; metrics?: Record<string, unknown> }> = {};

    const tax = await emptyTables('luckyus_fi_tax');
    lake['DQ-001'] = { ...tax, metrics: { revenue: await scalar(`SELECT sum(pay_amount)::VARCHAR FROM ${named('t_order')} WHERE currency_code = 'USD'`) } };
    lake['DQ-002'] = { count: await count(`SELECT count(*) FROM ${named('t_order')} WHERE currency_code IS NULL OR currency_code <> 'USD'`), total: await count(`SELECT count(*) FROM ${named('t_order')}`) };
    lake['DQ-003'] = await emptyTables('luckyus_member_marketing');
    lake['DQ-004'] = { count: await count(`SELECT count(*) FROM ${named('t_commodity')} WHERE regexp_matches(commodity_name, '\\p{Han}')`) };
    const testShop = `regexp_matches(shop_name, '(?i)\\b(test|iqa\\d*)\\b')`;
    lake['DQ-005'] = {
      count: await count(`SELECT count(*) FROM ${named('t_shop_info')} WHERE ${testShop}`),
      metrics: { orders: await count(`SELECT count(*) FROM ${named('t_order')} WHERE shop_id IN (SELECT id FROM ${named('t_shop_info')} WHERE ${testShop})`) },
    };
    lake['DQ-006'] = { count: (await count(`SELECT count(*) FROM (DESCRIBE SELECT * FROM ${named('t_order')}) WHERE lower(column_name) LIKE '%address%'`)) === 0 ? 1 : 0 };
    const whiteSpace = WHITE_SPACE_CODE_POINTS.map((c) => `\\x{${c.toString(16)}}`).join('');
    lake['DQ-007'] = { count: await count(`SELECT count(*) FROM ${named('t_order')} WHERE shop_name IS NULL OR regexp_full_match(shop_name, '[${whiteSpace}]*')`) };
    const keys = `read_parquet([${files.filter((f) => f.kind === 'redis-keys').map((f) => sqlString(join(out, f.path))).join(', ')}])`;
    const contact = `(coalesce(key_name, pattern) GLOB 'CONTACT_day:*' OR coalesce(key_name, pattern) GLOB 'CONTACT_week:*' OR coalesce(key_name, pattern) GLOB 'CONTACT_month:*')`;
    lake['RDS-001'] = { count: await count(`SELECT count(*) FROM ${keys} WHERE ttl_ms = -1 AND ${contact}`), total: await count(`SELECT count(*) FROM ${keys} WHERE ${contact}`) };
    // RDS-002: used_memory over the allocation (the manifest's, else maxmemory, else the inventory fact), as the offline SQL computes it.
    const fact = (category: string, name: string) => `max(CASE WHEN f.category = '${category}' AND f.name = '${name}' THEN f.value END)`;
    const utilisation = await rows(`
      SELECT i.instance,
             coalesce(CAST(${fact('memory', 'used_memory')} AS DOUBLE) / CASE WHEN TRY_CAST(i.allocated_memory_mb AS DOUBLE) > 0 THEN round(TRY_CAST(i.allocated_memory_mb AS DOUBLE) * 1048576)
                        WHEN TRY_CAST(${fact('config', 'maxmemory')} AS BIGINT) > 0 THEN TRY_CAST(${fact('config', 'maxmemory')} AS BIGINT)
                        WHEN TRY_CAST(${fact('memory', 'maxmemory')} AS BIGINT) > 0 THEN TRY_CAST(${fact('memory', 'maxmemory')} AS BIGINT)
                        WHEN TRY_CAST(${fact('inventory', 'allocated_memory_bytes')} AS BIGINT) > 0 THEN TRY_CAST(${fact('inventory', 'allocated_memory_bytes')} AS BIGINT) END,
                      TRY_CAST(${fact('inventory', 'utilisation')} AS DOUBLE)) AS utilisation
      FROM ${catalog('_snapbench_instances')} AS i LEFT JOIN ${catalog('_snapbench_server_facts')} AS f ON f.instance = i.instance
      WHERE i.engine = 'redis' AND i.status = 'pulled' GROUP BY i.instance, i.allocated_memory_mb`);
    const known = utilisation.filter((r) => r.utilisation !== null);
    lake['RDS-002'] = { count: known.filter((r) => Number(r.utilisation) < 0.01).length, total: known.length };
    // SEC-001: the first 1000 rows of every text column, judged with the same definition of e-mail and phone.
    let piiColumns = 0;
    let examined = 0;
    for (const f of files.filter((f) => f.kind === 'table')) {
      for (const column of f.columns.filter((c) => c.storage === 'text')) {
        examined++;
        const values = (await rows(`SELECT ${ident(column.name)} AS v FROM ${parquet(out, f)} LIMIT 1000`)).map((r) => r.v);
        const nonBlank = values.filter((v) => typeof v === 'string' && !/^\p{White_Space}*$/u.test(v));
        const matched = nonBlank.filter((v) => piiKind(v, column.name) !== null).length;
        if (nonBlank.length > 0 && matched / nonBlank.length > 0.5) piiColumns++;
      }
    }
    lake['SEC-001'] = { count: piiColumns, total: examined };
    let secrets = 0;
    for (const f of files.filter((f) => f.kind === 'table')) {
      const text = f.columns.filter((c) => c.storage === 'text' || c.storage === 'json');
      if (text.length === 0) continue;
      secrets += await count(`SELECT ${text.map((c) => `count(*) FILTER (WHERE regexp_matches(${ident(c.name)}, 'sk-[A-Za-z0-9]{32,}'))`).join(' + ')} FROM ${parquet(out, f)}`);
    }
    lake['SEC-002'] = { count: secrets };

    for (const [id, found] of Object.entries(lake)) {
      expect(found.count, `${id} count`).toBe(offline[id]!.count);
      if (found.total !== undefined) expect(found.total, `${id} total`).toBe(offline[id]!.total);
      for (const [metric, value] of Object.entries(found.metrics ?? {})) expect(String(value), `${id} metrics.${metric}`).toBe(String(offline[id]!.metrics[metric]));
    }
    console.log(`report-07 over Parquet in DuckDB: ${Object.entries(lake).map(([id, r]) => `${id}=${r.count}`).join(' ')} (same as offline)`);
    expect(Object.keys(lake)).toHaveLength(11);
  });

  it('writes Arrow IPC files with the same rows and exact decimals', async () => {
    const out = join(dir, 'demo-arrow');
    const manifest = await exportTo(demoFile, out, 'arrow');
    const order = manifest.files.find((f) => f.sourceTable === 't_order')!;
    expect(order.path).toMatch(/luckyus_sales_order\/t_order\.arrow$/);
    const table = tableFromIPC(readFileSync(join(out, order.path)));
    expect(table.numRows).toBe(order.rows);
    expect(table.schema.fields.find((f) => f.name === 'pay_amount')!.type).toMatchObject({ precision: 12, scale: 2, bitWidth: 128 });
    const parquetOrder = demoExport.files.find((f) => f.sourceTable === 't_order')!;
    const sum = (await scalar(`SELECT sum(pay_amount)::VARCHAR FROM ${parquet(join(dir, 'demo-parquet'), parquetOrder)}`)) as string;
    // Arrow JS has no decimal arithmetic: add the 128-bit units of each value.
    const column = table.getChild('pay_amount')!;
    let units = 0n;
    for (const data of column.data) {
      const words = data.values as Uint32Array;
      for (let i = 0; i < data.length; i++) {
        if (!data.getValid(i)) continue;
        let v = 0n;
        for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(words[4 * i + w]!);
        if (v >= 1n << 127n) v -= 1n << 128n;
        units += v;
      }
    }
    expect(formatDecimal({ units, scale: 2 })).toBe(sum);
  });
});

describe('export of real MariaDB and PostgreSQL pulls: the values that break exports', () => {
  it('types every column as declared, and keeps zero dates, infinity and wide decimals as text with each value listed', async () => {
    const out = join(dir, 'fidelity-parquet');
    const maria = fidelityExport.files.find((f) => f.table === 'maria/fidelity/types')!;
    const types = Object.fromEntries((await rows(`DESCRIBE SELECT * FROM ${parquet(out, maria)}`)).map((r) => [r.column_name, r.column_type]));
    expect(types).toEqual({
      id: 'BIGINT', big: 'BIGINT', ubig: 'DECIMAL(20,0)', dec_col: 'DECIMAL(30,10)', wide: 'VARCHAR', money: 'DECIMAL(12,2)',
      dt: 'VARCHAR', ts: 'TIMESTAMP WITH TIME ZONE', dte: 'VARCHAR', good_day: 'DATE', j: 'VARCHAR', b: 'BLOB', txt: 'VARCHAR', flag: 'BIGINT', f: 'VARCHAR',
    });
    expect(maria.columns.find((c) => c.name === 'wide')!.note).toMatch(/wider than the 38 digits/);
    const kept = Object.fromEntries(maria.keptAsText.map((k) => [k.column, k.values]));
    expect(kept).toEqual({ dt: [{ value: '0000-00-00 00:00:00', rows: 1 }], dte: [{ value: '0000-00-00', rows: 2 }] });
    const values = await rows(`SELECT id, big::VARCHAR AS big, ubig::VARCHAR AS ubig, dec_col::VARCHAR AS dec_col, wide, ts::VARCHAR AS ts, good_day::VARCHAR AS good_day, dt, hex(b) AS b, txt, j FROM ${parquet(out, maria)} ORDER BY id`);
    expect(values[0]).toMatchObject({ big: '9007199254740993', ubig: '18446744073709551615', dec_col: '12345678901234567890.0123456789', ts: '2024-01-01 08:00:00+00', good_day: '2024-02-29', dt: '0000-00-00 00:00:00', b: '00FF00', txt: '中文 😀 tab\t nl\n' });
    expect(values[0]!.wide).toBe('12345678901234567890123456789012345.123456789012345678901234567891');
    expect(JSON.parse(String(values[0]!.j))).toEqual({ a: [1, 2.5, '中'], n: 12345678901234567890 });
    expect(values[2]).toMatchObject({ big: '-9223372036854775808', ubig: '9223372036854775808', dec_col: '-0.0000000001', good_day: '1000-01-01', b: '' });
    expect(values[3]).toMatchObject({ txt: 'Ünïcödé 𝄞', ts: '2038-01-19 03:14:07+00', good_day: '9999-12-31' });

    const postgres = fidelityExport.files.find((f) => f.table === 'pg/fidelity/public.fidelity')!;
    expect(postgres.path).toBe('pg/fidelity/public.fidelity.parquet');
    const pgTypes = Object.fromEntries((await rows(`DESCRIBE SELECT * FROM ${parquet(out, postgres)}`)).map((r) => [r.column_name, r.column_type]));
    expect(pgTypes).toMatchObject({ i8: 'BIGINT', n: 'VARCHAR', n30: 'DECIMAL(30,10)', ts: 'TIMESTAMP WITH TIME ZONE', tstz: 'TIMESTAMP WITH TIME ZONE', d: 'VARCHAR', b: 'BLOB', jb: 'VARCHAR', tx: 'VARCHAR', ok: 'BOOLEAN' });
    expect(Object.fromEntries(postgres.keptAsText.map((k) => [k.column, k.values]))).toEqual({ d: [{ value: 'infinity', rows: 1 }] });
    expect(postgres.columns.find((c) => c.name === 'jb')!.exportType).toBe('STRING(JSON)');
    const pgValues = await rows(`SELECT i8::VARCHAR AS i8, n, n30::VARCHAR AS n30, ts::VARCHAR AS ts, tstz::VARCHAR AS tstz, d, hex(b) AS b, tx, ok FROM ${parquet(out, postgres)} ORDER BY id`);
    expect(pgValues[0]).toEqual({ i8: '9223372036854775807', n: 'NaN', n30: '12345678901234567890.0123456789', ts: '2024-02-29 23:59:59.999999+00', tstz: '2024-01-02 01:04:05.123456+00', d: 'infinity', b: '00FF0041', tx: '中文 😀', ok: true });
    expect(pgValues[1]).toMatchObject({ ts: '0001-01-01 00:00:00+00', tstz: '1970-01-01 00:00:00+00', d: '2024-02-29', b: '' });
  });

  it('gives per table the same rows, exact DECIMAL sums and distinct counts per column', async () => {
    const checked = await checkRoundTrip(fidelityFile, join(dir, 'fidelity-parquet'), fidelityExport);
    console.log(`export round trip (MariaDB/PostgreSQL fidelity pull): ${checked.tables} tables, ${checked.columns} columns, ${checked.decimals} DECIMAL sums, all equal in DuckDB`);
    expect(checked.decimals).toBeGreaterThanOrEqual(4);
  });
});

describe('export refuses what it must not do', () => {
  it('never writes over its input, into a foreign directory, or from an altered snapshot', async () => {
    const onSnapshot = await runCli(['export', demoFile, '--out', demoFile]);
    expect(onSnapshot.code).not.toBe(0);
    expect(onSnapshot.stderr.trim().split('\n')).toHaveLength(1);
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    const refused = await runCli(['export', demoFile, '--out', foreign]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not empty and holds no earlier export/);
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
    const underFile = await runCli(['export', demoFile, '--out', join(foreign, 'notes.txt', 'x')]);
    expect(underFile.code).toBe(1);
    expect(underFile.stderr).toBe(`snapbench: --out ${join(foreign, 'notes.txt', 'x')}: a part of the path is a file, not a directory (give a new or empty directory where you can write)\n`);
    const nothing = await runCli(['export', demoFile, '--out', join(dir, 'none'), '--tables', 'no_such_table']);
    expect(nothing.stderr).toMatch(/--tables no_such_table: matches no table/);
    const altered = join(dir, 'altered.snapbench');
    copyFileSync(demoFile, altered);
    const db = new Database(altered);
    db.prepare(`UPDATE "aws-luckyus-salesorder-rw/luckyus_sales_order/t_order" SET currency_code = 'USD' WHERE currency_code = 'NZD'`).run();
    db.close();
    const tampered = await runCli(['export', altered, '--out', join(dir, 'tampered'), '--tables', 't_order']);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/t_order: its rows differ from the snapshot's manifest/);
    expect(existsSync(join(dir, 'tampered', '_snapbench_export.json'))).toBe(false);
  });

  it('--tables exports the chosen tables (and the catalog), replacing an earlier export', async () => {
    const out = join(dir, 'demo-parquet');
    const result = await runCli(['export', demoFile, '--out', out, '--tables', 't_order,luckyus_fi_tax.*']);
    expect(result.code, result.stderr).toBe(0);
    const manifest = readManifestJson(out);
    expect(manifest.files.filter((f) => f.kind !== 'catalog').map((f) => f.sourceTable).sort()).toEqual(['t_order', 't_tax_rate', 't_tax_record', 't_tax_remittance']);
    expect(existsSync(join(out, demoExport.files.find((f) => f.sourceTable === 't_commodity')!.path))).toBe(false);
    demoExport = manifest;
  });
});
