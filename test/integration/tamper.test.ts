// A received file is hostile until verified. Each attack of issue 9 (and a
// generated set of single-value and single-object changes) is applied to a
// signed shared copy of the demo, with the stock sqlite3 shell as an attacker
// would; `verify --trust` must fail naming the object, and so must the
// sqlite3-only script, while the untouched copy passes both. Files that hold
// code (triggers, views, generated columns, SQL after a CREATE) are refused
// with one line by every command before anything runs, and nothing appears
// outside the output path. Statements that never end are stopped by their
// time limit, and `serve` exits on one SIGTERM while one runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { ROW_ENCODING_DESCRIPTION, rootHash, tableContentHash } from '../../snapshots/file/hash.ts';
import { dqResultsHash } from '../../snapshots/file/verify.ts';
import { dataTableDdl, recordSchema } from '../../snapshots/file/objects.ts';
import { LEGACY_META_DDL, REQUIRED_META_TABLES } from '../../snapshots/file/schema.ts';
import { runCli, tempDir, type CliResult } from '../helpers/cli.ts';
import { startServe } from '../e2e/harness.ts';
import { makeSignedDemo } from '../helpers/signedDemo.ts';

const T_ORDER = 'aws-luckyus-salesorder-rw/luckyus_sales_order/t_order';
const SCRIPT = join(import.meta.dirname, '../../snapshots/file/verify-with-sqlite3.sh');
const RUNAWAY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

let dir: string;
let signed: string;
let pub: string;
let env: Record<string, string>;
let counter = 0;

/** Runs SQL on a file with the stock sqlite3 shell; writable_schema edits need its unsafe (non-defensive) default. */
function attack(sql: string, from = signed): string {
  const path = join(dir, `attacked-${++counter}.snapbench`);
  copyFileSync(from, path);
  execFileSync('sqlite3', [path, sql], { encoding: 'utf8' });
  return path;
}

function sqlite(path: string, sql: string): string {
  return execFileSync('sqlite3', ['-readonly', path, sql], { encoding: 'utf8' }).trim();
}

function verifyScript(path: string): { status: number | null; stdout: string } {
  const result = spawnSync('bash', [SCRIPT, path, pub], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout + result.stderr };
}

function oneLine(result: CliResult): string {
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

beforeAll(async () => {
  dir = tempDir('snapbench-tamper-');
  ({ signed, pub, env } = await makeSignedDemo(dir));
}, 180_000);

afterAll(() => {
  // Left for inspection on failure would fill /tmp; the directory is small and removed.
  execFileSync('rm', ['-rf', dir]);
});

describe('the untouched signed copy', () => {
  it('passes verify --trust and the sqlite3-only script', async () => {
    const result = await runCli(['verify', signed, '--trust', pub]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/intact/);
    const script = verifyScript(signed);
    expect(script.status, script.stdout).toBe(0);
    expect(script.stdout).toMatch(/schema: ok \(as recorded in the manifest\)/);
    expect(script.stdout).toMatch(/integrity_check: ok/);
  });
});

describe.concurrent('issue 9 attacks: verify --trust fails naming the object, and so does the sqlite3 script', () => {
  const table = JSON.stringify(T_ORDER);
  const cases: { name: string; sql: string; names: RegExp; script: RegExp }[] = [
    {
      name: 'a renamed column and a generated column in its place',
      sql: `ALTER TABLE "${T_ORDER}" RENAME COLUMN pay_amount TO pay_amount_orig;
            ALTER TABLE "${T_ORDER}" ADD COLUMN pay_amount TEXT GENERATED ALWAYS AS (printf('%.2f', CAST(pay_amount_orig AS REAL) * 10)) VIRTUAL;`,
      names: new RegExp(`table ${escape(table)}: has generated column "pay_amount"`),
      script: /t_order": (CHANGED|columns CHANGED)/,
    },
    {
      name: 'two column names swapped',
      sql: `ALTER TABLE "${T_ORDER}" RENAME COLUMN pay_amount TO tmp_x; ALTER TABLE "${T_ORDER}" RENAME COLUMN total_amount TO pay_amount;
            ALTER TABLE "${T_ORDER}" RENAME COLUMN tmp_x TO total_amount;`,
      names: new RegExp(`table ${escape(table)}: columns reordered`),
      script: /t_order": (CHANGED|columns CHANGED)/,
    },
    {
      name: 'an expression index rewritten with writable_schema',
      sql: `CREATE INDEX amount_ix ON "${T_ORDER}"(CAST(pay_amount AS REAL)); PRAGMA writable_schema = ON;
            UPDATE sqlite_master SET sql = replace(sql, 'CAST(pay_amount AS REAL)', 'CAST(pay_amount AS REAL) * 10') WHERE name = 'amount_ix';`,
      names: /index "amount_ix": added after the snapshot was made/,
      script: /index "amount_ix": ADDED/,
    },
    {
      name: 'an extra index',
      sql: `CREATE INDEX shop_ix ON "${T_ORDER}"(shop_id);`,
      names: /index "shop_ix": added/,
      script: /index "shop_ix": ADDED/,
    },
    {
      name: 'tables whose names a LIKE wildcard would hide',
      sql: `CREATE TABLE sqliteXsecret(a); CREATE TABLE SQLITE1_orders(a);`,
      names: /table "sqliteXsecret": added.*table "SQLITE1_orders": added|table "SQLITE1_orders": added.*table "sqliteXsecret": added/s,
      script: /table "sqliteXsecret": ADDED/,
    },
    {
      name: 'SQL after the CREATE TABLE (ATTACH planted with writable_schema)',
      sql: `PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = sql || '; ATTACH DATABASE ''${'PWNED'}'' AS p; CREATE TABLE p.t(a)' WHERE name = '${T_ORDER}';`,
      names: new RegExp(`table ${escape(table)}: its definition \\(SQL text\\) differs`),
      script: /t_order": CHANGED/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const path = attack(c.sql.replace('PWNED', join(dir, 'pwned.db')));
      const result = await runCli(['verify', path, '--trust', pub]);
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stdout + result.stderr).toMatch(c.names);
      const script = verifyScript(path);
      expect(script.status, script.stdout).toBe(1);
      expect(script.stdout).toMatch(c.script);
    });
  }
});

describe('generated single-value and single-object changes', () => {
  it('each one fails verify --trust naming the table or object; the script agrees on a sample', async () => {
    // Tables with rows (a value can change), spread over data and catalog tables, picked deterministically.
    const tables = JSON.parse(sqlite(signed, "SELECT json_group_array(key) FROM json_each((SELECT body FROM _snapbench_manifest), '$.hashes') WHERE json_extract(value, '$.rows') > 0")) as string[];
    const picks = tables.filter((_, i) => i % Math.max(1, Math.floor(tables.length / 4)) === 0).slice(0, 4);
    const changes: { path: string; expect: RegExp }[] = [];
    for (const t of picks) {
      const q = `"${t.replaceAll('"', '""')}"`;
      const first = sqlite(signed, `SELECT name FROM pragma_table_info('${t.replaceAll("'", "''")}') ORDER BY cid LIMIT 1`);
      const c = `"${first.replaceAll('"', '""')}"`;
      // One byte of one value: the first row's first column gets one character more (NULL becomes 'x').
      changes.push({ path: attack(`UPDATE ${q} SET ${c} = coalesce(CAST(${c} AS TEXT), '') || 'x' WHERE rowid = (SELECT min(rowid) FROM ${q})`), expect: new RegExp(`${escape(JSON.stringify(t))}: content changed`) });
      changes.push({ path: attack(`ALTER TABLE ${q} ADD COLUMN extra TEXT`), expect: new RegExp(`table ${escape(JSON.stringify(t))}: column added`) });
    }
    changes.push({ path: attack(`ALTER TABLE "${T_ORDER}" RENAME TO t_order_renamed`), expect: /t_order_renamed": added.*|t_order": missing/ });
    changes.push({ path: attack(`DELETE FROM _snapbench_signatures`), expect: /./ });
    const results = await Promise.all(changes.slice(0, -1).map((change) => runCli(['verify', change.path, '--trust', pub])));
    results.forEach((result, i) => {
      expect(result.code, `${changes[i]!.path}: ${result.stdout}`).toBe(2);
      expect(result.stdout + result.stderr).toMatch(changes[i]!.expect);
    });
    // Removing the signature leaves an intact but untrusted file.
    expect((await runCli(['verify', changes.at(-1)!.path, '--trust', pub])).code).toBe(5);
    for (const change of [changes[0]!, changes[1]!, changes.at(-2)!]) expect(verifyScript(change.path).status).toBe(1);
  }, 240_000);
});

describe('commands that read summaries warn when the manifest no longer matches its root hash', () => {
  it('diff, series, scenario --snapshot and dq history say NOT INTACT on stderr, once per changed file', async () => {
    const path = attack(`UPDATE _snapbench_manifest SET body = replace(body, '"createdBy":"', '"createdBy":"eve-')`);
    const runs: [string, string[]][] = [
      ['diff', ['diff', signed, path, '--format', 'json']],
      ['series', ['series', signed, path, '--format', 'json']],
      ['scenario', ['scenario', '--snapshot', path, '--format', 'json']],
      ['dq', ['dq', 'history', path]],
    ];
    const results = await Promise.all(runs.map(([, args]) => runCli(args, { env })));
    results.forEach((result, i) => {
      const [name] = runs[i]!;
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      const warnings = result.stderr.split('\n').filter((line) => /NOT INTACT/.test(line));
      expect(warnings, name).toHaveLength(1);
      expect(warnings[0]).toMatch(new RegExp(`^snapbench ${name}: warning: .*attacked-\\d+\\.snapbench: NOT INTACT: its manifest was changed`));
    });
    // The untouched file: no warning.
    expect((await runCli(['diff', signed, signed, '--format', 'json'])).stderr).not.toMatch(/NOT INTACT/);
  });
});

describe('a file re-hashed by someone without the key, with values of a type Snapbench never writes', () => {
  /** Runs SQL on a copy, then recomputes every hash, the schema record and the root, as an attacker without the key can. */
  function rehashed(sql: string, from = signed): string {
    const path = join(dir, `rehashed-${++counter}.snapbench`);
    copyFileSync(from, path);
    const db = new Database(path);
    db.exec(sql);
    const manifest = JSON.parse((db.prepare('SELECT body FROM _snapbench_manifest').get() as { body: string }).body) as { hashes: Record<string, object>; schema?: unknown };
    for (const table of Object.keys(manifest.hashes)) manifest.hashes[table] = { ...manifest.hashes[table], ...tableContentHash(db, table) };
    manifest.schema = recordSchema(db);
    const body = JSON.stringify(manifest);
    db.prepare('UPDATE _snapbench_manifest SET body = ?, root_sha256 = ?').run(body, rootHash(body));
    const runs = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = '_snapbench_dq_runs'`).get() ? (db.prepare('SELECT run_id FROM _snapbench_dq_runs').pluck().all() as number[]) : [];
    for (const id of runs) {
      const pack = db.prepare('SELECT pack_json FROM _snapbench_dq_runs WHERE run_id = ?').pluck().get(id) as string;
      db.prepare('UPDATE _snapbench_dq_runs SET results_sha256 = ?, pack_sha256 = ?, snapshot_root_sha256 = ? WHERE run_id = ?').run(dqResultsHash(db, id), createHash('sha256').update(pack).digest('hex'), rootHash(body), id);
    }
    db.close();
    return path;
  }

  it('a BLOB where a name belongs, text where a count belongs: every reading command refuses with one line naming the column', async () => {
    const path = rehashed(`UPDATE _snapbench_tables SET database = x'00ff' WHERE rowid = 3; UPDATE _snapbench_tables SET rows = 'many' WHERE rowid = 4;`);
    expect((await runCli(['verify', path])).code).toBe(0); // intact as re-hashed: only --trust can tell
    expect((await runCli(['verify', path, '--trust', pub])).code).toBe(5);
    const out = join(dir, `export-${counter}`);
    const runs = [['tables', path], ['query', path, 'SELECT 1'], ['dq', path, '--format', 'json', '--no-store'], ['series', path, '--format', 'json'], ['export', path, '--format', 'parquet', '--out', out], ['diff', signed, path, '--format', 'json']];
    const results = await Promise.all(runs.map((args) => runCli(args, { env })));
    results.forEach((result, i) => {
      expect(result.code, `${runs[i]![0]}: ${result.stderr}`).toBe(1);
      expect(oneLine(result), runs[i]![0]).toMatch(/refused: table "_snapbench_tables", column "database": holds a blob value \(row 3\) where Snapbench writes text/);
    });
  });

  it('stored DQ results whose JSON is not JSON: one clear line from dq history, dq evidence, series and diff', async () => {
    const base = join(dir, `dq-json-${++counter}.snapbench`);
    copyFileSync(signed, base);
    expect((await runCli(['dq', base, '--format', 'json'], { env })).code).toBe(0);
    const path = rehashed(`UPDATE _snapbench_dq_results SET metrics = 'not json' WHERE ordinal = 1`, base);
    expect((await runCli(['verify', path])).code).toBe(0);
    const rule = sqlite(path, 'SELECT rule_id FROM _snapbench_dq_results WHERE ordinal = 1');
    const runs = [['dq', 'history', path, '--rule', rule], ['dq', 'evidence', path, rule], ['series', path, '--format', 'json'], ['diff', signed, path, '--format', 'json']];
    const results = await Promise.all(runs.map((args) => runCli(args, { env })));
    results.forEach((result, i) => {
      expect(result.code, `${runs[i]!.join(' ')}: ${result.stderr}`).toBe(1);
      expect(result.stderr).not.toMatch(/Unexpected token|--debug/);
      expect(result.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`stored DQ run 1, rule ${rule}: its metrics are not JSON: the run was changed after dq stored it`));
    });
  });
});

describe('stored DQ results are not covered by the signature, and verify says so', () => {
  it('a run rewritten consistently passes its own hashes but verify --trust says no signature covers it; a careless edit is named by dq history', async () => {
    const path = join(dir, 'dq-forged.snapbench');
    copyFileSync(signed, path);
    expect((await runCli(['dq', path, '--format', 'json'], { env })).code).toBe(0);
    // Every failure turned into a pass, the run's counts and results hash recomputed with the published row encoding.
    const db = new Database(path);
    db.exec(`UPDATE _snapbench_dq_results SET status = 'pass', count = 0 WHERE status = 'fail'; UPDATE _snapbench_dq_runs SET passed = passed + failed, failed = 0`);
    db.prepare('UPDATE _snapbench_dq_runs SET results_sha256 = ? WHERE run_id = 1').run(dqResultsHash(db, 1));
    db.close();
    const verified = await runCli(['verify', path, '--trust', pub]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout.replace(/\n\s+/g, ' ')).toMatch(/1 stored DQ run added after the snapshot was made: consistent, but covered by neither the root hash nor a signature/);
    const json = JSON.parse((await runCli(['verify', path, '--format', 'json'])).stdout) as { dqRuns: number };
    expect(json.dqRuns).toBe(1);
    // A careless edit (the counts alone): verify fails and dq history warns.
    execFileSync('sqlite3', [path, 'UPDATE _snapbench_dq_runs SET failed = 3']);
    expect((await runCli(['verify', path])).code).toBe(2);
    const history = await runCli(['dq', 'history', path]);
    expect(history.code).toBe(0);
    expect(oneLine(history)).toMatch(/warning: .*DQ results of run 1: changed \(summary counts differ from the results\); do not rely on it/);
  });
});

describe('files made before the schema was recorded', () => {
  /**
   * A snapshot as Snapbench wrote them before the manifest recorded the schema:
   * the catalog of LEGACY_META_DDL, data tables as the writer created them, no
   * `schema` in the manifest, and a table with a source column named `rowid`
   * hashed (as the old writer's SQL fallback did) in that column's order.
   */
  function legacy(): string {
    const path = join(dir, `legacy-${++counter}.snapbench`);
    const db = new Database(path);
    db.exec(LEGACY_META_DDL);
    const table = 'maria/shop/t_order';
    const columns = [
      { name: 'id', sqlColumn: 'id', storage: 'integer' as const, declaredType: 'bigint(20)' },
      { name: 'pay_amount', sqlColumn: 'pay_amount', storage: 'decimal' as const, declaredType: 'decimal(12,2)' },
      { name: 'rowid', sqlColumn: 'rowid', storage: 'integer' as const, declaredType: 'int(11)' },
    ];
    db.exec(dataTableDdl(table, columns));
    const insert = db.prepare(`INSERT INTO "${table}" VALUES (?, ?, ?)`);
    for (let i = 1; i <= 20; i++) insert.run(i, `${i}.25`, 100 - i);
    db.prepare(`INSERT INTO _snapbench_instances (instance, engine, status, tables, rows, limited_tables) VALUES ('maria', 'mysql', 'pulled', 1, 20, 0)`).run();
    db.prepare(`INSERT INTO _snapbench_tables (sql_name, table_name, instance, engine, database, source_table, kind, rows, limited) VALUES (?, ?, 'maria', 'mysql', 'shop', 't_order', 'table', 20, 0)`).run(`"${table}"`, table);
    columns.forEach((c, i) =>
      db.prepare(`INSERT INTO _snapbench_columns (table_name, ordinal, column_name, sql_column, declared_type, storage, nullable) VALUES (?, ?, ?, ?, ?, ?, 1)`).run(table, i + 1, c.name, c.sqlColumn, c.declaredType, c.storage),
    );
    const hashes: Record<string, unknown> = {};
    for (const t of [table, ...REQUIRED_META_TABLES]) hashes[t] = { sqlName: `"${t}"`, ...tableContentHash(db, t, { legacyOrder: true }) };
    const body = JSON.stringify({ format: 'snapbench-snapshot', formatVersion: 1, tool: { name: 'snapbench', version: '0.1.0' }, createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'old', createdOnHost: 'old', synthetic: true, fleet: { name: null, file: null, sha256: null, instances: 1 }, options: { maxRows: null, only: null, concurrency: 1 }, keyHashing: { algorithm: 'hmac-sha256/16', keySource: 'random-per-snapshot' }, instances: [], hashes, rowEncoding: ROW_ENCODING_DESCRIPTION, complete: true });
    db.prepare(`INSERT INTO _snapbench_manifest (body, root_sha256) VALUES (?, ?)`).run(body, rootHash(body));
    db.close();
    return path;
  }

  it('verify against a schema rebuilt from the catalog, in the app and in the script (a rowid column hashed in its old order too)', async () => {
    const path = legacy();
    const result = await runCli(['verify', path]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/schema as rebuilt from the catalog/);
    const script = spawnSync('bash', [SCRIPT, path], { encoding: 'utf8' });
    expect(script.status, script.stdout + script.stderr).toBe(0);
    expect(script.stdout).toMatch(/schema: ok \(rebuilt from the catalog/);
    expect(script.stdout).toMatch(/tables: (\d+) of \1 hashes match/);
  });

  it('still name a renamed column and an added table', async () => {
    const path = attack(`ALTER TABLE "maria/shop/t_order" RENAME COLUMN pay_amount TO pay_amount_x; CREATE TABLE sqliteXsecret(a);`, legacy());
    const result = await runCli(['verify', path]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/column renamed: "pay_amount" → "pay_amount_x"/);
    expect(result.stdout).toMatch(/table "sqliteXsecret": added/);
    const script = spawnSync('bash', [SCRIPT, path], { encoding: 'utf8' });
    expect(script.status).toBe(1);
    expect(script.stdout).toMatch(/t_order": CHANGED/);
    expect(script.stdout).toMatch(/table "sqliteXsecret": ADDED/);
  });
});

describe('files holding code are refused by every command, with one line, before anything runs', () => {
  const planted: { name: string; sql: string; what: RegExp }[] = [
    { name: 'a trigger on the DQ results', sql: `CREATE TABLE IF NOT EXISTS _snapbench_dq_results(run_id); CREATE TRIGGER t AFTER INSERT ON _snapbench_dq_results BEGIN DELETE FROM "${T_ORDER}"; END;`, what: /trigger "t"/ },
    { name: 'a view over an endless CTE in place of the catalog', sql: `ALTER TABLE _snapbench_tables RENAME TO tables_orig; CREATE VIEW _snapbench_tables AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT t.* FROM tables_orig t, c;`, what: /view "_snapbench_tables"/ },
    { name: 'a generated column calling the app\'s regex function', sql: `ALTER TABLE "${T_ORDER}" ADD COLUMN boom INTEGER GENERATED ALWAYS AS (dq_regexp(shop_name || 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', '(a+)+$')) VIRTUAL;`, what: /generated column "boom"/ },
    { name: 'ATTACH planted after a CREATE TABLE', sql: `PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = sql || '; ATTACH DATABASE ''PWNED'' AS p; CREATE TABLE p.t(a); INSERT INTO p.t VALUES (1)' WHERE name = '${T_ORDER}';`, what: /t_order": its definition/ },
  ];
  for (const p of planted) {
    it(p.name, async () => {
      const before = readdirSync(dir).sort();
      const path = attack(p.sql.replace('PWNED', join(dir, 'pwned.db')));
      const bytes = readFileSync(path);
      const out = join(dir, `out-${counter}.snapbench`);
      const runs: [string, string[]][] = [
        ['tables', ['tables', path, '--format', 'json']],
        ['query', ['query', path, `SELECT count(*) FROM "${T_ORDER}"`]],
        ['dq', ['dq', path, '--format', 'json']],
        ['share', ['share', path, '--out', out, '--fresh-key']],
      ];
      const started = Date.now();
      const results = await Promise.all(runs.map(([, args]) => runCli(args, { env, timeoutMs: 60_000 })));
      results.forEach((result, i) => {
        const name = runs[i]![0];
        expect(result.code, `${name}: ${result.stderr}`).toBe(1);
        const line = oneLine(result);
        expect(line, name).toMatch(/refused/);
        expect(line, name).toMatch(p.what);
      });
      expect(Date.now() - started).toBeLessThan(30_000);
      // Nothing was created beside the file, nothing was written to it, and the planted rows are intact.
      expect(readdirSync(dir).sort()).toEqual([...before, path.split('/').at(-1)!].sort());
      expect(readFileSync(path).equals(bytes)).toBe(true);
    }, 120_000);
  }

  it("serve's snapshot/open refuses them too", async () => {
    const path = attack(planted[1]!.sql);
    const serve = await startServe([], { ...env, SNAPBENCH_CONFIG_DIR: join(dir, 'config-serve') });
    try {
      const url = new URL(serve.url);
      const reply = await post(Number(url.port), url.searchParams.get('token')!, 'snapshot/open', { path });
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.json.error.message).toMatch(/refused.*view "_snapbench_tables"/);
    } finally {
      await serve.stop();
    }
  }, 120_000);
});

describe('nothing runs forever', () => {
  it('a runaway query stops at its time limit with a clear line', async () => {
    const started = Date.now();
    const result = await runCli(['query', signed, RUNAWAY, '--timeout', '1']);
    // Ended by its watchdog (SIGKILL: a statement inside SQLite cannot be stopped otherwise), after one line on stderr.
    expect(result.signal).toBe('SIGKILL');
    expect(oneLine(result)).toMatch(/^snapbench: query: the query stopped after 1 s \(the statement time limit\).*--timeout SECONDS/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a runaway rule in a pack fails alone at its time limit: the others run, the run is stored and the file still verifies', async () => {
    const path = join(dir, 'dq-hang.snapbench');
    copyFileSync(signed, path);
    const normal = `  - { id: NZD, title: not USD, severity: high, check: allowed_values, table: t_order, column: currency_code, values: [USD] }
  - { id: SHOPS, title: shops, severity: low, check: row_count, table: t_shop_info, fail: count = 0 }
`;
    // One rule never ends in its own query, the other in the t_order scan it shares with NZD.
    const hanging = `  - { id: HANG-SQL, title: never ends, severity: low, check: sql, query: "${RUNAWAY}" }
  - { id: HANG-SCAN, title: never ends either, severity: low, check: condition, table: t_order, where: "id IN (${RUNAWAY.replace('count(*)', 'x')} WHERE x < 0)" }
`;
    const pack = join(dir, 'hang.yaml');
    const plain = join(dir, 'plain.yaml');
    writeFileSync(pack, `pack: hang\nrules:\n${hanging}${normal}`);
    writeFileSync(plain, `pack: plain\nrules:\n${normal}`);
    const [result, expected] = await Promise.all([
      runCli(['dq', path, '--pack', pack, '--format', 'json', '--timeout', '1']),
      runCli(['dq', signed, '--pack', plain, '--format', 'json', '--no-store']),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const results = JSON.parse(result.stdout).results as { id: string; status: string; count: number | null; total: number | null; metrics: { error?: string } }[];
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(results.map((r) => r.id)).toEqual(['HANG-SQL', 'HANG-SCAN', 'NZD', 'SHOPS']);
    expect(byId['HANG-SQL']).toMatchObject({ status: 'error', count: null, metrics: { error: 'rule HANG-SQL stopped after 1 s (the statement time limit)' } });
    expect(byId['HANG-SCAN']).toMatchObject({ status: 'error', metrics: { error: `the scan of ${T_ORDER} for rule HANG-SCAN stopped after 1 s (the statement time limit)` } });
    // The others found exactly what they find in a pack without the runaway rules.
    for (const r of JSON.parse(expected.stdout).results as { id: string; status: string; count: number; total: number | null }[]) {
      expect({ status: byId[r.id]!.status, count: byId[r.id]!.count, total: byId[r.id]!.total }, r.id).toEqual({ status: r.status, count: r.count, total: r.total });
    }
    expect(byId['NZD']!.status).toBe('fail');
    // Each stopped rule is named on stderr, once.
    expect(result.stderr.match(/stopped after 1 s/g)).toHaveLength(2);
    expect(result.stderr).toMatch(/rule HANG-SQL is an error; the other rules run/);
    const history = JSON.parse((await runCli(['dq', 'history', path, '--format', 'json'])).stdout) as { pack: string; error: number; fail: number; pass: number }[];
    expect(history).toMatchObject([{ pack: 'hang', error: 2, fail: 1, pass: 1 }]);
    const verified = await runCli(['verify', path, '--trust', pub]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    // No worker process is left behind.
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('dqWorker.js') && l.includes(process.env.SNAPBENCH_BUILD_DIR ?? 'dist'))).toEqual([]);
  }, 60_000);

  it('an index expression made slow with writable_schema does not hold up verify (no integrity_check on a foreign schema)', async () => {
    // integrity_check evaluates the expression for every row: 300 MB per row (it took 40 s for the first 100 rows).
    const path = attack(`CREATE INDEX evil ON "${T_ORDER}"(length(printf('%.*c', 10, 'x'))); PRAGMA writable_schema = ON;
              UPDATE sqlite_master SET sql = replace(sql, '10', '300000000') WHERE name = 'evil';`);
    const started = Date.now();
    const result = await runCli(['verify', path, '--trust', pub, '--format', 'json'], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(2);
    const report = JSON.parse(result.stdout) as { integrityCheck: string; problems: string[] };
    expect(report.integrityCheck).toBe('skipped');
    expect(report.problems).toEqual(['index "evil": added after the snapshot was made']);
    const script = verifyScript(path);
    expect(script.status).toBe(1);
    expect(script.stdout).toMatch(/integrity_check: skipped \(the schema is not Snapbench's\)/);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 120_000);

  it("a pack regex that backtracks in JavaScript runs in linear time (RE2)", async () => {
    const started = Date.now();
    const result = await runCli(['query', signed, `SELECT dq_regexp('${'a'.repeat(41)}!', '(a+)+$', '') AS m`, '--timeout', '10']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([{ m: 0 }]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('serve stops a runaway console statement at its limit, and exits on one SIGTERM while one runs', async () => {
    const serve = await startServe([signed, '--timeout', '1'], { ...env, SNAPBENCH_CONFIG_DIR: join(dir, 'config-hang') });
    let pid = serve.pid;
    try {
      const url = new URL(serve.url);
      const port = Number(url.port);
      const token = url.searchParams.get('token')!;
      const opened = await post(port, token, 'snapshot/open', { path: signed });
      const snapshotId = opened.json.value.id;
      const stopped = await post(port, token, 'sql/run', { snapshotId, sql: RUNAWAY });
      expect(stopped.json.ok).toBe(false);
      expect(stopped.json.error.message).toMatch(/stopped after 1 s/);
      // A pack sent to the workbench: its runaway rule fails alone, the other rule runs.
      const packYaml = `pack: hang\nrules:\n  - { id: HANG, title: never ends, severity: low, check: sql, query: "${RUNAWAY}" }\n  - { id: SHOPS, title: shops, severity: low, check: row_count, table: t_shop_info, fail: count = 0 }\n`;
      const dq = await post(port, token, 'dq/run', { snapshotId, packYaml, store: false });
      expect(dq.json.ok, JSON.stringify(dq.json.error)).toBe(true);
      const results = dq.json.value.results as { id: string; status: string; count: number | null; metrics: { error?: string } }[];
      expect(results.map((r) => [r.id, r.status])).toEqual([
        ['HANG', 'error'],
        ['SHOPS', 'pass'],
      ]);
      expect(results[0]!.metrics.error).toBe('rule HANG stopped after 1 s (the statement time limit)');
      expect(results[1]!.count).toBeGreaterThan(0);
    } finally {
      await serve.stop();
    }
    const longer = await startServe([signed, '--timeout', '600'], { ...env, SNAPBENCH_CONFIG_DIR: join(dir, 'config-hang2') });
    pid = longer.pid;
    const url = new URL(longer.url);
    const port = Number(url.port);
    const token = url.searchParams.get('token')!;
    const opened = await post(port, token, 'snapshot/open', { path: signed });
    void post(port, token, 'sql/run', { snapshotId: opened.json.value.id, sql: RUNAWAY }).catch(() => {});
    // Wait until the statement runs in a worker process of serve.
    const deadline = Date.now() + 20_000;
    while (children(pid).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    const workers = children(pid);
    expect(workers.length).toBeGreaterThan(0);
    const exited = new Promise<number>((resolve) => {
      const started = Date.now();
      const poll = setInterval(() => {
        try {
          process.kill(pid, 0);
        } catch {
          clearInterval(poll);
          resolve(Date.now() - started);
        }
      }, 50);
    });
    process.kill(pid, 'SIGTERM');
    expect(await exited).toBeLessThan(6_000);
    // Its workers ended with it: none keeps a core busy (gone, or a zombie nobody has reaped yet).
    await new Promise((r) => setTimeout(r, 300));
    for (const worker of workers) expect(alive(worker), `worker ${worker}`).toBe(false);
  }, 120_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True while a process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function children(pid: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout;
  return out.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
}

interface Reply {
  status: number;
  json: { ok: boolean; value: { id: string; results?: unknown }; error: { message: string } };
}

function post(port: number, token: string, channel: string, body: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: `/api/call/${channel}`, method: 'POST', headers: { Host: `127.0.0.1:${port}`, 'Content-Type': 'application/json', 'X-Snapbench-Token': token } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Reply['json'] }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

