// Synthetic server facts for the demo snapshot, in the categories and names
// the real adapters write (snapshots/engines/*/introspect.ts, facts.ts), so the
// demo's fleet overview reads like a pulled one and reproduces the report:
// Redis 6.0.5 with volatile-lfu, section 4.2's utilisation tiers, 4.3's hit
// rates; MySQL 8.0/5.7; PostgreSQL 14–16.
//
// The facts the cost model reads (query rates, data sizes, used memory) are the
// cost preset's for the same instance (shared/cost/referenceFleet.ts), written
// the way a server reports them, so that a scenario on the demo snapshot gives
// the preset's answer. Sizes are those of the servers the report describes, not
// of the sample rows the demo carries.
import { defaultAssumptions, reportInstance, US_EAST_1_PRICES, type DatabaseWorkload } from '../../../shared/cost/index.ts';
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import type { ServerFact } from '../../../shared/model/snapshot.ts';
import { inventoryFacts } from '../../engines/redis/introspect.ts';
import { nameFraction, REDIS_POLICY, type InventoryInstance } from './inventory.ts';

const GIB = 1024 ** 3;

/** The preset's workload of a database instance; every demo instance has one. */
function presetDatabase(name: string): DatabaseWorkload {
  const preset = reportInstance(name);
  if (!preset || !('instanceClass' in preset)) throw new Error(`reference fleet: ${name} is not in the cost preset`);
  return preset;
}

/** Memory of the instance's RDS class. */
function classMemoryBytes(instanceClass: string): number {
  return (US_EAST_1_PRICES.database[instanceClass]?.memoryGib ?? 4) * GIB;
}

/**
 * Average queries a second that the cost model reads back as the preset's
 * load: load × sustained vCPU × queries per vCPU-second (snapshots/cost/snapshotFleet.ts).
 */
export function presetQueriesPerSecond(name: string): number {
  const preset = presetDatabase(name);
  const spec = US_EAST_1_PRICES.database[preset.instanceClass]!;
  return preset.load * spec.vcpu * spec.baseline * defaultAssumptions().queriesPerVcpuSecond;
}

/** On-disk size of each database: the preset's data size, split evenly over the instance's databases. */
function presetDatabaseBytes(name: string, databases: number): number {
  return Math.round((presetDatabase(name).dataGb * 1e9) / Math.max(1, databases));
}

/** An integer in [min, max] fixed by the instance name and a label. */
function fixed(instance: string, label: string, min: number, max: number): number {
  return min + Math.floor(nameFraction(instance, label) * (max - min + 1));
}

function facts(category: string, values: Record<string, string | number | null>): ServerFact[] {
  return Object.entries(values).map(([name, value]) => ({ category, name, value: value === null ? null : String(value) }));
}

export interface DatabaseSize {
  database: string;
  tables: number;
  rows: number;
  bytes: number;
}

export function syntheticFacts(seed: number, scale: number, weeks = 0): ServerFact[] {
  return facts('synthetic', { generator: 'snapbench reference fleet', seed, scale, ...(weeks > 0 ? { weeks_of_planted_growth: weeks } : {}) });
}

export function mysqlFacts(instance: InventoryInstance, databases: DatabaseSize[]): ServerFact[] {
  const legacy = instance.version.startsWith('5.');
  const memory = classMemoryBytes(instance.instanceClass);
  const qps = presetQueriesPerSecond(instance.name);
  const busy = qps >= 40;
  const uptime = fixed(instance.name, 'uptime', 20, 200) * 86400;
  const questions = Math.round(uptime * qps);
  const selects = Math.round(questions * 0.78);
  const out: ServerFact[] = facts('variable', {
    version: legacy ? `${instance.version}-log` : instance.version,
    version_comment: 'Source distribution',
    version_compile_machine: 'aarch64',
    innodb_version: instance.version,
    character_set_server: 'utf8mb4',
    collation_server: legacy ? 'utf8mb4_general_ci' : 'utf8mb4_0900_ai_ci',
    time_zone: 'UTC',
    system_time_zone: 'UTC',
    sql_mode: 'NO_ENGINE_SUBSTITUTION',
    [legacy ? 'tx_isolation' : 'transaction_isolation']: 'REPEATABLE-READ',
    read_only: 'OFF',
    log_bin: 'ON',
    binlog_format: 'ROW',
    innodb_buffer_pool_size: Math.round((memory * 3) / 4),
    innodb_file_per_table: 'ON',
    innodb_flush_log_at_trx_commit: 1,
    // RDS default: DBInstanceClassMemory / 12582880.
    max_connections: Math.floor(memory / 12582880),
    max_allowed_packet: 67108864,
    slow_query_log: 'ON',
    long_query_time: '2.000000',
    lower_case_table_names: 0,
    performance_schema: memory >= 8 * GIB ? 'ON' : 'OFF',
    default_storage_engine: 'InnoDB',
    wait_timeout: 28800,
  });
  out.push(
    ...facts('status', {
      Uptime: uptime,
      Questions: questions,
      Queries: questions + fixed(instance.name, 'queries', 1000, 90000),
      Threads_connected: busy ? fixed(instance.name, 'threads', 20, 180) : fixed(instance.name, 'threads', 2, 12),
      Threads_running: fixed(instance.name, 'running', 1, 6),
      Connections: Math.round(questions / 350),
      Max_used_connections: busy ? fixed(instance.name, 'maxconn', 60, 300) : fixed(instance.name, 'maxconn', 5, 30),
      Slow_queries: busy ? fixed(instance.name, 'slow', 10, 9000) : fixed(instance.name, 'slow', 0, 40),
      Com_select: selects,
      Com_insert: Math.round(questions * 0.09),
      Com_update: Math.round(questions * 0.06),
      Com_delete: Math.round(questions * 0.01),
      Bytes_received: questions * 310,
      Bytes_sent: questions * 2200,
      Innodb_buffer_pool_read_requests: selects * 40,
      Innodb_buffer_pool_reads: Math.round(selects * 0.02),
    }),
  );
  const bytes = presetDatabaseBytes(instance.name, databases.length);
  for (const db of databases) {
    out.push(
      { category: 'database', name: `${db.database}.size_bytes`, value: String(bytes) },
      { category: 'database', name: `${db.database}.tables`, value: String(db.tables) },
      { category: 'database', name: `${db.database}.estimated_rows`, value: String(db.rows) },
    );
  }
  return out;
}

const PG_EXTENSIONS: Record<string, Record<string, string>> = {
  'aws-luckyus-dify-rw': { plpgsql: '1.0', 'uuid-ossp': '1.1', vector: '0.5.1' },
  'aws-luckyus-difynew-rw': { plpgsql: '1.0', 'uuid-ossp': '1.1', vector: '0.7.0' },
  'aws-luckyus-pgilkmap-rw': { plpgsql: '1.0', postgis: '3.4.2' },
};

export function postgresFacts(instance: InventoryInstance, databases: DatabaseSize[]): ServerFact[] {
  const [major, minor] = instance.version.split('.').map(Number);
  const memory = classMemoryBytes(instance.instanceClass);
  const uptime = fixed(instance.name, 'uptime', 20, 200) * 86400;
  const bytes = presetDatabaseBytes(instance.name, databases.length);
  const out: ServerFact[] = [
    ...facts('server', {
      version: `PostgreSQL ${instance.version} on aarch64-unknown-linux-gnu, compiled by gcc (GCC) 7.3.1 20180712 (Red Hat 7.3.1-12), 64-bit`,
      server_version: instance.version,
      server_version_num: major! * 10000 + minor!,
    }),
    ...facts('status', { uptime_seconds: uptime, postmaster_start_time: null, in_recovery: 'false' }),
    ...facts('setting', {
      max_connections: Math.min(5000, Math.floor(memory / 9531392)),
      shared_buffers: `${Math.round(memory / 4 / 1024 / 1024)}MB`,
      work_mem: '4MB',
      maintenance_work_mem: `${Math.round(memory / 16 / 1024 / 1024)}MB`,
      timezone: 'UTC',
      server_encoding: 'UTF8',
      default_transaction_isolation: 'read committed',
      ssl: 'on',
      autovacuum: 'on',
      password_encryption: 'scram-sha-256',
      shared_preload_libraries: 'rdsutils,pg_stat_statements',
    }),
    ...facts('status', { connections: fixed(instance.name, 'conn', 3, 40), connections_active: fixed(instance.name, 'active', 1, 4), backends: fixed(instance.name, 'backends', 8, 50) }),
  ];
  for (const db of databases) {
    out.push(...facts('database', { [`${db.database}.size_bytes`]: bytes, [`${db.database}.encoding`]: 'UTF8', [`${db.database}.collation`]: 'en_US.UTF-8', [`${db.database}.ctype`]: 'en_US.UTF-8' }));
  }
  out.push(...facts('extension', PG_EXTENSIONS[instance.name] ?? { plpgsql: '1.0' }));
  if (databases.length > 0) out.push({ category: 'server', name: 'databases_pulled', value: databases.map((d) => d.database).join(', ') });
  return out;
}

/** Redis's own rendering of byte counts (used_memory_human). */
function humanBytes(bytes: number): string {
  const units = ['B', 'K', 'M', 'G'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes}B` : `${value.toFixed(2)}${units[unit]}`;
}

export interface KeyspaceSummary {
  keys: number;
  expires: number;
  avgTtlMs: number;
}

/**
 * INFO sections (category = section in lower case), CONFIG GET, and the
 * inventory facts the Redis adapter computes. `keyspace` is the modelled key
 * inventory, or null for a cluster whose keys are not modelled.
 */
export function redisFacts(instance: InventoryInstance, fleetInstance: FleetInstance, keyspace: KeyspaceSummary | null): ServerFact[] {
  const allocated = Math.round((instance.allocatedMemoryMb ?? 0) * 1024 * 1024);
  const used = Math.round(allocated * (instance.utilisation ?? 0));
  // isales-market "required a recent restart" (4.3).
  const uptime = instance.name === 'luckyus-isales-market' ? 9 * 86400 + 13 * 3600 : fixed(instance.name, 'uptime', 120, 400) * 86400;
  const ops = instance.opsPerSec ?? 0;
  const lookups = Math.round(ops * uptime * 0.6) + fixed(instance.name, 'lookups', 500, 40_000);
  const hits = Math.round(lookups * (instance.hitRate ?? 0));
  const keys = keyspace ?? { keys: Math.max(0, Math.round((used - 900_000) / 180)), expires: 0, avgTtlMs: 0 };
  if (!keyspace) keys.expires = Math.round(keys.keys * 0.8);
  const out: ServerFact[] = [
    ...facts('server', {
      redis_version: instance.version,
      redis_git_sha1: '00000000',
      redis_mode: 'standalone',
      os: 'Amazon ElastiCache',
      arch_bits: 64,
      tcp_port: 6379,
      uptime_in_seconds: uptime,
      uptime_in_days: Math.floor(uptime / 86400),
    }),
    ...facts('clients', { connected_clients: fixed(instance.name, 'clients', 4, ops > 5 ? 180 : 24), blocked_clients: 0 }),
    ...facts('memory', {
      used_memory: used,
      used_memory_human: humanBytes(used),
      used_memory_rss: Math.round(used * 1.08) + 3_000_000,
      used_memory_peak: Math.round(used * 1.12),
      used_memory_peak_human: humanBytes(Math.round(used * 1.12)),
      maxmemory: allocated,
      maxmemory_human: humanBytes(allocated),
      maxmemory_policy: REDIS_POLICY,
      mem_fragmentation_ratio: '1.08',
    }),
    ...facts('persistence', { loading: 0, rdb_last_bgsave_status: 'ok', aof_enabled: 0 }),
    ...facts('stats', {
      total_connections_received: fixed(instance.name, 'conns', 200, 90_000),
      total_commands_processed: Math.round(ops * uptime) + lookups,
      instantaneous_ops_per_sec: ops,
      expired_keys: Math.round(lookups * 0.05),
      evicted_keys: 0,
      keyspace_hits: hits,
      keyspace_misses: lookups - hits,
    }),
    ...facts('replication', { role: 'master', connected_slaves: 1 }),
  ];
  if (keys.keys > 0) out.push({ category: 'keyspace', name: 'db0', value: `keys=${keys.keys},expires=${keys.expires},avg_ttl=${keys.avgTtlMs}` });
  out.push(...facts('config', { maxmemory: allocated, 'maxmemory-policy': REDIS_POLICY, 'maxmemory-samples': 5 }));
  out.push(...inventoryFacts(fleetInstance, used, allocated));
  return out;
}
