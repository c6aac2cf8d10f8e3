// The machinery every check uses: resolving table references, registering the
// aggregates a check needs so that each table is scanned once for all rules,
// and reading evidence rows by primary key.
//
// A check runs in two steps. Planning resolves its tables and registers SQL
// aggregates (`count(*) FILTER (WHERE ...)`) per table; then every table is
// scanned once with the aggregates of all rules; then each check finishes from
// those values (and, only when something was found, reads its evidence).
import type Database from 'better-sqlite3';
import type { Rule } from '../../shared/dq/pack.ts';
import { PLACEHOLDER } from '../../shared/dq/pack.ts';
import type { Evidence } from '../../shared/dq/results.ts';
import { jsonCell, type CellValue } from '../output/cells.ts';
import { databaseNotReadWhole, findColumn, notReadWhole, resolveTables, type Catalog, type CatalogColumn, type CatalogTable, type ResolveOptions } from './catalog.ts';
import { quoteIdentifier, sqlString } from './sql.ts';

/** Thrown while planning or finishing: the snapshot lacks what the rule needs (status `skipped`). */
export class SkipRule extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SkipRule';
  }
}

export interface Outcome {
  count: number | null;
  total: number | null;
  metrics?: Record<string, unknown>;
  evidence?: Evidence[];
  evidenceQuery?: string | null;
}

export type Finish = () => Outcome;

/** Evidence text longer than this is cut: evidence names rows, it does not copy them. */
const EVIDENCE_TEXT_LIMIT = 200;

export function evidenceValue(value: CellValue): unknown {
  if (typeof value === 'string' && value.length > EVIDENCE_TEXT_LIMIT) return `${value.slice(0, EVIDENCE_TEXT_LIMIT)}…`;
  return jsonCell(value);
}

export function toCount(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  if (value === null || value === undefined) return 0;
  return Number(value);
}

interface PendingAggregate {
  table: CatalogTable;
  expr: string;
  slot: { scan: string; position: number };
}

/**
 * One scan per table with the aggregates of every rule; a rule whose SQL fails
 * only fails itself. An `isolated` rule scans its tables on its own (after a
 * shared scan ran past the time limit, to find which rule it was).
 */
export class TableScans {
  private readonly plans = new Map<string, { table: CatalogTable; exprs: string[]; index: Map<string, number>; owners: Map<number, Set<number>> }>();
  private readonly values = new Map<string, unknown[]>();
  /** Rule index → the error its aggregates raised while scanning. */
  readonly errors = new Map<number, Error>();
  /** Milliseconds spent scanning each table. */
  readonly timings = new Map<string, number>();

  constructor(
    private readonly db: Database.Database,
    private readonly isolated: ReadonlySet<number> = new Set(),
  ) {}

  /** Checks that each aggregate compiles, then adds the rule's aggregates to the scans. */
  commit(rule: number, pending: PendingAggregate[]): void {
    for (const p of pending) this.db.prepare(`SELECT ${p.expr} FROM ${p.table.sqlName}`);
    for (const p of pending) {
      const scan = this.isolated.has(rule) ? `${p.table.name}\u0000rule ${rule}` : p.table.name;
      let plan = this.plans.get(scan);
      if (!plan) {
        plan = { table: p.table, exprs: [], index: new Map(), owners: new Map() };
        this.plans.set(scan, plan);
      }
      let position = plan.index.get(p.expr);
      if (position === undefined) {
        position = plan.exprs.length;
        plan.exprs.push(p.expr);
        plan.index.set(p.expr, position);
      }
      p.slot.scan = scan;
      p.slot.position = position;
      const owners = plan.owners.get(rule) ?? new Set<number>();
      owners.add(position);
      plan.owners.set(rule, owners);
    }
  }

  private select(table: CatalogTable, exprs: string[]): unknown[] {
    return this.db.prepare(`SELECT ${exprs.join(', ')} FROM ${table.sqlName}`).safeIntegers(true).raw(true).get() as unknown[];
  }

  /** Scans every table once; `onScan` hears of each scan first, with the indexes of the rules it serves. */
  run(onScan?: (table: string, rules: number[]) => void): void {
    for (const [scan, plan] of this.plans) {
      const name = plan.table.name;
      onScan?.(name, [...plan.owners.keys()]);
      const started = performance.now();
      try {
        this.values.set(scan, this.select(plan.table, plan.exprs));
      } catch {
        // Isolate the rule whose SQL failed at run time (say, malformed JSON in json_extract).
        const values: unknown[] = new Array(plan.exprs.length).fill(null);
        for (const [rule, positions] of plan.owners) {
          const list = [...positions];
          onScan?.(name, [rule]);
          try {
            this.select(plan.table, list.map((p) => plan.exprs[p]!)).forEach((v, i) => (values[list[i]!] = v));
          } catch (error) {
            this.errors.set(rule, error as Error);
          }
        }
        this.values.set(scan, values);
      }
      this.timings.set(name, (this.timings.get(name) ?? 0) + performance.now() - started);
    }
  }

  value(slot: { scan: string; position: number }): unknown {
    return this.values.get(slot.scan)?.[slot.position] ?? null;
  }
}

export interface EvidenceSource {
  table: CatalogTable;
  /** SQL condition selecting the offending rows of this table. */
  where: string;
  /** Extra columns after the primary key: label → SQL. */
  columns: { label: string; sql: string }[];
}

/** What one rule sees while it is planned and finished. */
export class RuleContext {
  readonly pending: PendingAggregate[] = [];
  readonly used = new Set<CatalogTable>();
  /** SQL of the rule's offending rows (a row check sets it), for `{{failing}}` in metrics. */
  failing: string | null = null;

  constructor(
    readonly db: Database.Database,
    readonly catalog: Catalog,
    readonly scans: TableScans,
    readonly rule: Rule,
    readonly evidenceLimit: number,
  ) {}

  use(tables: CatalogTable[]): CatalogTable[] {
    for (const t of tables) this.used.add(t);
    return tables;
  }

  /** Tables of a reference; skips the rule when there is none, or when one of them was not read whole. */
  tables(ref: string, options: ResolveOptions = {}): CatalogTable[] {
    const tables = resolveTables(this.catalog, ref, options);
    if (tables.length === 0) {
      const hidden = [...(this.catalog.partialDatabases ?? [])].flatMap(([instance, dbs]) => [...dbs.keys()].map((db) => databaseNotReadWhole(this.catalog, instance, db)!));
      throw new SkipRule(`table ${ref}${options.instance ? ` (instance ${options.instance})` : ''} is not in the snapshot${hidden.length ? `; it may be one the account could not see: ${hidden.join('; ')}` : ''}`);
    }
    return this.useWhole(tables);
  }

  /** Marks tables as read by the rule, skipping it when one of them was not read whole: a rule never passes or fails on data it did not see. */
  useWhole(tables: CatalogTable[]): CatalogTable[] {
    for (const t of tables) {
      const why = notReadWhole(t);
      if (why) throw new SkipRule(`the rule reads ${why}`);
    }
    return this.use(tables);
  }

  column(table: CatalogTable, name: string): CatalogColumn {
    const column = findColumn(table, name);
    if (!column) throw new SkipRule(`table ${table.name} has no column ${name}`);
    return column;
  }

  /** Registers an aggregate over a table; the returned getter reads its value after the scans. */
  aggregate(table: CatalogTable, expr: string): () => unknown {
    const slot = { scan: table.name, position: -1 };
    this.pending.push({ table, expr, slot });
    this.used.add(table);
    return () => this.scans.value(slot);
  }

  /** Resolves `{{ table-ref }}` placeholders to SQL relations, and `{{failing}}` to the offending rows. */
  expand(sql: string): string {
    return sql.replace(PLACEHOLDER, (_whole, ref: string) => {
      if (ref === 'failing') {
        if (!this.failing) throw new Error('{{failing}} is not available for this check');
        return `(${this.failing})`;
      }
      const tables = this.tables(ref, { kinds: ['table', 'redis-keys'] });
      return tables.length === 1 ? tables[0]!.sqlName : `(${tables.map((t) => `SELECT * FROM ${t.sqlName}`).join(' UNION ALL ')})`;
    });
  }

  get limited(): boolean {
    for (const t of this.used) if (t.limited) return true;
    return false;
  }

  /** What identifies a row in evidence: the primary key, a Redis key's hash, else the rowid. */
  keyColumns(table: CatalogTable): { label: string; sql: string }[] {
    if (table.kind === 'redis-keys') return [{ label: 'key_hash', sql: 'key_hash' }];
    if (table.primaryKey.length === 0) return [{ label: '_rowid', sql: 'rowid' }];
    return table.primaryKey.map((c) => ({ label: c.name, sql: quoteIdentifier(c.sqlColumn) }));
  }

  /** Evidence columns of one table: primary key, then the columns checked (each label once). */
  private evidenceColumns(source: EvidenceSource): { label: string; sql: string }[] {
    const seen = new Set<string>();
    return [...this.keyColumns(source.table), ...source.columns].filter((c) => !seen.has(c.label) && seen.add(c.label));
  }

  /** Reads up to `limit` rows of a query as JSON-safe objects. */
  readEvidence(sql: string, limit = this.evidenceLimit): Evidence[] {
    if (limit <= 0) return [];
    const statement = this.db.prepare(`SELECT * FROM (${sql}) LIMIT ${limit}`).safeIntegers(true);
    const names = statement.columns().map((c) => c.name);
    return (statement.raw(true).all() as CellValue[][]).map((row) => Object.fromEntries(names.map((n, i) => [n, evidenceValue(row[i]!)])));
  }

  /**
   * The offending rows of several tables as one query (so it pastes into
   * `snapbench query`): table name, primary key and checked columns; where the
   * tables' key columns differ, each SELECT fills the others' with NULL, and
   * evidence rows keep only their own table's columns. Rows are read only when `read`.
   */
  rowEvidence(sources: EvidenceSource[], read: boolean): { evidence: Evidence[]; evidenceQuery: string } {
    const own = sources.map((s) => this.evidenceColumns(s));
    const labels = [...new Set(own.flatMap((columns) => columns.map((c) => c.label)))];
    const query = sources
      .map((s, i) => {
        const columns = new Map(own[i]!.map((c) => [c.label, c.sql]));
        const list = labels.map((label) => `${columns.get(label) ?? 'NULL'} AS ${quoteIdentifier(label)}`);
        return `SELECT ${sqlString(s.table.name)} AS "table", ${list.join(', ')} FROM ${s.table.sqlName} WHERE ${s.where}`;
      })
      .join('\nUNION ALL\n');
    if (!read || sources.length === 0) return { evidence: [], evidenceQuery: query };
    const keep = new Map<string, Set<string>>();
    sources.forEach((s, i) => {
      const set = keep.get(s.table.name) ?? new Set(['table']);
      for (const c of own[i]!) set.add(c.label);
      keep.set(s.table.name, set);
    });
    const evidence = this.readEvidence(query).map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => keep.get(String(row.table))?.has(k))));
    return { evidence, evidenceQuery: query };
  }
}
