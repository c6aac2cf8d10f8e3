// One Redis key walk of database 0, for bench/redis-paths.ts (run as a child,
// inside the slow link's namespace when it measures over the link): SCAN to the
// end and, per page, TYPE + PTTL + MEMORY USAGE of every key, each key's
// HMAC, name and pattern, records handed to a writer that drops them.
//
//   --client lane     the engine's own walk (snapshots/engines/redis/pull.ts
//                     walkKeys over the RESP lane, resp.ts): what `pull` runs
//   --client ioredis  BENCH-ONLY: the same commands through ioredis pipelines
//                     (the library the lane stands beside), with the same page
//                     size, the same overlap (the next SCAN goes out before the
//                     page's pipeline) and the same record building
//
//   node --import tsx bench/redis-walk.ts --client lane|ioredis --host H --port P --keys N
// Prints one JSON line: { client, keys, wallMs, cpuMs }.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { RedisKeyRecord } from '../shared/model/snapshot.ts';
import { RespConnection } from '../snapshots/engines/redis/resp.ts';
import { MAX_SCAN_COUNT, PatternedKeys, SCAN_COUNT, walkContext, walkKeys, type PendingRecord } from '../snapshots/engines/redis/pull.ts';
import { decodeKeyName } from '../snapshots/engines/redis/types.ts';
import type { InstanceTarget, PullOptions } from '../snapshots/engines/types.ts';

const { values } = parseArgs({ options: { client: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, keys: { type: 'string' } } });
const host = values.host ?? '127.0.0.1';
const port = Number(values.port);
const expected = Number(values.keys ?? 0);

let written = 0;
const writer = { push: (records: RedisKeyRecord[]) => void (written += records.length) };
const options = { maxRows: null, signal: new AbortController().signal, password: undefined, keyHashSecret: randomBytes(32), progress: () => {} } as unknown as PullOptions;
const ctx = walkContext('bench', false, {} as InstanceTarget, options);

async function laneWalk(): Promise<void> {
  const socket = net.connect(port, host);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const lane = RespConnection.over(socket, 60_000);
  const counters = { scanned: 0, rows: 0, bytes: 0, nextProgress: Infinity, limited: false };
  const keys = new PatternedKeys(writer);
  await walkKeys(lane, ctx, 0, keys, counters, null);
  await keys.end();
  lane.close();
}

type Result = [Error | null, unknown];

interface IoredisBatch {
  keys: Buffer[];
  results: Promise<Result[] | null>;
}

async function ioredisWalk(): Promise<void> {
  const redis = new Redis({ host, port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0 });
  await redis.connect();
  // The page size the lane would choose on this link (pull.ts scanCountFor: about one round trip of server work).
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await redis.ping();
    best = Math.min(best, performance.now() - start);
  }
  const count = Math.min(MAX_SCAN_COUNT, Math.max(SCAN_COUNT, Math.round((SCAN_COUNT * best) / 2 / 1000) * 1000));
  const keys = new PatternedKeys(writer);
  const flush = async (batch: IoredisBatch): Promise<void> => {
    const results = (await batch.results)!;
    const records: PendingRecord[] = [];
    for (let i = 0; i < batch.keys.length; i++) {
      const [typeError, type] = results[i * 3]!;
      const [ttlError, ttl] = results[i * 3 + 1]!;
      const [memoryError, memory] = results[i * 3 + 2]!;
      if (typeError || ttlError) throw typeError ?? ttlError;
      if (type === 'none' || ttl === -2) continue;
      const key = batch.keys[i]!;
      const name = decodeKeyName(key);
      records.push({ name, record: { db: 0, pattern: '', keyHash: ctx.hashKey(key), keyName: null, type: type as string, ttlMs: ttl as number, memoryBytes: memoryError ? null : (memory as number) } });
    }
    await keys.push(records);
  };
  let scan: Promise<[Buffer, Buffer[]]> | null = redis.scanBuffer('0', 'MATCH', '*', 'COUNT', SCAN_COUNT);
  let inFlight: IoredisBatch | null = null;
  while (scan) {
    const [cursorBytes, page]: [Buffer, Buffer[]] = await scan;
    const cursor: string = cursorBytes.toString('latin1');
    // The next SCAN goes out first, then this page's pipeline, as the lane does.
    scan = cursor !== '0' ? redis.scanBuffer(cursor, 'MATCH', '*', 'COUNT', count) : null;
    let sent: IoredisBatch | null = null;
    if (page.length > 0) {
      const pipeline = redis.pipeline();
      for (const key of page) pipeline.type(key).pttl(key).call('MEMORY', 'USAGE', key);
      sent = { keys: page, results: pipeline.exec() as Promise<Result[] | null> };
      sent.results.catch(() => {});
    }
    if (inFlight) await flush(inFlight);
    inFlight = sent;
  }
  if (inFlight) await flush(inFlight);
  await keys.end();
  redis.disconnect();
}

const cpu = process.cpuUsage();
const start = performance.now();
if (values.client === 'lane') await laneWalk();
else if (values.client === 'ioredis') await ioredisWalk();
else throw new Error(`--client ${values.client}: lane or ioredis`);
const wallMs = performance.now() - start;
const used = process.cpuUsage(cpu);
if (expected && written !== expected) throw new Error(`${values.client} walk wrote ${written} records, expected ${expected}`);
process.stdout.write(JSON.stringify({ client: values.client, keys: written, wallMs: Math.round(wallMs), cpuMs: Math.round((used.user + used.system) / 1000) }) + '\n');
