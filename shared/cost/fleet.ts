// The fleet as the cost model sees it: every instance with what was measured
// (or assumed) about it. Built from the preset (the report's fleet) or from a
// snapshot's catalog and server facts; plain data, so it crosses any boundary.

/**
 * What a workload's data and load grow with (report section 10.2): orders and
 * customers with orders (stores × orders per store), inventory, sessions and
 * devices with stores, monitoring a little, platform services not at all.
 */
export const GROWTH_CATEGORIES = ['orders', 'customers', 'inventory', 'sessions', 'devices', 'monitoring', 'platform'] as const;
export type GrowthCategory = (typeof GROWTH_CATEGORIES)[number];

/**
 * How an instance is used, which decides what the decisions may do with it:
 * low-traffic ones can be right-sized or merged, batch-only ones moved to
 * serverless, test ones removed.
 */
export type TrafficRole = 'transactional' | 'low-traffic' | 'batch-only' | 'test';

/** Which kind of old data an instance holds that archival can move to S3. */
export type ArchivableData = 'monitoring' | 'inventory' | 'marketing';

/** Where a value came from, so an explanation can say "measured" or "assumed". */
export type ValueSource = 'measured' | 'manifest' | 'preset' | 'default';

export interface DatabaseWorkload {
  name: string;
  engine: 'mysql' | 'postgres';
  domain: string;
  instanceClass: string;
  multiAz: boolean;
  /** Data on disk at the measured store count, GB. */
  dataGb: number;
  /** Busy share of the instance class's sustained capacity at peak, at the measured store count. */
  load: number;
  growth: GrowthCategory;
  role: TrafficRole;
  /** Candidate for an analytics read replica (the busiest instances, report 13 #5). */
  analytics: boolean;
  /**
   * Replicas the fleet already runs of this instance (a snapshot that pulled a
   * replica and its primary counts the replica here, not as an instance of its
   * own). Each is costed like a read replica: the primary's class, Single-AZ,
   * with its own storage. Absent: none.
   */
  replicas?: number;
  archivable: ArchivableData | null;
  /** Share of `dataGb` that is archivable history. */
  archivableShare: number;
  sources: { instanceClass: ValueSource; dataGb: ValueSource; load: ValueSource; role: ValueSource };
}

export interface CacheWorkload {
  name: string;
  domain: string;
  nodeClass: string;
  /** Replica nodes per shard. */
  replicas: number;
  /** Memory Redis may use (maxmemory), MiB. */
  allocatedMib: number;
  /** used_memory, MiB. */
  usedMib: number;
  /** Memory held by keys without a TTL, MiB (part of usedMib). */
  persistentMib: number;
  persistentKeys: number;
  keys: number;
  growth: GrowthCategory;
  sources: { nodeClass: ValueSource; usedMib: ValueSource; persistentMib: ValueSource };
}

export interface CostFleet {
  /** Where the fleet came from, e.g. `preset report-07` or `snapshot fleet.snapbench`. */
  source: string;
  /** Store count at which it was measured. */
  measuredStores: number;
  databases: DatabaseWorkload[];
  caches: CacheWorkload[];
  /** Facts about the fleet an explanation may quote (e.g. where measured stores came from). */
  notes: string[];
}

export function redisUtilisation(cache: CacheWorkload): number {
  return cache.allocatedMib > 0 ? cache.usedMib / cache.allocatedMib : 0;
}
