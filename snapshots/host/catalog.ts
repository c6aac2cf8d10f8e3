// Reads the catalog side of an open snapshot for the workbench: provenance,
// the instance → database → table tree, one table's columns, and the fleet
// overview. Small catalog tables only; never a scan of pulled data.
import { trustSummary } from './trust.ts';
import type Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type {
  CatalogInstance,
  CatalogTree,
  ColumnMeta,
  DatabaseInstanceFacts,
  FleetOverview,
  InstanceProvenance,
  RedisInstanceFacts,
  SnapshotSummary,
  TableDescription,
  TableEntry,
} from '../../shared/api/types.ts';
import type { Engine } from '../../shared/model/fleet.ts';
import type { StorageKind } from '../../shared/model/snapshot.ts';
import { rootHash } from '../file/hash.ts';
import { readManifest } from '../file/reader.ts';
import { columnNames, DQ_TABLES, META } from '../file/schema.ts';

interface TableRow {
  name: string;
  sqlName: string;
  instance: string;
  engine: Engine;
  database: string;
  schema: string | null;
  source: string;
  kind: TableEntry['kind'];
  rows: number;
  limited: number;
  estimatedRows: number | null;
  dataBytes: number | null;
  indexBytes: number | null;
  engineTableType: string | null;
  comment: string | null;
  status: string;
  statusReason: string | null;
}

export function readTables(db: Database.Database): TableEntry[] {
  const has = columnNames(db, META.tables);
  const rows = db
    .prepare(
      `SELECT table_name AS name, sql_name AS sqlName, instance, engine, database, schema, source_table AS source, kind, rows, limited,
              estimated_rows AS estimatedRows, data_bytes AS dataBytes, index_bytes AS indexBytes, engine_table_type AS engineTableType, comment,
              ${has.has('status') ? 'status' : `'pulled'`} AS status, ${has.has('status_reason') ? 'status_reason' : 'NULL'} AS statusReason
         FROM ${META.tables} ORDER BY instance, database, source_table`,
    )
    .all() as TableRow[];
  return rows.map((r) => ({ ...r, limited: r.limited === 1 }));
}

interface InstanceRow {
  name: string;
  engine: Engine;
  domain: string | null;
  instanceClass: string | null;
  allocatedMemoryMb: number | null;
  status: InstanceProvenance['status'];
  error: string | null;
  hint: string | null;
  consistency: InstanceProvenance['consistency'];
  consistencyNote: string | null;
  version: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  tables: number;
  rows: number;
  limitedTables: number;
}

function readInstances(db: Database.Database): InstanceRow[] {
  return db
    .prepare(
      `SELECT instance AS name, engine, domain, instance_class AS instanceClass, allocated_memory_mb AS allocatedMemoryMb, status, error, hint,
              consistency, consistency_note AS consistencyNote, version, started_at AS startedAt, finished_at AS finishedAt,
              tables, rows, limited_tables AS limitedTables
         FROM ${META.instances} ORDER BY engine, instance`,
    )
    .all() as InstanceRow[];
}

function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
}

/** Provenance of a snapshot for the library view: who made it, when, from what, per instance. */
export function snapshotSummary(db: Database.Database, path: string, id: string, trustedKeys: Parameters<typeof trustSummary>[2] = []): SnapshotSummary {
  const stored = readManifest(db, path);
  const { manifest } = stored;
  const instances: InstanceProvenance[] = readInstances(db).map((i) => ({
    name: i.name,
    engine: i.engine,
    domain: i.domain,
    status: i.status,
    error: i.error,
    hint: i.hint,
    consistency: i.consistency,
    consistencyNote: i.consistencyNote,
    version: i.version,
    startedAt: i.startedAt,
    finishedAt: i.finishedAt,
    tables: i.tables,
    rows: i.rows,
    limitedTables: i.limitedTables,
  }));
  const totals = db.prepare(`SELECT count(*) AS tables, coalesce(sum(rows), 0) AS rows FROM ${META.tables}`).get() as { tables: number; rows: number };
  const dqRuns = hasTable(db, DQ_TABLES.runs) ? (db.prepare(`SELECT count(*) FROM ${DQ_TABLES.runs}`).pluck().get() as number) : 0;
  let bytes = 0;
  try {
    bytes = statSync(path).size;
  } catch {
    // The size is informative only.
  }
  return {
    id,
    path,
    fileName: basename(path),
    bytes,
    createdAt: manifest.createdAt,
    createdBy: manifest.createdBy,
    createdOnHost: manifest.createdOnHost,
    toolVersion: manifest.tool?.version ?? 'unknown',
    fleetName: manifest.fleet?.name ?? null,
    fleetFile: manifest.fleet?.file ?? null,
    synthetic: manifest.synthetic === true,
    complete: manifest.complete === true,
    rootSha256: stored.rootSha256,
    manifestIntact: rootHash(stored.body) === stored.rootSha256,
    maxRows: manifest.options?.maxRows ?? null,
    keyHashing: manifest.keyHashing ? `${manifest.keyHashing.algorithm}, key ${manifest.keyHashing.keySource}` : 'unknown',
    instances,
    tables: totals.tables,
    rows: totals.rows,
    dqRuns,
    trust: trustSummary(db, stored, trustedKeys),
  };
}

export function catalogTree(db: Database.Database, tables: TableEntry[]): CatalogTree {
  const instances = new Map<string, CatalogInstance>();
  for (const i of readInstances(db)) {
    instances.set(i.name, { name: i.name, engine: i.engine, domain: i.domain, status: i.status, databases: [], redisPatterns: [] });
  }
  for (const table of tables) {
    let instance = instances.get(table.instance);
    if (!instance) {
      instance = { name: table.instance, engine: table.engine, domain: null, status: 'pulled', databases: [], redisPatterns: [] };
      instances.set(table.instance, instance);
    }
    let database = instance.databases.find((d) => d.name === table.database);
    if (!database) instance.databases.push((database = { name: table.database, tables: [] }));
    database.tables.push(table);
  }
  const patterns = db
    .prepare(
      `SELECT instance, db, pattern, keys, persistent_keys AS persistentKeys, memory_bytes AS memoryBytes
         FROM ${META.redisPatterns} ORDER BY instance, db, keys DESC, pattern`,
    )
    .all() as { instance: string; db: number; pattern: string; keys: number; persistentKeys: number; memoryBytes: number | null }[];
  for (const p of patterns) {
    const instance = instances.get(p.instance);
    if (!instance) continue;
    const table = tables.find((t) => t.instance === p.instance && t.kind === 'redis-keys' && t.database === `db${p.db}`);
    if (!table) continue;
    instance.redisPatterns.push({ db: p.db, pattern: p.pattern, keys: p.keys, persistentKeys: p.persistentKeys, memoryBytes: p.memoryBytes, table: table.name });
  }
  // Instances with something to browse first; within each engine by name.
  const list = [...instances.values()].sort((a, b) => Number(b.databases.length > 0) - Number(a.databases.length > 0) || a.engine.localeCompare(b.engine) || a.name.localeCompare(b.name));
  return { instances: list };
}

/** Every table's columns (snapshot names) in one read, for the SQL console's completion. */
export function allColumns(db: Database.Database, tables: readonly TableEntry[]): { table: string; sqlName: string; columns: string[] }[] {
  const byTable = new Map<string, string[]>();
  for (const row of db.prepare(`SELECT table_name AS tableName, sql_column AS name FROM ${META.columns} ORDER BY table_name, ordinal`).all() as { tableName: string; name: string }[]) {
    let list = byTable.get(row.tableName);
    if (!list) byTable.set(row.tableName, (list = []));
    list.push(row.name);
  }
  // A table checked in place (pull: pushdown) has no rows in the file, so no SQL table to complete.
  return tables.filter((t) => t.kind !== 'pushdown').map((t) => ({ table: t.name, sqlName: t.sqlName, columns: byTable.get(t.name) ?? [] }));
}

export function readColumns(db: Database.Database, table: string): ColumnMeta[] {
  const rows = db
    .prepare(
      `SELECT sql_column AS name, column_name AS sourceName, declared_type AS declaredType, storage, nullable, primary_key_ordinal AS primaryKeyOrdinal
         FROM ${META.columns} WHERE table_name = ? ORDER BY ordinal`,
    )
    .all(table) as { name: string; sourceName: string; declaredType: string; storage: StorageKind; nullable: number; primaryKeyOrdinal: number | null }[];
  if (rows.length > 0) return rows.map((r) => ({ ...r, nullable: r.nullable === 1 }));
  // A table the catalog does not describe (should not happen): fall back to SQLite's view of it.
  const info = db.prepare(`SELECT name, type, "notnull" AS notNull, pk FROM pragma_table_info(?) ORDER BY cid`).all(table) as { name: string; type: string; notNull: number; pk: number }[];
  return info.map((c) => ({
    name: c.name,
    sourceName: c.name,
    declaredType: c.type,
    storage: /INT/i.test(c.type) ? 'integer' : /BLOB/i.test(c.type) ? 'blob' : 'text',
    nullable: c.notNull === 0,
    primaryKeyOrdinal: c.pk > 0 ? c.pk : null,
  }));
}

export function describeTable(db: Database.Database, table: TableEntry): TableDescription {
  const indexes = db
    .prepare(`SELECT index_name AS name, is_unique AS isUnique, is_primary AS isPrimary, columns FROM ${META.indexes} WHERE table_name = ? ORDER BY is_primary DESC, index_name`)
    .all(table.name) as { name: string; isUnique: number; isPrimary: number; columns: string }[];
  return {
    table,
    columns: readColumns(db, table.name),
    indexes: indexes.map((i) => ({ name: i.name, unique: i.isUnique === 1, primary: i.isPrimary === 1, columns: safeJsonArray(i.columns) })),
  };
}

function safeJsonArray(text: string): string[] {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
}

const TIERS = ['>20%', '5–20%', '1–5%', '<1%', 'unknown'] as const;

/** The report's utilisation tiers for Redis memory. */
export function utilisationTier(utilisation: number | null): (typeof TIERS)[number] {
  if (utilisation === null || !Number.isFinite(utilisation)) return 'unknown';
  if (utilisation > 0.2) return '>20%';
  if (utilisation >= 0.05) return '5–20%';
  if (utilisation >= 0.01) return '1–5%';
  return '<1%';
}

function numberOrNull(text: string | null | undefined): number | null {
  if (text === null || text === undefined || text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** The fleet at a glance, from the snapshot's instances, server facts and table catalog. */
export function fleetOverview(db: Database.Database, tables: TableEntry[]): FleetOverview {
  const instances = readInstances(db);
  const facts = new Map<string, Map<string, string | null>>();
  const factRows = db
    .prepare(
      `SELECT instance, category, name, value FROM ${META.serverFacts}
        WHERE (category IN ('memory', 'config', 'stats', 'server') AND name IN ('used_memory', 'maxmemory', 'maxmemory_policy', 'maxmemory-policy', 'keyspace_hits', 'keyspace_misses', 'redis_version'))
           OR (category = 'status' AND name IN ('Innodb_buffer_pool_reads', 'Innodb_buffer_pool_read_requests'))
           OR (category = 'variable' AND name = 'version')`,
    )
    .all() as { instance: string; category: string; name: string; value: string | null }[];
  for (const f of factRows) {
    let map = facts.get(f.instance);
    if (!map) facts.set(f.instance, (map = new Map()));
    map.set(`${f.category}.${f.name}`, f.value);
  }
  const keyCounts = new Map<string, { keys: number; persistent: number }>();
  for (const r of db.prepare(`SELECT instance, sum(keys) AS keys, sum(persistent_keys) AS persistent FROM ${META.redisPatterns} GROUP BY instance`).all() as {
    instance: string;
    keys: number;
    persistent: number;
  }[]) {
    keyCounts.set(r.instance, { keys: r.keys, persistent: r.persistent });
  }
  const byEngine: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  const domains = new Map<string, { domain: string; engine: Engine; instances: number }>();
  const versions = new Map<string, { engine: Engine; version: string; instances: number }>();
  for (const i of instances) {
    byEngine[i.engine] = (byEngine[i.engine] ?? 0) + 1;
    byStatus[i.status] = (byStatus[i.status] ?? 0) + 1;
    const domainKey = `${i.domain ?? '(none)'}\u0000${i.engine}`;
    const d = domains.get(domainKey) ?? { domain: i.domain ?? '(none)', engine: i.engine, instances: 0 };
    d.instances++;
    domains.set(domainKey, d);
    const f = facts.get(i.name);
    const version = i.version ?? f?.get('server.redis_version') ?? f?.get('variable.version') ?? null;
    if (version) {
      const versionKey = `${i.engine}\u0000${version}`;
      const v = versions.get(versionKey) ?? { engine: i.engine, version, instances: 0 };
      v.instances++;
      versions.set(versionKey, v);
    }
  }

  const redis: RedisInstanceFacts[] = instances
    .filter((i) => i.engine === 'redis')
    .map((i) => {
      const f = facts.get(i.name) ?? new Map<string, string | null>();
      const used = numberOrNull(f.get('memory.used_memory'));
      const maxmemory = numberOrNull(f.get('memory.maxmemory')) ?? numberOrNull(f.get('config.maxmemory'));
      const capacity = i.allocatedMemoryMb ? i.allocatedMemoryMb * 1024 * 1024 : maxmemory && maxmemory > 0 ? maxmemory : null;
      const utilisation = used !== null && capacity ? used / capacity : null;
      const hits = numberOrNull(f.get('stats.keyspace_hits'));
      const misses = numberOrNull(f.get('stats.keyspace_misses'));
      const counts = keyCounts.get(i.name) ?? { keys: 0, persistent: 0 };
      return {
        name: i.name,
        domain: i.domain,
        version: i.version ?? f.get('server.redis_version') ?? null,
        usedBytes: used,
        capacityBytes: capacity,
        utilisation,
        tier: utilisationTier(utilisation),
        evictionPolicy: f.get('memory.maxmemory_policy') ?? f.get('config.maxmemory-policy') ?? null,
        hitRate: hits !== null && misses !== null && hits + misses > 0 ? hits / (hits + misses) : null,
        keys: counts.keys,
        persistentKeys: counts.persistent,
      };
    });
  const redisTiers = TIERS.map((tier) => {
    const names = redis.filter((r) => r.tier === tier).map((r) => r.name);
    return { tier, instances: names.length, names };
  }).filter((t) => t.tier !== 'unknown' || t.instances > 0);
  const policies = new Map<string, number>();
  for (const r of redis) policies.set(r.evictionPolicy ?? '(unknown)', (policies.get(r.evictionPolicy ?? '(unknown)') ?? 0) + 1);

  const perInstance = new Map<string, { tables: number; rows: number; dataBytes: number; indexBytes: number; empty: number }>();
  for (const t of tables) {
    const s = perInstance.get(t.instance) ?? { tables: 0, rows: 0, dataBytes: 0, indexBytes: 0, empty: 0 };
    s.tables++;
    s.rows += t.rows;
    s.dataBytes += t.dataBytes ?? 0;
    s.indexBytes += t.indexBytes ?? 0;
    if (t.rows === 0 && t.kind !== 'redis-keys') s.empty++;
    perInstance.set(t.instance, s);
  }
  const databases: DatabaseInstanceFacts[] = instances
    .filter((i) => i.engine !== 'redis')
    .map((i) => {
      const f = facts.get(i.name) ?? new Map<string, string | null>();
      const reads = numberOrNull(f.get('status.Innodb_buffer_pool_reads'));
      const requests = numberOrNull(f.get('status.Innodb_buffer_pool_read_requests'));
      const s = perInstance.get(i.name) ?? { tables: 0, rows: 0, dataBytes: 0, indexBytes: 0, empty: 0 };
      return {
        name: i.name,
        engine: i.engine,
        domain: i.domain,
        instanceClass: i.instanceClass,
        version: i.version ?? f.get('variable.version') ?? null,
        tables: s.tables,
        rows: s.rows,
        dataBytes: s.dataBytes,
        hitRate: reads !== null && requests ? 1 - reads / requests : null,
        emptyTables: s.empty,
      };
    });
  const tableStats = instances
    .filter((i) => perInstance.has(i.name))
    .map((i) => ({ instance: i.name, engine: i.engine, ...perInstance.get(i.name)! }))
    .map(({ empty: _empty, ...rest }) => rest)
    .sort((a, b) => b.dataBytes - a.dataBytes || b.rows - a.rows);
  const totals = tableStats.reduce((t, s) => ({ tables: t.tables + s.tables, rows: t.rows + s.rows, dataBytes: t.dataBytes + s.dataBytes, indexBytes: t.indexBytes + s.indexBytes }), {
    tables: 0,
    rows: 0,
    dataBytes: 0,
    indexBytes: 0,
  });
  return {
    instances: instances.length,
    byEngine,
    byDomain: [...domains.values()].sort((a, b) => b.instances - a.instances || a.domain.localeCompare(b.domain)),
    byStatus,
    versions: [...versions.values()].sort((a, b) => a.engine.localeCompare(b.engine) || b.instances - a.instances),
    redis: redis.sort((a, b) => (b.utilisation ?? -1) - (a.utilisation ?? -1)),
    redisTiers,
    evictionPolicies: [...policies.entries()].map(([policy, n]) => ({ policy, instances: n })).sort((a, b) => b.instances - a.instances),
    databases: databases.sort((a, b) => b.dataBytes - a.dataBytes),
    tables: tableStats,
    totals,
  };
}
