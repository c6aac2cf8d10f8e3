// Checks over whole tables and the catalog: empty (of a table list or a whole
// database) and schema expectations (columns present, absent, typed).
import type { RuleOf } from '../../../shared/dq/pack.ts';
import { globToRegExp } from '../../../shared/dq/definitions.ts';
import type { Evidence } from '../../../shared/dq/results.ts';
import { databaseNotReadWhole, tablesOfDatabase, type CatalogTable } from '../catalog.ts';
import { SkipRule, type Finish, type RuleContext } from '../engine.ts';
import { META } from '../../file/schema.ts';
import { sqlString } from '../sql.ts';

function catalogQuery(tables: CatalogTable[], where: string): string {
  return `SELECT table_name AS "table", rows, limited FROM ${META.tables} WHERE table_name IN (${tables.map((t) => sqlString(t.name)).join(', ')})${where} ORDER BY table_name`;
}

export function planEmpty(rule: RuleOf<'empty'>, ctx: RuleContext): Finish {
  let tables: CatalogTable[];
  if (rule.database !== undefined) {
    tables = tablesOfDatabase(ctx.catalog, rule.database, rule.instance);
    if (tables.length === 0) throw new SkipRule(`database ${rule.database}${rule.instance ? ` (instance ${rule.instance})` : ''} is not in the snapshot`);
    for (const t of tables) {
      const hidden = databaseNotReadWhole(ctx.catalog, t.instance, t.database);
      if (hidden) throw new SkipRule(`the rule reads database ${t.database}, and ${hidden}`);
    }
    ctx.useWhole(tables);
  } else tables = ctx.tables(rule.table!, { instance: rule.instance });
  return () => {
    // EXISTS stops at the first row: emptiness costs nothing however large a table is.
    const empty = tables.filter((t) => ctx.db.prepare(`SELECT EXISTS (SELECT 1 FROM ${t.sqlName})`).pluck().get() === 0);
    return {
      count: empty.length,
      total: tables.length,
      evidence: empty.slice(0, ctx.evidenceLimit).map((t) => ({ table: t.name, rows: 0 })),
      evidenceQuery: catalogQuery(tables, ' AND rows = 0'),
    };
  };
}

function sameType(a: string, b: string): boolean {
  const normal = (s: string) => s.toLowerCase().replace(/\s+/g, '');
  return normal(a) === normal(b);
}

type ColumnExpectation = RuleOf<'schema'>['columns'][number];

function expectationProblems(table: CatalogTable, expectation: ColumnExpectation): Evidence[] {
  const name = globToRegExp(expectation.name, true);
  const matching = table.columns.filter((c) => name.test(c.name));
  if (expectation.present && matching.length === 0) return [{ table: table.name, column: expectation.name, problem: 'no such column' }];
  if (!expectation.present) return matching.map((c) => ({ table: table.name, column: c.name, problem: 'column present, expected absent' }));
  return matching.flatMap((c) => {
    const wrong: string[] = [];
    if (expectation.type !== undefined && !sameType(expectation.type, c.declaredType)) wrong.push(`type ${c.declaredType}, expected ${expectation.type}`);
    if (expectation.storage !== undefined && expectation.storage !== c.storage) wrong.push(`storage ${c.storage}, expected ${expectation.storage}`);
    if (expectation.nullable !== undefined && expectation.nullable !== c.nullable) wrong.push(expectation.nullable ? 'NOT NULL, expected nullable' : 'nullable, expected NOT NULL');
    return wrong.length > 0 ? [{ table: table.name, column: c.name, problem: wrong.join('; ') }] : [];
  });
}

export function planSchema(rule: RuleOf<'schema'>, ctx: RuleContext): Finish {
  // Tables checked in place have their catalog in the file too.
  const tables = ctx.tables(rule.table, { instance: rule.instance, kinds: ['table', 'pushdown'] });
  return () => {
    const problems: Evidence[] = [];
    // A failed expectation counts once per table, however many columns it names.
    let failed = 0;
    for (const table of tables) {
      for (const expectation of rule.columns) {
        const found = expectationProblems(table, expectation);
        if (found.length > 0) failed++;
        problems.push(...found);
      }
    }
    return {
      count: failed,
      total: rule.columns.length * tables.length,
      evidence: problems.slice(0, ctx.evidenceLimit),
      evidenceQuery: `SELECT table_name AS "table", column_name, declared_type, storage, nullable, primary_key_ordinal FROM ${META.columns} WHERE table_name IN (${tables
        .map((t) => sqlString(t.name))
        .join(', ')}) ORDER BY table_name, ordinal`,
    };
  };
}
