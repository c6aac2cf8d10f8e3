// Writes a snapshot file. Everything goes to a temporary file next to the
// output path; only `finish` computes the hashes, writes the manifest and
// renames it into place, so a cancelled or crashed pull never leaves a file
// that looks complete at the output path.
//
// The SQLite work runs in a worker thread (writerWorker.ts → SnapshotStore):
// the engine adapters decode rows on the main thread while the worker stores
// the previous batches. Calls are messages applied in order; a bounded number
// of row batches in flight gives the adapters backpressure.
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { compiledScript } from '../compiled.ts';
import type { FleetInstance } from '../../shared/model/fleet.ts';
import type { CatalogObject, Consistency, InstanceRecord, RedisKeyRecord, ReplicationInfo, ServerFact, SnapshotManifest, SqlValue, TableInfo, TableOrigin } from '../../shared/model/snapshot.ts';
import type { BaseTable, InstanceTarget, TablePullResult, TableSink } from '../engines/types.ts';
import type { ManifestInput, SnapshotStore } from './store.ts';
import { packBatch } from './batch.ts';
import { RowEncoder, type EncodedRows } from './encodedRows.ts';
import { RowHasher, type Affinity } from './hash.ts';
import { REDIS_KEY_COLUMNS, physicalColumns, sqliteColumnType } from './schema.ts';

export type { ManifestInput } from './store.ts';

type StoreMethod =
  | 'insertFacts'
  | 'insertObjects'
  | 'recordTable'
  | 'beginTable'
  | 'copyFromBase'
  | 'insertRows'
  | 'insertEncoded'
  | 'finishTable'
  | 'abandonTable'
  | 'dropInstance'
  | 'beginRedisDatabase'
  | 'finishRedisDatabase'
  | 'finish'
  | 'abort';
export type StoreCall = { seq: number; method: StoreMethod; args: Parameters<SnapshotStore[StoreMethod]> | unknown[] };
export type StoreReply = { seq: number; ok: boolean; value?: unknown; error?: string };

/** The writer thread's young generation (V8's default grows to 48 MB), in MB. */
const WRITER_YOUNG_GENERATION_MB = 8;

/** Row batches allowed in flight before an adapter's push waits. */
const MAX_BATCHES_IN_FLIGHT = 4;

/**
 * Redis key records in the line encoding of the keys table (REDIS_KEY_COLUMNS:
 * pattern, key_hash, key_name, type TEXT; ttl_ms, memory_bytes INTEGER; shard
 * TEXT), or null when a value is not one it stores exactly (then they go as values).
 */
function encodeRedisKeys(keys: readonly RedisKeyRecord[], encoder: RowEncoder): EncodedRows | null {
  for (const k of keys) {
    encoder.beginRow();
    const ok =
      encoder.text(k.pattern) &&
      encoder.text(k.keyHash) &&
      (k.keyName === null ? (encoder.writeNull(), true) : encoder.text(k.keyName)) &&
      encoder.text(k.type) &&
      Number.isSafeInteger(k.ttlMs) &&
      (k.memoryBytes === null || Number.isSafeInteger(k.memoryBytes));
    if (!ok) {
      encoder.rollbackRow();
      encoder.take();
      return null;
    }
    encoder.integer(k.ttlMs);
    if (k.memoryBytes === null) encoder.writeNull();
    else encoder.integer(k.memoryBytes);
    if (k.shard === undefined || k.shard === null) encoder.writeNull();
    else if (!encoder.text(k.shard)) {
      encoder.rollbackRow();
      encoder.take();
      return null;
    }
    encoder.endRow();
  }
  return encoder.take();
}

export class SnapshotWriter {
  readonly tempPath: string;
  private readonly worker: Worker;
  private readonly records = new Map<string, InstanceRecord>();
  /** Tables begun and not yet finished or abandoned, per instance: a failing instance drops them. */
  private readonly openTables = new Map<string, Set<number>>();
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private seq = 0;
  private nextTableId = 1;
  private batchesInFlight = 0;
  private waitingForRoom: (() => void)[] = [];
  private broken: Error | null = null;
  /** Tables and rows by where they came from, per instance (a failed instance's go with it). */
  private readonly originsByInstance = new Map<string, Record<TableOrigin, { tables: number; rowsRead: number; rowsCarried: number }>>();

  private constructor(readonly outPath: string) {
    this.tempPath = join(dirname(outPath), `.${basename(outPath)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
    // The worker's objects are short-lived (one batch): a small young generation keeps its memory flat.
    this.worker = new Worker(compiledScript('writerWorker'), { workerData: { tempPath: this.tempPath, outPath }, resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB } });
    this.worker.on('message', (reply: StoreReply) => this.onReply(reply));
    this.worker.on('error', (error) => this.breakDown(error));
    this.worker.on('exit', (code) => this.breakDown(new Error(`snapshot writer stopped (exit ${code})`)));
  }

  /** Starts the writer and waits until its temporary file exists. */
  static async open(outPath: string): Promise<SnapshotWriter> {
    const writer = new SnapshotWriter(outPath);
    await writer.call('insertFacts', ['', []]);
    return writer;
  }

  private breakDown(error: Error): void {
    this.broken ??= error;
    for (const { reject } of this.pending.values()) reject(this.broken);
    this.pending.clear();
    for (const wake of this.waitingForRoom.splice(0)) wake();
  }

  private onReply(reply: StoreReply): void {
    if (reply.seq === 0 && !reply.ok) return this.breakDown(new Error(reply.error));
    const waiter = this.pending.get(reply.seq);
    if (!waiter) return;
    this.pending.delete(reply.seq);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(new Error(reply.error));
  }

  private call<T = void>(method: StoreMethod, args: unknown[], transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.broken) return Promise.reject(this.broken);
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ seq, method, args } satisfies StoreCall, transfer);
    });
  }

  /**
   * Hashes a batch of rows (here, while the worker stores the previous one), packs it
   * and sends it; resolves at once unless too many batches are still being stored.
   */
  private pushBatch(tableId: number, rows: SqlValue[][], width: number, hasher: RowHasher): void | Promise<void> {
    hasher.update(rows);
    const { batch, transfer } = packBatch(rows, width);
    return this.sendBatch(this.call('insertRows', [tableId, batch], transfer));
  }

  /**
   * Rows already in the hash's line encoding: hashed as they are, and their
   * buffer moved (not copied) to the worker, which binds the values from it.
   */
  private pushEncodedBatch(tableId: number, encoded: EncodedRows, hasher: RowHasher): void | Promise<void> {
    if (encoded.rows === 0) return;
    hasher.updateEncoded(encoded.bytes, encoded.rows);
    // The producer (a RowEncoder) gives the buffer up: it moves to the worker, the view with it.
    return this.sendBatch(this.call('insertEncoded', [tableId, encoded.rows, encoded.bytes], [encoded.bytes.buffer as ArrayBuffer]));
  }

  /** Counts a batch in flight until the worker has stored it; waits when too many are. */
  private sendBatch(stored: Promise<void>): void | Promise<void> {
    this.batchesInFlight++;
    stored
      .catch(() => {
        // The store remembers the failed table; its finish() reports the error.
      })
      .finally(() => {
        this.batchesInFlight--;
        if (this.batchesInFlight < MAX_BATCHES_IN_FLIGHT) for (const wake of this.waitingForRoom.splice(0)) wake();
      });
    if (this.broken) return Promise.reject(this.broken);
    if (this.batchesInFlight < MAX_BATCHES_IN_FLIGHT) return;
    return new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
  }

  recordInstance(instance: FleetInstance, status: InstanceRecord['status']): InstanceRecord {
    const record: InstanceRecord = {
      name: instance.name,
      engine: instance.engine,
      domain: instance.domain ?? null,
      host: instance.connection?.host ?? null,
      port: instance.connection?.port ?? null,
      instanceClass: instance.instanceClass ?? null,
      allocatedMemoryMb: instance.allocatedMemoryMb ?? null,
      status,
      error: null,
      consistency: null,
      consistencyNote: null,
      version: null,
      startedAt: null,
      finishedAt: null,
      tables: 0,
      rows: 0,
      limitedTables: 0,
      notReadTables: 0,
      replication: null,
    };
    this.records.set(instance.name, record);
    return record;
  }

  private trackOpen(instance: string, id: number, open: boolean): void {
    let ids = this.openTables.get(instance);
    if (!ids) this.openTables.set(instance, (ids = new Set()));
    if (open) ids.add(id);
    else ids.delete(id);
  }

  /** The catalog of a table as it crosses to the worker: plain data only. */
  private static plainInfo(table: TableInfo): TableInfo {
    const info: TableInfo = {
      ...table,
      columns: table.columns.map((c) => ({ ...c })),
      indexes: table.indexes.map((i) => ({ ...i, columns: [...i.columns] })),
      foreignKeys: (table.foreignKeys ?? []).map((f) => ({ ...f, columns: [...f.columns], referencedColumns: [...f.referencedColumns] })),
    };
    delete (info as Partial<TableInfo> & { dataTypes?: unknown }).dataTypes;
    return info;
  }

  /** Tables and rows by where they came from, over the instances pulled (incremental pulls report it). */
  get origins(): Record<TableOrigin, { tables: number; rowsRead: number; rowsCarried: number }> {
    const total = { pulled: { tables: 0, rowsRead: 0, rowsCarried: 0 }, carried: { tables: 0, rowsRead: 0, rowsCarried: 0 }, appended: { tables: 0, rowsRead: 0, rowsCarried: 0 } };
    for (const counts of this.originsByInstance.values()) {
      for (const origin of ['pulled', 'carried', 'appended'] as const) {
        total[origin].tables += counts[origin].tables;
        total[origin].rowsRead += counts[origin].rowsRead;
        total[origin].rowsCarried += counts[origin].rowsCarried;
      }
    }
    return total;
  }

  private countOrigin(instance: string, result: TablePullResult): void {
    let counts = this.originsByInstance.get(instance);
    if (!counts) {
      counts = { pulled: { tables: 0, rowsRead: 0, rowsCarried: 0 }, carried: { tables: 0, rowsRead: 0, rowsCarried: 0 }, appended: { tables: 0, rowsRead: 0, rowsCarried: 0 } };
      this.originsByInstance.set(instance, counts);
    }
    const origin = counts[result.origin ?? 'pulled'];
    origin.tables++;
    const carried = result.origin === 'carried' ? result.rows : (result.carriedRows ?? 0);
    origin.rowsCarried += carried;
    origin.rowsRead += result.rows - carried;
  }

  /** The writer's view of one instance, handed to its engine adapter. */
  instanceTarget(instance: FleetInstance): InstanceTarget & { record: InstanceRecord } {
    const record = this.recordInstance(instance, 'pulled');
    record.startedAt = new Date().toISOString();
    const ref = { name: instance.name, engine: instance.engine };
    const finished = (result: TablePullResult) => {
      record.tables++;
      record.rows += result.rows;
      if (result.limited) record.limitedTables++;
      if ((result.status ?? (result.limited ? 'partial' : 'pulled')) !== 'pulled') record.notReadTables = (record.notReadTables ?? 0) + 1;
      this.countOrigin(instance.name, result);
    };
    /** Creates the table and copies the base table's rows into it; on a mismatch the table is dropped and the reason returned. */
    const fromBase = async (table: TableInfo, from: BaseTable, rehash: boolean): Promise<{ id: number; info: TableInfo; hash: unknown } | { reason: string }> => {
      const id = this.nextTableId++;
      const info = SnapshotWriter.plainInfo(table);
      this.trackOpen(instance.name, id, true);
      await this.call('beginTable', [id, ref, info]);
      const copied = await this.call<{ ok: true; hash: unknown } | { ok: false; reason: string }>('copyFromBase', [id, from.file, from.baseRootSha256, from.tableName, { rows: from.rows, sha256: from.sha256 }, rehash]);
      if (!copied.ok) {
        this.trackOpen(instance.name, id, false);
        await this.call('abandonTable', [id]);
        return { reason: copied.reason };
      }
      return { id, info, hash: copied.hash };
    };
    return {
      record,
      setVersion: (version: string) => {
        record.version = version;
      },
      setConsistency: (consistency: Consistency, note: string | null) => {
        record.consistency = consistency;
        record.consistencyNote = note;
      },
      setReplication: (replication: ReplicationInfo | null) => {
        record.replication = replication;
      },
      addServerFacts: (facts: ServerFact[]) => {
        void this.call('insertFacts', [instance.name, facts]).catch(() => {});
      },
      addObjects: (objects: CatalogObject[]) => {
        if (objects.length === 0) return;
        const plain = objects.map((o) => ({ ...o, details: o.details ? JSON.parse(JSON.stringify(o.details)) : null }));
        void this.call('insertObjects', [instance.name, plain]).catch(() => {});
      },
      carryTable: async (table: TableInfo, from: BaseTable, note: string | null) => {
        const copied = await fromBase(table, from, from.rehashCarried);
        if ('reason' in copied) return { carried: false as const, reason: copied.reason };
        const result: TablePullResult = { rows: from.rows, limited: false, origin: 'carried', originNote: note };
        await this.call('finishTable', [copied.id, ref, copied.info, result, copied.hash]);
        this.trackOpen(instance.name, copied.id, false);
        finished(result);
        return { carried: true as const };
      },
      beginAppend: async (table: TableInfo, from: BaseTable) => {
        const copied = await fromBase(table, from, true);
        if ('reason' in copied) return { ok: false as const, reason: copied.reason };
        const { id, info } = copied;
        const columns = physicalColumns(info.columns);
        // The new rows follow the base's: the table's hash is computed over all of them at finish.
        const hasher = new RowHasher(columns.map((c) => sqliteColumnType(c.storage, c.declaredType) as Affinity));
        const sink: TableSink = { push: (rows: SqlValue[][]) => this.pushBatch(id, info.columns.length === 0 ? rows.map(() => [null]) : rows, columns.length, hasher) };
        return {
          ok: true as const,
          table: {
            sink,
            finish: async (result: TablePullResult) => {
              const whole: TablePullResult = { ...result, rows: from.rows + result.rows, origin: 'appended', carriedRows: from.rows };
              await this.call('finishTable', [id, ref, info, whole, null]);
              this.trackOpen(instance.name, id, false);
              finished(whole);
            },
            abandon: async () => {
              this.trackOpen(instance.name, id, false);
              await this.call('abandonTable', [id]).catch(() => {});
            },
          },
        };
      },
      beginTable: (table: TableInfo) => {
        const id = this.nextTableId++;
        this.trackOpen(instance.name, id, true);
        // Only plain catalog data crosses to the worker.
        const info = SnapshotWriter.plainInfo(table);
        const created = this.call('beginTable', [id, ref, info]);
        created.catch(() => {});
        const columns = physicalColumns(info.columns);
        const hasher = new RowHasher(columns.map((c) => sqliteColumnType(c.storage, c.declaredType) as Affinity));
        const width = columns.length;
        const noColumns = info.columns.length === 0;
        return {
          sink: {
            push: (rows: SqlValue[][]) => this.pushBatch(id, noColumns ? rows.map(() => [null]) : rows, width, hasher),
            pushEncoded: (encoded: EncodedRows) => this.pushEncodedBatch(id, encoded, hasher),
            affinities: hasher.affinities,
          },
          finish: async (result: TablePullResult) => {
            await created;
            await this.call('finishTable', [id, ref, info, { ...result }, hasher.digest()]);
            this.trackOpen(instance.name, id, false);
            finished(result);
          },
          abandon: async () => {
            this.trackOpen(instance.name, id, false);
            await this.call('abandonTable', [id]).catch(() => {});
          },
        };
      },
      recordTable: async (table: TableInfo, rows: number) => {
        const info: TableInfo = { ...table, columns: table.columns.map((c) => ({ ...c })), indexes: table.indexes.map((i) => ({ ...i, columns: [...i.columns] })) };
        delete (info as Partial<TableInfo> & { dataTypes?: unknown }).dataTypes;
        await this.call('recordTable', [ref, info, rows]);
        record.tables++;
        record.rows += rows;
      },
      beginRedisDatabase: (db: number) => {
        const id = this.nextTableId++;
        this.trackOpen(instance.name, id, true);
        const created = this.call('beginRedisDatabase', [id, ref, db]);
        created.catch(() => {});
        const hasher = new RowHasher(REDIS_KEY_COLUMNS.map((c) => sqliteColumnType(c.storage, c.declaredType) as Affinity));
        const encoder = new RowEncoder();
        let rows = 0;
        return {
          push: (keys: RedisKeyRecord[]) => {
            rows += keys.length;
            const encoded = encodeRedisKeys(keys, encoder);
            if (encoded) return this.pushEncodedBatch(id, encoded, hasher);
            const values: SqlValue[][] = keys.map((k) => [k.pattern, k.keyHash, k.keyName, k.type, k.ttlMs, k.memoryBytes, k.shard ?? null]);
            return this.pushBatch(id, values, REDIS_KEY_COLUMNS.length, hasher);
          },
          finish: async (result?: { limited: boolean }) => {
            await created;
            const limited = result?.limited ?? false;
            await this.call('finishRedisDatabase', [id, ref, db, rows, hasher.digest(), limited]);
            this.trackOpen(instance.name, id, false);
            record.tables++;
            record.rows += rows;
            this.countOrigin(instance.name, { rows, limited });
            if (limited) {
              record.limitedTables++;
              record.notReadTables = (record.notReadTables ?? 0) + 1;
            }
          },
        };
      },
    };
  }

  /**
   * Records an instance's failure and rolls it back: every table it began, finished
   * or not, goes with its catalog rows, so the file holds no half of an instance
   * (the instance row keeps the error; server facts read before the failure stay).
   */
  async failInstance(name: string, message: string, hint: string | null): Promise<void> {
    const record = this.records.get(name);
    if (!record) return;
    record.status = 'failed';
    record.error = { message, hint };
    record.finishedAt = new Date().toISOString();
    record.tables = 0;
    record.rows = 0;
    record.limitedTables = 0;
    record.notReadTables = 0;
    this.originsByInstance.delete(name);
    const open = [...(this.openTables.get(name) ?? [])];
    this.openTables.delete(name);
    await this.call('dropInstance', [name, open]);
  }

  finishInstance(name: string): void {
    const record = this.records.get(name);
    if (record) record.finishedAt = new Date().toISOString();
  }

  get instanceRecords(): InstanceRecord[] {
    return [...this.records.values()];
  }

  /** Hashes every table, writes the manifest, and moves the file to its final path. */
  async finish(input: ManifestInput): Promise<SnapshotManifest> {
    try {
      return await this.call<SnapshotManifest>('finish', [input, this.instanceRecords]);
    } finally {
      await this.worker.terminate();
    }
  }

  /** Closes and removes the temporary file: nothing is left at or next to the output path. */
  async abort(): Promise<void> {
    await this.call('abort', []).catch(() => {});
    await this.worker.terminate();
    // If the worker died before it could clean up, remove what it left.
    rmSync(this.tempPath, { force: true });
    rmSync(`${this.tempPath}-journal`, { force: true });
  }
}
