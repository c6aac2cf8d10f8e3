// The pure parts of the DQ engine: the definitions of reference-fleet.md, exact
// decimal sums, threshold conditions and pack validation.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { evaluateCondition, parseCondition } from '../../shared/dq/condition.ts';
import { DecimalSum, declaredScale, parseDecimal } from '../../shared/dq/decimal.ts';
import {
  globToRegExp,
  HAN_RANGES,
  hasScript,
  isBlank,
  maskSecret,
  piiKind,
  requiredLiteral,
  TEST_NAME_FLAGS,
  TEST_NAME_PATTERN,
  versionBelow,
  WHITE_SPACE_CODE_POINTS,
} from '../../shared/dq/definitions.ts';
import { DqPackError, failCondition, parsePack } from '../../shared/dq/pack.ts';
import { REPORT_07 } from '../../shared/dq/report07.ts';
import { compareFindings, type DqResult } from '../../shared/dq/results.ts';
import { builtInPackYaml, parsePackYaml } from '../../snapshots/dq/loadPack.ts';

describe('definitions', () => {
  it('blank: NULL or only Unicode white space (U+3000, NBSP, tabs), nothing else', () => {
    for (const v of [null, undefined, '', ' ', '\t\n', '\u3000', ' \u00a0\u3000 ', '\u2028\u205f']) expect(isBlank(v), JSON.stringify(v)).toBe(true);
    for (const v of ['a', ' a ', '\u200b', '0', 0]) expect(isBlank(v), JSON.stringify(v)).toBe(false);
    expect(WHITE_SPACE_CODE_POINTS).toContain(0x3000);
    expect(WHITE_SPACE_CODE_POINTS).toContain(0xa0);
    expect(WHITE_SPACE_CODE_POINTS).not.toContain(0x200b);
  });

  it('Han: kanji and hanzi are, katakana, hiragana and Hangul are not', () => {
    for (const v of ['拿铁', 'Latte 咖啡', '々', '𠀀']) expect(hasScript(v, 'Han'), v).toBe(true);
    for (const v of ['カフェラテ', 'ひらがな', '카페 라떼', 'Latte', '。、']) expect(hasScript(v, 'Han'), v).toBe(false);
  });

  it('HAN_RANGES are exactly the code points of \\p{Script=Han}', () => {
    const han = /^\p{Script=Han}$/u;
    const inRanges = (c: number) => HAN_RANGES.some(([a, b]) => c >= a && c <= b);
    const wrong: string[] = [];
    for (let c = 0; c <= 0x10ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      if (han.test(String.fromCodePoint(c)) !== inRanges(c)) wrong.push(c.toString(16));
      if (wrong.length > 5) break;
    }
    expect(wrong).toEqual([]);
  });

  it('test names: words test / iqaN, not words that contain them', () => {
    const test = new RegExp(TEST_NAME_PATTERN, TEST_NAME_FLAGS);
    for (const v of ['NJ Test Kitchen', 'Lab-Test', 'test', 'IQA2 Store', 'iqa', 'Store (TEST)']) expect(test.test(v), v).toBe(true);
    for (const v of ['Testament Ave', 'Contest Cafe', 'Latest', 'IQAB', 'testing']) expect(test.test(v), v).toBe(false);
  });

  it('PII: e-mails and phone numbers, not order numbers or dates', () => {
    expect(piiKind('ann.lee+x@example.com', 'email')).toBe('email');
    expect(piiKind('+1 212-555-0123', 'contact')).toBe('phone');
    expect(piiKind('(212) 555-0123', 'x')).toBe('phone');
    expect(piiKind('+12125550123', 'x')).toBe('phone');
    expect(piiKind('2125550123', 'mobile')).toBe('phone');
    expect(piiKind('2125550123', 'order_no')).toBeNull();
    expect(piiKind('2024-01-31', 'created')).toBeNull();
    expect(piiKind('not@mail', 'email')).toBeNull();
  });

  it('masks secrets: a prefix and the length, never the key', () => {
    const key = 'sk-' + 'a1B2'.repeat(10);
    expect(maskSecret(key)).toBe('sk-a1B2…(43 chars)');
    expect(maskSecret(key)).not.toContain(key.slice(8));
  });

  it('compares versions numerically', () => {
    expect(versionBelow('6.0.5', '7.2')).toBe(true);
    expect(versionBelow('7.2.0', '7.2')).toBe(false);
    expect(versionBelow('7.10.1', '7.2')).toBe(false);
    expect(versionBelow('10.11.6-MariaDB', '10.6')).toBe(false);
    expect(versionBelow('unknown', '7.2')).toBeNull();
  });

  it('finds the literal a regex needs, for the prefilter', () => {
    expect(requiredLiteral('sk-[A-Za-z0-9]{32,}')).toBe('sk-');
    expect(requiredLiteral('^AKIA[0-9A-Z]{16}')).toBe('AKIA');
    expect(requiredLiteral('abc?d')).toBe('ab');
    expect(requiredLiteral('\\b(test|iqa)')).toBeNull();
    expect(requiredLiteral('a|b')).toBeNull();
  });

  it('globs: * ? and classes, anchored', () => {
    expect(globToRegExp('*address*', true).test('Delivery_Address')).toBe(true);
    expect(globToRegExp('CONTACT_day:*').test('CONTACT_day:42')).toBe(true);
    expect(globToRegExp('CONTACT_day:*').test('XCONTACT_day:42')).toBe(false);
    expect(globToRegExp('t_[!a]?').test('t_bc')).toBe(true);
  });
});

describe('exact decimals', () => {
  it('sums decimal text without losing a cent: 0.10 + 0.20 = 0.30', () => {
    const sum = new DecimalSum();
    sum.add('0.10');
    sum.add('0.20');
    expect(sum.toString()).toBe('0.30');
    expect(0.1 + 0.2).not.toBe(0.3);
  });

  it('keeps exactness past 2^53, across scales, signs, exponents and integers', () => {
    const sum = new DecimalSum(2);
    for (let i = 0; i < 1000; i++) sum.add('9999999999999.99');
    sum.add('-0.005');
    sum.add(12n);
    sum.add('1e2');
    // 1000 × 9999999999999.99 = 9999999999999990.00; + 12 + 100 - 0.005
    expect(sum.toString()).toBe('10000000000000101.995');
    expect(new DecimalSum(2).toString()).toBe('0.00');
    expect(() => new DecimalSum().add('abc')).toThrow(/not a decimal/);
    expect(parseDecimal('-12.50')).toEqual({ units: -1250n, scale: 2 });
    expect(declaredScale('decimal(12,2)')).toBe(2);
    expect(declaredScale('DECIMAL( 9 , 6 ) unsigned')).toBe(6);
  });
});

describe('conditions', () => {
  const input = { count: 3, total: 3, metrics: { revenue: '100.50', none: null } };
  it.each([
    ['count > 0', true],
    ['> 5', false],
    ['count = total and total > 0 and metrics.revenue > 0', true],
    ['ratio >= 100%', true],
    ['not (count < 1) or never', true],
    ['metrics.none > 0', false],
    ['never', false],
    ['always', true],
  ])('%s → %s', (source, expected) => {
    expect(evaluateCondition(parseCondition(source), input) === true).toBe(expected);
  });

  it('is unknown, not true, with an unknown operand', () => {
    expect(evaluateCondition(parseCondition('metrics.none > 0'), input)).toBeNull();
    expect(evaluateCondition(parseCondition('ratio > 0'), { count: 0, total: 0, metrics: {} })).toBeNull();
  });

  it('rejects what it cannot read', () => {
    expect(() => parseCondition('count >')).toThrow(/ends where a value/);
    expect(() => parseCondition('rows > 1')).toThrow(/not a value/);
    expect(() => parseCondition('')).toThrow(/empty/);
  });
});

describe('rule packs', () => {
  function problems(yaml: string): string[] {
    try {
      parsePack(parseYaml(yaml), 'pack p.yaml');
    } catch (error) {
      if (error instanceof DqPackError) return error.problems;
      throw error;
    }
    return [];
  }

  it('reads a pack written in YAML', () => {
    const pack = parsePack(
      parseYaml(`
pack: mine
rules:
  - id: C-1
    title: Currency
    severity: high
    check: allowed_values
    table: t_order
    column: currency_code
    values: [USD]
  - id: C-2
    title: Few orders
    severity: low
    check: row_count
    table: shop.t_order
    warn: count < 10
`),
    );
    expect(pack.rules.map((r) => r.id)).toEqual(['C-1', 'C-2']);
    expect(pack.evidence_limit).toBe(50);
    expect(failCondition(pack.rules[0]!)).toBe('count > 0');
    expect(failCondition(pack.rules[1]!)).toBe('never');
  });

  it('names the rule and the field of every problem, one line each', () => {
    const found = problems(`
pack: mine
rules:
  - id: A-1
    title: a
    severity: urgent
    check: allowed_values
    table: t_order
    column: currency_code
    values: USD
  - id: A-2
    title: b
    severity: low
    check: pattern
    table: t
    column: c
    regex: "(unclosed"
    colour: red
  - id: A-1
    title: dup
    severity: low
    check: row_count
    table: t
  - title: no id
    severity: low
    check: teleport
  - id: A-5
    title: e
    severity: info
    check: redis_utilisation
    below: 200%
    fail: metrics.nope > 1
`);
    expect(found).toEqual([
      'pack p.yaml: rule A-1 field "severity": must be one of critical, high, medium, low, info, not the text "urgent"',
      'pack p.yaml: rule A-1 field "values": must be a list, not the text "USD"',
      'pack p.yaml: rule A-2 field "colour": unknown field',
      'pack p.yaml: rule A-1 field "id": duplicate id (also rule #1)',
      'pack p.yaml: rule #4 field "check": unknown check "teleport"; use one of row_count, empty, missing, allowed_values, pattern, duplicates, schema, reference, condition, redis_persistent_keys, redis_utilisation, version_below, pii_columns, secrets, sql',
      'pack p.yaml: rule A-5 field "fail": metrics.nope is not a metric of this rule (it has: below, unknown_allocation, inventory_only)',
      'pack p.yaml: rule A-5 field "below": must be a ratio from 0 to 1 or a percentage such as "1%"',
    ]);
    for (const line of found) expect(line).not.toContain('\n');
  });

  it('checks regexes, scripts, conditions and placeholders when the pack loads', () => {
    const found = problems(`
pack: mine
rules:
  - { id: R-1, title: r, severity: low, check: pattern, table: t, column: c, regex: "(x" }
  - { id: R-2, title: r, severity: low, check: pattern, table: t, column: c, script: Klingon }
  - { id: R-3, title: r, severity: low, check: pattern, table: t, column: c }
  - { id: R-4, title: r, severity: low, check: row_count, table: t, fail: "count >> 1" }
  - { id: R-5, title: r, severity: low, check: empty, database: d, metrics: { m: { table: t, where: "id IN (SELECT id FROM {{failing}})" } } }
  - { id: R-6, title: r, severity: low, check: sql, query: "SELECT 1; DROP TABLE t" }
`);
    expect(found).toEqual([
      expect.stringMatching(/^pack p\.yaml: rule R-1 field "regex": not a valid regular expression/),
      'pack p.yaml: rule R-2 field "script": "Klingon" is not a Unicode script name (e.g. Han, Hangul, Katakana, Cyrillic)',
      'pack p.yaml: rule R-3 field "regex": give either regex or script',
      'pack p.yaml: rule R-4 field "fail": ">" is not a value; use a number, count, total, ratio or metrics.NAME',
      'pack p.yaml: rule R-5 field "metrics.m.where": {{failing}} needs a check with offending rows (missing, allowed_values, pattern, duplicates, reference, condition, sql)',
      'pack p.yaml: rule R-6 field "query": must be one SQL statement or expression (no ";")',
    ]);
  });

  it('rejects a document that is not a pack', () => {
    expect(problems('- just a list')).toEqual(['pack p.yaml: expected a mapping with "pack" (a name) and "rules" (a list)']);
    expect(problems('pack: x\nrules: []')).toEqual(['pack p.yaml field "rules": must list at least one rule']);
  });

  it('report-07 holds exactly the rules of reference-fleet.md', () => {
    expect(REPORT_07.rules.map((r) => `${r.id}:${r.check}:${r.severity}`)).toEqual([
      'DQ-001:empty:critical',
      'DQ-002:allowed_values:high',
      'DQ-003:empty:high',
      'DQ-004:pattern:medium',
      'DQ-005:pattern:medium',
      'DQ-006:schema:medium',
      'DQ-007:missing:low',
      'RDS-001:redis_persistent_keys:high',
      'RDS-002:redis_utilisation:medium',
      'RDS-003:version_below:medium',
      'SEC-001:pii_columns:high',
      'SEC-002:secrets:critical',
    ]);
    for (const rule of REPORT_07.rules) expect(rule.description, rule.id).toBeTruthy();
  });

  it('report-07 printed as YAML (`snapbench dq pack`) reads back as the same pack', () => {
    expect(parsePackYaml(builtInPackYaml())).toEqual(REPORT_07);
  });
});

describe('comparing runs', () => {
  const r = (id: string, status: DqResult['status'], count: number | null): DqResult => ({
    id,
    title: id,
    severity: 'high',
    status,
    count,
    total: null,
    metrics: {},
    limited: false,
    evidence: [],
    evidenceQuery: null,
  });
  it('sorts findings into new, fixed and changed', () => {
    const diff = compareFindings([r('A', 'pass', 0), r('B', 'fail', 5), r('C', 'fail', 10), r('D', 'fail', 1)], [r('A', 'fail', 2), r('B', 'pass', 0), r('C', 'fail', 25), r('D', 'fail', 1)]);
    expect(diff.new.map((c) => c.id)).toEqual(['A']);
    expect(diff.fixed.map((c) => c.id)).toEqual(['B']);
    expect(diff.changed).toEqual([expect.objectContaining({ id: 'C', countChange: 15, note: 'fail, count 10 → 25 (+15)' })]);
    expect(diff.unchanged).toBe(1);
  });
});
