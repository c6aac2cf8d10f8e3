// Per-statement time limits. SQLite can stop a statement only through its
// progress handler or sqlite3_interrupt(), and the better-sqlite3 build we use
// has neither (it is compiled with SQLITE_OMIT_PROGRESS_CALLBACK and exposes no
// interrupt). Ending a worker thread does not stop it either: V8 can only stop
// JavaScript, and a statement such as an endless recursive CTE never returns to
// JavaScript, so the thread keeps its core busy and even process.exit() waits
// for it (measured: worker.terminate() and process.exit() both hang). What does
// stop it is ending the process it runs in:
//   - the workbench host runs such statements in worker processes it kills
//     (host/pool.ts), and stays up;
//   - a CLI command (query, dq evidence, dq with a pack file) is itself that
//     process: a watchdog thread (cli/guard.ts) ends it with SIGKILL.
// Whoever runs a statement announces it first (announceStatement), so the error
// names it: "the query stopped after 120 s".

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

/**
 * What a child sends its parent about the statement it runs; `rules` are the
 * indexes of the DQ rules the statement serves (dq/guarded.ts stops those alone).
 */
export type StatementMessage = { type: 'snapbench-statement'; label: string | null; rules?: number[] };

export function isStatementMessage(value: unknown): value is StatementMessage {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'snapbench-statement';
}

/** Set in the environment of a worker process whose statements its parent (the host's pool) times. */
export const GUARDED_CHILD_ENV = 'SNAPBENCH_GUARDED_CHILD';

export function inGuardedChild(): boolean {
  return process.env[GUARDED_CHILD_ENV] === '1' && typeof process.send === 'function';
}

let listener: ((label: string | null, rules: number[]) => void) | null = null;

/** Where announceStatement() reports in this process (the CLI's watchdog thread); null to stop. */
export function setStatementListener(next: ((label: string | null, rules: number[]) => void) | null): void {
  listener = next;
}

/**
 * Tells whoever times this process's statements that one starts (the label
 * names it in the error) or that none runs (null): the CLI's watchdog thread,
 * or the host that forked this worker process. A no-op otherwise.
 */
export function announceStatement(label: string | null, rules: number[] = []): void {
  if (listener) listener(label, rules);
  else if (inGuardedChild() && process.connected) process.send!({ type: 'snapbench-statement', label, rules } satisfies StatementMessage);
}
