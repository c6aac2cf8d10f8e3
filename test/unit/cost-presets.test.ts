// The presets against report 07: the current state at 16 stores, the plan at
// 100 stores, the section-11 savings, and the Redis no-TTL projection. Each
// tolerance is the range the report itself gives, or ±20% around its "~" figures.
import { describe, expect, it } from 'vitest';
import { createScenarioSession, ENGINES, LINE_ITEMS, REPORT_DISCREPANCIES, type ScenarioResult } from '../../shared/cost/index.ts';

const session = createScenarioSession();
const current16 = session.evaluate('report-07', { stores: 16 });
const current100 = session.evaluate('report-07', { stores: 100 });
const plan16 = session.evaluate('report-07-plan', { stores: 16 });
const plan100 = session.evaluate('report-07-plan', { stores: 100 });

/** Saved against the current state at 16 stores when only these decisions change. */
function savedBy(decisions: Parameters<typeof session.evaluate>[1]): number {
  return current16.monthly.total - session.evaluate('report-07', { stores: 16, ...decisions }, { items: false, curve: false, savings: false }).monthly.total;
}

function expectAround(value: number, target: number, tolerance: number): void {
  expect(value).toBeGreaterThanOrEqual(target * (1 - tolerance));
  expect(value).toBeLessThanOrEqual(target * (1 + tolerance));
}

function cents(value: number): number {
  return Math.round(value * 100);
}

function expectSumsHold(result: ScenarioResult): void {
  const byEngine = ENGINES.reduce((n, engine) => n + cents(result.monthly.byEngine[engine]), 0);
  expect(byEngine).toBe(cents(result.monthly.total));
  for (const engine of ENGINES) {
    const lines = result.lineItems.filter((l) => l.engine === engine).reduce((n, l) => n + cents(l.monthly), 0);
    expect(lines).toBe(cents(result.monthly.byEngine[engine]));
  }
  expect(result.monthly.perStore).toBe(result.monthly.total / result.stores);
}

describe('preset report-07 (the fleet as the report found it)', () => {
  it('costs about $18,000 a month at 16 stores, $1,125 a store (report 10.1)', () => {
    expectAround(current16.monthly.total, 18_000, 0.05);
    expectAround(current16.monthly.perStore, 1_125, 0.05);
    expectSumsHold(current16);
  });

  it('keeps each engine inside the ranges of section 2, and the total inside sections 1 and 2', () => {
    const { mysql, redis, postgres } = current16.monthly.byEngine;
    expect(mysql).toBeGreaterThanOrEqual(8_000);
    expect(mysql).toBeLessThanOrEqual(15_000);
    expect(redis).toBeGreaterThanOrEqual(4_000);
    expect(redis).toBeLessThanOrEqual(7_000);
    expect(postgres).toBeGreaterThanOrEqual(500);
    expect(postgres).toBeLessThanOrEqual(1_000);
    expect(current16.monthly.total).toBeGreaterThanOrEqual(15_000);
    expect(current16.monthly.total).toBeLessThanOrEqual(23_000);
  });

  it('counts 62 MySQL, 78 Redis and 3 PostgreSQL instances', () => {
    expect(current16.instances).toEqual({ mysql: 62, redis: 78, postgres: 3 });
    expect(current16.fleet.measured).toEqual({ mysql: 62, redis: 78, postgres: 3 });
  });

  it('reproduces the utilisation tiers of report 4.2 in its fleet', () => {
    const utilisation = session.fleet.caches.map((c) => c.usedMib / c.allocatedMib);
    expect(utilisation.filter((u) => u > 0.2)).toHaveLength(2);
    expect(utilisation.filter((u) => u >= 0.05 && u <= 0.2)).toHaveLength(3);
    expect(utilisation.filter((u) => u >= 0.01 && u < 0.05)).toHaveLength(15);
    expect(utilisation.filter((u) => u < 0.01)).toHaveLength(58);
  });

  it('grows with stores but per store falls: $1,125 at 16 → less at 100, with bigger classes, not more servers (10.2)', () => {
    expect(current100.monthly.total).toBeGreaterThan(current16.monthly.total);
    expect(current100.monthly.perStore).toBeLessThan(current16.monthly.perStore);
    expect(current100.instances).toEqual({ mysql: 62, redis: 78, postgres: 3 });
    expect(current100.items.filter((i) => i.treatment === 'scaled-up').length).toBeGreaterThan(10);
    expectSumsHold(current100);
  });
});

describe('preset report-07-plan (the report\'s recommended decisions)', () => {
  it('is cheaper than report-07 at 16 stores', () => {
    expect(plan16.monthly.total).toBeLessThan(current16.monthly.total);
    expectSumsHold(plan16);
  });

  it('lands at $250–$400 a store at 100 stores (10.2)', () => {
    expect(plan100.monthly.perStore).toBeGreaterThanOrEqual(250);
    expect(plan100.monthly.perStore).toBeLessThanOrEqual(400);
    expect(plan100.monthly.total).toBeLessThan(current100.monthly.total);
    expectSumsHold(plan100);
  });

  it('leaves 25–30 Redis clusters (10.2, 10.4) and fewer MySQL instances', () => {
    for (const result of [plan16, plan100]) {
      expect(result.instances.redis).toBeGreaterThanOrEqual(25);
      expect(result.instances.redis).toBeLessThanOrEqual(30);
      expect(result.instances.mysql).toBeLessThan(62);
    }
  });

  it('sets the decisions of 10.4, 11 and 12', () => {
    const d = plan16.decisions;
    expect(d).toMatchObject({ ttlEnforcement: 1, mysqlRightSizing: 1, removeTestInstances: true, redisEngineUpgrade: true, archiveAfterDays: 90, serverlessShare: 1, analyticsReadReplicas: 5 });
    expect(d.reservedCoverage).toBeGreaterThan(0);
    expect(d.mysqlConsolidation).toBe(1);
  });

  it('explains every saving in a waterfall that adds up to the difference', () => {
    const steps = plan100.savings.steps;
    expect(cents(steps.reduce((n, s) => n + s.saved, 0))).toBe(cents(plan100.savings.baseline - plan100.monthly.total));
    expect(plan100.savings.baseline).toBe(current100.monthly.total);
    // Read replicas cost money: a negative saving, said so.
    const replicas = steps.find((s) => s.step === 'analyticsReadReplicas')!;
    expect(replicas.saved).toBeLessThan(0);
    expect(replicas.explanation.note).toBe('this decision adds cost');
  });
});

describe('section 11 savings, each alone against the current state at 16 stores', () => {
  it('11.1 immediate: ≈ $4,500 ($2,700 Redis + $1,500 right-sizing + $300 test instances)', () => {
    expectAround(savedBy({ immediateSavings: true }), 4_500, 0.1);
    expectAround(savedBy({ redisClusters: 28 }), 2_700, 0.2);
    expectAround(savedBy({ mysqlRightSizing: 1 }), 1_500, 0.2);
    expectAround(savedBy({ removeTestInstances: true }), 300, 0.2);
  });

  it('11.2 medium-term: ≈ $7,400 ($1,800 multi-tenant + $4,800 reserved + $800 Redis 7.x)', () => {
    expectAround(savedBy({ mediumTermSavings: true }), 7_400, 0.1);
    expectAround(savedBy({ mysqlConsolidation: 0.7 }), 1_800, 0.2);
    expectAround(savedBy({ reservedCoverage: 0.8, reservedTerm: '1yr', reservedPayment: 'all-upfront' }), 4_800, 0.2);
    expectAround(savedBy({ redisEngineUpgrade: true }), 800, 0.2);
  });

  it('11.3 long-term: inside $3,500–$6,000, serverless inside $1,000–$2,000', () => {
    const longTerm = savedBy({ longTermSavings: true });
    expect(longTerm).toBeGreaterThanOrEqual(3_500);
    expect(longTerm).toBeLessThanOrEqual(6_000);
    const serverless = savedBy({ serverlessShare: 1 });
    expect(serverless).toBeGreaterThanOrEqual(1_000);
    expect(serverless).toBeLessThanOrEqual(2_000);
  });

  it('follows the arithmetic where the report does not add up, and says so', () => {
    // Cold storage: archiving monitoring rows frees tens of dollars of storage, not $500–$1,000.
    expect(savedBy({ archiveAfterDays: 90 })).toBeLessThan(500);
    expect(current16.assumptions['report.coldStorage']!.note).toBe(REPORT_DISCREPANCIES.coldStorage);
    // 11.4's $15,400 would leave $2,600; applied together the savings overlap.
    const everything = session.evaluate('report-07', { immediateSavings: true, mediumTermSavings: true, longTermSavings: true }, { items: false });
    expect(current16.monthly.total - everything.monthly.total).toBeLessThan(15_400);
    expect(current16.sectionSavings.map((s) => s.toggle)).toEqual(['immediateSavings', 'mediumTermSavings', 'longTermSavings']);
  });
});

describe('the no-TTL marketing keys (report 10.3)', () => {
  it('projects 16M+ keys at 100 stores, ≈ 3.8 GiB for them and 8 GiB for the whole cluster', () => {
    const projection = current100.redisProjection;
    expect(projection.clusters).toEqual(['luckyus-isales-market']);
    expect(projection.withoutTtl.persistentKeys).toBeGreaterThanOrEqual(16_000_000);
    expect(projection.withoutTtl.persistentGib).toBeCloseTo(3.84, 1);
    expect(projection.withoutTtl.clusterUsedGib).toBeCloseTo(8, 1);
    expect(projection.explanation.note).toBe(REPORT_DISCREPANCIES.marketingMemory);
  });

  it('with TTLs, reclaims the keys of inactive users and stops their growth', () => {
    const projection = plan100.redisProjection;
    expect(projection.withTtl.ttlEnforcement).toBe(1);
    expect(projection.withTtl.persistentKeys).toBeLessThan(projection.withoutTtl.persistentKeys);
    expect(projection.withTtl.keysStopped).toBe(projection.withoutTtl.persistentKeys - projection.withTtl.persistentKeys);
    const market100 = (result: ScenarioResult) => result.items.find((i) => i.name === 'luckyus-isales-market')!;
    // At 100 stores the marketing cluster needs a smaller node with TTLs than without.
    const withoutTtl = session.evaluate('report-07-plan', { stores: 100, ttlEnforcement: 0 });
    expect(market100(plan100).monthly).toBeLessThan(market100(withoutTtl).monthly);
  });
});

describe('explanations', () => {
  it('attach a formula and worked figures to every output', () => {
    for (const line of current16.lineItems) {
      expect(line.explanation.formula.length).toBeGreaterThan(0);
      expect(line.explanation.worked).toContain('$');
    }
    expect(current16.explanations.total.worked).toContain('= $17,');
    expect(current16.lineItems).toHaveLength(ENGINES.length * LINE_ITEMS.length);
    expect(current16.items).toHaveLength(143);
    for (const item of current16.items) expect(item.why.length).toBeGreaterThan(10);
  });

  it('name the price catalogue with its date and sources', () => {
    expect(String(current16.assumptions.prices!.source)).toMatch(/20\d\d.*aws\.amazon\.com\/rds\/mysql\/pricing/);
  });
});
