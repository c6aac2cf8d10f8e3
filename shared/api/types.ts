// What the workbench API answers: plain data only (and Uint8Array for Arrow
// IPC bytes), so every value survives structured clone and the HTTP codec.
import type { Engine } from '../model/fleet.ts';
import type { Consistency, InstanceStatus, StorageKind } from '../model/snapshot.ts';
import type { DqResult, DqSummary } from '../dq/results.ts';
import type { Severity } from '../dq/pack.ts';

/** Rows per page of the grid: pages of tables and of SQL results are this size. */
export const PAGE_ROWS = 256;
/** Rows a SQL console result keeps for the grid unless the request asks for fewer. */
export const DEFAULT_RESULT_ROWS = 100_000;
export const MAX_RESULT_ROWS = 1_000_000;

export interface AppInfo {
  version: string;
  transport: 'http' | 'ipc';
  /** Native open/save dialogs (the desktop shell). The browser host types paths instead. */
  nativeDialogs: boolean;
  /** Snapshots open in this host, the most recent last. */
  open: SnapshotSummary[];
  /** The snapshot the host was started with (`snapbench serve FILE`, a double-clicked file), if any. */
  initial: string | null;
  configDir: string;
}

export interface RecentSnapshot {
  path: string;
  fileName: string;
  openedAt: string;
  /** When the snapshot was made (from its manifest), if known. */
  createdAt: string | null;
  exists: boolean;
  /** The fleet's name and a key of its instance names: snapshots with the same key are one series. */
  fleetName: string | null;
  fleetKey: string | null;
}

export interface InstanceProvenance {
  name: string;
  engine: Engine;
  domain: string | null;
  status: InstanceStatus;
  error: string | null;
  hint: string | null;
  consistency: Consistency | null;
  consistencyNote: string | null;
  version: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  tables: number;
  rows: number;
  limitedTables: number;
}

export interface SnapshotSummary {
  /** Handle for later calls; valid while the host runs. */
  id: string;
  path: string;
  fileName: string;
  bytes: number;
  createdAt: string;
  createdBy: string;
  createdOnHost: string;
  toolVersion: string;
  fleetName: string | null;
  fleetFile: string | null;
  synthetic: boolean;
  complete: boolean;
  rootSha256: string;
  /** The manifest's own hash matches its body (a quick check; `snapshot/verify` checks every table). */
  manifestIntact: boolean;
  maxRows: number | null;
  keyHashing: string;
  instances: InstanceProvenance[];
  tables: number;
  rows: number;
  dqRuns: number;
  /** Who signed it, whether that key is trusted here, whether it is a redacted copy; the quick checks made on open. */
  trust: TrustSummary;
}

/** A public key this workbench trusts: signatures by it name a trusted signer. */
export interface TrustedKey {
  /** sha256 of the key's DER (SubjectPublicKeyInfo), as `verify --trust` and `keys generate` print it. */
  fingerprint: string;
  label: string;
  addedAt: string;
}

export interface SignatureView {
  /** The name the signature records (covered by the signature when it is valid). */
  signer: string;
  fingerprint: string;
  signedAt: string;
  /**
   * trusted: made by a trusted key over this file's manifest;
   * invalid: claims a trusted key, but does not match this file (altered after signing, or forged);
   * unknown-key: made with a key this workbench does not trust, so it proves nothing about who made it.
   */
  status: 'trusted' | 'invalid' | 'unknown-key';
  /** The trusted key's label, when the key is trusted. */
  keyLabel: string | null;
  reason: string | null;
}

export interface RedactionView {
  table: string;
  column: string;
  action: string;
  rule: string;
  values: number;
}

export interface TrustSummary {
  /** The manifest body still hashes to the recorded root hash. */
  manifestIntact: boolean;
  /** The pull finished and the manifest says so. */
  complete: boolean;
  signatures: SignatureView[];
  /** The first valid signature by a trusted key, or null. */
  trustedBy: SignatureView | null;
  /** Set when the file is a copy made by `snapbench share`: who shared it, from which root, and what was masked, dropped or replaced. */
  redacted: {
    sharedBy: string;
    sharedOnHost: string | null;
    sharedAt: string;
    sourceRootSha256: string | null;
    masked: number;
    dropped: number;
    replaced: number;
    redactions: RedactionView[];
  } | null;
  /** What the quick checks found wrong, one line each (empty when none). */
  problems: string[];
  trustedKeys: number;
  /** Data-quality runs stored in the file: added after it was made, so no signature covers them. */
  dqRuns: number;
}

export interface VerifyResult {
  ok: boolean;
  rootSha256: string | null;
  problems: string[];
  checkedTables: number;
  seconds: number;
}

export interface TableEntry {
  /** The table's name in the snapshot file: `instance/database/table`. */
  name: string;
  /** The quoted identifier to paste into SQL. */
  sqlName: string;
  instance: string;
  engine: Engine;
  database: string;
  schema: string | null;
  /** The table's name on the source server (`schema.table` for PostgreSQL). */
  source: string;
  /**
   * `table`: rows in the file; `redis-keys`: a Redis key inventory; `pushdown`:
   * checked in place (`pull: pushdown`, `dq --pushdown`): the file holds its
   * columns and its exact row count, counted on the server, and no rows.
   */
  kind: 'table' | 'redis-keys' | 'pushdown';
  rows: number;
  limited: boolean;
  estimatedRows: number | null;
  dataBytes: number | null;
  indexBytes: number | null;
  engineTableType: string | null;
  comment: string | null;
  /** `pulled` unless the data table holds less than the source (`partial`, `not-readable`, `skipped`, `failed`). */
  status: string;
  /** Why, when the status is not `pulled`. */
  statusReason: string | null;
}

export interface RedisPatternEntry {
  db: number;
  pattern: string;
  keys: number;
  persistentKeys: number;
  memoryBytes: number | null;
  /** The key inventory table the pattern's keys are in. */
  table: string;
}

export interface CatalogDatabase {
  name: string;
  tables: TableEntry[];
}

export interface CatalogInstance {
  name: string;
  engine: Engine;
  domain: string | null;
  status: InstanceStatus;
  databases: CatalogDatabase[];
  redisPatterns: RedisPatternEntry[];
}

export interface CatalogTree {
  instances: CatalogInstance[];
}

export interface ColumnMeta {
  /** The column's name in the snapshot table (what SQL uses). */
  name: string;
  /** The column's name on the source server. */
  sourceName: string;
  declaredType: string;
  storage: StorageKind;
  nullable: boolean;
  primaryKeyOrdinal: number | null;
}

export interface TableDescription {
  table: TableEntry;
  columns: ColumnMeta[];
  indexes: { name: string; unique: boolean; primary: boolean; columns: string[] }[];
}

/**
 * `is-blank`: text that is empty or only white space, NULL not included;
 * `blank-or-null`: that or NULL, as the DQ pack's `blank: true` counts it.
 */
export const FILTER_OPS = ['contains', 'equals', 'not-equals', 'starts-with', 'lt', 'le', 'gt', 'ge', 'is-null', 'not-null', 'is-blank', 'not-blank', 'blank-or-null', 'not-blank-or-null'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
/** Filter operators that take no value. */
export const UNARY_FILTER_OPS: readonly FilterOp[] = ['is-null', 'not-null', 'is-blank', 'not-blank', 'blank-or-null', 'not-blank-or-null'];

export interface ColumnFilter {
  column: string;
  op: FilterOp;
  value?: string;
}

export interface ColumnSort {
  column: string;
  direction: 'asc' | 'desc';
}

/** A table as the grid shows it: sorted by one column (then rowid) and filtered. */
export interface TableView {
  table: string;
  sort: ColumnSort | null;
  filters: ColumnFilter[];
}

export interface RowPage {
  /** Arrow IPC stream bytes; column `__rowid` holds each row's rowid where the source is a table. */
  arrow: Uint8Array;
  offset: number;
  rows: number;
  /** Rows in the whole view when known (unfiltered tables: the catalog's count; else once the end was reached or counted). */
  total: number | null;
  /** True when this page reached the last row of the view. */
  end: boolean;
}

export interface CountResult {
  rows: number;
}

/** Each table's columns, for completion in the SQL console. */
export type CatalogColumns = { table: string; sqlName: string; columns: string[] }[];

export interface FacetResult {
  column: string;
  /** Rows of the view (its filters applied) the facet counted. */
  rows: number;
  /** The most frequent values first (NULL as null; long values cut to 200 characters). */
  values: ProfileValue[];
  /** Rows holding a value not listed. */
  others: number;
  seconds: number;
}

export interface ProfileValue {
  /** The value as text (null for NULL); long values are cut to 200 characters. */
  value: string | null;
  count: number;
}

export interface HistogramBin {
  /** Inclusive lower bound, as text in the column's domain (a number, a date, or a length). */
  from: string;
  to: string;
  count: number;
}

export interface ColumnProfile {
  table: string;
  column: string;
  storage: StorageKind;
  declaredType: string;
  rows: number;
  nulls: number;
  blanks: number;
  distinct: number;
  min: string | null;
  max: string | null;
  /** Mean of the numeric values, for numeric columns. */
  mean: number | null;
  /** Values per SQLite storage class: integer, real, text, blob, null. */
  types: Record<string, number>;
  topValues: ProfileValue[];
  /** What the histogram measures: the values, their dates, or (text) their length in characters. */
  histogramOf: 'value' | 'date' | 'length' | null;
  histogram: HistogramBin[];
  seconds: number;
}

export interface ResultColumn {
  name: string;
  /** The declared type of the source column when the result column is one, else null. */
  declaredType: string | null;
}

export interface SqlResult {
  resultId: string;
  sql: string;
  columns: ResultColumn[];
  /** Rows kept for the grid. */
  rows: number;
  /** True when the query had more rows than were kept; export the query for all of them. */
  limited: boolean;
  seconds: number;
}

export type ExportFormat = 'csv' | 'arrow';

export type ExportOutcome =
  /** Browser host: fetch this same-origin URL (the browser downloads the stream). */
  | { kind: 'download'; url: string; fileName: string }
  /** Desktop shell: written to the chosen file. */
  | { kind: 'file'; path: string; rows: number; bytes: number }
  /** The user closed the save dialog. */
  | { kind: 'cancelled' };

export interface DqPackInfo {
  name: string;
  description: string;
  rules: number;
}

export interface DqRunView {
  /** The stored run's id, or null when it was not kept in the snapshot. */
  runId: number | null;
  pack: string;
  startedAt: string;
  finishedAt: string;
  stored: boolean;
  /** Why the results were not stored, when they were not. */
  notStoredReason: string | null;
  summary: DqSummary;
  results: DqResult[];
  /** Rule id → the rule's description, for the "definition" panel. */
  definitions: Record<string, DqRuleDefinition>;
}

export interface DqRuleDefinition {
  id: string;
  title: string;
  severity: Severity;
  check: string;
  description: string | null;
  /** The rule as written in the pack (YAML-like JSON). */
  rule: Record<string, unknown>;
}

/** A finding's offending rows with all their columns: one query per table (for export or the console). */
export interface DqRowQueries {
  /** Each table's query; empty when the finding does not name rows (a table, an instance, a Redis pattern). */
  tables: { table: string; source: string; sql: string }[];
}

export interface DqHistoryEntry {
  runId: number;
  pack: string;
  startedAt: string;
  finishedAt: string;
  toolVersion: string;
  rules: number;
  pass: number;
  fail: number;
  warn: number;
  error: number;
  skipped: number;
}

export interface FleetOverview {
  instances: number;
  byEngine: Record<string, number>;
  byDomain: { domain: string; engine: Engine; instances: number }[];
  byStatus: Record<string, number>;
  versions: { engine: Engine; version: string; instances: number }[];
  redis: RedisInstanceFacts[];
  /** Redis instances per utilisation tier: >20%, 5–20%, 1–5%, <1%, unknown. */
  redisTiers: { tier: string; instances: number; names: string[] }[];
  evictionPolicies: { policy: string; instances: number }[];
  databases: DatabaseInstanceFacts[];
  tables: { instance: string; engine: Engine; tables: number; rows: number; dataBytes: number; indexBytes: number }[];
  totals: { tables: number; rows: number; dataBytes: number; indexBytes: number };
}

export interface RedisInstanceFacts {
  name: string;
  domain: string | null;
  version: string | null;
  usedBytes: number | null;
  capacityBytes: number | null;
  /** used / capacity (allocated memory from the manifest, else maxmemory), 0–1; null when unknown. */
  utilisation: number | null;
  tier: string;
  evictionPolicy: string | null;
  hitRate: number | null;
  keys: number;
  persistentKeys: number;
}

export interface DatabaseInstanceFacts {
  name: string;
  engine: Engine;
  domain: string | null;
  instanceClass: string | null;
  version: string | null;
  tables: number;
  rows: number;
  dataBytes: number;
  /** Buffer pool (MySQL) hit rate, 0–1, when the server reported it. */
  hitRate: number | null;
  emptyTables: number;
}

export interface PullInstanceInfo {
  name: string;
  engine: Engine;
  domain: string | null;
  /** host:port, or null for inventory-only instances. */
  endpoint: string | null;
  passwordEnv: string | null;
  /** The password variable is named but not set in the host's environment. */
  passwordMissing: boolean;
  /** How the instance is reached (as the manifest says, defaults applied); null for inventory-only instances. */
  connection: PullConnectionSettings | null;
}

/** An instance's TLS, SSH and credential settings, as the pull view shows and edits them. */
export interface PullConnectionSettings {
  tls: { caFile: string | null; serverName: string | null; certFile: string | null; keyFile: string | null; insecure: boolean } | null;
  ssh: {
    host: string;
    port: number;
    user: string;
    keyFile: string | null;
    agent: boolean;
    passwordEnv: string | null;
    passphraseEnv: string | null;
    knownHosts: string | null;
    hostKey: string | null;
  } | null;
  passwordEnv: string | null;
  passwordCommand: string | null;
}

export interface PullInspection {
  path: string;
  name: string | null;
  instances: PullInstanceInfo[];
  warnings: string[];
}

/** A manifest's text checked as `snapbench pull` checks it. */
export interface ManifestCheck {
  ok: boolean;
  /** One line each, as the CLI prints them (the instance and the field named). */
  problems: string[];
  warnings: string[];
  instances: number;
  /** Instances with connection details. */
  pullable: number;
}

export interface PullOutcome {
  file: string | null;
  pulled: string[];
  failed: { instance: string; message: string; hint: string | null }[];
  tables: number;
  rows: number;
  snapshot: SnapshotSummary | null;
  /** With a base snapshot: rows read from the servers versus carried from the base, and tables by origin. */
  incremental: { rowsRead: number; rowsCarried: number; tables: { pulled: number; carried: number; appended: number } } | null;
}

/** Progress of a pull (and of writing the demo), one event per step of one instance. */
export type PullProgress =
  | { type: 'instance-start'; instance: string; engine: Engine }
  | { type: 'table-start'; instance: string; table: string; estimatedRows: number | null }
  | { type: 'table-progress'; instance: string; table: string; rows: number; bytes: number }
  | { type: 'table-done'; instance: string; table: string; rows: number; limited: boolean; origin?: 'pulled' | 'carried' | 'appended'; carriedRows?: number; note?: string | null }
  | { type: 'instance-done'; instance: string; tables: number; rows: number }
  | { type: 'instance-failed'; instance: string; message: string; hint: string | null };

/** Progress of long work: `done` of `total` units (total null when unknown). */
export interface JobProgress {
  phase: string;
  done: number;
  total: number | null;
  unit: 'rows' | 'steps' | 'tables' | 'bytes' | 'rules';
}

export interface ScenarioOptionsView {
  presets: { name: string; description: string }[];
}

/** Events a host pushes without a call (the desktop menu, a file opened from the OS). */
export interface AppEvents {
  'snapshot/opened': SnapshotSummary;
  'menu/command': { command: 'open' | 'open-demo' | 'toggle-theme' | 'export' | 'show-view'; view?: string };
}
export type AppEventName = keyof AppEvents;
export const APP_EVENT_NAMES: readonly AppEventName[] = ['snapshot/opened', 'menu/command'];
