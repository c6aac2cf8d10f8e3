// The report's fleet (report 07, February 2026) as the cost model's preset:
// 62 MySQL, 78 Redis and 3 PostgreSQL instances at 16 stores. Names, domains,
// data volumes and Redis utilisation are the report's; instance classes, data
// sizes in GB and loads are not in the report and are stated here as
// assumptions, chosen so that list prices reproduce its cost figures.
import type { CacheWorkload, CostFleet, DatabaseWorkload, GrowthCategory, TrafficRole, ArchivableData } from './fleet.ts';

type Tier = 'high' | 'medium' | 'low' | 'batch' | 'test';

/** [name, domain, tier, class, Multi-AZ, data GB, growth, load, archivable data, archivable share] */
type MysqlRow = [string, string, Tier, string, boolean, number, GrowthCategory, number, ArchivableData | null, number];

const HIGH_XL = 'db.r6g.xlarge';
const HIGH = 'db.r6g.large';
const MEDIUM = 'db.t4g.large';
const MEDIUM_SMALL = 'db.t4g.medium';
const LOW = 'db.r6g.large';
const BATCH = 'db.m6g.large';

/**
 * Tiers (an assumption; the report names the busy ones): high = the order,
 * payment, marketing, inventory, monitoring, CDP, auth and user databases;
 * low = services the report lists with no volume or as empty; batch = planning,
 * reporting and reconciliation jobs; test = the DBA test instances.
 */
const MYSQL: MysqlRow[] = [
  // Sales & order (report 3.1)
  ['aws-luckyus-salesorder-rw', 'sales', 'high', HIGH_XL, true, 12, 'orders', 0.4, null, 0],
  ['aws-luckyus-salespayment-rw', 'sales', 'high', HIGH, true, 6, 'orders', 0.6, null, 0],
  ['aws-luckyus-salesmarketing-rw', 'sales', 'high', HIGH, true, 24, 'customers', 0.6, 'marketing', 0.9],
  ['aws-luckyus-salescrm-rw', 'sales', 'medium', MEDIUM_SMALL, true, 4, 'customers', 0.4, null, 0],
  ['aws-luckyus-isalesmembermarketing-rw', 'sales', 'low', LOW, false, 0.1, 'customers', 0.0025, null, 0],
  ['aws-luckyus-isalesdatamarketing-rw', 'sales', 'medium', MEDIUM, true, 4, 'customers', 0.4, 'marketing', 0.7],
  ['aws-luckyus-isalescdp-rw', 'sales', 'high', HIGH, true, 5, 'customers', 0.6, null, 0],
  ['aws-luckyus-isalesprivatedomain-rw', 'sales', 'medium', MEDIUM_SMALL, true, 2, 'customers', 0.4, 'marketing', 0.5],
  // Operations (3.2)
  ['aws-luckyus-opshop-rw', 'operations', 'medium', MEDIUM_SMALL, true, 1, 'inventory', 0.4, null, 0],
  ['aws-luckyus-opproduction-rw', 'operations', 'medium', MEDIUM, true, 3, 'orders', 0.4, null, 0],
  ['aws-luckyus-opshopsale-rw', 'operations', 'batch', BATCH, true, 4, 'orders', 0.1, null, 0],
  ['aws-luckyus-opqualitycontrol-rw', 'operations', 'low', LOW, false, 1, 'devices', 0.005, null, 0],
  ['aws-luckyus-opempefficiency-rw', 'operations', 'batch', BATCH, true, 2, 'inventory', 0.1, null, 0],
  ['aws-luckyus-oplog-rw', 'operations', 'medium', MEDIUM, true, 8, 'orders', 0.4, null, 0],
  // Supply chain (3.3)
  ['aws-luckyus-scm-shopstock-rw', 'scm', 'high', HIGH, true, 10, 'inventory', 0.6, 'inventory', 0.8],
  ['aws-luckyus-scmcommodity-rw', 'scm', 'medium', MEDIUM_SMALL, true, 2, 'platform', 0.15, null, 0],
  ['aws-luckyus-scm-ordering-rw', 'scm', 'medium', MEDIUM, true, 4, 'inventory', 0.4, 'inventory', 0.5],
  ['aws-luckyus-scm-purchase-rw', 'scm', 'medium', MEDIUM_SMALL, true, 4, 'inventory', 0.4, null, 0],
  ['aws-luckyus-scm-wds-rw', 'scm', 'medium', MEDIUM_SMALL, true, 4, 'inventory', 0.4, null, 0],
  ['aws-luckyus-scm-plan-rw', 'scm', 'batch', BATCH, true, 4, 'inventory', 0.1, null, 0],
  ['aws-luckyus-scm-asset-rw', 'scm', 'low', LOW, false, 2, 'inventory', 0.005, null, 0],
  ['aws-luckyus-scmsrm-rw', 'scm', 'low', LOW, false, 2, 'platform', 0.005, null, 0],
  ['aws-luckyus-scm-wmssimulate-rw', 'scm', 'batch', BATCH, true, 1, 'inventory', 0.1, null, 0],
  // Finance (3.4)
  ['aws-luckyus-ifiaccounting-rw', 'finance', 'medium', MEDIUM, true, 3, 'orders', 0.4, null, 0],
  ['aws-luckyus-fitax-rw', 'finance', 'low', LOW, false, 0.05, 'orders', 0.0025, null, 0],
  ['aws-luckyus-fichargecontrol-rw', 'finance', 'low', LOW, false, 1, 'orders', 0.005, null, 0],
  ['aws-luckyus-ibillingcentersrv-rw', 'finance', 'medium', MEDIUM_SMALL, true, 2, 'orders', 0.4, null, 0],
  ['aws-luckyus-iunifiedreconcile-rw', 'finance', 'batch', BATCH, true, 3, 'orders', 0.1, null, 0],
  // IoT (3.5)
  ['aws-luckyus-iotplatform-rw', 'iot', 'medium', MEDIUM, true, 6, 'devices', 0.4, null, 0],
  // AI & data (3.6)
  ['aws-luckyus-icyberdata-rw', 'ai-data', 'high', HIGH, true, 8, 'orders', 0.6, null, 0],
  ['aws-luckyus-ldas-rw', 'ai-data', 'medium', MEDIUM, true, 12, 'monitoring', 0.2, 'monitoring', 0.95],
  ['aws-luckyus-ldas01-rw', 'ai-data', 'high', HIGH_XL, true, 150, 'monitoring', 0.35, 'monitoring', 0.95],
  ['aws-luckyus-iluckydorisops-rw', 'ai-data', 'batch', BATCH, true, 1, 'platform', 0.1, null, 0],
  ['aws-luckyus-cdpactivity-rw', 'ai-data', 'high', HIGH, true, 25, 'customers', 0.6, 'marketing', 0.8],
  // Platform (3.7, Appendix A)
  ['aws-luckyus-iluckyauthapi-rw', 'platform', 'high', HIGH, true, 3, 'customers', 0.6, null, 0],
  ['aws-luckyus-ipermission-rw', 'platform', 'low', LOW, false, 0.5, 'platform', 0.005, null, 0],
  ['aws-luckyus-framework01-rw', 'platform', 'low', LOW, false, 0.5, 'platform', 0.005, null, 0],
  ['aws-luckyus-framework02-rw', 'platform', 'low', LOW, false, 0.5, 'platform', 0.005, null, 0],
  ['aws-luckyus-iopenadmin-rw', 'platform', 'low', LOW, false, 0.5, 'platform', 0.005, null, 0],
  ['aws-luckyus-iopenservice-rw', 'platform', 'medium', MEDIUM_SMALL, true, 2, 'orders', 0.4, null, 0],
  ['aws-luckyus-iopenlinker-rw', 'platform', 'low', LOW, false, 0.5, 'platform', 0.005, null, 0],
  // Other (Appendix A), and four servers the appendix leaves unnamed (named here; the demo uses the same names)
  ['aws-luckyus-igers-rw', 'other', 'high', HIGH, true, 2, 'customers', 0.6, null, 0],
  ['aws-luckyus-iluckyhealth-rw', 'other', 'low', LOW, false, 1, 'platform', 0.005, null, 0],
  ['aws-luckyus-iluckymedia-rw', 'other', 'low', LOW, false, 1, 'platform', 0.005, null, 0],
  ['aws-luckyus-upush-rw', 'other', 'medium', MEDIUM, true, 10, 'customers', 0.4, null, 0],
  ['aws-luckyus-iriskcontrolservice-rw', 'other', 'medium', MEDIUM, true, 3, 'orders', 0.4, null, 0],
  ['aws-luckyus-mfranchise-rw', 'other', 'low', LOW, false, 0.2, 'platform', 0.0025, null, 0],
  ['aws-luckyus-iworkflowmidlayer-rw', 'other', 'low', LOW, false, 0.5, 'platform', 0.005, null, 0],
  ['aws-luckyus-ireplenishment-rw', 'other', 'batch', BATCH, true, 3, 'inventory', 0.1, null, 0],
  ['aws-luckyus-iehr-rw', 'other', 'low', LOW, false, 1, 'platform', 0.005, null, 0],
  ['aws-luckyus-iadmin-rw', 'other', 'low', LOW, false, 0.5, 'platform', 0.005, null, 0],
  ['aws-luckyus-pubdm-rw', 'other', 'batch', BATCH, true, 3, 'platform', 0.1, null, 0],
  ['aws-luckyus-iopocp-rw', 'other', 'low', LOW, false, 0.5, 'platform', 0.005, null, 0],
  ['aws-luckyus-iopshopexpand-rw', 'other', 'low', LOW, false, 0.5, 'platform', 0.0025, null, 0],
  ['aws-luckyus-iluckyams-rw', 'other', 'low', LOW, false, 0.5, 'platform', 0.005, null, 0],
  ['aws-luckyus-devops-rw', 'other', 'low', LOW, false, 1, 'platform', 0.005, null, 0],
  ['aws-luckyus-dbatest-rw', 'other', 'test', LOW, false, 5, 'platform', 0.01, null, 0],
  ['aws-luckyus-recovery-dbatest', 'other', 'test', LOW, false, 20, 'platform', 0.01, null, 0],
  ['aws-luckyus-imessagecenter-rw', 'other', 'low', LOW, false, 0.5, 'platform', 0.005, null, 0],
  ['aws-luckyus-ifilecenter-rw', 'other', 'low', LOW, false, 0.5, 'platform', 0.005, null, 0],
  ['aws-luckyus-ijobscheduler-rw', 'other', 'low', LOW, false, 0.5, 'platform', 0.005, null, 0],
  ['aws-luckyus-iauditlog-rw', 'other', 'low', LOW, false, 0.5, 'platform', 0.005, null, 0],
];

const POSTGRES: MysqlRow[] = [
  ['aws-luckyus-dify-rw', 'ai-data', 'high', 'db.r6g.large', true, 30, 'platform', 0.2, null, 0],
  ['aws-luckyus-difynew-rw', 'ai-data', 'medium', 'db.m6g.large', false, 10, 'platform', 0.05, null, 0],
  ['aws-luckyus-pgilkmap-rw', 'platform', 'medium', 'db.t4g.medium', false, 2, 'platform', 0.05, null, 0],
];

const ROLE_OF_TIER: Record<Tier, TrafficRole> = {
  high: 'transactional',
  medium: 'transactional',
  low: 'low-traffic',
  batch: 'batch-only',
  test: 'test',
};

function databaseWorkload(engine: 'mysql' | 'postgres', row: MysqlRow): DatabaseWorkload {
  const [name, domain, tier, instanceClass, multiAz, dataGb, growth, load, archivable, archivableShare] = row;
  return {
    name,
    engine,
    domain,
    instanceClass,
    multiAz,
    dataGb,
    load,
    growth,
    role: ROLE_OF_TIER[tier],
    analytics: engine === 'mysql' && tier === 'high',
    archivable,
    archivableShare,
    sources: { instanceClass: 'preset', dataGb: 'preset', load: 'preset', role: 'preset' },
  };
}

/** [name, domain, growth, node class, replicas, utilisation (share of allocation)] — allocation follows the node class. */
type RedisRow = [string, string, GrowthCategory, string, number, number];

const MIB_ALLOCATED: Record<string, number> = {
  // ElastiCache maxmemory = node memory × (1 − 25% reserved): the report's 384 MB and 4.79 GB.
  'cache.t3.micro': 384,
  'cache.t3.small': 1052.16,
  'cache.t3.medium': 2373.12,
  'cache.m5.large': 4905,
};

/**
 * 78 clusters in the report's categories (Appendix A) and utilisation tiers
 * (4.2): 2 above 20%, 3 at 5–20%, 15 at 1–5%, 58 below 1%. Clusters the
 * report names keep its name; the rest are named after the service they would
 * cache (an assumption), and the demo snapshot uses the same names.
 */
const REDIS: RedisRow[] = [
  // Sales & order (~15)
  ['luckyus-isales-market', 'sales', 'customers', 'cache.m5.large', 1, 0.267],
  ['luckyus-isales-commodity', 'sales', 'orders', 'cache.t3.small', 1, 0.055],
  ['luckyus-isales-order', 'sales', 'orders', 'cache.t3.micro', 1, 4.31 / 384],
  ['luckyus-isales-cart', 'sales', 'orders', 'cache.t3.small', 1, 0.032],
  ['luckyus-isales-coupon', 'sales', 'customers', 'cache.t3.small', 1, 0.041],
  ['luckyus-isales-price', 'sales', 'orders', 'cache.t3.small', 1, 0.018],
  ['luckyus-isales-payment', 'sales', 'orders', 'cache.t3.small', 1, 0.001],
  ['luckyus-isales-promotion', 'sales', 'orders', 'cache.t3.small', 1, 0.005],
  ['luckyus-isales-delivery', 'sales', 'orders', 'cache.t3.small', 1, 0.009],
  ['luckyus-isales-invoice', 'sales', 'orders', 'cache.t3.small', 1, 0.004],
  ['luckyus-isales-refund', 'sales', 'orders', 'cache.t3.medium', 1, 0.008],
  ['luckyus-isales-activity', 'sales', 'orders', 'cache.t3.small', 1, 0.003],
  ['luckyus-isales-recommend', 'sales', 'orders', 'cache.t3.small', 1, 0.007],
  ['luckyus-isales-stock', 'sales', 'orders', 'cache.t3.small', 1, 0.002],
  ['luckyus-isales-checkout', 'sales', 'orders', 'cache.t3.small', 1, 0.006],
  // Session management (~5)
  ['luckyus-isales-session', 'session', 'sessions', 'cache.t3.micro', 1, 99.73 / 384],
  ['luckyus-session', 'session', 'sessions', 'cache.t3.small', 1, 0.09],
  ['luckyus-auth-session', 'session', 'sessions', 'cache.t3.medium', 1, 0.008],
  ['luckyus-admin-session', 'session', 'sessions', 'cache.t3.small', 1, 0.003],
  ['luckyus-open-session', 'session', 'sessions', 'cache.t3.small', 1, 0.007],
  // Operations (~10)
  ['luckyus-shop', 'operations', 'inventory', 'cache.t3.small', 1, 0.027],
  ['luckyus-production', 'operations', 'orders', 'cache.t3.small', 1, 0.022],
  ['luckyus-shopsale', 'operations', 'orders', 'cache.t3.small', 1, 0.014],
  ['luckyus-opqualitycontrol', 'operations', 'inventory', 'cache.t3.small', 1, 0.009],
  ['luckyus-opempefficiency', 'operations', 'inventory', 'cache.t3.small', 1, 0.004],
  ['luckyus-oplog', 'operations', 'inventory', 'cache.t3.medium', 1, 0.008],
  ['luckyus-opshopexpand', 'operations', 'inventory', 'cache.t3.small', 1, 0.003],
  ['luckyus-opocp', 'operations', 'inventory', 'cache.t3.small', 1, 0.007],
  ['luckyus-opschedule', 'operations', 'inventory', 'cache.t3.small', 1, 0.002],
  ['luckyus-opdevice', 'operations', 'inventory', 'cache.t3.small', 1, 0.006],
  // Supply chain (~8)
  ['luckyus-scm-shopstock', 'scm', 'inventory', 'cache.t3.small', 1, 0.062],
  ['luckyus-scm-ordering', 'scm', 'inventory', 'cache.t3.small', 1, 0.019],
  ['luckyus-scm-commodity', 'scm', 'inventory', 'cache.t3.medium', 1, 0.007],
  ['luckyus-scm-plan', 'scm', 'inventory', 'cache.t3.small', 1, 0.002],
  ['luckyus-scm-purchase', 'scm', 'inventory', 'cache.t3.small', 1, 0.006],
  ['luckyus-scm-wds', 'scm', 'inventory', 'cache.t3.small', 1, 0.001],
  ['luckyus-scm-asset', 'scm', 'inventory', 'cache.t3.small', 1, 0.005],
  ['luckyus-scm-srm', 'scm', 'inventory', 'cache.t3.medium', 1, 0.009],
  // Platform & auth (~12)
  ['luckyus-auth', 'platform', 'customers', 'cache.t3.small', 1, 0.036],
  ['luckyus-permission', 'platform', 'platform', 'cache.t3.small', 1, 0.012],
  ['luckyus-apigateway', 'platform', 'platform', 'cache.t3.medium', 1, 0.004],
  ['luckyus-framework01', 'platform', 'platform', 'cache.t3.small', 1, 0.006],
  ['luckyus-framework02', 'platform', 'platform', 'cache.t3.small', 1, 0.001],
  ['luckyus-openadmin', 'platform', 'platform', 'cache.t3.small', 1, 0.005],
  ['luckyus-openservice', 'platform', 'platform', 'cache.t3.small', 1, 0.009],
  ['luckyus-openlinker', 'platform', 'platform', 'cache.t3.medium', 1, 0.004],
  ['luckyus-config', 'platform', 'platform', 'cache.t3.small', 1, 0.008],
  ['luckyus-idgen', 'platform', 'platform', 'cache.t3.small', 1, 0.003],
  ['luckyus-ratelimit', 'platform', 'platform', 'cache.t3.small', 1, 0.007],
  ['luckyus-sso', 'platform', 'platform', 'cache.t3.small', 1, 0.002],
  // AI & data (~3)
  ['luckyus-redis-dify', 'ai-data', 'platform', 'cache.t3.medium', 1, 0.006],
  ['luckyus-cyberdata', 'ai-data', 'platform', 'cache.t3.medium', 1, 0.005],
  ['luckyus-ldas', 'ai-data', 'platform', 'cache.t3.small', 1, 0.009],
  // IoT (~2)
  ['luckyus-iotplatform', 'iot', 'devices', 'cache.t3.small', 1, 0.003],
  ['luckyus-iotgateway', 'iot', 'devices', 'cache.t3.small', 1, 0.007],
  // Member & marketing (~8)
  ['luckyus-isales-member', 'marketing', 'customers', 'cache.t3.small', 1, 0.044],
  ['luckyus-member-points', 'marketing', 'customers', 'cache.t3.small', 1, 0.016],
  ['luckyus-member-level', 'marketing', 'customers', 'cache.t3.small', 1, 0.004],
  ['luckyus-datamarketing', 'marketing', 'customers', 'cache.t3.small', 1, 0.008],
  ['luckyus-privatedomain', 'marketing', 'customers', 'cache.t3.medium', 1, 0.003],
  ['luckyus-cdpactivity', 'marketing', 'customers', 'cache.t3.small', 1, 0.007],
  ['luckyus-abtest', 'marketing', 'customers', 'cache.t3.small', 1, 0.002],
  ['luckyus-member-benefit', 'marketing', 'customers', 'cache.t3.small', 1, 0.006],
  // Other services (~15)
  ['luckyus-upush', 'other', 'customers', 'cache.t3.small', 1, 0.021],
  ['luckyus-riskcontrol', 'other', 'orders', 'cache.t3.small', 1, 0.028],
  ['luckyus-cdp', 'other', 'customers', 'cache.t3.small', 1, 0.013],
  ['luckyus-media', 'other', 'platform', 'cache.t3.small', 1, 0.005],
  ['luckyus-health', 'other', 'platform', 'cache.t3.medium', 1, 0.009],
  ['luckyus-franchise', 'other', 'platform', 'cache.t3.small', 1, 0.004],
  ['luckyus-workflow', 'other', 'platform', 'cache.t3.small', 1, 0.008],
  ['luckyus-replenishment', 'other', 'platform', 'cache.t3.small', 1, 0.003],
  ['luckyus-ehr', 'other', 'platform', 'cache.t3.small', 1, 0.007],
  ['luckyus-admin', 'other', 'platform', 'cache.t3.medium', 1, 0.002],
  ['luckyus-pubdm', 'other', 'platform', 'cache.t3.small', 1, 0.006],
  ['luckyus-ams', 'other', 'platform', 'cache.t3.small', 1, 0.001],
  ['luckyus-devops', 'other', 'platform', 'cache.t3.small', 1, 0.005],
  ['luckyus-dbatest', 'other', 'platform', 'cache.t3.small', 1, 0.009],
  ['luckyus-billing', 'other', 'platform', 'cache.t3.medium', 1, 0.004],

];

/** The isales-market key counts of report 4.3. */
const MARKET = { keys: 5_600_000, persistentKeys: 2_690_000 };
const SESSION_KEYS = 149_834;

function cacheWorkload(row: RedisRow): CacheWorkload {
  const [name, domain, growth, nodeClass, replicas, utilisation] = row;
  const allocatedMib = MIB_ALLOCATED[nodeClass]!;
  const usedMib = name === 'luckyus-isales-market' ? 1310.72 : name === 'luckyus-isales-session' ? 99.73 : name === 'luckyus-isales-order' ? 4.31 : allocatedMib * utilisation;
  const market = name === 'luckyus-isales-market';
  return {
    name,
    domain,
    nodeClass,
    replicas,
    allocatedMib,
    usedMib,
    // No-TTL memory in proportion to the no-TTL keys (the report gives keys, not bytes).
    persistentMib: market ? (usedMib * MARKET.persistentKeys) / MARKET.keys : 0,
    persistentKeys: market ? MARKET.persistentKeys : 0,
    keys: market ? MARKET.keys : name === 'luckyus-isales-session' ? SESSION_KEYS : 0,
    growth,
    sources: { nodeClass: 'preset', usedMib: 'preset', persistentMib: 'preset' },
  };
}

let cached: CostFleet | null = null;

/** The report's fleet at 16 stores. The same object every call; treat it as read-only. */
export function reportFleet(): CostFleet {
  cached ??= {
    source: 'preset report-07 (the report\'s fleet: 62 MySQL, 78 Redis, 3 PostgreSQL)',
    measuredStores: 16,
    databases: [...MYSQL.map((row) => databaseWorkload('mysql', row)), ...POSTGRES.map((row) => databaseWorkload('postgres', row))],
    caches: REDIS.map(cacheWorkload),
    notes: [
      'Instance classes, data sizes and loads are not in the report: they are assumptions per traffic tier, chosen so that list prices reproduce the report\'s cost figures (section 2, 10.1, 11).',
      'Peak loads at 16 stores (busiest MySQL 0.4–0.6 of sustained vCPU, store-driven medium tier 0.4, low-traffic 0.0025–0.005, i.e. below the 5 queries/s a snapshot calls low-traffic) are calibrated so that the plan lands in the report\'s $250–$400 a store at 100 stores; a snapshot\'s measured query rates replace them.',
      'Redis utilisation, keys and the no-TTL share are the report\'s (4.2, 4.3); allocations follow the node class less 25% reserved memory.',
    ],
  };
  return cached;
}

/** Preset facts an explanation or a snapshot fleet can fall back on, by instance name. */
export function reportInstance(name: string): DatabaseWorkload | CacheWorkload | undefined {
  const fleet = reportFleet();
  return fleet.databases.find((d) => d.name === name) ?? fleet.caches.find((c) => c.name === name);
}
