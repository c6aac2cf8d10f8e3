// The built-in pack `report-07`: the findings of the seed audit report as rules,
// exactly as reference-fleet.md defines them. It is written in the same shape
// as a YAML pack (`snapbench dq pack` prints it as YAML to start a custom one).
import { DEFAULT_SECRET_PATTERN, TEST_NAME_FLAGS, TEST_NAME_PATTERN } from './definitions.ts';
import { parsePack, type PackDocument, type RulePack } from './pack.ts';

export const REPORT_07_DOCUMENT: PackDocument = {
  pack: 'report-07',
  description: 'The data-quality, Redis and security findings of audit report 07 (Luckin Coffee USA), as rules over a snapshot.',
  evidence_limit: 50,
  rules: [
    {
      id: 'DQ-001',
      title: 'fi_tax database completely empty despite revenue',
      severity: 'critical',
      description:
        "count = tables of luckyus_fi_tax with zero rows (total = its tables); metrics.revenue = exact sum of t_order.pay_amount where currency_code = 'USD'. Fails when every tax table is empty and revenue > 0.",
      check: 'empty',
      database: 'luckyus_fi_tax',
      metrics: { revenue: { table: 't_order', sum: 'pay_amount', where: "currency_code = 'USD'" } },
      fail: 'count = total and total > 0 and metrics.revenue > 0',
    },
    {
      id: 'DQ-002',
      title: 'NZD test orders mixed into production',
      severity: 'high',
      description: "count = rows of t_order whose currency_code is NULL or not exactly 'USD'; total = rows of t_order. Fails when count > 0.",
      check: 'allowed_values',
      table: 't_order',
      column: 'currency_code',
      values: ['USD'],
      allow_null: false,
    },
    {
      id: 'DQ-003',
      title: 'Membership/loyalty tables empty',
      severity: 'high',
      description: 'count = empty tables of luckyus_member_marketing; total = its tables. Fails when count > 0.',
      check: 'empty',
      database: 'luckyus_member_marketing',
    },
    {
      id: 'DQ-004',
      title: 'Chinese product names',
      severity: 'medium',
      description: 'count = rows of t_commodity whose commodity_name holds at least one character of Unicode script Han (katakana and Hangul are not Han). Fails when count > 0.',
      check: 'pattern',
      table: 't_commodity',
      column: 'commodity_name',
      script: 'Han',
    },
    {
      id: 'DQ-005',
      title: 'Test stores in production',
      severity: 'medium',
      description: `count = rows of t_shop_info whose shop_name is a test name (/${TEST_NAME_PATTERN}/${TEST_NAME_FLAGS}); metrics.orders = rows of t_order with those shop_ids. Fails when count > 0.`,
      check: 'pattern',
      table: 't_shop_info',
      column: 'shop_name',
      regex: TEST_NAME_PATTERN,
      flags: TEST_NAME_FLAGS,
      metrics: { orders: { table: 't_order', where: 'shop_id IN (SELECT id FROM {{failing}})' } },
    },
    {
      id: 'DQ-006',
      title: 'No delivery address captured',
      severity: 'medium',
      description: "count = 1 when t_order has no column whose name contains 'address', else 0. Warns when count = 1.",
      check: 'schema',
      table: 't_order',
      columns: [{ name: '*address*', present: true }],
      fail: 'never',
      warn: 'count > 0',
    },
    {
      id: 'DQ-007',
      title: 'Orders with unnamed shop',
      severity: 'low',
      description: 'count = rows of t_order whose shop_name is blank (NULL, or empty after trimming Unicode white space, U+3000 and NBSP included); total = rows of t_order. Fails when count > 0.',
      check: 'missing',
      table: 't_order',
      column: 'shop_name',
      blank: true,
    },
    {
      id: 'RDS-001',
      title: 'Marketing counters without TTL',
      severity: 'high',
      description:
        'count = persistent keys (TTL -1) named CONTACT_day:*, CONTACT_week:* or CONTACT_month:* over all Redis instances (the key name when the snapshot stores it, else its pattern); total = keys with those names. Fails when count > 0.',
      check: 'redis_persistent_keys',
      patterns: ['CONTACT_day:*', 'CONTACT_week:*', 'CONTACT_month:*'],
    },
    {
      id: 'RDS-002',
      title: 'Redis clusters at <1% memory',
      severity: 'medium',
      description:
        'count = Redis instances whose utilisation (used_memory / allocated memory: the manifest\'s allocated_memory_mb, else maxmemory) is below 1%; total = pulled Redis instances with a known allocation (inventory-only instances are left out). Fails when count > 0.',
      check: 'redis_utilisation',
      below: '1%',
    },
    {
      id: 'RDS-003',
      title: 'Redis older than 7.2',
      severity: 'medium',
      description: 'count = Redis instances whose version is below 7.2 (numeric comparison); total = Redis instances with a known version. Fails when count > 0.',
      check: 'version_below',
      engine: 'redis',
      minimum: '7.2',
    },
    {
      id: 'SEC-001',
      title: 'PII stored in plain text',
      severity: 'high',
      description:
        'count = text columns whose sampled values (first 1000 rows) are mostly (more than half of the non-blank ones) e-mail addresses or phone numbers; total = text columns examined. Fails when count > 0.',
      check: 'pii_columns',
      kinds: ['email', 'phone'],
      sample: 1000,
      threshold: 0.5,
    },
    {
      id: 'SEC-002',
      title: 'Secrets stored in plain text',
      severity: 'critical',
      description: `count = values in any text column that hold an API-key-shaped string (/${DEFAULT_SECRET_PATTERN}/); evidence names table, key and column, never the secret. Fails when count > 0.`,
      check: 'secrets',
      regex: DEFAULT_SECRET_PATTERN,
    },
  ],
};

export const REPORT_07: RulePack = parsePack(REPORT_07_DOCUMENT, 'built-in pack report-07');

/** Built-in packs by name. */
export const BUILT_IN_PACKS: Readonly<Record<string, RulePack>> = { 'report-07': REPORT_07 };
