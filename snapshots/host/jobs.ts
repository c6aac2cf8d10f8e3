// The workbench's data work, run in worker threads (pool.ts) so a slow scan
// never stalls the host: grid pages, counts, column profiles, SQL, exports,
// DQ runs and verification. Each job gets plain data and returns plain data;
// progress and export bytes go out through the context.
import type Database from 'better-sqlite3';
import { closeSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { ApiFailure, fail } from '../../shared/api/errors.ts';
import { PAGE_ROWS, type ColumnMeta, type ColumnProfile, type HistogramBin, type JobProgress, type ProfileValue, type ResultColumn, type RowPage, type TableView } from '../../shared/api/types.ts';
import { DqPackError, type RulePack } from '../../shared/dq/pack.ts';
import type { DqResult } from '../../shared/dq/results.ts';
import { quoteIdentifier } from '../../shared/model/sql.ts';
import type { SqlValue } from '../../shared/model/snapshot.ts';
import { csvCell, uniqueKeys } from '../cli/output.ts';
import { registerDqFunctions } from '../dq/functions.ts';
import { loadPack, parsePackYaml } from '../dq/loadPack.ts';
import { renderCsv, renderJson, type ReportContext } from '../dq/report.ts';
import { renderHtml } from '../dq/html.ts';
import { runPack } from '../dq/run.ts';
import { listRuns, readRunResults, readStoredPack, storeRun, type StoreOutcome } from '../dq/store.ts';
import { openSnapshot, readManifest, SnapshotFileError } from '../file/reader.ts';
import { verifySnapshot, type VerifyReport } from '../file/verify.ts';
import { announceStatement } from '../file/timeLimit.ts';
import { ArrowStreamSink, exportKind, pageToArrow, resultKind, uniqueNames, type ArrowColumn } from './arrow.ts';
import { blankExpression, exportQuery, findColumn, pageQuery, valueExpression, ViewError, viewKey, whereFilters, type Anchor } from './viewSql.ts';

export type ExportSourceSpec = { kind: 'table'; table: string; columns: ColumnMeta[]; view: TableView; rows: number } | { kind: 'sql'; sql: string };

export type JobSpec =
  | { kind: 'page'; path: string; columns: ColumnMeta[]; view: TableView; offset: number; limit: number; catalogRows: number }
  | { kind: 'count'; path: string; columns: ColumnMeta[]; view: TableView }
  | { kind: 'profile'; path: string; table: string; column: ColumnMeta; rows: number }
  | { kind: 'sql'; path: string; sql: string; maxRows: number; dqFunctions: boolean }
  | { kind: 'prepare'; path: string; sql: string }
  | { kind: 'export'; path: string; source: ExportSourceSpec; format: 'csv' | 'arrow'; savePath: string | null }
  | { kind: 'dq-report'; path: string; runId: number; format: 'html' | 'csv' | 'json'; savePath: string | null }
  | { kind: 'dq'; path: string; pack: string | null; packYaml: string | null; store: boolean }
  | { kind: 'verify'; path: string };

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

const connections = new Map<string, Database.Database>();

/** The file behind a path: a pull that replaces the file (rename) gives it a new inode, and every cache keyed on it starts afresh. */
function fileKey(path: string): string {
  try {
    return `${path}#${statSync(path).ino}`;
  } catch {
    return path;
  }
}

/** A read-only connection per snapshot file, kept for the worker's life. */
function connection(path: string, dqFunctions = false): Database.Database {
  const key = fileKey(path);
  let db = connections.get(key);
  if (!db) {
    try {
      db = openSnapshot(path);
    } catch (error) {
      if (error instanceof SnapshotFileError) fail('not-found', error.message, error.hint);
      throw error;
    }
    connections.set(key, db);
  }
  if (dqFunctions) registerDqFunctions(db);
  return db;
}

function withViewErrors<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ViewError) fail('bad-request', error.message, error.hint);
    throw error;
  }
}

/** Throttles progress to a few events a second. */
function throttled(ctx: JobContext): (progress: JobProgress, force?: boolean) => void {
  let last = 0;
  return (progress, force = false) => {
    const now = Date.now();
    if (force || now - last >= 150) {
      last = now;
      ctx.progress(progress);
    }
  };
}

// ---------------------------------------------------------------- pages
//
// An unsorted, unfiltered table is paged by rowid arithmetic (snapshot tables
// have rowids 1..rows). A sorted or filtered view is read forward by keyset
// from the nearest known position, a chunk at a time (each read scans the
// table once, so it fetches more than one page); a jump far ahead builds the
// view's order once (its rowids, sorted by SQLite) and then reads any page by
// rowid.

/** Rows fetched per keyset read of a sorted or filtered view. */
const KEYSET_CHUNK = 2048;
/** Rows of a view kept in memory around the last read. */
const MAX_CACHED_ROWS = 16_384;
/** Views whose order (rowid list) is kept; each costs 8 bytes per row. */
const MAX_ORDERS = 3;

interface ViewState {
  anchors: Anchor[];
  cache: Map<number, SqlValue[]>;
  names: string[] | null;
  total: number | null;
  order: Float64Array | null;
}

const views = new Map<string, ViewState>();
const denseTables = new Map<string, boolean>();
const MAX_VIEWS = 32;

function viewState(key: string): ViewState {
  let state = views.get(key);
  if (state) {
    views.delete(key);
    views.set(key, state);
    return state;
  }
  state = { anchors: [], cache: new Map(), names: null, total: null, order: null };
  views.set(key, state);
  if (views.size > MAX_VIEWS) views.delete(views.keys().next().value!);
  return state;
}

/** The last anchor at or before `position`. */
function anchorBefore(anchors: Anchor[], position: number): Anchor | null {
  let lo = 0;
  let hi = anchors.length - 1;
  let best: Anchor | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (anchors[mid]!.position <= position) {
      best = anchors[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

function addAnchor(anchors: Anchor[], anchor: Anchor): void {
  let lo = 0;
  let hi = anchors.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (anchors[mid]!.position < anchor.position) lo = mid + 1;
    else hi = mid;
  }
  if (anchors[lo]?.position === anchor.position) anchors[lo] = anchor;
  else anchors.splice(lo, 0, anchor);
}

/** Rowids 1..rows with no gaps (every snapshot table is written that way): then position n is rowid n+1. */
function isDense(db: Database.Database, path: string, table: string, rows: number): boolean {
  const key = `${fileKey(path)}\u0000${table}`;
  let dense = denseTables.get(key);
  if (dense === undefined) {
    const r = db.prepare(`SELECT min(rowid) AS lo, max(rowid) AS hi FROM ${quoteIdentifier(table)}`).safeIntegers(false).get() as { lo: number | null; hi: number | null };
    dense = rows === 0 ? r.hi === null : r.lo === 1 && r.hi === rows;
    denseTables.set(key, dense);
  }
  return dense;
}

function dropSortKey(names: string[], rows: SqlValue[][]): { names: string[]; rows: SqlValue[][] } {
  // Columns 0 and 1 are __rowid and __sortkey; the page keeps __rowid and the table's columns.
  return { names: [names[0]!, ...names.slice(2)], rows: rows.map((r) => [r[0]!, ...r.slice(2)]) };
}

/** Reads forward by keyset from the nearest anchor and caches a chunk of rows from `offset`. */
function readChunk(db: Database.Database, spec: Extract<JobSpec, { kind: 'page' }>, state: ViewState, offset: number, count: number): void {
  const { view } = spec;
  const anchor = anchorBefore(state.anchors, offset);
  const start = anchor?.position ?? 0;
  const query = pageQuery(view.table, spec.columns, view.sort, view.filters, anchor, offset - start, count);
  const statement = db.prepare(query.sql).raw(true).safeIntegers(true);
  const rows = statement.all(...query.params) as SqlValue[][];
  state.names ??= statement.columns().map((c) => c.name);
  if (state.cache.size + rows.length > MAX_CACHED_ROWS) state.cache.clear();
  rows.forEach((row, i) => state.cache.set(offset + i, row));
  if (rows.length > 0) {
    const last = rows[rows.length - 1]!;
    addAnchor(state.anchors, { position: offset + rows.length, sortValue: last[1] ?? null, rowid: last[0] ?? null });
  }
  if (rows.length < count && (rows.length > 0 || offset === 0)) state.total = offset + rows.length;
}

/** The whole view's order as rowids (SQLite sorts; this keeps 8 bytes a row). */
function buildOrder(db: Database.Database, spec: Extract<JobSpec, { kind: 'page' }>, state: ViewState, ctx: JobContext): Float64Array {
  const { view } = spec;
  const where = whereFilters(spec.columns, view.filters);
  const direction = view.sort?.direction === 'desc' ? 'DESC' : 'ASC';
  const order = view.sort ? `${valueExpression(findColumn(spec.columns, view.sort.column))} ${direction}, rowid ${direction}` : 'rowid';
  const statement = db.prepare(`SELECT rowid FROM ${quoteIdentifier(view.table)}${where.sql ? ` WHERE ${where.sql}` : ''} ORDER BY ${order}`).pluck().safeIntegers(false);
  const total = spec.catalogRows;
  const report = throttled(ctx);
  report({ phase: view.sort ? 'sorting the table' : 'filtering the table', done: 0, total: null, unit: 'rows' }, true);
  let rowids = new Float64Array(Math.max(1024, view.filters.length ? Math.min(total, 1 << 20) : total));
  let n = 0;
  for (const rowid of statement.iterate(...where.params) as IterableIterator<number>) {
    if (n === rowids.length) {
      const grown = new Float64Array(rowids.length * 2);
      grown.set(rowids);
      rowids = grown;
    }
    rowids[n++] = rowid;
    if ((n & 0xffff) === 0) report({ phase: 'reading the order', done: n, total: view.filters.length ? null : total, unit: 'rows' });
  }
  const orderRowids = rowids.slice(0, n);
  for (const other of views.values()) if (other !== state && other.order && [...views.values()].filter((v) => v.order).length >= MAX_ORDERS) other.order = null;
  state.order = orderRowids;
  state.total = n;
  return orderRowids;
}

function rowsByOrder(db: Database.Database, table: string, order: Float64Array, offset: number, limit: number): { names: string[]; rows: SqlValue[][] } {
  const statement = db.prepare(`SELECT rowid AS "__rowid", * FROM ${quoteIdentifier(table)} WHERE rowid = ?`).raw(true).safeIntegers(true);
  const rows: SqlValue[][] = [];
  for (let i = offset; i < Math.min(order.length, offset + limit); i++) {
    const row = statement.get(order[i]!) as SqlValue[] | undefined;
    if (row) rows.push(row);
  }
  return { names: statement.columns().map((c) => c.name), rows };
}

export function pageJob(spec: Extract<JobSpec, { kind: 'page' }>, ctx: JobContext): RowPage {
  return withViewErrors(() => {
    const db = connection(spec.path);
    const { view, offset, limit } = spec;
    const unfiltered = view.filters.length === 0;
    if (!view.sort && unfiltered && isDense(db, spec.path, view.table, spec.catalogRows)) {
      const statement = db.prepare(`SELECT rowid AS "__rowid", * FROM ${quoteIdentifier(view.table)} WHERE rowid > ? AND rowid <= ? ORDER BY rowid`).raw(true).safeIntegers(true);
      const rows = statement.all(offset, offset + limit) as SqlValue[][];
      const names = statement.columns().map((c) => c.name);
      return { arrow: pageToArrow(names, rows), offset, rows: rows.length, total: spec.catalogRows, end: offset + rows.length >= spec.catalogRows };
    }
    const state = viewState(viewKey(fileKey(spec.path), view.table, view.sort, view.filters));
    if (unfiltered) state.total = spec.catalogRows;
    let page: { names: string[]; rows: SqlValue[][] };
    const want = state.total === null ? limit : Math.max(0, Math.min(limit, state.total - offset));
    const cached = () => {
      const rows: SqlValue[][] = [];
      for (let i = offset; i < offset + want; i++) {
        const row = state.cache.get(i);
        if (!row) return null;
        rows.push(row);
      }
      return rows;
    };
    const hit = state.order ? null : cached();
    if (state.order) page = rowsByOrder(db, view.table, state.order, offset, limit);
    else if (hit) page = dropSortKey(state.names!, hit);
    else {
      const anchor = anchorBefore(state.anchors, offset);
      if (offset - (anchor?.position ?? 0) <= 2 * KEYSET_CHUNK) {
        readChunk(db, spec, state, offset, Math.max(limit, KEYSET_CHUNK));
        const available: SqlValue[][] = [];
        for (let i = offset; i < offset + limit && state.cache.has(i); i++) available.push(state.cache.get(i)!);
        page = dropSortKey(state.names!, available);
      } else page = rowsByOrder(db, view.table, buildOrder(db, spec, state, ctx), offset, limit);
    }
    const end = state.total !== null ? offset + page.rows.length >= state.total : page.rows.length < limit;
    return { arrow: pageToArrow(page.names, page.rows), offset, rows: page.rows.length, total: state.total, end };
  });
}

// ---------------------------------------------------------------- counts

const COUNT_CHUNK = 262_144;

export function countJob(spec: Extract<JobSpec, { kind: 'count' }>, ctx: JobContext): { rows: number } {
  return withViewErrors(() => {
    const db = connection(spec.path);
    const table = quoteIdentifier(spec.view.table);
    const where = whereFilters(spec.columns, spec.view.filters);
    const bounds = db.prepare(`SELECT min(rowid) AS lo, max(rowid) AS hi FROM ${table}`).safeIntegers(false).get() as { lo: number | null; hi: number | null };
    if (bounds.lo === null || bounds.hi === null) return { rows: 0 };
    const statement = db.prepare(`SELECT count(*) FROM ${table} WHERE rowid BETWEEN ? AND ?${where.sql ? ` AND ${where.sql}` : ''}`).pluck();
    const span = bounds.hi - bounds.lo + 1;
    const report = throttled(ctx);
    let rows = 0;
    announceStatement(`counting the rows of ${spec.view.table}`);
    for (let lo = bounds.lo; lo <= bounds.hi; lo += COUNT_CHUNK) {
      const hi = Math.min(bounds.hi, lo + COUNT_CHUNK - 1);
      rows += statement.get(lo, hi, ...where.params) as number;
      report({ phase: 'counting rows', done: hi - bounds.lo + 1, total: span, unit: 'rows' });
    }
    announceStatement(null);
    return { rows };
  });
}

// ---------------------------------------------------------------- profiles

const NUMERIC = new Set(['integer', 'decimal', 'float', 'bit']);
const TOP_VALUES = 10;
const HISTOGRAM_BINS = 20;
const SHOWN_VALUE_LENGTH = 200;

function shown(value: SqlValue): string | null {
  if (value === null) return null;
  const text = value instanceof Uint8Array ? `0x${Buffer.from(value.subarray(0, 32)).toString('hex')}${value.length > 32 ? '…' : ''}` : String(value);
  return text.length > SHOWN_VALUE_LENGTH ? `${text.slice(0, SHOWN_VALUE_LENGTH)}…` : text;
}

/** SQLite's BINARY order on text (byte order of UTF-8), for merging per-chunk minimums. */
function compareValues(a: SqlValue, b: SqlValue): number {
  if (typeof a === 'number' || typeof a === 'bigint') {
    if (typeof b === 'number' || typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    return -1;
  }
  if (typeof b === 'number' || typeof b === 'bigint') return 1;
  return Buffer.compare(Buffer.from(a as string | Uint8Array), Buffer.from(b as string | Uint8Array));
}

function julianToDate(jd: number): string {
  const ms = (jd - 2440587.5) * 86_400_000;
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '').replace(/ 00:00:00$/, '') : String(jd);
}

function roundLabel(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

export function profileJob(spec: Extract<JobSpec, { kind: 'profile' }>, ctx: JobContext): ColumnProfile {
  const started = performance.now();
  const db = connection(spec.path);
  const column = spec.column;
  const table = quoteIdentifier(spec.table);
  const c = quoteIdentifier(column.name);
  const numeric = NUMERIC.has(column.storage);
  const temporal = column.storage === 'temporal';
  const measure = numeric ? `CAST(${c} AS REAL)` : temporal ? `julianday(${c})` : column.storage === 'blob' ? `length(CAST(${c} AS BLOB))` : column.storage === 'boolean' ? null : `length(${c})`;
  const report = throttled(ctx);

  // 1. One pass in rowid ranges: counts, blanks, min/max, the histogram's domain.
  const bounds = db.prepare(`SELECT min(rowid) AS lo, max(rowid) AS hi FROM ${table}`).get() as { lo: number | null; hi: number | null };
  const scan = db
    .prepare(
      `SELECT count(*) AS rows, sum(${c} IS NULL) AS nulls, sum(${blankExpression(c)}) AS blanks,
              min(${numeric ? `CAST(${c} AS REAL)` : c}) AS min, max(${numeric ? `CAST(${c} AS REAL)` : c}) AS max,
              ${measure ? `min(${measure}) AS mlo, max(${measure}) AS mhi,` : 'NULL AS mlo, NULL AS mhi,'}
              ${numeric ? `sum(CAST(${c} AS REAL))` : 'NULL'} AS total, count(${c}) AS present,
              sum(typeof(${c}) = 'integer') AS tInteger, sum(typeof(${c}) = 'real') AS tReal, sum(typeof(${c}) = 'text') AS tText, sum(typeof(${c}) = 'blob') AS tBlob
         FROM ${table} WHERE rowid BETWEEN ? AND ?`,
    )
    .safeIntegers(false);
  let rows = 0;
  let nulls = 0;
  let blanks = 0;
  let min: SqlValue = null;
  let max: SqlValue = null;
  let mlo: number | null = null;
  let mhi: number | null = null;
  let sum = 0;
  let present = 0;
  const types = { integer: 0, real: 0, text: 0, blob: 0, null: 0 };
  if (bounds.lo !== null && bounds.hi !== null) {
    const span = bounds.hi - bounds.lo + 1;
    for (let lo = bounds.lo; lo <= bounds.hi; lo += COUNT_CHUNK) {
      const hi = Math.min(bounds.hi, lo + COUNT_CHUNK - 1);
      const r = scan.get(lo, hi) as Record<string, SqlValue>;
      rows += Number(r.rows ?? 0);
      nulls += Number(r.nulls ?? 0);
      blanks += Number(r.blanks ?? 0);
      if (r.min !== null && (min === null || compareValues(r.min!, min) < 0)) min = r.min!;
      if (r.max !== null && (max === null || compareValues(r.max!, max) > 0)) max = r.max!;
      if (r.mlo !== null && r.mlo !== undefined) mlo = mlo === null ? Number(r.mlo) : Math.min(mlo, Number(r.mlo));
      if (r.mhi !== null && r.mhi !== undefined) mhi = mhi === null ? Number(r.mhi) : Math.max(mhi, Number(r.mhi));
      sum += Number(r.total ?? 0);
      present += Number(r.present ?? 0);
      types.integer += Number(r.tInteger ?? 0);
      types.real += Number(r.tReal ?? 0);
      types.text += Number(r.tText ?? 0);
      types.blob += Number(r.tBlob ?? 0);
      report({ phase: 'scanning values', done: hi - bounds.lo + 1, total: span, unit: 'rows' });
    }
  }
  types.null = nulls;

  // 2. Distinct values and the most frequent ones, from one grouped pass.
  let distinct = 0;
  let grouped = 0;
  const top: ProfileValue[] = [];
  const groups = db.prepare(`SELECT ${c} AS v, count(*) AS n FROM ${table} GROUP BY ${c}`).raw(true).safeIntegers(false);
  report({ phase: 'counting distinct values', done: 0, total: rows, unit: 'rows' }, true);
  for (const [value, count] of groups.iterate() as IterableIterator<[SqlValue, number]>) {
    grouped += count;
    if (value !== null) distinct++;
    if (top.length < TOP_VALUES || count > top[top.length - 1]!.count) {
      const entry = { value: shown(value), count };
      let i = top.length;
      while (i > 0 && top[i - 1]!.count < count) i--;
      top.splice(i, 0, entry);
      if (top.length > TOP_VALUES) top.pop();
    }
    if ((distinct & 0x3fff) === 0) report({ phase: 'counting distinct values', done: grouped, total: rows, unit: 'rows' });
  }

  // 3. A histogram of the values (numbers, dates) or of their length (text, bytes).
  const histogram: HistogramBin[] = [];
  let histogramOf: ColumnProfile['histogramOf'] = null;
  if (measure && mlo !== null && mhi !== null) {
    histogramOf = numeric ? 'value' : temporal ? 'date' : 'length';
    report({ phase: 'histogram', done: 0, total: 1, unit: 'steps' }, true);
    const integral = histogramOf === 'length' || (numeric && column.storage !== 'decimal' && column.storage !== 'float');
    let bins = HISTOGRAM_BINS;
    if (integral) bins = Math.max(1, Math.min(HISTOGRAM_BINS, Math.floor(mhi - mlo) + 1));
    const width = mhi > mlo ? (mhi - mlo) / bins : 1;
    const counts = db
      .prepare(`SELECT min(${bins - 1}, CAST((${measure} - ?) / ? AS INTEGER)) AS bin, count(*) AS n FROM ${table} WHERE ${measure} IS NOT NULL GROUP BY bin ORDER BY bin`)
      .safeIntegers(false)
      .all(mlo, width) as { bin: number; n: number }[];
    const byBin = new Map(counts.map((r) => [r.bin, r.n]));
    const label = (x: number) => (temporal ? julianToDate(x) : roundLabel(x));
    for (let b = 0; b < bins; b++) {
      const from = mlo + b * width;
      const to = b === bins - 1 ? mhi : mlo + (b + 1) * width;
      histogram.push({ from: label(integral ? Math.ceil(from) : from), to: label(integral && b < bins - 1 ? Math.ceil(to) - 1 : to), count: byBin.get(b) ?? 0 });
    }
  }
  report({ phase: 'done', done: 1, total: 1, unit: 'steps' }, true);
  return {
    table: spec.table,
    column: column.name,
    storage: column.storage,
    declaredType: column.declaredType,
    rows,
    nulls,
    blanks,
    distinct,
    min: shown(numeric && typeof min === 'number' ? roundLabel(min) : min),
    max: shown(numeric && typeof max === 'number' ? roundLabel(max) : max),
    mean: numeric && present > 0 ? sum / present : null,
    types,
    topValues: top,
    histogramOf,
    histogram,
    seconds: (performance.now() - started) / 1000,
  };
}

// ---------------------------------------------------------------- SQL

export function prepareReadOnly(db: Database.Database, sql: string): Database.Statement {
  let statement: Database.Statement;
  try {
    statement = db.prepare(sql);
  } catch (error) {
    const message = (error as Error).message;
    if (/more than one statement/i.test(message)) fail('refused', 'give one SQL statement at a time', 'remove everything after the first ";"');
    fail('failed', `SQL error: ${message}`, 'check the SQL; each table in the tree shows the name to paste (its SQL name)');
  }
  if (!statement.reader || !statement.readonly) {
    fail('refused', 'query refused: the statement would change the snapshot, which is read-only; the file was not changed', 'use SELECT (or WITH ... SELECT) statements');
  }
  return statement.raw(true).safeIntegers(true);
}

function sqlFailure(error: unknown): never {
  if (error instanceof ApiFailure) throw error;
  const message = (error as Error).message;
  if (/readonly|read-only|query_only/i.test(message)) fail('refused', 'query refused: the statement would change the snapshot, which is read-only; the file was not changed');
  fail('failed', `SQL error: ${message}`, null);
}

export function sqlJob(spec: Extract<JobSpec, { kind: 'sql' }>, ctx: JobContext): SqlJobResult {
  const started = performance.now();
  const db = connection(spec.path, true);
  const statement = prepareReadOnly(db, spec.sql);
  const described = statement.columns();
  const names = uniqueKeys(described.map((c) => c.name));
  const columns: ResultColumn[] = described.map((c) => ({ name: c.name, declaredType: c.type ?? null }));
  const blocks: Uint8Array[] = [];
  let block: SqlValue[][] = [];
  let rows = 0;
  let limited = false;
  const report = throttled(ctx);
  try {
    announceStatement('the SQL statement');
    for (const row of statement.iterate() as IterableIterator<SqlValue[]>) {
      if (rows >= spec.maxRows) {
        limited = true;
        break;
      }
      block.push(row);
      rows++;
      if (block.length === PAGE_ROWS) {
        blocks.push(pageToArrow(names, block));
        block = [];
        report({ phase: 'reading rows', done: rows, total: null, unit: 'rows' });
      }
    }
  } catch (error) {
    sqlFailure(error);
  }
  announceStatement(null);
  if (block.length > 0 || blocks.length === 0) blocks.push(pageToArrow(names, block));
  return { columns, blocks, rows, limited, seconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------- exports

const EXPORT_BATCH = 16_384;
const FLUSH_BYTES = 1 << 20;

/** Where export bytes go: a file written beside its final path, or the host (a download). */
class ExportOutput {
  private fd: number | null = null;
  private readonly partial: string | null;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  bytes = 0;

  constructor(
    private readonly savePath: string | null,
    private readonly ctx: JobContext,
  ) {
    this.partial = savePath ? `${savePath}.partial-${process.pid}` : null;
    if (this.partial) {
      try {
        this.fd = openSync(this.partial, 'w');
      } catch (error) {
        fail('failed', `cannot write ${savePath}: ${(error as Error).message}`, 'choose a folder you can write to');
      }
    }
  }

  push(bytes: Uint8Array): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.bytes += bytes.length;
  }

  get full(): boolean {
    return this.pendingBytes >= FLUSH_BYTES;
  }

  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const joined = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (this.fd !== null) {
      let at = 0;
      while (at < joined.length) at += writeSync(this.fd, joined, at, joined.length - at);
    } else await this.ctx.chunk(new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength));
  }

  async finish(): Promise<void> {
    await this.flush();
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
      renameSync(this.partial!, this.savePath!);
    }
  }

  abandon(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = null;
    }
    if (this.partial) rmSync(this.partial, { force: true });
  }
}

export async function exportJob(spec: Extract<JobSpec, { kind: 'export' }>, ctx: JobContext): Promise<ExportJobResult> {
  const db = connection(spec.path, spec.source.kind === 'sql');
  let statement: Database.Statement;
  let params: SqlValue[] = [];
  let names: string[];
  let kinds: ((sample: SqlValue[][]) => ArrowColumn[]) | null = null;
  let total: number | null = null;
  if (spec.source.kind === 'table') {
    const source = spec.source;
    const query = withViewErrors(() => exportQuery(source.view.table, source.columns, source.view.sort, source.view.filters));
    statement = db.prepare(query.sql).raw(true).safeIntegers(true);
    params = query.params;
    names = source.columns.map((c) => c.name);
    const unique = uniqueNames(names);
    kinds = () =>
      source.columns.map((c, i) => ({ name: unique[i]!, kind: exportKind(c), metadata: { declared_type: c.declaredType, storage: c.storage, source_name: c.sourceName } }));
    if (source.view.filters.length === 0) total = source.rows;
  } else {
    statement = prepareReadOnly(db, spec.source.sql);
    const described = statement.columns();
    names = described.map((c) => c.name);
    const unique = uniqueNames(names);
    kinds = (sample) => described.map((c, i) => ({ name: unique[i]!, kind: resultKind(c.type ?? null, sample.map((r) => r[i] ?? null)), ...(c.type ? { metadata: { declared_type: c.type } } : {}) }));
  }
  const output = new ExportOutput(spec.savePath, ctx);
  let arrow: ArrowStreamSink | null = null;
  let rows = 0;
  const report = throttled(ctx);
  try {
    if (spec.format === 'csv') output.push(Buffer.from(names.map((n) => csvCell(n)).join(',') + '\n', 'utf8'));
    let batch: SqlValue[][] = [];
    const writeBatch = async () => {
      if (spec.format === 'csv') {
        let text = '';
        for (const row of batch) text += row.map((v) => csvCell(v)).join(',') + '\n';
        output.push(Buffer.from(text, 'utf8'));
      } else {
        arrow ??= new ArrowStreamSink(kinds!(batch), (bytes) => output.push(bytes));
        arrow.write(batch);
      }
      rows += batch.length;
      batch = [];
      // A streaming export counts its time limit from its last batch: a long export that keeps producing rows runs on.
      announceStatement('the export');
      report({ phase: 'exporting rows', done: rows, total, unit: 'rows' });
      if (output.full) await output.flush();
    };
    try {
      announceStatement('the export');
      for (const row of statement.iterate(...params) as IterableIterator<SqlValue[]>) {
        batch.push(row);
        if (batch.length === EXPORT_BATCH) await writeBatch();
      }
    } catch (error) {
      sqlFailure(error);
    }
    if (batch.length > 0) await writeBatch();
    announceStatement(null);
    if (spec.format === 'arrow') {
      arrow ??= new ArrowStreamSink(kinds!([]), (bytes) => output.push(bytes));
      (arrow as ArrowStreamSink).finish();
    }
    await output.finish();
    report({ phase: 'done', done: rows, total: rows, unit: 'rows' }, true);
    return { rows, bytes: output.bytes, coerced: arrow ? (arrow as ArrowStreamSink).coerced : 0 };
  } catch (error) {
    output.abandon();
    throw error;
  }
}

/** A stored DQ run as a report file (HTML, CSV or JSON). */
export async function dqReportJob(spec: Extract<JobSpec, { kind: 'dq-report' }>, ctx: JobContext): Promise<ExportJobResult> {
  const db = connection(spec.path);
  const run = listRuns(db).find((r) => r.runId === spec.runId);
  if (!run) fail('not-found', `no stored DQ run ${spec.runId} in this snapshot`, 'run the pack first, or pick a run from the history');
  const pack = readStoredPack(db, spec.runId);
  if (!pack) fail('not-found', `DQ run ${spec.runId}: its pack is missing`);
  const { manifest, rootSha256 } = readManifest(db, spec.path);
  const context: ReportContext = {
    file: spec.path,
    manifest,
    rootSha256,
    pack,
    run: { id: run.runId, startedAt: run.startedAt, finishedAt: run.finishedAt, packSha256: run.packSha256, toolVersion: run.toolVersion },
    results: readRunResults(db, spec.runId),
  };
  const text = spec.format === 'html' ? renderHtml(context) : spec.format === 'csv' ? renderCsv(context) : renderJson(context);
  const output = new ExportOutput(spec.savePath, ctx);
  try {
    output.push(Buffer.from(text, 'utf8'));
    await output.finish();
  } catch (error) {
    output.abandon();
    throw error;
  }
  return { rows: context.results.length, bytes: output.bytes, coerced: 0 };
}

// ---------------------------------------------------------------- DQ and verify

export function dqJob(spec: Extract<JobSpec, { kind: 'dq' }>, ctx: JobContext): DqJobResult {
  let pack: RulePack;
  try {
    pack = spec.packYaml !== null ? parsePackYaml(spec.packYaml, 'pack') : loadPack(spec.pack ?? undefined);
  } catch (error) {
    if (error instanceof DqPackError) fail('bad-request', error.message, '"snapbench dq pack" prints report-07 as an example');
    throw error;
  }
  const db = connection(spec.path);
  ctx.progress({ phase: `running ${pack.rules.length} rules`, done: 0, total: pack.rules.length, unit: 'rules' });
  const run = runPack(db, pack);
  let stored: StoreOutcome = { stored: false, reason: 'not asked to store the results' };
  if (spec.store) {
    ctx.progress({ phase: 'storing the results in the snapshot', done: pack.rules.length, total: pack.rules.length, unit: 'rules' });
    stored = storeRun(spec.path, run, readManifest(db, spec.path).rootSha256);
  }
  return { pack: run.pack, results: run.results, startedAt: run.startedAt, finishedAt: run.finishedAt, stored };
}

export function verifyJob(spec: Extract<JobSpec, { kind: 'verify' }>, ctx: JobContext): VerifyReport & { seconds: number } {
  const started = performance.now();
  ctx.progress({ phase: 'recomputing every table hash', done: 0, total: null, unit: 'tables' });
  let db: Database.Database;
  try {
    db = openSnapshot(spec.path, { inspect: true });
  } catch (error) {
    if (error instanceof SnapshotFileError) fail('not-found', error.message, error.hint);
    throw error;
  }
  try {
    const report = verifySnapshot(db, spec.path);
    return { ...report, seconds: (performance.now() - started) / 1000 };
  } finally {
    db.close();
  }
}

/** Runs one job by kind. */
export async function runJob(spec: JobSpec, ctx: JobContext): Promise<unknown> {
  switch (spec.kind) {
    case 'page':
      return pageJob(spec, ctx);
    case 'count':
      return countJob(spec, ctx);
    case 'profile':
      return profileJob(spec, ctx);
    case 'sql':
      return sqlJob(spec, ctx);
    case 'prepare':
      // Checks a statement (syntax, tables, read-only) without running it.
      return prepareReadOnly(connection(spec.path, true), spec.sql).columns().map((c) => c.name);
    case 'export':
      return exportJob(spec, ctx);
    case 'dq-report':
      return dqReportJob(spec, ctx);
    case 'dq':
      return dqJob(spec, ctx);
    case 'verify':
      return verifyJob(spec, ctx);
  }
}
