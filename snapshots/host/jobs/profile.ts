// A column's profile: counts, blanks, min/max, distinct and top values, a histogram.
import type { ColumnProfile, HistogramBin, ProfileValue } from '../../../shared/api/types.ts';
import { quoteIdentifier } from '../../../shared/model/sql.ts';
import type { SqlValue } from '../../../shared/model/snapshot.ts';
import { blankExpression } from '../viewSql.ts';
import { connection, throttled } from './connection.ts';
import { COUNT_CHUNK } from './count.ts';
import type { JobContext, JobSpec } from './types.ts';

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
