// Decides what `share` does to each column of a snapshot, and why:
//   mask     every non-blank value becomes its keyed pseudonym (SEC-001's PII
//            detector, a person-name column, or the profile's mask list)
//   drop     every value becomes NULL (the profile's drop list; Redis key names)
//   scrub    values are kept, but secrets inside them become a marker and, in
//            data tables, e-mail addresses inside text get their pseudonym
//   keep     detected as personal data, kept because the profile says so
//            (secrets are still scrubbed)
// The same plan drives `--dry-run` (counted, nothing written) and the copy.
import type Database from 'better-sqlite3';
import { isBlank, parseRatio, piiKind, type PiiKind } from '../../shared/dq/definitions.ts';
import { REPORT_07 } from '../../shared/dq/report07.ts';
import type { StorageKind } from '../../shared/model/snapshot.ts';
import { quoteIdentifier } from '../../shared/model/sql.ts';
import type { Catalog, CatalogTable } from '../dq/catalog.ts';
import { HASHED_META_TABLES } from '../file/schema.ts';
import type { LoadedProfile, ProfileColumn } from './profile.ts';

export type ColumnActionKind = 'mask' | 'drop' | 'scrub' | 'keep';

/** What happens to one physical column; `counts` fills in while the transform runs (rule → values changed). */
export interface ColumnAction {
  slot: number;
  table: string;
  /** The source's column name (the physical one for catalog tables). */
  column: string;
  sqlColumn: string;
  storage: StorageKind;
  kind: ColumnActionKind;
  /** mask/drop/keep: the rule that decided it; scrub: 'scrub'. */
  rule: string;
  why: string;
  /** scrub: also replace e-mail addresses inside text (data tables, not kept columns). */
  emails: boolean;
  counts: Map<string, number>;
}

export interface TablePlan {
  table: string;
  kind: 'data' | 'redis-keys' | 'catalog';
  /** Physical columns in table order. */
  columns: string[];
  actions: ColumnAction[];
}

export interface SharePlan {
  tables: TablePlan[];
  slots: ColumnAction[];
}

/** SEC-001 of report-07: how many rows to sample and what share of them must look like PII. */
export function piiDetectionSettings(): { sample: number; threshold: number; kinds: Set<PiiKind> } {
  const rule = REPORT_07.rules.find((r) => r.id === 'SEC-001');
  if (rule?.check !== 'pii_columns') return { sample: 1000, threshold: 0.5, kinds: new Set(['email', 'phone']) };
  return { sample: rule.sample, threshold: parseRatio(rule.threshold) ?? 0.5, kinds: new Set(rule.kinds as PiiKind[]) };
}

/** Column names that say they hold a person's name (shop_name, commodity_name and a bare `name` do not). */
const PERSON_NAME_COLUMN =
  /^(?:nick_?name|sur_?name|user_?name|login_?name|(?:first|last|middle|full|real|given|family|display|contact|customer|member|account|holder|person|legal|maiden|recipient|receiver|consignee)_?name)$/i;

export function isPersonNameColumn(name: string): boolean {
  return PERSON_NAME_COLUMN.test(name);
}

export interface PiiFinding {
  kind: PiiKind;
  sampled: number;
  matched: number;
}

/**
 * SEC-001's judgement of a table's text columns, exactly as the DQ check makes
 * it: the first `sample` rows in table order, non-blank values only, more than
 * `threshold` of them e-mail addresses or phone numbers.
 */
export function detectPiiColumns(db: Database.Database, table: CatalogTable): Map<string, PiiFinding> {
  const { sample, threshold, kinds } = piiDetectionSettings();
  const found = new Map<string, PiiFinding>();
  const columns = table.columns.filter((c) => c.storage === 'text');
  if (columns.length === 0) return found;
  const rows = db.prepare(`SELECT ${columns.map((c) => quoteIdentifier(c.sqlColumn)).join(', ')} FROM ${table.sqlName} LIMIT ${sample}`).raw(true).all() as unknown[][];
  columns.forEach((column, i) => {
    let sampled = 0;
    const byKind = new Map<PiiKind, number>();
    for (const row of rows) {
      if (isBlank(row[i])) continue;
      sampled++;
      const kind = piiKind(row[i], column.name);
      if (kind && kinds.has(kind)) byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    const matched = [...byKind.values()].reduce((a, b) => a + b, 0);
    if (sampled === 0 || matched / sampled <= threshold) return;
    const kind = [...byKind.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    found.set(column.sqlColumn, { kind, sampled, matched });
  });
  return found;
}

function percent(part: number, whole: number): string {
  return `${Math.round((100 * part) / whole)}%`;
}

/** Tables of the source copied into a shared file: data, key inventories and catalog; never the manifest, DQ results or signatures. */
export function buildSharePlan(db: Database.Database, catalog: Catalog, profileColumns: ProfileColumn[], profile: LoadedProfile | null): SharePlan {
  const slots: ColumnAction[] = [];
  const tables: TablePlan[] = [];
  const byTable = new Map<string, ProfileColumn[]>();
  for (const p of profileColumns) byTable.set(p.table.name, [...(byTable.get(p.table.name) ?? []), p]);
  const profileName = profile ? `profile ${profile.profile.name ?? profile.path}` : 'the profile';
  const add = (action: Omit<ColumnAction, 'slot' | 'counts'>): ColumnAction => {
    const full: ColumnAction = { ...action, slot: slots.length, counts: new Map() };
    slots.push(full);
    return full;
  };
  for (const table of catalog.tables) {
    // Checked in place (pull: pushdown): catalog rows only, no data table to copy.
    if (table.kind === 'pushdown') continue;
    const physical = db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).pluck().all(table.name) as string[];
    const plan: TablePlan = { table: table.name, kind: table.kind === 'redis-keys' ? 'redis-keys' : 'data', columns: physical, actions: [] };
    tables.push(plan);
    const listed = new Map((byTable.get(table.name) ?? []).map((p) => [p.sqlColumn, p]));
    const pii = table.kind === 'table' ? detectPiiColumns(db, table) : new Map<string, PiiFinding>();
    for (const sqlColumn of physical) {
      const column = table.columns.find((c) => c.sqlColumn === sqlColumn);
      // The placeholder column of a table without columns holds only NULLs.
      if (!column) continue;
      const base = { table: table.name, column: column.name, sqlColumn, storage: column.storage };
      const fromProfile = listed.get(sqlColumn);
      const finding = pii.get(sqlColumn);
      const detected = finding
        ? { rule: `SEC-001:${finding.kind}`, why: `SEC-001: ${finding.matched} of ${finding.sampled} sampled values are ${finding.kind === 'email' ? 'e-mail addresses' : 'phone numbers'} (${percent(finding.matched, finding.sampled)})` }
        : table.kind === 'table' && isPersonNameColumn(column.name)
          ? { rule: 'person-name', why: "the column's name says it holds a person's name" }
          : null;
      if (table.kind === 'redis-keys' && column.name === 'key_name' && fromProfile?.action !== 'keep') {
        // Names may hold session tokens and user ids; the pattern and the key hash remain.
        plan.actions.push(add({ ...base, kind: 'drop', rule: 'redis-key-name', why: 'Redis key names are never shared (pattern and key_hash remain)', emails: false }));
      } else if (fromProfile?.action === 'drop') {
        plan.actions.push(add({ ...base, kind: 'drop', rule: 'profile:drop', why: `listed under drop in ${profileName}`, emails: false }));
      } else if (fromProfile?.action === 'mask') {
        plan.actions.push(add({ ...base, kind: 'mask', rule: detected?.rule ?? 'profile:mask', why: detected ? `${detected.why}; also listed under mask in ${profileName}` : `listed under mask in ${profileName}`, emails: false }));
      } else if (detected && fromProfile?.action !== 'keep') {
        plan.actions.push(add({ ...base, kind: 'mask', ...detected, emails: false }));
      } else {
        const kept = fromProfile?.action === 'keep';
        if (kept) plan.actions.push(add({ ...base, kind: 'keep', rule: 'profile:keep', why: `listed under keep in ${profileName}${detected ? ` (${detected.why})` : ''}; secrets are still removed`, emails: false }));
        plan.actions.push(add({ ...base, kind: 'scrub', rule: 'scrub', why: 'secrets inside values', emails: table.kind === 'table' && !kept }));
      }
    }
  }
  for (const meta of HASHED_META_TABLES) {
    const physical = db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).pluck().all(meta) as string[];
    // A file made before this catalog table existed has none to copy.
    if (physical.length === 0) continue;
    const plan: TablePlan = { table: meta, kind: 'catalog', columns: physical, actions: [] };
    tables.push(plan);
    for (const sqlColumn of physical) {
      plan.actions.push(add({ table: meta, column: sqlColumn, sqlColumn, storage: 'text', kind: 'scrub', rule: 'scrub', why: 'secrets inside values', emails: false }));
    }
  }
  return { tables, slots };
}

/** One line of what a share did (or, with --dry-run, would do) to a column. */
export interface Redaction {
  table: string;
  column: string;
  action: 'mask' | 'drop' | 'replace' | 'keep';
  rule: string;
  /** Values changed. */
  values: number;
  why: string;
}

/** The plan's outcome as a list: every mask, drop and keep, and every scrub rule that changed a value. */
export function redactionsOf(plan: SharePlan, secrets: ReadonlyMap<string, { marker: string; pattern: string }>): Redaction[] {
  const out: Redaction[] = [];
  for (const a of plan.slots) {
    if (a.kind === 'scrub') {
      for (const [rule, values] of a.counts) {
        if (values === 0) continue;
        const secret = secrets.get(rule);
        const why = secret
          ? `values holding a match of /${secret.pattern}/; each match replaced by ${secret.marker}`
          : 'values with e-mail addresses inside text; each address replaced by its pseudonym';
        out.push({ table: a.table, column: a.column, action: 'replace', rule, values, why });
      }
      continue;
    }
    const values = a.counts.get(a.rule) ?? 0;
    // A key inventory without stored names has nothing to drop: not worth a line.
    if (a.rule === 'redis-key-name' && values === 0) continue;
    out.push({ table: a.table, column: a.column, action: a.kind, rule: a.rule, values, why: a.why });
  }
  return out;
}
