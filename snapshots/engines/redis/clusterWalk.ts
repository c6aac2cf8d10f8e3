// Walking a Redis Cluster: every shard at once, each on its own lane to the
// node chosen for it, into one key inventory (db 0) where every row names its
// shard. A shard that cannot be reached fails the instance: a partial
// inventory must never look whole.
import { isIP } from 'node:net';
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import type { ServerFact } from '../../../shared/model/snapshot.ts';
import type { Network } from '../../net/network.ts';
import { expectedServerName, tlsInfoOf } from '../../net/tls.ts';
import { PullError, type InstanceTarget, type PullOptions } from '../types.ts';
import { clusterFacts, clusterMemory, nodeToWalk, parseClusterNodes, parseClusterShards, type ClusterNode, type ClusterShard, type ShardFacts } from './cluster.ts';
import { describeRedisError, openRespLane } from './connect.ts';
import { decimalText, parseInfo, parseKeyspace } from './introspect.ts';
import { PatternedKeys, PROGRESS_EVERY, walkKeys, type WalkContext, type WalkCounters } from './pull.ts';
import { RespError, type RespConnection } from './resp.ts';

interface CallClient {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** The shards of the cluster the client is connected to. */
export async function discoverShards(client: CallClient, instance: FleetInstance): Promise<ClusterShard[]> {
  const tls = !!instance.connection?.tls;
  try {
    const shards = parseClusterShards(await client.call('CLUSTER', 'SHARDS'), tls);
    if (shards.length > 0) return shards;
  } catch (error) {
    if (!/unknown subcommand|unknown command|ERR/i.test((error as Error).message)) throw error;
  }
  return parseClusterNodes(String(await client.call('CLUSTER', 'NODES')));
}

/** The instance as seen for one node: its address (through the same bastion), and the name its certificate holds. */
function nodeInstance(instance: FleetInstance, node: ClusterNode): FleetInstance {
  const c = instance.connection!;
  const serverName = node.hostname ?? (isIP(node.host) ? (c.tls?.serverName ?? c.host) : node.host);
  return { ...instance, connection: { ...c, host: node.host, port: node.port, tls: c.tls ? { ...c.tls, serverName } : undefined } };
}

function shardError(instance: FleetInstance, shard: ClusterShard, node: ClusterNode | null, error: unknown, password: string | undefined): PullError {
  const at = node ? ` on ${node.host}:${node.port}` : '';
  const inner = error instanceof PullError ? error : describeRedisError(instance, error as Error, password);
  const reason = inner.message.replace(/^Redis instance "[^"]*"( at [^:]+:\d+)?: /, '').replace(/^instance "[^"]*": /, '');
  return new PullError(
    `Redis instance "${instance.name}": cluster shard ${shard.slots}${at} cannot be read: ${reason}; no partial inventory is kept`,
    inner.hint ?? 'every shard must be reachable (through the same bastion and TLS settings) for a whole inventory',
    'cluster-shard',
  );
}

/** Walks every shard into db 0 and records per-shard facts and the cluster's memory; returns the keys stored. */
export async function walkCluster(
  instance: FleetInstance,
  shards: ClusterShard[],
  entryFacts: ServerFact[],
  target: InstanceTarget,
  options: PullOptions,
  network: Network,
  ctx: WalkContext,
  lanes: Set<RespConnection>,
): Promise<number> {
  const writer = target.beginRedisDatabase(0);
  const table = 'db0/keys';
  options.progress({ type: 'table-start', instance: instance.name, table, estimatedRows: null });
  const counters: WalkCounters = { scanned: 0, rows: 0, bytes: 0, nextProgress: PROGRESS_EVERY, limited: false };
  // One pattern learner for the whole keyspace, whichever shard a key lives on.
  const patterned = new PatternedKeys(writer);
  const perShard = await Promise.all(
    shards.map(async (shard): Promise<ShardFacts> => {
      const node = nodeToWalk(shard, instance.preferReplicas === true);
      if (!node) throw shardError(instance, shard, null, new Error('the shard has no node to read from'), options.password);
      let lane: RespConnection | null = null;
      try {
        const target = nodeInstance(instance, node);
        lane = await openRespLane(target, options.password, network, options.signal);
        lanes.add(lane);
        // A replica answers reads for its shard's keys only after READONLY.
        if (node.role === 'replica') {
          const ok = await lane.command('READONLY');
          if (ok instanceof RespError) throw ok;
        }
        const infoReply = await lane.command('INFO');
        const facts = parseInfo(Buffer.isBuffer(infoReply) ? infoReply.toString('utf8') : '', ['memory', 'keyspace']);
        const value = (name: string) => {
          const v = facts.find((f) => f.category === 'memory' && f.name === name)?.value;
          return v === undefined || v === null || v === '' ? null : Number(v);
        };
        const select = await lane.command('SELECT', '0');
        if (select !== 'OK') throw select instanceof RespError ? select : new Error('unexpected reply to SELECT');
        const keys = await walkKeys(lane, ctx, 0, patterned, counters, shard.slots);
        const tlsInfo = tlsInfoOf(lane.stream, target.connection!);
        const tls = tlsInfo ? { ...tlsInfo, serverName: expectedServerName(target.connection!) } : null;
        return { shard, node, usedMemory: value('used_memory'), maxmemory: value('maxmemory'), keys, serverKeys: parseKeyspace(facts).get(0) ?? 0, tls };
      } catch (error) {
        throw shardError(instance, shard, node, error, options.password);
      } finally {
        if (lane) {
          lanes.delete(lane);
          lane.close();
        }
      }
    }),
  );
  await patterned.end();
  await writer.finish({ limited: counters.limited });
  options.progress({ type: 'table-done', instance: instance.name, table, rows: counters.rows, limited: counters.limited });

  // The entry node's memory and allocation are one shard's: the cluster's replace them.
  const memory = clusterMemory(instance, perShard);
  const replaced = new Set(['memory/used_memory', 'inventory/allocated_memory_bytes', 'inventory/allocation_source', 'inventory/utilisation']);
  target.addServerFacts(entryFacts.filter((f) => !replaced.has(`${f.category}/${f.name}`)));
  target.addServerFacts([
    { category: 'memory', name: 'used_memory', value: memory.used === null ? null : String(memory.used) },
    { category: 'inventory', name: 'allocated_memory_bytes', value: memory.allocated === null ? null : String(memory.allocated) },
    { category: 'inventory', name: 'allocation_source', value: memory.source },
    { category: 'inventory', name: 'utilisation', value: memory.used !== null && memory.allocated ? decimalText(memory.used / memory.allocated) : null },
    ...clusterFacts(perShard),
  ]);
  return counters.rows;
}
