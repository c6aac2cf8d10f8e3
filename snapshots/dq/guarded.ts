// A rule pack whose SQL someone wrote (a pack file, or one sent to the
// workbench), run so that a rule running past the statement time limit fails
// alone: the rule becomes `error` ("… stopped after N s (the statement time
// limit)"), every other rule runs, and the caller gets a whole run to store.
//
// SQLite cannot stop a statement here (file/timeLimit.ts), so the pack runs in
// a child process (dq/worker.ts) that announces each statement with the rules
// it serves; one that runs past the limit gets the child killed. Then:
//   - a statement of one rule (planning, finishing, evidence, a scan of that
//     rule alone): that rule is stopped;
//   - a table scan shared by several rules: they are isolated (each scans the
//     table on its own next time), which finds the one that never ends;
// and the pack runs again in a new child, without the stopped rules. Every
// attempt stops a rule or splits a shared scan, so the run ends after at most
// twice as many attempts as there are rules (in practice: one more attempt and
// one more time limit per runaway rule, two when it shared a scan).
import { fork, type ChildProcess } from 'node:child_process';
import type { RulePack } from '../../shared/dq/pack.ts';
import { compiledScript } from '../compiled.ts';
import { formatSeconds, GUARDED_CHILD_ENV, isStatementMessage, StatementTimeoutError } from '../file/timeLimit.ts';
import type { DqRun } from './run.ts';
import type { FromDqWorker, ToDqWorker } from './worker.ts';

export interface GuardedRunOptions {
  path: string;
  pack: RulePack;
  /** Seconds one statement may run; must be above 0 (without a limit, run the pack in-process). */
  timeoutSeconds: number;
  signal?: AbortSignal;
  /** Hears of each rule stopped at the limit, as it happens. */
  onStopped?: (ruleId: string, message: string) => void;
  /** A worker started ahead (startDqWorker), used for the first attempt. */
  worker?: ChildProcess;
}

/** Raised when the child cannot run the pack at all (the file cannot be opened, say): one line, with a hint. */
export class GuardedRunError extends Error {
  constructor(
    message: string,
    readonly hint: string | null,
  ) {
    super(message);
    this.name = 'GuardedRunError';
  }
}

type Attempt = { run: DqRun } | { timedOut: { label: string; rules: number[] } };

/** Children still running, ended however this process exits. */
const live = new Set<ChildProcess>();
let exitHook = false;

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

/**
 * Starts a DQ worker process; it loads its code and waits for a pack. Started
 * while the caller still reads the snapshot and the pack, it is ready sooner
 * (node and module start-up are most of a guarded run's extra cost).
 */
export function startDqWorker(): ChildProcess {
  const child = fork(compiledScript('dqWorker'), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [GUARDED_CHILD_ENV]: '1' },
  });
  track(child);
  // Idle, it keeps nothing alive; its run does (attempt() refs it).
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
  return child;
}

function attempt(options: GuardedRunOptions, stopped: Map<number, string>, isolated: Set<number>, ready?: ChildProcess): Promise<Attempt> {
  return new Promise<Attempt>((resolve, reject) => {
    const child = ready && ready.exitCode === null && ready.signalCode === null && ready.connected ? ready : startDqWorker();
    child.ref();
    (child.channel as { ref?: () => void } | undefined)?.ref?.();
    let timer: NodeJS.Timeout | null = null;
    let settled = false;
    const finish = (outcome: { value: Attempt } | { error: Error }) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      child.kill('SIGKILL');
      if ('value' in outcome) resolve(outcome.value);
      else reject(outcome.error);
    };
    const onAbort = () => finish({ error: Object.assign(new Error('cancelled'), { name: 'AbortError' }) });
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('message', (message: unknown) => {
      if (isStatementMessage(message)) {
        if (timer) clearTimeout(timer);
        timer = null;
        const { label } = message;
        if (label === null) return;
        const rules = message.rules ?? [];
        timer = setTimeout(() => finish({ value: { timedOut: { label, rules } } }), options.timeoutSeconds * 1000);
        return;
      }
      const answer = message as FromDqWorker;
      if (answer.type === 'done') finish({ value: { run: answer.run } });
      else finish({ error: new GuardedRunError(answer.message, answer.hint) });
    });
    child.on('error', (error) => finish({ error }));
    child.on('exit', (code, signal) => finish({ error: new GuardedRunError(`the DQ worker process stopped (${signal ? `signal ${signal}` : `exit code ${code}`}) before the run was done`, 'try again; if it keeps failing, run "snapbench verify" on the file') }));
    child.send({ type: 'run', path: options.path, pack: options.pack, stopped: [...stopped], isolated: [...isolated] } satisfies ToDqWorker);
  });
}

/** Runs the pack in child processes until every rule has run or was stopped at the time limit. */
export async function runPackGuarded(options: GuardedRunOptions): Promise<DqRun> {
  if (!(options.timeoutSeconds > 0)) throw new Error('runPackGuarded needs a time limit above 0');
  const stopped = new Map<number, string>();
  const isolated = new Set<number>();
  const started = performance.now();
  const startedAt = new Date().toISOString();
  let ready = options.worker;
  for (;;) {
    const outcome = await attempt(options, stopped, isolated, ready);
    ready = undefined;
    if ('run' in outcome) {
      // The run's own clock started with the last attempt; the whole run took longer.
      return { ...outcome.run, startedAt, timings: { ...outcome.run.timings, total: performance.now() - started } };
    }
    const { label, rules } = outcome.timedOut;
    const fresh = rules.filter((i) => !stopped.has(i));
    const message = `${label} stopped after ${formatSeconds(options.timeoutSeconds)} s (the statement time limit)`;
    if (fresh.length === 0) {
      // A statement no rule owns (none should run past the limit): nothing to blame, so the run fails.
      throw new StatementTimeoutError(label, options.timeoutSeconds, 'raise the limit with --timeout SECONDS (0 = none)');
    }
    if (fresh.length === 1 || fresh.every((i) => isolated.has(i))) {
      for (const i of fresh) {
        stopped.set(i, message);
        options.onStopped?.(options.pack.rules[i]!.id, message);
      }
    } else {
      for (const i of fresh) isolated.add(i);
    }
  }
}
