// The series of snapshots as `snapbench series --format json` prints it
// (cli-contract.md), and the richer view the workbench's Trends view reads.
import type { GrowthEntry, MeasuredGrowth } from './growth.ts';

export interface SeriesSnapshot {
  file: string;
  createdAt: string;
  rootSha256: string;
}

/** One array entry per snapshot, in snapshot order; null where a snapshot lacks the item. */
export interface SeriesTable {
  instance: string;
  database: string;
  /** PostgreSQL: schema.table, as `snapbench tables` names it. */
  table: string;
  rows: (number | null)[];
}

export interface SeriesRedis {
  instance: string;
  pattern: string;
  keys: (number | null)[];
  persistentKeys: (number | null)[];
  memoryBytes: (number | null)[];
}

export interface SeriesDq {
  pack: string;
  rule: string;
  counts: (number | null)[];
}

/** The contract's JSON document. */
export interface SeriesResult {
  snapshots: SeriesSnapshot[];
  tables: SeriesTable[];
  redis: SeriesRedis[];
  dq: SeriesDq[];
  growth: GrowthEntry[];
}

/** What the workbench adds: store counts, where DQ counts came from, rule titles, and the cost model's measured growth. */
export interface SeriesView extends SeriesResult {
  fleet: string | null;
  stores: (number | null)[];
  /** Per snapshot: 'stored' (the file's latest run), 'computed' (report-07 run now, not stored), or null. */
  dqSource: ('stored' | 'computed' | null)[];
  ruleTitles: Record<string, string>;
  /** Explorer table names in the latest snapshot holding them: by "instance/database/table", and by Redis instance (its first key inventory). */
  explorerTables: Record<string, string>;
  measured: MeasuredGrowth;
}

/** Names of the `growth` metrics, so a view can find the rate beside its chart. */
export const seriesMetric = {
  rows: (t: Pick<SeriesTable, 'instance' | 'database' | 'table'>) => `rows:${t.instance}/${t.database}/${t.table}`,
  redis: (what: 'keys' | 'persistentKeys' | 'memoryBytes', instance: string, pattern?: string) => `${what}:${instance}${pattern === undefined ? '' : `/${pattern}`}`,
  dq: (pack: string, rule: string) => `dq:${pack}/${rule}`,
  stores: 'stores',
  records: (category: string) => `records:${category}`,
};
