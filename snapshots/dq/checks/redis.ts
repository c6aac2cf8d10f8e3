// Checks over the Redis key inventories and the instances' server facts:
// persistent keys by name, memory utilisation, versions.
import type { RuleOf } from '../../../shared/dq/pack.ts';
import { parseRatio, PERSISTENT_TTL_MS, versionBelow } from '../../../shared/dq/definitions.ts';
import { instanceMatcher, storesKeyNames, type CatalogTable } from '../catalog.ts';
import { SkipRule, type Finish, type RuleContext } from '../engine.ts';
import { columnNames, META } from '../../file/schema.ts';
import { sqlString } from '../sql.ts';

interface PatternCounts {
  glob: number | null;
  keys: number;
  persistent: number;
  /** Sum over the persistent keys whose memory is known; null when none is. */
  memory: number | null;
  /** Persistent keys whose memory is unknown (MEMORY USAGE refused or not answered). */
  memoryUnknown: number;
}

/**
 * Keys per glob of one key inventory: all, persistent, persistent memory. A key
 * counts under the first glob its name matches (its key name when stored, else
 * its pattern). Without stored names every key of a pattern matches alike, so
 * the per-pattern statistics the pull computed (_snapbench_redis_patterns) give
 * the exact answer without reading the keys.
 */
function countByGlob(ctx: RuleContext, table: CatalogTable, globs: string[]): PatternCounts[] {
  const which = (name: string) => `CASE ${globs.map((g, i) => `WHEN ${name} GLOB ${sqlString(g)} THEN ${i}`).join(' ')} END`;
  // Unknown memory stays unknown: NULL sums, and the keys it covers are counted (files before
  // memory_unknown_keys existed counted unknown memory as NULL per key, read the same way).
  const sql = storesKeyNames(ctx.db, table) || !columnNames(ctx.db, META.redisPatterns).has('persistent_memory_unknown_keys')
    ? `SELECT ${which('coalesce(key_name, pattern)')} AS glob, count(*) AS keys, count(*) FILTER (WHERE ttl_ms = ${PERSISTENT_TTL_MS}) AS persistent,
              sum(memory_bytes) FILTER (WHERE ttl_ms = ${PERSISTENT_TTL_MS}) AS memory,
              count(*) FILTER (WHERE ttl_ms = ${PERSISTENT_TTL_MS} AND memory_bytes IS NULL) AS memoryUnknown FROM ${table.sqlName} GROUP BY 1`
    : `SELECT ${which('pattern')} AS glob, sum(keys) AS keys, sum(persistent_keys) AS persistent, sum(persistent_memory_bytes) AS memory,
              sum(persistent_memory_unknown_keys) AS memoryUnknown
         FROM ${META.redisPatterns} WHERE instance = ${sqlString(table.instance)} AND 'db' || db = ${sqlString(table.database)} GROUP BY 1`;
  return ctx.db.prepare(sql).all() as PatternCounts[];
}

export function planRedisPersistentKeys(rule: RuleOf<'redis_persistent_keys'>, ctx: RuleContext): Finish {
  const inInstance = instanceMatcher(rule.instance);
  const tables = ctx.use(ctx.catalog.tables.filter((t) => t.kind === 'redis-keys' && inInstance(t.instance)));
  if (tables.length === 0) throw new SkipRule(`no Redis key inventory in the snapshot${rule.instance ? ` for instance ${rule.instance}` : ''}`);
  const named = `(${rule.patterns.map((p) => `coalesce(key_name, pattern) GLOB ${sqlString(p)}`).join(' OR ')})`;
  const where = `ttl_ms = ${PERSISTENT_TTL_MS} AND ${named}`;
  return () => {
    const byPattern: Record<string, number> = Object.fromEntries(rule.patterns.map((p) => [p, 0]));
    const byInstance: Record<string, number> = {};
    let count = 0;
    let total = 0;
    let memory: number | null = null;
    let memoryUnknown = 0;
    for (const table of tables) {
      for (const row of countByGlob(ctx, table, rule.patterns)) {
        if (row.glob === null) continue;
        byPattern[rule.patterns[row.glob]!]! += row.persistent;
        count += row.persistent;
        total += row.keys;
        if (row.memory !== null) memory = (memory ?? 0) + row.memory;
        memoryUnknown += row.memoryUnknown ?? 0;
        if (row.persistent > 0) byInstance[table.instance] = (byInstance[table.instance] ?? 0) + row.persistent;
      }
    }
    const { evidence, evidenceQuery } = ctx.rowEvidence(
      tables.map((table) => ({
        table,
        where,
        columns: ['key_name', 'pattern', 'type', 'ttl_ms', 'memory_bytes'].map((c) => ({ label: c, sql: c })),
      })),
      count > 0,
    );
    return {
      count,
      total,
      // persistent_memory_bytes sums the keys whose memory is known (0 when there are no such keys, null when none is known).
      metrics: {
        by_pattern: byPattern,
        instances: byInstance,
        persistent_memory_bytes: memory === null && memoryUnknown === 0 ? 0 : memory,
        persistent_memory_unknown_keys: memoryUnknown,
      },
      evidence,
      evidenceQuery,
    };
  };
}

interface RedisMemoryRow {
  instance: string;
  status: string;
  used_memory: number | null;
  allocated_memory_bytes: number | null;
  allocation_source: string | null;
  utilisation: number | null;
}

/**
 * Per Redis instance: used_memory and the allocation (the manifest's
 * allocated_memory_mb, else maxmemory from CONFIG, else from INFO memory, else
 * the adapter's inventory fact), and their ratio. One SQL query, so the evidence
 * query an auditor runs is the computation itself.
 */
function redisMemorySql(instanceFilter: string): string {
  const fact = (category: string, name: string) =>
    `max(CASE WHEN f.category = ${sqlString(category)} AND f.name = ${sqlString(name)} THEN f.value END)`;
  return `SELECT instance, status, used_memory, allocated_memory_bytes, allocation_source,
       coalesce(CAST(used_memory AS REAL) / allocated_memory_bytes, utilisation_fact) AS utilisation
FROM (
  SELECT i.instance, i.status,
         CAST(${fact('memory', 'used_memory')} AS INTEGER) AS used_memory,
         CASE WHEN i.allocated_memory_mb > 0 THEN CAST(round(i.allocated_memory_mb * 1048576) AS INTEGER)
              WHEN CAST(${fact('config', 'maxmemory')} AS INTEGER) > 0 THEN CAST(${fact('config', 'maxmemory')} AS INTEGER)
              WHEN CAST(${fact('memory', 'maxmemory')} AS INTEGER) > 0 THEN CAST(${fact('memory', 'maxmemory')} AS INTEGER)
              WHEN CAST(${fact('inventory', 'allocated_memory_bytes')} AS INTEGER) > 0 THEN CAST(${fact('inventory', 'allocated_memory_bytes')} AS INTEGER)
         END AS allocated_memory_bytes,
         CASE WHEN i.allocated_memory_mb > 0 THEN 'manifest'
              WHEN CAST(${fact('config', 'maxmemory')} AS INTEGER) > 0 OR CAST(${fact('memory', 'maxmemory')} AS INTEGER) > 0 THEN 'maxmemory'
              ELSE ${fact('inventory', 'allocation_source')}
         END AS allocation_source,
         CAST(${fact('inventory', 'utilisation')} AS REAL) AS utilisation_fact
  FROM ${META.instances} AS i LEFT JOIN ${META.serverFacts} AS f ON f.instance = i.instance
  WHERE i.engine = 'redis' AND i.status = 'pulled'${instanceFilter}
  GROUP BY i.instance
)`;
}

function instanceFilterSql(glob: string | undefined): string {
  return glob ? ` AND i.instance GLOB ${sqlString(glob)}` : '';
}

export function planRedisUtilisation(rule: RuleOf<'redis_utilisation'>, ctx: RuleContext): Finish {
  const below = parseRatio(rule.below)!;
  const sql = redisMemorySql(instanceFilterSql(rule.instance));
  return () => {
    const rows = ctx.db.prepare(sql).all() as RedisMemoryRow[];
    const inventoryOnly = ctx.catalog.instances.filter((i) => i.engine === 'redis' && i.status === 'inventory-only' && instanceMatcher(rule.instance)(i.name)).length;
    if (rows.length === 0) throw new SkipRule(`no pulled Redis instance in the snapshot (${inventoryOnly} inventory-only)`);
    const known = rows.filter((r) => r.allocated_memory_bytes !== null && r.utilisation !== null);
    const low = known.filter((r) => r.utilisation! < below).sort((a, b) => a.utilisation! - b.utilisation! || a.instance.localeCompare(b.instance));
    if (known.length === 0) throw new SkipRule(`no pulled Redis instance has a known allocation (set allocated_memory_mb in the fleet manifest, or maxmemory)`);
    return {
      count: low.length,
      total: known.length,
      metrics: { below, unknown_allocation: rows.length - known.length, inventory_only: inventoryOnly },
      evidence: low.slice(0, ctx.evidenceLimit).map(({ status: _status, ...r }) => ({ ...r, utilisation: Number(r.utilisation!.toPrecision(6)) })),
      evidenceQuery: `SELECT * FROM (${sql}) WHERE utilisation < ${below} ORDER BY utilisation, instance`,
    };
  };
}

export function planVersionBelow(rule: RuleOf<'version_below'>, ctx: RuleContext): Finish {
  const sql = `SELECT i.instance, i.status, coalesce(i.version, max(CASE WHEN f.name IN ('redis_version', 'version', 'server_version') THEN f.value END)) AS version
FROM ${META.instances} AS i LEFT JOIN ${META.serverFacts} AS f ON f.instance = i.instance
WHERE i.engine = ${sqlString(rule.engine)}${instanceFilterSql(rule.instance)}
GROUP BY i.instance`;
  return () => {
    const rows = ctx.db.prepare(sql).all() as { instance: string; status: string; version: string | null }[];
    if (rows.length === 0) throw new SkipRule(`no ${rule.engine} instance in the snapshot`);
    const known = rows.filter((r) => versionBelow(r.version, rule.minimum) !== null);
    if (known.length === 0) throw new SkipRule(`no ${rule.engine} instance has a known version`);
    const old = known.filter((r) => versionBelow(r.version, rule.minimum));
    const versions: Record<string, number> = {};
    for (const r of known) versions[r.version!] = (versions[r.version!] ?? 0) + 1;
    return {
      count: old.length,
      total: known.length,
      metrics: { minimum: rule.minimum, unknown_version: rows.length - known.length, versions },
      evidence: old.slice(0, ctx.evidenceLimit).map((r) => ({ instance: r.instance, status: r.status, version: r.version })),
      evidenceQuery: `SELECT instance, status, version FROM (${sql}) WHERE dq_version_below(version, ${sqlString(rule.minimum)}) ORDER BY instance`,
    };
  };
}
