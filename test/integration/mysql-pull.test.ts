// Pulls a real MariaDB server through the CLI and checks, value by value, that
// nothing changed on the way: big integers, decimals, zero dates, JSON, bytes,
// BIT, ENUM/SET, utf8mb4 text and odd identifiers. Also the read-only proof from
// the server's own general log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mariadbExec, startMariadb, type ThrowawayServer } from '../helpers/servers.ts';
import { parseJson, runCli, tempDir, writeFleet } from '../helpers/cli.ts';
import { pullWithBothDecoders } from '../helpers/decoderEquivalence.ts';

let server: ThrowawayServer;
let dir: string;
let file: string;
let pullResult: Awaited<ReturnType<typeof runCli>>;

const FIXTURE = `
SET NAMES utf8mb4;
CREATE DATABASE fidelity CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE fidelity;
SET SESSION sql_mode = '';
SET SESSION time_zone = '+08:00';
CREATE TABLE types (
  id INT PRIMARY KEY,
  big BIGINT, ubig BIGINT UNSIGNED, dec_col DECIMAL(30,10), money DECIMAL(12,2),
  f FLOAT, d DOUBLE, dt DATETIME, ts TIMESTAMP NULL DEFAULT NULL, dte DATE, tm TIME, yr YEAR,
  j JSON, b BLOB, vb VARBINARY(16), bt BIT(10), bt64 BIT(64), e ENUM('a','b c'), s SET('x','y','z'),
  u UUID, txt TEXT, ch CHAR(3), tiny TINYINT, flag BOOLEAN, latin VARCHAR(20) CHARACTER SET latin1
) ENGINE=InnoDB;
INSERT INTO types VALUES
 (1, 9007199254740993, 18446744073709551615, 12345678901234567890.0123456789, 0.10,
  0.1, 0.1, '0000-00-00 00:00:00', '2024-01-01 08:00:00', '0000-00-00', '-838:59:59', 2024,
  '{"a": [1, 2.50, "中"]}', X'00FF00', X'', b'1010101010', b'1111111111111111111111111111111111111111111111111111111111111111', 'b c', 'x,z',
  '123e4567-e89b-12d3-a456-426614174000', '中文 😀 tab\\t nl\\n quote'' bs\\\\', 'abc', -128, 1, 'caf\\xe9'),
 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (3, -9223372036854775808, 9223372036854775808, -0.0000000001, 99999.99,
  -1.5e38, 1.7976931348623157e308, '2024-02-29 23:59:59', '1970-01-01 08:00:01', '2024-02-29', '00:00:00', 1901,
  '[]', X'', X'00', b'0', b'0', 'a', '', '00000000-0000-0000-0000-000000000000', '', '', 127, 0, '');
UPDATE types SET latin = CONCAT('caf', CHAR(233 USING latin1)) WHERE id = 1;
CREATE TABLE \`select\` (\`from\` INT PRIMARY KEY, \`where\` VARCHAR(10));
INSERT INTO \`select\` VALUES (1, 'x');
CREATE TABLE \`order items\` (id INT PRIMARY KEY, \`Weird "col"\` VARCHAR(10), \`back\`\`tick\` INT);
INSERT INTO \`order items\` VALUES (1, 'q', 2);
CREATE TABLE \`we"ird\` (id INT);
INSERT INTO \`we"ird\` VALUES (7);
CREATE TABLE Dup (id INT);
CREATE TABLE dup (id INT);
INSERT INTO Dup VALUES (1);
INSERT INTO dup VALUES (2), (3);
CREATE TABLE empty_table (id BIGINT PRIMARY KEY, name VARCHAR(10));
CREATE TABLE big_table (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(20), KEY idx_v (v));
INSERT INTO big_table (v) SELECT CONCAT('row-', seq) FROM seq_1_to_20000;
CREATE TABLE wide (id INT PRIMARY KEY, body LONGTEXT, bin LONGBLOB);
INSERT INTO wide SELECT seq, REPEAT(CONCAT('行', seq), 1000000), REPEAT(X'00FF', 1500000) FROM seq_1_to_3;
CREATE TABLE legacy (id INT PRIMARY KEY, note VARCHAR(10)) ENGINE=MyISAM;
INSERT INTO legacy VALUES (1, 'old');
CREATE DATABASE other;
CREATE TABLE other.t (id INT);
INSERT INTO other.t VALUES (1);
CREATE USER 'reader'@'%' IDENTIFIED BY 'reader-secret-pw';
GRANT SELECT, SHOW VIEW ON *.* TO 'reader'@'%';
`;

function query<T = Record<string, unknown>>(sql: string) {
  return runCli(['query', file, sql, '--format', 'json']).then((r) => {
    expect(r.code, r.stderr).toBe(0);
    return parseJson<T[]>(r);
  });
}

beforeAll(async () => {
  server = await startMariadb({ generalLog: true });
  await mariadbExec(server, FIXTURE);
  dir = tempDir();
  file = join(dir, 'fleet.snapbench');
  const fleet = writeFleet(dir, [
    { name: 'maria', engine: 'mysql', host: server.host, port: server.port, user: 'reader', password_env: 'MARIA_PW', databases: ['fidelity'] },
  ]);
  pullResult = await runCli(['pull', '--fleet', fleet, '--out', file], { env: { MARIA_PW: 'reader-secret-pw' } });
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('MySQL/MariaDB pull', () => {
  it('pulls every table of the listed database and exits 0', () => {
    expect(pullResult.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(pullResult.code, pullResult.stderr).toBe(0);
  });

  it('lists tables with sqlNames that paste into a query', async () => {
    const result = await runCli(['tables', file, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const tables = parseJson<{ instance: string; engine: string; database: string; table: string; rows: number; sqlName: string }[]>(result);
    const byTable = new Map(tables.map((t) => [t.table, t]));
    expect([...byTable.keys()].sort()).toEqual(['Dup', 'big_table', 'dup', 'empty_table', 'legacy', 'order items', 'select', 'types', 'we"ird', 'wide'].sort());
    expect(byTable.get('big_table')).toMatchObject({ instance: 'maria', engine: 'mysql', database: 'fidelity', rows: 20000 });
    expect(byTable.get('empty_table')!.rows).toBe(0);
    for (const t of tables) {
      const [row] = await query<{ n: number }>(`SELECT count(*) AS n FROM ${t.sqlName}`);
      expect(row!.n, t.sqlName).toBe(t.rows);
    }
    expect(byTable.get('Dup')!.sqlName).not.toBe(byTable.get('dup')!.sqlName);
  });

  it('keeps integers beyond 2^53, unsigned BIGINT and exact decimals', async () => {
    const rows = await query(`SELECT id, big, ubig, dec_col, money, typeof(big) AS tb, typeof(dec_col) AS td FROM "maria/fidelity/types" ORDER BY id`);
    expect(rows[0]).toMatchObject({ id: 1, big: '9007199254740993', ubig: '18446744073709551615', dec_col: '12345678901234567890.0123456789', money: '0.10', tb: 'integer', td: 'text' });
    expect(rows[1]).toMatchObject({ id: 2, big: null, ubig: null, dec_col: null, money: null });
    expect(rows[2]).toMatchObject({ big: '-9223372036854775808', ubig: '9223372036854775808', dec_col: '-0.0000000001', money: '99999.99' });
  });

  it('keeps zero dates, UTC timestamps, TIME and YEAR as the server printed them', async () => {
    const rows = await query(`SELECT dt, ts, dte, tm, yr FROM "maria/fidelity/types" ORDER BY id`);
    expect(rows[0]).toEqual({ dt: '0000-00-00 00:00:00', ts: '2024-01-01 00:00:00', dte: '0000-00-00', tm: '-838:59:59', yr: 2024 });
    expect(rows[2]).toEqual({ dt: '2024-02-29 23:59:59', ts: '1970-01-01 00:00:01', dte: '2024-02-29', tm: '00:00:00', yr: 1901 });
  });

  it('keeps floats, JSON, bytes, BIT, ENUM/SET, uuid and utf8mb4 text', async () => {
    const rows = await query(`SELECT f, d, j, hex(b) AS b, hex(vb) AS vb, typeof(vb) AS tvb, bt, bt64, e, s, u, txt, ch, tiny, flag, latin FROM "maria/fidelity/types" ORDER BY id`);
    expect(rows[0]).toEqual({
      f: '0.1', d: '0.1', j: '{"a": [1, 2.50, "中"]}', b: '00FF00', vb: '', tvb: 'blob', bt: 682, bt64: '18446744073709551615', e: 'b c', s: 'x,z',
      u: '123e4567-e89b-12d3-a456-426614174000', txt: "中文 😀 tab\t nl\n quote' bs\\", ch: 'abc', tiny: -128, flag: 1, latin: 'café',
    });
    expect(rows[2]).toMatchObject({ f: '-1.5e38', d: '1.7976931348623157e308', bt: 0, bt64: 0, s: '', txt: '', vb: '00' });
    const [blob] = await query(`SELECT b FROM "maria/fidelity/types" WHERE id = 1`);
    expect(blob).toEqual({ b: { $base64: true, encoded: Buffer.from([0, 255, 0]).toString('base64') } });
  });

  it('keeps multi-megabyte text and blobs whole', async () => {
    const rows = await query(`SELECT id, length(body) AS chars, length(CAST(body AS BLOB)) AS bytes, length(bin) AS bin, hex(substr(bin, 1, 2)) AS head FROM "maria/fidelity/wide" ORDER BY id`);
    expect(rows).toEqual([1, 2, 3].map((id) => ({ id, chars: 2_000_000, bytes: 4_000_000, bin: 3_000_000, head: '00FF' })));
  });

  it('reads tables with reserved and odd names', async () => {
    expect(await query(`SELECT "from", "where" FROM "maria/fidelity/select"`)).toEqual([{ from: 1, where: 'x' }]);
    expect(await query(`SELECT "Weird ""col""" AS w, "back\`tick" AS b FROM "maria/fidelity/order items"`)).toEqual([{ w: 'q', b: 2 }]);
    expect(await query(`SELECT id FROM "maria/fidelity/we""ird"`)).toEqual([{ id: 7 }]);
  });

  it('records the catalog: declared types, primary keys, indexes, estimates', async () => {
    const columns = await query(
      `SELECT column_name, declared_type, storage, primary_key_ordinal FROM _snapbench_columns WHERE table_name = 'maria/fidelity/types' ORDER BY ordinal`,
    );
    expect(columns[0]).toEqual({ column_name: 'id', declared_type: 'int(11)', storage: 'integer', primary_key_ordinal: 1 });
    expect(columns.find((c) => c.column_name === 'ubig')).toMatchObject({ declared_type: 'bigint(20) unsigned', storage: 'integer' });
    expect(columns.find((c) => c.column_name === 'dec_col')).toMatchObject({ declared_type: 'decimal(30,10)', storage: 'decimal' });
    const indexes = await query(`SELECT index_name, is_unique, columns FROM _snapbench_indexes WHERE table_name = 'maria/fidelity/big_table' ORDER BY index_name`);
    expect(indexes).toEqual([
      { index_name: 'PRIMARY', is_unique: 1, columns: '["id"]' },
      { index_name: 'idx_v', is_unique: 0, columns: '["v"]' },
    ]);
    const [table] = await query(`SELECT estimated_rows, data_bytes, engine_table_type FROM _snapbench_tables WHERE table_name = 'maria/fidelity/big_table'`);
    expect(table!.engine_table_type).toBe('InnoDB');
    expect(Number(table!.data_bytes)).toBeGreaterThan(0);
    expect(Number(table!.estimated_rows)).toBeGreaterThan(1000);
  });

  it('records server facts and an honest consistency note for the MyISAM table', async () => {
    const facts = await query(`SELECT category, name, value FROM _snapbench_server_facts WHERE instance = 'maria'`);
    const fact = (category: string, name: string) => facts.find((f) => f.category === category && f.name === name)?.value;
    expect(Number(fact('status', 'Uptime'))).toBeGreaterThanOrEqual(0);
    expect(fact('status', 'Questions')).toBeDefined();
    expect(fact('status', 'Threads_connected')).toBeDefined();
    expect(fact('variable', 'version')).toMatch(/MariaDB/);
    expect(fact('variable', 'innodb_buffer_pool_size')).toBeDefined();
    const [instance] = await query(`SELECT status, consistency, consistency_note, version FROM _snapbench_instances WHERE instance = 'maria'`);
    expect(instance).toMatchObject({ status: 'pulled', consistency: 'best-effort' });
    expect(String(instance!.consistency_note)).toMatch(/MyISAM/);
    expect(String(instance!.version)).toMatch(/MariaDB/);
  });

  it('sent nothing but reads: the general log shows a read-only snapshot transaction and no write', () => {
    const log = readFileSync(server.logFile, 'utf8');
    const readerLines = log.split('\n').filter((line) => / Query\t/.test(line));
    // Our session's statements: those after the reader's Connect.
    const connectId = /(\d+) Connect\treader@/.exec(log)?.[1];
    expect(connectId).toBeDefined();
    const ours = readerLines.filter((line) => new RegExp(`\\s${connectId} Query\\t`).test(line)).map((line) => line.split(" Query\t")[1]!.trim());
    expect(ours.length).toBeGreaterThan(10);
    expect(ours).toContain('SET SESSION TRANSACTION READ ONLY');
    expect(ours).toContain('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    const writes = ours.filter((sql) => /^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|TRUNCATE|RENAME|GRANT|REVOKE|LOAD|LOCK|CALL|HANDLER|FLUSH|OPTIMIZE|ANALYZE|REPAIR|KILL)\b/i.test(sql));
    expect(writes).toEqual([]);
    expect(ours.filter((sql) => /^SELECT/i.test(sql)).length).toBeGreaterThan(5);
  });

  it('never writes the password into the snapshot', () => {
    expect(readFileSync(file).includes(Buffer.from('reader-secret-pw'))).toBe(false);
  });

  it('limits rows with --max-rows and records the limit', async () => {
    const limitedFile = join(dir, 'limited.snapbench');
    const fleet = writeFleet(dir, [{ name: 'maria', engine: 'mysql', host: server.host, port: server.port, user: 'root', databases: ['fidelity'] }], 'root.yaml');
    const result = await runCli(['pull', '--fleet', fleet, '--out', limitedFile, '--max-rows', '100']);
    expect(result.code, result.stderr).toBe(0);
    const tables = parseJson<{ table: string; rows: number }[]>(await runCli(['tables', limitedFile, '--format', 'json']));
    expect(tables.find((t) => t.table === 'big_table')!.rows).toBe(100);
    const limited = parseJson<{ limited: number; table_name: string }[]>(
      await runCli(['query', limitedFile, `SELECT table_name, limited FROM _snapbench_tables WHERE limited = 1`]),
    );
    expect(limited.map((t) => t.table_name)).toEqual(['maria/fidelity/big_table']);
    const manifest = parseJson<{ body: string }[]>(await runCli(['query', limitedFile, 'SELECT body FROM _snapbench_manifest']));
    expect(JSON.parse(manifest[0]!.body).options.maxRows).toBe(100);
  });

  it('stores the same bytes whether its wire encoder or mysql2 decoded the rows', async () => {
    const fleet = writeFleet(dir, [{ name: 'maria', engine: 'mysql', host: server.host, port: server.port, user: 'root', databases: ['fidelity'] }], 'decoders.yaml');
    const { hashes, verified } = await pullWithBothDecoders(dir, fleet);
    expect(hashes.size).toBeGreaterThanOrEqual(10);
    for (const [table, [wire, driver]] of hashes) expect(wire, table).toBe(driver);
    expect(verified).toEqual([0, 0]);
  });

  it('pulls every user database when the manifest lists none', async () => {
    const allFile = join(dir, 'all.snapbench');
    const fleet = writeFleet(dir, [{ name: 'maria', engine: 'mysql', host: server.host, port: server.port, user: 'root' }], 'all.yaml');
    const result = await runCli(['pull', '--fleet', fleet, '--out', allFile]);
    expect(result.code, result.stderr).toBe(0);
    const tables = parseJson<{ database: string }[]>(await runCli(['tables', allFile, '--format', 'json']));
    expect(new Set(tables.map((t) => t.database))).toEqual(new Set(['fidelity', 'other']));
  });
});
