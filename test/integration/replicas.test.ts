// Replicas are labelled (issue 10, item 15): a Redis replica of a pulled
// primary, a Redis replica whose primary is gone, a MariaDB replica whose link
// is down and a PostgreSQL standby, pulled through the CLI; the cost model then
// counts the Redis replica as its primary's, not as a cluster of its own.
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, runCli, tempDir, writeFleet } from '../helpers/cli.ts';
import { freePort, mariadbExec, startMariadb, startPostgres, startRedis, type ThrowawayServer } from '../helpers/servers.ts';
import { querySnapshot } from '../helpers/snapshotQuery.ts';

let primary: ThrowawayServer;
let replica: ThrowawayServer;
let orphan: ThrowawayServer;
let maria: ThrowawayServer;
let standby: ThrowawayServer;
let deadPort: number;
let file: string;
let pulled: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
  deadPort = await freePort();
  primary = await startRedis();
  [replica, orphan, maria, standby] = await Promise.all([
    startRedis({ extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)] }),
    startRedis({ extraArgs: ['--replicaof', '127.0.0.1', String(deadPort)] }),
    startMariadb(),
    startPostgres({ standby: true, settings: { primary_conninfo: `host=127.0.0.1 port=${deadPort} user=replicator` } }),
  ]);
  const client = new Redis({ host: primary.host, port: primary.port, lazyConnect: true });
  await client.connect();
  await client.set('CONTACT_day:1', '1');
  await client.set('CONTACT_day:2', '1');
  client.disconnect();
  // The replica has caught up once it holds the keys.
  const follower = new Redis({ host: replica.host, port: replica.port, lazyConnect: true });
  await follower.connect();
  for (let i = 0; i < 100 && (await follower.dbsize()) < 2; i++) await new Promise((r) => setTimeout(r, 50));
  follower.disconnect();
  await mariadbExec(maria, `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${deadPort}, MASTER_USER='repl', MASTER_CONNECT_RETRY=60; START SLAVE;`);
  const dir = tempDir('snapbench-replicas-');
  file = join(dir, 'fleet.snapbench');
  const fleet = writeFleet(dir, [
    { name: 'cache-primary', engine: 'redis', host: primary.host, port: primary.port },
    { name: 'cache-replica', engine: 'redis', host: replica.host, port: replica.port },
    { name: 'cache-orphan', engine: 'redis', host: orphan.host, port: orphan.port },
    { name: 'maria-replica', engine: 'mysql', host: maria.host, port: maria.port, user: 'root' },
    { name: 'pg-standby', engine: 'postgres', host: standby.host, port: standby.port, user: 'postgres', databases: ['postgres'] },
  ]);
  pulled = await runCli(['pull', '--fleet', fleet, '--out', file]);
}, 120_000);

afterAll(async () => {
  await Promise.all([primary?.stop(), replica?.stop(), orphan?.stop(), maria?.stop(), standby?.stop()]);
});

describe('replicas (item 15)', () => {
  it('records role, primary, link status and lag per instance, also where the link is down', async () => {
    expect(pulled.code, pulled.stderr).toBe(0);
    const rows = querySnapshot<{ instance: string; role: string; primary_host: string | null; link_status: string | null; replication_lag_ms: number | null }>(
      file,
      `SELECT instance, role, primary_host, link_status, replication_lag_ms FROM _snapbench_instances ORDER BY instance`,
    );
    const by = Object.fromEntries(rows.map((r) => [r.instance, r]));
    expect(by['cache-primary']).toMatchObject({ role: 'primary', primary_host: null, link_status: null });
    expect(by['cache-replica']).toMatchObject({ role: 'replica', primary_host: `127.0.0.1:${primary.port}`, link_status: 'up' });
    expect(by['cache-orphan']).toMatchObject({ role: 'replica', primary_host: `127.0.0.1:${deadPort}`, link_status: expect.stringMatching(/^down/) });
    expect(by['maria-replica']).toMatchObject({ role: 'replica', primary_host: `127.0.0.1:${deadPort}`, link_status: expect.stringMatching(/^down \(I\/O thread: (Connecting|No)/) });
    expect(by['pg-standby']).toMatchObject({ role: 'replica', primary_host: `127.0.0.1:${deadPort}`, link_status: expect.stringMatching(/^down/) });
    const manifest = JSON.parse(querySnapshot<{ body: string }>(file, 'SELECT body FROM _snapbench_manifest')[0]!.body) as { instances: { name: string; replication: unknown }[] };
    expect(manifest.instances.find((i) => i.name === 'cache-replica')!.replication).toEqual({ role: 'replica', primary: `127.0.0.1:${primary.port}`, linkStatus: 'up', lagMs: null });
    expect((await runCli(['verify', file])).code).toBe(0);
  });

  it('costs a replica of a pulled primary as that primary\'s replica, not as its own cluster', async () => {
    const result = await runCli(['scenario', '--snapshot', file, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const scenario = parseJson<{ instances: Record<string, number>; notes?: string[]; assumptions: unknown }>(result);
    // cache-primary (with its replica) and cache-orphan, whose primary is not in the snapshot: two clusters, not three.
    expect(scenario.instances.redis).toBe(2);
    expect(JSON.stringify(scenario)).toContain("cache-replica is a replica of cache-primary: costed as cache-primary's replica, not as an instance of its own");
  });
});
