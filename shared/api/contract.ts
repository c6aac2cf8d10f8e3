// THE contract between the workbench UI and the engine: one entry per channel
// with its request schema (validated at every transport's edge), its response
// type and the progress it reports. Hosts implement `Handlers`; the UI calls
// through `ApiClient`; neither sees the transport.
import { z } from 'zod';
import type { FleetComparison } from '../cost/fleetDifferences.ts';
import type { ScenarioResult } from '../cost/scenario.ts';
import type { ScenarioSummary } from '../cost/summary.ts';
import type { SeriesView } from '../series/types.ts';
import type { DqResult } from '../dq/results.ts';
import type { ConnectCheck } from '../model/connectCheck.ts';
import { CHANNELS, type Channel } from './channels.ts';
import {
  FILTER_OPS,
  MAX_RESULT_ROWS,
  DEFAULT_RESULT_ROWS,
  type AppInfo,
  type CatalogColumns,
  type CatalogTree,
  type ColumnProfile,
  type CountResult,
  type DqHistoryEntry,
  type DqPackInfo,
  type DqRowQueries,
  type DqRunView,
  type ExportOutcome,
  type FacetResult,
  type ManifestCheck,
  type FleetOverview,
  type JobProgress,
  type PullInspection,
  type PullOutcome,
  type PullProgress,
  type RecentSnapshot,
  type RowPage,
  type ScenarioOptionsView,
  type SnapshotSummary,
  type SqlResult,
  type TableDescription,
  type TrustedKey,
  type TrustSummary,
  type VerifyResult,
} from './types.ts';

const id = z.string().min(1).max(100);
const path = z.string().min(1, 'give a file path').max(4096);
/** A text setting that may be left empty (null). */
const optionalText = z.string().trim().max(4096).nullable();
const tableName = z.string().min(1).max(2000);
const columnName = z.string().min(1).max(2000);
const sql = z.string().trim().min(1, 'type an SQL statement').max(200_000);

export const columnFilterSchema = z.strictObject({
  column: columnName,
  op: z.enum(FILTER_OPS),
  value: z.string().max(10_000).optional(),
});

export const tableViewSchema = z.strictObject({
  table: tableName,
  sort: z.strictObject({ column: columnName, direction: z.enum(['asc', 'desc']) }).nullable().default(null),
  filters: z.array(columnFilterSchema).max(32).default([]),
});

/** CSV: cells a spreadsheet would run as formulas get a leading apostrophe (shared/text/csv.ts); on unless turned off. */
const csvSafe = z.boolean().default(true);

const exportSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('table'), view: tableViewSchema, format: z.enum(['csv', 'arrow']), csvSafe }),
  z.strictObject({
    kind: z.literal('sql'),
    sql,
    format: z.enum(['csv', 'arrow']),
    csvSafe,
    /** The download's name without extension (made safe by the host), e.g. "DQ-007-t_order"; else query-<time>. */
    name: z.string().min(1).max(120).optional(),
  }),
  z.strictObject({ kind: z.literal('dq-report'), runId: z.number().int().positive(), format: z.enum(['html', 'csv', 'json']), csvSafe }),
]);

const empty = z.strictObject({});

/** Request schemas, one per channel. */
export const REQUEST_SCHEMAS = {
  'app/info': empty,
  'call/cancel': z.strictObject({ callId: id }),
  'recent/list': empty,
  'recent/forget': z.strictObject({ path }),
  'snapshot/open': z.strictObject({ path }),
  'snapshot/close': z.strictObject({ snapshotId: id }),
  'snapshot/demo': z.strictObject({ scale: z.number().positive().max(1).default(0.02) }),
  'snapshot/verify': z.strictObject({ snapshotId: id }),
  'snapshot/trust': z.strictObject({ snapshotId: id }),
  'trust/keys': empty,
  /** A public key to trust: PEM text, or the path of a .pub file on the machine running the engine. */
  'trust/add': z
    .strictObject({ publicKey: z.string().min(1).max(20_000).optional(), path: path.optional(), label: z.string().trim().max(200).optional() })
    .refine((r) => (r.publicKey === undefined) !== (r.path === undefined), 'give either publicKey (PEM text) or path, not both'),
  'trust/remove': z.strictObject({ fingerprint: z.string().regex(/^[0-9a-f]{64}$/, 'must be a key fingerprint (64 hexadecimal digits)') }),
  'catalog/tree': z.strictObject({ snapshotId: id }),
  /** Every table's columns at once (the SQL console's completion). */
  'catalog/columns': z.strictObject({ snapshotId: id }),
  'table/describe': z.strictObject({ snapshotId: id, table: tableName }),
  'table/page': z.strictObject({
    snapshotId: id,
    view: tableViewSchema,
    offset: z.number().int().min(0),
    limit: z.number().int().min(1).max(5000),
  }),
  'table/count': z.strictObject({ snapshotId: id, view: tableViewSchema }),
  /** The most frequent values of one column among the rows of a view (its filters applied). */
  'table/facet': z.strictObject({ snapshotId: id, view: tableViewSchema, column: columnName, limit: z.number().int().min(1).max(100).default(12) }),
  'column/profile': z.strictObject({ snapshotId: id, table: tableName, column: columnName }),
  'sql/run': z.strictObject({ snapshotId: id, sql, maxRows: z.number().int().min(1).max(MAX_RESULT_ROWS).default(DEFAULT_RESULT_ROWS) }),
  'result/page': z.strictObject({ resultId: id, offset: z.number().int().min(0), limit: z.number().int().min(1).max(5000) }),
  'result/close': z.strictObject({ resultId: id }),
  'export/start': z.strictObject({
    snapshotId: id,
    source: exportSource,
    /** Set by the desktop shell after its save dialog; the browser host refuses it. */
    savePath: path.optional(),
  }),
  'dq/packs': empty,
  'dq/run': z.strictObject({
    snapshotId: id,
    /** A built-in pack name; or give `packYaml`. */
    pack: z.string().min(1).max(200).optional(),
    packYaml: z.string().min(1).max(2_000_000).optional(),
    /** Keep the results in the snapshot file (as `snapbench dq` does). */
    store: z.boolean().default(true),
  }),
  'dq/history': z.strictObject({ snapshotId: id }),
  'dq/results': z.strictObject({ snapshotId: id, runId: z.number().int().positive() }),
  'dq/evidence': z.strictObject({ snapshotId: id, evidenceQuery: sql, maxRows: z.number().int().min(1).max(MAX_RESULT_ROWS).default(DEFAULT_RESULT_ROWS) }),
  /** A finding's offending rows with every column of their table: one query per table its evidence names. */
  'dq/rows': z.strictObject({ snapshotId: id, evidenceQuery: sql }),
  'fleet/overview': z.strictObject({ snapshotId: id }),
  'scenario/options': empty,
  'scenario/compute': z.strictObject({
    preset: z.enum(['report-07', 'report-07-plan']),
    decisions: z.record(z.string().max(100), z.union([z.number(), z.boolean(), z.string().max(200)])).default({}),
    /** Take the fleet from this open snapshot instead of the preset's reference fleet. */
    snapshotId: id.nullable().default(null),
    /** Snapshot files of one fleet: their measured growth replaces the preset's (see shared/series). */
    series: z.array(path).min(1).max(200).nullable().default(null),
  }),
  /** Where an open snapshot's fleet differs from the preset's, input by input. */
  'scenario/compare': z.strictObject({ snapshotId: id }),
  /** The executive's three figures and the ranked savings (as `snapbench scenario` prints them), and the preset's fleet beside a snapshot's. */
  'scenario/summary': z.strictObject({
    preset: z.enum(['report-07', 'report-07-plan']),
    decisions: z.record(z.string().max(100), z.union([z.number(), z.boolean(), z.string().max(200)])).default({}),
    snapshotId: id.nullable().default(null),
    /** As scenario/compute: a series' measured growth instead of the preset's. */
    series: z.array(path).min(1).max(200).nullable().default(null),
  }),
  /** Snapshot files of one fleet read as a time series (the Trends view). */
  'series/build': z.strictObject({ paths: z.array(path).min(1).max(200), computeDq: z.boolean().default(true) }),
  'pull/inspect': z.strictObject({ fleetPath: path }),
  'pull/start': z.strictObject({
    fleetPath: path,
    out: path,
    only: z.array(z.string().min(1).max(300)).max(1000).nullable().default(null),
    maxRows: z.number().int().min(1).nullable().default(null),
    concurrency: z.number().int().min(1).max(32).default(4),
    /** An earlier snapshot of the fleet: unchanged tables are carried from it (pull --base). */
    base: path.nullable().default(null),
  }),
  'pull/check': z.strictObject({
    fleetPath: path,
    only: z.array(z.string().min(1).max(300)).max(1000).nullable().default(null),
  }),
  'pull/configure': z.strictObject({
    fleetPath: path,
    instance: z.string().min(1).max(300),
    settings: z.strictObject({
      tls: z
        .strictObject({
          caFile: optionalText,
          serverName: optionalText,
          certFile: optionalText,
          keyFile: optionalText,
          insecure: z.boolean(),
        })
        .nullable(),
      ssh: z
        .strictObject({
          host: z.string().trim().min(1).max(300),
          port: z.number().int().min(1).max(65535),
          user: z.string().trim().min(1).max(300),
          keyFile: optionalText,
          agent: z.boolean(),
          passwordEnv: optionalText,
          passphraseEnv: optionalText,
          knownHosts: optionalText,
          hostKey: optionalText,
        })
        .nullable(),
      passwordEnv: optionalText,
      passwordCommand: z.string().max(4000).nullable(),
    }),
  }),
  /** Checks a manifest's text as `snapbench pull` would (one line per problem); nothing is written. */
  'pull/validate': z.strictObject({ yaml: z.string().max(2_000_000), path: path.optional() }),
  /** Writes a new or edited manifest (only when it is valid), then reads it as pull/inspect does. */
  'pull/save-manifest': z.strictObject({ path, yaml: z.string().min(1).max(2_000_000), replace: z.boolean().default(false) }),
  'dialog/open': z.strictObject({ purpose: z.enum(['snapshot', 'fleet', 'pack']) }),
  'dialog/save': z.strictObject({ purpose: z.enum(['snapshot']), defaultName: z.string().max(300).optional() }),
} as const satisfies Record<Channel, z.ZodType>;

/** What each channel answers. */
export interface Responses {
  'app/info': AppInfo;
  'call/cancel': { cancelled: boolean };
  'recent/list': RecentSnapshot[];
  'recent/forget': RecentSnapshot[];
  'snapshot/open': SnapshotSummary;
  'snapshot/close': { closed: boolean };
  'snapshot/demo': SnapshotSummary;
  'snapshot/verify': VerifyResult;
  'snapshot/trust': TrustSummary;
  'trust/keys': TrustedKey[];
  'trust/add': TrustedKey[];
  'trust/remove': TrustedKey[];
  'catalog/tree': CatalogTree;
  'catalog/columns': CatalogColumns;
  'table/describe': TableDescription;
  'table/page': RowPage;
  'table/count': CountResult;
  'table/facet': FacetResult;
  'column/profile': ColumnProfile;
  'sql/run': SqlResult;
  'result/page': RowPage;
  'result/close': { closed: boolean };
  'export/start': ExportOutcome;
  'dq/packs': DqPackInfo[];
  'dq/run': DqRunView;
  'dq/history': DqHistoryEntry[];
  'dq/results': { runId: number; pack: string; finishedAt: string; results: DqResult[] };
  'dq/evidence': SqlResult;
  'dq/rows': DqRowQueries;
  'fleet/overview': FleetOverview;
  'scenario/options': ScenarioOptionsView;
  'scenario/compute': ScenarioResult;
  'scenario/compare': FleetComparison;
  'scenario/summary': { summary: ScenarioSummary; reference: ScenarioSummary | null };
  'series/build': SeriesView;
  'pull/inspect': PullInspection;
  'pull/start': PullOutcome;
  'pull/check': ConnectCheck[];
  'pull/configure': PullInspection;
  'pull/validate': ManifestCheck;
  'pull/save-manifest': PullInspection;
  'dialog/open': { path: string | null };
  'dialog/save': { path: string | null };
}

/** What each channel reports while it works (never: it answers at once). */
export interface Progresses {
  'app/info': never;
  'call/cancel': never;
  'recent/list': never;
  'recent/forget': never;
  'snapshot/open': never;
  'snapshot/close': never;
  'snapshot/demo': PullProgress;
  'snapshot/verify': JobProgress;
  'snapshot/trust': never;
  'trust/keys': never;
  'trust/add': never;
  'trust/remove': never;
  'catalog/tree': never;
  'catalog/columns': never;
  'table/describe': never;
  'table/page': JobProgress;
  'table/count': JobProgress;
  'table/facet': JobProgress;
  'column/profile': JobProgress;
  'sql/run': JobProgress;
  'result/page': never;
  'result/close': never;
  'export/start': JobProgress;
  'dq/packs': never;
  'dq/run': JobProgress;
  'dq/history': never;
  'dq/results': never;
  'dq/evidence': JobProgress;
  'dq/rows': never;
  'fleet/overview': never;
  'scenario/options': never;
  'scenario/compute': never;
  'scenario/compare': never;
  'scenario/summary': never;
  'series/build': JobProgress;
  'pull/inspect': never;
  'pull/start': PullProgress;
  'pull/check': never;
  'pull/configure': never;
  'pull/validate': never;
  'pull/save-manifest': never;
  'dialog/open': never;
  'dialog/save': never;
}

export type RequestInput<C extends Channel> = z.input<(typeof REQUEST_SCHEMAS)[C]>;
export type RequestOf<C extends Channel> = z.output<(typeof REQUEST_SCHEMAS)[C]>;
export type ResponseOf<C extends Channel> = Responses[C];
export type ProgressOf<C extends Channel> = Progresses[C];

/** Every channel has a schema, and nothing else does. */
export function assertContractComplete(): void {
  const missing = CHANNELS.filter((c) => !(c in REQUEST_SCHEMAS));
  if (missing.length > 0) throw new Error(`channels without a schema: ${missing.join(', ')}`);
}

export { CHANNELS, isChannel, type Channel } from './channels.ts';
