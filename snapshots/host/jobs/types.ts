// The plain data a host job gets and returns, and the context it reports through.
import type { ColumnMeta, JobProgress, ResultColumn, TableView } from '../../../shared/api/types.ts';
import type { RulePack } from '../../../shared/dq/pack.ts';
import type { DqResult } from '../../../shared/dq/results.ts';
import type { StoreOutcome } from '../../dq/store.ts';

export type ExportSourceSpec = { kind: 'table'; table: string; columns: ColumnMeta[]; view: TableView; rows: number } | { kind: 'sql'; sql: string };

export type JobSpec =
  | { kind: 'page'; path: string; columns: ColumnMeta[]; view: TableView; offset: number; limit: number; catalogRows: number }
  | { kind: 'count'; path: string; columns: ColumnMeta[]; view: TableView }
  | { kind: 'facet'; path: string; columns: ColumnMeta[]; view: TableView; column: string; limit: number }
  | { kind: 'profile'; path: string; table: string; column: ColumnMeta; rows: number }
  | { kind: 'sql'; path: string; sql: string; maxRows: number; dqFunctions: boolean }
  | { kind: 'prepare'; path: string; sql: string }
  | { kind: 'export'; path: string; source: ExportSourceSpec; format: 'csv' | 'arrow'; csvSafe: boolean; savePath: string | null }
  | { kind: 'dq-report'; path: string; runId: number; format: 'html' | 'csv' | 'json'; csvSafe: boolean; savePath: string | null }
  | { kind: 'dq'; path: string; pack: string | null; packYaml: string | null; store: boolean }
  | { kind: 'verify'; path: string }
  | { kind: 'series'; paths: string[]; computeDq: boolean };

export interface SqlJobResult {
  columns: ResultColumn[];
  blocks: Uint8Array[];
  rows: number;
  limited: boolean;
  seconds: number;
}

export interface ExportJobResult {
  rows: number;
  bytes: number;
  coerced: number;
}

export interface DqJobResult {
  pack: RulePack;
  results: DqResult[];
  startedAt: string;
  finishedAt: string;
  stored: StoreOutcome;
}

export interface JobContext {
  progress(progress: JobProgress): void;
  /** Sends export bytes to the host; resolves when it may send more. */
  chunk(bytes: Uint8Array): Promise<void>;
}
