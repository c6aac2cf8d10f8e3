// Who and what made a snapshot: shared by the pull and the demo.
import { createHash, randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { SnapshotManifest } from '../../shared/model/snapshot.ts';

/** The HMAC key for Redis key names: SNAPBENCH_KEY_HASH_SECRET when set (comparable across snapshots), else random per snapshot. */
export function keyHashSecret(env: Record<string, string | undefined>): { secret: Buffer; source: SnapshotManifest['keyHashing']['keySource'] } {
  const configured = env.SNAPBENCH_KEY_HASH_SECRET;
  if (configured) return { secret: createHash('sha256').update(configured).digest(), source: 'SNAPBENCH_KEY_HASH_SECRET' };
  return { secret: randomBytes(32), source: 'random-per-snapshot' };
}

export function currentUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
