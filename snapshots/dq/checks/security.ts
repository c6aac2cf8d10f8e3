// Security checks: columns that hold personal data (judged from a sample) and
// secret-shaped values in any text column (counted exactly, never shown).
import type { RuleOf } from '../../../shared/dq/pack.ts';
import { DEFAULT_SECRET_PATTERN, isBlank, parseRatio, piiKind, requiredLiteral, type PiiKind } from '../../../shared/dq/definitions.ts';
import type { Evidence } from '../../../shared/dq/results.ts';
import { notReadWhole, storesKeyNames, type CatalogColumn, type CatalogTable } from '../catalog.ts';
import { SkipRule, toCount, type Finish, type RuleContext } from '../engine.ts';
import { blankSql, quoteIdentifier, regexSql, sqlString } from '../sql.ts';

interface Scanned {
  tables: CatalogTable[];
  /** Fleet-wide scans: the tables left out because they were not read whole, each with why. */
  notRead: string[];
}

/**
 * The tables a security rule scans: those it names (the rule is skipped when one
 * was not read whole, like any rule), else every table of the snapshot that was
 * read whole, with the others listed in the result's metrics: a fleet-wide scan
 * says what it could not look at instead of passing over it in silence.
 */
function scannedTables(ctx: RuleContext, refs: string[] | undefined, kinds: CatalogTable['kind'][]): Scanned {
  if (refs) {
    const tables = [...new Set(refs.flatMap((ref) => ctx.tables(ref, { kinds })))];
    if (tables.length === 0) throw new SkipRule('the snapshot has no tables');
    return { tables, notRead: [] };
  }
  const all = ctx.catalog.tables.filter((t) => kinds.includes(t.kind));
  const notRead = all.map(notReadWhole).filter((why): why is string => why !== null);
  const tables = ctx.use(all.filter((t) => notReadWhole(t) === null));
  if (tables.length === 0) throw new SkipRule(notRead.length > 0 ? `no table was read whole: ${notRead.slice(0, 3).join('; ')}` : 'the snapshot has no tables');
  return { tables, notRead };
}

/** The metrics a fleet-wide scan adds when it left tables out (none otherwise, so results stay as they were). */
function notReadMetrics(notRead: string[]): Record<string, unknown> {
  return notRead.length > 0 ? { tables_not_read: notRead.length, not_read: notRead.slice(0, 20) } : {};
}

export function planPiiColumns(rule: RuleOf<'pii_columns'>, ctx: RuleContext): Finish {
  const { tables, notRead } = scannedTables(ctx, rule.tables, ['table']);
  const threshold = parseRatio(rule.threshold)!;
  const kinds = new Set<PiiKind>(rule.kinds as PiiKind[]);
  return () => {
    const flagged: (Evidence & { table: string; column: string; sampleSql: string })[] = [];
    const byKind: Record<string, number> = Object.fromEntries([...kinds].map((k) => [k, 0]));
    let examined = 0;
    for (const table of tables) {
      const columns = table.columns.filter((c) => c.storage === 'text');
      if (columns.length === 0) continue;
      // The first rows in table order: the same sample on every run.
      const rows = ctx.db.prepare(`SELECT ${columns.map((c) => quoteIdentifier(c.sqlColumn)).join(', ')} FROM ${table.sqlName} LIMIT ${rule.sample}`).raw(true).all() as unknown[][];
      columns.forEach((column, i) => {
        examined++;
        let sampled = 0;
        const found: Record<string, number> = {};
        for (const row of rows) {
          if (isBlank(row[i])) continue;
          sampled++;
          const kind = piiKind(row[i], column.name);
          if (kind && kinds.has(kind)) found[kind] = (found[kind] ?? 0) + 1;
        }
        const matched = Object.values(found).reduce((a, b) => a + b, 0);
        if (sampled === 0 || matched / sampled <= threshold) return;
        const kind = Object.entries(found).sort((a, b) => b[1] - a[1])[0]![0];
        byKind[kind] = (byKind[kind] ?? 0) + 1;
        const c = quoteIdentifier(column.sqlColumn);
        flagged.push({
          table: table.name,
          column: column.name,
          kind,
          ratio: Number((matched / sampled).toFixed(4)),
          sampled,
          sampleSql: `SELECT ${sqlString(table.name)} AS "table", ${sqlString(column.name)} AS "column", count(*) AS sampled, sum(dq_pii_kind(${c}, ${sqlString(column.name)}) = 'email') AS emails, sum(dq_pii_kind(${c}, ${sqlString(column.name)}) = 'phone') AS phones FROM (SELECT ${c} FROM ${table.sqlName} LIMIT ${rule.sample}) WHERE NOT ${blankSql(c)}`,
        });
      });
    }
    return {
      count: flagged.length,
      total: examined,
      metrics: { by_kind: byKind, sample: rule.sample, threshold, ...notReadMetrics(notRead) },
      evidence: flagged.slice(0, ctx.evidenceLimit).map(({ sampleSql: _sql, ...e }) => e),
      evidenceQuery: flagged.length > 0 ? flagged.map((f) => f.sampleSql).join('\nUNION ALL\n') : null,
    };
  };
}

/** A cheap test SQLite runs before the regex: the literal every match must contain. */
function prefilterSql(column: string, source: string, flags: string): string | null {
  const literal = requiredLiteral(source);
  if (!literal) return null;
  if (!flags.includes('i')) return `instr(${column}, ${sqlString(literal)}) > 0`;
  if (!/^[\x20-\x7e]+$/.test(literal)) return null;
  return `${column} LIKE ${sqlString(`%${literal.replace(/[\\%_]/g, '\\$&')}%`)} ESCAPE '\\'`;
}

function secretColumns(ctx: RuleContext, table: CatalogTable): CatalogColumn[] {
  // Of a key inventory only a stored key name can hold a secret (patterns have their variable parts cut).
  if (table.kind === 'redis-keys') return storesKeyNames(ctx.db, table) ? table.columns.filter((c) => c.name === 'key_name') : [];
  return table.columns.filter((c) => c.storage === 'text' || c.storage === 'json');
}

export function planSecrets(rule: RuleOf<'secrets'>, ctx: RuleContext): Finish {
  const source = rule.regex ?? DEFAULT_SECRET_PATTERN;
  const flags = rule.flags ?? '';
  const { tables, notRead } = scannedTables(ctx, rule.tables, ['table', 'redis-keys']);
  const cells = tables.flatMap((table) =>
    secretColumns(ctx, table).map((column) => {
      const c = quoteIdentifier(column.sqlColumn);
      const prefilter = prefilterSql(c, source, flags);
      const test = regexSql(c, source, flags);
      return {
        table,
        column,
        where: prefilter ? `${prefilter} AND ${test}` : test,
        count: ctx.aggregate(table, prefilter ? `count(*) FILTER (WHERE ${prefilter} AND ${test})` : `count(*) FILTER (WHERE ${test})`),
        // The denominator: every non-NULL value the rule looked at.
        scanned: ctx.aggregate(table, `count(${c})`),
        mask: `dq_mask_secret(${c}, ${sqlString(source)}, ${sqlString(flags)})`,
      };
    }),
  );
  return () => {
    const counts = cells.map((cell) => toCount(cell.count()));
    const found = cells.filter((_, i) => counts[i]! > 0);
    const count = counts.reduce((a, b) => a + b, 0);
    // The value shown is the mask (`sk-abcd…(51 chars)`): evidence never carries a secret.
    const { evidence, evidenceQuery } = ctx.rowEvidence(
      found.map((cell) => ({
        table: cell.table,
        where: cell.where,
        columns: [
          { label: 'column', sql: sqlString(cell.column.name) },
          { label: 'value', sql: cell.mask },
        ],
      })),
      count > 0,
    );
    return {
      count,
      total: cells.reduce((n, cell) => n + toCount(cell.scanned()), 0),
      metrics: {
        by_column: Object.fromEntries(found.map((cell) => [`${cell.table.name}.${cell.column.name}`, counts[cells.indexOf(cell)]])),
        columns_scanned: cells.length,
        ...notReadMetrics(notRead),
      },
      evidence,
      evidenceQuery: found.length > 0 ? evidenceQuery : null,
    };
  };
}
