// `snapbench dq --fleet FLEET --pack PACK --pushdown --out FILE`: the rule pack
// run where the data lives. Each instance is opened exactly as a pull opens it
// (the adapters' own connect and read-only session code, guards and statement
// time limit); instead of reading rows, the session runs the pack's checks as
// aggregate SQL (session.ts). The output is a snapshot without data tables:
// catalog with exact row counts, server facts, Redis inventories, and the DQ run.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { evaluateCondition, parseCondition } from '../../shared/dq/condition.ts';
import { formatDecimal } from '../../shared/dq/decimal.ts';
import { failCondition, type Rule, type RulePack } from '../../shared/dq/pack.ts';
import type { DqResult, Evidence, Status } from '../../shared/dq/results.ts';
import type { Fleet } from '../../shared/model/fleet.ts';
import { loadAdapter } from '../engines/index.ts';
import type { InstanceTarget, PullEvent } from '../engines/types.ts';
import { openSnapshot, readManifest } from '../file/reader.ts';
import { pullFleet, type PullFailure } from '../pull/pullFleet.ts';
import { keyHashSecret } from '../pull/provenance.ts';
import { runPack, type DqRun } from '../dq/run.ts';
import { storeRun } from '../dq/store.ts';
import { emptyTally, FROM_CATALOG, PUSHED_DOWN, runInSession, type DeferredMetric, type RuleTally, type SessionContext } from './session.ts';

export interface PushdownOptions {
  fleet: Fleet;
  fleetFile: string;
  fleetBytes: Buffer;
  pack: RulePack;
  out: string;
  only: string[] | null;
  concurrency: number;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
  onEvent?: (event: PullEvent) => void;
}

export interface PushdownResult {
  run: DqRun;
  failures: PullFailure[];
  pulled: string[];
  rootSha256: string | null;
  stored: boolean;
}

/** A target that keeps nothing: phase 2 reopens a session only to finish metrics. */
const discardTarget: InstanceTarget = {
  setVersion: () => {},
  setConsistency: () => {},
  setReplication: () => {},
  addServerFacts: () => {},
  addObjects: () => {},
  recordTable: async () => {},
  beginTable: () => ({ sink: { push: () => {} }, finish: async () => {}, abandon: async () => {} }),
  beginRedisDatabase: () => ({ push: () => {}, finish: async () => {} }),
};

function statusOf(rule: Rule, count: number | null, total: number | null, metrics: Record<string, unknown>): Status {
  const input = { count, total, metrics };
  if (evaluateCondition(parseCondition(failCondition(rule)), input) === true) return 'fail';
  if (rule.warn !== undefined && evaluateCondition(parseCondition(rule.warn), input) === true) return 'warn';
  return 'pass';
}

function base(rule: Rule, status: Status, fields: Partial<DqResult> = {}): DqResult {
  return { id: rule.id, title: rule.title, severity: rule.severity, status, count: null, total: null, metrics: {}, limited: false, evidence: [], evidenceQuery: null, ...fields };
}

function finishRule(rule: Rule, tally: RuleTally, limit: number): DqResult {
  if (tally.skipped) return base(rule, 'skipped', { metrics: { reason: tally.skipped } });
  if (tally.errors.length > 0) return base(rule, 'error', { metrics: { error: tally.errors.join('; ') } });
  if (tally.matched === 0) {
    const what = 'table' in rule && rule.table ? `table ${rule.table}` : 'database' in rule && rule.database ? `database ${rule.database}` : 'what the rule reads';
    return base(rule, 'skipped', { metrics: { reason: `${what} is not in the fleet` } });
  }
  const count = tally.parts.reduce((n, p) => n + p.count, 0);
  const totals = tally.parts.map((p) => p.total).filter((t): t is number => t !== null);
  const total = totals.length > 0 ? totals.reduce((a, b) => a + b, 0) : null;
  const metrics: Record<string, unknown> = { ...tally.extra, pushdown: true };
  if (['missing', 'allowed_values', 'pattern', 'reference', 'condition', 'row_count'].includes(rule.check) && tally.parts.length > 1) {
    metrics.tables = Object.fromEntries(tally.parts.map((p) => [p.table, p.count]));
  }
  for (const [name, m] of Object.entries(tally.metrics)) metrics[name] = m.isSum ? formatDecimal({ units: m.sum, scale: m.scale }) : m.count;
  const evidence: Evidence[] = tally.parts.flatMap((p) => p.evidence).slice(0, limit);
  return base(rule, statusOf(rule, count, total, metrics), { count, total, metrics, evidence });
}

/** Runs the pack on the fleet's servers; writes the output snapshot and stores the run in it. */
export async function runPushdown(options: PushdownOptions): Promise<PushdownResult> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const { pack } = options;
  const tallies = new Map(pack.rules.map((rule) => [rule.id, emptyTally()]));
  for (const rule of pack.rules) {
    if (!PUSHED_DOWN.has(rule.check) && !FROM_CATALOG.has(rule.check)) {
      tallies.get(rule.id)!.skipped = `${rule.check} is not run on the servers (it needs a grouped query per table); run it offline on a pull`;
    }
  }
  const context: SessionContext = { pack, tallies };
  const pulled = await pullFleet({
    fleet: options.fleet,
    fleetFile: options.fleetFile,
    fleetBytes: options.fleetBytes,
    out: options.out,
    only: options.only,
    maxRows: null,
    concurrency: options.concurrency,
    signal: options.signal,
    env: options.env,
    onEvent: options.onEvent,
    inPlace: (session) => runInSession(session, context),
  });

  // Phase 2: a metric that reads {{failing}} rows of another instance is finished in a new read-only session of its own instance.
  const deferred = [...tallies.values()].flatMap((t) => Object.values(t.metrics).flatMap((m) => m.deferred));
  const byInstance = new Map<string, DeferredMetric[]>();
  for (const m of deferred) byInstance.set(m.instance, [...(byInstance.get(m.instance) ?? []), m]);
  const { secret } = keyHashSecret(options.env);
  for (const [name, metrics] of byInstance) {
    const instance = options.fleet.instances.find((i) => i.name === name)!;
    try {
      await (await loadAdapter(instance.engine)).pullInstance(instance, discardTarget, {
        mode: 'catalog',
        maxRows: null,
        signal: options.signal,
        password: instance.connection?.passwordEnv ? options.env[instance.connection.passwordEnv] : undefined,
        keyHashSecret: secret,
        progress: () => {},
        inPlace: (session) => runInSession(session, { ...context, phase2: metrics, failingOf: (id) => tallies.get(id)!.failingRows }),
      });
    } catch (error) {
      for (const m of metrics) tallies.get(m.metric.split('\u0000')[0]!)!.errors.push(`${name}: ${(error as Error).message}`);
    }
  }

  let results = pack.rules.map((rule) => finishRule(rule, tallies.get(rule.id)!, rule.evidence_limit ?? pack.evidence_limit));
  let rootSha256: string | null = null;
  if (pulled.manifest) {
    // Catalog, server facts and Redis inventories are in the file: those rules run there, offline.
    const db = openSnapshot(options.out);
    try {
      rootSha256 = readManifest(db, options.out).rootSha256;
      const offlineRules = pack.rules.filter((r) => FROM_CATALOG.has(r.check));
      if (offlineRules.length > 0) {
        const offline = runPack(db, { ...pack, rules: offlineRules }).results;
        results = results.map((r) => offline.find((o) => o.id === r.id) ?? r);
      }
    } finally {
      db.close();
    }
  }
  const run: DqRun = {
    pack,
    results,
    startedAt,
    finishedAt: new Date().toISOString(),
    timings: { rules: {}, scans: {}, total: performance.now() - started },
  };
  let stored = false;
  if (pulled.manifest && rootSha256) {
    const outcome = storeRun(resolve(options.out), run, rootSha256);
    stored = outcome.stored;
  }
  return { run, failures: pulled.failures, pulled: pulled.pulled, rootSha256, stored };
}

export function packDigest(pack: RulePack): string {
  return createHash('sha256').update(JSON.stringify(pack)).digest('hex');
}
