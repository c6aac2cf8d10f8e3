// What a connection check finds per instance (`fleet check --connect` and the
// pull view's "Check connections"): the JSON shape is the CLI contract.
import type { Engine } from './fleet.ts';

/** What a TLS connection negotiated. */
export interface TlsInfo {
  protocol: string;
  cipher: string;
  verified: boolean;
}

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
  /** Tables the account cannot read at all, with the missing privilege (a pull leaves them out). */
  notReadable: UnreadableTable[];
  /** What the account reads only in part or may not see, one line each (table- or column-level grants, row security, a listed database not found). */
  readWarnings: string[];
}

/** A table the connection check found the account cannot read. */
export interface UnreadableTable {
  database: string;
  /** `schema.table` for PostgreSQL. */
  table: string;
  /** The missing privilege and how to grant it. */
  reason: string;
}
