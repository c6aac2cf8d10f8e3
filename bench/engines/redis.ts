// Redis in the bench: a key mix like the reference fleet's caches loaded with
// `redis-cli --pipe`, inventoried by snapbench against `redis-cli --memkeys`.
import { randomBytes } from 'node:crypto';
import type { ThrowawayServer } from '../../test/helpers/servers.ts';
import type { PairSpec } from '../harness/pull.ts';
import { compact } from '../harness/pull.ts';
import { runFeeding, runSimple } from '../harness/process.ts';

function resp(args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return out;
}

/**
 * `keys` keys through `redis-cli --pipe`, a mix like the reference fleet's caches:
 * 50% CONTACT_day:<id> strings without TTL, 30% session:<token> strings with a TTL,
 * 10% cart:<id> hashes, 5% shop:<id>:queue lists, 5% user:<id>:coupons sets.
 */
export async function generateRedis(server: ThrowawayServer, keys: number): Promise<void> {
  const CHUNK = 10_000;
  const commands = async function* (): AsyncGenerator<string> {
    for (let start = 0; start < keys; start += CHUNK) {
      let chunk = '';
      const end = Math.min(keys, start + CHUNK);
      for (let i = start; i < end; i++) {
        const bucket = i % 100;
        if (bucket < 50) chunk += resp(['SET', `CONTACT_day:${10_000_000 + i}`, String(i % 7)]);
        else if (bucket < 80) chunk += resp(['SET', `session:${randomBytes(16).toString('hex')}`, String(1 + ((i * 2654435761) % 250_000)), 'EX', String(3600 + (i % 86_400))]);
        else if (bucket < 90) chunk += resp(['HSET', `cart:${i}`, `sku_${i % 300}`, String(1 + (i % 3)), `sku_${(i * 7) % 300}`, '1', 'updated_at', String(1_704_067_200 + i)]);
        else if (bucket < 95) chunk += resp(['RPUSH', `shop:${i}:queue`, `LK${i}01`, `LK${i}02`, `LK${i}03`]);
        else chunk += resp(['SADD', `user:${i}:coupons`, `C${i % 97}`, `C${i % 89}`, `C${i % 83}`]);
      }
      yield chunk;
    }
  };
  const r = await runFeeding('redis-cli', ['-h', server.host, '-p', String(server.port), '--pipe'], commands);
  if (r.code !== 0 || !/errors: 0,/.test(r.stdout)) throw new Error(`redis-cli --pipe failed (code ${r.code}): ${(r.stdout + r.stderr).trim().slice(-500)}`);
  const size = Number((await runSimple('redis-cli', ['-h', server.host, '-p', String(server.port), 'DBSIZE'])).stdout.trim());
  if (size !== keys) throw new Error(`Redis has ${size} keys after loading, expected ${keys} (a set/sadd collapsed duplicates?)`);
}

export function redisPair(server: ThrowawayServer, keys: number): PairSpec {
  return {
    id: 'redis',
    what: `Redis ${compact(keys)} keys`,
    unit: 'keys',
    count: keys,
    instance: 'bench-redis',
    serverPid: server.pid,
    tool: 'redis-cli --memkeys',
    cmd: 'redis-cli',
    args: ['-h', server.host, '-p', String(server.port), '--memkeys'],
  };
}
