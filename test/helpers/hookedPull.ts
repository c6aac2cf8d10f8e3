// Pulls one fleet in this process with the real writer and a real adapter, but
// with some of the adapter's calls to its target intercepted: a test acts at a
// precise moment of a pull (another session's DDL while a table streams, a
// TRUNCATE right after the catalog is read) and the file is still the real one.
import { parseFleet } from '../../shared/model/fleet.ts';
import type { EngineAdapter, InstanceTarget, PullOptions } from '../../snapshots/engines/types.ts';
import type { FleetInstance } from '../../shared/model/fleet.ts';
import { pullFleet, type PullFleetResult } from '../../snapshots/pull/pullFleet.ts';

export async function hookedPull(
  adapter: EngineAdapter,
  instance: Record<string, unknown>,
  out: string,
  hooks: (target: InstanceTarget) => Partial<InstanceTarget>,
  env: Record<string, string> = {},
): Promise<PullFleetResult> {
  return pullFleet({
    fleet: parseFleet({ instances: [instance] }),
    fleetFile: null,
    fleetBytes: null,
    out,
    only: null,
    maxRows: null,
    concurrency: 1,
    signal: new AbortController().signal,
    env,
    adapters: {
      [adapter.engine]: {
        engine: adapter.engine,
        pullInstance: (i: FleetInstance, target: InstanceTarget, options: PullOptions) => adapter.pullInstance(i, { ...target, ...hooks(target) }, options),
      },
    },
  });
}
