// What a rule pack does inside one read-only source session (dq --pushdown):
// every table the rules read is scanned once with the aggregates of all of them,
// evidence rows are then read by primary key only for rules that found
// something, and the results wait in a fleet-wide tally until every instance is done.
import { DEFAULT_SECRET_PATTERN, isBlank, piiKind, scriptPattern, type PiiKind } from '../../shared/dq/definitions.ts';
import { PLACEHOLDER, type Rule } from '../../shared/dq/pack.ts';
import type { Evidence } from '../../shared/dq/results.ts';
import type { TableInfo } from '../../shared/model/snapshot.ts';
import { jsonCell, type CellValue } from '../output/cells.ts';
import { findColumn, resolveTables, tablesOfDatabase, type Catalog, type CatalogTable } from '../dq/catalog.ts';
import type { InPlaceSession } from '../engines/types.ts';
import { comparesAsText, dialectOf, PushdownUnsupported, type Dialect } from './dialect.ts';

/** Checks compiled to SQL on the source; the rest run on the output snapshot or are skipped. */
export const PUSHED_DOWN = new Set(['row_count', 'empty', 'missing', 'allowed_values', 'pattern', 'duplicates', 'reference', 'condition', 'sql', 'pii_columns', 'secrets']);
/** Checks that name offending rows (their metrics may read {{failing}}). */
const ROW_CHECKS = new Set(['missing', 'allowed_values', 'pattern', 'duplicates', 'reference', 'condition']);
/** Checks answered from the catalog, server facts and Redis inventory the output file holds. */
export const FROM_CATALOG = new Set(['schema', 'redis_persistent_keys', 'redis_utilisation', 'version_below']);

/** One rule's findings in one table (or one query) of one session. */
export interface TablePart {
  table: string;
  count: number;
  total: number | null;
  evidence: Evidence[];
}

export interface RuleTally {
  parts: TablePart[];
  /** Tables of the fleet this rule's references matched. */
  matched: number;
  metrics: Record<string, { count: number; sum: bigint; scale: number; isSum: boolean; matched: number; deferred: DeferredMetric[] }>;
  extra: Record<string, unknown>;
  errors: string[];
  skipped: string | null;
  /** Offending rows of each table, kept when another instance's metric reads them ({{failing}}). */
  failingRows: { table: TableInfo; columns: string[]; rows: string[][] }[];
}

export interface DeferredMetric {
  instance: string;
  metric: string;
  table: TableInfo;
  where: string;
  sum: string | undefined;
}

export function emptyTally(): RuleTally {
  return { parts: [], matched: 0, metrics: {}, extra: {}, errors: [], skipped: null, failingRows: [] };
}

interface Aggregate {
  sql: string;
  value?: unknown;
}

/** Aggregates per table of the session: one SELECT each. */
class Scans {
  readonly byTable = new Map<TableInfo, Aggregate[]>();

  add(table: TableInfo, sql: string): Aggregate {
    const list = this.byTable.get(table) ?? [];
    const found = list.find((a) => a.sql === sql);
    if (found) return found;
    const aggregate: Aggregate = { sql };
    list.push(aggregate);
    this.byTable.set(table, list);
    return aggregate;
  }
}

/** The session's tables as the rule engine's catalog, so table references resolve exactly as offline. */
function sessionCatalog(session: InPlaceSession): { catalog: Catalog; info: Map<CatalogTable, TableInfo> } {
  const info = new Map<CatalogTable, TableInfo>();
  const tables = session.tables.map((t) => {
    const sourceTable = t.schema ? `${t.schema}.${t.name}` : t.name;
    const columns = t.columns.map((c) => ({ name: c.name, sqlColumn: c.name, declaredType: c.declaredType, storage: c.storage, nullable: c.nullable, primaryKeyOrdinal: c.primaryKeyOrdinal }));
    const table: CatalogTable = {
      name: `${session.instance.name}/${t.database}/${sourceTable}`,
      sqlName: '',
      instance: session.instance.name,
      engine: session.instance.engine,
      database: t.database,
      schema: t.schema ?? null,
      sourceTable,
      kind: 'table',
      rows: 0,
      limited: false,
      columns,
      primaryKey: columns.filter((c) => c.primaryKeyOrdinal !== null).sort((a, b) => a.primaryKeyOrdinal! - b.primaryKeyOrdinal!),
    };
    info.set(table, t);
    return table;
  });
  return { catalog: { tables, instances: [] }, info };
}

function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return Number(value);
}

function toBigDecimal(value: unknown, scale: number): bigint {
  if (value === null || value === undefined) return 0n;
  const text = String(value);
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) throw new Error(`unexpected sum ${text}`);
  const units = BigInt((match[2] || '0') + (match[3] ?? '').padEnd(scale, '0').slice(0, scale));
  return match[1] ? -units : units;
}

function declaredScale(declaredType: string): number {
  const match = /\(\s*\d+\s*,\s*(\d+)\s*\)/.exec(declaredType);
  return match ? Number(match[1]) : 0;
}

function evidenceValue(value: unknown): unknown {
  if (typeof value === 'string' && value.length > 200) return `${value.slice(0, 200)}…`;
  if (Buffer.isBuffer(value)) return jsonCell(new Uint8Array(value));
  return jsonCell(value as CellValue);
}

export interface SessionContext {
  pack: { rules: Rule[]; evidence_limit: number };
  tallies: Map<string, RuleTally>;
  /** Deferred metrics whose {{failing}} rows are known: computed now (phase 2). */
  phase2?: DeferredMetric[];
  failingOf?: (ruleId: string) => RuleTally['failingRows'];
}

interface OffendingSource {
  table: TableInfo;
  catalogTable: CatalogTable;
  condition: string;
  columns: string[];
  /**
   * duplicates: counts the key's groups of more than one row and the rows in
   * them. A GROUP BY cannot join the one-row aggregate scan, so it is a query
   * of its own (offline too), reading only the key columns.
   */
  groupStats?: string;
}

/**
 * Runs the pack's pushed-down checks in one session and returns each table's
 * exact row count (recorded in the output snapshot's catalog).
 */
export async function runInSession(session: InPlaceSession, context: SessionContext): Promise<Map<TableInfo, number>> {
  const d = dialectOf(session.dialect, session.mariadb);
  const { catalog, info } = sessionCatalog(session);
  const scans = new Scans();
  const counts = new Map<TableInfo, Aggregate>();
  for (const t of session.tables) counts.set(t, scans.add(t, 'COUNT(*)'));
  if (session.dialect === 'mysql' && !session.mariadb) await session.query('SET SESSION group_concat_max_len = 1048576');

  if (context.phase2) {
    const here = context.phase2.filter((m) => session.tables.some((t) => t.database === m.table.database && t.name === m.table.name && t.schema === m.table.schema));
    for (const deferred of here) {
      const tally = context.tallies.get(deferred.metric.split('\u0000')[0]!)!;
      const name = deferred.metric.split('\u0000')[1]!;
      const failing = context.failingOf!(deferred.metric.split('\u0000')[0]!);
      const where = deferred.where.replace(PLACEHOLDER, (_w, ref: string) => {
        if (ref !== 'failing') return d.table(resolveIn(catalog, info, ref));
        // MySQL wants every derived table named.
        return `(${failingValues(d, failing)}) AS dq_failing`;
      });
      const table = session.tables.find((t) => t.database === deferred.table.database && t.name === deferred.table.name && t.schema === deferred.table.schema)!;
      const expr = deferred.sum ? `SUM(CASE WHEN ${where} THEN ${d.ident(deferred.sum)} END)` : d.countIf(where);
      const [row] = await session.query<Record<string, unknown>>(`SELECT ${expr} AS v FROM ${d.table(table)}`);
      const metric = tally.metrics[name]!;
      if (metric.isSum) metric.sum += toBigDecimal(Object.values(row!)[0], metric.scale);
      else metric.count += toNumber(Object.values(row!)[0]);
    }
    return new Map(session.tables.map((t) => [t, 0]));
  }

  const finishers: (() => Promise<void>)[] = [];
  for (const rule of context.pack.rules) {
    const tally = context.tallies.get(rule.id)!;
    if (!PUSHED_DOWN.has(rule.check) || tally.skipped) continue;
    try {
      const finish = planRule(rule, d, session, catalog, info, scans, tally, context);
      if (finish) finishers.push(finish);
      if (!ROW_CHECKS.has(rule.check)) finishers.push(planMetrics(rule, d, catalog, info, scans, tally, [], session));
    } catch (error) {
      if (error instanceof PushdownUnsupported) tally.skipped = error.message;
      else tally.errors.push(`${session.instance.name}: ${(error as Error).message}`);
    }
  }

  // One scan per table: every aggregate of every rule in one SELECT.
  for (const [table, aggregates] of scans.byTable) {
    const list = aggregates.map((a, i) => `${a.sql} AS a${i}`).join(', ');
    const [row] = await session.query<Record<string, unknown>>(`SELECT ${list} FROM ${d.table(table)}`);
    aggregates.forEach((a, i) => (a.value = row?.[`a${i}`] ?? null));
  }
  for (const finish of finishers) await finish();
  return new Map([...counts].map(([t, a]) => [t, toNumber(a.value)]));
}

function resolveIn(catalog: Catalog, info: Map<CatalogTable, TableInfo>, ref: string): TableInfo {
  const tables = resolveTables(catalog, ref);
  if (tables.length !== 1) throw new PushdownUnsupported(`{{${ref}}} must name one table of the same instance to run on the server`);
  return info.get(tables[0]!)!;
}

/** Offending rows kept from another instance, as a derived table of literals. */
function failingValues(d: Dialect, failing: RuleTally['failingRows']): string {
  const selects: string[] = [];
  for (const part of failing) {
    for (const row of part.rows) selects.push(`SELECT ${row.map((v, i) => `${v === null ? 'NULL' : castLiteral(d, v, part.table, i)} AS ${d.ident(part.columns[i]!)}`).join(', ')}`);
  }
  if (selects.length > 0) return selects.join(' UNION ALL ');
  const columns = failing[0]?.columns ?? ['_'];
  return `SELECT ${columns.map((c) => `NULL AS ${d.ident(c)}`).join(', ')} ${d.name === 'mysql' ? 'FROM DUAL ' : ''}WHERE 1 = 0`;
}

function castLiteral(d: Dialect, value: string, table: TableInfo, column: number): string {
  const literal = d.string(value);
  if (d.name === 'mysql') return literal;
  const type = table.columns[column]?.declaredType;
  return type && /^[a-z][a-z0-9 ,()]*$/i.test(type) ? `CAST(${literal} AS ${type})` : literal;
}

function planRule(rule: Rule, d: Dialect, session: InPlaceSession, catalog: Catalog, info: Map<CatalogTable, TableInfo>, scans: Scans, tally: RuleTally, context: SessionContext): (() => Promise<void>) | null {
  const limit = rule.evidence_limit ?? context.pack.evidence_limit;
  const tablesOf = (ref: string, instance?: string) => {
    const found = resolveTables(catalog, ref, { instance });
    tally.matched += found.length;
    return found;
  };
  const columnOf = (t: CatalogTable, name: string) => {
    const c = findColumn(t, name);
    if (!c) throw new Error(`table ${t.name} has no column ${name}`);
    return c;
  };
  const sources: OffendingSource[] = [];
  const offending = (t: CatalogTable, condition: string, columns: string[]) => sources.push({ table: info.get(t)!, catalogTable: t, condition, columns });

  switch (rule.check) {
    case 'row_count': {
      if (rule.where) throw new PushdownUnsupported('row_count with where: is SQLite SQL; run it offline');
      const parts = tablesOf(rule.table, rule.instance).map((t) => ({ t, n: scans.add(info.get(t)!, 'COUNT(*)') }));
      return async () => {
        for (const p of parts) tally.parts.push({ table: p.t.name, count: toNumber(p.n.value), total: null, evidence: [{ table: p.t.name, rows: toNumber(p.n.value) }] });
      };
    }
    case 'empty': {
      const tables = rule.database !== undefined ? tablesOfDatabase(catalog, rule.database, rule.instance) : tablesOf(rule.table!, rule.instance);
      if (rule.database !== undefined) tally.matched += tables.length;
      const parts = tables.map((t) => ({ t, n: scans.add(info.get(t)!, 'COUNT(*)') }));
      return async () => {
        for (const p of parts) {
          const empty = toNumber(p.n.value) === 0;
          tally.parts.push({ table: p.t.name, count: empty ? 1 : 0, total: 1, evidence: empty ? [{ table: p.t.name, rows: 0 }] : [] });
        }
      };
    }
    case 'missing':
    case 'allowed_values':
    case 'pattern':
    case 'reference': {
      for (const t of tablesOf(rule.table, rule.instance)) {
        const column = columnOf(t, rule.column);
        const c = d.ident(column.name);
        let condition: string;
        if (rule.check === 'missing') {
          const missing = rule.blank ? d.blank(c) : `${c} IS NULL`;
          const extra = rule.missing_values?.length ? ` OR ${d.text(c)} IN (${rule.missing_values.map((v) => d.string(String(v))).join(', ')})` : '';
          condition = `(${missing}${extra})`;
        } else if (rule.check === 'allowed_values') {
          const asText = comparesAsText(column.storage);
          const list = rule.values.map((v) => (asText || typeof v === 'string' ? d.string(String(v)) : String(v))).join(', ');
          const notIn = asText ? `BINARY_CMP(${d.text(c)}) NOT IN (${list})` : `${c} NOT IN (${list})`;
          const exact = notIn.replace(/BINARY_CMP\((.*?)\) NOT IN/, d.name === 'mysql' ? 'CAST($1 AS BINARY) NOT IN' : '$1 NOT IN');
          condition = rule.allow_null ? `(${c} IS NOT NULL AND ${exact})` : `(${c} IS NULL OR ${exact})`;
        } else if (rule.check === 'pattern') {
          let matches: string;
          if (rule.script !== undefined) {
            if (rule.script !== 'Han') throw new PushdownUnsupported(`script ${rule.script}: only Han is pushed down; run the rule offline`);
            if (!scriptPattern(rule.script)) throw new PushdownUnsupported(`unknown script ${rule.script}`);
            matches = d.han(c);
          } else matches = d.regex(c, rule.regex!, rule.flags ?? '');
          condition = `(${c} IS NOT NULL AND ${rule.counts === 'matching' ? matches : `NOT ${matches}`})`;
        } else {
          const targets = resolveTables(catalog, rule.references.table, { instance: rule.references.instance });
          if (targets.length === 0) throw new PushdownUnsupported(`reference to ${rule.references.table}: not in the same instance, so it cannot be checked on one server`);
          const union = targets.map((rt) => `SELECT ${d.ident(columnOf(rt, rule.references.column).name)} FROM ${d.table(info.get(rt)!)} WHERE ${d.ident(columnOf(rt, rule.references.column).name)} IS NOT NULL`).join(' UNION ');
          condition = `(${c} IS NOT NULL AND ${c} NOT IN (${union}))`;
        }
        offending(t, condition, [column.name]);
      }
      break;
    }
    case 'duplicates': {
      // As offline: rows whose key columns are all non-NULL and shared by another row; count = the rows in such groups.
      for (const t of tablesOf(rule.table, rule.instance)) {
        const columns = rule.columns.map((name) => columnOf(t, name));
        const keys = columns.map((c) => d.groupKey(d.ident(c.name), c.storage, c.declaredType));
        const list = keys.join(', ');
        const notNull = columns.map((c) => `${d.ident(c.name)} IS NOT NULL`).join(' AND ');
        const grouped = `FROM ${d.table(info.get(t)!)} WHERE ${notNull} GROUP BY ${list} HAVING COUNT(*) > 1`;
        offending(t, `(${notNull} AND ${keys.length === 1 ? list : `(${list})`} IN (SELECT ${list} ${grouped}))`, columns.map((c) => c.name));
        sources.at(-1)!.groupStats = `SELECT COUNT(*) AS dq_groups, COALESCE(SUM(dq_rows), 0) AS dq_rows FROM (SELECT COUNT(*) AS dq_rows ${grouped}) AS dq_duplicates`;
      }
      break;
    }
    case 'condition': {
      const text = session.dialect === 'mysql' ? rule.query_mysql : rule.query_postgres;
      if (!text) throw new PushdownUnsupported(`where: is SQLite SQL; give query_${session.dialect}: with the same condition in ${session.dialect === 'mysql' ? 'MySQL' : 'PostgreSQL'} SQL to run it on the server`);
      for (const t of tablesOf(rule.table, rule.instance)) offending(t, `(${expandRefs(text, d, catalog, info)})`, rule.columns ?? []);
      break;
    }
    case 'sql': {
      const text = session.dialect === 'mysql' ? rule.query_mysql : rule.query_postgres;
      if (!text) throw new PushdownUnsupported(`query: is SQLite SQL; give query_${session.dialect}: with the same query in ${session.dialect === 'mysql' ? 'MySQL' : 'PostgreSQL'} SQL to run it on the server`);
      const query = expandRefs(text, d, catalog, info);
      tally.matched++;
      return async () => {
        const [row] = await session.query<Record<string, unknown>>(`SELECT COUNT(*) AS n FROM (${query}) AS q`);
        const n = toNumber(row?.n);
        const evidence = n > 0 && limit > 0 ? (await session.query<Record<string, unknown>>(`SELECT * FROM (${query}) AS q LIMIT ${limit}`)).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, evidenceValue(v)]))) : [];
        tally.parts.push({ table: session.instance.name, count: n, total: null, evidence });
      };
    }
    case 'secrets': {
      const source = rule.regex ?? DEFAULT_SECRET_PATTERN;
      const flags = rule.flags ?? '';
      const refs = rule.tables;
      const tables = refs ? [...new Set(refs.flatMap((r) => tablesOf(r)))] : catalog.tables;
      if (!refs) tally.matched += tables.length;
      const cells = tables.flatMap((t) =>
        t.columns
          .filter((c) => c.storage === 'text' || c.storage === 'json')
          .map((c) => ({ t, c, n: scans.add(info.get(t)!, d.countIf(`${d.ident(c.name)} IS NOT NULL AND ${d.regex(d.ident(c.name), source, flags)}`)), scanned: scans.add(info.get(t)!, `COUNT(${d.ident(c.name)})`) })),
      );
      return async () => {
        const byColumn = (tally.extra.by_column ??= {}) as Record<string, number>;
        tally.extra.columns_scanned = toNumber(tally.extra.columns_scanned) + cells.length;
        for (const cell of cells) {
          const n = toNumber(cell.n.value);
          if (n > 0) byColumn[`${cell.t.name}.${cell.c.name}`] = n;
          // Evidence names the table, key and column, never the secret.
          tally.parts.push({ table: cell.t.name, count: n, total: toNumber(cell.scanned.value), evidence: n > 0 ? [{ table: cell.t.name, column: cell.c.name, rows: n }] : [] });
        }
      };
    }
    case 'pii_columns': {
      const refs = rule.tables;
      const tables = refs ? [...new Set(refs.flatMap((r) => tablesOf(r)))] : catalog.tables;
      if (!refs) tally.matched += tables.length;
      const kinds = new Set<PiiKind>(rule.kinds as PiiKind[]);
      const threshold = typeof rule.threshold === 'number' ? rule.threshold : Number(String(rule.threshold).replace('%', '')) / (String(rule.threshold).includes('%') ? 100 : 1);
      return async () => {
        for (const t of tables) {
          const columns = t.columns.filter((c) => c.storage === 'text');
          if (columns.length === 0) continue;
          // The first rows in the server's order: the rows a full pull would have stored first.
          const rows = await session.query<Record<string, unknown>>(`SELECT ${columns.map((c) => d.ident(c.name)).join(', ')} FROM ${d.table(info.get(t)!)} LIMIT ${rule.sample}`);
          for (const column of columns) {
            let sampled = 0;
            const found: Record<string, number> = {};
            for (const row of rows) {
              const v = row[column.name];
              if (isBlank(v)) continue;
              sampled++;
              const kind = piiKind(v, column.name);
              if (kind && kinds.has(kind)) found[kind] = (found[kind] ?? 0) + 1;
            }
            const matched = Object.values(found).reduce((a, b) => a + b, 0);
            const flagged = sampled > 0 && matched / sampled > threshold;
            const kind = flagged ? Object.entries(found).sort((a, b) => b[1] - a[1])[0]![0] : null;
            if (kind) {
              const byKind = (tally.extra.by_kind ??= Object.fromEntries([...kinds].map((k) => [k, 0]))) as Record<string, number>;
              byKind[kind] = (byKind[kind] ?? 0) + 1;
            }
            tally.parts.push({ table: t.name, count: flagged ? 1 : 0, total: 1, evidence: kind ? [{ table: t.name, column: column.name, kind, ratio: Number((matched / sampled).toFixed(4)), sampled }] : [] });
          }
        }
        tally.extra.sample = rule.sample;
        tally.extra.threshold = threshold;
      };
    }
    default:
      return null;
  }

  // Row checks: count, total and the first offending keys in the one scan; evidence by key afterwards.
  const planned = sources.map((s) => {
    const key = s.catalogTable.primaryKey.map((c) => d.ident(c.name));
    return {
      s,
      count: s.groupStats === undefined ? scans.add(s.table, d.countIf(s.condition)) : null,
      total: scans.add(s.table, 'COUNT(*)'),
      keys: s.groupStats === undefined && key.length > 0 && limit > 0 ? scans.add(s.table, d.keysIf(s.condition, key, limit)) : null,
      keyColumns: s.catalogTable.primaryKey.map((c) => c.name),
    };
  });
  const metricFinish = planMetrics(rule, d, catalog, info, scans, tally, sources, session);
  const needsFailingRows = Object.values(rule.metrics ?? {}).some((m) => m.where?.includes('{{failing}}') || /\{\{\s*failing\s*\}\}/.test(m.where ?? ''));
  return async () => {
    for (const p of planned) {
      let n: number;
      let evidence: Evidence[] = [];
      if (p.count) n = toNumber(p.count.value);
      else {
        const found = await duplicateGroups(session, d, p.s.groupStats!);
        n = found.rows;
        tally.extra.groups = toNumber(tally.extra.groups) + found.groups;
        tally.extra.extra_rows = toNumber(tally.extra.extra_rows) + found.rows - found.groups;
        if (n > 0 && limit > 0) {
          const columns = [...new Set([...p.keyColumns, ...p.s.columns])];
          const order = p.keyColumns.length > 0 ? ` ORDER BY ${p.keyColumns.map((c) => d.ident(c)).join(', ')}` : '';
          const rows = await session.query<Record<string, unknown>>(`SELECT ${columns.map((c) => d.ident(c)).join(', ')} FROM ${d.table(p.s.table)} WHERE ${p.s.condition}${order} LIMIT ${limit}`);
          evidence = rows.map((r) => ({ table: p.s.catalogTable.name, ...Object.fromEntries(columns.map((c) => [c, evidenceValue(r[c])])) }));
        }
      }
      if (n > 0 && p.keys?.value) {
        const keys = String(p.keys.value).split('\n').slice(0, limit).map((k) => JSON.parse(k) as unknown[]);
        const columns = [...new Set([...p.keyColumns, ...p.s.columns])];
        const keyList = keys.map((k) => (k.length === 1 ? d.string(String(k[0])) : `(${k.map((v) => (v === null ? 'NULL' : d.string(String(v)))).join(', ')})`)).join(', ');
        const keyExpr = p.keyColumns.length === 1 ? d.ident(p.keyColumns[0]!) : `(${p.keyColumns.map((c) => d.ident(c)).join(', ')})`;
        const rows = await session.query<Record<string, unknown>>(`SELECT ${columns.map((c) => d.ident(c)).join(', ')} FROM ${d.table(p.s.table)} WHERE ${keyExpr} IN (${keyList})`);
        evidence = rows.map((r) => ({ table: p.s.catalogTable.name, ...Object.fromEntries(columns.map((c) => [c, evidenceValue(r[c])])) }));
      }
      tally.parts.push({ table: p.s.catalogTable.name, count: n, total: toNumber(p.total.value), evidence });
      if (needsFailingRows && n > 0) {
        const columns = p.s.table.columns.map((c) => c.name);
        const rows = await session.query<Record<string, unknown>>(`SELECT ${columns.map((c) => `${d.text(d.ident(c))} AS ${d.ident(c)}`).join(', ')} FROM ${d.table(p.s.table)} WHERE ${p.s.condition} LIMIT 100000`);
        tally.failingRows.push({ table: p.s.table, columns, rows: rows.map((r) => columns.map((c) => (r[c] === null ? null : String(r[c])) as string)) });
      } else if (needsFailingRows) {
        tally.failingRows.push({ table: p.s.table, columns: p.s.table.columns.map((c) => c.name), rows: [] });
      }
    }
    await metricFinish();
  };
}

/** MySQL groups TEXT and BLOB values by their first max_sort_length bytes only: the whole value, up to the server's maximum (8 MiB), decides. */
const longSortKeys = new WeakSet<InPlaceSession>();

/** The key's groups of more than one row and the rows in them (a duplicates check on one table). */
async function duplicateGroups(session: InPlaceSession, d: Dialect, stats: string): Promise<{ groups: number; rows: number }> {
  if (d.name === 'mysql' && !longSortKeys.has(session)) {
    await session.query('SET SESSION max_sort_length = 8388608');
    longSortKeys.add(session);
  }
  const [row] = await session.query<Record<string, unknown>>(stats);
  return { groups: toNumber(row?.dq_groups), rows: toNumber(row?.dq_rows) };
}

function expandRefs(text: string, d: Dialect, catalog: Catalog, info: Map<CatalogTable, TableInfo>): string {
  return text.replace(PLACEHOLDER, (_w, ref: string) => d.table(resolveIn(catalog, info, ref)));
}

/** The rule's own metrics: counts and exact sums over tables of this session; {{failing}} of another instance waits for phase 2. */
function planMetrics(rule: Rule, d: Dialect, catalog: Catalog, info: Map<CatalogTable, TableInfo>, scans: Scans, tally: RuleTally, sources: OffendingSource[], session: InPlaceSession): () => Promise<void> {
  const parts: { name: string; aggregate: Aggregate }[] = [];
  for (const [name, definition] of Object.entries(rule.metrics ?? {})) {
    const tables = resolveTables(catalog, definition.table, { instance: definition.instance });
    let scale = 0;
    for (const t of tables) {
      const column = definition.sum ? findColumn(t, definition.sum) : undefined;
      if (definition.sum && !column) throw new Error(`table ${t.name} has no column ${definition.sum}`);
      scale = Math.max(scale, column ? declaredScale(column.declaredType) : 0);
    }
    const metric = (tally.metrics[name] ??= { count: 0, sum: 0n, scale, isSum: definition.sum !== undefined, matched: 0, deferred: [] });
    metric.scale = Math.max(metric.scale, scale);
    metric.matched += tables.length;
    for (const t of tables) {
      const where = definition.where ?? null;
      const failingHere = sources.length > 0;
      if (where && /\{\{\s*failing\s*\}\}/.test(where) && !failingHere) {
        metric.deferred.push({ instance: session.instance.name, metric: `${rule.id}\u0000${name}`, table: info.get(t)!, where, sum: definition.sum });
        continue;
      }
      const expanded = where
        ? where.replace(PLACEHOLDER, (_w, ref: string) => (ref === 'failing' ? `(${sources.map((s) => `SELECT * FROM ${d.table(s.table)} WHERE ${s.condition}`).join(' UNION ALL ')}) AS dq_failing` : d.table(resolveIn(catalog, info, ref))))
        : null;
      const column = definition.sum ? d.ident(findColumn(t, definition.sum)!.name) : null;
      const sql = column ? `SUM(${expanded ? `CASE WHEN ${expanded} THEN ${column} END` : column})` : expanded ? d.countIf(expanded) : 'COUNT(*)';
      parts.push({ name, aggregate: scans.add(info.get(t)!, sql) });
    }
  }
  return async () => {
    for (const p of parts) {
      const metric = tally.metrics[p.name]!;
      if (metric.isSum) metric.sum += toBigDecimal(p.aggregate.value, metric.scale);
      else metric.count += toNumber(p.aggregate.value);
    }
  };
}
