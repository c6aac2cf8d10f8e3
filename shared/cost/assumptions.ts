// The model's assumptions: every number the model uses that is neither a price
// nor a decision, with its unit, where it comes from and, where the report's own
// figures do not add up, what the arithmetic says instead. All are editable
// (`assumption.<key>`), and each output names the ones it depends on.
import type { GrowthCategory } from './fleet.ts';

export interface AssumptionSpec {
  value: number;
  unit: string;
  min: number;
  max: number;
  /** Where the value comes from. */
  source: string;
  /** Anything an analyst should know, including where the report does not add up. */
  note?: string;
}

export const ASSUMPTION_SPECS = {
  measuredStores: {
    value: 16,
    unit: 'stores',
    min: 1,
    max: 1000,
    source: 'report 10.1: 16 stores (t_shop_info lists 16 active NYC stores; a snapshot counts them when it holds that table)',
  },
  measuredOrdersPerStorePerDay: {
    value: 172,
    unit: 'orders/store/day',
    min: 1,
    max: 10000,
    source: 'report 3.1: 2,500–3,000 orders a day across 16 stores; 2,750 / 16 = 171.9',
    note: 'The report rounds this to "~175" in 10.1.',
  },
  elasticityOrders: { value: 1, unit: 'ratio', min: 0, max: 2, source: 'report 10.2: orders 487K → ~3M at 100 stores (×6)' },
  elasticityCustomers: { value: 1, unit: 'ratio', min: 0, max: 2, source: 'report 10.2/10.3: "6x users" at 100 stores; customers follow orders' },
  elasticityInventory: { value: 1, unit: 'ratio', min: 0, max: 2, source: 'report 10.2: inventory 9.1M → ~55M records (×6)' },
  elasticitySessions: { value: 1, unit: 'ratio', min: 0, max: 2, source: 'report 10.2: sessions 150K → ~900K (×6)' },
  elasticityDevices: { value: 1, unit: 'ratio', min: 0, max: 2, source: 'report 10.2: IoT devices 216 → ~1,350 (×6.25)' },
  elasticityMonitoring: {
    value: 0.14,
    unit: 'ratio',
    min: 0,
    max: 2,
    source: 'report 10.3: monitoring 115M → 200M+ records at 100 stores: (200/115 − 1) / (100/16 − 1) = 0.14',
  },
  elasticityPlatform: { value: 0, unit: 'ratio', min: 0, max: 2, source: 'report 10.2: auth, permissions, framework are fixed overhead' },
  maxLoad: {
    value: 0.7,
    unit: 'share of capacity',
    min: 0.1,
    max: 1,
    source: 'sizing rule: an instance moves up a class before its peak load passes 70% of the class\'s sustained vCPU capacity',
    note: 'The report gives no CPU figures; the load of each instance at 16 stores is a preset assumption by traffic tier (see the fleet), or qps / (vCPU × queriesPerVcpuSecond) from a snapshot.',
  },
  queriesPerVcpuSecond: {
    value: 400,
    unit: 'queries/s per vCPU',
    min: 1,
    max: 100000,
    source: 'snapshot load estimate: load = (Questions / Uptime) / (sustained vCPU × this)',
  },
  lowTrafficQps: {
    value: 5,
    unit: 'queries/s',
    min: 0,
    max: 10000,
    source: 'snapshot classification: an instance below this average rate is low-traffic (right-sizing and consolidation candidates)',
  },
  redisHeadroom: {
    value: 0.25,
    unit: 'share above used',
    min: 0,
    max: 3,
    source: 'sizing rule: a node keeps 25% of its usable memory above used memory free (used × 1.25 ≤ usable)',
  },
  redisReservedMemoryShare: {
    value: 0.25,
    unit: 'share of node memory',
    min: 0,
    max: 0.9,
    source: 'ElastiCache default reserved-memory-percent 25%: cache.m5.large 6.38 GiB × 0.75 = 4.79 GiB, the report\'s isales-market allocation (4.3)',
  },
  inactiveKeyShare: {
    value: 0.46,
    unit: 'share of no-TTL keys',
    min: 0,
    max: 1,
    source: 'share of no-TTL keys whose user is not active within the TTL window: 1 − 149,834 active sessions / 277,000 registered users (report 4.3, 3.7) = 0.46',
    note: 'With a TTL these keys expire; keys of active users are rewritten and stay. So TTL enforcement reclaims this share of the no-TTL memory now, and stops the no-TTL key count from tracking all registered users as stores grow.',
  },
  storageFill: {
    value: 0.8,
    unit: 'share of allocated storage',
    min: 0.1,
    max: 1,
    source: 'allocated storage = data / 0.8 (RDS storage autoscaling keeps ≥ 10–20% free)',
  },
  minimumStorageGb: {
    value: 50,
    unit: 'GB',
    min: 20,
    max: 65536,
    source: 'allocated storage per RDS instance is at least 50 GB (RDS allows 20 GB; most of these databases hold far less than 50 GB, and RDS cannot shrink storage once allocated)',
  },
  backupSizeRatio: {
    value: 1.35,
    unit: 'backup GB per data GB',
    min: 0,
    max: 10,
    source: 'automated backups: one full copy plus 7 days × 5% daily change; the free allowance is 100% of provisioned storage',
  },
  dataAgeDays: {
    value: 177,
    unit: 'days',
    min: 1,
    max: 36500,
    source: 'age of the data: 487K orders / 2,750 orders a day = 177 days; archival after N days moves the share (1 − N / 177) of archivable history',
  },
  analyticsLoadShare: {
    value: 0.25,
    unit: 'share of load',
    min: 0,
    max: 1,
    source: 'share of a busy instance\'s load that is reporting/analytics and moves to its read replica',
  },
  serverlessMinAcu: {
    value: 0.5,
    unit: 'ACU',
    min: 0,
    max: 256,
    source: 'Aurora Serverless v2 minimum capacity (0 is possible with auto-pause, at the cost of a cold start)',
  },
  batchHoursPerDay: {
    value: 2,
    unit: 'hours/day',
    min: 0,
    max: 24,
    source: 'hours a day a batch-only database runs at full capacity at 16 stores; grows with its data',
  },
  acuPerGib: {
    value: 0.5,
    unit: 'ACU per GiB of instance memory',
    min: 0.01,
    max: 10,
    source: 'AWS: one ACU is about 2 GiB of memory with matching CPU; a batch database peaks at its current class\'s memory',
  },
  auroraIoMillionsPerMonth: {
    value: 20,
    unit: 'million I/O per batch database per month',
    min: 0,
    max: 1000000,
    source: 'assumed I/O of a batch-only database at 16 stores on Aurora Standard; grows with its data',
  },
  marketingBytesPerKey: {
    value: 0,
    unit: 'bytes per no-TTL key (0 = measured)',
    min: 0,
    max: 1000000,
    source: 'memory per no-TTL key in the projection; 0 uses the measured no-TTL memory / no-TTL keys',
  },
} satisfies Record<string, AssumptionSpec>;

export type AssumptionKey = keyof typeof ASSUMPTION_SPECS;
export type Assumptions = Record<AssumptionKey, number>;

export const ASSUMPTION_KEYS = Object.keys(ASSUMPTION_SPECS) as AssumptionKey[];

export function defaultAssumptions(): Assumptions {
  const values = {} as Assumptions;
  for (const key of ASSUMPTION_KEYS) values[key] = ASSUMPTION_SPECS[key].value;
  return values;
}

export const ELASTICITY_KEY: Record<GrowthCategory, AssumptionKey> = {
  orders: 'elasticityOrders',
  customers: 'elasticityCustomers',
  inventory: 'elasticityInventory',
  sessions: 'elasticitySessions',
  devices: 'elasticityDevices',
  monitoring: 'elasticityMonitoring',
  platform: 'elasticityPlatform',
};

/** Growth with orders: customers and orders follow orders per store as well as stores. */
export const ORDER_DRIVEN: Record<GrowthCategory, boolean> = {
  orders: true,
  customers: true,
  sessions: true,
  inventory: false,
  devices: false,
  monitoring: false,
  platform: false,
};

/**
 * Where the report's own figures do not add up, and what the model does
 * instead. Each is attached to the outputs it affects.
 */
export const REPORT_DISCREPANCIES = {
  totalRange:
    'Section 1 gives $15,000–$25,000/month, section 2 sums its engine ranges to $12,500–$23,000, and 10.1 uses $18,000 ($1,125 × 16). The model prices the fleet from list prices and lands near $18,000.',
  sessionUtilisation:
    'isales-session: 99.73 MB / 384 MB is 26.0%, not the printed 26.2%; the model uses the measured megabytes.',
  marketingMemory:
    '10.3: "16M+ persistent keys requiring 8–10 GB". 2.69M no-TTL keys × 100/16 = 16.8M keys, but at the measured 245 bytes per key (1.28 GiB / 5.6M keys) they need ≈ 3.8 GiB; 8 GB is the whole marketing cluster (1.28 GB × 6.25), TTL keys included. The projection shows both.',
  savingsOverlap:
    '11.4 adds $4,500 + $7,400 + $3,500 = $15,400 against the same $18,000, which would leave $2,600/month. Applied together the savings overlap (reserved instances discount compute that right-sizing and consolidation already cut; consolidation and right-sizing act on the same low-traffic instances), so the waterfall applies them one after another and each saves less.',
  kubernetesPooling:
    '11.3 "Kubernetes-based database pooling" runs the same low-traffic MySQL instances on shared compute that 11.2 already merges into multi-tenant hosts; counting both would save the same dollars twice. The long-term toggle therefore extends multi-tenant consolidation to every low-traffic instance instead of adding a second saving.',
  coldStorage:
    '11.3 "Cold storage tiering: $500–$1,000/month". Archiving the monitoring rows frees RDS storage at $0.115–$0.23/GB-month; at the data sizes assumed here that is tens of dollars a month, not hundreds. The archived rows are the cold ones, so the instance class (sized by load) does not shrink with them.',
  redisUpgrade:
    '11.2 credits the Redis 7.x upgrade ($4,000 → $3,200) to memory efficiency, but with every cluster below 27% of its memory a smaller footprint buys no smaller node. The saving that does exist is ElastiCache for Valkey (Redis 7.2-compatible) pricing nodes 20% below Redis OSS; the model applies that.',
  perStoreTarget:
    '11.4 puts the 100-store cost at "$250–$350" and 10.2 at "$250–$400" per store; the plan is tested against the wider band.',
  storeGrowth:
    '10.2 expects cost to grow with stores ($250–$400 a store at 100 stores is $25,000–$40,000 a month) but gives no CPU or query rates. At a coffee chain\'s real order rate (about 17,000 orders a day at 100 stores) few of these instances would need a larger class; the preset\'s loads are therefore calibrated to the report\'s band, and a snapshot\'s measured rates replace them.',
  domainCounts:
    'Section 2 counts 6 Platform and 22 Other MySQL servers; Appendix A names 7 Platform servers and 17 Other, and leaves 4 unnamed (58 of 62). The preset follows Appendix A and adds 4 unnamed "Other" instances.',
} as const;
