// `npm run bench`, start-up part: how long a command that needs no engine takes
// from spawn to exit, the median of N runs each:
//
//   node dist/cli/snapbench.js --version      goal < 0.15 s
//   node dist/cli/snapbench.js help pull      goal < 0.15 s (a command's help)
//   node dist/cli/snapbench.js scenario --help  goal < 0.15 s (loads the cost model for its key help)
//   npx snapbench --version                   reported (npm's own start-up comes first)
//   node -e 0                                 reported (node itself: the floor; every row also
//                                             shows its time over this floor, steadier under load)
//
//   BENCH_STARTUP_RUNS  runs per command (default 20)
// Writes bench/results/startup.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { log, ROOT } from './harness/process.ts';
import { SNAPBENCH_BIN } from './harness/pull.ts';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS || 20);
const GOAL_S = 0.15;

interface StartupRow {
  what: string;
  command: string;
  runs: number;
  medianS: number;
  minS: number;
  maxS: number;
  goal: string;
  status: 'MET' | 'MISS' | 'REPORTED' | 'ERROR';
  message: string | null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function measure(what: string, cmd: string, args: string[], goal: boolean): StartupRow {
  const times: number[] = [];
  let message: string | null = null;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    times.push((performance.now() - start) / 1000);
    if (r.status !== 0) {
      message = `exit ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''}`;
      break;
    }
  }
  const medianS = median(times);
  const status = message ? 'ERROR' : !goal ? 'REPORTED' : medianS < GOAL_S ? 'MET' : 'MISS';
  return { what, command: [cmd, ...args].join(' ').replace(ROOT + '/', ''), runs: times.length, medianS, minS: Math.min(...times), maxS: Math.max(...times), goal: goal ? `< ${GOAL_S} s` : '-', status, message };
}

function main(): number {
  const loadBefore = loadavg();
  log(`start-up bench: ${RUNS} runs per command; ${cpus().length} CPUs, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  const node = process.execPath;
  const rows = [
    measure('node itself (floor)', node, ['-e', '0'], false),
    measure('--version', node, [SNAPBENCH_BIN, '--version'], true),
    measure('help pull', node, [SNAPBENCH_BIN, 'help', 'pull'], true),
    measure('scenario --help', node, [SNAPBENCH_BIN, 'scenario', '--help'], true),
    measure('npx snapbench --version', 'npx', ['--no-install', 'snapbench', '--version'], false),
  ];
  const loadAfter = loadavg();
  // What the CLI adds to node's own start-up in the same run: steadier than the absolute time on a loaded machine.
  const floor = rows[0]!.medianS;
  const header = ['start-up (median of N)', 'command', 'median', 'min', 'over node -e 0', 'goal', 'result'];
  const body = rows.map((r, i) => [r.what, r.command, `${r.medianS.toFixed(3)} s`, `${r.minS.toFixed(3)} s`, i === 0 ? '-' : `+${(r.medianS - floor).toFixed(3)} s`, r.goal, r.status + (r.message ? ` (${r.message})` : '')]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(
    [
      '',
      `CLI start-up, ${RUNS} runs each (load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after, ${cpus().length} CPUs):`,
      line(header),
      widths.map((w) => '-'.repeat(w)).join('  '),
      ...body.map(line),
      '',
    ].join('\n'),
  );
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'startup.json'), JSON.stringify({ runs: RUNS, goalS: GOAL_S, nodeFloorS: floor, loadavgBefore: loadBefore, loadavgAfter: loadAfter, rows }, null, 2) + '\n');
  return rows.some((r) => r.status === 'ERROR') ? 2 : 0;
}

process.exitCode = main();
