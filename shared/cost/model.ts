// The numeric core of the cost model: monthly cost of a fleet at N stores under
// a set of decisions. Pure and allocation-light, because a slider move runs it
// a few dozen times (the scenario, the savings waterfall, the store curve).
// `scenario.ts` wraps it with explanations.
import { ELASTICITY_KEY, ORDER_DRIVEN, type Assumptions } from './assumptions.ts';
import type { Decisions } from './decisions.ts';
import { GROWTH_CATEGORIES, redisUtilisation, type CacheWorkload, type CostFleet, type DatabaseWorkload, type GrowthCategory } from './fleet.ts';
import { classFamily, type DatabaseEngine, type PriceCatalogue } from './prices.ts';

export const ENGINES = ['mysql', 'redis', 'postgres'] as const;
export type CostEngine = (typeof ENGINES)[number];

export const LINE_ITEMS = ['compute', 'replicas', 'storage', 'backup', 'serverless', 'archive'] as const;
export type LineItem = (typeof LINE_ITEMS)[number];

/** Dollars per line item of one engine, unrounded; compute and replicas after reserved discounts. */
export type LineAmounts = Record<LineItem, number>;

/** One rung of a sizing ladder: a class and what it holds (vCPU for databases, usable MiB for caches). */
export interface LadderStep {
  instanceClass: string;
  capacity: number;
  hourly: number;
}

export interface Sized {
  step: LadderStep;
  /** Instances (shards) of that class needed; more than 1 only past the largest class. */
  count: number;
}

/** What happened to one instance or cluster, for the detail view. */
export type Treatment =
  | 'as-is'
  | 'scaled-up'
  | 'right-sized'
  | 'merged'
  | 'tenant-host'
  | 'serverless'
  | 'removed'
  | 'kept'
  | 'pooled'
  | 'pool';

export interface ItemDetail {
  name: string;
  engine: CostEngine;
  treatment: Treatment;
  instanceClass: string;
  count: number;
  multiAz: boolean;
  /** Monthly on-demand dollars of this item (compute, replicas, storage, backup, serverless, archive). */
  monthly: number;
  /** Figures the explanation quotes. */
  figures: Record<string, number | string>;
}

export interface CostBreakdown {
  stores: number;
  lines: Record<CostEngine, LineAmounts>;
  /** Compute and replica dollars before reserved discounts, per engine. */
  onDemand: Record<CostEngine, { compute: number; replicas: number }>;
  reservedFactor: { rds: number; elasticache: number };
  valkeyFactor: number;
  counts: Record<CostEngine, number> & {
    mysqlReadReplicas: number;
    /** Replicas the fleet already runs of PostgreSQL instances. */
    postgresReplicas: number;
    mysqlServerless: number;
    mysqlTenantHosts: number;
    mysqlMerged: number;
    mysqlRightSized: number;
    mysqlRemoved: number;
    redisKept: number;
    redisPools: number;
    redisPooled: number;
    redisNodes: number;
  };
  redisMemory: { usedMib: number; requiredMib: number; provisionedMib: number; reclaimedMib: number; pooledRequiredMib: number; poolPrimaries: number; poolNodeUsableMib: number };
  /** Data of MySQL and PostgreSQL at this store count, GB; `archivedShare` of the archivable part is in S3. */
  storage: Record<'mysql' | 'postgres', { dataGb: number; onlineGb: number; archivedGb: number }> & { archivedShare: number };
  growth: Record<GrowthCategory, number>;
  details: ItemDetail[] | null;
}

const OVERFLOW_FAMILY: Record<string, string> = {
  'db.t3': 'db.m5',
  'db.t4g': 'db.m6g',
  'cache.t3': 'cache.m5',
  'cache.t4g': 'cache.m6g',
};

/** The smallest rung that holds `need`; past the top, as many top-class shards as it takes. */
export function sizeOnLadder(ladder: readonly LadderStep[], need: number): Sized {
  for (const step of ladder) if (step.capacity >= need - 1e-9) return { step, count: 1 };
  const top = ladder[ladder.length - 1]!;
  return { step: top, count: Math.max(1, Math.ceil(need / top.capacity - 1e-9)) };
}

interface PreparedDatabase {
  workload: DatabaseWorkload;
  engine: DatabaseEngine;
  ladder: LadderStep[];
  /** vCPU busy at the measured store count. */
  busyVcpu: number;
  memoryGib: number;
  multiplier: number;
  /** Index into GROWTH_CATEGORIES. */
  growthIndex: number;
  /** Share of the data that archival moves (0 when nothing is archivable). */
  archivable: number;
  test: boolean;
}

interface PreparedCache {
  workload: CacheWorkload;
  ladder: LadderStep[];
  utilisation: number;
  growthIndex: number;
}

export interface CostModel {
  fleet: CostFleet;
  prices: PriceCatalogue;
  assumptions: Assumptions;
  databases: PreparedDatabase[];
  /** Low-traffic MySQL instances, quietest first: consolidation takes from the front, right-sizing next. */
  lowTraffic: number[];
  /** Batch-only MySQL instances, most expensive first: serverless takes from the front. */
  batchOnly: number[];
  /** Analytics replica candidates, busiest first. */
  analytics: number[];
  /** Caches, most utilised first: consolidation keeps the front and pools the rest. */
  caches: PreparedCache[];
  /** Elasticity and whether orders drive it, per GROWTH_CATEGORIES index. */
  elasticity: Float64Array;
  orderDriven: Uint8Array;
  databaseLadder(engine: DatabaseEngine, instanceClass: string): LadderStep[];
  cacheLadder(nodeClass: string): LadderStep[];
}

export class CostModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CostModelError';
  }
}

/** Sustained vCPU of a class: burstable classes count only their baseline. */
function sustainedVcpu(prices: PriceCatalogue, instanceClass: string): number {
  const spec = prices.database[instanceClass]!;
  return spec.vcpu * spec.baseline;
}

/**
 * Prepares a fleet for repeated evaluation: ladders, orderings and measured
 * capacity are computed once per fleet, price catalogue and assumptions.
 */
export function createCostModel(fleet: CostFleet, prices: PriceCatalogue, assumptions: Assumptions): CostModel {
  const unknown = [
    ...fleet.databases.filter((d) => !prices.database[d.instanceClass]).map((d) => `${d.name}: ${d.instanceClass}`),
    ...fleet.caches.filter((c) => !prices.cache[c.nodeClass]).map((c) => `${c.name}: ${c.nodeClass}`),
  ];
  if (unknown.length > 0) {
    throw new CostModelError(`no price for ${unknown.slice(0, 3).join('; ')}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''}`);
  }
  const databaseLadders = new Map<string, LadderStep[]>();
  const cacheLadders = new Map<string, LadderStep[]>();

  /**
   * The classes an instance can grow into: its own class, then bigger ones of its
   * family that cost no less, then the overflow family's bigger ones.
   */
  function ladderFrom(classNames: string[], step: (name: string) => LadderStep, start: string): LadderStep[] {
    const family = (name: string) =>
      classNames
        .filter((c) => classFamily(c) === name)
        .map(step)
        .sort((a, b) => a.capacity - b.capacity || a.hourly - b.hourly);
    const first = step(start);
    const ladder = [first, ...family(classFamily(start)).filter((s) => s.capacity > first.capacity && s.hourly >= first.hourly)];
    const overflow = OVERFLOW_FAMILY[classFamily(start)];
    if (overflow) {
      const top = ladder[ladder.length - 1]!;
      ladder.push(...family(overflow).filter((s) => s.capacity > top.capacity && s.hourly >= top.hourly));
    }
    return ladder;
  }

  function databaseLadder(engine: DatabaseEngine, start: string): LadderStep[] {
    const key = `${engine}|${start}`;
    let ladder = databaseLadders.get(key);
    if (!ladder) {
      const step = (name: string): LadderStep => ({ instanceClass: name, capacity: sustainedVcpu(prices, name), hourly: prices.database[name]!.hourly[engine] });
      ladder = ladderFrom(Object.keys(prices.database), step, start);
      databaseLadders.set(key, ladder);
    }
    return ladder;
  }

  function cacheLadder(start: string): LadderStep[] {
    let ladder = cacheLadders.get(start);
    if (!ladder) {
      const usable = 1 - assumptions.redisReservedMemoryShare;
      const step = (name: string): LadderStep => ({ instanceClass: name, capacity: prices.cache[name]!.memoryGib * 1024 * usable, hourly: prices.cache[name]!.hourly });
      ladder = ladderFrom(Object.keys(prices.cache), step, start);
      cacheLadders.set(start, ladder);
    }
    return ladder;
  }

  const databases: PreparedDatabase[] = fleet.databases.map((workload) => ({
    workload,
    engine: workload.engine,
    ladder: databaseLadder(workload.engine, workload.instanceClass),
    busyVcpu: workload.load * sustainedVcpu(prices, workload.instanceClass),
    memoryGib: prices.database[workload.instanceClass]!.memoryGib,
    multiplier: workload.multiAz ? prices.multiAzMultiplier : 1,
    growthIndex: GROWTH_CATEGORIES.indexOf(workload.growth),
    archivable: workload.archivable ? workload.archivableShare : 0,
    test: workload.role === 'test',
  }));
  const monthlyOf = (d: PreparedDatabase) => d.ladder[0]!.hourly * d.multiplier;
  const indices = (predicate: (d: PreparedDatabase) => boolean) => databases.map((d, i) => (predicate(d) ? i : -1)).filter((i) => i >= 0);
  const byName = (a: number, b: number) => databases[a]!.workload.name.localeCompare(databases[b]!.workload.name);
  const lowTraffic = indices((d) => d.engine === 'mysql' && d.workload.role === 'low-traffic').sort(
    (a, b) => databases[a]!.busyVcpu - databases[b]!.busyVcpu || byName(a, b),
  );
  const batchOnly = indices((d) => d.engine === 'mysql' && d.workload.role === 'batch-only').sort(
    (a, b) => monthlyOf(databases[b]!) - monthlyOf(databases[a]!) || byName(a, b),
  );
  const analytics = indices((d) => d.engine === 'mysql' && d.workload.analytics && d.workload.role === 'transactional').sort(
    (a, b) => databases[b]!.busyVcpu - databases[a]!.busyVcpu || byName(a, b),
  );
  const caches: PreparedCache[] = fleet.caches
    .map((workload) => ({ workload, ladder: cacheLadder(workload.nodeClass), utilisation: redisUtilisation(workload), growthIndex: GROWTH_CATEGORIES.indexOf(workload.growth) }))
    .sort((a, b) => b.utilisation - a.utilisation || b.workload.usedMib - a.workload.usedMib || a.workload.name.localeCompare(b.workload.name));
  const elasticity = Float64Array.from(GROWTH_CATEGORIES, (category) => assumptions[ELASTICITY_KEY[category]]);
  const orderDriven = Uint8Array.from(GROWTH_CATEGORIES, (category) => (ORDER_DRIVEN[category] ? 1 : 0));
  return { fleet, prices, assumptions, databases, lowTraffic, batchOnly, analytics, caches, elasticity, orderDriven, databaseLadder, cacheLadder };
}

/** Growth factor of each category at `stores`: 1 + elasticity × (driver ratio − 1), never below 0. */
export function growthFactors(model: CostModel, stores: number, ordersPerStorePerDay: number): Record<GrowthCategory, number> {
  return growthRecord(growthArray(model, stores, ordersPerStorePerDay));
}

function growthArray(model: CostModel, stores: number, ordersPerStorePerDay: number): Float64Array {
  const a = model.assumptions;
  const storeRatio = stores / a.measuredStores;
  const orderRatio = storeRatio * (ordersPerStorePerDay / a.measuredOrdersPerStorePerDay);
  const factors = new Float64Array(GROWTH_CATEGORIES.length);
  for (let i = 0; i < factors.length; i++) factors[i] = Math.max(0, 1 + model.elasticity[i]! * ((model.orderDriven[i] ? orderRatio : storeRatio) - 1));
  return factors;
}

/**
 * Clusters kept on their own and pools, for a target of `target` clusters out
 * of `total`: keep as many of the most utilised as possible while the rest fit
 * `perPool` to a pool.
 */
export function redisConsolidationPlan(total: number, target: number, perPool: number): { kept: number; pools: number } {
  if (target >= total) return { kept: total, pools: 0 };
  for (let kept = target - 1; kept >= 0; kept--) {
    if (kept + Math.ceil((total - kept) / perPool) <= target) return { kept, pools: target - kept };
  }
  return { kept: 0, pools: target };
}

/** Share of archivable history older than `days`, if data accumulated evenly over `dataAgeDays`. */
export function archivedShare(days: number, dataAgeDays: number): number {
  return days > 0 ? Math.max(0, 1 - days / dataAgeDays) : 0;
}


// Treatment codes of a database in one evaluation; 0 = as it is.
const MERGED = 1;
const RIGHT_SIZED = 2;
const SERVERLESS = 3;

/** Index of the smallest rung holding `need`, or -1 past the top. */
function rungFor(ladder: readonly LadderStep[], need: number): number {
  for (let i = 0; i < ladder.length; i++) if (ladder[i]!.capacity >= need - 1e-9) return i;
  return -1;
}

/** Monthly cost of the fleet at `decisions.stores` under `decisions`. */
export function fleetCost(model: CostModel, decisions: Decisions, withDetails = false): CostBreakdown {
  const { prices, assumptions: a } = model;
  const hours = prices.hoursPerMonth;
  const growth = growthArray(model, decisions.stores, decisions.ordersPerStorePerDay);
  const details: ItemDetail[] | null = withDetails ? [] : null;
  const archived = archivedShare(decisions.archiveAfterDays, a.dataAgeDays);
  const storagePrice = prices.storageGbMonth;
  const backupPrice = prices.backupGbMonth;
  const archivePrice = prices.archiveGbMonth;
  const minimumStorage = a.minimumStorageGb;
  const fill = a.storageFill;
  const backupRatio = a.backupSizeRatio;

  // Which MySQL instances each decision touches: fixed orderings, shares rounded to whole instances.
  const databases = model.databases;
  const lowCount = model.lowTraffic.length;
  const mergedCount = Math.round(decisions.mysqlConsolidation * lowCount);
  const rightSizedCount = Math.min(lowCount - mergedCount, Math.round(decisions.mysqlRightSizing * lowCount));
  const serverlessCount = Math.round(decisions.serverlessShare * model.batchOnly.length);
  const replicaCount = Math.min(decisions.analyticsReadReplicas, model.analytics.length);
  const treatment = new Uint8Array(databases.length);
  const withReplica = new Uint8Array(databases.length);
  for (let k = 0; k < mergedCount; k++) treatment[model.lowTraffic[k]!] = MERGED;
  for (let k = mergedCount; k < mergedCount + rightSizedCount; k++) treatment[model.lowTraffic[k]!] = RIGHT_SIZED;
  for (let k = 0; k < serverlessCount; k++) treatment[model.batchOnly[k]!] = SERVERLESS;
  for (let k = 0; k < replicaCount; k++) withReplica[model.analytics[k]!] = 1;
  const rightSizeLadder = rightSizedCount > 0 ? model.databaseLadder('mysql', decisions.mysqlRightSizeClass) : null;

  // Running sums, per engine where it matters (0 = mysql, 1 = postgres).
  const compute = [0, 0];
  const storage = [0, 0];
  const backup = [0, 0];
  const archive = [0, 0];
  const instances = [0, 0];
  const dataTotals = [0, 0];
  const onlineTotals = [0, 0];
  const archivedTotals = [0, 0];
  let replicaCompute = 0;
  let replicaStorage = 0;
  // Replicas the fleet already runs (DatabaseWorkload.replicas), per engine (0 = mysql, 1 = postgres).
  const runningReplicaCompute = [0, 0];
  const runningReplicaStorage = [0, 0];
  const runningReplicas = [0, 0];
  let serverless = 0;
  let readReplicas = 0;
  let serverlessInstances = 0;
  let rightSized = 0;
  let removed = 0;
  let mergedVcpu = 0;
  let mergedOnlineGb = 0;

  for (let index = 0; index < databases.length; index++) {
    const d = databases[index]!;
    const e = d.engine === 'mysql' ? 0 : 1;
    if (d.test && decisions.removeTestInstances) {
      removed++;
      details?.push({ name: d.workload.name, engine: d.engine, treatment: 'removed', instanceClass: d.workload.instanceClass, count: 0, multiAz: d.workload.multiAz, monthly: 0, figures: {} });
      continue;
    }
    const g = growth[d.growthIndex]!;
    const dataGb = d.workload.dataGb * g;
    const archivedGb = dataGb * d.archivable * archived;
    const onlineGb = dataGb - archivedGb;
    dataTotals[e] += dataGb;
    onlineTotals[e] += onlineGb;
    archivedTotals[e] += archivedGb;
    const archiveCost = archivedGb * archivePrice;
    archive[e] += archiveCost;
    const hasReplica = withReplica[index] === 1;
    const needVcpu = (d.busyVcpu * g * (hasReplica ? 1 - a.analyticsLoadShare : 1)) / a.maxLoad;
    const kind = treatment[index];

    if (kind === MERGED) {
      mergedVcpu += needVcpu;
      mergedOnlineGb += onlineGb;
      details?.push({ name: d.workload.name, engine: d.engine, treatment: 'merged', instanceClass: d.workload.instanceClass, count: 0, multiAz: d.workload.multiAz, monthly: archiveCost, figures: { onlineGb, needVcpu, growth: g } });
      continue;
    }
    if (kind === SERVERLESS) {
      const peakAcu = d.memoryGib * a.acuPerGib;
      const busyHours = Math.min(24, a.batchHoursPerDay * g);
      const acuHours = a.serverlessMinAcu * hours + Math.max(0, peakAcu - a.serverlessMinAcu) * busyHours * (hours / 24);
      const ioMillions = a.auroraIoMillionsPerMonth * g;
      const cost = acuHours * prices.acuHour + onlineGb * prices.auroraStorageGbMonth + ioMillions * prices.auroraIoPerMillion;
      serverless += cost;
      serverlessInstances++;
      details?.push({
        name: d.workload.name,
        engine: d.engine,
        treatment: 'serverless',
        instanceClass: 'aurora-serverless-v2',
        count: 1,
        multiAz: false,
        monthly: cost + archiveCost,
        figures: { peakAcu, busyHours, acuHours, ioMillions, onlineGb, growth: g, was: d.workload.instanceClass },
      });
      continue;
    }
    const ladder = kind === RIGHT_SIZED ? rightSizeLadder! : d.ladder;
    const rung = rungFor(ladder, needVcpu);
    const step = ladder[rung < 0 ? ladder.length - 1 : rung]!;
    const count = rung < 0 ? Math.max(1, Math.ceil(needVcpu / step.capacity - 1e-9)) : 1;
    const computeCost = step.hourly * hours * d.multiplier * count;
    const storageGb = Math.max(minimumStorage * count, onlineGb / fill);
    const storageCost = storageGb * storagePrice * d.multiplier;
    const backupCost = Math.max(0, onlineGb * backupRatio - storageGb) * backupPrice;
    compute[e] += computeCost;
    storage[e] += storageCost;
    backup[e] += backupCost;
    instances[e] += count;
    if (kind === RIGHT_SIZED) rightSized++;
    let replicaCost = 0;
    const running = d.workload.replicas ?? 0;
    if (running > 0) {
      // Replicas it already has: each of the primary's class, Single-AZ, with its own storage.
      const hoursRunning = step.hourly * hours * count * running;
      runningReplicaCompute[e] += hoursRunning;
      runningReplicaStorage[e] += storageGb * storagePrice * running;
      runningReplicas[e] += count * running;
      replicaCost += hoursRunning + storageGb * storagePrice * running;
    }
    if (hasReplica) {
      // A read replica of the same class, Single-AZ, with its own storage.
      const replicaHours = step.hourly * hours * count;
      replicaCompute += replicaHours;
      replicaStorage += storageGb * storagePrice;
      replicaCost += replicaHours + storageGb * storagePrice;
      readReplicas += count;
    }
    if (details) {
      const w = d.workload;
      details.push({
        name: w.name,
        engine: d.engine,
        treatment: kind === RIGHT_SIZED ? 'right-sized' : step.instanceClass !== w.instanceClass || count > 1 ? 'scaled-up' : 'as-is',
        instanceClass: step.instanceClass,
        count,
        multiAz: w.multiAz,
        monthly: computeCost + storageCost + backupCost + replicaCost + archiveCost,
        figures: {
          load: w.load,
          growth: g,
          busyVcpu: d.busyVcpu,
          needVcpu,
          capacityVcpu: step.capacity,
          hourly: step.hourly,
          computeCost,
          storageGb,
          storageCost,
          backupCost,
          replicaCost,
          onlineGb,
          was: w.instanceClass,
        },
      });
    }
  }

  let tenantHosts = 0;
  if (mergedCount > 0) {
    // Merged databases share Multi-AZ hosts, `mysqlTenantsPerHost` to a host, each sized for its share of the load.
    const hosts = Math.ceil(mergedCount / decisions.mysqlTenantsPerHost);
    const sized = sizeOnLadder(model.databaseLadder('mysql', decisions.mysqlTenantHostClass), mergedVcpu / hosts);
    tenantHosts = hosts * sized.count;
    const multiplier = prices.multiAzMultiplier;
    const computeCost = sized.step.hourly * hours * multiplier * tenantHosts;
    const storageGb = Math.max(minimumStorage * tenantHosts, mergedOnlineGb / fill);
    const storageCost = storageGb * storagePrice * multiplier;
    const backupCost = Math.max(0, mergedOnlineGb * backupRatio - storageGb) * backupPrice;
    compute[0] += computeCost;
    storage[0] += storageCost;
    backup[0] += backupCost;
    instances[0] += tenantHosts;
    details?.push({
      name: `multi-tenant hosts (${mergedCount} databases)`,
      engine: 'mysql',
      treatment: 'tenant-host',
      instanceClass: sized.step.instanceClass,
      count: tenantHosts,
      multiAz: true,
      monthly: computeCost + storageCost + backupCost,
      figures: { databases: mergedCount, perHost: decisions.mysqlTenantsPerHost, needVcpu: mergedVcpu, hourly: sized.step.hourly, computeCost, storageGb, storageCost, backupCost },
    });
  }

  // Redis: keep the most utilised clusters, pool the rest; size every node for used memory plus headroom.
  const caches = model.caches;
  const plan = redisConsolidationPlan(caches.length, decisions.redisClusters, decisions.redisWorkloadsPerPool);
  const reclaimShare = decisions.ttlEnforcement * a.inactiveKeyShare;
  const headroom = 1 + a.redisHeadroom;
  const valkeyFactor = decisions.redisEngineUpgrade ? 1 - prices.valkeyDiscount : 1;
  let redisCompute = 0;
  let redisReplicas = 0;
  let usedTotal = 0;
  let reclaimedTotal = 0;
  let provisioned = 0;
  let pooledRequired = 0;
  let redisNodes = 0;
  for (let rank = 0; rank < caches.length; rank++) {
    const c = caches[rank]!;
    const w = c.workload;
    const g = growth[c.growthIndex]!;
    const reclaimed = w.persistentMib * reclaimShare;
    const used = Math.max(0, w.usedMib - reclaimed) * g;
    usedTotal += used;
    reclaimedTotal += reclaimed * g;
    if (rank >= plan.kept) {
      pooledRequired += used * headroom;
      details?.push({ name: w.name, engine: 'redis', treatment: 'pooled', instanceClass: w.nodeClass, count: 0, multiAz: false, monthly: 0, figures: { usedMib: used, growth: g, utilisation: c.utilisation } });
      continue;
    }
    const need = used * headroom;
    const rung = rungFor(c.ladder, need);
    const step = c.ladder[rung < 0 ? c.ladder.length - 1 : rung]!;
    const count = rung < 0 ? Math.max(1, Math.ceil(need / step.capacity - 1e-9)) : 1;
    const hourly = step.hourly * valkeyFactor;
    const computeCost = hourly * hours * count;
    const replicaCost = computeCost * w.replicas;
    redisCompute += computeCost;
    redisReplicas += replicaCost;
    provisioned += step.capacity * count;
    redisNodes += count * (1 + w.replicas);
    details?.push({
      name: w.name,
      engine: 'redis',
      treatment: step.instanceClass !== w.nodeClass || count > 1 ? 'scaled-up' : 'kept',
      instanceClass: step.instanceClass,
      count,
      multiAz: false,
      monthly: computeCost + replicaCost,
      figures: { usedMib: used, reclaimedMib: reclaimed * g, needMib: need, usableMib: step.capacity, growth: g, replicas: w.replicas, hourly, utilisation: c.utilisation, was: w.nodeClass },
    });
  }
  const pooledCount = caches.length - plan.kept;
  let poolPrimaries = 0;
  let poolNodeUsableMib = 0;
  if (plan.pools > 0) {
    const node = model.cacheLadder(decisions.redisPoolNodeClass)[0]!;
    poolPrimaries = Math.max(plan.pools, Math.ceil(pooledRequired / node.capacity - 1e-9));
    poolNodeUsableMib = node.capacity;
    const hourly = node.hourly * valkeyFactor;
    const computeCost = hourly * hours * poolPrimaries;
    const replicaCost = computeCost * decisions.redisReplicasPerShard;
    redisCompute += computeCost;
    redisReplicas += replicaCost;
    provisioned += node.capacity * poolPrimaries;
    redisNodes += poolPrimaries * (1 + decisions.redisReplicasPerShard);
    details?.push({
      name: `pooled clusters (${pooledCount} workloads)`,
      engine: 'redis',
      treatment: 'pool',
      instanceClass: node.instanceClass,
      count: poolPrimaries,
      multiAz: false,
      monthly: computeCost + replicaCost,
      figures: { pools: plan.pools, primaries: poolPrimaries, requiredMib: pooledRequired, usableMib: node.capacity, replicas: decisions.redisReplicasPerShard, hourly, computeCost, replicaCost },
    });
  }

  // Reserved instances discount provisioned compute and replicas, never storage or serverless.
  const rdsFactor = 1 - decisions.reservedCoverage * prices.reserved.rds[decisions.reservedTerm][decisions.reservedPayment];
  const cacheFactor = 1 - decisions.reservedCoverage * prices.reserved.elasticache[decisions.reservedTerm][decisions.reservedPayment];
  return {
    stores: decisions.stores,
    lines: {
      mysql: {
        compute: compute[0]! * rdsFactor,
        replicas: (replicaCompute + runningReplicaCompute[0]!) * rdsFactor + replicaStorage + runningReplicaStorage[0]!,
        storage: storage[0]!,
        backup: backup[0]!,
        serverless,
        archive: archive[0]!,
      },
      redis: { compute: redisCompute * cacheFactor, replicas: redisReplicas * cacheFactor, storage: 0, backup: 0, serverless: 0, archive: 0 },
      postgres: { compute: compute[1]! * rdsFactor, replicas: runningReplicaCompute[1]! * rdsFactor + runningReplicaStorage[1]!, storage: storage[1]!, backup: backup[1]!, serverless: 0, archive: archive[1]! },
    },
    onDemand: {
      mysql: { compute: compute[0]!, replicas: replicaCompute + runningReplicaCompute[0]! },
      redis: { compute: redisCompute, replicas: redisReplicas },
      postgres: { compute: compute[1]!, replicas: runningReplicaCompute[1]! },
    },
    reservedFactor: { rds: rdsFactor, elasticache: cacheFactor },
    valkeyFactor,
    counts: {
      mysql: instances[0]! + serverlessInstances,
      redis: plan.kept + plan.pools,
      postgres: instances[1]!,
      mysqlReadReplicas: readReplicas + runningReplicas[0]!,
      postgresReplicas: runningReplicas[1]!,
      mysqlServerless: serverlessInstances,
      mysqlTenantHosts: tenantHosts,
      mysqlMerged: mergedCount,
      mysqlRightSized: rightSized,
      mysqlRemoved: removed,
      redisKept: plan.kept,
      redisPools: plan.pools,
      redisPooled: pooledCount,
      redisNodes,
    },
    redisMemory: {
      usedMib: usedTotal,
      requiredMib: usedTotal * headroom,
      provisionedMib: provisioned,
      reclaimedMib: reclaimedTotal,
      pooledRequiredMib: pooledRequired,
      poolPrimaries,
      poolNodeUsableMib,
    },
    storage: {
      mysql: { dataGb: dataTotals[0]!, onlineGb: onlineTotals[0]!, archivedGb: archivedTotals[0]! },
      postgres: { dataGb: dataTotals[1]!, onlineGb: onlineTotals[1]!, archivedGb: archivedTotals[1]! },
      archivedShare: archived,
    },
    growth: growthRecord(growth),
    details,
  };
}

function growthRecord(factors: Float64Array): Record<GrowthCategory, number> {
  return {
    orders: factors[0]!,
    customers: factors[1]!,
    inventory: factors[2]!,
    sessions: factors[3]!,
    devices: factors[4]!,
    monitoring: factors[5]!,
    platform: factors[6]!,
  };
}

/** Cents per line, per engine and in total: the rounding every output uses. */
export interface RoundedCost {
  lines: Record<CostEngine, Record<LineItem, number>>;
  engines: Record<CostEngine, number>;
  total: number;
}

export function roundCost(breakdown: CostBreakdown): RoundedCost {
  const lines = { mysql: roundLines(breakdown.lines.mysql), redis: roundLines(breakdown.lines.redis), postgres: roundLines(breakdown.lines.postgres) };
  const engines = { mysql: sumLines(lines.mysql), redis: sumLines(lines.redis), postgres: sumLines(lines.postgres) };
  return { lines, engines, total: engines.mysql + engines.redis + engines.postgres };
}

function roundLines(l: LineAmounts): Record<LineItem, number> {
  return {
    compute: Math.round(l.compute * 100),
    replicas: Math.round(l.replicas * 100),
    storage: Math.round(l.storage * 100),
    backup: Math.round(l.backup * 100),
    serverless: Math.round(l.serverless * 100),
    archive: Math.round(l.archive * 100),
  };
}

function sumLines(c: Record<LineItem, number>): number {
  return c.compute + c.replicas + c.storage + c.backup + c.serverless + c.archive;
}

/** Total monthly cost in cents: the fast path for curves and waterfalls. */
export function totalCents(model: CostModel, decisions: Decisions): number {
  return roundCost(fleetCost(model, decisions)).total;
}
