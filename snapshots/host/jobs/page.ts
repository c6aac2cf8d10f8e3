// Grid pages of a table view.
//
// An unsorted, unfiltered table is paged by rowid arithmetic (snapshot tables
// have rowids 1..rows). A sorted or filtered view is read forward by keyset
// from the nearest known position, a chunk at a time (each read scans the
// table once, so it fetches more than one page); a jump far ahead builds the
// view's order once (its rowids, sorted by SQLite) and then reads any page by
// rowid.
import type Database from 'better-sqlite3';
import type { RowPage } from '../../../shared/api/types.ts';
import { quoteIdentifier } from '../../../shared/model/sql.ts';
import type { SqlValue } from '../../../shared/model/snapshot.ts';
import { pageToArrow } from '../arrow.ts';
import { findColumn, pageQuery, valueExpression, viewKey, whereFilters, type Anchor } from '../viewSql.ts';
import { connection, fileKey, throttled, withViewErrors } from './connection.ts';
import type { JobContext, JobSpec } from './types.ts';

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
