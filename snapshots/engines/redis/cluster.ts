// Redis Cluster (cluster mode enabled, as ElastiCache runs it): one node holds
// only its shard's slots, so a pull through one node would see a fraction of
// the keyspace and take the node's memory for the cluster's. Here the shards
// are discovered (CLUSTER SHARDS, or CLUSTER NODES on servers before 7), and
// each is walked on its primary, or a replica when the manifest prefers them,
// reached through the same bastion and TLS settings as the instance.
import { isIP } from 'node:net';
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import type { ServerFact } from '../../../shared/model/snapshot.ts';
import type { TlsInfo } from '../../net/tls.ts';

export interface ClusterNode {
  id: string;
  host: string;
  /** The port a client uses: the TLS port where the node has one and TLS is on. */
  port: number;
  /** A host name the node announces (its certificate's name), when it has one. */
  hostname: string | null;
  role: 'primary' | 'replica';
  healthy: boolean;
}

export interface ClusterShard {
  /** Slot ranges, e.g. "0-5460": how the snapshot names the shard. */
  slots: string;
  primary: ClusterNode | null;
  replicas: ClusterNode[];
}

/** A flat RESP2 name/value list as a map. */
function pairs(list: unknown): Map<string, unknown> {
  const map = new Map<string, unknown>();
  if (Array.isArray(list)) for (let i = 0; i + 1 < list.length; i += 2) map.set(String(list[i]), list[i + 1]);
  return map;
}

function slotText(ranges: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i + 1 < ranges.length; i += 2) parts.push(ranges[i] === ranges[i + 1] ? String(ranges[i]) : `${ranges[i]}-${ranges[i + 1]}`);
  return parts.join(',');
}

/** CLUSTER SHARDS (Redis 7+) → shards; `tls` picks each node's tls-port where it announces one. */
export function parseClusterShards(reply: unknown, tls: boolean): ClusterShard[] {
  if (!Array.isArray(reply)) return [];
  const shards: ClusterShard[] = [];
  for (const entry of reply) {
    const shard = pairs(entry);
    const slots = (Array.isArray(shard.get('slots')) ? (shard.get('slots') as unknown[]) : []).map(Number);
    const nodes = (Array.isArray(shard.get('nodes')) ? (shard.get('nodes') as unknown[]) : []).map((n) => {
      const node = pairs(n);
      const endpoint = String(node.get('endpoint') ?? node.get('ip') ?? '');
      const ip = String(node.get('ip') ?? endpoint);
      const hostname = node.get('hostname') ? String(node.get('hostname')) : endpoint && !isIP(endpoint) && endpoint !== '?' ? endpoint : null;
      const tlsPort = Number(node.get('tls-port') ?? 0);
      return {
        id: String(node.get('id') ?? ''),
        host: endpoint && endpoint !== '?' ? endpoint : ip,
        port: tls && tlsPort > 0 ? tlsPort : Number(node.get('port') ?? tlsPort),
        hostname,
        role: String(node.get('role')) === 'master' ? ('primary' as const) : ('replica' as const),
        healthy: String(node.get('health') ?? 'online') === 'online',
      };
    });
    if (slots.length === 0) continue; // a shard without slots holds no keys
    shards.push({ slots: slotText(slots), primary: nodes.find((n) => n.role === 'primary') ?? null, replicas: nodes.filter((n) => n.role === 'replica') });
  }
  return shards.sort((a, b) => Number.parseInt(a.slots, 10) - Number.parseInt(b.slots, 10));
}

/** CLUSTER NODES text (any version) → shards. */
export function parseClusterNodes(text: string): ClusterShard[] {
  const nodes = text
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter((f) => f.length >= 8)
    .map((f) => {
      const [address, hostname] = f[1]!.split(',');
      const hostPort = address!.split('@')[0]!;
      const colon = hostPort.lastIndexOf(':');
      const flags = f[2]!.split(',');
      return {
        node: {
          id: f[0]!,
          host: hostPort.slice(0, colon),
          port: Number(hostPort.slice(colon + 1)),
          hostname: hostname || null,
          role: flags.includes('master') ? ('primary' as const) : ('replica' as const),
          healthy: !flags.some((flag) => flag === 'fail' || flag === 'fail?' || flag === 'handshake' || flag === 'noaddr'),
        },
        primaryId: f[3]!,
        slots: f.slice(8).filter((s) => !s.startsWith('[')),
      };
    });
  const shards: ClusterShard[] = [];
  for (const { node, slots } of nodes) {
    if (node.role !== 'primary' || slots.length === 0) continue;
    shards.push({ slots: slots.join(','), primary: node, replicas: nodes.filter((n) => n.primaryId === node.id).map((n) => n.node) });
  }
  return shards.sort((a, b) => Number.parseInt(a.slots, 10) - Number.parseInt(b.slots, 10));
}

/** The node to walk: the primary, or a healthy replica where the manifest prefers replicas (keeps load off the primaries). */
export function nodeToWalk(shard: ClusterShard, preferReplicas: boolean): ClusterNode | null {
  if (preferReplicas) {
    const replica = shard.replicas.find((r) => r.healthy);
    if (replica) return replica;
  }
  return shard.primary ?? shard.replicas.find((r) => r.healthy) ?? null;
}

/** What one shard's node reported. */
export interface ShardFacts {
  shard: ClusterShard;
  node: ClusterNode;
  usedMemory: number | null;
  maxmemory: number | null;
  /** Keys inventoried from the shard. */
  keys: number;
  /** Keys the node's INFO keyspace reported before the walk. */
  serverKeys: number;
  /** What TLS negotiated with the node, and the name its certificate was checked against; null without TLS. */
  tls: (TlsInfo & { serverName: string }) | null;
}

/** Per-shard facts, and the cluster's own memory and allocation (replacing the entry node's). */
export function clusterFacts(shards: ShardFacts[]): ServerFact[] {
  const facts: ServerFact[] = [{ category: 'cluster', name: 'shards', value: String(shards.length) }];
  for (const s of shards) {
    const category = `cluster_shard:${s.shard.slots}`;
    facts.push(
      { category, name: 'node', value: `${s.node.host}:${s.node.port}` },
      { category, name: 'node_id', value: s.node.id },
      { category, name: 'role', value: s.node.role },
      { category, name: 'replicas', value: String(s.shard.replicas.length) },
      { category, name: 'used_memory', value: s.usedMemory === null ? null : String(s.usedMemory) },
      { category, name: 'maxmemory', value: s.maxmemory === null ? null : String(s.maxmemory) },
      { category, name: 'keys', value: String(s.keys) },
      { category, name: 'server_keys', value: String(s.serverKeys) },
    );
    if (s.tls) {
      facts.push(
        { category, name: 'tls_protocol', value: s.tls.protocol },
        { category, name: 'tls_cipher', value: s.tls.cipher },
        { category, name: 'tls_verified', value: String(s.tls.verified) },
        { category, name: 'tls_server_name', value: s.tls.serverName },
      );
    }
  }
  return facts;
}

/** The cluster's used memory (summed over shards) and its allocation: the manifest's per-node capacity times the shards, else the shards' maxmemory. */
export function clusterMemory(instance: FleetInstance, shards: ShardFacts[]): { used: number | null; allocated: number | null; source: 'manifest' | 'maxmemory' | 'unknown' } {
  const used = shards.every((s) => s.usedMemory !== null) ? shards.reduce((n, s) => n + s.usedMemory!, 0) : null;
  if (instance.allocatedMemoryMb !== undefined && instance.allocatedMemoryMb > 0) {
    return { used, allocated: Math.round(instance.allocatedMemoryMb * 1024 * 1024) * shards.length, source: 'manifest' };
  }
  if (shards.length > 0 && shards.every((s) => (s.maxmemory ?? 0) > 0)) return { used, allocated: shards.reduce((n, s) => n + s.maxmemory!, 0), source: 'maxmemory' };
  return { used, allocated: null, source: 'unknown' };
}
