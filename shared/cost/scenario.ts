// A scenario: the cost model's answer with its explanation attached to every
// number, so a UI can show "why is this $312?" — which inputs and which formula
// produced it — and an analyst can check the arithmetic by hand.
import { ASSUMPTION_KEYS, ASSUMPTION_SPECS, REPORT_DISCREPANCIES, type Assumptions } from './assumptions.ts';
import { DECISION_SPECS, POOL_BELOW_ONE_PERCENT, TOGGLE_KEYS, TOGGLE_SETTINGS, defaultDecisions, type DecisionKey, type Decisions, type ToggleKey } from './decisions.ts';
import type { CostFleet } from './fleet.ts';
import {
  ENGINES,
  LINE_ITEMS,
  archivedShare,
  createCostModel,
  fleetCost,
  roundCost,
  type CostBreakdown,
  type CostEngine,
  type CostModel,
  type ItemDetail,
  type LineItem,
  type RoundedCost,
} from './model.ts';
import { formatDollars, formatNumber, formatPercent, fromCents } from './money.ts';
import type { PriceCatalogue } from './prices.ts';
import { clustersAfterPoolingBelow, type PresetName } from './presets.ts';

/** How a number came about: the formula in names, the same with this scenario's values, and what it rests on. */
export interface Explanation {
  label: string;
  formula: string;
  worked: string;
  inputs: Record<string, number | string | boolean>;
  /** Keys of `assumptions` the number depends on. */
  assumptions: string[];
  note?: string;
}

export interface LineItemResult {
  engine: CostEngine;
  item: LineItem;
  monthly: number;
  explanation: Explanation;
}

export interface SavingsStep {
  step: string;
  label: string;
  decisions: Partial<Record<DecisionKey, number | boolean | string>>;
  /** Monthly total before and after this decision, with every earlier step applied. */
  before: number;
  after: number;
  saved: number;
  explanation: Explanation;
}

export interface SectionSaving {
  toggle: ToggleKey;
  label: string;
  /** Saved when this toggle alone is applied to the current state, at the scenario's store count. */
  saved: number;
  report: { saved: string; section: string };
  note: string;
}

export interface CurvePoint {
  stores: number;
  total: number;
  perStore: number;
  byEngine: Record<CostEngine, number>;
}

export interface RedisProjection {
  stores: number;
  clusters: string[];
  measured: { persistentKeys: number; persistentGib: number; bytesPerKey: number; clusterUsedGib: number; stores: number };
  withoutTtl: { persistentKeys: number; persistentGib: number; clusterUsedGib: number };
  withTtl: { ttlEnforcement: number; persistentKeys: number; persistentGib: number; clusterUsedGib: number; reclaimedGib: number; keysStopped: number };
  report: { persistentKeys: string; memory: string; section: string };
  explanation: Explanation;
}

export interface ItemResult extends ItemDetail {
  why: string;
}

export interface AssumptionRecord {
  value: number | string | boolean;
  unit?: string;
  source: string;
  note?: string;
}

export interface ScenarioResult {
  preset: PresetName | 'custom';
  stores: number;
  monthly: { total: number; perStore: number; byEngine: Record<CostEngine, number> };
  instances: Record<CostEngine, number>;
  assumptions: Record<string, AssumptionRecord>;
  rounding: string;
  fleet: { source: string; measuredStores: number; measured: Record<CostEngine, number>; notes: string[] };
  decisions: Decisions;
  lineItems: LineItemResult[];
  nodes: CostBreakdown['counts'];
  savings: { baseline: number; saved: number; steps: SavingsStep[] };
  sectionSavings: SectionSaving[];
  curve: CurvePoint[];
  redisProjection: RedisProjection;
  explanations: {
    total: Explanation;
    perStore: Explanation;
    byEngine: Record<CostEngine, Explanation>;
    instances: Record<CostEngine, Explanation>;
  };
  items: ItemResult[];
}

export const ROUNDING_RULE =
  'Money is in US dollars per month. Each line item is rounded to whole cents; byEngine adds the line items of an engine and total adds byEngine, in cents, so the printed parts sum exactly to the printed total. perStore is total / stores, not rounded, so it equals total / stores exactly.';

export const DEFAULT_CURVE_STORES = [1, 8, 16, 25, 50, 100, 200, 500, 1000] as const;

/** The waterfall: each step applies some decisions on top of the previous ones, in this order. */
const WATERFALL: { step: string; label: string; keys: DecisionKey[] }[] = [
  { step: 'removeTestInstances', label: 'Remove DBA test instances', keys: ['removeTestInstances'] },
  { step: 'redisConsolidation', label: 'Consolidate Redis clusters', keys: ['redisClusters', 'redisPoolNodeClass', 'redisWorkloadsPerPool', 'redisReplicasPerShard'] },
  { step: 'ttlEnforcement', label: 'TTL on persistent Redis keys', keys: ['ttlEnforcement'] },
  { step: 'redisEngineUpgrade', label: 'Redis 7.2 on ElastiCache for Valkey', keys: ['redisEngineUpgrade'] },
  { step: 'mysqlConsolidation', label: 'Multi-tenant MySQL consolidation', keys: ['mysqlConsolidation', 'mysqlTenantsPerHost', 'mysqlTenantHostClass'] },
  { step: 'mysqlRightSizing', label: 'Right-size low-traffic MySQL', keys: ['mysqlRightSizing', 'mysqlRightSizeClass'] },
  { step: 'serverless', label: 'Batch-only databases on Aurora Serverless v2', keys: ['serverlessShare'] },
  { step: 'archival', label: 'Archive old monitoring/inventory/marketing rows', keys: ['archiveAfterDays'] },
  { step: 'analyticsReadReplicas', label: 'Read replicas for analytics', keys: ['analyticsReadReplicas'] },
  { step: 'reservedInstances', label: 'Reserved instances', keys: ['reservedCoverage', 'reservedTerm', 'reservedPayment'] },
];

const SECTION_REPORT: Record<ToggleKey, { saved: string; section: string; note: string }> = {
  immediateSavings: {
    saved: '$4,500/month ($2,700 Redis + $1,500 right-sizing + $300 test instances)',
    section: '11.1',
    note: 'Each measured alone against the current state.',
  },
  mediumTermSavings: {
    saved: '$7,400/month ($1,800 multi-tenant + $4,800 reserved + $800 Redis 7.x)',
    section: '11.2',
    note: REPORT_DISCREPANCIES.redisUpgrade,
  },
  longTermSavings: {
    saved: '$3,500–$6,000/month (11.4 counts $3,500)',
    section: '11.3',
    note: `${REPORT_DISCREPANCIES.kubernetesPooling} ${REPORT_DISCREPANCIES.coldStorage}`,
  },
};

export interface ScenarioInput {
  preset: PresetName | 'custom';
  fleet: CostFleet;
  prices: PriceCatalogue;
  assumptions: Assumptions;
  decisions: Decisions;
  /** Preset sources by decision, quoted in the assumptions. */
  decisionSources?: Partial<Record<DecisionKey, string>>;
  curveStores?: readonly number[];
}

export interface ScenarioOptions {
  /** Leave out the per-instance list (the UI's slider path does not need it). */
  items?: boolean;
  curve?: boolean;
  savings?: boolean;
}

const money = (cents: number) => formatDollars(fromCents(cents));

function decisionsWith(base: Decisions, from: Decisions, keys: readonly DecisionKey[]): Decisions {
  const next = { ...base } as Record<DecisionKey, unknown>;
  for (const key of keys) next[key] = from[key];
  return next as unknown as Decisions;
}

/** The "as found" decisions at the scenario's store count and order rate. */
export function currentStateDecisions(fleet: CostFleet, decisions: Decisions): Decisions {
  return { ...defaultDecisions(), redisClusters: fleet.caches.length, stores: decisions.stores, ordersPerStorePerDay: decisions.ordersPerStorePerDay };
}

/** Evaluates a scenario, building the cost model for its fleet; use `evaluateWithModel` to reuse a model across slider moves. */
export function evaluateScenario(input: ScenarioInput, options: ScenarioOptions = {}): ScenarioResult {
  return evaluateWithModel(createCostModel(input.fleet, input.prices, input.assumptions), input, options);
}

export function evaluateWithModel(model: CostModel, input: ScenarioInput, options: ScenarioOptions = {}): ScenarioResult {
  const { decisions } = input;
  const breakdown = fleetCost(model, decisions, options.items !== false);
  const rounded = roundCost(breakdown);
  const total = fromCents(rounded.total);
  const byEngine = { mysql: fromCents(rounded.engines.mysql), redis: fromCents(rounded.engines.redis), postgres: fromCents(rounded.engines.postgres) };
  const instances = { mysql: breakdown.counts.mysql, redis: breakdown.counts.redis, postgres: breakdown.counts.postgres };
  const lineItems = buildLineItems(model, decisions, breakdown, rounded);
  const savings = options.savings === false ? { baseline: total, saved: 0, steps: [] } : buildWaterfall(model, input);
  const sectionSavings = options.savings === false ? [] : buildSectionSavings(model, input);
  const curve = options.curve === false ? [] : buildCurve(model, decisions, input.curveStores ?? DEFAULT_CURVE_STORES);
  return {
    preset: input.preset,
    stores: decisions.stores,
    monthly: { total, perStore: total / decisions.stores, byEngine },
    instances,
    assumptions: buildAssumptions(model, input),
    rounding: ROUNDING_RULE,
    fleet: {
      source: input.fleet.source,
      measuredStores: model.assumptions.measuredStores,
      measured: {
        mysql: input.fleet.databases.filter((d) => d.engine === 'mysql').length,
        redis: input.fleet.caches.length,
        postgres: input.fleet.databases.filter((d) => d.engine === 'postgres').length,
      },
      notes: input.fleet.notes,
    },
    decisions,
    lineItems,
    nodes: breakdown.counts,
    savings,
    sectionSavings,
    curve,
    redisProjection: buildRedisProjection(model, decisions, breakdown),
    explanations: buildHeadlineExplanations(model, decisions, breakdown, rounded, lineItems),
    items: (breakdown.details ?? []).map((detail) => ({ ...detail, monthly: Math.round(detail.monthly * 100) / 100, why: explainItem(model, decisions, detail) })),
  };
}

const growthTexts = new WeakMap<CostBreakdown, string>();

function growthText(breakdown: CostBreakdown): string {
  const cached = growthTexts.get(breakdown);
  if (cached !== undefined) return cached;
  const text = Object.entries(breakdown.growth)
    .map(([category, factor]) => `${category} ×${formatNumber(factor, 3)}`)
    .join(', ');
  growthTexts.set(breakdown, text);
  return text;
}

function buildLineItems(model: CostModel, decisions: Decisions, breakdown: CostBreakdown, rounded: RoundedCost): LineItemResult[] {
  const { prices, assumptions: a } = model;
  const c = breakdown.counts;
  const results: LineItemResult[] = [];
  const reservedNote = (engine: CostEngine) => {
    const service = engine === 'redis' ? 'elasticache' : 'rds';
    const discount = prices.reserved[service][decisions.reservedTerm][decisions.reservedPayment];
    return { discount, factor: engine === 'redis' ? breakdown.reservedFactor.elasticache : breakdown.reservedFactor.rds };
  };
  for (const engine of ENGINES) {
    for (const item of LINE_ITEMS) {
      const cents = rounded.lines[engine][item];
      const { discount, factor } = reservedNote(engine);
      const reservedText = `× (1 − ${formatPercent(decisions.reservedCoverage, 0)} reserved coverage × ${formatPercent(discount, 0)} ${decisions.reservedTerm} ${decisions.reservedPayment} discount) = × ${formatNumber(factor, 4)}`;
      let explanation: Explanation;
      if (item === 'compute' && engine === 'redis') {
        explanation = {
          label: 'Redis primary nodes',
          formula: 'Σ clusters: shards × node hourly price × 730 h [× 0.8 on Valkey] × (1 − reserved coverage × discount)',
          worked: `${formatDollars(breakdown.onDemand.redis.compute)} on-demand ${reservedText} = ${money(cents)}`,
          inputs: {
            clustersKept: c.redisKept,
            pooledClusters: c.redisPools,
            pooledWorkloads: c.redisPooled,
            poolPrimaries: breakdown.redisMemory.poolPrimaries,
            poolNodeClass: decisions.redisPoolNodeClass,
            requiredMib: Math.round(breakdown.redisMemory.requiredMib),
            provisionedUsableMib: Math.round(breakdown.redisMemory.provisionedMib),
            valkeyFactor: breakdown.valkeyFactor,
            growth: growthText(breakdown),
          },
          assumptions: ['redisHeadroom', 'redisReservedMemoryShare', 'inactiveKeyShare', 'prices'],
          note: `The ${c.redisKept} most utilised clusters keep their node class, moved up a class when used memory × ${formatNumber(1 + a.redisHeadroom)} outgrows it; the other ${c.redisPooled} are packed onto ${breakdown.redisMemory.poolPrimaries} ${decisions.redisPoolNodeClass} primaries in ${c.redisPools} pooled clusters.`,
        };
      } else if (item === 'replicas' && engine === 'redis') {
        explanation = {
          label: 'Redis replica nodes',
          formula: 'Σ clusters: shards × replicas per shard × node hourly price × 730 h [× 0.8 on Valkey] × (1 − reserved coverage × discount)',
          worked: `${formatDollars(breakdown.onDemand.redis.replicas)} on-demand ${reservedText} = ${money(cents)}`,
          inputs: { replicaNodes: c.redisNodes - c.redisKept - breakdown.redisMemory.poolPrimaries, poolReplicasPerShard: decisions.redisReplicasPerShard },
          assumptions: ['prices'],
          note: 'Each measured cluster keeps its replicas (the preset assumes one per cluster); pooled clusters get redisReplicasPerShard per primary.',
        };
      } else if (item === 'compute') {
        explanation = {
          label: `${engine === 'mysql' ? 'MySQL' : 'PostgreSQL'} instances`,
          formula:
            'Σ instances: hourly price of the smallest class (at least the current one) whose sustained vCPU ≥ load × vCPU × growth / maxLoad, × 730 h × 2 if Multi-AZ × shards; then × (1 − reserved coverage × discount)',
          worked: `${formatDollars(breakdown.onDemand[engine].compute)} on-demand ${reservedText} = ${money(cents)}`,
          inputs: {
            instances: c[engine] - (engine === 'mysql' ? c.mysqlServerless : 0),
            ...(engine === 'mysql'
              ? { tenantHosts: c.mysqlTenantHosts, merged: c.mysqlMerged, rightSized: c.mysqlRightSized, removed: c.mysqlRemoved, movedToServerless: c.mysqlServerless }
              : {}),
            maxLoad: a.maxLoad,
            growth: growthText(breakdown),
          },
          assumptions: ['maxLoad', 'measuredStores', 'measuredOrdersPerStorePerDay', 'elasticityOrders', 'elasticityInventory', 'prices'],
          note: 'Per-instance classes and the load behind each are in items[].why.',
        };
      } else if (item === 'replicas') {
        explanation = {
          label: engine === 'mysql' ? 'MySQL replicas: those the fleet runs, and read replicas for analytics' : 'PostgreSQL replicas the fleet runs',
          formula: 'Σ replicas: same class as the primary, Single-AZ, hourly × 730 h × (1 − reserved coverage × discount) + the replica\'s storage × storage price',
          worked: `${formatDollars(breakdown.onDemand[engine].replicas)} on-demand compute ${reservedText} + storage = ${money(cents)}`,
          inputs: { readReplicas: engine === 'mysql' ? c.mysqlReadReplicas : c.postgresReplicas, analyticsLoadShare: a.analyticsLoadShare },
          assumptions: ['analyticsLoadShare', 'prices'],
          note: 'A replica takes analyticsLoadShare of its primary\'s load, which can keep the primary a class smaller as stores grow.',
        };
      } else if (item === 'storage') {
        explanation = {
          label: engine === 'redis' ? 'Redis storage' : `${engine === 'mysql' ? 'MySQL' : 'PostgreSQL'} storage`,
          formula:
            engine === 'redis'
              ? 'none: ElastiCache memory is part of the node price'
              : 'Σ instances: max(minimumStorageGb, online data × growth / storageFill) × gp3 price per GB-month × 2 if Multi-AZ',
          worked: `${money(cents)}`,
          inputs:
            engine === 'redis'
              ? {}
              : { dataGb: Math.round(breakdown.storage[engine].dataGb), onlineGb: Math.round(breakdown.storage[engine].onlineGb), pricePerGbMonth: prices.storageGbMonth, multiAzMultiplier: prices.multiAzMultiplier },
          assumptions: engine === 'redis' ? [] : ['minimumStorageGb', 'storageFill', 'prices'],
        };
      } else if (item === 'backup') {
        explanation = {
          label: 'Backup storage beyond the free allowance',
          formula: engine === 'redis' ? 'none modelled (one ElastiCache snapshot per cluster is free)' : 'Σ instances: max(0, online data × backupSizeRatio − allocated storage) × backup price per GB-month',
          worked: `${money(cents)}`,
          inputs: engine === 'redis' ? {} : { backupSizeRatio: a.backupSizeRatio, pricePerGbMonth: prices.backupGbMonth },
          assumptions: engine === 'redis' ? [] : ['backupSizeRatio', 'prices'],
        };
      } else if (item === 'serverless') {
        explanation = {
          label: 'Aurora Serverless v2 for batch-only databases',
          formula: 'Σ moved databases: (minimum ACU × 730 h + (peak ACU − minimum) × busy hours a day × 730/24) × ACU-hour price + online GB × Aurora storage price + I/O millions × I/O price',
          worked: `${money(cents)}`,
          inputs: { databases: engine === 'mysql' ? c.mysqlServerless : 0, acuHour: prices.acuHour, minAcu: a.serverlessMinAcu, batchHoursPerDay: a.batchHoursPerDay },
          assumptions: ['serverlessMinAcu', 'batchHoursPerDay', 'acuPerGib', 'auroraIoMillionsPerMonth', 'prices'],
        };
      } else {
        explanation = {
          label: 'Archived rows in S3',
          formula: 'archivable data × growth × (1 − archiveAfterDays / dataAgeDays) × archive price per GB-month',
          worked: `${money(cents)}`,
          inputs: {
            archiveAfterDays: decisions.archiveAfterDays,
            archivedShare: archivedShare(decisions.archiveAfterDays, a.dataAgeDays),
            archivedGb: engine === 'redis' ? 0 : Math.round(breakdown.storage[engine].archivedGb),
            pricePerGbMonth: prices.archiveGbMonth,
          },
          assumptions: ['dataAgeDays', 'prices'],
          note: engine === 'mysql' ? REPORT_DISCREPANCIES.coldStorage : undefined,
        };
      }
      results.push({ engine, item, monthly: fromCents(cents), explanation });
    }
  }
  return results;
}

function buildHeadlineExplanations(model: CostModel, decisions: Decisions, breakdown: CostBreakdown, rounded: RoundedCost, lineItems: LineItemResult[]): ScenarioResult['explanations'] {
  const c = breakdown.counts;
  const byEngine = {} as Record<CostEngine, Explanation>;
  for (const engine of ENGINES) {
    const parts = lineItems.filter((l) => l.engine === engine);
    byEngine[engine] = {
      label: `${engine} monthly cost`,
      formula: LINE_ITEMS.join(' + '),
      worked: `${parts.map((p) => formatDollars(p.monthly)).join(' + ')} = ${money(rounded.engines[engine])}`,
      inputs: Object.fromEntries(parts.map((p) => [p.item, p.monthly])),
      assumptions: [],
      note: 'Each part is explained in lineItems.',
    };
  }
  const total = fromCents(rounded.total);
  return {
    total: {
      label: 'Monthly cost of the fleet',
      formula: 'mysql + redis + postgres',
      worked: `${money(rounded.engines.mysql)} + ${money(rounded.engines.redis)} + ${money(rounded.engines.postgres)} = ${money(rounded.total)}`,
      inputs: { stores: decisions.stores, ordersPerStorePerDay: decisions.ordersPerStorePerDay, growth: growthText(breakdown) },
      assumptions: ['measuredStores', 'measuredOrdersPerStorePerDay'],
      note: REPORT_DISCREPANCIES.totalRange,
    },
    perStore: {
      label: 'Monthly cost per store',
      formula: 'total / stores',
      worked: `${money(rounded.total)} / ${decisions.stores} = ${formatDollars(total / decisions.stores)}`,
      inputs: { total, stores: decisions.stores },
      assumptions: [],
      note: REPORT_DISCREPANCIES.perStoreTarget,
    },
    byEngine,
    instances: {
      mysql: {
        label: 'MySQL instances billed',
        formula: 'instances kept (with shards) + multi-tenant hosts + serverless clusters; merged and removed ones are gone; read replicas are counted in nodes',
        worked: `${c.mysql - c.mysqlTenantHosts - c.mysqlServerless} + ${c.mysqlTenantHosts} + ${c.mysqlServerless} = ${c.mysql}`,
        inputs: { merged: c.mysqlMerged, removed: c.mysqlRemoved, readReplicas: c.mysqlReadReplicas },
        assumptions: [],
      },
      redis: {
        label: 'Redis clusters',
        formula: 'clusters kept + pooled clusters',
        worked: `${c.redisKept} + ${c.redisPools} = ${c.redis} (${c.redisNodes} nodes)`,
        inputs: { target: decisions.redisClusters, workloadsPerPool: decisions.redisWorkloadsPerPool, pooled: c.redisPooled },
        assumptions: [],
      },
      postgres: {
        label: 'PostgreSQL instances',
        formula: 'instances with their shards',
        worked: `${c.postgres}`,
        inputs: {},
        assumptions: [],
      },
    },
  };
}

function buildWaterfall(model: CostModel, input: ScenarioInput): ScenarioResult['savings'] {
  const current = currentStateDecisions(input.fleet, input.decisions);
  let previous = current;
  let previousCents = roundCost(fleetCost(model, current)).total;
  const baseline = previousCents;
  const steps: SavingsStep[] = [];
  for (const step of WATERFALL) {
    const changed = step.keys.filter((key) => previous[key] !== input.decisions[key]);
    const next = decisionsWith(previous, input.decisions, step.keys);
    const cents = changed.length === 0 ? previousCents : roundCost(fleetCost(model, next)).total;
    const saved = previousCents - cents;
    steps.push({
      step: step.step,
      label: step.label,
      decisions: Object.fromEntries(step.keys.map((key) => [key, input.decisions[key]])),
      before: fromCents(previousCents),
      after: fromCents(cents),
      saved: fromCents(saved),
      explanation: {
        label: `${step.label}: saving`,
        formula: 'monthly total with the earlier steps − monthly total with this decision added',
        worked: `${money(previousCents)} − ${money(cents)} = ${money(saved)}`,
        inputs: Object.fromEntries(step.keys.map((key) => [key, input.decisions[key] as number | string | boolean])),
        assumptions: [],
        note: changed.length === 0 ? 'not applied in this scenario' : saved < 0 ? 'this decision adds cost' : undefined,
      },
    });
    previous = next;
    previousCents = cents;
  }
  return { baseline: fromCents(baseline), saved: fromCents(baseline - previousCents), steps };
}

function buildSectionSavings(model: CostModel, input: ScenarioInput): SectionSaving[] {
  const current = currentStateDecisions(input.fleet, input.decisions);
  const currentCents = roundCost(fleetCost(model, current)).total;
  return TOGGLE_KEYS.map((toggle) => {
    const settings = sectionSettings(input.fleet, toggle, current);
    const cents = roundCost(fleetCost(model, settings)).total;
    const report = SECTION_REPORT[toggle];
    return {
      toggle,
      label: DECISION_SPECS[toggle].label,
      saved: fromCents(currentCents - cents),
      report: { saved: report.saved, section: report.section },
      note: report.note,
    };
  });
}

/** The current state with one section-11 toggle's decisions applied. */
export function sectionSettings(fleet: CostFleet, toggle: ToggleKey, current: Decisions): Decisions {
  const values: Record<string, unknown> = { ...current, [toggle]: true, ...TOGGLE_SETTINGS[toggle] };
  if (values.redisClusters === POOL_BELOW_ONE_PERCENT) values.redisClusters = clustersAfterPoolingBelow(fleet, 0.01, current.redisWorkloadsPerPool);
  return values as unknown as Decisions;
}

function buildCurve(model: CostModel, decisions: Decisions, stores: readonly number[]): CurvePoint[] {
  const points = [...new Set([...stores, decisions.stores])].filter((n) => n >= 1 && n <= 1000).sort((a, b) => a - b);
  return points.map((n) => {
    const rounded = roundCost(fleetCost(model, { ...decisions, stores: n }));
    const total = fromCents(rounded.total);
    return {
      stores: n,
      total,
      perStore: total / n,
      byEngine: { mysql: fromCents(rounded.engines.mysql), redis: fromCents(rounded.engines.redis), postgres: fromCents(rounded.engines.postgres) },
    };
  });
}

const GIB = 1024;

function buildRedisProjection(model: CostModel, decisions: Decisions, breakdown: CostBreakdown): RedisProjection {
  const a = model.assumptions;
  const clusters = model.fleet.caches.filter((c) => c.persistentKeys > 0);
  const persistentKeys = clusters.reduce((n, c) => n + c.persistentKeys, 0);
  const persistentMib = clusters.reduce((n, c) => n + c.persistentMib, 0);
  const usedMib = clusters.reduce((n, c) => n + c.usedMib, 0);
  const measuredBytesPerKey = persistentKeys > 0 ? (persistentMib * 1024 * 1024) / persistentKeys : 0;
  const bytesPerKey = a.marketingBytesPerKey > 0 ? a.marketingBytesPerKey : measuredBytesPerKey;
  // Keys grow with the clusters' own category (customers for the marketing cluster).
  let keysAtN = 0;
  let usedAtN = 0;
  for (const c of clusters) {
    const g = breakdown.growth[c.growth];
    keysAtN += c.persistentKeys * g;
    usedAtN += c.usedMib * g;
  }
  const reclaim = decisions.ttlEnforcement * a.inactiveKeyShare;
  const gib = (bytes: number) => bytes / (1024 * 1024 * 1024);
  const persistentGibAtN = gib(keysAtN * bytesPerKey);
  const keysWithTtl = keysAtN * (1 - reclaim);
  const persistentGibWithTtl = gib(keysWithTtl * bytesPerKey);
  const clusterGbWithTtl = usedAtN / GIB - (persistentGibAtN - persistentGibWithTtl);
  const growthOf = clusters.length > 0 ? breakdown.growth[clusters[0]!.growth] : 1;
  return {
    stores: decisions.stores,
    clusters: clusters.map((c) => c.name),
    measured: { persistentKeys, persistentGib: persistentMib / GIB, bytesPerKey, clusterUsedGib: usedMib / GIB, stores: a.measuredStores },
    withoutTtl: { persistentKeys: Math.round(keysAtN), persistentGib: persistentGibAtN, clusterUsedGib: usedAtN / GIB },
    withTtl: {
      ttlEnforcement: decisions.ttlEnforcement,
      persistentKeys: Math.round(keysWithTtl),
      persistentGib: persistentGibWithTtl,
      clusterUsedGib: clusterGbWithTtl,
      reclaimedGib: persistentGibAtN - persistentGibWithTtl,
      keysStopped: Math.round(keysAtN - keysWithTtl),
    },
    report: { persistentKeys: '16M+', memory: '8–10 GB', section: '10.3 (at 100 stores)' },
    explanation: {
      label: 'No-TTL marketing keys at this store count',
      formula:
        'keys = measured no-TTL keys × growth; memory = keys × bytes per key; with TTL: × (1 − ttlEnforcement × inactiveKeyShare); cluster memory = measured used memory × growth − memory reclaimed',
      worked: `${formatNumber(persistentKeys, 0)} × ${formatNumber(growthOf, 3)} = ${formatNumber(keysAtN, 0)} keys × ${formatNumber(bytesPerKey, 0)} B = ${formatNumber(persistentGibAtN, 2)} GiB; with TTL ${formatNumber(keysWithTtl, 0)} keys, ${formatNumber(persistentGibWithTtl, 2)} GiB; whole cluster ${formatNumber(usedAtN / GIB, 2)} GiB → ${formatNumber(clusterGbWithTtl, 2)} GiB`,
      inputs: { persistentKeys, bytesPerKey: Math.round(bytesPerKey), growth: growthOf, ttlEnforcement: decisions.ttlEnforcement, inactiveKeyShare: a.inactiveKeyShare },
      assumptions: ['inactiveKeyShare', 'marketingBytesPerKey', 'elasticityCustomers'],
      note: REPORT_DISCREPANCIES.marketingMemory,
    },
  };
}

// Module-level helpers: closures created per item would cost more than the formatting.
function num(value: unknown, digits = 2): string {
  return formatNumber(Number(value), digits);
}

function usd(value: unknown): string {
  return formatDollars(Number(value));
}

function perHour(value: unknown): string {
  return `$${formatNumber(Number(value), 4)}`;
}

function explainItem(model: CostModel, decisions: Decisions, item: ItemDetail): string {
  const f = item.figures;
  const a = model.assumptions;
  switch (item.treatment) {
    case 'removed':
      return 'removed (removeTestInstances)';
    case 'merged':
      return `merged onto a multi-tenant host: needs ${num(f.needVcpu)} vCPU there (growth ×${num(f.growth, 3)}); its ${num(f.onlineGb)} GB move with it`;
    case 'serverless':
      return `Aurora Serverless v2 instead of ${String(f.was)}: ${num(a.serverlessMinAcu)} ACU × 730 h + ${num(Number(f.peakAcu) - a.serverlessMinAcu)} ACU × ${num(f.busyHours)} h/day × 730/24 = ${num(f.acuHours, 0)} ACU-h × ${perHour(model.prices.acuHour)} + ${num(f.onlineGb)} GB × ${usd(model.prices.auroraStorageGbMonth)} + ${num(f.ioMillions)}M I/O × ${usd(model.prices.auroraIoPerMillion)} = ${usd(item.monthly)}`;
    case 'pooled':
      return `pooled (utilisation ${formatPercent(Number(f.utilisation), 2)}): ${num(f.usedMib)} MiB used at this store count`;
    case 'pool':
      return `max(${String(f.pools)} pooled clusters, ⌈${num(f.requiredMib, 0)} MiB needed / ${num(f.usableMib, 0)} MiB usable per ${item.instanceClass}⌉) = ${String(f.primaries)} primaries × (1 + ${String(f.replicas)} replicas) × ${perHour(f.hourly)}/h × 730 h = ${usd(item.monthly)} on-demand`;
    case 'tenant-host':
      return `${String(f.databases)} databases, ${String(f.perHost)} to a host: ${item.count} × ${item.instanceClass} Multi-AZ × ${perHour(f.hourly)}/h × 730 h × 2 = ${usd(f.computeCost)} + storage ${usd(f.storageCost)} (${num(f.storageGb, 0)} GB) = ${usd(item.monthly)} on-demand`;
    default:
      break;
  }
  if (item.engine === 'redis') {
    const moved = item.instanceClass !== f.was ? ` (was ${String(f.was)})` : '';
    return `${num(f.usedMib)} MiB used × ${num(1 + a.redisHeadroom)} headroom = ${num(f.needMib)} MiB ≤ ${num(f.usableMib, 0)} MiB usable on ${item.count > 1 ? `${item.count} × ` : ''}${item.instanceClass}${moved}; ${item.count} × (1 + ${String(f.replicas)} replica) nodes × ${perHour(f.hourly)}/h × 730 h = ${usd(item.monthly)} on-demand`;
  }
  const moved = item.instanceClass !== f.was ? ` (was ${String(f.was)}${item.treatment === 'right-sized' ? ', right-sized' : ''})` : '';
  const az = item.multiAz ? ' × 2 (Multi-AZ)' : '';
  return `load ${num(f.load)} × ${num(Number(f.busyVcpu) / Math.max(Number(f.load), 1e-9))} vCPU × growth ${num(f.growth, 3)} / ${num(a.maxLoad)} = ${num(f.needVcpu)} vCPU ≤ ${num(f.capacityVcpu)} on ${item.count > 1 ? `${item.count} × ` : ''}${item.instanceClass}${moved}: ${perHour(f.hourly)}/h × 730 h${az}${item.count > 1 ? ` × ${item.count}` : ''} = ${usd(f.computeCost)}; storage ${num(f.storageGb, 0)} GB = ${usd(f.storageCost)}${Number(f.backupCost) > 0 ? `; backup ${usd(f.backupCost)}` : ''}${Number(f.replicaCost) > 0 ? `; read replica ${usd(f.replicaCost)}` : ''}; ${usd(item.monthly)} on-demand`;
}

// The assumption records depend only on the model (fleet, prices, assumptions): built once per model.
const staticAssumptions = new WeakMap<CostModel, Record<string, AssumptionRecord>>();

function buildAssumptions(model: CostModel, input: ScenarioInput): Record<string, AssumptionRecord> {
  let records = staticAssumptions.get(model);
  if (!records) {
    records = {};
    for (const key of ASSUMPTION_KEYS) {
      const spec = ASSUMPTION_SPECS[key] as { unit: string; source: string; note?: string };
      records[key] = { value: model.assumptions[key], unit: spec.unit, source: spec.source, ...(spec.note ? { note: spec.note } : {}) };
    }
    const prices = model.prices;
    records.prices = {
      value: `${prices.region} ${prices.currency}, ${prices.hoursPerMonth} h/month`,
      source: `${prices.asOf}: ${prices.sources.join(', ')}`,
      note: prices.note,
    };
    records.fleet = { value: model.fleet.source, source: model.fleet.notes.join(' ') };
    for (const [key, text] of Object.entries(REPORT_DISCREPANCIES)) records[`report.${key}`] = { value: 'does not add up', source: 'report 07', note: text };
    staticAssumptions.set(model, records);
  }
  const sources = Object.entries(input.decisionSources ?? {});
  if (sources.length === 0) return records;
  const withSources = { ...records };
  for (const [key, text] of sources) withSources[`decision.${key}`] = { value: input.decisions[key as DecisionKey], source: text };
  return withSources;
}
