// Benchmark: an incremental pull (`pull --base OLD`) of the seeded reference
// fleet where 5% of the tables changed, against a full pull of the same fleet,
// in one run on the same throwaway servers.
//
//   node --import tsx bench/incremental.ts [--scale X] [--repeat N]   (npm run bench runs it last)
//
// Seeds MariaDB and PostgreSQL with `snapbench fleet seed --scale X` (default
// 0.1), pulls the fleet in full (OLD), changes 5% of its SQL tables (one row
// inserted, updated or deleted in each), then times, alternating, a full pull
// and a pull with --base OLD, keeping the best of N. Prints both, the ratio,
// and what the incremental pull read versus carried; writes the same as JSON
// to bench/results/incremental.json.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { mariadbExec, psqlExec, startMariadb, startPostgres, type ThrowawayServer } from '../test/helpers/servers.ts';
import { SNAPBENCH_BIN } from '../test/helpers/cli.ts';
import { log, ROOT, runMeasured, runSimple, secs } from './harness/process.ts';

const RESULTS_FILE = join(ROOT, 'bench', 'results', 'incremental.json');
const SHARE_CHANGED = 0.05;

interface Run {
  wallMs: number;
  rowsRead: number | null;
  rowsCarried: number | null;
}

async function pull(fleet: string, out: string, work: string, base?: string): Promise<Run> {
  const args = [SNAPBENCH_BIN, 'pull', '--fleet', fleet, '--out', out, '--format', 'json', ...(base ? ['--base', base] : [])];
  const run = await runMeasured(process.execPath, args, { workDir: work, stdout: 'capture' });
  if (run.code !== 0) throw new Error(`snapbench pull${base ? ' --base' : ''} failed (exit ${run.code}): ${run.stderr.slice(-2000)}`);
  const summary = JSON.parse(run.stdout) as { rows: number; incremental?: { rowsRead: number; rowsCarried: number } };
  return { wallMs: run.wallMs, rowsRead: summary.incremental?.rowsRead ?? summary.rows, rowsCarried: summary.incremental?.rowsCarried ?? 0 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scale: { type: 'string' }, repeat: { type: 'string' } }, strict: true });
  const scale = Number(values.scale ?? process.env.BENCH_INCREMENTAL_SCALE ?? '0.1');
  const repeat = Math.max(1, Number(values.repeat ?? process.env.BENCH_REPEAT ?? '3'));
  const work = await mkdtemp(join(tmpdir(), 'snapbench-bench-incremental-'));
  let maria: ThrowawayServer | null = null;
  let pg: ThrowawayServer | null = null;
  try {
    log(`starting MariaDB and PostgreSQL; seeding the reference fleet at scale ${scale}`);
    [maria, pg] = await Promise.all([startMariadb(), startPostgres()]);
    const fleet = join(work, 'fleet.yaml');
    const seed = await runSimple(process.execPath, [SNAPBENCH_BIN, 'fleet', 'seed', '--scale', String(scale), '--mysql', `${maria.host}:${maria.port}`, '--postgres', `${pg.host}:${pg.port}`, '--out', fleet]);
    if (seed.code !== 0) throw new Error(`fleet seed failed: ${seed.stderr}`);
    const old = join(work, 'old.snapbench');
    await pull(fleet, old, work);

    // 5% of the SQL tables (at least one), spread over the sorted list, each changed by one row.
    const db = new Database(old, { readonly: true });
    const tables = db
      .prepare(`SELECT instance, engine, database, schema, source_table AS name, rows FROM _snapbench_tables WHERE kind = 'table' ORDER BY instance, database, source_table`)
      .all() as { instance: string; engine: string; database: string; schema: string | null; name: string; rows: number }[];
    db.close();
    const candidates = tables.filter((t) => t.rows > 0);
    const count = Math.max(1, Math.round(tables.length * SHARE_CHANGED));
    const stride = candidates.length / count;
    const changed = Array.from({ length: count }, (_, i) => candidates[Math.floor(i * stride)]!);
    for (const t of changed) {
      if (t.engine === 'mysql') await mariadbExec(maria, `DELETE FROM \`${t.database}\`.\`${t.name}\` LIMIT 1`);
      else await psqlExec(pg, `DELETE FROM ${t.name.split('.').map((p) => `"${p}"`).join('.')} WHERE ctid = (SELECT ctid FROM ${t.name.split('.').map((p) => `"${p}"`).join('.')} LIMIT 1)`, t.database);
    }
    const totalRows = tables.reduce((n, t) => n + t.rows, 0);
    const changedRows = changed.reduce((n, t) => n + t.rows, 0);
    log(`changed ${changed.length} of ${tables.length} tables (one row deleted in each): ${changed.map((t) => t.name).join(', ')} (${changedRows.toLocaleString('en-US')} of ${totalRows.toLocaleString('en-US')} rows)`);

    let full: Run | null = null;
    let incremental: Run | null = null;
    for (let i = 0; i < repeat; i++) {
      const f = await pull(fleet, join(work, `full-${i}.snapbench`), work);
      const inc = await pull(fleet, join(work, `incremental-${i}.snapbench`), work, old);
      if (!full || f.wallMs < full.wallMs) full = f;
      if (!incremental || inc.wallMs < incremental.wallMs) incremental = inc;
      rmSync(join(work, `full-${i}.snapbench`), { force: true });
      rmSync(join(work, `incremental-${i}.snapbench`), { force: true });
    }
    const ratio = full!.wallMs / incremental!.wallMs;
    const rows = [
      ['pull', 'wall s', 'rows read from the servers', 'rows carried from the base'],
      ['full pull', secs(full!.wallMs), full!.rowsRead!.toLocaleString('en-US'), '0'],
      [`pull --base (${changed.length} of ${tables.length} tables changed)`, secs(incremental!.wallMs), incremental!.rowsRead!.toLocaleString('en-US'), incremental!.rowsCarried!.toLocaleString('en-US')],
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) process.stdout.write(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ') + '\n');
    process.stdout.write(`incremental pull: ${ratio.toFixed(2)}x faster than a full pull (best of ${repeat}, scale ${scale})\n`);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(
      RESULTS_FILE,
      JSON.stringify({ scale, repeat, tables: tables.length, changedTables: changed.map((t) => `${t.instance}/${t.database}/${t.name}`), totalRows, changedRows, full, incremental, speedup: ratio }, null, 2) + '\n',
    );
  } finally {
    await Promise.all([maria?.stop(), pg?.stop()]);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/incremental: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
