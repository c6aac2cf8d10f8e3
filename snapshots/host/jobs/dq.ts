// A DQ run on the snapshot (stored in it when asked) and the full hash check.
import type Database from 'better-sqlite3';
import { fail } from '../../../shared/api/errors.ts';
import { DqPackError, type RulePack } from '../../../shared/dq/pack.ts';
import { loadPack, parsePackYaml } from '../../dq/loadPack.ts';
import { BUILT_IN_PACKS } from '../../../shared/dq/report07.ts';
import { GuardedRunError, runPackGuarded } from '../../dq/guarded.ts';
import { runPack } from '../../dq/run.ts';
import { defaultStatementTimeout, StatementTimeoutError } from '../../file/timeLimit.ts';
import { storeRun, type StoreOutcome } from '../../dq/store.ts';
import { openSnapshot, readManifest, SnapshotFileError } from '../../file/reader.ts';
import { verifySnapshot, type VerifyReport } from '../../file/verify.ts';
import { connection } from './connection.ts';
import type { DqJobResult, JobContext, JobSpec } from './types.ts';

export async function dqJob(spec: Extract<JobSpec, { kind: 'dq' }>, ctx: JobContext): Promise<DqJobResult> {
  let pack: RulePack;
  try {
    pack = spec.packYaml !== null ? parsePackYaml(spec.packYaml, 'pack') : loadPack(spec.pack ?? undefined);
  } catch (error) {
    if (error instanceof DqPackError) fail('bad-request', error.message, '"snapbench dq pack" prints report-07 as an example');
    throw error;
  }
  const db = connection(spec.path);
  ctx.progress({ phase: `running ${pack.rules.length} rules`, done: 0, total: pack.rules.length, unit: 'rules' });
  // A pack someone wrote runs in child processes of this worker: a rule past the statement time limit
  // becomes an error and the others run (dq/guarded.ts). Built-in packs run here; the pool times them.
  const seconds = defaultStatementTimeout();
  const userPack = spec.packYaml !== null || !(spec.pack === null || spec.pack in BUILT_IN_PACKS);
  const run = userPack && seconds > 0 ? await guardedRun(spec.path, pack, seconds) : runPack(db, pack);
  let stored: StoreOutcome = { stored: false, reason: 'not asked to store the results' };
  if (spec.store) {
    ctx.progress({ phase: 'storing the results in the snapshot', done: pack.rules.length, total: pack.rules.length, unit: 'rules' });
    stored = storeRun(spec.path, run, readManifest(db, spec.path).rootSha256);
  }
  return { pack: run.pack, results: run.results, startedAt: run.startedAt, finishedAt: run.finishedAt, stored };
}

async function guardedRun(path: string, pack: RulePack, seconds: number) {
  try {
    return await runPackGuarded({ path, pack, timeoutSeconds: seconds });
  } catch (error) {
    if (error instanceof GuardedRunError || error instanceof StatementTimeoutError) fail('failed', error.message, 'hint' in error ? error.hint : null);
    throw error;
  }
}

export function verifyJob(spec: Extract<JobSpec, { kind: 'verify' }>, ctx: JobContext): VerifyReport & { seconds: number } {
  const started = performance.now();
  ctx.progress({ phase: 'recomputing every table hash', done: 0, total: null, unit: 'tables' });
  let db: Database.Database;
  try {
    db = openSnapshot(spec.path, { inspect: true });
  } catch (error) {
    if (error instanceof SnapshotFileError) fail('not-found', error.message, error.hint);
    throw error;
  }
  try {
    const report = verifySnapshot(db, spec.path);
    return { ...report, seconds: (performance.now() - started) / 1000 };
  } finally {
    db.close();
  }
}
