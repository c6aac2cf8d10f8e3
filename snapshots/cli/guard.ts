// Runs a command whose statements come from the user (query, dq) under a
// per-statement time limit: the same command runs again in a child process
// that shares this one's stdin, stdout and stderr; the child announces each
// statement (snapshots/file/timeLimit.ts) and this process kills it when one
// runs past the limit. The child's exit code is this command's.
import { spawn } from 'node:child_process';
import { InvalidArgumentError, Option } from 'commander';
import { CliError } from '../errors.ts';
import {
  defaultStatementTimeout,
  formatSeconds,
  GUARDED_CHILD_ENV,
  inGuardedChild,
  isStatementMessage,
  STATEMENT_TIMEOUT_ENV,
} from '../file/timeLimit.ts';

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

/**
 * True when this process should do the work itself: it is the guarded child, or
 * there is no limit. Otherwise call runGuardedChild() instead of the work.
 */
export function runsHere(timeoutSeconds: number): boolean {
  return inGuardedChild() || timeoutSeconds <= 0;
}

/**
 * Runs this very command line again in a child process with a clock on each
 * statement it announces. Resolves with the child's exit code; throws a
 * CliError naming the statement when it was stopped.
 */
export function runGuardedChild(timeoutSeconds: number, command: string, outcome: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...process.argv.slice(2)], {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [GUARDED_CHILD_ENV]: '1', [STATEMENT_TIMEOUT_ENV]: String(timeoutSeconds) },
    });
    let timer: NodeJS.Timeout | null = null;
    let stopped: string | null = null;
    const stopTimer = () => {
      if (timer) clearTimeout(timer);
      timer = null;
    };
    child.on('message', (message) => {
      if (!isStatementMessage(message)) return;
      stopTimer();
      const label = message.label;
      if (label === null) return;
      timer = setTimeout(() => {
        stopped = label;
        child.kill('SIGKILL');
      }, timeoutSeconds * 1000);
    });
    // Ctrl-C reaches the child too (same process group); wait for it to end.
    const ignore = () => {};
    process.on('SIGINT', ignore);
    process.on('SIGTERM', ignore);
    const forwardTerm = () => child.kill('SIGTERM');
    process.once('SIGTERM', forwardTerm);
    child.on('error', (error) => {
      stopTimer();
      reject(error);
    });
    child.on('exit', (code, signal) => {
      stopTimer();
      process.off('SIGINT', ignore);
      process.off('SIGTERM', ignore);
      process.off('SIGTERM', forwardTerm);
      if (stopped !== null) {
        reject(
          new CliError(
            `${command}: ${stopped} stopped after ${formatSeconds(timeoutSeconds)} s (the statement time limit)${outcome ? `; ${outcome}` : ''}`,
            'raise the limit with --timeout SECONDS (0 = none), or change the SQL',
          ),
        );
        return;
      }
      resolve(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
    });
  });
}
