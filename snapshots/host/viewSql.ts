// SQL for the grid's views of a table: filters, one sort column, and keyset
// pagination on (sort value, rowid), so a page never re-reads the rows before
// it when the previous page's last key is known.
//
// Order: ascending puts NULLs first, descending puts them last (SQLite's own
// order); ties are broken by rowid in the same direction, so every row has one
// place and the keyset condition after a key is exact.
import { UNARY_FILTER_OPS, type ColumnFilter, type ColumnMeta, type ColumnSort } from '../../shared/api/types.ts';
import { WHITE_SPACE_CODE_POINTS } from '../../shared/dq/definitions.ts';
import { quoteIdentifier } from '../../shared/model/sql.ts';
import { blankSql } from '../dq/sql.ts';
import type { SqlValue } from '../../shared/model/snapshot.ts';

export class ViewError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'ViewError';
  }
}

const WHITE_SPACE_SQL = `char(${WHITE_SPACE_CODE_POINTS.join(',')})`;

/** Text that is empty or only Unicode white space; NULL is not blank here (the profile counts it apart). */
export function blankExpression(column: string): string {
  return `(typeof(${column}) = 'text' AND NOT ${column} GLOB '*[^' || ${WHITE_SPACE_SQL} || ']*')`;
}

const NUMERIC_AS_TEXT = new Set(['decimal', 'float']);
const INTEGER_LIKE = new Set(['integer', 'boolean', 'bit']);

/** The expression a column sorts and compares by: decimals and floats are stored as text, so they compare as numbers. */
export function valueExpression(column: ColumnMeta): string {
  const q = quoteIdentifier(column.name);
  return NUMERIC_AS_TEXT.has(column.storage) ? `CAST(${q} AS REAL)` : q;
}

function likePattern(text: string, prefix: boolean): string {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  return prefix ? `${escaped}%` : `%${escaped}%`;
}

function numericValue(column: ColumnMeta, text: string): number | bigint | null {
  const t = text.trim();
  if (INTEGER_LIKE.has(column.storage) && /^-?\d+$/.test(t)) {
    const big = BigInt(t);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  if (t === '' || !Number.isFinite(Number(t))) return null;
  return Number(t);
}

function isNumericColumn(column: ColumnMeta): boolean {
  return INTEGER_LIKE.has(column.storage) || NUMERIC_AS_TEXT.has(column.storage);
}

export interface SqlPart {
  sql: string;
  params: SqlValue[];
}

export function findColumn(columns: readonly ColumnMeta[], name: string): ColumnMeta {
  const column = columns.find((c) => c.name === name);
  if (!column) throw new ViewError(`no column "${name}"`, `the table's columns are ${columns.map((c) => c.name).slice(0, 20).join(', ')}`);
  return column;
}

export function filterCondition(columns: readonly ColumnMeta[], filter: ColumnFilter): SqlPart {
  const column = findColumn(columns, filter.column);
  const q = quoteIdentifier(column.name);
  const value = filter.value ?? '';
  const needsValue = !UNARY_FILTER_OPS.includes(filter.op);
  if (needsValue && filter.value === undefined) throw new ViewError(`filter on "${column.name}": "${filter.op}" needs a value`);
  switch (filter.op) {
    case 'is-null':
      return { sql: `${q} IS NULL`, params: [] };
    case 'not-null':
      return { sql: `${q} IS NOT NULL`, params: [] };
    case 'is-blank':
      return { sql: blankExpression(q), params: [] };
    case 'not-blank':
      return { sql: `NOT ${blankExpression(q)}`, params: [] };
    // The DQ pack's `blank: true` (DQ-007): NULL, or empty after trimming Unicode white space.
    // The same SQL as the rule's, so the explorer and DQ count the same rows.
    case 'blank-or-null':
      return { sql: blankSql(q), params: [] };
    case 'not-blank-or-null':
      return { sql: `NOT ${blankSql(q)}`, params: [] };
    case 'contains':
      return { sql: `${q} LIKE ? ESCAPE '\\'`, params: [likePattern(value, false)] };
    case 'starts-with':
      return { sql: `${q} LIKE ? ESCAPE '\\'`, params: [likePattern(value, true)] };
    case 'equals':
    case 'not-equals': {
      const operator = filter.op === 'equals' ? 'IS' : 'IS NOT';
      if (isNumericColumn(column)) {
        const n = numericValue(column, value);
        if (n === null) throw new ViewError(`filter on "${column.name}": "${value}" is not a number`, `the column holds ${column.declaredType} values`);
        return { sql: `${valueExpression(column)} ${operator} ?`, params: [n] };
      }
      return { sql: `${q} ${operator} ?`, params: [value] };
    }
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      const operator = { lt: '<', le: '<=', gt: '>', ge: '>=' }[filter.op];
      if (isNumericColumn(column)) {
        const n = numericValue(column, value);
        if (n === null) throw new ViewError(`filter on "${column.name}": "${value}" is not a number`, `the column holds ${column.declaredType} values`);
        return { sql: `${valueExpression(column)} ${operator} ?`, params: [n] };
      }
      return { sql: `${q} ${operator} ?`, params: [value] };
    }
  }
}

export function whereFilters(columns: readonly ColumnMeta[], filters: readonly ColumnFilter[]): SqlPart {
  const parts = filters.map((f) => filterCondition(columns, f));
  return { sql: parts.map((p) => `(${p.sql})`).join(' AND '), params: parts.flatMap((p) => p.params) };
}

/** A position in a view: the sort value and rowid of the row just before `position`. */
export interface Anchor {
  position: number;
  sortValue: SqlValue;
  rowid: SqlValue;
}

export interface ViewQuery {
  /** SELECT rowid AS __rowid, <sort> AS __sortkey, * ... ORDER BY ... LIMIT ? OFFSET ? */
  sql: string;
  params: SqlValue[];
}

/** The rows after `anchor` (or from the start), skipping `skip`, at most `limit`. */
export function pageQuery(table: string, columns: readonly ColumnMeta[], sort: ColumnSort | null, filters: readonly ColumnFilter[], anchor: Anchor | null, skip: number, limit: number): ViewQuery {
  const where = whereFilters(columns, filters);
  const conditions: string[] = where.sql ? [where.sql] : [];
  const params: SqlValue[] = [...where.params];
  const sortExpression = sort ? valueExpression(findColumn(columns, sort.column)) : 'rowid';
  if (anchor) {
    if (!sort) {
      conditions.push('rowid > ?');
      params.push(anchor.rowid);
    } else if (sort.direction === 'asc') {
      if (anchor.sortValue === null) {
        conditions.push(`((${sortExpression} IS NULL AND rowid > ?) OR ${sortExpression} IS NOT NULL)`);
        params.push(anchor.rowid);
      } else {
        conditions.push(`(${sortExpression} > ? OR (${sortExpression} = ? AND rowid > ?))`);
        params.push(anchor.sortValue, anchor.sortValue, anchor.rowid);
      }
    } else if (anchor.sortValue === null) {
      conditions.push(`(${sortExpression} IS NULL AND rowid < ?)`);
      params.push(anchor.rowid);
    } else {
      conditions.push(`(${sortExpression} < ? OR (${sortExpression} = ? AND rowid < ?) OR ${sortExpression} IS NULL)`);
      params.push(anchor.sortValue, anchor.sortValue, anchor.rowid);
    }
  }
  const direction = sort?.direction === 'desc' ? 'DESC' : 'ASC';
  const order = sort ? `${sortExpression} ${direction}, rowid ${direction}` : 'rowid';
  const sql = `SELECT rowid AS "__rowid", ${sortExpression} AS "__sortkey", * FROM ${quoteIdentifier(table)}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ? OFFSET ?`;
  params.push(limit, skip);
  return { sql, params };
}

/** Every row of a view in order, for export: the table's own columns only. */
export function exportQuery(table: string, columns: readonly ColumnMeta[], sort: ColumnSort | null, filters: readonly ColumnFilter[]): ViewQuery {
  const where = whereFilters(columns, filters);
  const direction = sort?.direction === 'desc' ? 'DESC' : 'ASC';
  const order = sort ? `${valueExpression(findColumn(columns, sort.column))} ${direction}, rowid ${direction}` : 'rowid';
  const list = columns.map((c) => quoteIdentifier(c.name)).join(', ');
  return { sql: `SELECT ${list} FROM ${quoteIdentifier(table)}${where.sql ? ` WHERE ${where.sql}` : ''} ORDER BY ${order}`, params: where.params };
}

/** A stable key for a view (anchors are cached per view). */
export function viewKey(snapshotPath: string, table: string, sort: ColumnSort | null, filters: readonly ColumnFilter[]): string {
  return JSON.stringify([snapshotPath, table, sort, filters]);
}
