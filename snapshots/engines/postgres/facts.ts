// Server facts: version, configuration, status, and per database its size,
// extensions and pg_stat_user_tables. All values are strings (or null).
import type { ReplicationInfo, ServerFact } from '../../../shared/model/snapshot.ts';
import { replicationFacts } from '../replication.ts';
import type { PgClient } from './connect.ts';

/** Settings worth keeping for sizing and review, lower case (facts are named so); missing ones (older versions, managed services) are simply absent. */
export const SETTINGS = [
  'max_connections',
  'superuser_reserved_connections',
  'shared_buffers',
  'effective_cache_size',
  'work_mem',
  'maintenance_work_mem',
  'autovacuum_work_mem',
  'temp_buffers',
  'huge_pages',
  'wal_level',
  'wal_buffers',
  'max_wal_size',
  'min_wal_size',
  'checkpoint_timeout',
  'checkpoint_completion_target',
  'synchronous_commit',
  'fsync',
  'full_page_writes',
  'archive_mode',
  'max_wal_senders',
  'max_replication_slots',
  'hot_standby',
  'default_transaction_isolation',
  'default_transaction_read_only',
  'statement_timeout',
  'idle_in_transaction_session_timeout',
  'lock_timeout',
  'timezone',
  'log_timezone',
  'datestyle',
  'intervalstyle',
  'lc_collate',
  'lc_ctype',
  'lc_monetary',
  'server_encoding',
  'data_checksums',
  'block_size',
  'max_worker_processes',
  'max_parallel_workers',
  'max_parallel_workers_per_gather',
  'random_page_cost',
  'effective_io_concurrency',
  'default_statistics_target',
  'autovacuum',
  'autovacuum_max_workers',
  'autovacuum_naptime',
  'autovacuum_vacuum_scale_factor',
  'autovacuum_analyze_scale_factor',
  'track_activities',
  'track_counts',
  'track_io_timing',
  'log_min_duration_statement',
  'shared_preload_libraries',
  'ssl',
  'password_encryption',
  'jit',
];

/** `15.19 (Debian 15.19-1)` → `15.19`; `16beta2` stays as is. */
export function shortVersion(serverVersion: string): string {
  return serverVersion.trim().split(/\s+/)[0] ?? serverVersion;
}

export interface ServerSummary {
  version: string;
  versionNum: number;
  facts: ServerFact[];
}

/**
 * Instance-wide facts. Run on a fresh session before any SET LOCAL, so settings
 * show the server's values (as SHOW prints them, e.g. `128MB`), not ours.
 */
export async function serverFacts(client: PgClient): Promise<ServerSummary> {
  const head = (
    await client.query<{
      version: string;
      server_version: string;
      server_version_num: string;
      started: string | null;
      uptime: string | null;
      in_recovery: boolean;
    }>(`SELECT version() AS version, current_setting('server_version') AS server_version,
               current_setting('server_version_num') AS server_version_num,
               to_char(pg_postmaster_start_time() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' AS started,
               floor(extract(epoch FROM now() - pg_postmaster_start_time()))::bigint::text AS uptime,
               pg_is_in_recovery() AS in_recovery`)
  ).rows[0]!;
  const facts: ServerFact[] = [
    { category: 'server', name: 'version', value: head.version },
    { category: 'server', name: 'server_version', value: head.server_version },
    { category: 'server', name: 'server_version_num', value: head.server_version_num },
    { category: 'status', name: 'uptime_seconds', value: head.uptime },
    { category: 'status', name: 'postmaster_start_time', value: head.started },
    { category: 'status', name: 'in_recovery', value: head.in_recovery ? 'true' : 'false' },
  ];
  const settings = (
    await client.query<{ name: string; value: string }>(
      `SELECT lower(name) AS name, current_setting(name) AS value FROM pg_settings WHERE lower(name) = ANY($1::text[]) ORDER BY 1`,
      [SETTINGS],
    )
  ).rows;
  for (const s of settings) facts.push({ category: 'setting', name: s.name, value: s.value });
  // Other sessions' rows are visible to unprivileged users (their query text is not, and not read).
  const activity = (
    await client.query<{ total: string; client: string; active: string }>(
      `SELECT count(*)::text AS total,
              count(*) FILTER (WHERE backend_type = 'client backend')::text AS client,
              count(*) FILTER (WHERE backend_type = 'client backend' AND state = 'active')::text AS active
       FROM pg_stat_activity`,
    )
  ).rows[0]!;
  facts.push(
    { category: 'status', name: 'connections', value: activity.client },
    { category: 'status', name: 'connections_active', value: activity.active },
    { category: 'status', name: 'backends', value: activity.total },
  );
  return { version: shortVersion(head.server_version), versionNum: Number(head.server_version_num), facts };
}

export interface DatabaseSummary {
  encoding: string;
  facts: ServerFact[];
}

/** Facts about the database the client is connected to, read inside its snapshot transaction. */
export async function databaseFacts(client: PgClient, database: string): Promise<DatabaseSummary> {
  const db = (
    await client.query<{ size: string; encoding: string; collation: string; ctype: string }>(
      `SELECT pg_database_size(d.oid)::text AS size, pg_encoding_to_char(d.encoding) AS encoding,
              d.datcollate::text AS collation, d.datctype::text AS ctype
       FROM pg_database d WHERE d.datname = current_database()`,
    )
  ).rows[0]!;
  const facts: ServerFact[] = [
    { category: 'database', name: `${database}.size_bytes`, value: db.size },
    { category: 'database', name: `${database}.encoding`, value: db.encoding },
    { category: 'database', name: `${database}.collation`, value: db.collation },
    { category: 'database', name: `${database}.ctype`, value: db.ctype },
  ];
  const stats = (
    await client.query<Record<string, string | null>>(
      `SELECT schemaname AS schema, relname AS name,
              n_live_tup::text, n_dead_tup::text, n_mod_since_analyze::text,
              seq_scan::text, seq_tup_read::text, idx_scan::text, idx_tup_fetch::text,
              n_tup_ins::text, n_tup_upd::text, n_tup_del::text, n_tup_hot_upd::text,
              last_vacuum::text, last_autovacuum::text, last_analyze::text, last_autoanalyze::text,
              vacuum_count::text, autovacuum_count::text, analyze_count::text, autoanalyze_count::text
       FROM pg_stat_user_tables
       ORDER BY schemaname, relname`,
    )
  ).rows;
  for (const row of stats) {
    const value: Record<string, number | string | null> = {};
    for (const [key, v] of Object.entries(row)) {
      if (key === 'schema' || key === 'name') continue;
      // Counters are bigint: numbers while exact, else kept as text.
      value[key] = v === null ? null : /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)) ? Number(v) : v;
    }
    facts.push({ category: 'table_stats', name: `${database}.${row.schema}.${row.name}`, value: JSON.stringify(value) });
  }
  return { encoding: db.encoding, facts };
}

/** Extensions of one database: name → version. */
export async function extensions(client: PgClient): Promise<Map<string, string>> {
  const rows = (await client.query<{ name: string; version: string }>(`SELECT extname AS name, extversion AS version FROM pg_extension ORDER BY extname`)).rows;
  return new Map(rows.map((r) => [r.name, r.version]));
}

/**
 * Extensions across the pulled databases as facts named by the extension. When
 * databases disagree on an extension's version, the value names each one.
 */
export function extensionFacts(perDatabase: Map<string, Map<string, string>>): ServerFact[] {
  const versions = new Map<string, Map<string, string[]>>();
  for (const [database, exts] of perDatabase) {
    for (const [name, version] of exts) {
      const byVersion = versions.get(name) ?? new Map<string, string[]>();
      byVersion.set(version, [...(byVersion.get(version) ?? []), database]);
      versions.set(name, byVersion);
    }
  }
  return [...versions.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, byVersion]) => ({
      category: 'extension',
      name,
      value:
        byVersion.size === 1
          ? [...byVersion.keys()][0]!
          : [...byVersion.entries()].map(([version, dbs]) => `${version} (${dbs.join(', ')})`).join('; '),
    }));
}

/**
 * The server's replication role: a standby (pg_is_in_recovery) with its primary
 * from pg_stat_wal_receiver (host and status need pg_read_all_stats or
 * superuser; without them they are unknown) and its replay lag.
 */
export async function postgresReplication(client: PgClient): Promise<{ info: ReplicationInfo; facts: ServerFact[] }> {
  const { rows } = await client.query<{ standby: boolean; status: string | null; host: string | null; port: number | null; lag_ms: string | null; conninfo: string | null }>(
    `SELECT pg_is_in_recovery() AS standby, w.status, w.sender_host AS host, w.sender_port AS port,
            CASE WHEN pg_is_in_recovery() THEN floor(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::bigint::text END AS lag_ms,
            current_setting('primary_conninfo', true) AS conninfo
       FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver w ON true`,
  );
  const r = rows[0]!;
  if (!r.standby) {
    const primary: ReplicationInfo = { role: 'primary', primary: null, linkStatus: null, lagMs: null };
    return { info: primary, facts: replicationFacts(primary) };
  }
  // Where the WAL receiver is not running, primary_conninfo (when the account may read it) still names the primary.
  const conninfo = (key: string) => new RegExp(`(?:^|\\s)${key}=('(?:[^'\\\\]|\\\\.)*'|\\S+)`).exec(r.conninfo ?? '')?.[1]?.replace(/^'|'$/g, '') ?? null;
  const host = r.host ?? conninfo('host');
  const port = r.port ?? (conninfo('port') ? Number(conninfo('port')) : null);
  const info: ReplicationInfo = {
    role: 'replica',
    primary: host ? `${host}:${port ?? 5432}` : null,
    linkStatus: r.status === 'streaming' ? 'up' : `down (WAL receiver: ${r.status ?? 'not running'})`,
    lagMs: r.lag_ms === null ? null : Number(r.lag_ms),
  };
  return { info, facts: replicationFacts(info) };
}
