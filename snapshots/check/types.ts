// What `fleet check --connect` finds per instance, and what each engine's probe
// returns. The JSON shape is the CLI contract.
import type { TlsInfo, UnreadableTable } from '../../shared/model/connectCheck.ts';

export type { ConnectCheck } from '../../shared/model/connectCheck.ts';

/** What an engine's probe learns over one live session. */
export interface ProbeResult {
  version: string;
  tls: TlsInfo | null;
  latencyMs: number;
  canWrite: boolean | null;
  writePrivileges: string[];
  auditNote?: string;
  notReadable: UnreadableTable[];
  readWarnings: string[];
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
