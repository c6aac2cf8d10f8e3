// The price catalogue of the cost model: public on-demand list prices in
// us-east-1 for the RDS MySQL/PostgreSQL and ElastiCache classes a fleet like the
// report's uses, reserved-instance discounts, storage, backup, archive and
// Aurora Serverless v2. Every figure can be overridden (`price.*` keys).

export type DatabaseEngine = 'mysql' | 'postgres';
export type ReservedTerm = '1yr' | '3yr';
export type ReservedPayment = 'no-upfront' | 'partial-upfront' | 'all-upfront';

export const RESERVED_TERMS: readonly ReservedTerm[] = ['1yr', '3yr'];
export const RESERVED_PAYMENTS: readonly ReservedPayment[] = ['no-upfront', 'partial-upfront', 'all-upfront'];

/** A database instance class: what it costs per hour and how much it can do. */
export interface DatabaseClass {
  /** On-demand USD per hour, Single-AZ, per engine. */
  hourly: Record<DatabaseEngine, number>;
  vcpu: number;
  memoryGib: number;
  /** Share of each vCPU a burstable (T) class sustains without credits; 1 for fixed-performance classes. */
  baseline: number;
}

/** An ElastiCache node type. */
export interface CacheNodeClass {
  hourly: number;
  memoryGib: number;
}

export type ReservedDiscounts = Record<ReservedTerm, Record<ReservedPayment, number>>;

export interface PriceCatalogue {
  region: string;
  currency: 'USD';
  /** When the list prices were read, and where from. */
  asOf: string;
  sources: string[];
  note: string;
  hoursPerMonth: number;
  database: Record<string, DatabaseClass>;
  cache: Record<string, CacheNodeClass>;
  /** RDS Multi-AZ (one standby) bills the instance and its storage twice. */
  multiAzMultiplier: number;
  /** gp3 storage, USD per GB-month, Single-AZ. */
  storageGbMonth: number;
  /** Backup storage beyond the free allowance (100% of provisioned storage), USD per GB-month. */
  backupGbMonth: number;
  /** Aurora (Standard) storage, USD per GB-month. */
  auroraStorageGbMonth: number;
  /** Aurora (Standard) I/O, USD per million requests. */
  auroraIoPerMillion: number;
  /** Aurora Serverless v2, USD per ACU-hour. */
  acuHour: number;
  /** Where archived rows go (S3 Standard-IA), USD per GB-month. */
  archiveGbMonth: number;
  /** ElastiCache for Valkey node prices are this share below Redis OSS node prices. */
  valkeyDiscount: number;
  /** Effective discount of a reserved instance against on-demand, upfront amortised over the term. */
  reserved: { rds: ReservedDiscounts; elasticache: ReservedDiscounts };
}

const HOURS_PER_MONTH = 730;

function rds(mysql: number, postgres: number, vcpu: number, memoryGib: number, baseline = 1): DatabaseClass {
  return { hourly: { mysql, postgres }, vcpu, memoryGib, baseline };
}

/**
 * us-east-1 list prices as published on the AWS pricing pages (on-demand,
 * Single-AZ, Linux/engine-included). Compiled for Snapbench from those pages;
 * AWS changes these rarely, but check before you quote a figure.
 */
export const US_EAST_1_PRICES: PriceCatalogue = {
  region: 'us-east-1',
  currency: 'USD',
  asOf: '2025-01 (public list prices, unchanged for these classes since 2023)',
  sources: [
    'https://aws.amazon.com/rds/mysql/pricing/',
    'https://aws.amazon.com/rds/postgresql/pricing/',
    'https://aws.amazon.com/elasticache/pricing/',
    'https://aws.amazon.com/rds/aurora/pricing/',
    'https://aws.amazon.com/s3/pricing/',
  ],
  note:
    'On-demand hourly list prices, us-east-1; a month is 730 hours. Reserved discounts are the effective rates of r6g/m6g classes ' +
    '(upfront amortised); other classes differ by a few points. Override any figure with --set price.<key>=<value>.',
  hoursPerMonth: HOURS_PER_MONTH,
  database: {
    'db.t3.micro': rds(0.017, 0.018, 2, 1, 0.1),
    'db.t3.small': rds(0.034, 0.036, 2, 2, 0.2),
    'db.t3.medium': rds(0.068, 0.072, 2, 4, 0.2),
    'db.t3.large': rds(0.136, 0.145, 2, 8, 0.3),
    'db.t3.xlarge': rds(0.272, 0.29, 4, 16, 0.4),
    'db.t3.2xlarge': rds(0.544, 0.579, 8, 32, 0.4),
    'db.t4g.micro': rds(0.016, 0.016, 2, 1, 0.1),
    'db.t4g.small': rds(0.032, 0.032, 2, 2, 0.2),
    'db.t4g.medium': rds(0.065, 0.065, 2, 4, 0.2),
    'db.t4g.large': rds(0.129, 0.129, 2, 8, 0.3),
    'db.t4g.xlarge': rds(0.258, 0.258, 4, 16, 0.4),
    'db.t4g.2xlarge': rds(0.516, 0.517, 8, 32, 0.4),
    'db.m5.large': rds(0.171, 0.178, 2, 8),
    'db.m5.xlarge': rds(0.342, 0.356, 4, 16),
    'db.m5.2xlarge': rds(0.684, 0.712, 8, 32),
    'db.m5.4xlarge': rds(1.368, 1.424, 16, 64),
    'db.m5.8xlarge': rds(2.736, 2.848, 32, 128),
    'db.m5.12xlarge': rds(4.104, 4.272, 48, 192),
    'db.m5.16xlarge': rds(5.472, 5.696, 64, 256),
    'db.m5.24xlarge': rds(8.208, 8.544, 96, 384),
    'db.m6g.large': rds(0.152, 0.159, 2, 8),
    'db.m6g.xlarge': rds(0.304, 0.318, 4, 16),
    'db.m6g.2xlarge': rds(0.608, 0.636, 8, 32),
    'db.m6g.4xlarge': rds(1.216, 1.272, 16, 64),
    'db.m6g.8xlarge': rds(2.432, 2.544, 32, 128),
    'db.m6g.12xlarge': rds(3.648, 3.816, 48, 192),
    'db.m6g.16xlarge': rds(4.864, 5.088, 64, 256),
    'db.r5.large': rds(0.24, 0.25, 2, 16),
    'db.r5.xlarge': rds(0.48, 0.5, 4, 32),
    'db.r5.2xlarge': rds(0.96, 1.0, 8, 64),
    'db.r5.4xlarge': rds(1.92, 2.0, 16, 128),
    'db.r5.8xlarge': rds(3.84, 4.0, 32, 256),
    'db.r5.12xlarge': rds(5.76, 6.0, 48, 384),
    'db.r5.16xlarge': rds(7.68, 8.0, 64, 512),
    'db.r5.24xlarge': rds(11.52, 12.0, 96, 768),
    'db.r6g.large': rds(0.215, 0.225, 2, 16),
    'db.r6g.xlarge': rds(0.43, 0.45, 4, 32),
    'db.r6g.2xlarge': rds(0.86, 0.899, 8, 64),
    'db.r6g.4xlarge': rds(1.72, 1.798, 16, 128),
    'db.r6g.8xlarge': rds(3.44, 3.597, 32, 256),
    'db.r6g.12xlarge': rds(5.16, 5.395, 48, 384),
    'db.r6g.16xlarge': rds(6.88, 7.194, 64, 512),
  },
  cache: {
    'cache.t3.micro': { hourly: 0.017, memoryGib: 0.5 },
    'cache.t3.small': { hourly: 0.034, memoryGib: 1.37 },
    'cache.t3.medium': { hourly: 0.068, memoryGib: 3.09 },
    'cache.t4g.micro': { hourly: 0.016, memoryGib: 0.5 },
    'cache.t4g.small': { hourly: 0.032, memoryGib: 1.37 },
    'cache.t4g.medium': { hourly: 0.065, memoryGib: 3.09 },
    'cache.m5.large': { hourly: 0.156, memoryGib: 6.38 },
    'cache.m5.xlarge': { hourly: 0.311, memoryGib: 12.93 },
    'cache.m5.2xlarge': { hourly: 0.623, memoryGib: 26.04 },
    'cache.m5.4xlarge': { hourly: 1.245, memoryGib: 52.26 },
    'cache.m5.12xlarge': { hourly: 3.744, memoryGib: 157.12 },
    'cache.m5.24xlarge': { hourly: 7.488, memoryGib: 314.32 },
    'cache.m6g.large': { hourly: 0.149, memoryGib: 6.38 },
    'cache.m6g.xlarge': { hourly: 0.297, memoryGib: 12.93 },
    'cache.m6g.2xlarge': { hourly: 0.593, memoryGib: 26.04 },
    'cache.m6g.4xlarge': { hourly: 1.186, memoryGib: 52.26 },
    'cache.m6g.8xlarge': { hourly: 2.372, memoryGib: 103.68 },
    'cache.m6g.12xlarge': { hourly: 3.558, memoryGib: 157.12 },
    'cache.m6g.16xlarge': { hourly: 4.744, memoryGib: 209.55 },
    'cache.r5.large': { hourly: 0.216, memoryGib: 13.07 },
    'cache.r5.xlarge': { hourly: 0.431, memoryGib: 26.32 },
    'cache.r5.2xlarge': { hourly: 0.862, memoryGib: 52.82 },
    'cache.r5.4xlarge': { hourly: 1.724, memoryGib: 105.81 },
    'cache.r5.12xlarge': { hourly: 5.184, memoryGib: 317.77 },
    'cache.r5.24xlarge': { hourly: 10.368, memoryGib: 635.61 },
    'cache.r6g.large': { hourly: 0.206, memoryGib: 13.07 },
    'cache.r6g.xlarge': { hourly: 0.411, memoryGib: 26.32 },
    'cache.r6g.2xlarge': { hourly: 0.821, memoryGib: 52.82 },
    'cache.r6g.4xlarge': { hourly: 1.642, memoryGib: 105.81 },
    'cache.r6g.8xlarge': { hourly: 3.284, memoryGib: 209.55 },
    'cache.r6g.12xlarge': { hourly: 4.926, memoryGib: 317.77 },
    'cache.r6g.16xlarge': { hourly: 6.568, memoryGib: 419.09 },
  },
  multiAzMultiplier: 2,
  storageGbMonth: 0.115,
  backupGbMonth: 0.095,
  auroraStorageGbMonth: 0.1,
  auroraIoPerMillion: 0.2,
  acuHour: 0.12,
  archiveGbMonth: 0.0125,
  valkeyDiscount: 0.2,
  reserved: {
    rds: {
      '1yr': { 'no-upfront': 0.32, 'partial-upfront': 0.37, 'all-upfront': 0.39 },
      '3yr': { 'no-upfront': 0.5, 'partial-upfront': 0.58, 'all-upfront': 0.61 },
    },
    elasticache: {
      '1yr': { 'no-upfront': 0.3, 'partial-upfront': 0.34, 'all-upfront': 0.36 },
      '3yr': { 'no-upfront': 0.47, 'partial-upfront': 0.52, 'all-upfront': 0.55 },
    },
  },
};

/** Scalar prices a user can override by name (`price.<key>`). */
export const SCALAR_PRICE_KEYS = [
  'storageGbMonth',
  'backupGbMonth',
  'auroraStorageGbMonth',
  'auroraIoPerMillion',
  'acuHour',
  'archiveGbMonth',
  'valkeyDiscount',
  'multiAzMultiplier',
] as const;
export type ScalarPriceKey = (typeof SCALAR_PRICE_KEYS)[number];

/** One price override, as `--set price.<key>=<value>` names it. */
export type PriceOverride =
  | { kind: 'scalar'; key: ScalarPriceKey; value: number }
  | { kind: 'database'; engine: DatabaseEngine; instanceClass: string; hourly: number }
  | { kind: 'cache'; nodeClass: string; hourly: number }
  | { kind: 'reserved'; service: 'rds' | 'elasticache'; term: ReservedTerm; payment: ReservedPayment; discount: number };

/** A copy of the catalogue with the overrides applied; the original is never changed. */
export function applyPriceOverrides(base: PriceCatalogue, overrides: readonly PriceOverride[]): PriceCatalogue {
  if (overrides.length === 0) return base;
  const prices: PriceCatalogue = {
    ...base,
    database: { ...base.database },
    cache: { ...base.cache },
    reserved: {
      rds: { '1yr': { ...base.reserved.rds['1yr'] }, '3yr': { ...base.reserved.rds['3yr'] } },
      elasticache: { '1yr': { ...base.reserved.elasticache['1yr'] }, '3yr': { ...base.reserved.elasticache['3yr'] } },
    },
  };
  for (const override of overrides) {
    if (override.kind === 'scalar') prices[override.key] = override.value;
    else if (override.kind === 'database') {
      const current = prices.database[override.instanceClass]!;
      prices.database[override.instanceClass] = { ...current, hourly: { ...current.hourly, [override.engine]: override.hourly } };
    } else if (override.kind === 'cache') {
      prices.cache[override.nodeClass] = { ...prices.cache[override.nodeClass]!, hourly: override.hourly };
    } else prices.reserved[override.service][override.term][override.payment] = override.discount;
  }
  return prices;
}

/** Usable memory of an ElastiCache node: the node's memory less the reserved share (reserved-memory-percent). */
export function usableCacheMemoryMib(prices: PriceCatalogue, nodeClass: string, reservedMemoryShare: number): number {
  return prices.cache[nodeClass]!.memoryGib * 1024 * (1 - reservedMemoryShare);
}

/** The family of a class name: `db.r6g.large` → `db.r6g`. */
export function classFamily(instanceClass: string): string {
  return instanceClass.slice(0, instanceClass.lastIndexOf('.'));
}
