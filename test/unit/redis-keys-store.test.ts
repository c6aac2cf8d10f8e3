// Redis key records go to the writer as encoded rows (values only where a string
// cannot be encoded), and the per-pattern statistics are the same as the
// original definition's: one correlated subquery per pattern for the types.
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisKeyRecord } from '../../shared/model/snapshot.ts';
import { SnapshotWriter } from '../../snapshots/file/writer.ts';
import { verifySnapshot } from '../../snapshots/file/verify.ts';
import { tempDir } from '../helpers/cli.ts';
import { fixtureManifest } from '../helpers/manifestInput.ts';

const dir = tempDir('snapbench-redis-keys-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The statistics as first defined (store.ts before the two-level aggregate): the oracle. */
function originalPatterns(db: Database.Database, table: string): unknown[] {
  return db
    .prepare(
      `SELECT pattern, count(*), sum(ttl_ms = -1), sum(memory_bytes), sum(CASE WHEN ttl_ms = -1 THEN memory_bytes END),
         (SELECT json_group_object(type, n) FROM (SELECT type, count(*) AS n FROM "${table}" AS k2 WHERE k2.pattern = k.pattern GROUP BY type)),
         sum(ttl_ms = -1), sum(ttl_ms >= 0 AND ttl_ms < 60000), sum(ttl_ms >= 60000 AND ttl_ms < 3600000),
         sum(ttl_ms >= 3600000 AND ttl_ms < 86400000), sum(ttl_ms >= 86400000 AND ttl_ms < 604800000), sum(ttl_ms >= 604800000),
         sum(memory_bytes IS NULL), sum(ttl_ms = -1 AND memory_bytes IS NULL)
       FROM "${table}" AS k GROUP BY pattern ORDER BY pattern`,
    )
    .raw()
    .all();
}

const TYPES = ['string', 'hash', 'list', 'set', 'zset', 'stream'];
const TTLS = [-1, 0, 59_999, 60_000, 3_599_999, 86_400_000, 604_800_000, 10 ** 12];

function records(n: number): RedisKeyRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    db: 0,
    pattern: i % 97 === 0 ? '用户:*' : `p${i % 41}:*`,
    keyHash: (i * 2654435761).toString(16).padStart(16, '0').slice(-16),
    keyName: i % 5 === 0 ? `name ${i} ✓` : null,
    type: TYPES[(i * 7) % (1 + (i % 41) % TYPES.length)]!,
    ttlMs: TTLS[i % TTLS.length]!,
    memoryBytes: i % 11 === 0 ? null : 40 + (i % 300),
    shard: i % 3 === 0 ? '0-5460' : null,
  }));
}

describe('Redis key records in the snapshot', () => {
  it('are stored as given, hashed as verify recomputes them, with the original per-pattern statistics', async () => {
    const path = join(dir, 'keys.snapbench');
    const writer = await SnapshotWriter.open(path);
    const keys = records(5000);
    // A memory size beyond 2^53 (not one a server gives) is not encoded: that batch goes as values, hashed with SQL.
    keys[2500] = { ...keys[2500]!, memoryBytes: 2 ** 53 };
    const target = writer.instanceTarget({ name: 'r', engine: 'redis', connection: { host: '127.0.0.1', port: 1, connectTimeoutMs: 1, statementTimeoutMs: 1 }, rawKeyNames: true, readValues: false });
    const db0 = target.beginRedisDatabase(0);
    for (let i = 0; i < keys.length; i += 1000) await db0.push(keys.slice(i, i + 1000));
    await db0.finish();
    writer.finishInstance('r');
    await writer.finish(fixtureManifest({ createdBy: 'test', fleet: 'test' }));
    const db = new Database(path, { readonly: true });
    try {
      expect(verifySnapshot(db, path).problems).toEqual([]);
      const stored = db.prepare(`SELECT pattern, key_hash, key_name, type, ttl_ms, memory_bytes, shard FROM "r/db0/keys" ORDER BY rowid`).raw().all();
      expect(stored).toEqual(keys.map((k) => [k.pattern, k.keyHash, k.keyName, k.type, k.ttlMs, k.memoryBytes, k.shard]));
      const patterns = db
        .prepare(
          `SELECT pattern, keys, persistent_keys, memory_bytes, persistent_memory_bytes, types, ttl_persistent, ttl_under_1m, ttl_1m_1h, ttl_1h_1d,
             ttl_1d_7d, ttl_over_7d, memory_unknown_keys, persistent_memory_unknown_keys FROM _snapbench_redis_patterns ORDER BY pattern`,
        )
        .raw()
        .all();
      expect(patterns.length).toBeGreaterThan(40);
      expect(patterns).toEqual(originalPatterns(db, 'r/db0/keys'));
    } finally {
      db.close();
    }
  });
});
