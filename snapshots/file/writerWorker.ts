// Worker-thread entry of the snapshot writer: applies the store calls the main
// thread sends, in order, and answers each one. A failed insert marks its table
// failed (the table's finish then reports it) without stopping other tables.
import { parentPort, workerData } from 'node:worker_threads';
import { SnapshotStore } from './store.ts';
import type { StoreCall, StoreReply } from './writer.ts';

const { tempPath, outPath } = workerData as { tempPath: string; outPath: string };
const port = parentPort!;
let store: SnapshotStore;
try {
  store = new SnapshotStore(tempPath, outPath);
} catch (error) {
  port.postMessage({ seq: 0, ok: false, error: (error as Error).message } satisfies StoreReply);
  throw error;
}
const failedTables = new Map<number, string>();

port.on('message', (call: StoreCall) => {
  const tableId = call.method === 'insertRows' || call.method === 'insertEncoded' || call.method === 'finishTable' || call.method === 'finishRedisDatabase' ? (call.args[0] as number) : null;
  try {
    if (tableId !== null && failedTables.has(tableId)) {
      if (call.method === 'insertRows' || call.method === 'insertEncoded') return port.postMessage({ seq: call.seq, ok: true } satisfies StoreReply);
      throw new Error(failedTables.get(tableId));
    }
    const value = (store[call.method] as (...args: unknown[]) => unknown).apply(store, call.args);
    port.postMessage({ seq: call.seq, ok: true, value } satisfies StoreReply);
  } catch (error) {
    const message = `writing the snapshot failed: ${(error as Error).message}`;
    if (tableId !== null) failedTables.set(tableId, message);
    port.postMessage({ seq: call.seq, ok: false, error: message } satisfies StoreReply);
  }
});
