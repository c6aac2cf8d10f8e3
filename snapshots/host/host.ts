// The workbench host: implements the API's handler map (shared/api) over the
// engine. Catalog reads run here (small tables, instant); anything that scans
// rows runs in the job pool. Transports (http.ts, parentPort.ts) feed it calls.
import type Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { parseYamlText, YamlSyntaxError } from '../yamlText.ts';
import { fail } from '../../shared/api/errors.ts';
import type { Handlers } from '../../shared/api/rpc.ts';
import type { ProgressOf, RequestOf } from '../../shared/api/contract.ts';
import {
  PAGE_ROWS,
  type AppEventName,
  type AppEvents,
  type ColumnMeta,
  type DqRuleDefinition,
  type ExportOutcome,
  type JobProgress,
  type PullProgress,
  type ResultColumn,
  type RowPage,
  type SnapshotSummary,
  type SqlResult,
  type TableEntry,
} from '../../shared/api/types.ts';
import {
  compareFleets,
  createScenarioSession,
  CostModelError,
  DecisionError,
  parseDecisionSettings,
  PRESETS,
  PRESET_NAMES,
  summarizeScenario,
  type DecisionSettings,
  type PresetName,
  type ScenarioSession,
  type ScenarioSummary,
} from '../../shared/cost/index.ts';
import { BUILT_IN_PACKS } from '../../shared/dq/report07.ts';
import { summarize } from '../../shared/dq/results.ts';
import { FleetError, missingPasswordVariables, parseFleet, type Fleet } from '../../shared/model/fleet.ts';
import { connectionSettings, writeConnectionSettings } from '../fleet/connectionSettings.ts';
import { costFleetFromDatabase } from '../cost/snapshotFleet.ts';
import { annotateMeasuredGrowth, measuredGrowthAssumptions } from '../../shared/series/applyGrowth.ts';
import type { MeasuredGrowth } from '../../shared/series/growth.ts';
import type { SeriesView } from '../../shared/series/types.ts';
import { fileKey } from './jobs/connection.ts';
import { listRuns, readRunResults } from '../dq/store.ts';
import { OutputPathError, refuseOutputOverInput, type CommandInput } from '../file/outputPath.ts';
import { openSnapshot, SnapshotFileError } from '../file/reader.ts';
import { fleetInputs } from '../pull/inputs.ts';
import { DemoCancelled, writeDemoSnapshot } from '../fleet/demo.ts';
import { CancelledError, pullFleet } from '../pull/pullFleet.ts';
import { BaseSnapshot } from '../pull/base.ts';
import { TOOL_VERSION } from '../version.ts';
import { allColumns, catalogTree, describeTable, fleetOverview, readColumns, readTables, snapshotSummary } from './catalog.ts';
import { findingRowQueries } from './findingRows.ts';
import { checkManifestText } from './manifestText.ts';
import { RecentFiles } from './config.ts';
import { TrustedKeys } from './trust.ts';
import type { DqJobResult, ExportJobResult, JobSpec, SqlJobResult } from './jobs.ts';
import { JobPool } from './pool.ts';

export interface HostOptions {
  transport: 'http' | 'ipc';
  configDir: string;
  /** The snapshot to open at start (`serve FILE`, a double-clicked file). */
  initialPath?: string | null;
  env?: Record<string, string | undefined>;
  /** Pushes an event to every connected UI. */
  emit?: <E extends AppEventName>(event: E, payload: AppEvents[E]) => void;
  pool?: JobPool;
}

interface Session {
  id: string;
  path: string;
  db: Database.Database;
  tables: TableEntry[];
  byName: Map<string, TableEntry>;
  columns: Map<string, ColumnMeta[]>;
  summary: SnapshotSummary;
  scenario: ScenarioSession | null;
}

interface StoredResult {
  id: string;
  snapshotId: string;
  sql: string;
  columns: ResultColumn[];
  blocks: Uint8Array[];
  rows: number;
  limited: boolean;
  seconds: number;
}

/** An export waiting for the browser to fetch it (the browser host's downloads). */
export interface PendingDownload {
  fileName: string;
  contentType: string;
  run(onChunk: (bytes: Uint8Array) => void | Promise<void>, signal: AbortSignal): Promise<ExportJobResult>;
}

const MAX_RESULTS = 8;
const DOWNLOAD_TTL_MS = 10 * 60_000;

function newId(): string {
  return randomBytes(6).toString('hex');
}

/** A file name for an export, from the table's name: no path separators or odd characters. */
export function exportFileName(stem: string, extension: string): string {
  const safe = stem.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+/, '').slice(0, 120) || 'export';
  return `${safe}.${extension}`;
}

/** The output rule of every writing command (snapshots/file/outputPath.ts), as an API error. */
function refuseOutput(output: string, inputs: CommandInput[], replaces: 'snapshot' | 'not-database'): void {
  try {
    refuseOutputOverInput(output, inputs, { label: 'output', replaces });
  } catch (error) {
    if (error instanceof OutputPathError) fail('refused', error.message, error.hint);
    throw error;
  }
}

/** Why a file could not be read, in words (not "ENOENT: no such file or directory, stat"). */
export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'there is no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'you may not read this file (permission denied)';
  if (code === 'EISDIR' || (error as Error).message === 'it is a directory') return 'this is a folder, not a file';
  return `cannot be read (${(error as Error).message})`;
}

function readFleetFile(path: string): Fleet {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new Error('it is a directory');
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail('not-found', `fleet manifest ${path}: ${fileProblem(error)}`, 'check the path of the fleet manifest (YAML), or write a new one from the template');
  }
  let document: unknown;
  try {
    document = parseYamlText(text, `fleet manifest ${path}`);
  } catch (error) {
    if (error instanceof YamlSyntaxError) fail('bad-request', error.message, 'fix the YAML syntax');
    throw error;
  }
  try {
    return parseFleet(document, `fleet manifest ${path}`, { baseDir: dirname(path) });
  } catch (error) {
    if (error instanceof FleetError) fail('bad-request', error.message, 'fix the fleet manifest');
    throw error;
  }
}

/** Snapshots of one fleet share this key: the fleet's name and its instance names (the library groups them into a series). */
export function fleetKeyOf(summary: SnapshotSummary): string {
  const names = summary.instances.map((i) => i.name).sort();
  return createHash('sha256').update(`${summary.fleetName ?? ''}\n${names.join('\n')}`).digest('hex').slice(0, 16);
}

export class WorkbenchHost {
  readonly handlers: Handlers;
  readonly pool: JobPool;
  private readonly sessions = new Map<string, Session>();
  private readonly results = new Map<string, StoredResult>();
  private readonly downloads = new Map<string, { download: PendingDownload; expires: number }>();
  private readonly recent: RecentFiles;
  private readonly trustedKeys: TrustedKeys;
  private readonly env: Record<string, string | undefined>;
  private referenceScenario: ScenarioSession | null = null;
  /** Measured growth per series (by its sorted paths and their inodes), and scenario sessions that use it. */
  private readonly measuredGrowth = new Map<string, MeasuredGrowth>();
  private readonly growthScenarios = new Map<string, ScenarioSession>();

  constructor(private readonly options: HostOptions) {
    this.pool = options.pool ?? new JobPool();
    this.recent = new RecentFiles(options.configDir);
    this.trustedKeys = new TrustedKeys(options.configDir);
    this.env = options.env ?? process.env;
    this.handlers = this.buildHandlers();
  }

  async close(): Promise<void> {
    await this.pool.close();
    for (const session of this.sessions.values()) session.db.close();
    this.sessions.clear();
  }

  /** Closes the session of a file that was just replaced (a new pull or demo at the same path). */
  private forget(path: string): void {
    for (const [id, s] of this.sessions) {
      if (s.path !== path) continue;
      s.db.close();
      this.sessions.delete(id);
      for (const [resultId, result] of this.results) if (result.snapshotId === id) this.results.delete(resultId);
    }
  }

  /** Opens a snapshot (or returns it if it is open already). */
  open(path: string): SnapshotSummary {
    const full = resolve(path);
    for (const s of this.sessions.values()) if (s.path === full) return s.summary;
    let db: Database.Database;
    try {
      db = openSnapshot(full);
    } catch (error) {
      if (error instanceof SnapshotFileError) fail(existsSync(full) ? 'failed' : 'not-found', error.message, error.hint);
      throw error;
    }
    try {
      const id = newId();
      const tables = readTables(db);
      const summary = snapshotSummary(db, full, id, this.trustedKeys.loaded());
      this.sessions.set(id, { id, path: full, db, tables, byName: new Map(tables.map((t) => [t.name, t])), columns: new Map(), summary, scenario: null });
      this.recent.add(full, summary.createdAt, { name: summary.fleetName, key: fleetKeyOf(summary) });
      return summary;
    } catch (error) {
      db.close();
      if (error instanceof SnapshotFileError) fail('failed', error.message, error.hint);
      throw error;
    }
  }

  /** Opens a snapshot on the shell's behalf (menu, file association, drag and drop) and tells the UI. */
  openFromShell(path: string): SnapshotSummary {
    const summary = this.open(path);
    this.options.emit?.('snapshot/opened', summary);
    return summary;
  }

  takeDownload(id: string): PendingDownload | null {
    const now = Date.now();
    for (const [key, entry] of this.downloads) if (entry.expires < now) this.downloads.delete(key);
    const entry = this.downloads.get(id);
    if (!entry) return null;
    this.downloads.delete(id);
    return entry.download;
  }

  private session(id: string): Session {
    const session = this.sessions.get(id);
    if (!session) fail('not-found', `no open snapshot with id ${id}`, 'open the snapshot again (the host may have restarted)');
    return session;
  }

  private table(session: Session, name: string): TableEntry {
    const table = session.byName.get(name);
    if (!table) fail('not-found', `no table "${name}" in ${session.summary.fileName}`, 'pick a table from the tree');
    return table;
  }

  /** A table whose rows are in the file: a table checked in place has none to page, count, profile or export. */
  private rowsTable(session: Session, name: string): TableEntry {
    const table = this.table(session, name);
    if (table.kind === 'pushdown') {
      fail(
        'refused',
        `${table.instance}/${table.database}/${table.source} was checked in place (pull: pushdown): ${session.summary.fileName} holds its columns and its row count (${table.rows}, counted on the server), not its rows`,
        'its DQ results are in the Data quality view; pull the instance with pull: full (or sample) to browse its rows',
      );
    }
    return table;
  }

  private columns(session: Session, table: string): ColumnMeta[] {
    let columns = session.columns.get(table);
    if (!columns) session.columns.set(table, (columns = readColumns(session.db, table)));
    return columns;
  }

  private refreshSummary(session: Session): void {
    session.summary = snapshotSummary(session.db, session.path, session.id, this.trustedKeys.loaded());
  }

  private storeResult(snapshotId: string, sql: string, job: SqlJobResult): SqlResult {
    const id = newId();
    this.results.set(id, { id, snapshotId, sql, columns: job.columns, blocks: job.blocks, rows: job.rows, limited: job.limited, seconds: job.seconds });
    while (this.results.size > MAX_RESULTS) this.results.delete(this.results.keys().next().value!);
    return { resultId: id, sql, columns: job.columns, rows: job.rows, limited: job.limited, seconds: job.seconds };
  }

  private resultPage(request: RequestOf<'result/page'>): RowPage {
    const result = this.results.get(request.resultId);
    if (!result) fail('not-found', `result ${request.resultId} is gone`, 'run the query again (results are kept for the last few queries)');
    const { offset, limit } = request;
    const rows = Math.max(0, Math.min(limit, result.rows - offset));
    const end = offset + rows >= result.rows;
    if (offset % PAGE_ROWS === 0 && limit === PAGE_ROWS) {
      const block = result.blocks[offset / PAGE_ROWS];
      if (block) return { arrow: block, offset, rows, total: result.rows, end };
    }
    // An unaligned page: cut it from the blocks it spans.
    const first = Math.floor(offset / PAGE_ROWS);
    const last = Math.floor(Math.max(offset, offset + rows - 1) / PAGE_ROWS);
    const tables = result.blocks.slice(first, last + 1).map((b) => tableFromIPC(b));
    if (tables.length === 0) return { arrow: result.blocks[0]!, offset, rows: 0, total: result.rows, end: true };
    // Blocks may type a column differently; concatenate only when they agree, else page block by block.
    const sameSchema = tables.every((t) => t.schema.fields.every((f, i) => String(f.type) === String(tables[0]!.schema.fields[i]!.type)));
    if (!sameSchema) {
      const t = tables[0]!.slice(offset - first * PAGE_ROWS, offset - first * PAGE_ROWS + rows);
      return { arrow: tableToIPC(t, 'stream'), offset, rows: t.numRows, total: result.rows, end: offset + t.numRows >= result.rows };
    }
    const joined = tables.length === 1 ? tables[0]! : tables[0]!.concat(...tables.slice(1));
    const start = offset - first * PAGE_ROWS;
    return { arrow: tableToIPC(joined.slice(start, start + rows), 'stream'), offset, rows, total: result.rows, end };
  }

  private scenarioSession(snapshotId: string | null): ScenarioSession {
    if (snapshotId === null) return (this.referenceScenario ??= createScenarioSession());
    const session = this.session(snapshotId);
    session.scenario ??= createScenarioSession({ fleet: costFleetFromDatabase(session.db, `snapshot ${session.summary.fileName}`) });
    return session.scenario;
  }

  /** The three figures and the savings for a preset and decisions, on one fleet (with a series' measured growth when given). */
  private summary(snapshotId: string | null, preset: PresetName, decisions: DecisionSettings, growth: { key: string; measured: MeasuredGrowth } | null): ScenarioSummary {
    const session = growth ? this.growthScenario(snapshotId, growth.key, growth.measured) : this.scenarioSession(snapshotId);
    return summarizeScenario((p, d, options) => session.evaluate(p, d, options), preset, decisions);
  }

  /** The growth a series of snapshot files measures, built once in a worker. */
  private async seriesGrowth(paths: string[], signal: AbortSignal): Promise<{ key: string; measured: MeasuredGrowth }> {
    const full = [...new Set(paths.map((p) => resolve(p)))].sort();
    const key = full.map(fileKey).join('\n');
    let measured = this.measuredGrowth.get(key);
    if (!measured) {
      const view = await this.pool.run<SeriesView>('background', { kind: 'series', paths: full, computeDq: false }, { signal });
      measured = view.measured;
      this.measuredGrowth.set(key, measured);
    }
    return { key, measured };
  }

  /** A scenario session whose growth assumptions are the series' measured ones. */
  private growthScenario(snapshotId: string | null, seriesKey: string, measured: MeasuredGrowth): ScenarioSession {
    const key = `${snapshotId ?? 'reference'}\n${seriesKey}`;
    let session = this.growthScenarios.get(key);
    if (!session) {
      const fleet = this.scenarioSession(snapshotId).fleet;
      session = createScenarioSession({ fleet, assumptions: measuredGrowthAssumptions(measured) });
      this.growthScenarios.set(key, session);
    }
    return session;
  }

  private registerDownload(download: PendingDownload): ExportOutcome {
    const id = randomBytes(16).toString('hex');
    this.downloads.set(id, { download, expires: Date.now() + DOWNLOAD_TTL_MS });
    return { kind: 'download', url: `/api/download/${id}`, fileName: download.fileName };
  }

  private exportJob(request: RequestOf<'export/start'>, session: Session): { spec: (savePath: string | null) => JobSpec; fileName: string; contentType: string } {
    const source = request.source;
    if (source.kind === 'dq-report') {
      const extension = source.format;
      return {
        spec: (savePath) => ({ kind: 'dq-report', path: session.path, runId: source.runId, format: source.format, csvSafe: source.csvSafe, savePath }),
        fileName: exportFileName(`dq-run-${source.runId}-${basename(session.path).replace(/\.snapbench$/, '')}`, extension),
        contentType: { html: 'text/html; charset=utf-8', csv: 'text/csv; charset=utf-8', json: 'application/json' }[source.format],
      };
    }
    const extension = source.format === 'csv' ? 'csv' : 'arrows';
    const contentType = source.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.apache.arrow.stream';
    if (source.kind === 'table') {
      const table = this.rowsTable(session, source.view.table);
      const columns = this.columns(session, table.name);
      return {
        spec: (savePath) => ({ kind: 'export', path: session.path, source: { kind: 'table', table: table.name, columns, view: source.view, rows: table.rows }, format: source.format, csvSafe: source.csvSafe, savePath }),
        fileName: exportFileName(`${table.instance}-${table.database}-${table.source}`, extension),
        contentType,
      };
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    return {
      spec: (savePath) => ({ kind: 'export', path: session.path, source: { kind: 'sql', sql: source.sql }, format: source.format, csvSafe: source.csvSafe, savePath }),
      fileName: exportFileName(source.name ?? `query-${stamp}`, extension),
      contentType,
    };
  }

  private buildHandlers(): Handlers {
    const pool = this.pool;
    const jobProgress = <C extends 'table/page' | 'table/count' | 'column/profile' | 'sql/run' | 'export/start' | 'dq/run' | 'dq/evidence' | 'snapshot/verify' | 'series/build'>(ctx: { progress(p: ProgressOf<C>): void }) =>
      (p: JobProgress) => ctx.progress(p as ProgressOf<C>);

    return {
      'app/info': () => ({
        version: TOOL_VERSION,
        transport: this.options.transport,
        nativeDialogs: false,
        open: [...this.sessions.values()].map((s) => s.summary),
        initial: this.options.initialPath ? resolve(this.options.initialPath) : null,
        configDir: this.options.configDir,
      }),
      'call/cancel': () => ({ cancelled: false }),
      'recent/list': () => this.recent.list(),
      'recent/forget': (r) => this.recent.forget(r.path),
      'snapshot/open': (r) => this.open(r.path),
      'snapshot/close': (r) => {
        const session = this.sessions.get(r.snapshotId);
        if (!session) return { closed: false };
        session.db.close();
        this.sessions.delete(r.snapshotId);
        for (const [id, result] of this.results) if (result.snapshotId === r.snapshotId) this.results.delete(id);
        return { closed: true };
      },
      'snapshot/demo': async (r, ctx) => {
        const out = join(this.options.configDir, `demo-${r.scale}.snapbench`);
        if (existsSync(out)) {
          try {
            return this.open(out);
          } catch {
            // An unreadable old demo is written again below.
          }
        }
        try {
          mkdirSync(this.options.configDir, { recursive: true });
          await writeDemoSnapshot({ out, scale: r.scale, env: this.env, signal: ctx.signal as AbortSignal, onEvent: (e) => ctx.progress(e as PullProgress) });
          this.forget(out);
        } catch (error) {
          if (error instanceof DemoCancelled) fail('cancelled', error.message);
          throw error;
        }
        return this.open(out);
      },
      'snapshot/trust': (r) => {
        const session = this.session(r.snapshotId);
        this.refreshSummary(session);
        return session.summary.trust;
      },
      'trust/keys': () => this.trustedKeys.list(),
      'trust/add': (r) => {
        const keys = this.trustedKeys.add(r);
        for (const session of this.sessions.values()) this.refreshSummary(session);
        return keys;
      },
      'trust/remove': (r) => {
        const keys = this.trustedKeys.remove(r.fingerprint);
        for (const session of this.sessions.values()) this.refreshSummary(session);
        return keys;
      },
      'snapshot/verify': async (r, ctx) => {
        const session = this.session(r.snapshotId);
        return pool.run('background', { kind: 'verify', path: session.path }, { signal: ctx.signal as AbortSignal, onProgress: jobProgress(ctx) });
      },
      'catalog/tree': (r) => {
        const session = this.session(r.snapshotId);
        return catalogTree(session.db, session.tables);
      },
      'catalog/columns': (r) => allColumns(this.session(r.snapshotId).db, this.session(r.snapshotId).tables),
      'table/describe': (r) => {
        const session = this.session(r.snapshotId);
        return describeTable(session.db, this.table(session, r.table));
      },
      'table/page': (r, ctx) => {
        const session = this.session(r.snapshotId);
        const table = this.rowsTable(session, r.view.table);
        return pool.run<RowPage>(
          'interactive',
          { kind: 'page', path: session.path, columns: this.columns(session, table.name), view: r.view, offset: r.offset, limit: r.limit, catalogRows: table.rows },
          { signal: ctx.signal as AbortSignal, onProgress: jobProgress(ctx), finishOnCancel: true },
        );
      },
      'table/count': (r, ctx) => {
        const session = this.session(r.snapshotId);
        // Unfiltered, the catalog's exact count (of a table checked in place too); filtered, the rows themselves.
        const table = r.view.filters.length === 0 ? this.table(session, r.view.table) : this.rowsTable(session, r.view.table);
        if (r.view.filters.length === 0) return { rows: table.rows };
        return pool.run('background', { kind: 'count', path: session.path, columns: this.columns(session, table.name), view: r.view }, { signal: ctx.signal as AbortSignal, onProgress: jobProgress(ctx) });
      },
      'table/facet': (r, ctx) => {
        const session = this.session(r.snapshotId);
        const table = this.rowsTable(session, r.view.table);
        return pool.run(
          'background',
          { kind: 'facet', path: session.path, columns: this.columns(session, table.name), view: r.view, column: r.column, limit: r.limit },
          { signal: ctx.signal as AbortSignal, onProgress: jobProgress(ctx) },
        );
      },
      'column/profile': (r, ctx) => {
        const session = this.session(r.snapshotId);
        const table = this.rowsTable(session, r.table);
        const column = this.columns(session, table.name).find((c) => c.name === r.column);
        if (!column) fail('not-found', `no column "${r.column}" in ${table.sqlName}`, 'pick a column from the grid header');
        return pool.run('background', { kind: 'profile', path: session.path, table: table.name, column, rows: table.rows }, { signal: ctx.signal as AbortSignal, onProgress: jobProgress(ctx) });
      },
      'sql/run': async (r, ctx) => {
        const session = this.session(r.snapshotId);
        const job = await pool.run<SqlJobResult>('background', { kind: 'sql', path: session.path, sql: r.sql, maxRows: r.maxRows, dqFunctions: true }, { signal: ctx.signal as AbortSignal, onProgress: jobProgress(ctx) });
        return this.storeResult(session.id, r.sql, job);
      },
      'result/page': (r) => this.resultPage(r),
      'result/close': (r) => ({ closed: this.results.delete(r.resultId) }),
      'export/start': async (r, ctx) => {
        const session = this.session(r.snapshotId);
        const job = this.exportJob(r, session);
        if (r.savePath !== undefined) {
          if (this.options.transport !== 'ipc') fail('refused', 'the browser host does not write files where a request says', 'the export downloads through the browser instead');
          refuseOutput(resolve(r.savePath), [{ path: session.path, role: 'snapshot being exported' }], 'not-database');
          const done = await pool.run<ExportJobResult>('background', job.spec(resolve(r.savePath)), { signal: ctx.signal as AbortSignal, onProgress: jobProgress(ctx) });
          return { kind: 'file', path: resolve(r.savePath), rows: done.rows, bytes: done.bytes };
        }
        if (this.options.transport === 'ipc') fail('bad-request', 'export/start: the desktop shell gives savePath after its save dialog');
        // Check the source now (bad SQL, a write, an unknown table) rather than when the download starts.
        if (r.source.kind === 'sql') await pool.run('background', { kind: 'prepare', path: session.path, sql: r.source.sql }, { signal: ctx.signal as AbortSignal });
        return this.registerDownload({
          fileName: job.fileName,
          contentType: job.contentType,
          run: (onChunk, signal) => pool.run<ExportJobResult>('background', job.spec(null), { signal, onChunk }),
        });
      },
      'dq/packs': () =>
        Object.entries(BUILT_IN_PACKS).map(([name, pack]) => ({ name, description: pack.description ?? '', rules: pack.rules.length })),
      'dq/run': async (r, ctx) => {
        const session = this.session(r.snapshotId);
        if (r.pack !== undefined && r.packYaml !== undefined) fail('bad-request', 'dq/run: give either pack or packYaml, not both');
        const job = await pool.run<DqJobResult>(
          'background',
          { kind: 'dq', path: session.path, pack: r.pack ?? null, packYaml: r.packYaml ?? null, store: r.store },
          { signal: ctx.signal as AbortSignal, onProgress: jobProgress(ctx) },
        );
        if (job.stored.stored) this.refreshSummary(session);
        const definitions: Record<string, DqRuleDefinition> = {};
        for (const rule of job.pack.rules) {
          definitions[rule.id] = {
            id: rule.id,
            title: rule.title,
            severity: rule.severity,
            check: rule.check,
            description: rule.description ?? null,
            rule: JSON.parse(JSON.stringify(rule)) as Record<string, unknown>,
          };
        }
        return {
          runId: job.stored.stored ? job.stored.runId : null,
          pack: job.pack.pack,
          startedAt: job.startedAt,
          finishedAt: job.finishedAt,
          stored: job.stored.stored,
          notStoredReason: job.stored.stored ? null : job.stored.reason,
          summary: summarize(job.results),
          results: job.results,
          definitions,
        };
      },
      'dq/history': (r) => {
        const session = this.session(r.snapshotId);
        return listRuns(session.db).map((run) => ({
          runId: run.runId,
          pack: run.pack,
          startedAt: run.startedAt,
          finishedAt: run.finishedAt,
          toolVersion: run.toolVersion,
          rules: run.rules,
          pass: run.pass,
          fail: run.fail,
          warn: run.warn,
          error: run.error,
          skipped: run.skipped,
        }));
      },
      'dq/results': (r) => {
        const session = this.session(r.snapshotId);
        const run = listRuns(session.db).find((x) => x.runId === r.runId);
        if (!run) fail('not-found', `no stored DQ run ${r.runId} in ${session.summary.fileName}`, 'pick a run from the history');
        return { runId: run.runId, pack: run.pack, finishedAt: run.finishedAt, results: readRunResults(session.db, run.runId) };
      },
      'dq/evidence': async (r, ctx) => {
        const session = this.session(r.snapshotId);
        const job = await pool.run<SqlJobResult>('background', { kind: 'sql', path: session.path, sql: r.evidenceQuery, maxRows: r.maxRows, dqFunctions: true }, { signal: ctx.signal as AbortSignal, onProgress: jobProgress(ctx) });
        return this.storeResult(session.id, r.evidenceQuery, job);
      },
      'dq/rows': (r) => {
        const session = this.session(r.snapshotId);
        return { tables: findingRowQueries(session.db, r.evidenceQuery, (name) => session.byName.get(name) ?? null, (name) => this.columns(session, name)) };
      },
      'fleet/overview': (r) => {
        const session = this.session(r.snapshotId);
        return fleetOverview(session.db, session.tables);
      },
      'scenario/options': () => ({ presets: PRESET_NAMES.map((name) => ({ name, description: PRESETS[name].description })) }),
      'scenario/compute': async (r, ctx) => {
        try {
          const decisions = parseDecisionSettings(r.decisions);
          if (r.series) {
            const { key, measured } = await this.seriesGrowth(r.series, ctx.signal as AbortSignal);
            return annotateMeasuredGrowth(this.growthScenario(r.snapshotId, key, measured).evaluate(r.preset, decisions), measured);
          }
          return this.scenarioSession(r.snapshotId).evaluate(r.preset, decisions);
        } catch (error) {
          if (error instanceof DecisionError || error instanceof CostModelError) fail('bad-request', error.message, 'move the slider back into its range');
          throw error;
        }
      },
      'scenario/compare': (r) => compareFleets(this.scenarioSession(null).fleet, this.scenarioSession(r.snapshotId).fleet),
      'scenario/summary': async (r, ctx) => {
        let decisions: DecisionSettings;
        let summary: ScenarioSummary;
        let growth: { key: string; measured: MeasuredGrowth } | null = null;
        try {
          decisions = parseDecisionSettings(r.decisions);
          if (r.series) growth = await this.seriesGrowth(r.series, ctx.signal as AbortSignal);
          summary = this.summary(r.snapshotId, r.preset, decisions, growth);
        } catch (error) {
          if (error instanceof DecisionError || error instanceof CostModelError) fail('bad-request', error.message, 'move the slider back into its range');
          throw error;
        }
        let reference: ScenarioSummary | null = null;
        if (r.snapshotId !== null) {
          try {
            reference = this.summary(null, r.preset, decisions, growth);
          } catch (error) {
            // A decision within the snapshot's range may be outside the preset fleet's: no comparison then.
            if (!(error instanceof DecisionError || error instanceof CostModelError)) throw error;
          }
        }
        return { summary, reference };
      },
      'series/build': (r, ctx) =>
        this.pool.run<SeriesView>('background', { kind: 'series', paths: r.paths.map((p) => resolve(p)), computeDq: r.computeDq }, { signal: ctx.signal as AbortSignal, onProgress: jobProgress(ctx) }),
      'pull/inspect': (r) => {
        const path = resolve(r.fleetPath);
        const fleet = readFleetFile(path);
        return {
          path,
          name: fleet.name ?? null,
          instances: fleet.instances.map((i) => ({
            name: i.name,
            engine: i.engine,
            domain: i.domain ?? null,
            endpoint: i.connection ? `${i.connection.host}:${i.connection.port}` : null,
            passwordEnv: i.connection?.passwordEnv ?? null,
            passwordMissing: i.connection?.passwordEnv ? this.env[i.connection.passwordEnv] === undefined : false,
            connection: connectionSettings(i),
          })),
          warnings: fleet.warnings,
        };
      },
      'pull/check': async (r) => {
        const fleetPath = resolve(r.fleetPath);
        const fleet = readFleetFile(fleetPath);
        const selected = r.only ? fleet.instances.filter((i) => r.only!.includes(i.name)) : fleet.instances;
        const missing = missingPasswordVariables(selected, this.env);
        if (missing.length > 0) fail('bad-request', missing.join('; '), 'set the variables in the environment that runs snapbench, then check again');
        const { checkConnections } = await import('../check/connectCheck.ts');
        return checkConnections(selected, this.env);
      },
      'pull/configure': async (r, ctx) => {
        const fleetPath = resolve(r.fleetPath);
        let text: string;
        try {
          text = readFileSync(fleetPath, 'utf8');
        } catch (error) {
          fail('not-found', `fleet manifest ${fleetPath}: ${fileProblem(error)}`, 'check the path of the fleet manifest (YAML)');
        }
        try {
          writeConnectionSettings(fleetPath, text, r.instance, r.settings);
        } catch (error) {
          if (error instanceof FleetError) fail('bad-request', error.message, 'fix the settings and save again');
          throw error;
        }
        return this.handlers['pull/inspect']({ fleetPath }, ctx as never);
      },
      'pull/validate': (r) => checkManifestText(r.yaml, r.path ? resolve(r.path) : null),
      'pull/save-manifest': (r, ctx) => {
        const path = resolve(r.path);
        if (!/\.ya?ml$/i.test(path)) fail('bad-request', `${path}: a fleet manifest is a .yaml file`, 'end the file name with .yaml');
        const check = checkManifestText(r.yaml, path);
        if (!check.ok) fail('bad-request', `the manifest is not valid yet: ${check.problems[0]}`, check.problems.length > 1 ? `fix the ${check.problems.length} problems listed under the editor` : 'fix it and save again');
        if (existsSync(path) && !r.replace) fail('refused', `${path}: a file with this name exists`, 'give another name, or tick "Replace it"');
        refuseOutput(path, [], 'not-database');
        mkdirSync(dirname(path), { recursive: true });
        const temp = `${path}.partial-${process.pid}`;
        writeFileSync(temp, r.yaml);
        renameSync(temp, path);
        return this.handlers['pull/inspect']({ fleetPath: path }, ctx as never);
      },
      'pull/start': async (r, ctx) => {
        const fleetPath = resolve(r.fleetPath);
        const fleet = readFleetFile(fleetPath);
        const out = resolve(r.out);
        // Same rule as the CLI's pull: never over the manifest or a file it names, never over a file that is not a snapshot.
        refuseOutput(out, [...fleetInputs(fleetPath, readFileSync(fleetPath, 'utf8'), 'fleetPath'), ...(r.base ? [{ path: resolve(r.base), role: 'base snapshot' }] : [])], 'snapshot');
        let base: BaseSnapshot | undefined;
        if (r.base) {
          try {
            base = BaseSnapshot.open(r.base);
          } catch (error) {
            if (error instanceof SnapshotFileError) fail('bad-request', `base ${error.message}`, error.hint);
            throw error;
          }
        }
        const selected = r.only ? fleet.instances.filter((i) => r.only!.includes(i.name)) : fleet.instances;
        const missing = missingPasswordVariables(selected, this.env);
        if (missing.length > 0) fail('bad-request', missing.join('; '), 'set the variables in the environment that runs snapbench, then pull again');
        let result;
        try {
          result = await pullFleet({
            fleet,
            fleetFile: fleetPath,
            fleetBytes: readFileSync(fleetPath),
            out,
            only: r.only,
            maxRows: r.maxRows,
            concurrency: r.concurrency,
            signal: ctx.signal as AbortSignal,
            env: this.env,
            onEvent: (event) => ctx.progress(event as PullProgress),
            base,
            baseFile: r.base ?? undefined,
          });
        } catch (error) {
          base?.close();
          if (error instanceof CancelledError || ctx.signal.aborted) fail('cancelled', 'pull cancelled; no file was written');
          if (error instanceof FleetError) fail('bad-request', error.message, 'fix the fleet manifest or the instance selection');
          throw error;
        }
        base?.close();
        if (result.manifest) this.forget(out);
        const snapshot = result.manifest ? this.open(out) : null;
        return {
          file: result.manifest ? out : null,
          pulled: result.pulled,
          failed: result.failures,
          tables: result.manifest ? Object.keys(result.manifest.hashes).filter((t) => !t.startsWith('_snapbench_')).length : 0,
          rows: result.manifest ? result.manifest.instances.reduce((n, i) => n + i.rows, 0) : 0,
          snapshot,
          incremental: result.manifest?.incremental ? { rowsRead: result.manifest.incremental.rowsRead, rowsCarried: result.manifest.incremental.rowsCarried, tables: result.manifest.incremental.tables } : null,
        };
      },
      'dialog/open': () => fail('unavailable', 'file dialogs are only in the desktop app', 'type or paste the file path'),
      'dialog/save': () => fail('unavailable', 'file dialogs are only in the desktop app', 'type or paste the file path'),
    };
  }
}
