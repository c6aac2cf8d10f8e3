// Worker processes for the host's data work, in two lanes: `interactive` (grid
// pages: short, one at a time, never queued behind a profile) and `background`
// (profiles, counts, SQL, exports, DQ, verify). Cancelling a running job ends
// its worker (SQLite has no other way to stop a statement); a new one starts
// on demand.
//
// The workers are child processes, not threads: a statement that never returns
// to JavaScript (an endless recursive CTE in the SQL console) cannot be stopped
// in a thread, which then also keeps the host from exiting; a process is ended
// with SIGKILL at once. Each worker announces the statement it runs
// (snapshots/file/timeLimit.ts), and one that runs past the statement time
// limit is stopped the same way, with a "stopped after N s" error.
import { fork, type ChildProcess } from 'node:child_process';
import { apiError, ApiFailure, type ApiError } from '../../shared/api/errors.ts';
import type { JobProgress } from '../../shared/api/types.ts';
import { compiledScript } from '../compiled.ts';
import type { JobSpec } from './jobs.ts';
import type { FromWorker, ToWorker } from './worker.ts';
import { defaultStatementTimeout, formatSeconds, GUARDED_CHILD_ENV, isStatementMessage, STATEMENT_TIMEOUT_ENV } from '../file/timeLimit.ts';

export type Lane = 'interactive' | 'background';

export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** Export bytes; the job waits for the returned promise before sending much more. */
  onChunk?: (bytes: Uint8Array) => void | Promise<void>;
  /**
   * On cancel, let a running job finish (its answer is dropped) instead of
   * ending the worker: for short jobs whose worker keeps useful state (a
   * view's order and keyset anchors), restarting would cost more.
   */
  finishOnCancel?: boolean;
}

interface Job {
  id: number;
  lane: Lane;
  spec: JobSpec;
  options: JobOptions;
  resolve(value: unknown): void;
  reject(error: Error): void;
  detach(): void;
  /** Cancelled while running with finishOnCancel: its answer is dropped. */
  dropped?: boolean;
}

interface Slot {
  worker: ChildProcess | null;
  job: Job | null;
  /** Runs while the worker's current statement is within its time limit. */
  timer: NodeJS.Timeout | null;
}

export class JobPool {
  private readonly slots: Record<Lane, Slot[]>;
  private readonly queues: Record<Lane, Job[]> = { interactive: [], background: [] };
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly script: string = compiledScript('hostWorker'),
    sizes: Record<Lane, number> = { interactive: 1, background: 2 },
    /** Seconds one statement may run before its worker is stopped; 0 = no limit. */
    private readonly statementTimeoutSeconds: number = defaultStatementTimeout(),
  ) {
    this.slots = {
      interactive: Array.from({ length: sizes.interactive }, () => ({ worker: null, job: null, timer: null })),
      background: Array.from({ length: sizes.background }, () => ({ worker: null, job: null, timer: null })),
    };
  }

  /** Starts the interactive worker now, so the first page does not wait for it. */
  async warm(): Promise<void> {
    const slot = this.slots.interactive[0];
    if (slot && !slot.worker) slot.worker = await this.spawn(slot);
  }

  run<T>(lane: Lane, spec: JobSpec, options: JobOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new ApiFailure(apiError('unavailable', 'the host is shutting down')));
    if (options.signal?.aborted) return Promise.reject(new ApiFailure(apiError('cancelled', 'cancelled')));
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        id: this.nextId++,
        lane,
        spec,
        options,
        resolve: resolve as (value: unknown) => void,
        reject,
        detach: () => {},
      };
      if (options.signal) {
        const onAbort = () => this.cancel(job);
        options.signal.addEventListener('abort', onAbort, { once: true });
        job.detach = () => options.signal!.removeEventListener('abort', onAbort);
      }
      this.queues[lane].push(job);
      void this.pump(lane);
    });
  }

  private settle(job: Job, outcome: { value: unknown } | { error: Error }): void {
    job.detach();
    if ('value' in outcome) job.resolve(outcome.value);
    else job.reject(outcome.error);
  }

  private cancel(job: Job): void {
    const queue = this.queues[job.lane];
    const queued = queue.indexOf(job);
    if (queued >= 0) {
      queue.splice(queued, 1);
      this.settle(job, { error: new ApiFailure(apiError('cancelled', 'cancelled')) });
      return;
    }
    const slot = this.slots[job.lane].find((s) => s.job === job);
    if (!slot || job.dropped) return;
    if (job.options.finishOnCancel) {
      job.dropped = true;
      this.settle(job, { error: new ApiFailure(apiError('cancelled', 'cancelled')) });
      return;
    }
    this.stopWorker(slot);
    this.settle(job, { error: new ApiFailure(apiError('cancelled', 'cancelled')) });
    void this.pump(job.lane);
  }

  /** Ends a slot's worker at once, whatever it is doing. */
  private stopWorker(slot: Slot): void {
    this.clearTimer(slot);
    const worker = slot.worker;
    slot.worker = null;
    slot.job = null;
    worker?.kill('SIGKILL');
  }

  private clearTimer(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
  }

  /** A worker announced a statement (label) or the end of one (null): keep its clock. */
  private onStatement(slot: Slot, worker: ChildProcess, label: string | null): void {
    this.clearTimer(slot);
    const job = slot.job;
    if (label === null || !job || this.statementTimeoutSeconds <= 0) return;
    const seconds = this.statementTimeoutSeconds;
    slot.timer = setTimeout(() => {
      if (slot.worker !== worker || slot.job !== job) return;
      this.stopWorker(slot);
      if (!job.dropped) {
        this.settle(job, {
          error: new ApiFailure(
            apiError('failed', `${label} stopped after ${formatSeconds(seconds)} s (the statement time limit)`, `change the SQL, or start the host with --timeout SECONDS (or ${STATEMENT_TIMEOUT_ENV}=SECONDS) to allow longer statements; 0 = no limit`),
          ),
        });
      }
      void this.pump(job.lane);
    }, seconds * 1000);
  }

  private async spawn(slot: Slot): Promise<ChildProcess> {
    const worker = fork(this.script, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [GUARDED_CHILD_ENV]: '1' },
    });
    worker.on('message', (message: unknown) => {
      if (isStatementMessage(message)) this.onStatement(slot, worker, message.label);
      else this.onMessage(slot, worker, message as FromWorker);
    });
    worker.on('error', (error) => this.onWorkerGone(slot, worker, error.message));
    worker.on('exit', (code, signal) => {
      liveWorkers.delete(worker);
      this.onWorkerGone(slot, worker, signal ? `signal ${signal}` : `exit code ${code}`);
    });
    trackWorker(worker);
    unref(worker);
    return worker;
  }

  private onWorkerGone(slot: Slot, worker: ChildProcess, why: string): void {
    if (slot.worker !== worker) return;
    this.clearTimer(slot);
    slot.worker = null;
    const job = slot.job;
    slot.job = null;
    if (job && !job.dropped) this.settle(job, { error: new ApiFailure(apiError('failed', `the data worker stopped (${why})`, 'try again; if it keeps failing, run "snapbench verify" on the file')) });
    void this.pump(job?.lane ?? 'background');
  }

  private onMessage(slot: Slot, worker: ChildProcess, message: FromWorker): void {
    const job = slot.job;
    if (!job || job.id !== message.id || slot.worker !== worker) return;
    if (job.dropped && message.type !== 'done' && message.type !== 'error') return;
    switch (message.type) {
      case 'progress':
        job.options.onProgress?.(message.progress as JobProgress);
        return;
      case 'chunk': {
        const ack = () => {
          if (slot.worker === worker && slot.job === job) worker.send({ type: 'ack', id: job.id } satisfies ToWorker);
        };
        Promise.resolve(job.options.onChunk?.(message.bytes)).then(ack, () => this.cancel(job));
        return;
      }
      case 'done':
      case 'error':
        this.clearTimer(slot);
        slot.job = null;
        unref(worker);
        if (!job.dropped) this.settle(job, message.type === 'done' ? { value: message.result } : { error: new ApiFailure(message.error as ApiError) });
        void this.pump(job.lane);
        return;
    }
  }

  private async pump(lane: Lane): Promise<void> {
    for (const slot of this.slots[lane]) {
      if (slot.job) continue;
      const job = this.queues[lane].shift();
      if (!job) return;
      slot.job = job;
      try {
        slot.worker ??= await this.spawn(slot);
      } catch (error) {
        slot.job = null;
        this.settle(job, { error: new ApiFailure(apiError('internal', `cannot start a data worker: ${(error as Error).message}`)) });
        continue;
      }
      if (slot.job !== job) continue; // cancelled while the worker started
      ref(slot.worker); // a running job keeps the process alive; an idle worker does not
      slot.worker.send({ type: 'job', id: job.id, spec: job.spec } satisfies ToWorker);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const lane of ['interactive', 'background'] as const) {
      for (const job of this.queues[lane].splice(0)) this.settle(job, { error: new ApiFailure(apiError('cancelled', 'the host is shutting down')) });
      for (const slot of this.slots[lane]) {
        const job = slot.job;
        const worker = slot.worker;
        // Ended at once: a worker in the middle of a statement would not stop otherwise.
        this.stopWorker(slot);
        if (job) this.settle(job, { error: new ApiFailure(apiError('cancelled', 'the host is shutting down')) });
        // Referenced while it dies: an idle worker is unreferenced, and an event loop with nothing else left would end
        // the process before 'exit' fires, leaving serve's promise unsettled (exit code 13 instead of 0).
        if (worker && worker.exitCode === null && worker.signalCode === null) {
          worker.ref();
          await new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        }
      }
    }
  }
}

/** An idle worker does not keep the host alive: neither its process nor its IPC channel. */
function unref(worker: ChildProcess): void {
  worker.unref();
  (worker.channel as { unref?: () => void } | undefined)?.unref?.();
}

function ref(worker: ChildProcess): void {
  worker.ref();
  (worker.channel as { ref?: () => void } | undefined)?.ref?.();
}

/** Every worker process still running, so none outlives the host however it exits. */
const liveWorkers = new Set<ChildProcess>();
let exitHook = false;

function trackWorker(worker: ChildProcess): void {
  liveWorkers.add(worker);
  if (exitHook) return;
  exitHook = true;
  // A worker stuck in a statement would not notice its parent is gone: end them all as the host exits.
  process.once('exit', () => {
    for (const w of liveWorkers) w.kill('SIGKILL');
  });
}
