// Scenarios driven by a snapshot: the fleet is what the file measured. Two
// small snapshots written with the real SnapshotWriter differ only in their
// Redis utilisation, and the consolidation follows; the demo snapshot of the
// reference fleet reproduces the report's consolidation to 28 clusters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetInstance } from '../../shared/model/fleet.ts';
import type { RedisKeyRecord } from '../../shared/model/snapshot.ts';
import type { ScenarioResult } from '../../shared/cost/index.ts';
import { SnapshotWriter } from '../../snapshots/file/writer.ts';
import { costFleetFromSnapshot } from '../../snapshots/cost/snapshotFleet.ts';
import { parseJson, runCli, tempDir } from '../helpers/cli.ts';

const MIB = 1024 * 1024;
/** cache.t3.medium: 3.09 GiB less 25% reserved. */
const T3_MEDIUM_MAXMEMORY = Math.round(3.09 * 1024 * 0.75 * MIB);

interface RedisSpec {
  name: string;
  utilisation: number;
  persistentKeys?: number;
}

function instance(name: string, engine: 'mysql' | 'redis', extra: Partial<FleetInstance> = {}): FleetInstance {
  return { name, engine, domain: engine === 'redis' ? 'sales' : 'sales', rawKeyNames: false, readValues: false, ...extra };
}

/** A snapshot of one MySQL instance and some Redis instances, with the facts a pull records. */
async function writeSnapshot(path: string, caches: RedisSpec[]): Promise<void> {
  const writer = await SnapshotWriter.open(path);
  try {
    const mysql = writer.instanceTarget(instance('orders-db', 'mysql', { instanceClass: 'db.r6g.large' }));
    mysql.setVersion('8.0.36');
    mysql.addServerFacts([
      { category: 'database', name: 'shop.size_bytes', value: String(20e9) },
      { category: 'status', name: 'Uptime', value: '86400' },
      { category: 'status', name: 'Questions', value: String(86400 * 200) },
    ]);
    writer.finishInstance('orders-db');
    for (const cache of caches) {
      const target = writer.instanceTarget(instance(cache.name, 'redis', { allocatedMemoryMb: T3_MEDIUM_MAXMEMORY / MIB }));
      target.setVersion('6.0.5');
      target.setConsistency('scan', null);
      const used = Math.round(T3_MEDIUM_MAXMEMORY * cache.utilisation);
      target.addServerFacts([
        { category: 'memory', name: 'used_memory', value: String(used) },
        { category: 'inventory', name: 'allocated_memory_bytes', value: String(T3_MEDIUM_MAXMEMORY) },
        { category: 'inventory', name: 'utilisation', value: String(cache.utilisation) },
      ]);
      const keys: RedisKeyRecord[] = [];
      for (let i = 0; i < 40; i++) {
        const persistent = i < (cache.persistentKeys ?? 0);
        keys.push({ db: 0, pattern: persistent ? 'CONTACT_day:*' : 'order:detail:*', keyHash: `${cache.name}-${i}`.padEnd(16, '0').slice(0, 16), keyName: null, type: 'string', ttlMs: persistent ? -1 : 96_000, memoryBytes: 64 });
      }
      const db0 = target.beginRedisDatabase(0);
      await db0.push(keys);
      await db0.finish();
      writer.finishInstance(cache.name);
    }
    await writer.finish({
      tool: { name: 'snapbench', version: 'test' },
      createdAt: new Date().toISOString(),
      createdBy: 'test',
      createdOnHost: 'test',
      synthetic: true,
      fleet: { name: 'cost-test', file: null, sha256: null, instances: caches.length + 1 },
      options: { maxRows: null, only: null, concurrency: 1 },
      keyHashing: { algorithm: 'hmac-sha256/16', keySource: 'random-per-snapshot' },
    });
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

let dir: string;
let quiet: string;
let busy: string;

beforeAll(async () => {
  dir = tempDir('snapbench-scenario-');
  quiet = join(dir, 'quiet.snapbench');
  busy = join(dir, 'busy.snapbench');
  const names = ['luckyus-a', 'luckyus-b', 'luckyus-c', 'luckyus-d', 'luckyus-e', 'luckyus-f'];
  // Quiet: every cluster below 1% of its memory (one holds no-TTL keys). Busy: three at 70%.
  await writeSnapshot(quiet, names.map((name, i) => ({ name, utilisation: 0.002 + i * 0.001, persistentKeys: i === 0 ? 30 : 0 })));
  await writeSnapshot(busy, names.map((name, i) => ({ name, utilisation: i < 3 ? 0.7 : 0.002, persistentKeys: i === 0 ? 30 : 0 })));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function scenario(args: string[]): Promise<ScenarioResult> {
  const result = await runCli(['scenario', '--format', 'json', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return parseJson<ScenarioResult>(result);
}

describe('a scenario from a snapshot', () => {
  it('takes the fleet, its classes and measurements from the file', () => {
    const fleet = costFleetFromSnapshot(busy);
    expect(fleet.source).toContain('snapshot');
    expect(fleet.caches).toHaveLength(6);
    expect(fleet.databases).toHaveLength(1);
    const a = fleet.caches.find((c) => c.name === 'luckyus-a')!;
    expect(a.nodeClass).toBe('cache.t3.medium');
    expect(a.sources.usedMib).toBe('measured');
    expect(a.usedMib / a.allocatedMib).toBeCloseTo(0.7, 3);
    expect(a.persistentKeys).toBe(30);
    const db = fleet.databases[0]!;
    expect(db.instanceClass).toBe('db.r6g.large');
    expect(db.dataGb).toBeCloseTo(20, 6);
    expect(db.sources.load).toBe('measured');
    expect(fleet.measuredStores).toBe(16);
  });

  it('consolidates by measured utilisation: busier clusters need more pooled nodes', async () => {
    const [fromQuiet, fromBusy] = await Promise.all([
      scenario(['--snapshot', quiet, '--set', 'redisClusters=2']),
      scenario(['--snapshot', busy, '--set', 'redisClusters=2']),
    ]);
    for (const result of [fromQuiet, fromBusy]) {
      expect(result.instances.redis).toBe(2);
      expect(result.nodes.redisKept).toBe(1);
      expect(result.nodes.redisPooled).toBe(5);
    }
    const pool = (result: ScenarioResult) => result.items.find((i) => i.treatment === 'pool')!;
    // Quiet: five near-empty clusters fit one pooled node. Busy: two 70% clusters (× 1.25 headroom) need two.
    expect(pool(fromQuiet).count).toBe(1);
    expect(pool(fromBusy).count).toBe(2);
    expect(fromBusy.monthly.byEngine.redis).toBeGreaterThan(fromQuiet.monthly.byEngine.redis);
    // The most utilised cluster is the one kept on its own.
    const kept = (result: ScenarioResult) => result.items.filter((i) => i.engine === 'redis' && (i.treatment === 'kept' || i.treatment === 'scaled-up')).map((i) => i.name);
    expect(kept(fromQuiet)).toEqual(['luckyus-f']);
    expect(kept(fromBusy)).toHaveLength(1);
    expect(['luckyus-a', 'luckyus-b', 'luckyus-c']).toContain(kept(fromBusy)[0]);
    // Without consolidation the busy clusters outgrow their nodes as stores grow; the quiet ones do not.
    const [quiet100, busy100] = await Promise.all([scenario(['--snapshot', quiet, '--stores', '100']), scenario(['--snapshot', busy, '--stores', '100'])]);
    expect(quiet100.items.filter((i) => i.engine === 'redis' && i.treatment === 'scaled-up')).toHaveLength(0);
    expect(busy100.items.filter((i) => i.engine === 'redis' && i.treatment === 'scaled-up').length).toBeGreaterThanOrEqual(3);
  });

  it('runs the plan on a fleet smaller than the report\'s, capping its decisions to the fleet', async () => {
    const plan = await scenario(['--snapshot', quiet, '--preset', 'report-07-plan', '--stores', '100']);
    expect(plan.decisions.analyticsReadReplicas).toBeLessThanOrEqual(1);
    expect(plan.instances.redis).toBeLessThanOrEqual(6);
    const tooMany = await runCli(['scenario', '--snapshot', quiet, '--set', 'analyticsReadReplicas=5']);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(/--set analyticsReadReplicas=5: "analyticsReadReplicas" must be a whole number from 0 to [01] \(replicas\) for this fleet/);
  });

  it('projects the no-TTL keys the key inventory found', async () => {
    const result = await scenario(['--snapshot', quiet, '--stores', '32']);
    expect(result.redisProjection.clusters).toEqual(['luckyus-a']);
    expect(result.redisProjection.measured.persistentKeys).toBe(30);
    expect(result.redisProjection.withoutTtl.persistentKeys).toBeGreaterThan(30);
  });

  it('names a missing snapshot in one line', async () => {
    const result = await runCli(['scenario', '--snapshot', join(dir, 'nope.snapbench')]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('nope.snapbench: no such file');
  });
});

describe('a scenario from the demo snapshot of the reference fleet', () => {
  it('counts 143 instances and pools the 58 clusters below 1% into 8 (28 remain)', async () => {
    const demo = join(dir, 'demo.snapbench');
    const written = await runCli(['demo', '--out', demo]);
    expect(written.code, written.stderr).toBe(0);
    const asFound = await scenario(['--snapshot', demo, '--stores', '16']);
    expect(asFound.instances).toEqual({ mysql: 62, redis: 78, postgres: 3 });
    expect(asFound.monthly.total).toBeGreaterThan(0);
    const immediate = await scenario(['--snapshot', demo, '--stores', '16', '--set', 'immediateSavings=true']);
    expect(immediate.decisions.redisClusters).toBe(28);
    expect(immediate.instances.redis).toBe(28);
    expect(immediate.monthly.total).toBeLessThan(asFound.monthly.total);
  });
});
