// The reference fleet at a given seed and scale: the inventory of 143
// instances, the SQL tables and the Redis key spaces, all generated on demand.
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import { PlantedCounter, type PlantedCounts } from './counts.ts';
import { referenceInventory, type InventoryInstance } from './inventory.ts';
import type { ReferenceRedis, ReferenceTable } from './model.ts';
import { plantedGrowth, type PlantedGrowth } from './growth.ts';
import { redisSpaces } from './redisKeys.ts';
import { sqlTables } from './tables.ts';
import { DEFAULT_SCALE, DEFAULT_SEED, MAX_WEEKS, validateScale, validateSeed } from './limits.ts';

export { DEFAULT_SCALE, DEFAULT_SEED, MAX_SCALE, MAX_WEEKS, validateScale, validateSeed } from './limits.ts';

/**
 * Volumes at scale 1, from the report (sections 1, 3, 4, 8). Two tables are
 * capped well below the report's volume, to keep a scale-1 build in about a
 * minute: t_coupon_expired (report: 37.3M) and the seven stock tables (report:
 * 9.1M together). Redis market counters are one per user and window (the
 * report's 2.7M persistent keys include history not modelled here).
 */
export const SCALE_1 = {
  orders: 487_000,
  users: 277_000,
  coupons: 2_700_000,
  /** "21,245 Cook Islands (NZD) test orders", ≈4.4%. */
  nzd: 21_245,
  nullCurrency: 40,
  blankShopName: 1_150,
  expiredCoupons: 373_000,
  stockPerDay: 130_000,
  conversations: 20_000,
  sessions: 149_834,
  cachedOrders: 1_200,
  campaigns: 40,
};

export const CAPPED = [
  `t_coupon_expired: ${SCALE_1.expiredCoupons.toLocaleString('en-US')} rows per unit of scale (report: 37.3M)`,
  `t_stock_change_record_mon…_sun: ${SCALE_1.stockPerDay.toLocaleString('en-US')} rows each per unit of scale (report: 9.1M together)`,
];

export interface ReferenceFleet {
  seed: number;
  scale: number;
  /** Growth planted after the report's day (weeks 0: none). */
  growth: PlantedGrowth;
  inventory: InventoryInstance[];
  tables: ReferenceTable[];
  redis: ReferenceRedis[];
  capped: string[];
  /** A fresh counter; feed it what is written, then read result(). */
  counter(): PlantedCounter;
}

/** `weeks`: the fleet that many weeks after the report's day, with the demo series' planted growth (growth.ts). */
export function referenceFleet(options: { seed?: number; scale?: number; weeks?: number } = {}): ReferenceFleet {
  const seed = options.seed ?? DEFAULT_SEED;
  const scale = options.scale ?? DEFAULT_SCALE;
  const weeks = options.weeks ?? 0;
  const problem = validateScale(scale) ?? validateSeed(seed) ?? (Number.isInteger(weeks) && weeks >= 0 && weeks <= MAX_WEEKS ? null : `weeks ${weeks} must be a whole number from 0 to ${MAX_WEEKS}`);
  if (problem) throw new Error(`reference fleet: seed ${seed}, scale ${scale}: ${problem}`);
  /** Scaled count, at least `min` (tables that must not be empty keep a row). */
  const n = (base: number, min = 1) => Math.max(min, Math.round(base * scale));
  const orders = n(SCALE_1.orders);
  // Every planted kind is present at any scale: one NZD and one NULL order, each blank kind.
  const nzd = Math.min(n(SCALE_1.nzd), Math.max(0, orders - 1));
  const nullCurrency = Math.min(n(SCALE_1.nullCurrency), orders - nzd);
  const volumes = {
    orders,
    users: n(SCALE_1.users),
    coupons: n(SCALE_1.coupons),
    nzd,
    nullCurrency,
    blankShopName: Math.min(orders, n(SCALE_1.blankShopName, 4)),
    expiredCoupons: n(SCALE_1.expiredCoupons),
    stockPerDay: n(SCALE_1.stockPerDay),
    dify: { conversations: n(SCALE_1.conversations) },
  };
  const inventory = referenceInventory();
  const growth = plantedGrowth(scale, weeks);
  const tables = sqlTables(seed, volumes, growth);
  const redis = redisSpaces(
    seed,
    { users: volumes.users, sessions: n(SCALE_1.sessions), cachedOrders: n(SCALE_1.cachedOrders), campaigns: n(SCALE_1.campaigns) },
    volumes,
    growth,
  );
  return {
    seed,
    scale,
    growth,
    inventory,
    tables,
    redis,
    capped: CAPPED,
    counter: () => new PlantedCounter(seed, scale, tables, inventory, CAPPED),
  };
}

/** The instance as the rest of Snapbench sees it; `connection` makes it pullable. */
export function fleetInstance(instance: InventoryInstance, connection?: FleetInstance['connection']): FleetInstance {
  return {
    name: instance.name,
    engine: instance.engine,
    domain: instance.domain,
    connection,
    databases: instance.databases,
    instanceClass: instance.instanceClass,
    allocatedMemoryMb: instance.allocatedMemoryMb,
    rawKeyNames: false,
    readValues: false,
    tags: instance.note ? ['name-not-in-report'] : undefined,
  };
}

/** Rows are handed out in batches of this many: big enough to amortise a call, small enough for bounded memory. */
export const BATCH_ROWS = 4000;

/** Groups an iterable into arrays of at most `size`. */
export function* batches<T>(items: Iterable<T>, size = BATCH_ROWS): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Generates everything without writing it, and counts what was planted. */
export function computePlantedCounts(fleet: ReferenceFleet): PlantedCounts {
  const counter = fleet.counter();
  for (const table of fleet.tables) {
    counter.observeRows(table, []);
    for (const batch of batches(table.rows())) counter.observeRows(table, batch);
  }
  for (const space of fleet.redis) {
    counter.observeKeys(space, []);
    for (const batch of batches(space.keys())) counter.observeKeys(space, batch);
  }
  return counter.result();
}
