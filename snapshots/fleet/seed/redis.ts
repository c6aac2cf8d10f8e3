// Loads the reference fleet's Redis key spaces, one server per instance, with
// pipelines (no MULTI: nothing needs to be atomic, and pipelines are faster).
import { Redis } from 'ioredis';
import { batches, type ReferenceRedis, type RedisKeySpec } from '../reference/index.ts';
import { connectionError, SeedError, type Endpoint } from './endpoint.ts';

const PIPELINE_KEYS = 1000;

export async function openRedis(endpoint: Endpoint): Promise<Redis> {
  const client = new Redis({ host: endpoint.host, port: endpoint.port, password: endpoint.password, lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 10_000, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    throw connectionError(endpoint, error, null, '--redis-password-env');
  }
}

/** Keys already in the database the instance's keys go to. */
export async function redisKeyCount(client: Redis, db: number): Promise<number> {
  await client.select(db);
  return client.dbsize();
}

function write(pipeline: ReturnType<Redis['pipeline']>, key: RedisKeySpec): void {
  const ttl = key.ttlMs > 0 ? key.ttlMs : null;
  if (key.type === 'string') {
    if (ttl) pipeline.set(key.name, key.value as string, 'PX', ttl);
    else pipeline.set(key.name, key.value as string);
    return;
  }
  if (key.type === 'hash') pipeline.hset(key.name, ...(key.value as string[]));
  else pipeline.sadd(key.name, ...(key.value as string[]));
  if (ttl) pipeline.pexpire(key.name, ttl);
}

/** Writes the key space (after emptying its database when `replace`); `observe` sees every batch written. */
export async function seedRedis(client: Redis, space: ReferenceRedis, replace: boolean, observe: (space: ReferenceRedis, keys: RedisKeySpec[]) => void): Promise<number> {
  await client.select(space.db);
  if (replace) await client.flushdb();
  let written = 0;
  observe(space, []);
  for (const batch of batches(space.keys(), PIPELINE_KEYS)) {
    observe(space, batch);
    const pipeline = client.pipeline();
    for (const key of batch) write(pipeline, key);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw new SeedError(`Redis ${space.instance}: ${(failed[0] as Error).message}`, null);
    written += batch.length;
  }
  return written;
}
