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
import type { Consistency, InstanceRecord, RedisKeyRecord, ServerFact, SnapshotManifest, SqlValue, TableInfo } from '../../shared/model/snapshot.ts';
import type { InstanceTarget, TablePullResult } from '../engines/types.ts';
import type { ManifestInput, SnapshotStore } from './store.ts';
import { packBatch } from './batch.ts';
import { RowHasher, type Affinity } from './hash.ts';
import { REDIS_KEY_COLUMNS, physicalColumns, sqliteColumnType } from './schema.ts';

export type { ManifestInput } from './store.ts';

type StoreMethod = 'insertFacts' | 'recordTable' | 'beginTable' | 'insertRows' | 'finishTable' | 'abandonTable' | 'beginRedisDatabase' | 'finishRedisDatabase' | 'finish' | 'abort';
export type StoreCall = { seq: number; method: StoreMethod; args: Parameters<SnapshotStore[StoreMethod]> | unknown[] };
export type StoreReply = { seq: number; ok: boolean; value?: unknown; error?: string };

/** Row batches allowed in flight before an adapter's push waits. */
const MAX_BATCHES_IN_FLIGHT = 4;

export class SnapshotWriter {
  readonly tempPath: string;
  private readonly worker: Worker;
  private readonly records = new Map<string, InstanceRecord>();
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private seq = 0;
  private nextTableId = 1;
  private batchesInFlight = 0;
  private waitingForRoom: (() => void)[] = [];
  private broken: Error | null = null;

  private constructor(readonly outPath: string) {
    this.tempPath = join(dirname(outPath), `.${basename(outPath)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
    this.worker = new Worker(compiledScript('writerWorker'), { workerData: { tempPath: this.tempPath, outPath } });
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
    this.batchesInFlight++;
    this.call('insertRows', [tableId, batch], transfer)
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
    };
    this.records.set(instance.name, record);
    return record;
  }

  /** The writer's view of one instance, handed to its engine adapter. */
  instanceTarget(instance: FleetInstance): InstanceTarget & { record: InstanceRecord } {
    const record = this.recordInstance(instance, 'pulled');
    record.startedAt = new Date().toISOString();
    const ref = { name: instance.name, engine: instance.engine };
    return {
      record,
      setVersion: (version: string) => {
        record.version = version;
      },
      setConsistency: (consistency: Consistency, note: string | null) => {
        record.consistency = consistency;
        record.consistencyNote = note;
      },
      addServerFacts: (facts: ServerFact[]) => {
        void this.call('insertFacts', [instance.name, facts]).catch(() => {});
      },
      beginTable: (table: TableInfo) => {
        const id = this.nextTableId++;
        // Only plain catalog data crosses to the worker.
        const info: TableInfo = { ...table, columns: table.columns.map((c) => ({ ...c })), indexes: table.indexes.map((i) => ({ ...i, columns: [...i.columns] })) };
        delete (info as Partial<TableInfo> & { dataTypes?: unknown }).dataTypes;
        const created = this.call('beginTable', [id, ref, info]);
        created.catch(() => {});
        const columns = physicalColumns(info.columns);
        const hasher = new RowHasher(columns.map((c) => sqliteColumnType(c.storage, c.declaredType) as Affinity));
        const width = columns.length;
        const noColumns = info.columns.length === 0;
        return {
          sink: { push: (rows: SqlValue[][]) => this.pushBatch(id, noColumns ? rows.map(() => [null]) : rows, width, hasher) },
          finish: async (result: TablePullResult) => {
            await created;
            await this.call('finishTable', [id, ref, info, result, hasher.digest()]);
            record.tables++;
            record.rows += result.rows;
            if (result.limited) record.limitedTables++;
          },
          abandon: async () => {
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
        const created = this.call('beginRedisDatabase', [id, ref, db]);
        created.catch(() => {});
        const hasher = new RowHasher(REDIS_KEY_COLUMNS.map((c) => sqliteColumnType(c.storage, c.declaredType) as Affinity));
        let rows = 0;
        return {
          push: (keys: RedisKeyRecord[]) => {
            rows += keys.length;
            const values: SqlValue[][] = keys.map((k) => [k.pattern, k.keyHash, k.keyName, k.type, k.ttlMs, k.memoryBytes, k.shard ?? null]);
            return this.pushBatch(id, values, REDIS_KEY_COLUMNS.length, hasher);
          },
          finish: async () => {
            await created;
            await this.call('finishRedisDatabase', [id, ref, db, rows, hasher.digest()]);
            record.tables++;
            record.rows += rows;
          },
        };
      },
    };
  }

  /** Records an instance's failure; tables it completed stay, the table in progress was abandoned. */
  failInstance(name: string, message: string, hint: string | null): void {
    const record = this.records.get(name);
    if (!record) return;
    record.status = 'failed';
    record.error = { message, hint };
    record.finishedAt = new Date().toISOString();
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
