// Benchmark: `snapbench dq` (report-07) against the same checks written as
// plain SQL for the stock sqlite3 shell, on the same snapshot, in one run.
//
//   node --import tsx bench/dq.ts [FILE] [--repeat N] [--scale X]     (npm run bench runs it after bench/run.ts)
//
// Without FILE it writes the demo snapshot (`snapbench demo --scale X`, default
// 1 = the report's 487K orders) into a temp directory first. Prints the best
// wall-clock time of each side over N runs (alternating, so both see the same
// page cache), the ratio, and the engine's own time (from --timings). Also the
// same pack given as a file (`dq pack` > report-07.yaml, `dq --pack` it): the
// path a pack someone wrote takes, in child processes that stop a runaway rule
// alone (snapshots/dq/guarded.ts), so the cost of that guard shows.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { TEST_NAME_PATTERN } from '../shared/dq/definitions.ts';
import { loadCatalog } from '../snapshots/dq/catalog.ts';
import { blankSql, hanSql, quoteIdentifier, sqlString } from '../snapshots/dq/sql.ts';
import { SNAPBENCH_BIN } from '../test/helpers/cli.ts';

const BIN = SNAPBENCH_BIN;

/** report-07 as the SQL an analyst would type into the sqlite3 shell: one statement per question. */
export function baselineSql(file: string): string {
  const db = new Database(file, { readonly: true });
  const catalog = loadCatalog(db);
  db.close();
  const tables = catalog.tables.filter((t) => t.kind === 'table');
  const named = (name: string) => tables.filter((t) => t.sourceTable === name).map((t) => t.sqlName);
  const [order] = named('t_order');
  const [shop] = named('t_shop_info');
  const [commodity] = named('t_commodity');
  const statements: string[] = [];
  for (const t of tables.filter((t) => t.database === 'luckyus_fi_tax' || t.database === 'luckyus_member_marketing')) statements.push(`SELECT count(*) FROM ${t.sqlName}`);
  const testShops = `SELECT id FROM ${shop} WHERE lower(shop_name) REGEXP ${sqlString(TEST_NAME_PATTERN)}`;
  statements.push(
    `SELECT sum(pay_amount) FROM ${order} WHERE currency_code = 'USD'`,
    `SELECT count(*), sum(currency_code IS NULL OR currency_code <> 'USD') FROM ${order}`,
    `SELECT count(*) FROM ${commodity} WHERE ${hanSql('commodity_name')}`,
    `SELECT count(*) FROM (${testShops})`,
    `SELECT count(*) FROM ${order} WHERE shop_id IN (${testShops})`,
    `SELECT count(*) FROM pragma_table_info(${sqlString(order!.slice(1, -1))}) WHERE name LIKE '%address%'`,
    `SELECT count(*) FROM ${order} WHERE ${blankSql('shop_name')}`,
    `SELECT instance, CAST(max(CASE WHEN name = 'used_memory' THEN value END) AS REAL) / max(CASE WHEN name = 'maxmemory' THEN value END) FROM _snapbench_server_facts WHERE category = 'memory' GROUP BY instance`,
    `SELECT instance, version FROM _snapbench_instances WHERE engine = 'redis'`,
  );
  for (const t of catalog.tables.filter((t) => t.kind === 'redis-keys')) {
    statements.push(`SELECT count(*) FROM ${t.sqlName} WHERE ttl_ms = -1 AND (${['day', 'week', 'month'].map((p) => `coalesce(key_name, pattern) GLOB 'CONTACT_${p}:*'`).join(' OR ')})`);
  }
  for (const t of tables) {
    const text = t.columns.filter((c) => c.storage === 'text' || c.storage === 'json').map((c) => quoteIdentifier(c.sqlColumn));
    if (text.length === 0) continue;
    statements.push(`SELECT ${text.join(', ')} FROM ${t.sqlName} LIMIT 1000`);
    statements.push(`SELECT count(*) FROM ${t.sqlName} WHERE ${text.map((c) => `(instr(${c}, 'sk-') > 0 AND ${c} REGEXP 'sk-[A-Za-z0-9]{32,}')`).join(' OR ')}`);
  }
  return statements.map((s) => `${s};`).join('\n') + '\n';
}

function timed(command: string, args: string[], input?: string): { ms: number; stdout: string; stderr: string } {
  const started = performance.now();
  const result = spawnSync(command, args, { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr.slice(0, 500)}`);
  return { ms, stdout: result.stdout, stderr: result.stderr };
}

export function main(argv: string[]): void {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { repeat: { type: 'string', default: '3' }, scale: { type: 'string', default: '1' } } });
  let file = positionals[0];
  let temp: string | null = null;
  let demoBuildMs: number | null = null;
  if (!file) {
    temp = mkdtempSync(join(tmpdir(), 'snapbench-dq-bench-'));
    file = join(temp, 'demo.snapbench');
    process.stderr.write(`writing the demo snapshot at scale ${values.scale} ...\n`);
    demoBuildMs = timed(process.execPath, [BIN, 'demo', '--scale', values.scale!, '--out', file]).ms;
    const defaultDemoMs = timed(process.execPath, [BIN, 'demo', '--out', join(temp, 'default.snapbench')]).ms;
    process.stderr.write(`demo build: scale ${values.scale} ${(demoBuildMs / 1000).toFixed(1)} s; default scale ${(defaultDemoMs / 1000).toFixed(1)} s (CLI start-up included)\n`);
  }
  try {
    const sqlFile = join(temp ?? tmpdir(), `dq-baseline-${process.pid}.sql`);
    writeFileSync(sqlFile, baselineSql(file));
    const packFile = join(temp ?? tmpdir(), `report-07-${process.pid}.yaml`);
    writeFileSync(packFile, timed(process.execPath, [BIN, 'dq', 'pack']).stdout);
    const best = { sqlite: Infinity, snapbench: Infinity, engine: Infinity, packFile: Infinity };
    for (let i = 0; i < Number(values.repeat); i++) {
      best.sqlite = Math.min(best.sqlite, timed('sqlite3', ['-batch', file, `.read ${sqlFile}`]).ms);
      const dq = timed(process.execPath, [BIN, 'dq', file, '--no-store', '--format', 'json', '--timings']);
      best.snapbench = Math.min(best.snapbench, dq.ms);
      best.engine = Math.min(best.engine, Number(/snapbench dq: ([\d.]+) ms/.exec(dq.stderr)?.[1] ?? NaN));
      best.packFile = Math.min(best.packFile, timed(process.execPath, [BIN, 'dq', file, '--pack', packFile, '--no-store', '--format', 'json']).ms);
    }
    if (!temp) rmSync(sqlFile, { force: true });
    if (!temp) rmSync(packFile, { force: true });
    const ratio = best.snapbench / best.sqlite;
    process.stdout.write(
      `${JSON.stringify({ file, demoBuildMs: demoBuildMs === null ? null : Math.round(demoBuildMs), sqlite3Ms: Math.round(best.sqlite), snapbenchDqMs: Math.round(best.snapbench), engineMs: Math.round(best.engine), packFileMs: Math.round(best.packFile), ratio: Number(ratio.toFixed(2)), engineRatio: Number((best.engine / best.sqlite).toFixed(2)), target: '<= 1.2x' }, null, 2)}\n`,
    );
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
