// `fleet check --connect`: connects to every instance with connection details
// (through its bastion and TLS, with its password_command run first), pulls
// nothing, and reports per instance reachability, version, TLS, route, latency,
// what the account could change and what it cannot read.
import { sshRoute, type FleetInstance } from '../../shared/model/fleet.ts';
import { PullError } from '../engines/errors.ts';
import { instancePassword } from '../net/credentials.ts';
import { Network } from '../net/network.ts';
import type { ConnectCheck, ProbeResult } from './types.ts';

async function probe(instance: FleetInstance, password: string | undefined, network: Network): Promise<ProbeResult> {
  switch (instance.engine) {
    case 'mysql':
      return (await import('../engines/mysql/audit.ts')).probeMysql(instance, password, network);
    case 'postgres':
      return (await import('../engines/postgres/audit.ts')).probePostgres(instance, password, network);
    case 'redis':
      return (await import('../engines/redis/audit.ts')).probeRedis(instance, password, network);
  }
}

async function checkOne(instance: FleetInstance, env: Record<string, string | undefined>, network: Network): Promise<ConnectCheck> {
  const c = instance.connection!;
  const base = { instance: instance.name, engine: instance.engine, ssh: c.ssh ? sshRoute(c.ssh) : null };
  try {
    const password = await instancePassword(instance, env);
    const result = await probe(instance, password, network);
    return {
      ...base,
      ok: true,
      version: result.version,
      tls: result.tls,
      latencyMs: result.latencyMs,
      canWrite: result.canWrite,
      writePrivileges: result.writePrivileges,
      ...(result.auditNote ? { auditNote: result.auditNote } : {}),
      notReadable: result.notReadable,
      readWarnings: result.readWarnings,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = error instanceof PullError ? error.hint : null;
    return { ...base, ok: false, error: message, ...(hint ? { hint } : {}), tls: null, canWrite: null, writePrivileges: [], notReadable: [], readWarnings: [] };
  }
}

/** Checks the instances (at most `concurrency` at once), in manifest order. */
export async function checkConnections(instances: FleetInstance[], env: Record<string, string | undefined>, concurrency = 8): Promise<ConnectCheck[]> {
  const connected = instances.filter((i) => i.connection);
  const results: ConnectCheck[] = new Array(connected.length);
  const network = new Network(env);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(concurrency, connected.length)) }, async () => {
        while (next < connected.length) {
          const index = next++;
          results[index] = await checkOne(connected[index]!, env, network);
        }
      }),
    );
  } finally {
    network.close();
  }
  return results;
}
