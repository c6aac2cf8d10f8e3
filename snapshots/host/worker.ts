// Worker-process entry of the host's job pool (pool.ts forks it): runs one job
// at a time and answers with plain data over the IPC channel. Export bytes are
// sent in chunks that the host acknowledges, so a slow download holds the
// export back instead of memory.
import { toApiError } from '../../shared/api/errors.ts';
import { runJob, type JobSpec } from './jobs.ts';

export type ToWorker = { type: 'job'; id: number; spec: JobSpec } | { type: 'ack'; id: number };
export type FromWorker =
  | { type: 'progress'; id: number; progress: unknown }
  | { type: 'chunk'; id: number; bytes: Uint8Array }
  | { type: 'done'; id: number; result: unknown }
  | { type: 'error'; id: number; error: ReturnType<typeof toApiError> };

/** Chunks a job may have unacknowledged before it waits. */
const CHUNKS_IN_FLIGHT = 4;

let inFlight = 0;
let wake: (() => void) | null = null;

function send(message: FromWorker): void {
  if (process.connected) process.send!(message);
}

// The host is gone (or closed the channel): nothing is left to answer.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: ToWorker) => {
  if (message.type === 'ack') {
    inFlight = Math.max(0, inFlight - 1);
    const w = wake;
    wake = null;
    w?.();
    return;
  }
  const { id, spec } = message;
  inFlight = 0;
  const ctx = {
    progress(progress: unknown) {
      send({ type: 'progress', id, progress });
    },
    async chunk(bytes: Uint8Array) {
      inFlight++;
      send({ type: 'chunk', id, bytes });
      while (inFlight >= CHUNKS_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
    },
  };
  runJob(spec, ctx as Parameters<typeof runJob>[1]).then(
    (result) => send({ type: 'done', id, result }),
    (error: unknown) => send({ type: 'error', id, error: toApiError(error, 'failed') }),
  );
});
