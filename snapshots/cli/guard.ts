// The per-statement time limit of CLI commands whose SQL comes from a user
// (query, dq evidence, dq with a pack from a file). SQLite cannot stop a
// statement here (see snapshots/file/timeLimit.ts), and a thread stuck in a
// statement never returns to JavaScript, so the command's own event loop cannot
// time it. A small watchdog thread can: the command tells it when each
// statement starts and ends (announceStatement), and when one runs past the
// limit the watchdog prints the one-line error and ends the process with
// SIGKILL (exit status 137), the only way to stop work that never yields.
// Nothing is lost: these commands write only after their statements are done.
import { InvalidArgumentError, Option } from 'commander';
import { Worker } from 'node:worker_threads';
import { defaultStatementTimeout, formatSeconds, setStatementListener, STATEMENT_TIMEOUT_ENV } from '../file/timeLimit.ts';
import { inertText } from '../../shared/text/inert.ts';

/** `--timeout <seconds>`: the per-statement limit (0 = none); the default comes from SNAPBENCH_STATEMENT_TIMEOUT or 120. */
export function timeoutOption(): Option {
  return new Option('--timeout <seconds>', `stop a statement that runs longer (0 = no limit; default ${defaultStatementTimeout()}, or $${STATEMENT_TIMEOUT_ENV})`)
    .argParser((value: string) => {
      const seconds = Number(value);
      if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) throw new InvalidArgumentError('--timeout must be a number of seconds (0 for no limit)');
      return seconds;
    })
    .default(defaultStatementTimeout(), String(defaultStatementTimeout()));
}

/** The watchdog: CommonJS run by the thread itself, so it needs no file of its own in the build. */
const WATCHDOG_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { writeSync } = require('node:fs');
let timer = null;
parentPort.on('message', (m) => {
  if (timer) clearTimeout(timer);
  timer = null;
  if (m.line === null) return;
  timer = setTimeout(() => {
    try { writeSync(2, m.line); } finally { process.kill(process.pid, 'SIGKILL'); }
  }, m.ms);
});
`;

/**
 * Starts the watchdog of a command and routes announceStatement() to it; resolves
 * once it runs (a thread that has not started cannot watch a blocked one). No-op
 * without a limit.
 */
export async function watchStatements(timeoutSeconds: number, command: string): Promise<void> {
  if (!(timeoutSeconds > 0)) return;
  const worker = new Worker(WATCHDOG_SOURCE, { eval: true });
  await new Promise<void>((resolve, reject) => {
    worker.once('online', () => resolve());
    worker.once('error', reject);
  });
  // Once it runs, it does not keep the command alive.
  worker.unref();
  const ms = Math.round(timeoutSeconds * 1000);
  setStatementListener((label) => {
    const line =
      label === null
        ? null
        : `snapbench: ${inertText(`${command}: ${label} stopped after ${formatSeconds(timeoutSeconds)} s (the statement time limit); the process was ended`)} (raise the limit with --timeout SECONDS, 0 = none, or change the SQL)\n`;
    worker.postMessage({ line, ms });
  });
}
