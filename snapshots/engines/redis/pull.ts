// The key inventory of one Redis database: SCAN the keyspace and, per batch of
// keys, one pipeline of TYPE + PTTL + MEMORY USAGE. No value is ever read.
//
// Overlap: the batch's pipeline and the next SCAN go out in one write, and the
// previous batch's records are built and pushed while the server answers, so
// the server and this process work at the same time.
import type { RedisKeyRecord } from '../../../shared/model/snapshot.ts';
import type { InstanceTarget, PullOptions } from '../types.ts';
import { RespError, type Reply, type RespConnection, encodeCommand } from './resp.ts';
import { KeyPatternLearner } from './patterns.ts';
import { createKeyHasher, decodeKeyName, scrubServerMessage } from './types.ts';
import { boundHeapGrowth } from './heap.ts';

export const SCAN_COUNT = 1000;
/** The most keys one SCAN page asks for when round trips, not the server, set the pace. */
export const MAX_SCAN_COUNT = 16_000;
export const PROGRESS_EVERY = 50_000;
/** The most key records in one batch to the writer. */
const WRITE_BATCH = 4096;

/** What the walk learnt about MEMORY USAGE: unknown until the first batch answers. */
export interface MemoryUsageState {
  available: boolean | null;
  error: string | null;
}

export interface WalkContext {
  instanceName: string;
  rawKeyNames: boolean;
  target: InstanceTarget;
  options: PullOptions;
  memory: MemoryUsageState;
  hashKey: (key: Uint8Array) => string;
  /** `MEMORY USAGE <key>` with its SAMPLES option, split around the key. */
  memoryHead: Buffer;
  memoryTail: Buffer;
}

/** `memorySamples`: the manifest's memory_samples (0 = exact), or undefined for the server's default. */
export function walkContext(instanceName: string, rawKeyNames: boolean, target: InstanceTarget, options: PullOptions, memorySamples?: number): WalkContext {
  const samples = memorySamples === undefined ? null : String(memorySamples);
  boundHeapGrowth();
  return {
    instanceName,
    rawKeyNames,
    target,
    options,
    memory: { available: null, error: null },
    hashKey: createKeyHasher(options.keyHashSecret),
    memoryHead: Buffer.from(samples === null ? '*3\r\n$6\r\nMEMORY\r\n$5\r\nUSAGE\r\n' : '*5\r\n$6\r\nMEMORY\r\n$5\r\nUSAGE\r\n'),
    memoryTail: samples === null ? Buffer.alloc(0) : Buffer.from(`$7\r\nSAMPLES\r\n$${samples.length}\r\n${samples}\r\n`),
  };
}

export interface DatabaseWalkResult {
  rows: number;
  limited: boolean;
}

const TYPE_HEAD = Buffer.from('*2\r\n$4\r\nTYPE\r\n');
const PTTL_HEAD = Buffer.from('*2\r\n$4\r\nPTTL\r\n');

/** Copies `src` into `out` at `at` (a loop beats Buffer#copy's call overhead for a few dozen bytes). */
function put(out: Buffer, at: number, src: Uint8Array): number {
  const n = src.length;
  if (n > 64) {
    out.set(src, at);
    return at + n;
  }
  for (let i = 0; i < n; i++) out[at + i] = src[i];
  return at + n;
}

/** Writes `$<len>\r\n<key>\r\n` at `at`; returns the new offset. */
function writeBulk(out: Buffer, at: number, key: Uint8Array): number {
  out[at++] = 0x24; // $
  const n = key.length;
  if (n < 10) out[at++] = 0x30 + n;
  else if (n < 100) {
    out[at++] = 0x30 + ((n / 10) | 0);
    out[at++] = 0x30 + (n % 10);
  } else {
    const digits = String(n);
    for (let i = 0; i < digits.length; i++) out[at++] = digits.charCodeAt(i);
  }
  out[at++] = 13;
  out[at++] = 10;
  at = put(out, at, key);
  out[at++] = 13;
  out[at++] = 10;
  return at;
}

/** Optionally the next SCAN, then TYPE, PTTL (and MEMORY USAGE) for every key, as one buffer. */
function encodeBatch(ctx: WalkContext, nextScan: Buffer | null, keys: Buffer[], withMemory: boolean): Buffer {
  let size = nextScan ? nextScan.length : 0;
  const perKeyFixed = TYPE_HEAD.length + PTTL_HEAD.length + (withMemory ? ctx.memoryHead.length + ctx.memoryTail.length : 0);
  const copies = withMemory ? 3 : 2;
  for (const key of keys) size += perKeyFixed + copies * (key.length + 16);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  if (nextScan) at = put(out, at, nextScan);
  for (const key of keys) {
    at = put(out, at, TYPE_HEAD);
    at = writeBulk(out, at, key);
    at = put(out, at, PTTL_HEAD);
    at = writeBulk(out, at, key);
    if (withMemory) {
      at = put(out, at, ctx.memoryHead);
      at = writeBulk(out, at, key);
      at = put(out, at, ctx.memoryTail);
    }
  }
  return out.subarray(0, at);
}

/** Server time for one key's TYPE + PTTL + MEMORY USAGE, about: a page of SCAN_COUNT keys keeps a local server busy ~2 ms. */
const PAGE_MS = 2;

/**
 * The SCAN page size for this lane: SCAN_COUNT on a fast link; over a slow one,
 * enough keys that answering a page takes about one round trip (the best of
 * three PINGs), up to MAX_SCAN_COUNT.
 */
export async function scanCountFor(lane: RespConnection): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await lane.command('PING');
    best = Math.min(best, performance.now() - start);
  }
  return Math.min(MAX_SCAN_COUNT, Math.max(SCAN_COUNT, Math.round((SCAN_COUNT * best) / PAGE_MS / 1000) * 1000));
}

function scanCommand(cursor: string, count = SCAN_COUNT): Buffer {
  return encodeCommand(['SCAN', cursor, 'MATCH', '*', 'COUNT', String(count)]);
}

function replyError(reply: Reply, what: string): Error {
  if (reply instanceof RespError) return reply;
  return new Error(`unexpected reply to ${what}`);
}

/** The cursor and keys of a SCAN reply. */
function parseScan(reply: Reply): { cursor: string; keys: Buffer[] } {
  if (!Array.isArray(reply) || reply.length !== 2 || !Buffer.isBuffer(reply[0]) || !Array.isArray(reply[1])) {
    throw replyError(reply, 'SCAN');
  }
  // The keys are views into the socket's chunks (each read gets its own memory);
  // they live until their batch is pushed, two batches at most.
  return { cursor: reply[0].toString('latin1'), keys: reply[1] as Buffer[] };
}

const MOVED = /^(MOVED|ASK|TRYAGAIN)\b/;

/** A key's record before its pattern is known, with its name for the pattern learner. */
export interface PendingRecord {
  record: RedisKeyRecord;
  name: string;
}

/** Turns a batch's replies into records; keys gone since SCAN (TYPE none / PTTL -2) are dropped. */
function buildRecords(ctx: WalkContext, db: number, keys: Buffer[], replies: Reply[], withMemory: boolean): PendingRecord[] {
  const stride = withMemory ? 3 : 2;
  const records: PendingRecord[] = [];
  for (let i = 0; i < keys.length; i++) {
    const type = replies[i * stride];
    const ttl = replies[i * stride + 1];
    // Cluster: a key migrating to another node since SCAN is no longer this node's.
    if (type instanceof RespError && MOVED.test(type.message)) continue;
    if (typeof type !== 'string') throw replyError(type, 'TYPE');
    if (ttl instanceof RespError && MOVED.test(ttl.message)) continue;
    if (typeof ttl !== 'number') throw replyError(ttl, 'PTTL');
    if (type === 'none' || ttl === -2) continue;
    let memoryBytes: number | null = null;
    if (withMemory) {
      const memory = replies[i * stride + 2];
      if (typeof memory === 'number') {
        memoryBytes = memory;
        if (ctx.memory.available === null) ctx.memory.available = true;
      } else if (memory instanceof RespError) {
        // Refused (old Redis, renamed or not permitted): stop asking, for every key.
        ctx.memory.available = false;
        ctx.memory.error ??= ctx.rawKeyNames ? memory.message : scrubServerMessage(memory.message);
      }
    }
    const key = keys[i];
    const name = decodeKeyName(key);
    records.push({
      name,
      record: {
        db,
        pattern: '',
        keyHash: ctx.hashKey(key),
        keyName: ctx.rawKeyNames ? name : null,
        type,
        ttlMs: ttl,
        memoryBytes: ctx.memory.available === false ? null : memoryBytes,
      },
    });
  }
  return records;
}

/** Marks a promise as handled (it may be left un-awaited when the walk stops early); awaiting it still throws. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

interface Batch {
  keys: Buffer[];
  replies: Promise<Reply[]>;
  withMemory: boolean;
}

export class PullAborted extends Error {
  constructor() {
    super('pull cancelled');
    this.name = 'PullAborted';
  }
}

/** What walks of one database share: the quota and the counts (a cluster's shards are walked at once into one table). */
export interface WalkCounters {
  scanned: number;
  rows: number;
  bytes: number;
  nextProgress: number;
  limited: boolean;
}

/**
 * A copy of a record that waits for the sample to fill. The records built for
 * every key (buildRecords) must not be the ones that wait: V8 tracks survival
 * per allocation site, and 50K records kept alive there made it allocate every
 * later key's record straight in the old generation (pretenuring), where each
 * one, and the strings it holds, stayed until the next full GC: the 1M-key
 * pull's main heap grew to ~90 MB between full GCs (14 MB live), 20-30 MB of
 * peak RSS and ~0.5 s of CPU (bench/README.md, "Redis 1M-key pull: memory and CPU").
 */
function waitingCopy({ name, record }: PendingRecord): PendingRecord {
  return {
    name,
    record: { db: record.db, pattern: record.pattern, keyHash: record.keyHash, keyName: record.keyName, type: record.type, ttlMs: record.ttlMs, memoryBytes: record.memoryBytes, shard: record.shard },
  };
}

/**
 * Gives a database's records their patterns on their way to its writer. The
 * patterns are learnt from the first keys (a random sample: SCAN follows the
 * hash order), across every shard of a cluster; until then the records wait.
 */
export class PatternedKeys {
  private readonly learner = new KeyPatternLearner();
  private waiting: PendingRecord[] = [];

  constructor(private readonly writer: { push(keys: RedisKeyRecord[]): void | Promise<void> }) {}

  async push(pending: PendingRecord[]): Promise<void> {
    if (!this.learner.learning) return this.write(pending);
    for (const p of pending) {
      this.learner.observe(p.name);
      this.waiting.push(waitingCopy(p));
    }
    if (!this.learner.learning) await this.release();
  }

  /** Writes what still waits: call once every walk of the database is done. */
  async end(): Promise<void> {
    this.learner.freeze();
    await this.release();
  }

  private async release(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = [];
    await this.write(waiting);
  }

  /** In batches of at most WRITE_BATCH keys: the sample's keys, released at once, would make one batch (and every encoder buffer after it) of 50K keys. */
  private async write(pending: PendingRecord[]): Promise<void> {
    for (let start = 0; start < pending.length; start += WRITE_BATCH) {
      const records = pending.slice(start, start + WRITE_BATCH).map(({ record, name }) => {
        record.pattern = this.learner.patternOf(name);
        return record;
      });
      await this.writer.push(records);
    }
  }
}

/**
 * Walks one database: SELECT, then SCAN to the end (or to options.maxRows keys),
 * pushing records to the target's writer for that database.
 */
export async function walkDatabase(
  lane: RespConnection,
  ctx: WalkContext,
  db: number,
  estimatedRows: number | null,
): Promise<DatabaseWalkResult> {
  const { options, target, instanceName } = ctx;
  const table = `db${db}/keys`;
  const select = await lane.command('SELECT', String(db));
  if (select !== 'OK') throw replyError(select, 'SELECT');
  const writer = target.beginRedisDatabase(db);
  options.progress({ type: 'table-start', instance: instanceName, table, estimatedRows });
  const counters: WalkCounters = { scanned: 0, rows: 0, bytes: 0, nextProgress: PROGRESS_EVERY, limited: false };
  const keys = new PatternedKeys(writer);
  await walkKeys(lane, ctx, db, keys, counters, null);
  await keys.end();
  await writer.finish({ limited: counters.limited });
  options.progress({ type: 'table-done', instance: instanceName, table, rows: counters.rows, limited: counters.limited });
  return { rows: counters.rows, limited: counters.limited };
}

/**
 * SCANs the lane's current database to the end (or the shared quota), pushing
 * records (tagged with `shard`, for a cluster) to `keys`, which gives them
 * their patterns and passes them on to the database's writer.
 */
export async function walkKeys(
  lane: RespConnection,
  ctx: WalkContext,
  db: number,
  keys: PatternedKeys,
  counters: WalkCounters,
  shard: string | null,
): Promise<number> {
  const { options, instanceName } = ctx;
  const table = `db${db}/keys`;
  const quota = options.maxRows ?? Infinity;
  let pushed = 0;

  let scanReply: Promise<Reply[]> | null = handled(lane.send(scanCommand('0'), 1));
  const flush = async (batch: Batch) => {
    const records = buildRecords(ctx, db, batch.keys, await batch.replies, batch.withMemory);
    if (records.length === 0) return;
    if (shard !== null) for (const r of records) r.record.shard = shard;
    counters.rows += records.length;
    pushed += records.length;
    for (const r of records) counters.bytes += r.record.memoryBytes ?? 0;
    await keys.push(records);
    if (counters.rows >= counters.nextProgress) {
      options.progress({ type: 'table-progress', instance: instanceName, table, rows: counters.rows, bytes: counters.bytes });
      counters.nextProgress = (Math.floor(counters.rows / PROGRESS_EVERY) + 1) * PROGRESS_EVERY;
    }
  };

  // On the wire: [SCAN c1], [SCAN c2, batch 1], [SCAN c3, batch 2], ... The next
  // cursor comes back ahead of the batch's replies, so the next batch goes out
  // while this one is still being answered, and the server always has work
  // queued while the previous batch's records are built and pushed here.
  //
  // Each page costs one round trip (its cursor names the next), so over a slow
  // link the page grows until the server's work on it outlasts the round trip:
  // the walk is then bound by bandwidth and server CPU, not by latency.
  const count = await scanCountFor(lane);
  let inFlight: Batch | null = null;
  while (scanReply) {
    if (options.signal.aborted) throw new PullAborted();
    const page = parseScan((await scanReply)[0]);
    const cursor = page.cursor;
    let keys = page.keys;
    scanReply = null;
    let stop = false;
    if (counters.scanned + keys.length > quota) {
      keys = keys.slice(0, Math.max(0, quota - counters.scanned));
      counters.limited = true;
      stop = true;
    } else if (counters.scanned + keys.length === quota && cursor !== '0') {
      counters.limited = true;
      stop = true;
    }
    counters.scanned += keys.length;
    const nextScan = cursor !== '0' && !stop ? scanCommand(cursor, count) : null;
    let sent: Batch | null = null;
    if (keys.length > 0) {
      const withMemory = ctx.memory.available !== false;
      const expected = keys.length * (withMemory ? 3 : 2);
      const payload = encodeBatch(ctx, nextScan, keys, withMemory);
      const parts = lane.sendParts(payload, nextScan ? [1, expected] : [expected]).map(handled);
      if (nextScan) scanReply = parts[0];
      sent = { keys, replies: parts[parts.length - 1]!, withMemory };
    } else if (nextScan) {
      scanReply = handled(lane.send(nextScan, 1));
    }
    // Build and push the previous batch while the server answers this one.
    if (inFlight) await flush(inFlight);
    inFlight = sent;
  }
  if (inFlight) await flush(inFlight);
  return pushed;
}
