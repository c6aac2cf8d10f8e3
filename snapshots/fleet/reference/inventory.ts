// The 143 instances of the seed report (Appendix A, sections 2–5): names,
// engines, domains, instance classes, and what the demo's synthetic servers
// report about them (versions, Redis memory tiers of 4.2, hit rates of 4.3).
import { reportFleet } from '../../../shared/cost/referenceFleet.ts';
import type { Engine } from '../../../shared/model/fleet.ts';

export interface InventoryInstance {
  name: string;
  engine: Engine;
  domain: string;
  instanceClass: string;
  /** Redis only: the memory Redis may use on the node type (node memory less 25% reserved). */
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
 * (third-party integrations) is counted as "other" here, and the 4 unnamed
 * servers of the cost preset are tagged as invented names in the manifest.
 */
const SECTION_2_DOMAIN: Record<string, string> = { 'aws-luckyus-iopenlinker-rw': 'other' };

/** Databases the reference fleet puts data in. */
const MYSQL_DATABASES: Record<string, string> = {
  'aws-luckyus-salesorder-rw': 'luckyus_sales_order',
  'aws-luckyus-salespayment-rw': 'luckyus_sales_payment',
  'aws-luckyus-salesmarketing-rw': 'luckyus_sales_marketing',
  'aws-luckyus-isalesmembermarketing-rw': 'luckyus_member_marketing',
  'aws-luckyus-opshop-rw': 'luckyus_op_shop',
  'aws-luckyus-scm-shopstock-rw': 'luckyus_scm_shopstock',
  'aws-luckyus-scmcommodity-rw': 'luckyus_scm_commodity',
  'aws-luckyus-fitax-rw': 'luckyus_fi_tax',
  'aws-luckyus-igers-rw': 'luckyus_igers',
};

/** Not named by the report: invented so that MySQL totals 62 (section 2 counts 22 "other"). */
const INVENTED_MYSQL = new Set(['aws-luckyus-imessagecenter-rw', 'aws-luckyus-ifilecenter-rw', 'aws-luckyus-ijobscheduler-rw', 'aws-luckyus-iauditlog-rw']);
export const INVENTED_NOTE = 'name not in the report (invented to reach its count of 62 MySQL servers)';

/** Legacy servers still on 5.7 (the rest run 8.0). */
const MYSQL_57 = new Set(['aws-luckyus-ldas-rw', 'aws-luckyus-ldas01-rw', 'aws-luckyus-dbatest-rw', 'aws-luckyus-recovery-dbatest']);
export const MYSQL_VERSION = '8.0.35';
export const MYSQL_LEGACY_VERSION = '5.7.44';

// ----------------------------------------------------------------- Redis (78)

export const REDIS_VERSION = '6.0.5';
export const REDIS_POLICY = 'volatile-lfu';

/**
 * Traffic of the clusters the report describes (4.3 hit rates, ~54 ops/s on
 * isales-market) and of the busier ones: [hit rate, ops/s]. Node types,
 * allocations and utilisation come from the cost preset.
 */
const REDIS_TRAFFIC: Record<string, [number, number]> = {
  'luckyus-isales-market': [0.869, 54],
  'luckyus-isales-session': [0.958, 31],
  'luckyus-isales-commodity': [0.912, 12],
  'luckyus-session': [0.947, 9],
  'luckyus-auth': [0.931, 7],
  'luckyus-isales-order': [0.644, 9],
  'luckyus-isales-cart': [0.881, 4],
  'luckyus-isales-price': [0.973, 5],
  'luckyus-isales-coupon': [0.902, 6],
  'luckyus-shop': [0.991, 3],
  'luckyus-production': [0.864, 4],
  'luckyus-scm-shopstock': [0.927, 5],
  'luckyus-scm-ordering': [0.915, 2],
  'luckyus-redis-dify': [0.794, 2],
  'luckyus-isales-member': [0.838, 1],
  'luckyus-member-points': [0.871, 1],
  'luckyus-cdp': [0.812, 3],
  'luckyus-permission': [0.995, 2],
  'luckyus-upush': [0.756, 2],
  'luckyus-riskcontrol': [0.883, 2],
  'luckyus-shopsale': [0.905, 1],
};

/** A deterministic number in [0, 1) from a name, for the unremarkable clusters. */
export function nameFraction(name: string, salt: string): number {
  let h = 0x811c9dc5;
  for (const ch of salt + name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h / 4294967296;
}

// ----------------------------------------------------------------- PostgreSQL (3)

const POSTGRES: Record<string, [version: string, database?: string]> = {
  'aws-luckyus-dify-rw': ['15.5', 'dify'],
  'aws-luckyus-difynew-rw': ['16.2'],
  'aws-luckyus-pgilkmap-rw': ['14.10', 'ilkmap'],
};

/**
 * The whole inventory, in manifest order: MySQL, Redis, PostgreSQL. Names,
 * instance and node classes, allocations and Redis utilisation are the cost
 * preset's (shared/cost/referenceFleet.ts), so the demo snapshot and the preset
 * describe one fleet and cost the same.
 */
export function referenceInventory(): InventoryInstance[] {
  const preset = reportFleet();
  const out: InventoryInstance[] = [];
  for (const d of preset.databases.filter((w) => w.engine === 'mysql')) {
    const database = MYSQL_DATABASES[d.name];
    out.push({
      name: d.name,
      engine: 'mysql',
      domain: SECTION_2_DOMAIN[d.name] ?? d.domain,
      instanceClass: d.instanceClass,
      databases: database ? [database] : undefined,
      version: MYSQL_57.has(d.name) ? MYSQL_LEGACY_VERSION : MYSQL_VERSION,
      note: INVENTED_MYSQL.has(d.name) ? INVENTED_NOTE : undefined,
    });
  }
  for (const c of preset.caches) {
    // Near-zero clusters without a profile: 55–95% hits, light traffic.
    const [hitRate, opsPerSec] = REDIS_TRAFFIC[c.name] ?? [0.55 + nameFraction(c.name, 'hits') * 0.4, Math.floor(nameFraction(c.name, 'ops') * 2)];
    out.push({
      name: c.name,
      engine: 'redis',
      domain: c.domain,
      instanceClass: c.nodeClass,
      allocatedMemoryMb: c.allocatedMib,
      version: REDIS_VERSION,
      utilisation: c.usedMib / c.allocatedMib,
      hitRate,
      opsPerSec,
      databases: REDIS_WITH_DATA.includes(c.name) ? ['0'] : undefined,
    });
  }
  for (const d of preset.databases.filter((w) => w.engine === 'postgres')) {
    const [version, database] = POSTGRES[d.name] ?? ['16.2'];
    out.push({ name: d.name, engine: 'postgres', domain: d.domain, instanceClass: d.instanceClass, version, databases: database ? [database] : undefined });
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
