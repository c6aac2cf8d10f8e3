// `snapbench scenario` as a user runs it: the JSON shape of cli-contract.md
// with sums that hold as printed, the table with the reason for each figure,
// CSV, and one-line errors for bad settings.
import { describe, expect, it } from 'vitest';
import { parseJson, runCli } from '../helpers/cli.ts';

interface ScenarioJson {
  preset: string;
  stores: number;
  monthly: { total: number; perStore: number; byEngine: { mysql: number; redis: number; postgres: number } };
  instances: { mysql: number; redis: number; postgres: number };
  assumptions: Record<string, { value: unknown; source: string; note?: string }>;
  lineItems: { engine: string; item: string; monthly: number; explanation: { formula: string; worked: string } }[];
  savings: { baseline: number; saved: number; steps: { step: string; label: string; saved: number }[] };
  curve: { stores: number; total: number; perStore: number }[];
  redisProjection: { withoutTtl: { persistentKeys: number } };
  items: { name: string; why: string }[];
}

/** Exact decimal sum of printed money values: work in cents, as the printed numbers are whole cents. */
function cents(value: number): number {
  return Math.round(value * 100);
}

describe('snapbench scenario', () => {
  it('prints the contract JSON for report-07 at 16 stores, with sums that hold as printed', async () => {
    const result = await runCli(['scenario', '--preset', 'report-07', '--stores', '16', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const json = parseJson<ScenarioJson>(result);
    expect(json.preset).toBe('report-07');
    expect(json.stores).toBe(16);
    expect(Object.keys(json.monthly.byEngine).sort()).toEqual(['mysql', 'postgres', 'redis']);
    expect(json.instances).toEqual({ mysql: 62, redis: 78, postgres: 3 });
    expect(typeof json.assumptions).toBe('object');
    expect(Object.keys(json.assumptions).length).toBeGreaterThan(10);
    const { total, perStore, byEngine } = json.monthly;
    expect(cents(byEngine.mysql) + cents(byEngine.redis) + cents(byEngine.postgres)).toBe(cents(total));
    expect(perStore).toBe(total / json.stores);
    expect(total).toBeGreaterThan(17_000);
    expect(total).toBeLessThan(19_000);
    // Printed money is whole cents.
    const text = result.stdout;
    const totalText = /"total": ([\d.]+)/.exec(text)![1]!;
    expect(totalText).toMatch(/^\d+(\.\d{1,2})?$/);
    for (const engine of ['mysql', 'redis', 'postgres'] as const) {
      const lines = json.lineItems.filter((l) => l.engine === engine);
      expect(lines.reduce((n, l) => n + cents(l.monthly), 0)).toBe(cents(byEngine[engine]));
      for (const line of lines) expect(line.explanation.formula).not.toBe('');
    }
    expect(json.items).toHaveLength(143);
  });

  it('prints the plan at 100 stores inside $250–$400 a store', async () => {
    const result = await runCli(['scenario', '--preset', 'report-07-plan', '--stores', '100', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson<ScenarioJson>(result);
    expect(json.monthly.perStore).toBeGreaterThanOrEqual(250);
    expect(json.monthly.perStore).toBeLessThanOrEqual(400);
    expect(cents(json.savings.baseline) - cents(json.monthly.total)).toBe(json.savings.steps.reduce((n, s) => n + cents(s.saved), 0));
    expect(json.redisProjection.withoutTtl.persistentKeys).toBeGreaterThan(16_000_000);
  });

  it('prints the audit trail with --detail, in 80 columns', async () => {
    for (const stores of ['16', '100']) {
      const result = await runCli(['scenario', '--preset', 'report-07', '--stores', stores, '--detail']);
      expect(result.code, result.stderr).toBe(0);
      const text = result.stdout;
      expect(text).toContain(`preset report-07, ${stores} stores`);
      expect(text).toMatch(/Monthly total \$[\d,]+\.\d\d {3}per store \$[\d,]+\.\d\d/);
      expect(text).toMatch(/^per month\s+mysql\s+redis\s+postgres\s+all$/m);
      expect(text).toMatch(/^instances\s+62\s+78\s+3\s+143$/m);
      expect(text).toContain('why: mysql + redis + postgres');
      expect(text).toContain('why: Σ instances: hourly price of the smallest');
      expect(text).toContain('Savings against the current state');
      expect(text).not.toContain('not applied');
      expect(text).toContain('Cost per store by store count');
      expect(text).toContain('Where the report does not add up');
      for (const line of text.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
    }
    const plan = await runCli(['scenario', '--preset', 'report-07-plan', '--stores', '100', '--detail', '--format', 'table']);
    expect(plan.stdout).toMatch(/Read replicas for analytics\s+adds \$[\d,]+\.\d\d/);
    expect(plan.stdout).not.toMatch(/\(-\$/);
  });

  it('answers with a short summary by default: the three figures of the JSON and the savings ranked', async () => {
    const [text, today, asIs, plan] = await Promise.all([
      runCli(['scenario', '--preset', 'report-07-plan', '--stores', '100']),
      runCli(['scenario', '--preset', 'report-07', '--format', 'json']),
      runCli(['scenario', '--preset', 'report-07', '--stores', '100', '--format', 'json']),
      runCli(['scenario', '--preset', 'report-07-plan', '--stores', '100', '--format', 'json']),
    ]);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThan(25);
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(80);
    const whole = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;
    const escape = (text: string) => text.replace(/[()$]/g, '\\$&');
    const row = (label: string, json: ScenarioJson) => new RegExp(`^  ${escape(label)}\\s+${escape(whole(json.monthly.total))}\\s+${escape(whole(json.monthly.perStore))}$`, 'm');
    expect(text.stdout).toMatch(row('Today (16 stores)', parseJson<ScenarioJson>(today)));
    expect(text.stdout).toMatch(row('100 stores as is', parseJson<ScenarioJson>(asIs)));
    const planJson = parseJson<ScenarioJson>(plan);
    expect(text.stdout).toMatch(row("100 stores with the report's plan", planJson));
    // The savings in the order of their amounts, each as the JSON has it.
    const ranked = planJson.savings.steps.filter((s) => cents(s.saved) > 0).sort((a, b) => b.saved - a.saved);
    const listed = [...text.stdout.matchAll(/^ {2}(\d)\. {2}(.+?)\s+\$([\d,]+)$/gm)].map((m) => ({ label: m[2], saved: Number(m[3]!.replaceAll(',', '')) }));
    expect(listed.length).toBeGreaterThanOrEqual(3);
    listed.forEach((item, i) => {
      expect(item.label).toBe(ranked[i]!.label);
      expect(item.saved).toBe(Math.round(ranked[i]!.saved));
    });
    expect(text.stdout).toMatch(/^next: add --detail/m);
  });

  it('writes CSV with one row per figure', async () => {
    const result = await runCli(['scenario', '--stores', '50', '--format', 'csv']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('section,engine,item,stores,value,unit,formula,worked');
    expect(lines.some((line) => line.startsWith('monthly,all,total,50,'))).toBe(true);
  });

  it('applies --set decisions and reports them', async () => {
    const result = await runCli(['scenario', '--stores', '16', '--set', 'redisClusters=28', '--set', 'reservedCoverage=50%', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson<ScenarioJson & { decisions: Record<string, unknown> }>(result);
    expect(json.instances.redis).toBe(28);
    expect(json.decisions.reservedCoverage).toBe(0.5);
    // --set KEY=VALUE ...: several pairs after one --set give the same answer.
    const together = await runCli(['scenario', '--stores', '16', '--set', 'redisClusters=28', 'reservedCoverage=50%', '--format', 'json']);
    expect(together.code, together.stderr).toBe(0);
    expect(parseJson(together)).toEqual(json);
  });

  for (const [args, pattern] of [
    [['--set', 'redisClustrs=28'], /unknown key "redisClustrs"; use one of decisions: stores, .*redisClusters/],
    [['--set', 'reservedCoverage=2'], /"reservedCoverage" must be a number from 0 to 1 \(share\), not "2"/],
    [['--set', 'redisClusters=200'], /"redisClusters" must be a whole number from 1 to 78/],
    [['--stores', '5000'], /--stores 5000: "stores" must be a whole number from 1 to 1000/],
  ] as const) {
    it(`rejects ${args.join(' ')} with a one-line error and exit 1`, async () => {
      const result = await runCli(['scenario', ...args, '--format', 'json']);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
      expect(lines[0]).toContain('snapbench scenario --help');
    });
  }
});
