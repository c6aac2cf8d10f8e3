// A facet: the most frequent values of one column among the rows of a view
// (its filters applied), Datasette's "facet by this column". One grouped pass.
import type { FacetResult, ProfileValue } from '../../../shared/api/types.ts';
import { quoteIdentifier } from '../../../shared/model/sql.ts';
import type { SqlValue } from '../../../shared/model/snapshot.ts';
import { findColumn, whereFilters } from '../viewSql.ts';
import { connection, throttled, withViewErrors } from './connection.ts';
import type { JobContext, JobSpec } from './types.ts';

const SHOWN_VALUE_LENGTH = 200;

function shown(value: SqlValue): string | null {
  if (value === null) return null;
  const text = value instanceof Uint8Array ? `0x${Buffer.from(value.subarray(0, 32)).toString('hex')}${value.length > 32 ? '…' : ''}` : String(value);
  return text.length > SHOWN_VALUE_LENGTH ? `${text.slice(0, SHOWN_VALUE_LENGTH)}…` : text;
}

export function facetJob(spec: Extract<JobSpec, { kind: 'facet' }>, ctx: JobContext): FacetResult {
  return withViewErrors(() => {
    const started = performance.now();
    const db = connection(spec.path);
    const column = findColumn(spec.columns, spec.column);
    const c = quoteIdentifier(column.name);
    const where = whereFilters(spec.columns, spec.view.filters);
    const report = throttled(ctx);
    report({ phase: 'counting values', done: 0, total: null, unit: 'rows' }, true);
    const groups = db
      .prepare(`SELECT ${c} AS v, count(*) AS n FROM ${quoteIdentifier(spec.view.table)}${where.sql ? ` WHERE ${where.sql}` : ''} GROUP BY ${c}`)
      .raw(true)
      .safeIntegers(false);
    const top: ProfileValue[] = [];
    let rows = 0;
    let seen = 0;
    for (const [value, count] of groups.iterate(...where.params) as IterableIterator<[SqlValue, number]>) {
      rows += count;
      if (top.length < spec.limit || count > top[top.length - 1]!.count) {
        let i = top.length;
        while (i > 0 && top[i - 1]!.count < count) i--;
        top.splice(i, 0, { value: shown(value), count });
        if (top.length > spec.limit) top.pop();
      }
      if ((++seen & 0x3fff) === 0) report({ phase: 'counting values', done: rows, total: null, unit: 'rows' });
    }
    const listed = top.reduce((n, v) => n + v.count, 0);
    return { column: column.name, rows, values: top, others: rows - listed, seconds: (performance.now() - started) / 1000 };
  });
}
