// What `fleet check --connect` finds per instance, and what each engine's probe
// returns. The JSON shape is the CLI contract.
import type { Engine } from '../../shared/model/fleet.ts';
import type { TlsInfo } from '../net/tls.ts';

/** One instance's line of `fleet check --connect --format json`. */
export interface ConnectCheck {
  instance: string;
  engine: Engine;
  ok: boolean;
  error?: string;
  hint?: string;
  version?: string;
  tls: TlsInfo | null;
  /** "user@host:port" of the bastion, or null for a direct connection. */
  ssh: string | null;
  latencyMs?: number;
  /** Whether the account can write: null when the server would not say. */
  canWrite: boolean | null;
  /** What lets it write ("INSERT ON `shop`.*", "superuser", "+@write", ...). */
  writePrivileges: string[];
  /** Why canWrite is null, when it is. */
  auditNote?: string;
}

/** What an engine's probe learns over one live session. */
export interface ProbeResult {
  version: string;
  tls: TlsInfo | null;
  latencyMs: number;
  canWrite: boolean | null;
  writePrivileges: string[];
  auditNote?: string;
}

/** The best of a few round trips, in milliseconds with one decimal. */
export async function roundTripMs(ping: () => Promise<unknown>, times = 3): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    const start = process.hrtime.bigint();
    await ping();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return Math.round(best * 10) / 10;
}

/** At most `limit` items, then one "... and N more". */
export function capList(items: string[], limit = 50): string[] {
  return items.length <= limit ? items : [...items.slice(0, limit), `... and ${items.length - limit} more`];
}
