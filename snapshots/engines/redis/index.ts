// The Redis engine adapter: a read-only inventory of one Redis instance.
//
// 1. ioredis connection: AUTH, INFO, CONFIG GET maxmemory* → server facts, version.
// 2. RESP lane: per database SELECT, SCAN ... COUNT 1000, and per batch one
//    pipeline of TYPE / PTTL / MEMORY USAGE → RedisKeyRecords.
// Only the commands in REDIS_ALLOWED_COMMANDS are ever sent: nothing writes,
// nothing reads a value, KEYS is never used. Key names are stored as a pattern
// plus a keyed hash unless the manifest says raw_key_names: true.
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import type { Redis } from 'ioredis';
import { type EngineAdapter, type InstanceTarget, type PullOptions, PullError } from '../types.ts';
import { connectionFacts } from '../../net/tls.ts';
import { usingNetwork } from '../../net/network.ts';
import { connectRedis, explainRedisError, openRespLane, redisTlsInfo } from './connect.ts';
import { introspectRedis, redisReplication } from './introspect.ts';
import { PullAborted, walkContext, walkDatabase, type WalkContext } from './pull.ts';
import { discoverShards, walkCluster } from './clusterWalk.ts';
import type { ServerFact } from '../../../shared/model/snapshot.ts';
import type { RespConnection } from './resp.ts';

export { REDIS_ALLOWED_COMMANDS, REDIS_ALLOWED_SUBCOMMANDS } from './types.ts';
export { redisKeyPattern, redisKeyPatterns, KeyPatternLearner } from './patterns.ts';

export const SCAN_CONSISTENCY_NOTE = 'SCAN walks a live keyspace: keys created or removed during the walk may be missed or seen twice';

/** The databases to walk: the manifest's list, else those INFO keyspace reports, else db 0. */
export function databasesToWalk(instance: FleetInstance, keyspace: Map<number, number>): number[] {
  if (instance.databases && instance.databases.length > 0) {
    return [...new Set(instance.databases.map((db) => Number(db)))];
  }
  const present = [...keyspace.keys()].sort((a, b) => a - b);
  return present.length > 0 ? present : [0];
}

/** How MEMORY USAGE sized nested values, as recorded in the snapshot. */
export function memorySamplesFact(samples: number | undefined): string {
  if (samples === 0) return '0: exact (every element of every hash, list, set and sorted set counted)';
  if (samples === undefined) return "5: the server's default (nested values estimated from 5 sampled elements)";
  return `${samples}: nested values estimated from ${samples} sampled elements`;
}

async function pullRedisInstance(instance: FleetInstance, target: InstanceTarget, options: PullOptions): Promise<void> {
  if (!options.network) return usingNetwork(undefined, (network) => pullRedisInstance(instance, target, { ...options, network }));
  const network = options.network;
  if (instance.engine !== 'redis') throw new PullError(`instance "${instance.name}" is ${instance.engine}, not redis`, null, 'wrong-engine');
  const c = instance.connection;
  const where = c ? `Redis instance "${instance.name}" at ${c.host}:${c.port}` : `Redis instance "${instance.name}"`;
  const aborted = () => new PullError(`${where}: pull cancelled`, null, 'aborted');
  if (options.signal.aborted) throw aborted();

  let client: Redis | null = null;
  let lane: RespConnection | null = null;
  const clusterLanes = new Set<RespConnection>();
  const onAbort = () => {
    client?.disconnect();
    lane?.close(new PullAborted());
    for (const l of clusterLanes) l.close(new PullAborted());
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    client = await connectRedis(instance, options.password, network, options.signal);
    if (options.signal.aborted) throw new PullAborted();
    const info = await introspectRedis(client, instance);
    target.addServerFacts(connectionFacts(c!, redisTlsInfo(client, instance)));
    const cluster = info.facts.some((f) => f.category === 'cluster' && f.name === 'cluster_enabled' && f.value === '1');
    const shards = cluster ? await discoverShards(client, instance) : null;
    client.disconnect();
    client = null;
    if (info.version) target.setVersion(info.version);
    target.setConsistency('scan', SCAN_CONSISTENCY_NOTE);
    target.setReplication(redisReplication(info.facts));
    if (shards) {
      // Cluster mode: every shard is walked, on its own node; db 0 is the only database.
      const ctx = walkContext(instance.name, instance.rawKeyNames, target, options, instance.memorySamples);
      const keys = await walkCluster(instance, shards, info.facts, target, options, network, ctx, clusterLanes);
      target.addServerFacts(inventoryFactsAfterWalk(keys, [0], ctx, options.maxRows !== null && keys >= options.maxRows, instance, options));
      return;
    }
    target.addServerFacts(info.facts);

    const databases = databasesToWalk(instance, info.keyspace);
    if (options.signal.aborted) throw new PullAborted();
    lane = await openRespLane(instance, options.password, network, options.signal);
    if (options.signal.aborted) throw new PullAborted();
    const ctx = walkContext(instance.name, instance.rawKeyNames, target, options, instance.memorySamples);
    let keys = 0;
    let limited = false;
    for (const db of databases) {
      const result = await walkDatabase(lane, ctx, db, info.keyspace.get(db) ?? 0);
      keys += result.rows;
      limited ||= result.limited;
    }
    target.addServerFacts(inventoryFactsAfterWalk(keys, databases, ctx, limited, instance, options));
  } catch (error) {
    if (options.signal.aborted || error instanceof PullAborted) throw aborted();
    throw await explainRedisError(instance, error as Error, options.password, network);
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    (client as Redis | null)?.disconnect();
    (lane as RespConnection | null)?.close();
    for (const l of clusterLanes) l.close();
  }
}

function inventoryFactsAfterWalk(keys: number, databases: number[], ctx: WalkContext, limited: boolean, instance: FleetInstance, options: PullOptions): ServerFact[] {
  return [
    { category: 'inventory', name: 'keys', value: String(keys) },
    { category: 'inventory', name: 'databases', value: databases.join(',') },
    { category: 'inventory', name: 'limited', value: limited ? `true: at most ${options.maxRows} keys per database (--max-rows); counts and pattern statistics cover those keys only` : 'false' },
    {
      category: 'inventory',
      name: 'memory_usage',
      value: ctx.memory.available === false ? `unavailable: ${ctx.memory.error ?? 'refused'}` : 'available',
    },
    { category: 'inventory', name: 'memory_samples', value: memorySamplesFact(instance.memorySamples) },
  ];
}

export const redisAdapter: EngineAdapter = {
  engine: 'redis',
  pullInstance: pullRedisInstance,
};
