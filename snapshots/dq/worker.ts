// Child-process entry of a guarded DQ run (dq/guarded.ts forks it): runs the
// pack once on the snapshot, announcing each statement with the rules it
// serves, and answers with the run as plain data. Its parent ends it with
// SIGKILL when a statement runs past the time limit (SQLite cannot be
// interrupted here, see file/timeLimit.ts). A small thread ends it too if its
// parent goes away, because a statement that never returns to JavaScript would
// otherwise keep running (and its core busy) with no one to wait for it.
import { Worker } from 'node:worker_threads';
import type { RulePack } from '../../shared/dq/pack.ts';
import { openSnapshot } from '../file/reader.ts';
import { runPack, type DqRun } from './run.ts';

export type ToDqWorker = { type: 'run'; path: string; pack: RulePack; stopped: [number, string][]; isolated: number[] };
export type FromDqWorker = { type: 'done'; run: DqRun } | { type: 'error'; message: string; hint: string | null };

/** Polls the parent's pid from a thread of its own (the main thread may be stuck in SQLite): reparented means orphaned. */
const ORPHAN_GUARD = `
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
}, 250);
`;

function send(message: FromDqWorker): void {
  if (process.connected) process.send!(message);
}

/** The orphan guard, running: a thread that has not started yet could not watch a main thread stuck in a statement. */
const guarded = new Promise<void>((resolve, reject) => {
  const guard = new Worker(ORPHAN_GUARD, { eval: true });
  guard.once('online', () => {
    guard.unref();
    resolve();
  });
  guard.once('error', reject);
});

// The parent is gone (or closed the channel): nothing is left to answer.
process.on('disconnect', () => process.exit(0));

process.on('message', async (message: ToDqWorker) => {
  if (message.type !== 'run') return;
  try {
    const db = openSnapshot(message.path);
    try {
      await guarded;
      // As `snapbench dq`: memory-mapped reads make the scans cheaper on a connection of our own.
      db.pragma('mmap_size = 2147418112');
      const run = runPack(db, message.pack, { stopped: new Map(message.stopped), isolated: new Set(message.isolated) });
      send({ type: 'done', run });
    } finally {
      db.close();
    }
  } catch (error) {
    const e = error as Error & { hint?: unknown };
    send({ type: 'error', message: e.message, hint: typeof e.hint === 'string' ? e.hint : null });
  }
});
