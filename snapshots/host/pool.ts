// Worker threads for the host's data work, in two lanes: `interactive` (grid
// pages: short, one at a time, never queued behind a profile) and `background`
// (profiles, counts, SQL, exports, DQ, verify). Cancelling a running job ends
// its worker (SQLite has no other way to stop a statement); a new one starts
// on demand.
import { Worker } from 'node:worker_threads';
import { apiError, ApiFailure, type ApiError } from '../../shared/api/errors.ts';
import type { JobProgress } from '../../shared/api/types.ts';
import { compiledScript } from '../compiled.ts';
import type { JobSpec } from './jobs.ts';
import type { FromWorker, ToWorker } from './worker.ts';

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
  worker: Worker | null;
  job: Job | null;
}

export class JobPool {
  private readonly slots: Record<Lane, Slot[]>;
  private readonly queues: Record<Lane, Job[]> = { interactive: [], background: [] };
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly script: string = compiledScript('hostWorker'),
    sizes: Record<Lane, number> = { interactive: 1, background: 2 },
  ) {
    this.slots = {
      interactive: Array.from({ length: sizes.interactive }, () => ({ worker: null, job: null })),
      background: Array.from({ length: sizes.background }, () => ({ worker: null, job: null })),
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
    const worker = slot.worker;
    slot.worker = null;
    slot.job = null;
    this.settle(job, { error: new ApiFailure(apiError('cancelled', 'cancelled')) });
    void worker?.terminate();
    void this.pump(job.lane);
  }

  private async spawn(slot: Slot): Promise<Worker> {
    const worker = new Worker(this.script);
    worker.on('message', (message: FromWorker) => this.onMessage(slot, worker, message));
    worker.on('error', (error) => this.onWorkerGone(slot, worker, error.message));
    worker.on('exit', (code) => this.onWorkerGone(slot, worker, `exit code ${code}`));
    worker.unref();
    return worker;
  }

  private onWorkerGone(slot: Slot, worker: Worker, why: string): void {
    if (slot.worker !== worker) return;
    slot.worker = null;
    const job = slot.job;
    slot.job = null;
    if (job && !job.dropped) this.settle(job, { error: new ApiFailure(apiError('failed', `the data worker stopped (${why})`, 'try again; if it keeps failing, run "snapbench verify" on the file')) });
    void this.pump(job?.lane ?? 'background');
  }

  private onMessage(slot: Slot, worker: Worker, message: FromWorker): void {
    const job = slot.job;
    if (!job || job.id !== message.id || slot.worker !== worker) return;
    if (job.dropped && message.type !== 'done' && message.type !== 'error') return;
    switch (message.type) {
      case 'progress':
        job.options.onProgress?.(message.progress as JobProgress);
        return;
      case 'chunk': {
        const ack = () => {
          if (slot.worker === worker && slot.job === job) worker.postMessage({ type: 'ack', id: job.id } satisfies ToWorker);
        };
        Promise.resolve(job.options.onChunk?.(message.bytes)).then(ack, () => this.cancel(job));
        return;
      }
      case 'done':
      case 'error':
        slot.job = null;
        worker.unref();
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
      slot.worker.ref(); // a running job keeps the process alive; an idle worker does not
      slot.worker.postMessage({ type: 'job', id: job.id, spec: job.spec } satisfies ToWorker);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const lane of ['interactive', 'background'] as const) {
      for (const job of this.queues[lane].splice(0)) this.settle(job, { error: new ApiFailure(apiError('cancelled', 'the host is shutting down')) });
      for (const slot of this.slots[lane]) {
        const worker = slot.worker;
        slot.worker = null;
        if (slot.job) this.settle(slot.job, { error: new ApiFailure(apiError('cancelled', 'the host is shutting down')) });
        slot.job = null;
        await worker?.terminate();
      }
    }
  }
}
