// Pulls a whole fleet into one snapshot file: instances concurrently up to a
// limit, each independent, so one failing instance never sinks the others.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { missingPasswordVariables, FleetError, type Fleet, type FleetInstance } from '../../shared/model/fleet.ts';
import type { SnapshotManifest } from '../../shared/model/snapshot.ts';
import { loadAdapter } from '../engines/index.ts';
import { PullError, type EngineAdapter, type InPlaceRunner, type PullEvent } from '../engines/types.ts';
import { SnapshotWriter } from '../file/writer.ts';
import { instancePassword } from '../net/credentials.ts';
import { Network } from '../net/network.ts';
import { TOOL_VERSION } from '../version.ts';
import { currentUserName, keyHashSecret } from './provenance.ts';
import type { BaseSnapshot } from './base.ts';

export interface PullFleetOptions {
  fleet: Fleet;
  /** The manifest file's path and bytes, for provenance (its hash, never its secrets: it has none). */
  fleetFile: string | null;
  fleetBytes: Buffer | null;
  out: string;
  only: string[] | null;
  maxRows: number | null;
  concurrency: number;
  signal: AbortSignal;
  env: Record<string, string | undefined>;
  onEvent?: (event: PullEvent) => void;
  /** Checks every instance in place in its pull session instead of pulling rows (dq --pushdown). */
  inPlace?: InPlaceRunner;
  /**
   * Incremental pull: tables this snapshot proves unchanged are carried from it,
   * append-only tables get only their new rows. It is only read.
   */
  base?: BaseSnapshot;
  /** The base as the user named it (recorded in the manifest). */
  baseFile?: string;
  /** Replaces the real adapters (used by tests that need an engine to misbehave). */
  adapters?: Partial<Record<FleetInstance['engine'], EngineAdapter>>;
}

export interface PullFailure {
  instance: string;
  message: string;
  hint: string | null;
}

export interface PullFleetResult {
  /** Null when no instance could be pulled: then no file was written. */
  manifest: SnapshotManifest | null;
  failures: PullFailure[];
  pulled: string[];
}

export class CancelledError extends Error {
  constructor() {
    super('pull cancelled; no file was written');
    this.name = 'CancelledError';
  }
}

export function selectInstances(fleet: Fleet, only: string[] | null): FleetInstance[] {
  if (!only) return fleet.instances;
  const known = new Set(fleet.instances.map((i) => i.name));
  const unknown = only.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new FleetError(`--only: no instance named ${unknown.map((n) => `"${n}"`).join(', ')} in the fleet manifest; it has ${[...known].join(', ')}`);
  }
  return fleet.instances.filter((i) => only.includes(i.name));
}

/** Runs tasks with at most `limit` in flight. */
async function runLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item);
    }
  });
  await Promise.all(workers);
}

export async function pullFleet(options: PullFleetOptions): Promise<PullFleetResult> {
  const selected = selectInstances(options.fleet, options.only);
  const missing = missingPasswordVariables(selected, options.env);
  if (missing.length > 0) throw new FleetError(missing.join('\n'));
  const pullable = selected.filter((i) => i.connection);
  if (pullable.length === 0) {
    throw new FleetError(
      `nothing to pull: ${options.only ? 'none of the instances given to --only has' : 'no instance in the fleet manifest has'} connection details (host); inventory-only instances are not pulled`,
    );
  }
  const { secret, source } = keyHashSecret(options.env);
  const writer = await SnapshotWriter.open(options.out);
  const failures: PullFailure[] = [];
  const pulled: string[] = [];
  // One SSH connection per bastion for the whole pull, shared by the instances behind it.
  const network = new Network(options.env);
  const emit = (event: PullEvent) => options.onEvent?.(event);
  try {
    for (const instance of selected) if (!instance.connection) writer.recordInstance(instance, 'inventory-only');
    for (const instance of options.fleet.instances) if (!selected.includes(instance)) writer.recordInstance(instance, 'skipped');
    await runLimited(pullable, options.concurrency, async (instance) => {
      if (options.signal.aborted) return;
      const target = writer.instanceTarget(instance);
      emit({ type: 'instance-start', instance: instance.name, engine: instance.engine });
      try {
        const adapter = options.adapters?.[instance.engine] ?? (await loadAdapter(instance.engine));
        await adapter.pullInstance(instance, target, {
          // pull: sample keeps the instance's max_rows (or --max-rows when smaller); pull: pushdown reads no rows.
          maxRows: instance.pull === 'sample' ? Math.min(instance.maxRows ?? Infinity, options.maxRows ?? Infinity) : options.maxRows,
          mode: instance.pull === 'pushdown' || options.inPlace ? 'catalog' : 'full',
          inPlace: options.inPlace,
          signal: options.signal,
          // password_command runs here, just before this instance connects.
          password: await instancePassword(instance, options.env, options.signal),
          keyHashSecret: secret,
          progress: emit,
          network,
          base: options.base?.forInstance(instance.name),
        });
        writer.finishInstance(instance.name);
        pulled.push(instance.name);
        emit({ type: 'instance-done', instance: instance.name, tables: target.record.tables, rows: target.record.rows });
      } catch (error) {
        if (options.signal.aborted) return;
        let message = error instanceof Error ? error.message : String(error);
        let hint = error instanceof PullError ? error.hint : null;
        const lost = network.lostReason(instance.connection);
        if (lost && !message.includes(lost)) {
          message = `${message} (${lost})`;
          hint = 'the SSH bastion went away during the pull; pull this instance again when it is back';
        }
        await writer.failInstance(instance.name, message, hint);
        failures.push({ instance: instance.name, message, hint });
        emit({ type: 'instance-failed', instance: instance.name, message, hint });
      }
    });
    if (options.signal.aborted) throw new CancelledError();
    if (pulled.length === 0) {
      await writer.abort();
      return { manifest: null, failures, pulled };
    }
    const manifest = await writer.finish({
      tool: { name: 'snapbench', version: TOOL_VERSION },
      createdAt: new Date().toISOString(),
      createdBy: currentUserName(),
      createdOnHost: hostname(),
      synthetic: options.fleet.synthetic,
      fleet: {
        name: options.fleet.name ?? null,
        file: options.fleetFile,
        sha256: options.fleetBytes ? createHash('sha256').update(options.fleetBytes).digest('hex') : null,
        instances: options.fleet.instances.length,
      },
      options: { maxRows: options.maxRows, only: options.only, concurrency: options.concurrency },
      keyHashing: { algorithm: 'hmac-sha256/16', keySource: source },
      ...(options.base
        ? {
            base: options.base.rootSha256,
            incremental: {
              baseFile: options.baseFile ?? options.base.file,
              baseCreatedAt: options.base.createdAt,
              tables: { pulled: writer.origins.pulled.tables, carried: writer.origins.carried.tables, appended: writer.origins.appended.tables },
              rowsRead: writer.origins.pulled.rowsRead + writer.origins.appended.rowsRead,
              rowsCarried: writer.origins.carried.rowsCarried + writer.origins.appended.rowsCarried,
            },
          }
        : {}),
    });
    return { manifest, failures, pulled };
  } catch (error) {
    await writer.abort();
    throw error;
  } finally {
    network.close();
  }
}
