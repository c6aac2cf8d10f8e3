// The decisions (the sliders): what an executive changes, with the range of
// each, and the report's section-11 savings as three toggles that set several
// decisions at once. Validated here, at the edge; the model trusts them.
import { z } from 'zod';
import { RESERVED_PAYMENTS, RESERVED_TERMS, type ReservedPayment, type ReservedTerm } from './prices.ts';

export interface Decisions {
  stores: number;
  ordersPerStorePerDay: number;
  /** Redis clusters that remain; the fleet's count means no consolidation. */
  redisClusters: number;
  redisPoolNodeClass: string;
  redisWorkloadsPerPool: number;
  redisReplicasPerShard: number;
  ttlEnforcement: number;
  redisEngineUpgrade: boolean;
  mysqlRightSizing: number;
  mysqlRightSizeClass: string;
  mysqlConsolidation: number;
  mysqlTenantsPerHost: number;
  mysqlTenantHostClass: string;
  removeTestInstances: boolean;
  reservedCoverage: number;
  reservedTerm: ReservedTerm;
  reservedPayment: ReservedPayment;
  archiveAfterDays: number;
  analyticsReadReplicas: number;
  serverlessShare: number;
  immediateSavings: boolean;
  mediumTermSavings: boolean;
  longTermSavings: boolean;
}

export type DecisionKey = keyof Decisions;

interface BaseSpec {
  label: string;
  description: string;
}
export type DecisionSpec =
  | (BaseSpec & { kind: 'number'; min: number; max: number; integer: boolean; unit: string; fallback: number })
  | (BaseSpec & { kind: 'boolean'; fallback: boolean })
  | (BaseSpec & { kind: 'choice'; choices: readonly string[]; fallback: string });

// Class lists are kept here (not read from the catalogue) so the specs stay
// plain data; the model checks they are priced.
const CACHE_POOL_CLASSES = [
  'cache.t4g.small',
  'cache.t4g.medium',
  'cache.t3.medium',
  'cache.m6g.large',
  'cache.m6g.xlarge',
  'cache.r6g.large',
  'cache.r6g.xlarge',
  'cache.r6g.2xlarge',
] as const;
const RIGHT_SIZE_CLASSES = ['db.t4g.small', 'db.t4g.medium', 'db.t4g.large', 'db.m6g.large', 'db.r6g.large'] as const;
const TENANT_HOST_CLASSES = ['db.t4g.large', 'db.m6g.large', 'db.m6g.xlarge', 'db.r6g.large', 'db.r6g.xlarge', 'db.r6g.2xlarge'] as const;

export const DECISION_SPECS: Record<DecisionKey, DecisionSpec> = {
  stores: { kind: 'number', min: 1, max: 1000, integer: true, unit: 'stores', fallback: 16, label: 'Stores', description: 'store count the fleet serves' },
  ordersPerStorePerDay: {
    kind: 'number',
    min: 1,
    max: 10000,
    integer: false,
    unit: 'orders/store/day',
    fallback: 172,
    label: 'Orders per store per day',
    description: 'drives order and customer data, sessions and their load',
  },
  redisClusters: {
    kind: 'number',
    min: 1,
    max: 1000,
    integer: true,
    unit: 'clusters',
    fallback: 78,
    label: 'Redis clusters that remain',
    description: "consolidation target; the least-utilised clusters are merged into pools (the fleet's count = no consolidation)",
  },
  redisPoolNodeClass: {
    kind: 'choice',
    choices: CACHE_POOL_CLASSES,
    fallback: 'cache.t4g.medium',
    label: 'Node class of the pooled clusters',
    description: 'node type the merged clusters are packed onto',
  },
  redisWorkloadsPerPool: {
    kind: 'number',
    min: 1,
    max: 100,
    integer: true,
    unit: 'workloads',
    fallback: 8,
    label: 'Workloads per pooled cluster',
    description: 'how many merged clusters share one pooled cluster (isolation)',
  },
  redisReplicasPerShard: {
    kind: 'number',
    min: 0,
    max: 5,
    integer: true,
    unit: 'replicas',
    fallback: 1,
    label: 'Replicas per pooled shard',
    description: 'replica nodes behind each primary of a pooled cluster',
  },
  ttlEnforcement: {
    kind: 'number',
    min: 0,
    max: 1,
    integer: false,
    unit: 'share',
    fallback: 0,
    label: 'TTL enforcement on persistent keys',
    description: 'share of keys without a TTL that get one (report 13 #3: 90-day TTL on CONTACT_* keys)',
  },
  redisEngineUpgrade: {
    kind: 'boolean',
    fallback: false,
    label: 'Upgrade Redis 6.0.5 → 7.2 (ElastiCache for Valkey)',
    description: 'report 11.2 / 13 #11; Valkey nodes cost 20% less than Redis OSS nodes',
  },
  mysqlRightSizing: {
    kind: 'number',
    min: 0,
    max: 1,
    integer: false,
    unit: 'share',
    fallback: 0,
    label: 'Right-size low-traffic MySQL',
    description: 'share of low-traffic MySQL instances moved down to the right-size class',
  },
  mysqlRightSizeClass: {
    kind: 'choice',
    choices: RIGHT_SIZE_CLASSES,
    fallback: 'db.t4g.large',
    label: 'Right-size class',
    description: 'class a right-sized instance moves to (larger if its load needs it)',
  },
  mysqlConsolidation: {
    kind: 'number',
    min: 0,
    max: 1,
    integer: false,
    unit: 'share',
    fallback: 0,
    label: 'Multi-tenant MySQL consolidation',
    description: 'share of low-traffic MySQL databases merged onto shared multi-tenant hosts',
  },
  mysqlTenantsPerHost: {
    kind: 'number',
    min: 2,
    max: 50,
    integer: true,
    unit: 'databases/host',
    fallback: 5,
    label: 'Databases per multi-tenant host',
    description: 'merged databases per shared host',
  },
  mysqlTenantHostClass: {
    kind: 'choice',
    choices: TENANT_HOST_CLASSES,
    fallback: 'db.r6g.large',
    label: 'Multi-tenant host class',
    description: 'class of a shared host (Multi-AZ; larger if the merged load needs it)',
  },
  removeTestInstances: {
    kind: 'boolean',
    fallback: false,
    label: 'Remove DBA test instances',
    description: 'report 11.1: dbatest and recovery-dbatest',
  },
  reservedCoverage: {
    kind: 'number',
    min: 0,
    max: 1,
    integer: false,
    unit: 'share',
    fallback: 0,
    label: 'Reserved-instance coverage',
    description: 'share of provisioned instance and node hours bought as reserved instances',
  },
  reservedTerm: { kind: 'choice', choices: RESERVED_TERMS, fallback: '1yr', label: 'Reserved term', description: '1yr or 3yr' },
  reservedPayment: {
    kind: 'choice',
    choices: RESERVED_PAYMENTS,
    fallback: 'all-upfront',
    label: 'Reserved payment option',
    description: 'no-upfront, partial-upfront or all-upfront',
  },
  archiveAfterDays: {
    kind: 'number',
    min: 0,
    max: 3650,
    integer: true,
    unit: 'days (0 = off)',
    fallback: 0,
    label: 'Archive monitoring/inventory/marketing data after',
    description: 'rows older than this move to S3; 0 keeps everything online (report 13 #10: 90-day hot)',
  },
  analyticsReadReplicas: {
    kind: 'number',
    min: 0,
    max: 100,
    integer: true,
    unit: 'replicas',
    fallback: 0,
    label: 'Read replicas for analytics',
    description: 'read replicas on the busiest MySQL instances (report 13 #5: top 5)',
  },
  serverlessShare: {
    kind: 'number',
    min: 0,
    max: 1,
    integer: false,
    unit: 'share',
    fallback: 0,
    label: 'Batch-only databases on Aurora Serverless v2',
    description: 'share of batch-only MySQL databases moved to Aurora Serverless v2',
  },
  immediateSavings: {
    kind: 'boolean',
    fallback: false,
    label: 'Immediate savings (0–3 months)',
    description: 'pool the Redis clusters below 1% memory, right-size low-traffic MySQL, remove DBA test instances',
  },
  mediumTermSavings: {
    kind: 'boolean',
    fallback: false,
    label: 'Medium-term savings (3–6 months)',
    description: 'multi-tenant MySQL consolidation (70% of low-traffic), reserved instances (80%, 1yr all-upfront), Redis 7.x/Valkey',
  },
  longTermSavings: {
    kind: 'boolean',
    fallback: false,
    label: 'Long-term savings (6–12 months)',
    description: 'pool every low-traffic MySQL instance, archive after 90 days, batch-only databases on Aurora Serverless v2',
  },
};

export const DECISION_KEYS = Object.keys(DECISION_SPECS) as DecisionKey[];
export const TOGGLE_KEYS = ['immediateSavings', 'mediumTermSavings', 'longTermSavings'] as const;
export type ToggleKey = (typeof TOGGLE_KEYS)[number];

/** Sentinel for "the consolidation that section 11.1 describes", resolved against the fleet. */
export const POOL_BELOW_ONE_PERCENT = 'pool-below-1%' as const;

/**
 * What each section-11 toggle sets. Later toggles win where they overlap
 * (long-term consolidation extends medium-term's).
 */
export const TOGGLE_SETTINGS: Record<ToggleKey, Partial<Record<DecisionKey, number | boolean | string>>> = {
  immediateSavings: { redisClusters: POOL_BELOW_ONE_PERCENT, mysqlRightSizing: 1, removeTestInstances: true },
  mediumTermSavings: {
    mysqlConsolidation: 0.7,
    reservedCoverage: 0.8,
    reservedTerm: '1yr',
    reservedPayment: 'all-upfront',
    redisEngineUpgrade: true,
  },
  longTermSavings: { mysqlConsolidation: 1, archiveAfterDays: 90, serverlessShare: 1 },
};

function decisionSchema(spec: DecisionSpec): z.ZodType {
  if (spec.kind === 'boolean') return z.boolean();
  if (spec.kind === 'choice') return z.enum(spec.choices as [string, ...string[]]);
  let schema = z.number().min(spec.min).max(spec.max);
  if (spec.integer) schema = schema.int();
  return schema;
}

/** Validates a partial set of decisions (from the UI or a preset), rejecting unknown keys. */
export const decisionsSchema = z
  .object(Object.fromEntries(DECISION_KEYS.map((key) => [key, decisionSchema(DECISION_SPECS[key]).optional()])))
  .strict();

export type DecisionSettings = Partial<Decisions>;

export class DecisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecisionError';
  }
}

/** The allowed values of one decision, in words: "a whole number from 1 to 1000 (stores)". */
export function describeRange(key: DecisionKey, max?: number): string {
  const spec = DECISION_SPECS[key];
  if (spec.kind === 'boolean') return 'true or false';
  if (spec.kind === 'choice') return `one of ${spec.choices.join(', ')}`;
  const upper = max ?? spec.max;
  return `${spec.integer ? 'a whole number' : 'a number'} from ${spec.min} to ${upper} (${spec.unit})`;
}

/** Parses a partial decisions object from outside (UI, HTTP); throws a DecisionError naming the first bad key. */
export function parseDecisionSettings(input: unknown): DecisionSettings {
  const parsed = decisionsSchema.safeParse(input);
  if (parsed.success) return parsed.data as DecisionSettings;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new DecisionError(`unknown decision "${issue.keys[0]}"; known decisions: ${DECISION_KEYS.join(', ')}`);
  }
  const key = String(issue.path[0]) as DecisionKey;
  throw new DecisionError(`decision "${key}" must be ${describeRange(key)}`);
}

/** Parses the text of one decision value (as `--set key=value` gives it). */
export function parseDecisionValue(key: DecisionKey, text: string): number | boolean | string {
  const spec = DECISION_SPECS[key];
  const value = text.trim();
  let parsed: unknown = value;
  if (spec.kind === 'boolean') {
    const lower = value.toLowerCase();
    parsed = ['true', 'yes', 'on', '1'].includes(lower) ? true : ['false', 'no', 'off', '0'].includes(lower) ? false : value;
  } else if (spec.kind === 'number') {
    const percent = /^(-?\d+(?:\.\d+)?)%$/.exec(value);
    parsed = percent ? Number(percent[1]) / 100 : value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  const result = decisionSchema(spec).safeParse(parsed);
  if (!result.success) throw new DecisionError(`"${key}" must be ${describeRange(key)}, not "${text}"`);
  return result.data as number | boolean | string;
}

/** Every decision at its "as the report found it" value. */
export function defaultDecisions(): Decisions {
  const values: Record<string, unknown> = {};
  for (const key of DECISION_KEYS) values[key] = DECISION_SPECS[key].fallback;
  return values as unknown as Decisions;
}
