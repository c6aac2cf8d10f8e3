// Redis Cluster: a pull through one node inventories every shard's keys exactly
// once (on the primaries, or the replicas where the manifest prefers them),
// reaches the other nodes through the same SSH bastion, records per-shard facts
// and the cluster's memory, and fails the instance (exit 3) naming the shard
// when one cannot be reached. A TLS-only cluster (--tls-cluster, each node with
// a certificate of its own name) is walked with every node verified.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseJson, runCli, tempDir } from '../helpers/cli.ts';
import { startRedisCluster, startSshd, type ThrowawayRedisCluster, type ThrowawaySshd } from '../helpers/servers.ts';
import { makeTestCa, type TestCa } from '../helpers/tlsCerts.ts';

const KEYS = 3000;
const TLS_KEYS = 900;
let plain: ThrowawayRedisCluster;
let replicated: ThrowawayRedisCluster;
let ca: TestCa;
let tlsCluster: ThrowawayRedisCluster;
let sshd: ThrowawaySshd;
let dir: string;

async function fill(cluster: ThrowawayRedisCluster, keys = KEYS, tlsCa?: string): Promise<void> {
  // The test's own writer trusts the CA but not the names: it reaches the nodes by address.
  const tls = tlsCa ? { tls: { ca: readFileSync(tlsCa), checkServerIdentity: () => undefined } } : {};
  const client = new Cluster([{ host: '127.0.0.1', port: cluster.nodes[0]!.port }], { enableReadyCheck: true, redisOptions: tls });
  try {
    await Promise.all(Array.from({ length: keys }, (_, i) => (i % 3 === 0 ? client.set(`session:${i}`, 'x', 'EX', 3600) : client.set(`order:${i}`, 'y'))));
  } finally {
    client.disconnect();
  }
}

beforeAll(async () => {
  ca = makeTestCa();
  [plain, replicated, tlsCluster, sshd] = await Promise.all([startRedisCluster(3, 0), startRedisCluster(3, 1), startRedisCluster(3, 0, { tls: ca }), startSshd()]);
  await Promise.all([fill(plain), fill(replicated), fill(tlsCluster, TLS_KEYS, ca.caFile)]);
  // The replicas have every key before the pull reads them.
  for (const node of replicated.nodes) {
    for (;;) {
      const info = execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(node.port), 'INFO', 'replication']).toString();
      if (/role:master/.test(info) || /master_link_status:up/.test(info)) break;
    }
  }
  execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(replicated.nodes[0]!.port), 'WAIT', '3', '5000']);
  dir = tempDir('snapbench-cluster-');
}, 120_000);

afterAll(async () => {
  await Promise.all([plain?.stop(), replicated?.stop(), tlsCluster?.stop(), sshd?.stop()]);
  ca?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function manifest(name: string, instances: Record<string, unknown>[]): string {
  const path = join(dir, name);
  writeFileSync(path, stringify({ instances }));
  return path;
}

async function pull(fleet: string, out: string) {
  return runCli(['pull', '--fleet', fleet, '--out', out, '--format', 'json']);
}

async function query<T>(file: string, sql: string): Promise<T[]> {
  return parseJson<T[]>(await runCli(['query', file, sql]));
}

describe('Redis Cluster', () => {
  it('inventories every key of every shard exactly once, through the bastion, with per-shard facts', async () => {
    const forwardedBefore = (readFileSync(sshd.logFile, 'utf8').match(/server_request_direct_tcpip/g) ?? []).length;
    const fleet = manifest('plain.yaml', [
      {
        name: 'cache-cluster',
        engine: 'redis',
        host: '127.0.0.1',
        port: plain.nodes[0]!.port,
        allocated_memory_mb: 64,
        ssh: { host: '127.0.0.1', port: sshd.port, user: sshd.user, key_file: sshd.clientKey, known_hosts: sshd.knownHosts },
      },
    ]);
    const out = join(dir, 'plain.snapbench');
    const result = await pull(fleet, out);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [counts] = await query<{ rows: number; distinct_keys: number; shards: number; unsharded: number }>(
      out,
      'SELECT count(*) AS rows, count(DISTINCT key_hash) AS distinct_keys, count(DISTINCT shard) AS shards, sum(shard IS NULL) AS unsharded FROM "cache-cluster/db0/keys"',
    );
    expect(counts).toEqual({ rows: KEYS, distinct_keys: KEYS, shards: 3, unsharded: 0 });
    const perShard = await query<{ shard: string; keys: number }>(out, 'SELECT shard, count(*) AS keys FROM "cache-cluster/db0/keys" GROUP BY shard ORDER BY shard');
    const facts = await query<{ category: string; name: string; value: string }>(out, "SELECT category, name, value FROM _snapbench_server_facts WHERE instance = 'cache-cluster'");
    const fact = (category: string, name: string) => facts.find((f) => f.category === category && f.name === name)?.value;
    expect(fact('cluster', 'shards')).toBe('3');
    let usedSum = 0;
    for (const { shard, keys } of perShard) {
      expect(fact(`cluster_shard:${shard}`, 'role')).toBe('primary');
      expect(fact(`cluster_shard:${shard}`, 'keys')).toBe(String(keys));
      expect(fact(`cluster_shard:${shard}`, 'server_keys')).toBe(String(keys));
      usedSum += Number(fact(`cluster_shard:${shard}`, 'used_memory'));
    }
    // The cluster's memory over its allocation across shards, not the entry node's.
    expect(Number(fact('memory', 'used_memory'))).toBe(usedSum);
    expect(fact('inventory', 'allocated_memory_bytes')).toBe(String(64 * 1024 * 1024 * 3));
    expect(Number(fact('inventory', 'utilisation'))).toBeCloseTo(usedSum / (64 * 1024 * 1024 * 3), 9);
    // Every node was reached through the bastion: the entry node twice (facts, walk), the two others once.
    const targets = [...readFileSync(sshd.logFile, 'utf8').matchAll(/server_request_direct_tcpip: originator [^,]+, target 127\.0\.0\.1 port (\d+)/g)].slice(forwardedBefore).map((m) => Number(m[1]));
    expect(new Set(targets)).toEqual(new Set(plain.nodes.map((n) => n.port)));
  });

  it('walks a TLS-only cluster through the bastion, each node verified against the name it announces', async () => {
    const fleet = manifest('tls.yaml', [
      {
        name: 'tls-cluster',
        engine: 'redis',
        host: '127.0.0.1',
        port: tlsCluster.nodes[0]!.port,
        // The entry node's certificate holds only its own name; the other nodes' hold theirs.
        tls: { ca_file: ca.caFile, server_name: tlsCluster.hostnames[0] },
        ssh: { host: '127.0.0.1', port: sshd.port, user: sshd.user, key_file: sshd.clientKey, known_hosts: sshd.knownHosts },
      },
    ]);
    const out = join(dir, 'tls.snapbench');
    const result = await pull(fleet, out);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [counts] = await query<{ rows: number; distinct_keys: number; shards: number }>(
      out,
      'SELECT count(*) AS rows, count(DISTINCT key_hash) AS distinct_keys, count(DISTINCT shard) AS shards FROM "tls-cluster/db0/keys"',
    );
    expect(counts).toEqual({ rows: TLS_KEYS, distinct_keys: TLS_KEYS, shards: 3 });
    const facts = await query<{ category: string; name: string; value: string }>(out, "SELECT category, name, value FROM _snapbench_server_facts WHERE instance = 'tls-cluster'");
    const fact = (category: string, name: string) => facts.find((f) => f.category === category && f.name === name)?.value;
    expect(fact('connection', 'tls_verified')).toBe('true');
    const shards = [...new Set(facts.filter((f) => f.category.startsWith('cluster_shard:')).map((f) => f.category))];
    expect(shards).toHaveLength(3);
    // Every shard's lane was TLS, its certificate checked against the node's own name.
    expect(shards.map((c) => fact(c, 'tls_server_name')).sort()).toEqual([...tlsCluster.hostnames].sort());
    for (const c of shards) {
      expect(fact(c, 'tls_verified'), c).toBe('true');
      expect(fact(c, 'tls_protocol'), c).toMatch(/^TLSv1\.[23]$/);
      expect(Number(fact(c, 'keys')), c).toBe(Number(fact(c, 'server_keys')));
    }
  });

  it('walks the replicas where the manifest prefers them', async () => {
    const fleet = manifest('replicas.yaml', [{ name: 'replicated', engine: 'redis', host: '127.0.0.1', port: replicated.nodes[0]!.port, prefer_replicas: true }]);
    const out = join(dir, 'replicas.snapbench');
    const result = await pull(fleet, out);
    expect(result.code, result.stderr).toBe(0);
    const [counts] = await query<{ rows: number; distinct_keys: number }>(out, 'SELECT count(*) AS rows, count(DISTINCT key_hash) AS distinct_keys FROM "replicated/db0/keys"');
    expect(counts).toEqual({ rows: KEYS, distinct_keys: KEYS });
    const roles = await query<{ value: string }>(out, "SELECT value FROM _snapbench_server_facts WHERE instance = 'replicated' AND category LIKE 'cluster_shard:%' AND name = 'role'");
    expect(roles.map((r) => r.value)).toEqual(['replica', 'replica', 'replica']);
  });

  it('fails the instance, naming the shard, when one shard is down; nothing partial is kept', async () => {
    const down = plain.nodes[1]!;
    await down.stop();
    const fleet = manifest('down.yaml', [
      { name: 'cache-cluster', engine: 'redis', host: '127.0.0.1', port: plain.nodes[0]!.port, connect_timeout_ms: 3000 },
      { name: 'other', engine: 'redis', host: '127.0.0.1', port: replicated.nodes[0]!.port },
    ]);
    const result = await pull(fleet, join(dir, 'down.snapbench'));
    expect(result.code).toBe(3);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`Redis instance "cache-cluster": cluster shard [0-9,-]+ on 127\\.0\\.0\\.1:${down.port} cannot be read: .*no partial inventory is kept`));
    const tables = await query<{ sql_name: string }>(join(dir, 'down.snapbench'), "SELECT sql_name FROM _snapbench_tables WHERE instance = 'cache-cluster'");
    expect(tables).toEqual([]);
  });
});
