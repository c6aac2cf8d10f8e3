// The catalog tables every snapshot file carries next to the pulled data.
// Their layout is documented in snapshots/README.md; change both together.
import type { StorageKind } from '../../shared/model/snapshot.ts';

export const META = {
  manifest: '_snapbench_manifest',
  instances: '_snapbench_instances',
  tables: '_snapbench_tables',
  columns: '_snapbench_columns',
  indexes: '_snapbench_indexes',
  serverFacts: '_snapbench_server_facts',
  redisPatterns: '_snapbench_redis_patterns',
  objects: '_snapbench_objects',
  foreignKeys: '_snapbench_foreign_keys',
} as const;

/** Catalog tables every snapshot has had since the first format: a file without one of them is not intact. */
export const REQUIRED_META_TABLES = [
  META.instances,
  META.tables,
  META.columns,
  META.indexes,
  META.serverFacts,
  META.redisPatterns,
] as const;

/**
 * Catalog tables covered by the manifest's hashes (the manifest table holds the
 * hashes, so it is not). Files made before a table was added lack it; readers
 * check with `hasTable` / `columnNames` before relying on a later addition.
 */
export const HASHED_META_TABLES = [...REQUIRED_META_TABLES, META.objects, META.foreignKeys] as const;

/** `_snapbench_tables.status`: what a catalog row's data table holds. */
export const TABLE_STATUSES = ['pulled', 'partial', 'not-readable', 'skipped', 'failed'] as const;

export const META_DDL = `
CREATE TABLE ${META.manifest} (
  body TEXT NOT NULL,
  root_sha256 TEXT NOT NULL
);
CREATE TABLE ${META.instances} (
  instance TEXT NOT NULL PRIMARY KEY,
  engine TEXT NOT NULL,
  domain TEXT,
  host TEXT,
  port INTEGER,
  instance_class TEXT,
  allocated_memory_mb INTEGER,
  status TEXT NOT NULL,
  error TEXT,
  hint TEXT,
  consistency TEXT,
  consistency_note TEXT,
  version TEXT,
  started_at TEXT,
  finished_at TEXT,
  tables INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  limited_tables INTEGER NOT NULL,
  role TEXT,
  primary_host TEXT,
  link_status TEXT,
  replication_lag_ms INTEGER,
  not_read_tables INTEGER
);
CREATE TABLE ${META.tables} (
  sql_name TEXT NOT NULL PRIMARY KEY,
  table_name TEXT NOT NULL,
  instance TEXT NOT NULL,
  engine TEXT NOT NULL,
  database TEXT NOT NULL,
  schema TEXT,
  source_table TEXT NOT NULL,
  kind TEXT NOT NULL,
  rows INTEGER NOT NULL,
  limited INTEGER NOT NULL,
  estimated_rows INTEGER,
  data_bytes INTEGER,
  index_bytes INTEGER,
  engine_table_type TEXT,
  comment TEXT,
  status TEXT NOT NULL DEFAULT 'pulled',
  status_reason TEXT,
  history_rows INTEGER,
  origin TEXT NOT NULL DEFAULT 'pulled',
  origin_note TEXT
);
CREATE TABLE ${META.columns} (
  table_name TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  column_name TEXT NOT NULL,
  sql_column TEXT NOT NULL,
  declared_type TEXT NOT NULL,
  storage TEXT NOT NULL,
  nullable INTEGER NOT NULL,
  primary_key_ordinal INTEGER,
  default_value TEXT,
  comment TEXT,
  generated TEXT,
  identity TEXT,
  note TEXT,
  PRIMARY KEY (table_name, ordinal)
);
CREATE TABLE ${META.indexes} (
  table_name TEXT NOT NULL,
  index_name TEXT NOT NULL,
  is_unique INTEGER NOT NULL,
  is_primary INTEGER NOT NULL,
  columns TEXT NOT NULL
);
CREATE TABLE ${META.serverFacts} (
  instance TEXT NOT NULL,
  category TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT
);
CREATE TABLE ${META.redisPatterns} (
  instance TEXT NOT NULL,
  db INTEGER NOT NULL,
  pattern TEXT NOT NULL,
  keys INTEGER NOT NULL,
  persistent_keys INTEGER NOT NULL,
  memory_bytes INTEGER,
  persistent_memory_bytes INTEGER,
  types TEXT NOT NULL,
  ttl_persistent INTEGER NOT NULL,
  ttl_under_1m INTEGER NOT NULL,
  ttl_1m_1h INTEGER NOT NULL,
  ttl_1h_1d INTEGER NOT NULL,
  ttl_1d_7d INTEGER NOT NULL,
  ttl_over_7d INTEGER NOT NULL,
  memory_unknown_keys INTEGER,
  persistent_memory_unknown_keys INTEGER,
  limited INTEGER
);
CREATE TABLE ${META.objects} (
  instance TEXT NOT NULL,
  database TEXT NOT NULL,
  schema TEXT,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  table_name TEXT,
  definition TEXT,
  details TEXT
);
CREATE TABLE ${META.foreignKeys} (
  table_name TEXT NOT NULL,
  constraint_name TEXT NOT NULL,
  columns TEXT NOT NULL,
  referenced_database TEXT,
  referenced_schema TEXT,
  referenced_table TEXT NOT NULL,
  referenced_table_name TEXT,
  referenced_columns TEXT NOT NULL,
  on_update TEXT,
  on_delete TEXT
);
`;

/**
 * The catalog as written before `_snapbench_tables` had `origin` / `origin_note`
 * (incremental pulls): files made then record this schema, and `share` copies
 * their catalog with it.
 */
export const META_DDL_BEFORE_ORIGIN = META_DDL.replace(`,\n  origin TEXT NOT NULL DEFAULT 'pulled',\n  origin_note TEXT\n`, '\n');

/** Every definition of the catalog tables files have been written with, newest first. */
export const META_DDL_VERSIONS = [META_DDL, META_DDL_BEFORE_ORIGIN] as const;

/** Whether a (catalog) table exists in the file: older files lack later catalog tables. */
export function hasTable(db: { prepare(sql: string): { get(...args: unknown[]): unknown } }, name: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
}

/** The column names of a table, to read later catalog columns only where a file has them. */
export function columnNames(db: { prepare(sql: string): { all(...args: unknown[]): unknown[] } }, name: string): Set<string> {
  return new Set((db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as { name: string }[]).map((r) => r.name));
}

/**
 * The catalog as files were written before the manifest recorded the schema
 * (and before table status, objects and foreign keys were added). Kept
 * byte for byte: `verify` rebuilds such a file's expected schema from it, and
 * `share` copies such a file's catalog tables with these definitions.
 */
export const LEGACY_META_DDL = `
CREATE TABLE ${META.manifest} (
  body TEXT NOT NULL,
  root_sha256 TEXT NOT NULL
);
CREATE TABLE ${META.instances} (
  instance TEXT NOT NULL PRIMARY KEY,
  engine TEXT NOT NULL,
  domain TEXT,
  host TEXT,
  port INTEGER,
  instance_class TEXT,
  allocated_memory_mb INTEGER,
  status TEXT NOT NULL,
  error TEXT,
  hint TEXT,
  consistency TEXT,
  consistency_note TEXT,
  version TEXT,
  started_at TEXT,
  finished_at TEXT,
  tables INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  limited_tables INTEGER NOT NULL
);
CREATE TABLE ${META.tables} (
  sql_name TEXT NOT NULL PRIMARY KEY,
  table_name TEXT NOT NULL,
  instance TEXT NOT NULL,
  engine TEXT NOT NULL,
  database TEXT NOT NULL,
  schema TEXT,
  source_table TEXT NOT NULL,
  kind TEXT NOT NULL,
  rows INTEGER NOT NULL,
  limited INTEGER NOT NULL,
  estimated_rows INTEGER,
  data_bytes INTEGER,
  index_bytes INTEGER,
  engine_table_type TEXT,
  comment TEXT
);
CREATE TABLE ${META.columns} (
  table_name TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  column_name TEXT NOT NULL,
  sql_column TEXT NOT NULL,
  declared_type TEXT NOT NULL,
  storage TEXT NOT NULL,
  nullable INTEGER NOT NULL,
  primary_key_ordinal INTEGER,
  default_value TEXT,
  comment TEXT,
  PRIMARY KEY (table_name, ordinal)
);
CREATE TABLE ${META.indexes} (
  table_name TEXT NOT NULL,
  index_name TEXT NOT NULL,
  is_unique INTEGER NOT NULL,
  is_primary INTEGER NOT NULL,
  columns TEXT NOT NULL
);
CREATE TABLE ${META.serverFacts} (
  instance TEXT NOT NULL,
  category TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT
);
CREATE TABLE ${META.redisPatterns} (
  instance TEXT NOT NULL,
  db INTEGER NOT NULL,
  pattern TEXT NOT NULL,
  keys INTEGER NOT NULL,
  persistent_keys INTEGER NOT NULL,
  memory_bytes INTEGER,
  persistent_memory_bytes INTEGER,
  types TEXT NOT NULL,
  ttl_persistent INTEGER NOT NULL,
  ttl_under_1m INTEGER NOT NULL,
  ttl_1m_1h INTEGER NOT NULL,
  ttl_1h_1d INTEGER NOT NULL,
  ttl_1d_7d INTEGER NOT NULL,
  ttl_over_7d INTEGER NOT NULL
);
`;

/**
 * The SQLite column type for each storage kind. The affinity matters: INTEGER turns
 * the doubles better-sqlite3 binds into integers; TEXT keeps decimals exact; an
 * empty type (no affinity) keeps unsigned BIGINTs above 2^63-1 as text.
 */
export function sqliteColumnType(storage: StorageKind, declaredType: string): string {
  switch (storage) {
    case 'integer':
      return /unsigned/i.test(declaredType) && /bigint/i.test(declaredType) ? '' : 'INTEGER';
    case 'boolean':
      return 'INTEGER';
    case 'bit':
      return '';
    case 'blob':
      return 'BLOB';
    default:
      return 'TEXT';
  }
}

/** `_snapbench_tables.kind` of a table checked in place (pull: pushdown): catalog and row count, no data table. */
export const PUSHDOWN_KIND = 'pushdown';

export const REDIS_KEY_COLUMNS = [
  { name: 'pattern', declaredType: 'text', storage: 'text' },
  { name: 'key_hash', declaredType: 'text', storage: 'text' },
  { name: 'key_name', declaredType: 'text', storage: 'text' },
  { name: 'type', declaredType: 'text', storage: 'text' },
  { name: 'ttl_ms', declaredType: 'integer', storage: 'integer' },
  { name: 'memory_bytes', declaredType: 'integer', storage: 'integer' },
  // The Redis Cluster shard (slot ranges) that holds the key; NULL outside a cluster.
  { name: 'shard', declaredType: 'text', storage: 'text' },
] as const;

/** SQLite cannot hold a table without columns (PostgreSQL can): such a table gets this one column of NULLs, so its row count survives. */
export const NO_COLUMNS_PLACEHOLDER = { name: '(no columns)', declaredType: '', storage: 'text' } as const;

/** The columns a data table is created with in the snapshot. */
export function physicalColumns<T extends { name: string; declaredType: string; storage: StorageKind }>(columns: readonly T[]): readonly (T | typeof NO_COLUMNS_PLACEHOLDER)[] {
  return columns.length > 0 ? columns : [NO_COLUMNS_PLACEHOLDER];
}

/**
 * DQ results stored inside a snapshot by `snapbench dq` (appended after the
 * pull, so they are outside the manifest's hashes). Each run row records the
 * sha256 of its result rows (same row encoding as table hashes, restricted to
 * the run: `... WHERE run_id = N ORDER BY rowid`), which `verify` recomputes.
 */
export const DQ_TABLES = {
  runs: '_snapbench_dq_runs',
  results: '_snapbench_dq_results',
} as const;

export const DQ_COLUMNS = {
  runs: [
    'run_id', 'pack', 'pack_sha256', 'pack_json', 'started_at', 'finished_at', 'tool_version', 'snapshot_root_sha256',
    'rules', 'passed', 'failed', 'warned', 'errors', 'skipped', 'results_sha256',
  ],
  results: ['run_id', 'ordinal', 'rule_id', 'title', 'severity', 'status', 'count', 'total', 'metrics', 'limited', 'evidence', 'evidence_query'],
} as const;

export const DQ_DDL = `
CREATE TABLE IF NOT EXISTS ${DQ_TABLES.runs} (
  run_id INTEGER PRIMARY KEY,
  pack TEXT NOT NULL,
  pack_sha256 TEXT NOT NULL,
  pack_json TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  snapshot_root_sha256 TEXT NOT NULL,
  rules INTEGER NOT NULL,
  passed INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  warned INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  skipped INTEGER NOT NULL,
  results_sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ${DQ_TABLES.results} (
  run_id INTEGER NOT NULL,
  ordinal INTEGER NOT NULL,
  rule_id TEXT NOT NULL,
  title TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL,
  count INTEGER,
  total INTEGER,
  metrics TEXT NOT NULL,
  limited INTEGER NOT NULL,
  evidence TEXT NOT NULL,
  evidence_query TEXT
);
`;

/** Ed25519 signatures over the root hash (signature.ts); outside the hashes, since they sign them. */
export const SIGNATURES_TABLE = '_snapbench_signatures';

export const SIGNATURE_COLUMNS = ['algorithm', 'key_fingerprint', 'signer', 'signed_at', 'root_sha256', 'message', 'signature'] as const;

export const SIGNATURES_DDL = `
CREATE TABLE IF NOT EXISTS ${SIGNATURES_TABLE} (
  algorithm TEXT NOT NULL,
  key_fingerprint TEXT NOT NULL,
  signer TEXT NOT NULL,
  signed_at TEXT NOT NULL,
  root_sha256 TEXT NOT NULL,
  message TEXT NOT NULL,
  signature BLOB NOT NULL
);
`;
