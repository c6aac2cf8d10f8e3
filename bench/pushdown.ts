// Benchmark: `dq --fleet F --pack P --pushdown` (the checks run on the servers,
// one aggregate scan per table) against a full `pull` followed by the offline
// `dq` of the same pack, on the same 1,000,000-row `orders` table in MariaDB
// and in PostgreSQL (the tables `npm run bench` pulls), in one run.
//
//   node --import tsx bench/pushdown.ts [--rows N] [--repeat N]   (npm run bench runs it)
//
// The pack holds the structured checks that push down (row_count, missing,
// allowed_values, pattern, duplicates); both ways must find the same counts,
// or the bench fails. Prints both timings and the ratio; writes the same as
// JSON to bench/results/pushdown.json.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startMariadb, startPostgres, type ThrowawayServer } from '../test/helpers/servers.ts';
import { SNAPBENCH_BIN, writeFleet } from '../test/helpers/cli.ts';
import { generateMariadb, MYSQL_DB } from './engines/mysql.ts';
import { generatePostgres, POSTGRES_DB } from './engines/postgres.ts';
import { int, log, ROOT, runMeasured, secs } from './harness/process.ts';

const RESULTS_FILE = join(ROOT, 'bench', 'results', 'pushdown.json');

const PACK = `pack: bench-pushdown
rules:
  - { id: P-rows, title: orders, severity: info, check: row_count, table: orders, fail: never }
  - { id: P-shop-missing, title: orders without a shop name, severity: low, check: missing, table: orders, column: shop_name }
  - { id: P-currency, title: orders not in dollars, severity: medium, check: allowed_values, table: orders, column: currency_code, values: [USD] }
  - { id: P-order-no, title: order numbers not LK + 20 digits, severity: low, check: pattern, table: orders, column: order_no, regex: '^LK[0-9]{20}$', counts: not_matching }
  - { id: P-coupon-dup, title: coupons used more than once, severity: low, check: duplicates, table: orders, columns: [coupon_id] }
  - { id: P-paid-unpaid, title: paid orders without a pay time, severity: high, check: missing, table: orders, column: pay_time }
`;

interface Result {
  id: string;
  count: number | null;
  total: number | null;
}
interface Timed {
  wallMs: number;
  peakRssMb: number | null;
  counts: Record<string, [number | null, number | null]>;
}

async function cli(args: string[], work: string): Promise<{ wallMs: number; peakRssMb: number | null; stdout: string }> {
  const run = await runMeasured(process.execPath, [SNAPBENCH_BIN, ...args], { workDir: work, stdout: 'capture' });
  if (run.code !== 0) throw new Error(`snapbench ${args.join(' ')} failed (exit ${run.code}): ${run.stderr.slice(-2000)}`);
  return { wallMs: run.wallMs, peakRssMb: run.peakRssKb === null ? null : run.peakRssKb / 1024, stdout: run.stdout };
}

function countsOf(stdout: string): Record<string, [number | null, number | null]> {
  const report = JSON.parse(stdout) as { results: Result[] };
  return Object.fromEntries(report.results.map((r) => [r.id, [r.count, r.total]]));
}

async function pushdown(fleet: string, pack: string, work: string, i: number): Promise<Timed> {
  const out = join(work, `pushdown-${i}.snapbench`);
  const run = await cli(['dq', '--fleet', fleet, '--pack', pack, '--pushdown', '--out', out, '--format', 'json'], work);
  rmSync(out, { force: true });
  return { wallMs: run.wallMs, peakRssMb: run.peakRssMb, counts: countsOf(run.stdout) };
}

async function pullThenDq(fleet: string, pack: string, work: string, i: number): Promise<Timed & { pullMs: number; dqMs: number }> {
  const file = join(work, `full-${i}.snapbench`);
  const pulled = await cli(['pull', '--fleet', fleet, '--out', file], work);
  const checked = await cli(['dq', file, '--pack', pack, '--format', 'json', '--no-store'], work);
  rmSync(file, { force: true });
  const peaks = [pulled.peakRssMb, checked.peakRssMb].filter((v): v is number => v !== null);
  return {
    wallMs: pulled.wallMs + checked.wallMs,
    pullMs: pulled.wallMs,
    dqMs: checked.wallMs,
    peakRssMb: peaks.length ? Math.max(...peaks) : null,
    counts: countsOf(checked.stdout),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, repeat: { type: 'string' } }, strict: true });
  const rows = Number(values.rows ?? process.env.BENCH_ROWS ?? '1000000');
  const repeat = Math.max(1, Number(values.repeat ?? process.env.BENCH_REPEAT ?? '3'));
  if (!Number.isSafeInteger(rows) || rows < 1) throw new Error(`--rows: expected a positive whole number, got "${values.rows}"`);
  const work = await mkdtemp(join(tmpdir(), 'snapbench-bench-pushdown-'));
  let maria: ThrowawayServer | null = null;
  let pg: ThrowawayServer | null = null;
  try {
    log(`starting MariaDB and PostgreSQL; generating ${int(rows)} orders in each`);
    [maria, pg] = await Promise.all([startMariadb(), startPostgres()]);
    await Promise.all([generateMariadb(maria, MYSQL_DB, rows), generatePostgres(pg, rows)]);
    const fleet = writeFleet(work, [
      { name: 'bench-mariadb', engine: 'mysql', host: maria.host, port: maria.port, user: 'root', databases: [MYSQL_DB] },
      { name: 'bench-postgres', engine: 'postgres', host: pg.host, port: pg.port, user: 'postgres', databases: [POSTGRES_DB] },
    ]);
    const pack = join(work, 'pack.yaml');
    writeFileSync(pack, PACK);

    let pushed: Timed | null = null;
    let offline: (Timed & { pullMs: number; dqMs: number }) | null = null;
    for (let i = 0; i < repeat; i++) {
      const p = await pushdown(fleet, pack, work, i);
      const o = await pullThenDq(fleet, pack, work, i);
      const a = JSON.stringify(p.counts);
      const b = JSON.stringify(o.counts);
      if (a !== b) throw new Error(`pushdown and offline counts differ:\n  pushdown ${a}\n  offline  ${b}`);
      if (!pushed || p.wallMs < pushed.wallMs) pushed = p;
      if (!offline || o.wallMs < offline.wallMs) offline = o;
    }
    const ratio = offline!.wallMs / pushed!.wallMs;
    const rss = (v: number | null): string => (v === null ? '-' : `${v.toFixed(1)} MB`);
    const table = [
      ['what', 'wall s', 'peak RSS'],
      [`dq --pushdown (${int(rows)} rows x 2 engines)`, secs(pushed!.wallMs), rss(pushed!.peakRssMb)],
      [`pull (${secs(offline!.pullMs)} s) + offline dq (${secs(offline!.dqMs)} s)`, secs(offline!.wallMs), rss(offline!.peakRssMb)],
    ];
    const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
    for (const r of table) process.stdout.write(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ') + '\n');
    const load = loadavg()[0]!.toFixed(1);
    process.stdout.write(`pushdown: ${ratio.toFixed(2)}x faster than a full pull + offline run, same counts for ${Object.keys(pushed!.counts).length} rules (best of ${repeat}, load ${load})\n`);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(RESULTS_FILE, JSON.stringify({ rows, repeat, load: Number(load), pushdown: pushed, pullThenDq: offline, speedup: ratio }, null, 2) + '\n');
  } finally {
    await Promise.all([maria?.stop(), pg?.stop()]);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/pushdown: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
