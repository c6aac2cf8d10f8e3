// Per-statement time limits. SQLite can stop a statement only through its
// progress handler or sqlite3_interrupt(), and the better-sqlite3 build we use
// has neither (it is compiled with SQLITE_OMIT_PROGRESS_CALLBACK and exposes no
// interrupt). Ending a worker thread does not stop it either: V8 can only stop
// JavaScript, and a statement such as an endless recursive CTE never returns to
// JavaScript, so the thread keeps its core busy and even process.exit() waits
// for it. What does stop it is ending the process it runs in. So statements
// whose SQL comes from a user (queries, console statements, rule packs) run in
// a child process; the process that started it keeps the clock and kills the
// child (SIGKILL) when a statement runs past its limit.
//
// The child announces each statement before it starts (statementStarted), so
// the parent's error names it: "stopped after 60 s".

/** The default limit of one statement, in seconds: raise it with --timeout (CLI) or SNAPBENCH_STATEMENT_TIMEOUT. */
export const DEFAULT_STATEMENT_TIMEOUT_SECONDS = 120;

/** The environment variable that sets the default limit (seconds; 0 = no limit). */
export const STATEMENT_TIMEOUT_ENV = 'SNAPBENCH_STATEMENT_TIMEOUT';

/** The limit in seconds from the environment, else the default; 0 means none. */
export function defaultStatementTimeout(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[STATEMENT_TIMEOUT_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_STATEMENT_TIMEOUT_SECONDS;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : DEFAULT_STATEMENT_TIMEOUT_SECONDS;
}

/** A statement that ran past its limit and was stopped. */
export class StatementTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly seconds: number,
    readonly hint: string,
  ) {
    super(`${what} stopped after ${formatSeconds(seconds)} s (the statement time limit)`);
    this.name = 'StatementTimeoutError';
  }
}

export function formatSeconds(seconds: number): string {
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1);
}

/** What a child sends its parent about the statement it runs. */
export type StatementMessage = { type: 'snapbench-statement'; label: string | null };

export function isStatementMessage(value: unknown): value is StatementMessage {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'snapbench-statement';
}

/** Set in the environment of a child process whose statements a parent times. */
export const GUARDED_CHILD_ENV = 'SNAPBENCH_GUARDED_CHILD';

export function inGuardedChild(): boolean {
  return process.env[GUARDED_CHILD_ENV] === '1' && typeof process.send === 'function';
}

/** In a guarded child: tells the parent that a statement starts (label names it in the error) or that none runs (null). */
export function announceStatement(label: string | null): void {
  if (inGuardedChild() && process.connected) process.send!({ type: 'snapbench-statement', label } satisfies StatementMessage);
}
