// Properties of the cost model over random decisions (fast-check): the sums
// hold, reserved coverage only lowers cost, consolidation never provisions less
// memory than used memory plus headroom, and cost never falls as stores grow.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createScenarioSession,
  DECISION_KEYS,
  DECISION_SPECS,
  ENGINES,
  fleetCost,
  fleetLimits,
  PRESETS,
  resolveDecisions,
  roundCost,
  type DecisionSettings,
  type Decisions,
  type PresetName,
} from '../../shared/cost/index.ts';

const session = createScenarioSession();
const limits = fleetLimits(session.fleet);

/** Any decision within its range (and within this fleet's limits); toggles included. */
function decisionArbitrary(): fc.Arbitrary<DecisionSettings> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const key of DECISION_KEYS) {
    const spec = DECISION_SPECS[key];
    if (spec.kind === 'boolean') fields[key] = fc.boolean();
    else if (spec.kind === 'choice') fields[key] = fc.constantFrom(...spec.choices);
    else {
      const max = limits[key] ?? spec.max;
      fields[key] = spec.integer ? fc.integer({ min: spec.min, max }) : fc.double({ min: spec.min, max, noNaN: true });
    }
  }
  return fc.record(fields, { requiredKeys: [] }) as fc.Arbitrary<DecisionSettings>;
}

const presetArbitrary = fc.constantFrom<PresetName>('report-07', 'report-07-plan');

function resolve(preset: PresetName, settings: DecisionSettings): Decisions {
  return resolveDecisions(session.fleet, PRESETS[preset], settings);
}

function totalCents(decisions: Decisions): number {
  return roundCost(fleetCost(session.model, decisions)).total;
}

describe('cost model properties', () => {
  it('totals are finite and non-negative, and every part sums to its whole', () => {
    fc.assert(
      fc.property(presetArbitrary, decisionArbitrary(), (preset, settings) => {
        const result = session.evaluate(preset, settings, { curve: false, savings: false });
        const { total, perStore, byEngine } = result.monthly;
        expect(Number.isFinite(total) && total >= 0).toBe(true);
        expect(Number.isFinite(perStore) && perStore >= 0).toBe(true);
        const cents = (value: number) => Math.round(value * 100);
        expect(ENGINES.reduce((n, engine) => n + cents(byEngine[engine]), 0)).toBe(cents(total));
        for (const engine of ENGINES) {
          expect(byEngine[engine]).toBeGreaterThanOrEqual(0);
          const lines = result.lineItems.filter((l) => l.engine === engine);
          for (const line of lines) expect(line.monthly).toBeGreaterThanOrEqual(0);
          expect(lines.reduce((n, l) => n + cents(l.monthly), 0)).toBe(cents(byEngine[engine]));
        }
        expect(perStore).toBe(total / result.stores);
        // Money is whole cents as printed.
        expect(cents(total) / 100).toBe(total);
      }),
      { numRuns: 200 },
    );
  });

  it('more reserved coverage never raises cost', () => {
    fc.assert(
      fc.property(presetArbitrary, decisionArbitrary(), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (preset, settings, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(totalCents(resolve(preset, { ...settings, reservedCoverage: high }))).toBeLessThanOrEqual(totalCents(resolve(preset, { ...settings, reservedCoverage: low })));
      }),
      { numRuns: 300 },
    );
  });

  it('consolidating to fewer clusters never provisions less than used memory plus headroom', () => {
    const headroom = 1 + session.assumptions.redisHeadroom;
    const measuredUsed = session.fleet.caches.reduce((n, c) => n + c.usedMib, 0);
    fc.assert(
      fc.property(presetArbitrary, decisionArbitrary(), fc.integer({ min: 1, max: session.fleet.caches.length }), (preset, settings, clusters) => {
        const decisions = resolve(preset, { ...settings, redisClusters: clusters });
        const memory = fleetCost(session.model, decisions).redisMemory;
        expect(memory.provisionedMib).toBeGreaterThanOrEqual(memory.requiredMib - 1e-6);
        expect(memory.requiredMib).toBeCloseTo(memory.usedMib * headroom, 6);
        // At the measured store count and order rate, without TTLs, "used" is what was measured.
        const asMeasured = resolve(preset, { ...settings, redisClusters: clusters, stores: 16, ordersPerStorePerDay: 172, ttlEnforcement: 0 });
        const measured = fleetCost(session.model, asMeasured).redisMemory;
        expect(measured.provisionedMib).toBeGreaterThanOrEqual(measuredUsed * headroom - 1e-6);
      }),
      { numRuns: 300 },
    );
  });

  it('total cost never falls as the store count grows', () => {
    fc.assert(
      fc.property(presetArbitrary, decisionArbitrary(), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (preset, settings, a, b) => {
        const [fewer, more] = a <= b ? [a, b] : [b, a];
        expect(totalCents(resolve(preset, { ...settings, stores: more }))).toBeGreaterThanOrEqual(totalCents(resolve(preset, { ...settings, stores: fewer })));
      }),
      { numRuns: 500 },
    );
  });

  it('the cost curve of any scenario never falls', () => {
    fc.assert(
      fc.property(presetArbitrary, decisionArbitrary(), (preset, settings) => {
        const curve = session.evaluate(preset, settings, { items: false, savings: false }).curve;
        for (let i = 1; i < curve.length; i++) expect(curve[i]!.total).toBeGreaterThanOrEqual(curve[i - 1]!.total);
      }),
      { numRuns: 50 },
    );
  });

  it('per store, 100 and 200 stores cost less than 16 for both presets', () => {
    for (const preset of ['report-07', 'report-07-plan'] as const) {
      const at = (stores: number) => session.evaluate(preset, { stores }, { items: false, curve: false, savings: false }).monthly.perStore;
      expect(at(100)).toBeLessThan(at(16));
      expect(at(200)).toBeLessThan(at(16));
    }
  });
});

describe('replicas the fleet already runs', () => {
  it('cost their primary\'s class each, on the engine\'s replicas line, and nothing else changes', async () => {
    const { createCostModel, defaultAssumptions, US_EAST_1_PRICES } = await import('../../shared/cost/index.ts');
    const decisions = resolve('report-07', {});
    const postgres = session.fleet.databases.find((d) => d.engine === 'postgres')!;
    const withReplica = { ...session.fleet, databases: session.fleet.databases.map((d) => (d === postgres ? { ...d, replicas: 1 } : d)) };
    const before = fleetCost(createCostModel(session.fleet, US_EAST_1_PRICES, defaultAssumptions()), decisions);
    const after = fleetCost(createCostModel(withReplica, US_EAST_1_PRICES, defaultAssumptions()), decisions);
    expect(before.lines.postgres.replicas).toBe(0);
    const hourly = US_EAST_1_PRICES.database[postgres.instanceClass]!.hourly.postgres;
    expect(after.onDemand.postgres.replicas).toBeCloseTo(hourly * 730, 6);
    expect(after.lines.postgres.replicas).toBeGreaterThan(0);
    expect(after.counts.postgresReplicas).toBe(1);
    expect(after.lines.postgres.compute).toBe(before.lines.postgres.compute);
    expect(after.lines.mysql).toEqual(before.lines.mysql);
  });
});
