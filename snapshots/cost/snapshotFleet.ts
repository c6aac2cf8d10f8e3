// The fleet as a snapshot measured it, for the cost model: instance classes from
// the manifest, Redis used/allocated memory and no-TTL keys from INFO and the key
// inventory, MySQL/PostgreSQL data sizes and query rates from the server facts.
// What a snapshot does not hold (Multi-AZ, batch-only, growth category) comes
// from the report's preset for the same instance name, else from defaults; each
// value records which.
import type Database from 'better-sqlite3';
import {
  reportInstance,
  US_EAST_1_PRICES,
  type CacheWorkload,
  type CostFleet,
  type DatabaseWorkload,
  type GrowthCategory,
  type PriceCatalogue,
  type TrafficRole,
  type Assumptions,
  defaultAssumptions,
} from '../../shared/cost/index.ts';
import { openSnapshot, readManifest } from '../file/reader.ts';
import { columnNames, META } from '../file/schema.ts';

const MIB = 1024 * 1024;
const TEST_NAME = /\b(test|iqa\d*)\b/i;

interface InstanceRow {
  instance: string;
  engine: string;
  domain: string | null;
  instanceClass: string | null;
  allocatedMemoryMb: number | null;
  status: string;
  host: string | null;
  port: number | null;
  role: string | null;
  primaryHost: string | null;
}

function sameHost(a: string, b: string): boolean {
  const loopback = (h: string) => (h === 'localhost' || h === '::1' ? '127.0.0.1' : h.toLowerCase());
  return loopback(a) === loopback(b);
}

/**
 * Replicas whose primary is another instance of the same engine in the snapshot
 * (matched by the host:port the replica reports): replica → primary. Such a
 * replica is costed as its primary's replica, never as a cluster of its own.
 */
export function pairReplicas(rows: InstanceRow[]): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const r of rows) {
    if (r.role !== 'replica' || !r.primaryHost) continue;
    const colon = r.primaryHost.lastIndexOf(':');
    const host = colon > 0 ? r.primaryHost.slice(0, colon) : r.primaryHost;
    const port = colon > 0 ? Number(r.primaryHost.slice(colon + 1)) : null;
    const primary = rows.find((p) => p !== r && p.engine === r.engine && p.host !== null && sameHost(p.host, host) && (port === null || p.port === port));
    if (primary) pairs.set(r.instance, primary.instance);
  }
  return pairs;
}

interface PatternTotals {
  keys: number;
  persistentKeys: number;
  memory: number | null;
  persistentMemory: number | null;
}

const DOMAIN_GROWTH: Record<string, GrowthCategory> = {
  sales: 'orders',
  order: 'orders',
  operations: 'inventory',
  ops: 'inventory',
  scm: 'inventory',
  'supply-chain': 'inventory',
  finance: 'orders',
  iot: 'devices',
  session: 'sessions',
  marketing: 'customers',
  member: 'customers',
  monitoring: 'monitoring',
};

/** What a cache's name says it holds (report 4.4 and Appendix A categories). */
function growthFromName(name: string): GrowthCategory | null {
  if (/session/i.test(name)) return 'sessions';
  if (/market|member|coupon|cdp|push|crm/i.test(name)) return 'customers';
  if (/order|cart|pay|price|commodity|sale|risk/i.test(name)) return 'orders';
  if (/stock|scm|shop|production|inventory/i.test(name)) return 'inventory';
  if (/iot|device/i.test(name)) return 'devices';
  if (/ldas|monitor/i.test(name)) return 'monitoring';
  return null;
}

function growthFor(name: string, domain: string | null): GrowthCategory {
  return growthFromName(name) ?? (domain ? DOMAIN_GROWTH[domain.toLowerCase()] : undefined) ?? 'platform';
}

function numberOrNull(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** A class the catalogue does not price (say db.r7g.large) is costed as the same size of the nearest priced family. */
function pricedDatabaseClass(prices: PriceCatalogue, instanceClass: string): string | null {
  if (prices.database[instanceClass]) return instanceClass;
  const match = /^db\.([tmr])\w*\.(\w+)$/.exec(instanceClass);
  if (!match) return null;
  const family = { t: 'db.t4g', m: 'db.m6g', r: 'db.r6g' }[match[1] as 't' | 'm' | 'r'];
  const candidate = `${family}.${match[2]}`;
  return prices.database[candidate] ? candidate : null;
}

function pricedCacheClass(prices: PriceCatalogue, nodeClass: string): string | null {
  if (prices.cache[nodeClass]) return nodeClass;
  const match = /^cache\.([tmr])\w*\.(\w+)$/.exec(nodeClass);
  if (!match) return null;
  const family = { t: 'cache.t4g', m: 'cache.m6g', r: 'cache.r6g' }[match[1] as 't' | 'm' | 'r'];
  const candidate = `${family}.${match[2]}`;
  return prices.cache[candidate] ? candidate : null;
}

/** The smallest current-generation node whose usable memory holds an allocation (ElastiCache maxmemory). */
function cacheClassForAllocation(prices: PriceCatalogue, allocatedMib: number, reservedShare: number): string {
  const ladder = ['cache.t3.micro', 'cache.t3.small', 'cache.t3.medium', 'cache.m5.large', 'cache.m5.xlarge', 'cache.m5.2xlarge', 'cache.m5.4xlarge', 'cache.r6g.4xlarge', 'cache.r6g.8xlarge', 'cache.r6g.16xlarge'];
  for (const nodeClass of ladder) {
    if (prices.cache[nodeClass]!.memoryGib * 1024 * (1 - reservedShare) >= allocatedMib * 0.99) return nodeClass;
  }
  return ladder[ladder.length - 1]!;
}

/** Store count from the store table when the snapshot has one: shops that are not test stores. */
export function measuredStoreCount(db: Database.Database): { stores: number; from: string } | null {
  const table = db
    .prepare(`SELECT sql_name AS sqlName, table_name AS tableName FROM ${META.tables} WHERE source_table = 't_shop_info' AND kind <> 'pushdown' ORDER BY table_name LIMIT 1`)
    .get() as { sqlName: string; tableName: string } | undefined;
  if (!table) return null;
  const columns = db.prepare(`SELECT column_name FROM ${META.columns} WHERE table_name = ?`).pluck().all(table.tableName) as string[];
  if (!columns.includes('shop_name')) return null;
  const names = db.prepare(`SELECT shop_name FROM ${table.sqlName}`).pluck().all() as (string | null)[];
  const stores = names.filter((name) => name !== null && !TEST_NAME.test(name)).length;
  return stores > 0 ? { stores, from: `${table.tableName}: ${stores} shops that are not test stores` } : null;
}

/** Reads the cost model's view of the fleet from an open snapshot. */
export function costFleetFromDatabase(db: Database.Database, label: string, prices: PriceCatalogue = US_EAST_1_PRICES, assumptions: Assumptions = defaultAssumptions()): CostFleet {
  const hasRole = columnNames(db, META.instances).has('role');
  const instances = db
    .prepare(
      `SELECT instance, engine, domain, instance_class AS instanceClass, allocated_memory_mb AS allocatedMemoryMb, status, host, port,
              ${hasRole ? 'role, primary_host' : 'NULL AS role, NULL'} AS primaryHost
         FROM ${META.instances} ORDER BY instance`,
    )
    .all() as InstanceRow[];
  const replicaOf = pairReplicas(instances);
  const replicasOf = new Map<string, number>();
  for (const primary of replicaOf.values()) replicasOf.set(primary, (replicasOf.get(primary) ?? 0) + 1);
  const facts = new Map<string, Map<string, string | null>>();
  const factRows = db
    .prepare(
      `SELECT instance, category, name, value FROM ${META.serverFacts}
        WHERE (category = 'memory' AND name IN ('used_memory', 'maxmemory'))
           OR (category = 'inventory')
           OR (category = 'status' AND name IN ('Uptime', 'Questions'))
           OR (category = 'database' AND name LIKE '%.size_bytes')`,
    )
    .all() as { instance: string; category: string; name: string; value: string | null }[];
  for (const row of factRows) {
    let map = facts.get(row.instance);
    if (!map) facts.set(row.instance, (map = new Map()));
    map.set(`${row.category}/${row.name}`, row.value);
  }
  const patterns = new Map<string, PatternTotals>();
  const patternRows = db
    .prepare(
      `SELECT instance, sum(keys) AS keys, sum(persistent_keys) AS persistentKeys, sum(memory_bytes) AS memory,
              sum(persistent_memory_bytes) AS persistentMemory
         FROM ${META.redisPatterns} GROUP BY instance`,
    )
    .all() as ({ instance: string } & PatternTotals)[];
  for (const row of patternRows) patterns.set(row.instance, row);

  const notes: string[] = [];
  const databases: DatabaseWorkload[] = [];
  const caches: CacheWorkload[] = [];
  let measuredRedis = 0;
  let measuredSql = 0;
  for (const [replica, primary] of replicaOf) notes.push(`${replica} is a replica of ${primary}: costed as ${primary}'s replica, not as an instance of its own`);
  for (const row of instances) {
    if (replicaOf.has(row.instance)) continue;
    const preset = reportInstance(row.instance);
    const own = facts.get(row.instance) ?? new Map<string, string | null>();
    if (row.engine === 'redis') {
      const presetCache = preset && 'nodeClass' in preset ? preset : undefined;
      const allocatedBytes = numberOrNull(own.get('inventory/allocated_memory_bytes'));
      const usedBytes = numberOrNull(own.get('memory/used_memory'));
      const allocatedMib = allocatedBytes !== null ? allocatedBytes / MIB : row.allocatedMemoryMb ?? presetCache?.allocatedMib ?? null;
      let nodeClass = row.instanceClass ? pricedCacheClass(prices, row.instanceClass) : null;
      let classSource: CacheWorkload['sources']['nodeClass'] = 'manifest';
      if (row.instanceClass && !nodeClass) notes.push(`${row.instance}: node class ${row.instanceClass} has no price; costed by its allocation`);
      if (row.instanceClass && nodeClass && nodeClass !== row.instanceClass) notes.push(`${row.instance}: ${row.instanceClass} costed as ${nodeClass}`);
      if (!nodeClass && allocatedMib !== null) {
        nodeClass = cacheClassForAllocation(prices, allocatedMib, assumptions.redisReservedMemoryShare);
        classSource = 'measured';
      }
      if (!nodeClass) {
        nodeClass = presetCache?.nodeClass ?? 'cache.t3.small';
        classSource = presetCache ? 'preset' : 'default';
      }
      const usableMib = prices.cache[nodeClass]!.memoryGib * 1024 * (1 - assumptions.redisReservedMemoryShare);
      const usedMib = usedBytes !== null ? usedBytes / MIB : presetCache?.usedMib ?? 0;
      const totals = patterns.get(row.instance);
      let persistentMib = presetCache?.persistentMib ?? 0;
      let persistentKeys = presetCache?.persistentKeys ?? 0;
      let keys = presetCache?.keys ?? numberOrNull(own.get('inventory/keys')) ?? 0;
      let persistentSource: CacheWorkload['sources']['persistentMib'] = presetCache ? 'preset' : 'default';
      if (totals && totals.keys > 0) {
        keys = totals.keys;
        persistentKeys = totals.persistentKeys;
        // Scale the inventory's share of no-TTL memory to INFO's used_memory (which adds Redis's own overhead).
        const share = totals.memory && totals.memory > 0 && totals.persistentMemory !== null ? totals.persistentMemory / totals.memory : totals.persistentKeys / totals.keys;
        persistentMib = usedMib * share;
        persistentSource = 'measured';
      }
      if (usedBytes !== null) measuredRedis++;
      caches.push({
        name: row.instance,
        domain: row.domain ?? presetCache?.domain ?? 'other',
        nodeClass,
        // Replica nodes per shard: as assumed (the preset, else 1), or as many as the snapshot paired with it.
        replicas: Math.max(presetCache?.replicas ?? 1, replicasOf.get(row.instance) ?? 0),
        allocatedMib: allocatedMib ?? usableMib,
        usedMib,
        persistentMib,
        persistentKeys,
        keys,
        growth: presetCache?.growth ?? growthFor(row.instance, row.domain),
        sources: { nodeClass: classSource, usedMib: usedBytes !== null ? 'measured' : presetCache ? 'preset' : 'default', persistentMib: persistentSource },
      });
      continue;
    }
    if (row.engine !== 'mysql' && row.engine !== 'postgres') continue;
    const engine = row.engine;
    const presetDb = preset && 'instanceClass' in preset ? preset : undefined;
    let instanceClass = row.instanceClass ? pricedDatabaseClass(prices, row.instanceClass) : null;
    let classSource: DatabaseWorkload['sources']['instanceClass'] = 'manifest';
    if (row.instanceClass && !instanceClass) notes.push(`${row.instance}: class ${row.instanceClass} has no price; the preset's or the default class is used`);
    if (row.instanceClass && instanceClass && instanceClass !== row.instanceClass) notes.push(`${row.instance}: ${row.instanceClass} costed as ${instanceClass}`);
    if (!instanceClass) {
      instanceClass = presetDb?.instanceClass ?? 'db.m6g.large';
      classSource = presetDb ? 'preset' : 'default';
    }
    let dataBytes = 0;
    let sized = false;
    for (const [key, value] of own) {
      if (!key.startsWith('database/')) continue;
      const bytes = numberOrNull(value);
      if (bytes !== null) {
        dataBytes += bytes;
        sized = true;
      }
    }
    const uptime = numberOrNull(own.get('status/Uptime'));
    const questions = numberOrNull(own.get('status/Questions'));
    const spec = prices.database[instanceClass]!;
    let load = presetDb?.load ?? 0.1;
    let loadSource: DatabaseWorkload['sources']['load'] = presetDb ? 'preset' : 'default';
    let role: TrafficRole = presetDb?.role ?? (TEST_NAME.test(row.instance) || /dbatest/i.test(row.instance) ? 'test' : 'transactional');
    let roleSource: DatabaseWorkload['sources']['role'] = presetDb ? 'preset' : 'default';
    if (uptime && uptime > 0 && questions !== null) {
      const qps = questions / uptime;
      load = Math.min(1, qps / (spec.vcpu * spec.baseline * assumptions.queriesPerVcpuSecond));
      loadSource = 'measured';
      if (role === 'transactional' || role === 'low-traffic') {
        role = qps < assumptions.lowTrafficQps ? 'low-traffic' : 'transactional';
        roleSource = 'measured';
      }
    }
    if (sized || loadSource === 'measured') measuredSql++;
    databases.push({
      name: row.instance,
      engine,
      domain: row.domain ?? presetDb?.domain ?? 'other',
      instanceClass,
      multiAz: presetDb?.multiAz ?? false,
      dataGb: sized ? dataBytes / 1e9 : presetDb?.dataGb ?? 1,
      load,
      growth: presetDb?.growth ?? growthFor(row.instance, row.domain),
      role,
      analytics: engine === 'mysql' && role === 'transactional' && (presetDb?.analytics ?? load >= 0.3),
      archivable: presetDb?.archivable ?? null,
      archivableShare: presetDb?.archivableShare ?? 0,
      ...(replicasOf.has(row.instance) ? { replicas: replicasOf.get(row.instance)! } : {}),
      sources: { instanceClass: classSource, dataGb: sized ? 'measured' : presetDb ? 'preset' : 'default', load: loadSource, role: roleSource },
    });
  }
  const stores = measuredStoreCount(db);
  notes.unshift(
    `Measured: ${measuredRedis} of ${caches.length} Redis instances (used memory), ${measuredSql} of ${databases.length} MySQL/PostgreSQL instances (data size or query rate); the rest take the report preset's values for the same name, else defaults.`,
    stores ? `Store count from ${stores.from}.` : `Store count: the report's 16 (the snapshot has no t_shop_info with shop names).`,
  );
  return { source: label, measuredStores: stores?.stores ?? 16, databases, caches, notes };
}

/** Opens a snapshot file read-only and reads its fleet. */
export function costFleetFromSnapshot(path: string, prices: PriceCatalogue = US_EAST_1_PRICES, assumptions: Assumptions = defaultAssumptions()): CostFleet {
  const db = openSnapshot(path);
  try {
    const { manifest, rootSha256 } = readManifest(db, path);
    return costFleetFromDatabase(db, `snapshot ${path} (made ${manifest.createdAt}, root sha256 ${rootSha256.slice(0, 12)}…)`, prices, assumptions);
  } finally {
    db.close();
  }
}

