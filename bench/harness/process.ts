// Running and measuring child processes for the bench: wall time from spawn to
// exit, peak RSS and CPU (through /usr/bin/time, else /proc polling), and
// helpers that feed a command's stdin. Every measured child is in its own
// process group, killed if the bench is interrupted.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** The checkout's root: measured commands run there. */
export const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const TIME_BIN = '/usr/bin/time';
const CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat times are in these ticks
export const RSS_POLL_MS = 50;
export const PROCESS_TIMEOUT_MS = 30 * 60_000;

export const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};
export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
export const secs = (ms: number): string => (ms / 1000).toFixed(2);
export const mb = (kb: number): number => Math.round((kb / 1024) * 10) / 10;

export function commandExists(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, cmd)));
}

/** utime+stime+cutime+cstime of a process in seconds (children count once reaped: PostgreSQL backends). */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return Number.isFinite(ticks) ? ticks / CLK_TCK : null;
  } catch {
    return null;
  }
}

export function vmHwmKb(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- child processes

/** Process groups of measured children still running: killed if the bench is interrupted. */
const activeGroups = new Set<number>();
export function killActiveGroups(): void {
  for (const pgid of activeGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  activeGroups.clear();
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    killActiveGroups();
    // The servers helper kills its servers in its 'exit' handler.
    process.exit(130);
  });
}

export interface Line {
  atMs: number;
  text: string;
}

export interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  wallMs: number;
  peakRssKb: number | null;
  cpuSeconds: number | null;
  stdout: string;
  stderr: string;
  lines: Line[];
}

let rssMethod: 'gnu-time' | 'proc-vmhwm' = existsSync(TIME_BIN) && process.env.BENCH_RSS_METHOD !== 'proc' ? 'gnu-time' : 'proc-vmhwm';

/** How peak RSS is measured: /usr/bin/time %M, or VmHWM polled in /proc when time is missing or broken. */
export async function probeRssMethod(): Promise<'gnu-time' | 'proc-vmhwm'> {
  if (rssMethod === 'gnu-time') {
    // An old or broken `time` must not cost the RSS figures.
    const probe = await runSimple(TIME_BIN, ['-f', '%M', 'true']).catch(() => null);
    if (!probe || probe.code !== 0 || !/^\d+$/m.test(probe.stderr)) rssMethod = 'proc-vmhwm';
  }
  return rssMethod;
}
let statCounter = 0;

/**
 * Runs one command and measures its wall time (spawn to exit, as a user sees it),
 * its peak RSS and its CPU time: through `/usr/bin/time -f '%M %U %S'` when present,
 * else by polling /proc/<pid>/status (VmHWM) every 50 ms.
 */
export async function runMeasured(cmd: string, args: string[], options: { workDir: string; stdout: 'devnull' | 'capture' }): Promise<RunOutcome> {
  const statFile = join(options.workDir, `time-${++statCounter}.txt`);
  const [file, argv] = rssMethod === 'gnu-time' ? [TIME_BIN, ['-f', '%M %U %S', '-o', statFile, cmd, ...args]] : [cmd, args];
  const devnull = options.stdout === 'devnull' ? openSync('/dev/null', 'w') : null;
  let child: ChildProcess;
  const started = performance.now();
  try {
    child = spawn(file, argv, { cwd: ROOT, stdio: ['ignore', devnull ?? 'pipe', 'pipe'], detached: true });
  } finally {
    if (devnull !== null) closeSync(devnull);
  }
  const pid = child.pid;
  if (pid !== undefined) activeGroups.add(pid);

  let peak: number | null = null;
  let cpu: number | null = null;
  let poller: NodeJS.Timeout | undefined;
  if (rssMethod === 'proc-vmhwm' && pid !== undefined) {
    const sample = (): void => {
      const hwm = vmHwmKb(pid);
      if (hwm !== null) peak = Math.max(peak ?? 0, hwm);
      const c = processCpuSeconds(pid);
      if (c !== null) cpu = c;
    };
    sample();
    poller = setInterval(sample, RSS_POLL_MS);
  }

  let stdout = '';
  let stderr = '';
  const lines: Line[] = [];
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    if (stdout.length < 4_000_000) stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    const at = performance.now() - started;
    if (stderr.length < 4_000_000) stderr += d;
    const parts = (partial + d).split('\n');
    partial = parts.pop()!;
    for (const text of parts) if (lines.length < 100_000) lines.push({ atMs: at, text });
  });

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }, PROCESS_TIMEOUT_MS);

  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve({ code: c, signal: s }));
  }).finally(() => {
    clearTimeout(timer);
    if (poller) clearInterval(poller);
    if (pid !== undefined) activeGroups.delete(pid);
  });
  const wallMs = performance.now() - started;
  if (partial) lines.push({ atMs: wallMs, text: partial });

  if (rssMethod === 'gnu-time') {
    try {
      // "Command exited with non-zero status N" may precede the format line.
      const last = readFileSync(statFile, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^\d+ [\d.]+ [\d.]+$/.test(l))
        .pop();
      if (last) {
        const [m, u, s] = last.split(' ').map(Number);
        peak = m!;
        cpu = u! + s!;
      }
      rmSync(statFile, { force: true });
    } catch {
      // no stat file: the command could not be run at all
    }
  }
  return { code, signal, timedOut, wallMs, peakRssKb: peak, cpuSeconds: cpu, stdout, stderr, lines };
}

/** Spawns a helper command (not measured), feeding stdin from an async generator. */
export function runFeeding(cmd: string, args: string[], input: () => AsyncGenerator<string | Buffer>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    void (async () => {
      for await (const chunk of input()) {
        if (!child.stdin.write(chunk)) await new Promise<void>((r) => child.stdin.once('drain', r));
      }
      child.stdin.end();
    })().catch((error: unknown) => {
      child.kill('SIGKILL');
      reject(error instanceof Error ? error : new Error(String(error)));
    });
  });
}

export function runSimple(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runFeeding(cmd, args, async function* () {});
}
