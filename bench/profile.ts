// `node --import tsx bench/profile.ts`: where a MySQL and a PostgreSQL pull spend
// their CPU, in µs per row by pipeline stage (bench/README.md, "Profile").
//
// Starts throwaway MariaDB and PostgreSQL servers with the bench's `orders`
// (--rows N, default 1,000,000), pulls each engine once under
// `node --cpu-prof --cpu-prof-dir DIR` (a profile per thread: main and the
// snapshot writer), counts each thread's CPU from /proc/PID/task, and prints the
// breakdown (harness/cpuProfile.ts). Or, against servers you already have:
//   --fleet FILE --only INSTANCE --rows N   (one pull; the table must hold N rows)
// --keep DIR keeps the .cpuprofile files (open them in Chrome DevTools).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { mariadbExec, startMariadb, startPostgres, type ThrowawayServer } from '../test/helpers/servers.ts';
import { writeFleet } from '../test/helpers/cli.ts';
import { generateMariadb, MYSQL_DB } from './engines/mysql.ts';
import { generatePostgres, POSTGRES_DB } from './engines/postgres.ts';
import { analyzeProfile, breakdown, profilesIn, STAGES, type StageBreakdown } from './harness/cpuProfile.ts';
import { int, log } from './harness/process.ts';
import { SNAPBENCH_BIN } from './harness/pull.ts';

const CLK_TCK = 100;

function threadCpu(pid: number, into: Map<number, number>): void {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      into.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / CLK_TCK);
    } catch {
      // the thread ended between the listing and the read
    }
  }
}

interface ProfiledPull {
  instance: string;
  wallMs: number;
  cpu: { main: number; writer: number; other: number };
  result: StageBreakdown;
}

async function profilePull(fleet: string, instance: string, rows: number, keep: string | null): Promise<ProfiledPull> {
  const dir = keep ? join(keep, instance) : mkdtempSync(join(tmpdir(), 'snapbench-profile-'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'pull.snapbench');
  const started = performance.now();
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, SNAPBENCH_BIN, 'pull', '--fleet', fleet, '--out', out, '--only', instance, '--format', 'json'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const cpu = new Map<number, number>();
  const poll = setInterval(() => threadCpu(child.pid!, cpu), 20);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearInterval(poll);
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`snapbench pull --only ${instance} exited ${code}`);
  const main = cpu.get(child.pid!) ?? 0;
  const others = [...cpu].filter(([tid]) => tid !== child.pid).map(([, s]) => s).sort((a, b) => b - a);
  // The writer is the busiest thread after the main one; the rest are V8's and libuv's helpers.
  const writer = others[0] ?? 0;
  const other = others.slice(1).reduce((a, b) => a + b, 0);
  const profiles = profilesIn(dir).map((p) => analyzeProfile(p.file, p.thread));
  const result = breakdown(profiles, { main, writer }, rows);
  if (!keep) rmSync(dir, { recursive: true, force: true });
  else rmSync(out, { force: true });
  return { instance, wallMs, cpu: { main, writer, other }, result };
}

function report(label: string, rows: number, p: ProfiledPull): string {
  const r = p.result;
  const lines = [
    `${label}: ${int(rows)} rows, wall ${(p.wallMs / 1000).toFixed(2)} s; CPU main ${p.cpu.main.toFixed(2)} s, writer ${p.cpu.writer.toFixed(2)} s, other threads ${p.cpu.other.toFixed(2)} s`,
    `  stage                        µs/row`,
    ...STAGES.map((s) => `  ${s.padEnd(28)} ${r.perRow[s].toFixed(2).padStart(6)}`),
    `  ${'total (main + writer)'.padEnd(28)} ${(r.threadCpuPerRow.main + r.threadCpuPerRow.writer).toFixed(2).padStart(6)}   (main ${r.threadCpuPerRow.main.toFixed(2)}, writer ${r.threadCpuPerRow.writer.toFixed(2)})`,
    `  heaviest self time (sampled ms, thread):`,
    ...r.threads.flatMap((t) => t.top.slice(0, 8).map((x) => `    ${(x.us / 1000).toFixed(0).padStart(6)} ms  ${t.thread === 0 ? 'main  ' : 'writer'}  ${x.stage.padEnd(26)} ${x.where}`)),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, fleet: { type: 'string' }, only: { type: 'string' }, keep: { type: 'string' } } });
  const rows = Number((values.rows ?? '1000000').replace(/[_,]/g, ''));
  const keep = values.keep ?? null;
  log(`${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (values.fleet) {
    if (!values.only) throw new Error('--fleet needs --only INSTANCE');
    const p = await profilePull(values.fleet, values.only, rows, keep);
    process.stdout.write(report(values.only, rows, p) + '\n');
    return;
  }
  const servers: ThrowawayServer[] = [];
  const work = mkdtempSync(join(tmpdir(), 'snapbench-profile-fleet-'));
  try {
    const [maria, pg] = await Promise.all([startMariadb(), startPostgres()]);
    servers.push(maria, pg);
    await mariadbExec(maria, 'SET GLOBAL innodb_buffer_pool_size = 768 * 1024 * 1024;');
    log(`generating ${int(rows)} orders in MariaDB and PostgreSQL`);
    await Promise.all([generateMariadb(maria, MYSQL_DB, rows), generatePostgres(pg, rows)]);
    const fleet = writeFleet(work, [
      { name: 'bench-mariadb', engine: 'mysql', host: maria.host, port: maria.port, user: 'root', databases: [MYSQL_DB] },
      { name: 'bench-postgres', engine: 'postgres', host: pg.host, port: pg.port, user: 'postgres', databases: [POSTGRES_DB] },
    ]);
    for (const [label, instance] of [['MySQL', 'bench-mariadb'], ['PostgreSQL', 'bench-postgres']] as const) {
      log(`profiling ${label}`);
      const p = await profilePull(fleet, instance, rows, keep);
      process.stdout.write(report(label, rows, p) + '\n\n');
    }
    log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await Promise.allSettled(servers.map((s) => s.stop()));
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/profile: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
