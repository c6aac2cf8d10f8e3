// Builds a real snapshot file from plain data through the SnapshotWriter, the
// way a pull does, without any server: for the DQ tests and benchmark, where
// each case needs a small fleet with exactly the rows it is about (test-only).
import { createHmac } from 'node:crypto';
import type { Engine, FleetInstance } from '../../shared/model/fleet.ts';
import type { ColumnInfo, ServerFact, SnapshotManifest, SqlValue, StorageKind, TableInfo } from '../../shared/model/snapshot.ts';
import { redisKeyPattern } from '../../snapshots/engines/redis/patterns.ts';
import { SnapshotWriter } from '../../snapshots/file/writer.ts';
import { fixtureManifest } from './manifestInput.ts';

export interface FixtureColumn {
  name: string;
  /** The source's declared type, e.g. `bigint`, `decimal(12,2)`, `varchar(64)`. */
  type: string;
  storage?: StorageKind;
  primaryKey?: boolean;
  nullable?: boolean;
}

export interface FixtureTable {
  database: string;
  schema?: string;
  name: string;
  columns: FixtureColumn[];
  rows: SqlValue[][] | Iterable<SqlValue[]>;
  /** Recorded as cut by --max-rows. */
  limited?: boolean;
}

export interface FixtureKey {
  name: string;
  ttlMs: number;
  type?: string;
  memoryBytes?: number | null;
}

export interface FixtureInstance {
  name: string;
  engine: Engine;
  status?: 'pulled' | 'inventory-only' | 'failed';
  version?: string;
  allocatedMemoryMb?: number;
  facts?: ServerFact[];
  tables?: FixtureTable[];
  redis?: { db: number; keys: FixtureKey[]; rawKeyNames?: boolean }[];
}

/** The storage kind a declared type gets, as the adapters decide it. */
export function storageOf(type: string): StorageKind {
  const t = type.toLowerCase();
  if (/^(tinyint|smallint|mediumint|int|integer|bigint)/.test(t)) return 'integer';
  if (/^(decimal|numeric)/.test(t)) return 'decimal';
  if (/^(float|double|real)/.test(t)) return 'float';
  if (/^(date|datetime|timestamp|time)/.test(t)) return 'temporal';
  if (/^jsonb?$/.test(t)) return 'json';
  if (/blob|binary|bytea/.test(t)) return 'blob';
  return 'text';
}

function tableInfo(table: FixtureTable, rows: number): TableInfo {
  let pk = 0;
  const columns: ColumnInfo[] = table.columns.map((c) => ({
    name: c.name,
    declaredType: c.type,
    storage: c.storage ?? storageOf(c.type),
    nullable: c.nullable ?? !c.primaryKey,
    primaryKeyOrdinal: c.primaryKey ? ++pk : null,
  }));
  const key = table.columns.filter((c) => c.primaryKey).map((c) => c.name);
  return {
    database: table.database,
    ...(table.schema ? { schema: table.schema } : {}),
    name: table.name,
    estimatedRows: rows,
    dataBytes: null,
    indexBytes: null,
    columns,
    indexes: key.length ? [{ name: 'PRIMARY', unique: true, primary: true, columns: key }] : [],
  };
}

function fleetInstance(i: FixtureInstance): FleetInstance {
  return {
    name: i.name,
    engine: i.engine,
    connection: i.status === 'inventory-only' ? undefined : { host: '127.0.0.1', port: 1, connectTimeoutMs: 1000, statementTimeoutMs: 1000 },
    ...(i.allocatedMemoryMb !== undefined ? { allocatedMemoryMb: i.allocatedMemoryMb } : {}),
    rawKeyNames: false,
    readValues: false,
  };
}

const BATCH = 5000;

/** Writes the instances into a new snapshot file at `path` and returns its manifest. */
export async function buildSnapshot(path: string, instances: FixtureInstance[], createdAt = new Date().toISOString()): Promise<SnapshotManifest> {
  const writer = await SnapshotWriter.open(path);
  try {
    for (const instance of instances) {
      const fleet = fleetInstance(instance);
      if (instance.status === 'inventory-only') {
        writer.recordInstance(fleet, 'inventory-only');
        continue;
      }
      const target = writer.instanceTarget(fleet);
      if (instance.version) target.setVersion(instance.version);
      target.setConsistency(instance.engine === 'redis' ? 'scan' : 'snapshot', null);
      if (instance.facts) target.addServerFacts(instance.facts);
      for (const table of instance.tables ?? []) {
        const rows = [...table.rows];
        const { sink, finish } = target.beginTable(tableInfo(table, rows.length));
        for (let i = 0; i < rows.length; i += BATCH) await sink.push(rows.slice(i, i + BATCH).map((r) => [...r]));
        await finish({ rows: rows.length, limited: table.limited ?? false });
      }
      for (const space of instance.redis ?? []) {
        const db = target.beginRedisDatabase(space.db);
        await db.push(
          space.keys.map((k) => ({
            db: space.db,
            // Each key's pattern by its shape alone: the rules under test read patterns, they do not learn them.
            pattern: redisKeyPattern(k.name),
            keyHash: createHmac('sha256', 'fixture').update(k.name).digest('hex').slice(0, 16),
            keyName: space.rawKeyNames ? k.name : null,
            type: k.type ?? 'string',
            ttlMs: k.ttlMs,
            memoryBytes: k.memoryBytes === undefined ? 64 : k.memoryBytes,
          })),
        );
        await db.finish();
      }
      if (instance.status === 'failed') await writer.failInstance(instance.name, 'connection refused', null);
      else writer.finishInstance(instance.name);
    }
    return await writer.finish(fixtureManifest({ createdBy: 'dq-fixture', fleet: 'fixture', instances: instances.length, createdAt, maxRows: instances.some((i) => i.tables?.some((t) => t.limited)) ? 1000 : null }));
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
