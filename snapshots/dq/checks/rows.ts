// Checks that count offending rows of a table: missing, allowed_values, pattern,
// condition, reference, duplicates, row_count. Each states its offending rows
// as an SQL condition; counting them joins the table's one shared scan.
import type { RuleOf } from '../../../shared/dq/pack.ts';
import type { CatalogTable } from '../catalog.ts';
import { toCount, type EvidenceSource, type Finish, type RuleContext } from '../engine.ts';
import type { ValueCounts } from '../functions.ts';
import { blankSql, quoteIdentifier, regexSql, scriptSql, sqlLiteral, sqlString } from '../sql.ts';

/** Counts the rows matching each source's condition; total = rows of the tables. */
function offendingRows(ctx: RuleContext, sources: EvidenceSource[], extraMetrics?: (counts: number[]) => Record<string, unknown>): Finish {
  const totals = sources.map((s) => ctx.aggregate(s.table, 'count(*)'));
  const counts = sources.map((s) => ctx.aggregate(s.table, `count(*) FILTER (WHERE ${s.where})`));
  ctx.failing = sources.map((s) => `SELECT * FROM ${s.table.sqlName} WHERE ${s.where}`).join(' UNION ALL ');
  return () => {
    const perTable = counts.map((get) => toCount(get()));
    const count = perTable.reduce((a, b) => a + b, 0);
    const total = totals.reduce((sum, get) => sum + toCount(get()), 0);
    const { evidence, evidenceQuery } = ctx.rowEvidence(sources, count > 0);
    const metrics: Record<string, unknown> = sources.length > 1 ? { tables: Object.fromEntries(sources.map((s, i) => [s.table.name, perTable[i]])) } : {};
    return { count, total, metrics: { ...metrics, ...(count > 0 ? extraMetrics?.(perTable) : {}) }, evidence, evidenceQuery };
  };
}

function checkedColumn(ctx: RuleContext, rule: { table: string; instance?: string; column: string }) {
  return ctx.tables(rule.table, { instance: rule.instance }).map((table) => {
    const column = ctx.column(table, rule.column);
    return { table, sql: quoteIdentifier(column.sqlColumn), label: column.name };
  });
}

export function planMissing(rule: RuleOf<'missing'>, ctx: RuleContext): Finish {
  const extra = rule.missing_values?.length ? rule.missing_values.map(sqlLiteral).join(', ') : null;
  return offendingRows(
    ctx,
    checkedColumn(ctx, rule).map(({ table, sql, label }) => {
      const missing = rule.blank ? blankSql(sql) : `${sql} IS NULL`;
      return { table, where: extra ? `(${missing} OR ${sql} IN (${extra}))` : missing, columns: [{ label, sql }] };
    }),
  );
}

const TOP_VALUES = 20;

export function planAllowedValues(rule: RuleOf<'allowed_values'>, ctx: RuleContext): Finish {
  const allowed = rule.values.map(sqlLiteral).join(', ');
  const sources = checkedColumn(ctx, rule).map(({ table, sql, label }) => ({
    table,
    where: rule.allow_null ? `(${sql} IS NOT NULL AND ${sql} NOT IN (${allowed}))` : `(${sql} IS NULL OR ${sql} NOT IN (${allowed}))`,
    columns: [{ label, sql }],
  }));
  // Which values offend, and how often (what an auditor asks first), counted in the same scan.
  const valueCounts = sources.map((s) => ctx.aggregate(s.table, `dq_value_counts(${s.columns[0]!.sql}) FILTER (WHERE ${s.where})`));
  const topValues = () => {
    const merged = new Map<string, { value: unknown; rows: number }>();
    let others = 0;
    for (const get of valueCounts) {
      const counts = JSON.parse(String(get() ?? '{"values":[],"others":0}')) as ValueCounts;
      others += counts.others;
      for (const v of counts.values) {
        const key = JSON.stringify(v.value);
        merged.set(key, { value: v.value, rows: (merged.get(key)?.rows ?? 0) + v.rows });
      }
    }
    const values = [...merged.values()].sort((a, b) => b.rows - a.rows || JSON.stringify(a.value).localeCompare(JSON.stringify(b.value))).slice(0, TOP_VALUES);
    return others > 0 ? { values, values_not_itemised: others } : { values };
  };
  return offendingRows(ctx, sources, topValues);
}

export function planPattern(rule: RuleOf<'pattern'>, ctx: RuleContext): Finish {
  return offendingRows(
    ctx,
    checkedColumn(ctx, rule).map(({ table, sql, label }) => {
      const matches = rule.script !== undefined ? scriptSql(sql, rule.script) : regexSql(sql, rule.regex!, rule.flags ?? '');
      return { table, where: `(${sql} IS NOT NULL AND ${rule.counts === 'matching' ? matches : `NOT ${matches}`})`, columns: [{ label, sql }] };
    }),
  );
}

export function planCondition(rule: RuleOf<'condition'>, ctx: RuleContext): Finish {
  const where = `(${ctx.expand(rule.where)})`;
  return offendingRows(
    ctx,
    ctx.tables(rule.table, { instance: rule.instance }).map((table) => ({
      table,
      where,
      columns: (rule.columns ?? []).map((name) => {
        const c = ctx.column(table, name);
        return { label: c.name, sql: quoteIdentifier(c.sqlColumn) };
      }),
    })),
  );
}

export function planReference(rule: RuleOf<'reference'>, ctx: RuleContext): Finish {
  const targets = ctx.tables(rule.references.table, { instance: rule.references.instance }).map((t) => {
    const c = quoteIdentifier(ctx.column(t, rule.references.column).sqlColumn);
    return `SELECT ${c} FROM ${t.sqlName} WHERE ${c} IS NOT NULL`;
  });
  // NOT IN over an uncorrelated subquery: SQLite builds its index once per scan.
  return offendingRows(
    ctx,
    checkedColumn(ctx, rule).map(({ table, sql, label }) => ({
      table,
      where: `(${sql} IS NOT NULL AND ${sql} NOT IN (${targets.join(' UNION ')}))`,
      columns: [{ label, sql }],
    })),
  );
}

export function planDuplicates(rule: RuleOf<'duplicates'>, ctx: RuleContext): Finish {
  const parts = ctx.tables(rule.table, { instance: rule.instance }).map((table) => {
    const columns = rule.columns.map((name) => ctx.column(table, name));
    const list = columns.map((c) => quoteIdentifier(c.sqlColumn)).join(', ');
    const key = columns.length === 1 ? list : `(${list})`;
    const notNull = columns.map((c) => `${quoteIdentifier(c.sqlColumn)} IS NOT NULL`).join(' AND ');
    const groups = `SELECT ${list} FROM ${table.sqlName} WHERE ${notNull} GROUP BY ${list} HAVING count(*) > 1`;
    return {
      table,
      stats: `SELECT count(*) AS groups, coalesce(sum(n), 0) AS n FROM (SELECT count(*) AS n FROM ${table.sqlName} WHERE ${notNull} GROUP BY ${list} HAVING count(*) > 1)`,
      source: { table, where: `${key} IN (${groups})`, columns: columns.map((c) => ({ label: c.name, sql: quoteIdentifier(c.sqlColumn) })) },
      total: ctx.aggregate(table, 'count(*)'),
    };
  });
  ctx.failing = parts.map((p) => `SELECT * FROM ${p.table.sqlName} WHERE ${p.source.where}`).join(' UNION ALL ');
  return () => {
    let count = 0;
    let groups = 0;
    for (const p of parts) {
      const stats = ctx.db.prepare(p.stats).get() as { groups: number; n: number };
      count += stats.n;
      groups += stats.groups;
    }
    const total = parts.reduce((sum, p) => sum + toCount(p.total()), 0);
    const { evidence, evidenceQuery } = ctx.rowEvidence(
      parts.map((p) => p.source),
      count > 0,
    );
    return { count, total, metrics: { groups, extra_rows: count - groups }, evidence, evidenceQuery };
  };
}

export function planRowCount(rule: RuleOf<'row_count'>, ctx: RuleContext): Finish {
  const where = rule.where ? ctx.expand(rule.where) : null;
  const expr = where ? `count(*) FILTER (WHERE ${where})` : 'count(*)';
  const tables = ctx.tables(rule.table, { instance: rule.instance });
  const counts = tables.map((t) => ctx.aggregate(t, expr));
  return () => {
    const perTable = counts.map((get) => toCount(get()));
    const query = tables.map((t: CatalogTable) => `SELECT ${sqlString(t.name)} AS "table", count(*) AS rows FROM ${t.sqlName}${where ? ` WHERE ${where}` : ''}`).join('\nUNION ALL\n');
    return {
      count: perTable.reduce((a, b) => a + b, 0),
      total: null,
      metrics: tables.length > 1 ? { tables: Object.fromEntries(tables.map((t, i) => [t.name, perTable[i]])) } : {},
      evidence: tables.map((t, i) => ({ table: t.name, rows: perTable[i] })).slice(0, ctx.evidenceLimit),
      evidenceQuery: query,
    };
  };
}
