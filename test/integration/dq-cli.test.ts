// `snapbench dq` and `snapbench diff` through the real CLI: report formats,
// results stored in the snapshot (and verify still passing, and catching a
// tampered result), read-only files, bad packs, diffs between two snapshots,
// and the demo snapshot failing every rule of report-07 the report lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DqReport } from '../../shared/dq/results.ts';
import { buildSnapshot, type FixtureInstance } from '../helpers/dqFixture.ts';
import { parseJson, runCli, SNAPBENCH_BIN, tempDir, type CliResult } from '../helpers/cli.ts';

const SECRET = 'sk-' + 'Zx9'.repeat(12);
const ORDER_COLUMNS = [
  { name: 'id', type: 'bigint', primaryKey: true },
  { name: 'shop_id', type: 'int' },
  { name: 'shop_name', type: 'varchar(64)' },
  { name: 'currency_code', type: 'char(3)' },
  { name: 'pay_amount', type: 'decimal(12,2)' },
];

/** A small fleet shaped like the reference one; `later` is the same fleet some weeks on. */
function fleet(later: boolean): FixtureInstance[] {
  const orders: (string | number | null)[][] = [];
  const count = later ? 130 : 100;
  for (let i = 1; i <= count; i++) orders.push([i, (i % 4) + 1, i % 25 === 0 ? '\u3000' : 'Shop', i % 10 === 0 ? 'NZD' : 'USD', `${i}.10`]);
  const contact = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `CONTACT_day:${1000 + i}`, ttlMs: -1 }));
  return [
    {
      name: 'aws-luckyus-salesorder-rw',
      engine: 'mysql',
      version: '8.0.35',
      tables: [{ database: 'luckyus_sales_order', name: 't_order', columns: later ? [...ORDER_COLUMNS, { name: 'delivery_address', type: 'varchar(255)' }] : ORDER_COLUMNS, rows: later ? orders.map((r) => [...r, null]) : orders }],
    },
    {
      name: 'aws-luckyus-opshop-rw',
      engine: 'mysql',
      tables: [
        {
          database: 'luckyus_op_shop',
          name: 't_shop_info',
          columns: [
            { name: 'id', type: 'int', primaryKey: true },
            { name: 'shop_name', type: 'varchar(64)' },
          ],
          rows: [
            [1, 'Broadway'],
            [2, 'NJ Test Kitchen'],
            [3, 'Testament Ave'],
            [4, later ? 'Wall St' : 'IQA2 Store'],
          ],
        },
      ],
    },
    {
      name: 'aws-luckyus-fitax-rw',
      engine: 'mysql',
      tables: [{ database: 'luckyus_fi_tax', name: 't_tax_rate', columns: [{ name: 'id', type: 'int', primaryKey: true }], rows: later ? [[1]] : [] }],
    },
    {
      name: 'aws-luckyus-dify-rw',
      engine: 'postgres',
      version: '15.4',
      tables: later
        ? []
        : [{ database: 'dify', schema: 'public', name: 'provider_credentials', columns: [{ name: 'id', type: 'int', primaryKey: true }, { name: 'encrypted_config', type: 'text' }], rows: [[1, `{"key":"${SECRET}"}`]] }],
    },
    {
      name: 'luckyus-isales-market',
      engine: 'redis',
      version: '6.0.5',
      allocatedMemoryMb: 4905,
      facts: [{ category: 'memory', name: 'used_memory', value: '1000000' }],
      redis: [{ db: 0, keys: [...contact(later ? 45 : 30), { name: 'coupon:stock:1', ttlMs: 60_000 }] }],
    },
  ];
}

let dir: string;
let file: string;
let later: string;

function sqlite(path: string, sql: string): string {
  return execFileSync('sqlite3', [path, sql], { encoding: 'utf8' });
}

function sha256sum(path: string): string {
  return execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]!;
}

/** A copy of the snapshot, so tests that write results or tamper do not disturb each other. */
function copy(name: string, from = file): string {
  const path = join(dir, name);
  copyFileSync(from, path);
  return path;
}

beforeAll(async () => {
  dir = tempDir('snapbench-dq-cli-');
  file = join(dir, 'before.snapbench');
  later = join(dir, 'after.snapbench');
  await buildSnapshot(file, fleet(false), '2026-01-01T00:00:00.000Z');
  await buildSnapshot(later, fleet(true), '2026-02-01T00:00:00.000Z');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('snapbench dq', () => {
  it('prints the contract JSON and exits 0 whatever it finds', async () => {
    const path = copy('json.snapbench');
    const result = await runCli(['dq', path, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const report = parseJson<DqReport>(result);
    const root = sqlite(path, 'SELECT root_sha256 FROM _snapbench_manifest').trim();
    expect(Object.keys(report)).toEqual(['snapshot', 'pack', 'results']);
    expect(report.snapshot).toEqual({ file: path, createdAt: '2026-01-01T00:00:00.000Z', sha256: root });
    expect(report.pack).toBe('report-07');
    expect(report.results.map((r) => r.id)).toEqual(['DQ-001', 'DQ-002', 'DQ-003', 'DQ-004', 'DQ-005', 'DQ-006', 'DQ-007', 'RDS-001', 'RDS-002', 'RDS-003', 'SEC-001', 'SEC-002']);
    for (const r of report.results) expect(Object.keys(r)).toEqual(['id', 'title', 'severity', 'status', 'count', 'total', 'metrics', 'limited', 'evidence', 'evidenceQuery']);
    const byId = Object.fromEntries(report.results.map((r) => [r.id, r]));
    expect(byId['DQ-001']).toMatchObject({ status: 'fail', count: 1, total: 1, metrics: { revenue: '4509.00' } });
    expect(byId['DQ-002']).toMatchObject({ status: 'fail', count: 10, total: 100, severity: 'high', limited: false });
    expect(byId['DQ-002']!.evidence[0]).toEqual({ table: 'aws-luckyus-salesorder-rw/luckyus_sales_order/t_order', id: 10, currency_code: 'NZD' });
    expect(byId['DQ-003']).toMatchObject({ status: 'skipped', metrics: { reason: 'database luckyus_member_marketing is not in the snapshot' } });
    expect(byId['DQ-005']).toMatchObject({ status: 'fail', count: 2, metrics: { orders: 50 } });
    expect(byId['DQ-006']).toMatchObject({ status: 'warn', count: 1 });
    expect(byId['DQ-007']).toMatchObject({ status: 'fail', count: 4 });
    expect(byId['RDS-001']).toMatchObject({ status: 'fail', count: 30, total: 30 });
    expect(byId['RDS-002']).toMatchObject({ status: 'fail', count: 1, total: 1 });
    expect(byId['SEC-002']).toMatchObject({ status: 'fail', count: 1, evidence: [{ table: 'aws-luckyus-dify-rw/dify/public.provider_credentials', id: 1, column: 'encrypted_config', value: 'sk-Zx9Z…(39 chars)' }] });
    expect(result.stdout).not.toContain(SECRET);
  });

  it('keeps the results in the file, verify still passes, and history lists every run', async () => {
    const path = copy('stored.snapbench');
    const manifestBefore = sqlite(path, 'SELECT root_sha256 FROM _snapbench_manifest');
    const orderHash = sqlite(path, `SELECT count(*), sum(length(pay_amount)) FROM "aws-luckyus-salesorder-rw/luckyus_sales_order/t_order"`);
    expect((await runCli(['dq', path, '--format', 'json'])).code).toBe(0);
    expect((await runCli(['dq', path, '--format', 'csv'])).code).toBe(0);
    expect(sqlite(path, 'PRAGMA journal_mode').trim()).toBe('delete');
    expect(readdirSync(dir).filter((f) => f.endsWith('-journal') || f.endsWith('-wal'))).toEqual([]);
    expect(sqlite(path, 'SELECT root_sha256 FROM _snapbench_manifest')).toBe(manifestBefore);
    expect(sqlite(path, `SELECT count(*), sum(length(pay_amount)) FROM "aws-luckyus-salesorder-rw/luckyus_sales_order/t_order"`)).toBe(orderHash);
    const verify = await runCli(['verify', path]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/intact/);
    const history = parseJson<{ runId: number; pack: string; fail: number; warn: number; snapshotRootSha256: string }[]>(await runCli(['dq', 'history', path, '--format', 'json']));
    expect(history.map((h) => [h.runId, h.pack, h.fail, h.warn])).toEqual([
      [1, 'report-07', 8, 1],
      [2, 'report-07', 8, 1],
    ]);
    expect(history[0]!.snapshotRootSha256).toBe(manifestBefore.trim());
    const text = await runCli(['dq', 'history', path, '--rule', 'RDS-001']);
    expect(text.stdout).toMatch(/^run +finished +pack +fail +warn +pass( +error +skipped)? +RDS-001$/m);
    expect(text.stdout).toMatch(/^ +2 +\d{4}-\d\d-\d\d \d\d:\d\d UTC +report-07 +8 +1 +\d+( +\d+ +\d+)? +fail 30$/m);
    const stored = parseJson<{ rule_id: string; count: number }[]>(await runCli(['query', path, "SELECT rule_id, count FROM _snapbench_dq_results WHERE run_id = 2 AND rule_id = 'DQ-002'"]));
    expect(stored).toEqual([{ rule_id: 'DQ-002', count: 10 }]);
  });

  it.each([
    ['a result count', `UPDATE _snapbench_dq_results SET count = 0 WHERE rule_id = 'DQ-002'`, /DQ results of run 1: changed \(result rows differ from their hash\)/],
    ['a status', `UPDATE _snapbench_dq_results SET status = 'pass' WHERE rule_id = 'DQ-001'`, /DQ results of run 1: changed \(result rows differ from their hash; summary counts differ from the results\)/],
    ['a deleted result', `DELETE FROM _snapbench_dq_results WHERE rule_id = 'SEC-002'`, /DQ results of run 1: changed/],
    ['the run summary', `UPDATE _snapbench_dq_runs SET failed = 0`, /DQ results of run 1: changed \(summary counts differ from the results\)/],
    ['the pack', `UPDATE _snapbench_dq_runs SET pack_json = replace(pack_json, 'USD', 'NZD')`, /DQ results of run 1: changed \(pack differs from its hash\)/],
    ['an added column', `ALTER TABLE _snapbench_dq_results ADD COLUMN note TEXT`, /table "_snapbench_dq_results": not the DQ results layout/],
  ])('verify detects tampering with %s of a stored DQ run', async (_what, sql, expected) => {
    const path = copy(`tamper-${Math.random().toString(36).slice(2)}.snapbench`);
    expect((await runCli(['dq', path, '--format', 'json'])).code).toBe(0);
    sqlite(path, sql);
    const result = await runCli(['verify', path]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(expected);
  });

  it('lets an auditor check a stored run with only the sqlite3 shell and coreutils (snapshots/dq/README.md)', async () => {
    const path = copy('auditor.snapbench');
    expect((await runCli(['dq', path, '--format', 'json'])).code).toBe(0);
    const script = String.raw`
      F="$1"; RUN=1
      EXPR=$(sqlite3 "$F" "SELECT 'CAST(' || group_concat('substr(typeof(' || c || '),1,1)||'':''||coalesce(length(CAST(' || c || ' AS BLOB)),0)||'':''||coalesce(CAST(' || c || ' AS BLOB),X'''')', '||'',''||') || ' AS BLOB)' FROM (SELECT '\"' || name || '\"' AS c FROM pragma_table_info('_snapbench_dq_results') ORDER BY cid)")
      sqlite3 "$F" "SELECT hex($EXPR) || '0A' FROM _snapbench_dq_results WHERE run_id = $RUN ORDER BY rowid" | tr -d '\n' | basenc --base16 -d | sha256sum | cut -d' ' -f1
      sqlite3 "$F" "SELECT results_sha256 FROM _snapbench_dq_runs WHERE run_id = $RUN"
      sqlite3 "$F" "SELECT hex(pack_json) FROM _snapbench_dq_runs WHERE run_id = $RUN" | tr -d '\n' | basenc --base16 -d | sha256sum | cut -d' ' -f1
      sqlite3 "$F" "SELECT pack_sha256 FROM _snapbench_dq_runs WHERE run_id = $RUN"
      sqlite3 "$F" "SELECT snapshot_root_sha256 = (SELECT root_sha256 FROM _snapbench_manifest) FROM _snapbench_dq_runs WHERE run_id = $RUN"`;
    const [results, recorded, pack, packRecorded, sameSnapshot] = execFileSync('bash', ['-c', script, '_', path], { encoding: 'utf8' }).trim().split('\n');
    expect(results).toMatch(/^[0-9a-f]{64}$/);
    expect(results).toBe(recorded);
    expect(pack).toBe(packRecorded);
    expect(sameSnapshot).toBe('1');
  });

  it('writes CSV, one row per result', async () => {
    const result = await runCli(['dq', file, '--format', 'csv', '--no-store']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('id,title,severity,status,count,total,limited,metrics,evidence_rows,evidence,evidence_query');
    expect(lines).toHaveLength(13);
    expect(lines[2]).toMatch(/^DQ-002,NZD test orders mixed into production,high,fail,10,100,false,/);
  });

  it('writes a self-contained HTML report for an auditor', async () => {
    const out = join(dir, 'report.html');
    const result = await runCli(['dq', file, '--out', out, '--no-store']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/wrote .*report\.html: 8 fail, 1 warn/);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|src=|url\(|https?:\/\//i);
    for (const id of ['DQ-001', 'RDS-001', 'SEC-002']) expect(html).toContain(`id="rule-${id}"`);
    expect(html).toContain('rows of t_order whose currency_code is NULL or not exactly');
    expect(html).toContain(sqlite(file, 'SELECT root_sha256 FROM _snapbench_manifest').trim());
    expect(html).toContain('dq-fixture');
    expect(html).toContain('aws-luckyus-salesorder-rw');
    expect(html).not.toContain(SECRET);
  });

  it('--no-store leaves the file byte-identical', async () => {
    const before = sha256sum(file);
    expect((await runCli(['dq', file, '--format', 'json', '--no-store'])).code).toBe(0);
    expect(sha256sum(file)).toBe(before);
  });

  it('reports on a file it may not write, with a one-line warning, and leaves it unchanged', async () => {
    const path = copy('readonly.snapbench');
    chmodSync(dir, 0o755);
    chmodSync(path, 0o444);
    const before = sha256sum(path);
    // As an unprivileged user: root could write a 0444 file anyway.
    const result = await new Promise<CliResult>((resolve, reject) => {
      const child = spawn(process.execPath, [SNAPBENCH_BIN, 'dq', path, '--format', 'json'], { uid: 65534, gid: 65534, env: { ...process.env, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson<DqReport>(result).results).toHaveLength(12);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^snapbench dq: warning: results were not stored in the snapshot \(.*read-only\); the report is complete$/)]);
    expect(sha256sum(path)).toBe(before);
  });

  it('runs a custom pack; a bad pack or a missing file is a one-line error per problem', async () => {
    const pack = join(dir, 'pack.yaml');
    writeFileSync(
      pack,
      `pack: mine
rules:
  - id: BIG-ORDERS
    title: Orders above 100 dollars
    severity: info
    check: condition
    table: t_order
    where: CAST(pay_amount AS REAL) > 100
    warn: count > 0
`,
    );
    const ok = parseJson<DqReport>(await runCli(['dq', file, '--pack', pack, '--format', 'json', '--no-store']));
    expect(ok.pack).toBe('mine');
    expect(ok.results).toEqual([expect.objectContaining({ id: 'BIG-ORDERS', status: 'warn', count: 1, total: 100 })]);

    writeFileSync(pack, 'pack: mine\nrules:\n  - id: X-1\n    title: x\n    severity: severe\n    check: allowed_values\n    table: t_order\n    values: USD\n');
    const bad = await runCli(['dq', file, '--pack', pack, '--format', 'json']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toEqual([
      `snapbench: pack ${pack}: rule X-1 field "severity": must be one of critical, high, medium, low, info, not the text "severe"`,
      `snapbench: pack ${pack}: rule X-1 field "column": is required`,
      `snapbench: pack ${pack}: rule X-1 field "values": must be a list, not the text "USD"`,
    ]);
    writeFileSync(pack, 'pack: [unclosed\n');
    expect((await runCli(['dq', file, '--pack', pack])).stderr).toMatch(/^snapbench: pack .*pack\.yaml line \d+: invalid YAML: .*\n$/);
    const missing = await runCli(['dq', join(dir, 'nope.snapbench'), '--format', 'json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^snapbench: .*nope\.snapbench: no such file \(check the path, .*\)\n$/);
  });

  it('--fail-on makes findings a non-zero exit for CI, after printing the report', async () => {
    const result = await runCli(['dq', file, '--format', 'json', '--no-store', '--fail-on', 'fail']);
    expect(result.code).toBe(4);
    expect(parseJson<DqReport>(result).results).toHaveLength(12);
    expect(result.stderr).toMatch(/^snapbench: dq: 8 rules at or above --fail-on fail: DQ-001 fail, DQ-002 fail/);
  });

  it('lists the full offending set of a rule with `dq evidence`', async () => {
    const rows = parseJson<{ table: string; id: number; shop_name: string }[]>(await runCli(['dq', 'evidence', file, 'DQ-005']));
    expect(rows.map((r) => r.shop_name)).toEqual(['NJ Test Kitchen', 'IQA2 Store']);
    const plain = parseJson<DqReport>(await runCli(['dq', file, '--format', 'json', '--no-store'])).results.find((r) => r.id === 'DQ-002')!;
    const viaQuery = parseJson<unknown[]>(await runCli(['query', file, plain.evidenceQuery!]));
    expect(viaQuery).toHaveLength(10);
  });
});

describe('snapbench diff', () => {
  it('reports schema, row-count and finding changes between two snapshots', async () => {
    const a = copy('diff-a.snapbench');
    expect((await runCli(['dq', a, '--format', 'json'])).code).toBe(0); // A has a stored run, B has none
    const result = await runCli(['diff', a, later, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const diff = parseJson<{
      schema: Record<string, { table: string; column?: string }[]>;
      rowCounts: { table: string; before: number; after: number; change: number }[];
      findings: { a: { source: string; runId: number | null }; b: { source: string }; new: { id: string }[]; fixed: { id: string }[]; changed: { id: string; countChange: number; note: string }[] };
    }>(result);
    expect(diff.schema.tablesRemoved).toEqual([{ table: 'aws-luckyus-dify-rw/dify/public.provider_credentials', rows: 1 }]);
    expect(diff.schema.columnsAdded).toEqual([{ table: 'aws-luckyus-salesorder-rw/luckyus_sales_order/t_order', column: 'delivery_address', type: 'varchar(255) (text)' }]);
    expect(diff.rowCounts).toEqual([
      { table: 'aws-luckyus-fitax-rw/luckyus_fi_tax/t_tax_rate', before: 0, after: 1, change: 1, limited: false },
      { table: 'aws-luckyus-salesorder-rw/luckyus_sales_order/t_order', before: 100, after: 130, change: 30, limited: false },
      { table: 'luckyus-isales-market/db0/keys', before: 31, after: 46, change: 15, limited: false },
    ]);
    expect(diff.findings.a).toMatchObject({ source: 'stored', runId: 1 });
    expect(diff.findings.b).toMatchObject({ source: 'computed' });
    expect(diff.findings.new).toEqual([]);
    expect(diff.findings.fixed.map((f) => f.id)).toEqual(['DQ-001', 'DQ-006', 'SEC-002']);
    expect(diff.findings.changed.map((f) => [f.id, f.countChange])).toEqual([
      ['DQ-002', 3],
      ['DQ-005', -1],
      ['DQ-007', 1],
      ['RDS-001', 15],
    ]);
    expect(diff.findings.changed[3]!.note).toBe('fail, count 30 → 45 (+15)');
    const text = await runCli(['diff', a, later]);
    expect(text.stdout).toMatch(/changed RDS-001 Marketing counters without TTL: fail, count 30 → 45 \(\+15\)/);
    expect(text.stdout).toMatch(/aws-luckyus-salesorder-rw\/luckyus_sales_order\/t_order: 100 → 130 \(\+30\)/);
    expect(text.stdout).toMatch(/\+ column aws-luckyus-salesorder-rw\/luckyus_sales_order\/t_order\.delivery_address/);
  });
});

describe('the demo snapshot', () => {
  const fleetCommand = new URL('../../snapshots/cli/commands/fleet.ts', import.meta.url);
  it.skipIf(!existsSync(fleetCommand))('fails every report-07 rule the report lists as a problem, with the planted counts', async () => {
    const demo = join(dir, 'demo.snapbench');
    const written = await runCli(['demo', '--out', demo, '--format', 'json']);
    expect(written.code, written.stderr).toBe(0);
    const planted = parseJson<{ rules: Record<string, { count: number; total?: number; metrics?: Record<string, string | number> }> }>(written).rules;
    const result = await runCli(['dq', demo, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const report = parseJson<DqReport>(result);
    for (const r of report.results) {
      expect(r.status, r.id).toBe(r.id === 'DQ-006' ? 'warn' : 'fail');
      expect(r.count, r.id).toBe(planted[r.id]!.count);
      if (planted[r.id]!.total !== undefined && !['SEC-001'].includes(r.id)) expect(r.total, r.id).toBe(planted[r.id]!.total);
      for (const [name, value] of Object.entries(planted[r.id]!.metrics ?? {})) if (name in r.metrics) expect(r.metrics[name], `${r.id} ${name}`).toBe(value);
      expect(r.limited).toBe(false);
    }
    expect((await runCli(['verify', demo])).code).toBe(0);
  });
});
