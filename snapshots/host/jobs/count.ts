// Row counts of a filtered view, in rowid ranges so progress can be reported.
import { quoteIdentifier } from '../../../shared/model/sql.ts';
import { whereFilters } from '../viewSql.ts';
import { connection, throttled, withViewErrors } from './connection.ts';
import type { JobContext, JobSpec } from './types.ts';
import { announceStatement } from '../../file/timeLimit.ts';

/** Rows per rowid range of a count or profile scan. */
export const COUNT_CHUNK = 262_144;

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
