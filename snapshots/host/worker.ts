// Worker-thread entry of the host's job pool: runs one job at a time and
// answers with plain data. Export bytes are sent in chunks that the host
// acknowledges, so a slow download holds the export back instead of memory.
import { parentPort } from 'node:worker_threads';
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

const port = parentPort!;
let inFlight = 0;
let wake: (() => void) | null = null;

function transferables(value: unknown, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (value instanceof Uint8Array) {
    if (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength && value.buffer instanceof ArrayBuffer && !out.includes(value.buffer)) out.push(value.buffer);
  } else if (Array.isArray(value)) for (const v of value) transferables(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) transferables(v, out);
  return out;
}

port.on('message', (message: ToWorker) => {
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
      port.postMessage({ type: 'progress', id, progress } satisfies FromWorker);
    },
    async chunk(bytes: Uint8Array) {
      inFlight++;
      port.postMessage({ type: 'chunk', id, bytes } satisfies FromWorker, transferables(bytes));
      while (inFlight >= CHUNKS_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
    },
  };
  runJob(spec, ctx as Parameters<typeof runJob>[1]).then(
    (result) => port.postMessage({ type: 'done', id, result } satisfies FromWorker, transferables(result)),
    (error: unknown) => port.postMessage({ type: 'error', id, error: toApiError(error, 'failed') } satisfies FromWorker),
  );
});
