// The bench's measurement of one engine: `snapbench pull --only INSTANCE`
// against the engine's stock tool, alternating, best of --repeat, plus the
// pull's peak RSS. An engine file (bench/engines/) gives a PairSpec; the
// harness gives back result rows for the report.
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SNAPBENCH_BIN as CHECKOUT_BIN } from '../../test/helpers/cli.ts';
import { int, log, mb, PROCESS_TIMEOUT_MS, processCpuSeconds, runMeasured, secs, sleep, type Line, type RunOutcome } from './process.ts';

/** The compiled CLI of this checkout; BENCH_SNAPBENCH_BIN points at another build (say, a baseline commit's dist/cli/snapbench.js). */
export const SNAPBENCH_BIN = process.env.BENCH_SNAPBENCH_BIN || CHECKOUT_BIN;

export const TARGETS = {
  mysql: { min: 0.5, label: '>= 0.5x' },
  postgres: { min: 0.5, label: '>= 0.5x' },
  redis: { min: 2, label: '>= 2x' },
  rssMb: { max: 200, label: '< 200 MiB' },
} as const;

/** MET: the goal holds; MISS: it does not; ERROR: the measurement could not be taken. */
export type Status = 'MET' | 'MISS' | 'ERROR';

export interface ToolRun {
  wallMs: number;
  rate: number;
  peakRssMb: number | null;
  cpuSeconds: number | null;
  serverCpuSeconds: number | null;
}

export interface SnapbenchRun extends ToolRun {
  pulledRows: number | null;
  fileBytes: number | null;
  phases: { startupMs: number | null; pullMs: number | null; finishMs: number | null; tableMs: number | null };
}

export interface ResultRow {
  id: string;
  what: string;
  unit: 'rows' | 'keys' | 'MB';
  count: number | null;
  status: Status;
  /** Best run (lowest wall time) of snapbench and of the reference tool. */
  snapbench: SnapbenchRun | null;
  reference: (ToolRun & { tool: string }) | null;
  /** snapbench rate / reference rate; for RSS rows, the peak in MB. */
  ratio: number | null;
  value: number | null;
  target: string;
  message: string | null;
  runs: { snapbench: SnapbenchRun[]; reference: ToolRun[] };
}

export interface Context {
  workDir: string;
  fleetFile: string;
  repeat: number;
}

function failureLine(outcome: RunOutcome, tool: string): string {
  if (outcome.timedOut) return `${tool} timed out after ${PROCESS_TIMEOUT_MS / 60_000} min`;
  const lines = outcome.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const pullLine = lines.find((l) => l.startsWith('snapbench pull:')) ?? lines.find((l) => /FAILED|error/i.test(l)) ?? lines.at(-1);
  const how = outcome.signal ? `signal ${outcome.signal}` : `exit ${outcome.code}`;
  return `${tool} ${how}${pullLine ? `: ${pullLine}` : ''}`.slice(0, 600);
}

function phasesOf(lines: Line[], wallMs: number): SnapbenchRun['phases'] {
  const at = (re: RegExp): number | null => lines.find((l) => re.test(l.text))?.atMs ?? null;
  const connect = at(/: connecting \(/);
  const done = at(/: pulled \d+ tables?, /) ?? at(/: FAILED /);
  // table-start lines are "<instance>: <table> (~N rows)" or "<instance>: <table>"; take the first after connect.
  const tableStart = lines.find((l) => connect !== null && l.atMs >= connect && !/connecting|done,|pulled|FAILED|rows\/s/.test(l.text) && /^[^:]+: \S+( \(~[\d,]+ rows\))?$/.test(l.text))?.atMs ?? null;
  const tableDone = lines.filter((l) => / done, [\d,]+ rows/.test(l.text)).at(-1)?.atMs ?? null;
  return {
    startupMs: connect,
    pullMs: connect !== null && done !== null ? done - connect : null,
    finishMs: done !== null ? wallMs - done : null,
    tableMs: tableStart !== null && tableDone !== null ? tableDone - tableStart : null,
  };
}

export async function snapbenchPull(ctx: Context, instance: string, expected: number, serverPid: number | null): Promise<{ run: SnapbenchRun | null; error: string | null }> {
  const out = join(ctx.workDir, `${instance}.snapbench`);
  rmSync(out, { force: true });
  const cpuBefore = serverPid !== null ? processCpuSeconds(serverPid) : null;
  const outcome = await runMeasured(process.execPath, [SNAPBENCH_BIN, 'pull', '--fleet', ctx.fleetFile, '--out', out, '--only', instance, '--format', 'json', '--progress'], {
    workDir: ctx.workDir,
    stdout: 'capture',
  });
  await sleep(200); // let PostgreSQL reap the backend so its CPU shows in the postmaster's cutime
  const cpuAfter = serverPid !== null ? processCpuSeconds(serverPid) : null;
  let fileBytes: number | null = null;
  try {
    fileBytes = statSync(out).size;
  } catch {
    // no file
  }
  rmSync(out, { force: true });
  const base = {
    wallMs: outcome.wallMs,
    rate: expected / (outcome.wallMs / 1000),
    peakRssMb: outcome.peakRssKb === null ? null : mb(outcome.peakRssKb),
    cpuSeconds: outcome.cpuSeconds,
    serverCpuSeconds: cpuBefore !== null && cpuAfter !== null ? Math.round((cpuAfter - cpuBefore) * 100) / 100 : null,
    fileBytes,
    phases: phasesOf(outcome.lines, outcome.wallMs),
  };
  if (outcome.code !== 0) return { run: { ...base, pulledRows: null }, error: failureLine(outcome, 'snapbench pull') };
  let pulledRows: number | null = null;
  try {
    pulledRows = (JSON.parse(outcome.stdout) as { rows?: number }).rows ?? null;
  } catch {
    return { run: { ...base, pulledRows }, error: `snapbench pull: stdout is not the JSON summary: ${outcome.stdout.slice(0, 200)}` };
  }
  return { run: { ...base, pulledRows }, error: null };
}

export async function referenceRun(ctx: Context, tool: string, cmd: string, args: string[], expected: number, serverPid: number | null): Promise<{ run: ToolRun | null; error: string | null }> {
  const cpuBefore = serverPid !== null ? processCpuSeconds(serverPid) : null;
  const outcome = await runMeasured(cmd, args, { workDir: ctx.workDir, stdout: 'devnull' });
  await sleep(200);
  const cpuAfter = serverPid !== null ? processCpuSeconds(serverPid) : null;
  if (outcome.code !== 0) return { run: null, error: failureLine(outcome, tool) };
  return {
    run: {
      wallMs: outcome.wallMs,
      rate: expected / (outcome.wallMs / 1000),
      peakRssMb: outcome.peakRssKb === null ? null : mb(outcome.peakRssKb),
      cpuSeconds: outcome.cpuSeconds,
      serverCpuSeconds: cpuBefore !== null && cpuAfter !== null ? Math.round((cpuAfter - cpuBefore) * 100) / 100 : null,
    },
    error: null,
  };
}

const best = <T extends { wallMs: number }>(runs: T[]): T | null => (runs.length ? runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a)) : null);

export interface PairSpec {
  /** The engine, which names the goal (TARGETS). */
  id: 'mysql' | 'postgres' | 'redis';
  /** The result rows' ids when not the engine's (another table size of the same engine). */
  rowId?: string;
  what: string;
  unit: 'rows' | 'keys';
  count: number;
  instance: string;
  serverPid: number;
  tool: string;
  cmd: string;
  args: string[];
}

/** Reference tool, then snapbench, `repeat` times; returns the throughput row and the RSS row. */
export async function measurePair(ctx: Context, spec: PairSpec): Promise<ResultRow[]> {
  const snapRuns: SnapbenchRun[] = [];
  const refRuns: ToolRun[] = [];
  let snapError: string | null = null;
  let refError: string | null = null;
  let anySnapRun: SnapbenchRun | null = null;
  for (let i = 1; i <= ctx.repeat; i++) {
    const tag = ctx.repeat > 1 ? ` (${i}/${ctx.repeat})` : '';
    log(`${spec.what}: ${spec.tool}${tag}`);
    const ref = await referenceRun(ctx, spec.tool, spec.cmd, spec.args, spec.count, spec.serverPid);
    if (ref.run) {
      refRuns.push(ref.run);
      log(`  ${secs(ref.run.wallMs)} s, ${int(ref.run.rate)} ${spec.unit}/s`);
    } else {
      refError ??= ref.error;
      log(`  ERROR ${ref.error}`);
    }
    log(`${spec.what}: snapbench pull --only ${spec.instance}${tag}`);
    const snap = await snapbenchPull(ctx, spec.instance, spec.count, spec.serverPid);
    anySnapRun ??= snap.run;
    if (snap.error === null && snap.run) {
      snapRuns.push(snap.run);
      const mismatch = snap.run.pulledRows !== null && snap.run.pulledRows !== spec.count ? ` (pulled ${int(snap.run.pulledRows)} ${spec.unit}, expected ${int(spec.count)})` : '';
      log(`  ${secs(snap.run.wallMs)} s, ${int(snap.run.rate)} ${spec.unit}/s, peak RSS ${snap.run.peakRssMb ?? '?'} MB${mismatch}`);
    } else {
      snapError ??= snap.error;
      log(`  ERROR ${snap.error}`);
    }
  }
  const snap = best(snapRuns);
  const ref = best(refRuns);
  const ratio = snap && ref ? snap.rate / ref.rate : null;
  const target = TARGETS[spec.id];
  const notes: string[] = [];
  if (snap?.pulledRows !== null && snap?.pulledRows !== undefined && snap.pulledRows !== spec.count) notes.push(`snapbench reported ${int(snap.pulledRows)} ${spec.unit}, expected ${int(spec.count)}`);
  const errors = [snapError, refError].filter((e): e is string => e !== null);
  const rowId = spec.rowId ?? spec.id;
  const throughput: ResultRow = {
    id: rowId,
    what: spec.what,
    unit: spec.unit,
    count: spec.count,
    status: ratio === null ? 'ERROR' : ratio >= target.min ? 'MET' : 'MISS',
    snapbench: snap,
    reference: ref ? { ...ref, tool: spec.tool } : null,
    ratio,
    value: ratio,
    target: target.label,
    message: [...errors, ...notes].join('; ') || null,
    runs: { snapbench: snapRuns, reference: refRuns },
  };
  // RSS: the highest peak over all successful runs (conservative for --repeat).
  const peaks = snapRuns.map((r) => r.peakRssMb).filter((p): p is number => p !== null);
  const peak = peaks.length ? Math.max(...peaks) : null;
  const rss: ResultRow = {
    id: `${rowId}-rss`,
    what: `${spec.what.split(' ')[0]} ${compact(spec.count)} pull peak RSS`,
    unit: 'MB',
    count: spec.count,
    status: peak === null ? 'ERROR' : peak < TARGETS.rssMb.max ? 'MET' : 'MISS',
    snapbench: snap ?? anySnapRun,
    reference: null,
    ratio: null,
    value: peak,
    target: TARGETS.rssMb.label,
    message: peak === null ? (snapError ? 'no successful pull to measure (see above)' : 'peak RSS could not be read') : null,
    runs: { snapbench: snapRuns, reference: [] },
  };
  return [throughput, rss];
}

export function compact(n: number): string {
  if (n >= 1_000_000 && n % 100_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 100 === 0) return `${n / 1_000}k`;
  return int(n);
}
