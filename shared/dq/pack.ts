// Rule packs: the declarative DQ rules, written in YAML, validated here at the
// edge. A rule names what it checks in flat fields next to its `check` type,
// the way dbt's generic tests and SodaCL's checks read:
//
//   pack: my-pack
//   rules:
//     - id: DQ-002
//       title: Non-USD orders
//       severity: high
//       description: rows of t_order whose currency_code is NULL or not 'USD'
//       check: allowed_values
//       table: t_order                 # t_order | db.t_order | instance/db/t_order, globs allowed
//       column: currency_code
//       values: [USD]
//       fail: count > 0                # the default; warn: ... too
//
// Every problem in a pack is one line naming the rule and the field.
import { describeIssue } from '../model/issues.ts';
import { z } from 'zod';
import { conditionMetrics, parseCondition, ConditionError } from './condition.ts';
import { parseRatio, scriptPattern } from './definitions.ts';
import { linearRegex } from './regex.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CHECK_TYPES = [
  'row_count',
  'empty',
  'missing',
  'allowed_values',
  'pattern',
  'duplicates',
  'schema',
  'reference',
  'condition',
  'redis_persistent_keys',
  'redis_utilisation',
  'version_below',
  'pii_columns',
  'secrets',
  'sql',
] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

/** Checks whose offending rows can be named in SQL, so `{{failing}}` may be used in a rule's metrics. */
export const ROW_CHECKS: readonly CheckType[] = ['missing', 'allowed_values', 'pattern', 'duplicates', 'reference', 'condition', 'sql'];

/** Metrics each check reports, which conditions may read as `metrics.NAME`. */
export const CHECK_METRICS: Record<CheckType, readonly string[]> = {
  row_count: ['tables'],
  empty: [],
  missing: [],
  allowed_values: ['values'],
  pattern: [],
  duplicates: ['groups', 'extra_rows'],
  schema: [],
  reference: [],
  condition: [],
  redis_persistent_keys: ['persistent_memory_bytes', 'persistent_memory_unknown_keys', 'by_pattern', 'instances'],
  redis_utilisation: ['below', 'unknown_allocation', 'inventory_only'],
  version_below: ['minimum', 'unknown_version', 'versions'],
  pii_columns: ['by_kind', 'sample', 'threshold'],
  secrets: ['by_column', 'columns_scanned'],
  sql: [],
};

const text = z.string().trim().min(1, 'must not be empty');
const tableRef = text;
const ratio = z.union([z.number(), z.string()]);
const condition = z.string();
const literal = z.union([z.string(), z.number()]);

const metricDefinition = z
  .object({
    table: tableRef,
    /** Sum of this column, exactly (decimal text); without it the metric counts rows. */
    sum: text.optional(),
    where: text.optional(),
    instance: text.optional(),
  })
  .strict();
export type MetricDefinition = z.output<typeof metricDefinition>;

const base = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'must be letters, digits, "-", "_", "." or ":" (e.g. DQ-001)'),
  title: text,
  severity: z.enum(SEVERITIES),
  /** The definition: what is counted, in words. Shown next to every finding. */
  description: text.optional(),
  fail: condition.optional(),
  warn: condition.optional(),
  metrics: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'metric names are letters, digits and "_"'), metricDefinition).optional(),
  evidence_limit: z.number().int().min(0).max(10_000).optional(),
  tags: z.array(z.string()).optional(),
};

const tableScope = { table: tableRef, instance: text.optional() };

const checkFields = {
  row_count: { ...tableScope, where: text.optional() },
  empty: { database: text.optional(), table: tableRef.optional(), instance: text.optional() },
  missing: { ...tableScope, column: text, blank: z.boolean().default(true), missing_values: z.array(literal).optional() },
  allowed_values: { ...tableScope, column: text, values: z.array(literal).min(1, 'must list at least one value'), allow_null: z.boolean().default(false) },
  pattern: {
    ...tableScope,
    column: text,
    regex: z.string().min(1).optional(),
    flags: z.string().regex(/^[imsu]*$/, 'may hold i, m, s and u').optional(),
    script: text.optional(),
    counts: z.enum(['matching', 'not_matching']).default('matching'),
  },
  duplicates: { ...tableScope, columns: z.array(text).min(1, 'must list at least one column') },
  schema: {
    ...tableScope,
    columns: z
      .array(
        z
          .object({
            name: text,
            present: z.boolean().default(true),
            type: text.optional(),
            storage: z.enum(['integer', 'decimal', 'float', 'text', 'temporal', 'json', 'boolean', 'bit', 'blob']).optional(),
            nullable: z.boolean().optional(),
          })
          .strict(),
      )
      .min(1, 'must list at least one column expectation'),
  },
  reference: { ...tableScope, column: text, references: z.object({ table: tableRef, column: text, instance: text.optional() }).strict() },
  // query_mysql / query_postgres: the same test in the source's own dialect, for dq --pushdown.
  condition: { ...tableScope, where: text, columns: z.array(text).optional(), query_mysql: text.optional(), query_postgres: text.optional() },
  redis_persistent_keys: { patterns: z.array(text).min(1, 'must list at least one key pattern'), instance: text.optional() },
  redis_utilisation: { below: ratio, instance: text.optional() },
  version_below: {
    engine: z.enum(['mysql', 'postgres', 'redis']),
    minimum: z.string().regex(/^\d+(\.\d+)*$/, 'must be a dotted version such as 7.2'),
    instance: text.optional(),
  },
  pii_columns: {
    kinds: z.array(z.enum(['email', 'phone'])).min(1).default(['email', 'phone']),
    sample: z.number().int().min(1).max(1_000_000).default(1000),
    threshold: ratio.default(0.5),
    tables: z.array(tableRef).optional(),
  },
  secrets: {
    regex: z.string().min(1).optional(),
    flags: z.string().regex(/^[imsu]*$/, 'may hold i, m, s and u').optional(),
    tables: z.array(tableRef).optional(),
  },
  sql: { query: text, total: z.union([z.number().int().min(0), text]).optional(), query_mysql: text.optional(), query_postgres: text.optional() },
} satisfies Record<CheckType, z.ZodRawShape>;

function ruleSchemaOf<T extends CheckType>(check: T) {
  return z.object({ ...base, check: z.literal(check), ...checkFields[check] }).strict();
}

const ruleSchemas = {
  row_count: ruleSchemaOf('row_count'),
  empty: ruleSchemaOf('empty'),
  missing: ruleSchemaOf('missing'),
  allowed_values: ruleSchemaOf('allowed_values'),
  pattern: ruleSchemaOf('pattern'),
  duplicates: ruleSchemaOf('duplicates'),
  schema: ruleSchemaOf('schema'),
  reference: ruleSchemaOf('reference'),
  condition: ruleSchemaOf('condition'),
  redis_persistent_keys: ruleSchemaOf('redis_persistent_keys'),
  redis_utilisation: ruleSchemaOf('redis_utilisation'),
  version_below: ruleSchemaOf('version_below'),
  pii_columns: ruleSchemaOf('pii_columns'),
  secrets: ruleSchemaOf('secrets'),
  sql: ruleSchemaOf('sql'),
} as const;

export type Rule = { [K in CheckType]: z.output<(typeof ruleSchemas)[K]> }[CheckType];
export type RuleOf<K extends CheckType> = Extract<Rule, { check: K }>;
/** A rule as written in YAML (defaults not yet applied). */
export type RuleDocument = { [K in CheckType]: z.input<(typeof ruleSchemas)[K]> }[CheckType];

const packHeader = z
  .object({
    pack: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a name of letters, digits, "-", "_" or "."'),
    description: z.string().optional(),
    evidence_limit: z.number().int().min(0).max(10_000).default(50),
    rules: z.array(z.unknown()).min(1, 'must list at least one rule'),
  })
  .strict();

export interface RulePack {
  pack: string;
  description?: string;
  evidence_limit: number;
  rules: Rule[];
}

export interface PackDocument {
  pack: string;
  description?: string;
  evidence_limit?: number;
  rules: RuleDocument[];
}

export class DqPackError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'DqPackError';
  }
}

/** Placeholders `{{ table-ref }}` in SQL of a rule: table references resolved at run time. */
export const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

function checkRegex(problems: string[], where: string, field: string, source: string | undefined, flags: string | undefined): void {
  if (source === undefined) return;
  try {
    linearRegex(source, flags ?? '');
  } catch (error) {
    problems.push(`${where} field "${field}": not a valid regular expression: ${(error as Error).message.replace(/^error parsing regexp: /, '')}`);
  }
}

function checkRatio(problems: string[], where: string, field: string, value: number | string | undefined): void {
  if (value === undefined) return;
  const parsed = parseRatio(value);
  if (parsed === null || parsed < 0 || parsed > 1) problems.push(`${where} field "${field}": must be a ratio from 0 to 1 or a percentage such as "1%"`);
}

function checkSql(problems: string[], where: string, field: string, sql: string | undefined, rule: Rule): void {
  if (sql === undefined) return;
  if (/;\s*\S/.test(sql.replace(/'[^']*'/g, "''"))) problems.push(`${where} field "${field}": must be one SQL statement or expression (no ";")`);
  for (const match of sql.matchAll(PLACEHOLDER)) {
    if (match[1] === '') problems.push(`${where} field "${field}": "{{}}" names no table`);
    if (match[1] === 'failing' && !ROW_CHECKS.includes(rule.check)) {
      problems.push(`${where} field "${field}": {{failing}} needs a check with offending rows (${ROW_CHECKS.join(', ')})`);
    }
  }
}

/** Cross-field rules zod cannot state per field. */
function checkRule(rule: Rule, where: string, problems: string[]): void {
  const defined = new Set([...CHECK_METRICS[rule.check], ...Object.keys(rule.metrics ?? {})]);
  for (const field of ['fail', 'warn'] as const) {
    const source = rule[field];
    if (source === undefined) continue;
    try {
      for (const name of conditionMetrics(parseCondition(source))) {
        if (!defined.has(name)) problems.push(`${where} field "${field}": metrics.${name} is not a metric of this rule (it has: ${[...defined].join(', ') || 'none'})`);
      }
    } catch (error) {
      if (!(error instanceof ConditionError)) throw error;
      problems.push(`${where} field "${field}": ${error.message}`);
    }
  }
  for (const [name, metric] of Object.entries(rule.metrics ?? {})) checkSql(problems, where, `metrics.${name}.where`, metric.where, rule);
  switch (rule.check) {
    case 'empty':
      if ((rule.database === undefined) === (rule.table === undefined)) problems.push(`${where} field "database": give either database or table`);
      break;
    case 'pattern':
      if ((rule.regex === undefined) === (rule.script === undefined)) problems.push(`${where} field "regex": give either regex or script`);
      checkRegex(problems, where, 'regex', rule.regex, rule.flags);
      if (rule.script !== undefined && !scriptPattern(rule.script)) problems.push(`${where} field "script": "${rule.script}" is not a Unicode script name (e.g. Han, Hangul, Katakana, Cyrillic)`);
      break;
    case 'secrets':
      checkRegex(problems, where, 'regex', rule.regex, rule.flags);
      break;
    case 'redis_utilisation':
      checkRatio(problems, where, 'below', rule.below);
      break;
    case 'pii_columns':
      checkRatio(problems, where, 'threshold', rule.threshold);
      break;
    case 'row_count':
      checkSql(problems, where, 'where', rule.where, rule);
      break;
    case 'condition':
      checkSql(problems, where, 'where', rule.where, rule);
      break;
    case 'sql':
      checkSql(problems, where, 'query', rule.query, rule);
      if (typeof rule.total === 'string') checkSql(problems, where, 'total', rule.total, rule);
      break;
  }
}

/**
 * Validates a parsed pack document (from YAML or an object). Throws DqPackError
 * whose problems are one line each: `SOURCE: rule DQ-002 field "values": must be a list`.
 */
export function parsePack(document: unknown, source = 'pack'): RulePack {
  if (!document || typeof document !== 'object' || Array.isArray(document)) {
    throw new DqPackError([`${source}: expected a mapping with "pack" (a name) and "rules" (a list)`]);
  }
  const header = packHeader.safeParse(document);
  if (!header.success) throw new DqPackError(header.error.issues.flatMap((issue) => describeIssue(source, issue, document)));
  const problems: string[] = [];
  const rules: Rule[] = [];
  const seen = new Map<string, number>();
  header.data.rules.forEach((raw, index) => {
    const id = raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : null;
    const where = `${source}: rule ${id ?? `#${index + 1}`}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(`${where}: must be a mapping of fields (id, title, severity, check, ...)`);
      return;
    }
    if (id !== null) {
      const previous = seen.get(id);
      if (previous !== undefined) {
        problems.push(`${where} field "id": duplicate id (also rule #${previous + 1})`);
        return;
      }
      seen.set(id, index);
    }
    const check = (raw as { check?: unknown }).check;
    if (typeof check !== 'string' || !(CHECK_TYPES as readonly string[]).includes(check)) {
      problems.push(`${where} field "check": ${check === undefined ? 'is required' : `unknown check "${String(check)}"`}; use one of ${CHECK_TYPES.join(', ')}`);
      return;
    }
    const parsed = ruleSchemas[check as CheckType].safeParse(raw);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.flatMap((issue) => describeIssue(where, issue, raw)));
      return;
    }
    const rule = parsed.data as Rule;
    checkRule(rule, where, problems);
    rules.push(rule);
  });
  if (problems.length > 0) throw new DqPackError(problems);
  return { pack: header.data.pack, ...(header.data.description !== undefined ? { description: header.data.description } : {}), evidence_limit: header.data.evidence_limit, rules };
}

/** The fail condition a rule uses: its own, else `never` when only warn is given, else the check's default. */
export function failCondition(rule: Rule): string {
  if (rule.fail !== undefined) return rule.fail;
  if (rule.warn !== undefined) return 'never';
  return rule.check === 'row_count' ? 'count = 0' : 'count > 0';
}
