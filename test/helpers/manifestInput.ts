// The manifest facts a test fixture hands SnapshotWriter.finish: a synthetic
// snapshot made on localhost by this build, one entry per varying field.
import type { ManifestInput } from '../../snapshots/file/writer.ts';
import { TOOL_VERSION } from '../../snapshots/version.ts';

export function fixtureManifest(options: { createdBy: string; fleet: string; instances?: number; createdAt?: string; maxRows?: number | null }): ManifestInput {
  return {
    tool: { name: 'snapbench', version: TOOL_VERSION },
    createdAt: options.createdAt ?? new Date().toISOString(),
    createdBy: options.createdBy,
    createdOnHost: 'localhost',
    synthetic: true,
    fleet: { name: options.fleet, file: null, sha256: null, instances: options.instances ?? 1 },
    options: { maxRows: options.maxRows ?? null, only: null, concurrency: 1 },
    keyHashing: { algorithm: 'hmac-sha256/16', keySource: 'random-per-snapshot' },
  };
}
