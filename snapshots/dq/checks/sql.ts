// The raw `sql` check: a query whose rows are the offending items. count = its
// rows, evidence = the first of them, total = a number or a scalar query.
import type { RuleOf } from '../../../shared/dq/pack.ts';
import { toCount, type Finish, type RuleContext } from '../engine.ts';

export function planSql(rule: RuleOf<'sql'>, ctx: RuleContext): Finish {
  const query = ctx.expand(rule.query);
  const statement = ctx.db.prepare(query);
  if (!statement.reader) throw new Error('query: must be a SELECT (or WITH ... SELECT) statement');
  ctx.failing = query;
  const totalQuery = typeof rule.total === 'string' ? ctx.expand(rule.total) : null;
  return () => {
    const count = toCount(ctx.db.prepare(`SELECT count(*) FROM (${query})`).safeIntegers(true).pluck().get());
    const total = totalQuery === null ? (rule.total as number | undefined) ?? null : toCount(ctx.db.prepare(totalQuery).safeIntegers(true).pluck().get());
    return { count, total, evidence: count > 0 ? ctx.readEvidence(query) : [], evidenceQuery: query };
  };
}
