// The 143 instances of the seed report (Appendix A, sections 2–5): names,
// engines, domains, instance classes, and what the demo's synthetic servers
// report about them (versions, Redis memory tiers of 4.2, hit rates of 4.3).
import type { Engine } from '../../../shared/model/fleet.ts';

export interface InventoryInstance {
  name: string;
  engine: Engine;
  domain: string;
  instanceClass: string;
  /** Redis only: the node type's usable memory (see REDIS_NODE_TYPES). */
  allocatedMemoryMb?: number;
  /** Databases the reference fleet puts data in (absent: inventory-only when seeded). */
  databases?: string[];
  /** Synthetic server facts of the demo. */
  version: string;
  /** Redis: used_memory / allocated memory in the demo. */
  utilisation?: number;
  /** Redis: keyspace_hits / (hits + misses) in the demo. */
  hitRate?: number;
  /** Redis: instantaneous_ops_per_sec in the demo. */
  opsPerSec?: number;
  /** Why the name is not the report's, when it is not. */
  note?: string;
}

// ----------------------------------------------------------------- MySQL (62)

/**
 * Section 2 counts MySQL servers per domain: sales 8, operations 6, scm 9,
 * finance 5, ai-data 5, platform 6, iot 1, other 22. Appendix A lists 58 names
 * with 7 under Platform and 17 under Other; to match section 2, iopenlinker
 * (third-party integrations) is counted as "other", and the 4 unnamed servers
 * are invented "other" names (tagged as such in the manifest).
 */
const MYSQL: [name: string, domain: string, instanceClass: string, database?: string][] = [
  ['aws-luckyus-salesorder-rw', 'sales', 'db.r6g.large', 'luckyus_sales_order'],
  ['aws-luckyus-salespayment-rw', 'sales', 'db.m6g.large', 'luckyus_sales_payment'],
  ['aws-luckyus-salesmarketing-rw', 'sales', 'db.r6g.xlarge', 'luckyus_sales_marketing'],
  ['aws-luckyus-salescrm-rw', 'sales', 'db.m6g.large'],
  ['aws-luckyus-isalesmembermarketing-rw', 'sales', 'db.t4g.medium', 'luckyus_member_marketing'],
  ['aws-luckyus-isalesdatamarketing-rw', 'sales', 'db.m6g.large'],
  ['aws-luckyus-isalescdp-rw', 'sales', 'db.m6g.large'],
  ['aws-luckyus-isalesprivatedomain-rw', 'sales', 'db.t4g.large'],
  ['aws-luckyus-opshop-rw', 'operations', 'db.t4g.medium', 'luckyus_op_shop'],
  ['aws-luckyus-opproduction-rw', 'operations', 'db.m6g.large'],
  ['aws-luckyus-opshopsale-rw', 'operations', 'db.t4g.large'],
  ['aws-luckyus-opqualitycontrol-rw', 'operations', 'db.t4g.medium'],
  ['aws-luckyus-opempefficiency-rw', 'operations', 'db.t4g.medium'],
  ['aws-luckyus-oplog-rw', 'operations', 'db.t4g.large'],
  ['aws-luckyus-scm-shopstock-rw', 'scm', 'db.r6g.large', 'luckyus_scm_shopstock'],
  ['aws-luckyus-scmcommodity-rw', 'scm', 'db.m6g.large', 'luckyus_scm_commodity'],
  ['aws-luckyus-scm-ordering-rw', 'scm', 'db.m6g.large'],
  ['aws-luckyus-scm-purchase-rw', 'scm', 'db.m6g.large'],
  ['aws-luckyus-scm-wds-rw', 'scm', 'db.m6g.large'],
  ['aws-luckyus-scm-plan-rw', 'scm', 'db.r6g.large'],
  ['aws-luckyus-scm-asset-rw', 'scm', 'db.t4g.large'],
  ['aws-luckyus-scmsrm-rw', 'scm', 'db.t4g.large'],
  ['aws-luckyus-scm-wmssimulate-rw', 'scm', 'db.t4g.medium'],
  ['aws-luckyus-ifiaccounting-rw', 'finance', 'db.m6g.large'],
  ['aws-luckyus-fitax-rw', 'finance', 'db.t4g.medium', 'luckyus_fi_tax'],
  ['aws-luckyus-fichargecontrol-rw', 'finance', 'db.t4g.medium'],
  ['aws-luckyus-ibillingcentersrv-rw', 'finance', 'db.t4g.large'],
  ['aws-luckyus-iunifiedreconcile-rw', 'finance', 'db.t4g.large'],
  ['aws-luckyus-iotplatform-rw', 'iot', 'db.t4g.large'],
  ['aws-luckyus-icyberdata-rw', 'ai-data', 'db.r6g.large'],
  ['aws-luckyus-ldas-rw', 'ai-data', 'db.r6g.large'],
  ['aws-luckyus-ldas01-rw', 'ai-data', 'db.r6g.xlarge'],
  ['aws-luckyus-iluckydorisops-rw', 'ai-data', 'db.t4g.medium'],
  ['aws-luckyus-cdpactivity-rw', 'ai-data', 'db.r6g.large'],
  ['aws-luckyus-iluckyauthapi-rw', 'platform', 'db.m6g.large'],
  ['aws-luckyus-ipermission-rw', 'platform', 'db.t4g.medium'],
  ['aws-luckyus-framework01-rw', 'platform', 'db.t4g.medium'],
  ['aws-luckyus-framework02-rw', 'platform', 'db.t4g.medium'],
  ['aws-luckyus-iopenadmin-rw', 'platform', 'db.t4g.medium'],
  ['aws-luckyus-iopenservice-rw', 'platform', 'db.t4g.medium'],
  ['aws-luckyus-iopenlinker-rw', 'other', 'db.t4g.medium'],
  ['aws-luckyus-igers-rw', 'other', 'db.m6g.large', 'luckyus_igers'],
  ['aws-luckyus-iluckyhealth-rw', 'other', 'db.t4g.medium'],
  ['aws-luckyus-iluckymedia-rw', 'other', 'db.t4g.medium'],
  ['aws-luckyus-upush-rw', 'other', 'db.m6g.large'],
  ['aws-luckyus-iriskcontrolservice-rw', 'other', 'db.t4g.large'],
  ['aws-luckyus-mfranchise-rw', 'other', 'db.t4g.medium'],
  ['aws-luckyus-iworkflowmidlayer-rw', 'other', 'db.t4g.medium'],
  ['aws-luckyus-ireplenishment-rw', 'other', 'db.t4g.large'],
  ['aws-luckyus-iehr-rw', 'other', 'db.t4g.medium'],
  ['aws-luckyus-iadmin-rw', 'other', 'db.t4g.medium'],
  ['aws-luckyus-pubdm-rw', 'other', 'db.t4g.medium'],
  ['aws-luckyus-iopocp-rw', 'other', 'db.t4g.medium'],
  ['aws-luckyus-iopshopexpand-rw', 'other', 'db.t4g.medium'],
  ['aws-luckyus-iluckyams-rw', 'other', 'db.t4g.medium'],
  ['aws-luckyus-devops-rw', 'other', 'db.t4g.medium'],
  ['aws-luckyus-dbatest-rw', 'other', 'db.t4g.small'],
  ['aws-luckyus-recovery-dbatest', 'other', 'db.t4g.small'],
];

/** Not named by the report: invented so that MySQL totals 62 (section 2 counts 22 "other"). */
const INVENTED_MYSQL = ['aws-luckyus-imessagecenter-rw', 'aws-luckyus-ifilecenter-rw', 'aws-luckyus-ijobscheduler-rw', 'aws-luckyus-iauditlog-rw'];
export const INVENTED_NOTE = 'name not in the report (invented to reach its count of 62 MySQL servers)';

/** Legacy servers still on 5.7 (the rest run 8.0). */
const MYSQL_57 = new Set(['aws-luckyus-ldas-rw', 'aws-luckyus-ldas01-rw', 'aws-luckyus-dbatest-rw', 'aws-luckyus-recovery-dbatest']);
export const MYSQL_VERSION = '8.0.35';
export const MYSQL_LEGACY_VERSION = '5.7.44';

// ----------------------------------------------------------------- Redis (78)

/**
 * ElastiCache node types in use and the memory Redis may use on them (the
 * node's memory less the 25% reserved-memory-percent default): 4.79 GiB on
 * cache.m6g.large and 384 MiB on cache.t3.micro are the report's figures for
 * isales-market and isales-session.
 */
export const REDIS_NODE_TYPES: Record<string, number> = {
  'cache.t3.micro': 384,
  'cache.t3.small': 1052,
  'cache.t3.medium': 2373,
  'cache.m6g.large': 4905,
  'cache.r6g.large': 10038,
};

export const REDIS_VERSION = '6.0.5';
export const REDIS_POLICY = 'volatile-lfu';

/** Appendix A's categories with the report's approximate counts (they add up to 78). */
const REDIS_CATEGORIES: [domain: string, nodeType: string, names: string[]][] = [
  ['sales', 'cache.t3.small', [
    'luckyus-isales-market', 'luckyus-isales-order', 'luckyus-isales-commodity', 'luckyus-isales-cart', 'luckyus-isales-price',
    'luckyus-isales-coupon', 'luckyus-isales-payment', 'luckyus-isales-promotion', 'luckyus-isales-delivery', 'luckyus-isales-invoice',
    'luckyus-isales-refund', 'luckyus-isales-activity', 'luckyus-isales-recommend', 'luckyus-isales-stock', 'luckyus-isales-checkout',
  ]],
  ['session', 'cache.t3.small', ['luckyus-session', 'luckyus-isales-session', 'luckyus-auth-session', 'luckyus-admin-session', 'luckyus-open-session']],
  ['operations', 'cache.t3.small', [
    'luckyus-shop', 'luckyus-production', 'luckyus-shopsale', 'luckyus-opqualitycontrol', 'luckyus-opempefficiency',
    'luckyus-oplog', 'luckyus-opshopexpand', 'luckyus-opocp', 'luckyus-opschedule', 'luckyus-opdevice',
  ]],
  ['scm', 'cache.t3.small', [
    'luckyus-scm-shopstock', 'luckyus-scm-commodity', 'luckyus-scm-plan', 'luckyus-scm-purchase', 'luckyus-scm-wds',
    'luckyus-scm-ordering', 'luckyus-scm-asset', 'luckyus-scm-srm',
  ]],
  ['platform', 'cache.t3.medium', [
    'luckyus-auth', 'luckyus-apigateway', 'luckyus-permission', 'luckyus-framework01', 'luckyus-framework02', 'luckyus-openadmin',
    'luckyus-openservice', 'luckyus-openlinker', 'luckyus-config', 'luckyus-idgen', 'luckyus-ratelimit', 'luckyus-sso',
  ]],
  ['ai-data', 'cache.t3.medium', ['luckyus-redis-dify', 'luckyus-cyberdata', 'luckyus-ldas']],
  ['iot', 'cache.t3.small', ['luckyus-iotplatform', 'luckyus-iotgateway']],
  ['member-marketing', 'cache.m6g.large', [
    'luckyus-isales-member', 'luckyus-member-points', 'luckyus-member-level', 'luckyus-datamarketing', 'luckyus-cdp',
    'luckyus-privatedomain', 'luckyus-cdpactivity', 'luckyus-abtest',
  ]],
  ['other', 'cache.t3.small', [
    'luckyus-upush', 'luckyus-media', 'luckyus-health', 'luckyus-riskcontrol', 'luckyus-franchise', 'luckyus-workflow',
    'luckyus-replenishment', 'luckyus-ehr', 'luckyus-admin', 'luckyus-pubdm', 'luckyus-ams', 'luckyus-devops', 'luckyus-dbatest',
    'luckyus-billing', 'luckyus-reconcile',
  ]],
];

/**
 * Section 4.2's tiers: 2 above 20%, 3 at 5–20%, 15 at 1–5%; every other
 * cluster is below 1%. Node types here override the category's default.
 * [utilisation, node type, hit rate, ops/s]
 */
const REDIS_PROFILE: Record<string, [number, string, number, number]> = {
  'luckyus-isales-market': [0.267, 'cache.m6g.large', 0.869, 54],
  'luckyus-isales-session': [0.262, 'cache.t3.micro', 0.958, 31],
  'luckyus-isales-commodity': [0.055, 'cache.t3.small', 0.912, 12],
  'luckyus-session': [0.124, 'cache.t3.small', 0.947, 9],
  'luckyus-auth': [0.083, 'cache.t3.micro', 0.931, 7],
  'luckyus-isales-order': [0.011, 'cache.t3.micro', 0.644, 9],
  'luckyus-isales-cart': [0.034, 'cache.t3.small', 0.881, 4],
  'luckyus-isales-price': [0.021, 'cache.t3.small', 0.973, 5],
  'luckyus-isales-coupon': [0.046, 'cache.t3.small', 0.902, 6],
  'luckyus-shop': [0.018, 'cache.t3.small', 0.991, 3],
  'luckyus-production': [0.027, 'cache.t3.small', 0.864, 4],
  'luckyus-scm-shopstock': [0.038, 'cache.t3.small', 0.927, 5],
  'luckyus-redis-dify': [0.029, 'cache.t3.medium', 0.794, 2],
  'luckyus-isales-member': [0.012, 'cache.m6g.large', 0.838, 1],
  'luckyus-cdp': [0.016, 'cache.m6g.large', 0.812, 3],
  'luckyus-permission': [0.014, 'cache.t3.medium', 0.995, 2],
  'luckyus-config': [0.0105, 'cache.t3.medium', 0.998, 1],
  'luckyus-upush': [0.022, 'cache.t3.small', 0.756, 2],
  'luckyus-riskcontrol': [0.019, 'cache.t3.small', 0.883, 2],
  'luckyus-shopsale': [0.013, 'cache.t3.small', 0.905, 1],
};

/** A deterministic number in [0, 1) from a name, for the unremarkable clusters. */
export function nameFraction(name: string, salt: string): number {
  let h = 0x811c9dc5;
  for (const ch of salt + name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h / 4294967296;
}

// ----------------------------------------------------------------- PostgreSQL (3)

const POSTGRES: [name: string, domain: string, instanceClass: string, version: string, database?: string][] = [
  ['aws-luckyus-dify-rw', 'ai-data', 'db.r6g.large', '15.5', 'dify'],
  ['aws-luckyus-difynew-rw', 'ai-data', 'db.m6g.large', '16.2'],
  ['aws-luckyus-pgilkmap-rw', 'operations', 'db.t4g.medium', '14.10', 'ilkmap'],
];

/** The whole inventory, in manifest order: MySQL, Redis, PostgreSQL. */
export function referenceInventory(): InventoryInstance[] {
  const out: InventoryInstance[] = [];
  for (const [name, domain, instanceClass, database] of MYSQL) {
    out.push({ name, engine: 'mysql', domain, instanceClass, databases: database ? [database] : undefined, version: MYSQL_57.has(name) ? MYSQL_LEGACY_VERSION : MYSQL_VERSION });
  }
  for (const name of INVENTED_MYSQL) {
    out.push({ name, engine: 'mysql', domain: 'other', instanceClass: 'db.t4g.small', version: MYSQL_VERSION, note: INVENTED_NOTE });
  }
  for (const [domain, defaultNode, names] of REDIS_CATEGORIES) {
    for (const name of names) {
      const profile = REDIS_PROFILE[name];
      // Near-zero clusters: 0.1%–0.95% used, light traffic.
      const [utilisation, nodeType, hitRate, opsPerSec] = profile ?? [
        0.001 + nameFraction(name, 'util') * 0.0085,
        defaultNode,
        0.55 + nameFraction(name, 'hits') * 0.4,
        Math.floor(nameFraction(name, 'ops') * 2),
      ];
      out.push({
        name,
        engine: 'redis',
        domain,
        instanceClass: nodeType,
        allocatedMemoryMb: REDIS_NODE_TYPES[nodeType],
        version: REDIS_VERSION,
        utilisation,
        hitRate,
        opsPerSec,
        databases: REDIS_WITH_DATA.includes(name) ? ['0'] : undefined,
      });
    }
  }
  for (const [name, domain, instanceClass, version, database] of POSTGRES) {
    out.push({ name, engine: 'postgres', domain, instanceClass, version, databases: database ? [database] : undefined });
  }
  return out;
}

/** Redis instances the reference fleet puts keys in, in the order `fleet seed --redis` assigns servers to them. */
export const REDIS_WITH_DATA = [
  'luckyus-isales-market',
  'luckyus-isales-session',
  'luckyus-isales-order',
  'luckyus-isales-commodity',
  'luckyus-iotplatform',
  'luckyus-apigateway',
];
