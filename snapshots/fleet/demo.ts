// `snapbench demo`: the reference fleet written straight into a snapshot file,
// no server involved. It drives the SnapshotWriter exactly as the pull loop
// does (snapshots/pull/pullFleet.ts), with synthetic server facts, so the demo
// file reads like a pulled one: same tables, catalog, facts and key inventories.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { RedisKeyRecord, SnapshotManifest } from '../../shared/model/snapshot.ts';
import type { PullEvent } from '../engines/types.ts';
import { KeyPatternLearner } from '../engines/redis/patterns.ts';
import { createKeyHasher } from '../engines/redis/types.ts';
import { SnapshotWriter } from '../file/writer.ts';
import { TOOL_VERSION } from '../version.ts';
import { currentUserName, keyHashSecret } from '../pull/provenance.ts';
import { DEMO_FLEET_NAME, fleetManifestText, sha256 } from './manifest.ts';
import { mysqlFacts, postgresFacts, redisFacts, syntheticFacts, type DatabaseSize, type KeyspaceSummary } from './reference/facts.ts';
import { batches, fleetInstance, referenceFleet, tableInfo, type PlantedCounts, type ReferenceFleet } from './reference/index.ts';
import { estimateMemoryBytes } from './reference/redisKeys.ts';
import { noTtlKeysPerWeek } from './reference/growth.ts';
import { DAY, LAST_DAY } from './reference/time.ts';

export interface DemoOptions {
  out: string;
  seed?: number;
  scale?: number;
  /** Weeks of planted growth after the report's day (the demo series); 0 by default. */
  weeks?: number;
  /** The snapshot's createdAt; now by default. */
  createdAt?: string;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onEvent?: (event: PullEvent) => void;
}

export interface DemoResult {
  manifest: SnapshotManifest;
  counts: PlantedCounts;
  fleet: ReferenceFleet;
  instances: number;
  tables: number;
  rows: number;
  seconds: number;
}

export class DemoCancelled extends Error {
  constructor() {
    super('demo cancelled; no file was written');
    this.name = 'DemoCancelled';
  }
}

export async function writeDemoSnapshot(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const fleet = referenceFleet({ seed: options.seed, scale: options.scale, weeks: options.weeks });
  const emit = (event: PullEvent) => options.onEvent?.(event);
  const checkCancelled = () => {
    if (options.signal?.aborted) throw new DemoCancelled();
  };
  const { secret, source } = keyHashSecret(options.env ?? process.env);
  const hashKey = createKeyHasher(secret);
  const counter = fleet.counter();
  const writer = await SnapshotWriter.open(options.out);
  let tables = 0;
  let rows = 0;
  try {
    for (const instance of fleet.inventory) {
      checkCancelled();
      const target = writer.instanceTarget(fleetInstance(instance));
      emit({ type: 'instance-start', instance: instance.name, engine: instance.engine });
      target.setVersion(instance.version);
      target.setConsistency('snapshot', 'synthetic');
      target.addServerFacts(syntheticFacts(fleet.seed, fleet.scale, fleet.growth.weeks));
      const sizes = new Map<string, DatabaseSize>();
      for (const table of fleet.tables.filter((t) => t.instance === instance.name)) {
        const label = table.schema ? `${table.database}.${table.schema}.${table.name}` : `${table.database}.${table.name}`;
        const info = tableInfo(table, table.expectedRows);
        emit({ type: 'table-start', instance: instance.name, table: label, estimatedRows: info.estimatedRows });
        const { sink, finish } = target.beginTable(info);
        let count = 0;
        counter.observeRows(table, []);
        for (const batch of batches(table.rows())) {
          checkCancelled();
          counter.observeRows(table, batch);
          count += batch.length;
          await sink.push(batch);
        }
        await finish({ rows: count, limited: false });
        emit({ type: 'table-done', instance: instance.name, table: label, rows: count, limited: false });
        tables++;
        rows += count;
        const size = sizes.get(table.database) ?? { database: table.database, tables: 0, rows: 0, bytes: 0 };
        const real = tableInfo(table, count);
        size.tables++;
        size.rows += count;
        size.bytes += (real.dataBytes ?? 0) + (real.indexBytes ?? 0);
        sizes.set(table.database, size);
      }
      // Databases the instance lists but whose tables are all empty still exist.
      for (const database of instance.databases ?? []) if (instance.engine !== 'redis' && !sizes.has(database)) sizes.set(database, { database, tables: 0, rows: 0, bytes: 0 });
      if (instance.engine === 'mysql') target.addServerFacts(mysqlFacts(instance, [...sizes.values()]));
      else if (instance.engine === 'postgres') target.addServerFacts(postgresFacts(instance, [...sizes.values()]));
      else {
        let keyspace: KeyspaceSummary | null = null;
        for (const space of fleet.redis.filter((r) => r.instance === instance.name)) {
          const label = `db${space.db}/keys`;
          emit({ type: 'table-start', instance: instance.name, table: label, estimatedRows: space.expectedKeys });
          const db = target.beginRedisDatabase(space.db);
          let keys = 0;
          let expires = 0;
          let ttlSum = 0;
          // As a pull does: patterns learnt from the first keys of the database.
          const learner = new KeyPatternLearner();
          for (const k of space.keys()) {
            if (!learner.learning) break;
            learner.observe(k.name);
          }
          learner.freeze();
          counter.observeKeys(space, []);
          for (const batch of batches(space.keys())) {
            checkCancelled();
            counter.observeKeys(space, batch);
            const records: RedisKeyRecord[] = batch.map((k) => {
              const memoryBytes = estimateMemoryBytes(k);
              if (k.ttlMs !== -1) {
                expires++;
                ttlSum += k.ttlMs;
              }
              return { db: space.db, pattern: learner.patternOf(k.name), keyHash: hashKey(Buffer.from(k.name)), keyName: null, type: k.type, ttlMs: k.ttlMs, memoryBytes };
            });
            keys += records.length;
            await db.push(records);
          }
          await db.finish();
          emit({ type: 'table-done', instance: instance.name, table: label, rows: keys, limited: false });
          tables++;
          rows += keys;
          keyspace = { keys, expires, avgTtlMs: expires ? Math.round(ttlSum / expires) : 0 };
          target.addServerFacts([
            { category: 'inventory', name: 'keys', value: String(keys) },
            { category: 'inventory', name: 'databases', value: String(space.db) },
            { category: 'inventory', name: 'memory_usage', value: 'available' },
          ]);
        }
        target.addServerFacts(redisFacts(instance, fleetInstance(instance), keyspace));
      }
      writer.finishInstance(instance.name);
      emit({ type: 'instance-done', instance: instance.name, tables: target.record.tables, rows: target.record.rows });
    }
    checkCancelled();
    const manifestText = fleetManifestText(fleet);
    const manifest = await writer.finish({
      tool: { name: 'snapbench', version: TOOL_VERSION },
      createdAt: options.createdAt ?? new Date().toISOString(),
      createdBy: currentUserName(),
      createdOnHost: hostname(),
      synthetic: true,
      fleet: { name: DEMO_FLEET_NAME, file: null, sha256: sha256(manifestText), instances: fleet.inventory.length },
      options: { maxRows: null, only: null, concurrency: 1 },
      keyHashing: { algorithm: 'hmac-sha256/16', keySource: source },
    });
    return { manifest, counts: counter.result(), fleet, instances: fleet.inventory.length, tables, rows, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

export interface DemoSeriesOptions {
  /** Directory the snapshots are written to (created when missing). */
  dir: string;
  /** Snapshots, a week apart: 2 to MAX_WEEKS + 1. */
  count: number;
  seed?: number;
  scale?: number;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onSnapshot?: (result: DemoResult, file: string) => void;
}

export interface DemoSeriesResult {
  files: string[];
  /** What grows each week, as planted (growth.ts). */
  planted: { ordersPerWeek: number; noTtlKeysPerWeek: number; storesPerWeek: number; usersPerWeek: number };
  results: DemoResult[];
}

/** Day after the report's last day of data: the first snapshot of the series is taken then. */
const SERIES_START_MS = (LAST_DAY + DAY) * 1000;

/** The file name of week `week` of a series: its date, so names sort in time order. */
export function demoSeriesFileName(week: number): string {
  return `demo-${new Date(SERIES_START_MS + week * 7 * DAY * 1000).toISOString().slice(0, 10)}.snapbench`;
}

/**
 * N demo snapshots a week apart (`snapbench demo --series N`): week k holds the
 * report's fleet plus k weeks of planted growth, taken on day k × 7 after the
 * report's last day of data.
 */
export async function writeDemoSeries(options: DemoSeriesOptions): Promise<DemoSeriesResult> {
  mkdirSync(options.dir, { recursive: true });
  const files: string[] = [];
  const results: DemoResult[] = [];
  for (let week = 0; week < options.count; week++) {
    const out = join(options.dir, demoSeriesFileName(week));
    const createdAt = new Date(SERIES_START_MS + week * 7 * DAY * 1000).toISOString();
    const result = await writeDemoSnapshot({ out, seed: options.seed, scale: options.scale, weeks: week, createdAt, env: options.env, signal: options.signal });
    files.push(out);
    results.push(result);
    options.onSnapshot?.(result, out);
  }
  const growth = results[results.length - 1]!.fleet.growth;
  return {
    files,
    planted: { ordersPerWeek: growth.ordersPerWeek, noTtlKeysPerWeek: noTtlKeysPerWeek(growth), storesPerWeek: growth.storesPerWeek, usersPerWeek: growth.usersPerWeek },
    results,
  };
}
