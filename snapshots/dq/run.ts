// Runs a rule pack against an open snapshot, offline. The connection should be
// read-only (openSnapshot): checks only read, so no data table can change.
//
// Rules are planned first (their table aggregates collected), then each table is
// scanned once for all of them, then every rule finishes from those values. A
// rule that cannot run is `skipped` (what is missing) or `error` (why); it never
// stops the others.
import type Database from 'better-sqlite3';
import { evaluateCondition, parseCondition } from '../../shared/dq/condition.ts';
import { addDecimals, declaredScale, formatDecimal, parseDecimal, type Decimal } from '../../shared/dq/decimal.ts';
import { failCondition, type Rule, type RulePack } from '../../shared/dq/pack.ts';
import type { DqResult, Status } from '../../shared/dq/results.ts';
import { loadCatalog, type Catalog, type CatalogColumn } from './catalog.ts';
import { CHECKS } from './checks/index.ts';
import { RuleContext, SkipRule, TableScans, toCount, type Finish, type Outcome } from './engine.ts';
import { registerDqFunctions } from './functions.ts';
import { quoteIdentifier } from './sql.ts';
import { announceStatement } from '../file/timeLimit.ts';

export interface DqRun {
  pack: RulePack;
  results: DqResult[];
  startedAt: string;
  finishedAt: string;
  /** Milliseconds per rule (planning + finishing) and per table scan. */
  timings: { rules: Record<string, number>; scans: Record<string, number>; total: number };
}

/**
 * An exact sum over one table as SQL aggregates. A DECIMAL column holds the
 * server's fixed-scale text ("12.50" for DECIMAL(12,2)): those values are summed
 * by SQLite as integers of the last unit (1250), and only values of another
 * shape go through the JavaScript decimal sum; integers are summed by SQLite.
 */
function exactSumAggregates(column: CatalogColumn, filter: string | null): { integer: string; scale: number; rest: string } {
  const c = quoteIdentifier(column.sqlColumn);
  const scale = declaredScale(column.declaredType);
  const and = (condition: string) => `FILTER (WHERE ${filter ? `(${filter}) AND ` : ''}${condition})`;
  if (column.storage === 'decimal') {
    // A GLOB on the last characters is the cheapest test of the fixed-scale shape.
    const fixed = scale > 0 ? `${c} GLOB '*.${'[0-9]'.repeat(scale)}'` : `NOT ${c} GLOB '*[^0-9-]*'`;
    return { integer: `sum(CAST(replace(${c}, '.', '') AS INTEGER)) ${and(fixed)}`, scale, rest: `dq_decimal_sum(${c}) ${and(`NOT (${fixed})`)}` };
  }
  const integer = `typeof(${c}) = 'integer'`;
  return { integer: `sum(${c}) ${and(integer)}`, scale: 0, rest: `dq_decimal_sum(${c}) ${and(`NOT ${integer}`)}` };
}

/** The rule's own `metrics:` (exact sums and counts over any table), planned into the same scans. */
function planRuleMetrics(rule: Rule, ctx: RuleContext): () => Record<string, unknown> {
  const metrics = Object.entries(rule.metrics ?? {}).map(([name, definition]) => {
    const where = definition.where ? ctx.expand(definition.where) : null;
    const tables = ctx.tables(definition.table, { instance: definition.instance });
    if (definition.sum === undefined) {
      const counts = tables.map((table) => ctx.aggregate(table, where ? `count(*) FILTER (WHERE ${where})` : 'count(*)'));
      return (): [string, unknown] => [name, counts.reduce((n, get) => n + toCount(get()), 0)];
    }
    const sums = tables.map((table) => {
      const sql = exactSumAggregates(ctx.column(table, definition.sum!), where);
      return { scale: sql.scale, integer: ctx.aggregate(table, sql.integer), rest: ctx.aggregate(table, sql.rest) };
    });
    return (): [string, unknown] => {
      let sum: Decimal = { units: 0n, scale: Math.max(0, ...sums.map((s) => s.scale)) };
      for (const s of sums) {
        const integer = s.integer();
        if (integer !== null) sum = addDecimals(sum, { units: BigInt(integer as bigint | number), scale: s.scale });
        sum = addDecimals(sum, parseDecimal(String(s.rest() ?? '0'))!);
      }
      return [name, formatDecimal(sum)];
    };
  });
  return () => Object.fromEntries(metrics.map((m) => m()));
}

function statusOf(rule: Rule, outcome: Outcome, metrics: Record<string, unknown>): Status {
  const input = { count: outcome.count, total: outcome.total, metrics };
  if (evaluateCondition(parseCondition(failCondition(rule)), input) === true) return 'fail';
  if (rule.warn !== undefined && evaluateCondition(parseCondition(rule.warn), input) === true) return 'warn';
  return 'pass';
}

function result(rule: Rule, status: Status, fields: Partial<DqResult>): DqResult {
  return {
    id: rule.id,
    title: rule.title,
    severity: rule.severity,
    status,
    count: null,
    total: null,
    metrics: {},
    limited: false,
    evidence: [],
    evidenceQuery: null,
    ...fields,
  };
}

function failed(rule: Rule, error: unknown, limited = false): DqResult {
  if (error instanceof SkipRule) return result(rule, 'skipped', { metrics: { reason: error.message }, limited });
  return result(rule, 'error', { metrics: { error: error instanceof Error ? error.message : String(error) }, limited });
}

export interface RunPackOptions {
  catalog?: Catalog;
  now?: () => Date;
  /** Rules (by index) stopped at the statement time limit in an earlier attempt (dq/guarded.ts): `error` with this message, not run again. */
  stopped?: ReadonlyMap<number, string>;
  /** Rules (by index) that scan their tables on their own: a shared scan of theirs ran past the time limit. */
  isolated?: ReadonlySet<number>;
}

export function runPack(db: Database.Database, pack: RulePack, options: RunPackOptions = {}): DqRun {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const started = performance.now();
  registerDqFunctions(db);
  const catalog = options.catalog ?? loadCatalog(db);
  const scans = new TableScans(db, options.isolated);
  const timings: Record<string, number> = {};

  const planned = pack.rules.map((rule, index) => {
    announceStatement(`rule ${rule.id}`, [index]);
    const t0 = performance.now();
    const ctx = new RuleContext(db, catalog, scans, rule, rule.evidence_limit ?? pack.evidence_limit);
    const stopped = options.stopped?.get(index);
    if (stopped !== undefined) return { rule, ctx, finish: null, metrics: null, done: result(rule, 'error', { metrics: { error: stopped } }), ms: 0 };
    try {
      const finish = (CHECKS[rule.check] as (rule: Rule, ctx: RuleContext) => Finish)(rule, ctx);
      const metrics = planRuleMetrics(rule, ctx);
      scans.commit(index, ctx.pending);
      return { rule, ctx, finish, metrics, done: null as DqResult | null, ms: performance.now() - t0 };
    } catch (error) {
      return { rule, ctx, finish: null, metrics: null, done: failed(rule, error, ctx.limited), ms: performance.now() - t0 };
    }
  });

  scans.run((table, rules) => announceStatement(`the scan of ${table} for rule${rules.length > 1 ? 's' : ''} ${rules.map((i) => pack.rules[i]!.id).join(', ')}`, rules));

  const results = planned.map(({ rule, ctx, finish, metrics, done, ms }, index) => {
    announceStatement(`rule ${rule.id}`, [index]);
    const t0 = performance.now();
    try {
      if (done) return done;
      const scanError = scans.errors.get(index);
      if (scanError) throw scanError;
      const outcome = finish!();
      const all = { ...outcome.metrics, ...metrics!() };
      return result(rule, statusOf(rule, outcome, all), {
        count: outcome.count,
        total: outcome.total,
        metrics: all,
        limited: ctx.limited,
        evidence: outcome.evidence ?? [],
        evidenceQuery: outcome.evidenceQuery ?? null,
      });
    } catch (error) {
      return failed(rule, error, ctx.limited);
    } finally {
      timings[rule.id] = ms + performance.now() - t0;
    }
  });

  announceStatement(null);
  return {
    pack,
    results,
    startedAt,
    finishedAt: now().toISOString(),
    timings: { rules: timings, scans: Object.fromEntries(scans.timings), total: performance.now() - started },
  };
}
