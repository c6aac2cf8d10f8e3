// `snapbench series` and the Trends view: several snapshots of one fleet read
// side by side, ordered by when they were made, with least-squares growth of
// every table's rows, every Redis key pattern's keys, no-TTL keys and memory,
// every DQ rule's count, the store count, and the growth the cost model uses.
// Each file is opened read-only and nothing is written.
import type Database from 'better-sqlite3';
import { resolve } from 'node:path';
import type { GrowthCategory } from '../../shared/cost/fleet.ts';
import { measureGrowth, metricGrowth, type GrowthEntry, type GrowthPoint } from '../../shared/series/growth.ts';
import { seriesMetric, type SeriesDq, type SeriesRedis, type SeriesResult, type SeriesTable, type SeriesView } from '../../shared/series/types.ts';
import { costFleetFromDatabase, measuredStoreCount } from '../cost/snapshotFleet.ts';
import { loadPack } from '../dq/loadPack.ts';
import { runPack } from '../dq/run.ts';
import { listRuns, readRunResults } from '../dq/store.ts';
import { openSnapshot, readManifest } from '../file/reader.ts';
import { META } from '../file/schema.ts';

/** The files are snapshots of different fleets (or too few to make a series). */
export class SeriesError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'SeriesError';
  }
}

/** What one snapshot contributes to a series. */
export interface SeriesPoint {
  file: string;
  createdAt: string;
  rootSha256: string;
  fleet: string | null;
  instances: string[];
  tables: Map<string, { instance: string; database: string; table: string; rows: number; tableName: string }>;
  /** The first key inventory table of each Redis instance. */
  keyTables: Map<string, string>;
  redis: Map<string, { instance: string; pattern: string; keys: number; persistentKeys: number; memoryBytes: number | null }>;
  dq: Map<string, { pack: string; rule: string; title: string; count: number | null }>;
  dqSource: 'stored' | 'computed' | null;
  stores: number | null;
  records: Partial<Record<GrowthCategory, number>>;
}

export interface SeriesOptions {
  /** Run the built-in report-07 pack (in memory, not stored) on snapshots without a stored DQ run. Default true. */
  computeDq?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, file: string) => void;
}

function tableKey(instance: string, database: string, table: string): string {
  return JSON.stringify([instance, database, table]);
}

/** DQ counts: the latest stored run of each pack; or report-07 run now when none is stored. */
function dqCounts(db: Database.Database, computeDq: boolean): { counts: SeriesPoint['dq']; source: SeriesPoint['dqSource'] } {
  const counts: SeriesPoint['dq'] = new Map();
  const latest = new Map<string, number>();
  for (const run of listRuns(db)) latest.set(run.pack, run.runId);
  if (latest.size > 0) {
    for (const [pack, runId] of latest) {
      for (const r of readRunResults(db, runId)) counts.set(JSON.stringify([pack, r.id]), { pack, rule: r.id, title: r.title, count: r.count });
    }
    return { counts, source: 'stored' };
  }
  if (!computeDq) return { counts, source: null };
  const pack = loadPack(undefined);
  for (const r of runPack(db, pack).results) counts.set(JSON.stringify([pack.pack, r.id]), { pack: pack.pack, rule: r.id, title: r.title, count: r.count });
  return { counts, source: 'computed' };
}

/** Reads what a series needs from one snapshot file (opened read-only, closed before returning). */
export function readSeriesPoint(path: string, options: Pick<SeriesOptions, 'computeDq'> = {}): SeriesPoint {
  const db = openSnapshot(path);
  try {
    const { manifest, rootSha256 } = readManifest(db, path);
    const instances = db.prepare(`SELECT instance FROM ${META.instances} ORDER BY instance`).pluck().all() as string[];
    const tables: SeriesPoint['tables'] = new Map();
    const keysByInstance = new Map<string, number>();
    const keyTables: SeriesPoint['keyTables'] = new Map();
    const tableRows = db
      .prepare(`SELECT instance, database, source_table AS "table", table_name AS tableName, kind, rows FROM ${META.tables} ORDER BY instance, database, source_table`)
      .all() as { instance: string; database: string; table: string; tableName: string; kind: string; rows: number }[];
    for (const t of tableRows) {
      // A table checked in place (pull: pushdown) has no rows in the file, but its catalog row holds the server's exact count.
      if (t.kind === 'table' || t.kind === 'pushdown') tables.set(tableKey(t.instance, t.database, t.table), { instance: t.instance, database: t.database, table: t.table, rows: t.rows, tableName: t.tableName });
      else {
        keysByInstance.set(t.instance, (keysByInstance.get(t.instance) ?? 0) + t.rows);
        if (!keyTables.has(t.instance)) keyTables.set(t.instance, t.tableName);
      }
    }
    const redis: SeriesPoint['redis'] = new Map();
    const patternRows = db
      .prepare(
        `SELECT instance, pattern, sum(keys) AS keys, sum(persistent_keys) AS persistentKeys,
                CASE WHEN count(memory_bytes) = count(*) THEN sum(memory_bytes) END AS memoryBytes
           FROM ${META.redisPatterns} GROUP BY instance, pattern ORDER BY instance, pattern`,
      )
      .all() as { instance: string; pattern: string; keys: number; persistentKeys: number; memoryBytes: number | null }[];
    for (const p of patternRows) redis.set(JSON.stringify([p.instance, p.pattern]), p);
    const { counts, source } = dqCounts(db, options.computeDq ?? true);
    // Growth categories per instance, as the cost model assigns them (preset by name, else name and domain).
    const fleet = costFleetFromDatabase(db, path);
    const records: SeriesPoint['records'] = {};
    const add = (category: GrowthCategory, n: number) => (records[category] = (records[category] ?? 0) + n);
    const categoryOf = new Map<string, GrowthCategory>([...fleet.databases, ...fleet.caches].map((w) => [w.name, w.growth]));
    for (const t of tables.values()) {
      const category = categoryOf.get(t.instance);
      if (category) add(category, t.rows);
    }
    for (const [instance, keys] of keysByInstance) {
      const category = categoryOf.get(instance);
      if (category) add(category, keys);
    }
    return {
      file: path,
      createdAt: manifest.createdAt,
      rootSha256,
      fleet: manifest.fleet?.name ?? null,
      instances,
      tables,
      keyTables,
      redis,
      dq: counts,
      dqSource: source,
      stores: measuredStoreCount(db)?.stores ?? null,
      records,
    };
  } finally {
    db.close();
  }
}

/** Refuses a file whose instances are mostly not those of the series' first file. */
function checkSameFleet(points: SeriesPoint[]): void {
  const first = points[0]!;
  const names = new Set(first.instances);
  for (const p of points.slice(1)) {
    const common = p.instances.filter((n) => names.has(n)).length;
    const smaller = Math.min(names.size, p.instances.length);
    if (smaller === 0 || common / smaller < 0.5) {
      throw new SeriesError(
        `${p.file}: holds another fleet than ${first.file} (${common} of ${p.instances.length} instances in common${p.fleet && first.fleet && p.fleet !== first.fleet ? `; fleet "${p.fleet}", not "${first.fleet}"` : ''}); a series is snapshots of one fleet`,
        'give only snapshots pulled from the same fleet manifest',
      );
    }
  }
}

function sortedKeys<T>(maps: Map<string, T>[]): string[] {
  const keys = new Set<string>();
  for (const m of maps) for (const k of m.keys()) keys.add(k);
  return [...keys].sort();
}

/** Builds the series from points already read; sorts them by snapshot time. */
export function seriesFromPoints(input: SeriesPoint[]): SeriesView {
  if (input.length === 0) throw new SeriesError('no snapshot given', 'give two or more snapshot files of one fleet');
  const points = [...input].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.file.localeCompare(b.file));
  checkSameFleet(points);
  const times = points.map((p) => p.createdAt);
  const growth: GrowthEntry[] = [];
  const push = (entry: GrowthEntry | null) => entry && growth.push(entry);

  const stores = points.map((p) => p.stores);
  push(metricGrowth(seriesMetric.stores, times, stores));

  const explorerTables: Record<string, string> = {};
  for (const p of points) {
    for (const t of p.tables.values()) explorerTables[`${t.instance}/${t.database}/${t.table}`] = t.tableName;
    for (const [instance, name] of p.keyTables) explorerTables[instance] = name;
  }
  const tables: SeriesTable[] = sortedKeys(points.map((p) => p.tables)).map((key) => {
    const any = points.find((p) => p.tables.has(key))!.tables.get(key)!;
    const rows = points.map((p) => p.tables.get(key)?.rows ?? null);
    const entry: SeriesTable = { instance: any.instance, database: any.database, table: any.table, rows };
    push(metricGrowth(seriesMetric.rows(entry), times, rows));
    return entry;
  });

  const redis: SeriesRedis[] = sortedKeys(points.map((p) => p.redis)).map((key) => {
    const any = points.find((p) => p.redis.has(key))!.redis.get(key)!;
    const at = points.map((p) => p.redis.get(key));
    return { instance: any.instance, pattern: any.pattern, keys: at.map((r) => r?.keys ?? null), persistentKeys: at.map((r) => r?.persistentKeys ?? null), memoryBytes: at.map((r) => r?.memoryBytes ?? null) };
  });
  // Per cluster, then per pattern.
  const clusters = [...new Set(redis.map((r) => r.instance))];
  for (const instance of clusters) {
    const own = redis.filter((r) => r.instance === instance);
    for (const what of ['keys', 'persistentKeys', 'memoryBytes'] as const) {
      const total = points.map((_, i) => {
        const values = own.map((r) => r[what][i]);
        if (values.every((v) => v === null)) return null;
        return values.some((v) => v === null && what === 'memoryBytes') ? null : values.reduce<number>((n, v) => n + (v ?? 0), 0);
      });
      push(metricGrowth(seriesMetric.redis(what, instance), times, total));
    }
  }
  for (const r of redis) for (const what of ['keys', 'persistentKeys', 'memoryBytes'] as const) push(metricGrowth(seriesMetric.redis(what, r.instance, r.pattern), times, r[what]));

  const ruleTitles: Record<string, string> = {};
  const dq: SeriesDq[] = sortedKeys(points.map((p) => p.dq)).map((key) => {
    const any = points.find((p) => p.dq.has(key))!.dq.get(key)!;
    ruleTitles[any.rule] ??= any.title;
    const counts = points.map((p) => p.dq.get(key)?.count ?? null);
    push(metricGrowth(seriesMetric.dq(any.pack, any.rule), times, counts));
    return { pack: any.pack, rule: any.rule, counts };
  });

  const growthPoints: GrowthPoint[] = points.map((p) => ({ createdAt: p.createdAt, stores: p.stores, records: p.records }));
  const categories = new Set(points.flatMap((p) => Object.keys(p.records)));
  for (const category of [...categories].sort()) {
    push(metricGrowth(seriesMetric.records(category), times, points.map((p) => p.records[category as GrowthCategory] ?? null)));
  }

  return {
    snapshots: points.map((p) => ({ file: p.file, createdAt: p.createdAt, rootSha256: p.rootSha256 })),
    tables,
    redis,
    dq,
    growth,
    fleet: points[0]!.fleet,
    explorerTables,
    stores,
    dqSource: points.map((p) => p.dqSource),
    ruleTitles,
    measured: measureGrowth(growthPoints),
  };
}

/** Reads every file and builds the series. Throws SnapshotFileError for a bad file, SeriesError for another fleet. */
export function buildSeries(files: readonly string[], options: SeriesOptions = {}): SeriesView {
  const points: SeriesPoint[] = [];
  for (const [index, file] of files.entries()) {
    if (options.signal?.aborted) throw new SeriesError('series cancelled');
    points.push(readSeriesPoint(resolve(file), options));
    options.onProgress?.(index + 1, files.length, file);
  }
  return seriesFromPoints(points);
}

/** The contract's JSON document: only its five keys. */
export function seriesJson(view: SeriesView): SeriesResult {
  return { snapshots: view.snapshots, tables: view.tables, redis: view.redis, dq: view.dq, growth: view.growth };
}
