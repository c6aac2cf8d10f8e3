// Growth measured from a series of snapshots, applied to a cost scenario: the
// measured elasticities replace the preset's growth assumptions per category,
// and every "why this number" says so (or says why the preset was kept).
import { ASSUMPTION_SPECS, ELASTICITY_KEY, type AssumptionKey, type Assumptions } from '../cost/assumptions.ts';
import type { Explanation, ScenarioResult } from '../cost/scenario.ts';
import type { MeasuredGrowth } from './growth.ts';

/** The assumption overrides a measured series gives: one elasticity per measured category, within the assumption's range. */
export function measuredGrowthAssumptions(measured: MeasuredGrowth): Partial<Assumptions> {
  const out: Partial<Assumptions> = {};
  if (!measured.usable) return out;
  for (const c of measured.categories) {
    if (c.elasticity === null) continue;
    const key = ELASTICITY_KEY[c.category];
    const spec = ASSUMPTION_SPECS[key];
    out[key] = Math.min(spec.max, Math.max(spec.min, c.elasticity));
  }
  return out;
}

/** One line for every explanation: where the growth comes from. */
export function growthNote(measured: MeasuredGrowth, overridden: readonly AssumptionKey[] = []): string {
  if (!measured.usable) return `Growth: the preset's assumptions (report 10.2), not measured: ${measured.reason}.`;
  const parts = measured.categories.map((c) => {
    const key = ELASTICITY_KEY[c.category];
    if (overridden.includes(key)) return `${c.category} set by hand`;
    if (c.elasticity === null) return `${c.category} the preset's (${c.reason})`;
    const spec = ASSUMPTION_SPECS[key];
    const clamped = Math.min(spec.max, Math.max(spec.min, c.elasticity));
    return `${c.category} ${clamped.toFixed(2)}${clamped !== c.elasticity ? ` (measured ${c.elasticity.toFixed(2)}, kept within ${spec.min}–${spec.max})` : ''}`;
  });
  return `Growth ${measured.label}: elasticity with stores ${parts.join(', ')}.`;
}

function withNote(e: Explanation, note: string): Explanation {
  return { ...e, note: e.note ? `${e.note} ${note}` : note };
}

/**
 * The scenario with the growth note in every explanation and item, and the
 * elasticity assumptions' sources naming the series. `overridden` lists the
 * assumptions the user set by hand (they win over the measured ones).
 */
export function annotateMeasuredGrowth(result: ScenarioResult, measured: MeasuredGrowth, overridden: readonly AssumptionKey[] = []): ScenarioResult {
  const note = growthNote(measured, overridden);
  const assumptions = { ...result.assumptions };
  for (const c of measured.categories) {
    const key = ELASTICITY_KEY[c.category];
    const record = assumptions[key];
    if (!record || overridden.includes(key)) continue;
    if (measured.usable && c.elasticity !== null) {
      assumptions[key] = { ...record, source: `${measured.label}: ${c.category} records ${c.first} → ${c.last} over ${c.points} snapshots, least squares of ln(records) on ln(stores)`, note: `replaces the preset's ${ASSUMPTION_SPECS[key].value} (${ASSUMPTION_SPECS[key].source})` };
    } else {
      assumptions[key] = { ...record, note: `${record.note ? `${record.note} ` : ''}Kept from the preset: ${c.reason ?? measured.reason}.` };
    }
  }
  assumptions.growth = { value: measured.usable ? measured.label : "the preset's", source: note };
  const explanations = result.explanations;
  return {
    ...result,
    assumptions,
    explanations: {
      total: withNote(explanations.total, note),
      perStore: withNote(explanations.perStore, note),
      byEngine: Object.fromEntries(Object.entries(explanations.byEngine).map(([k, e]) => [k, withNote(e, note)])) as ScenarioResult['explanations']['byEngine'],
      instances: Object.fromEntries(Object.entries(explanations.instances).map(([k, e]) => [k, withNote(e, note)])) as ScenarioResult['explanations']['instances'],
    },
    lineItems: result.lineItems.map((l) => ({ ...l, explanation: withNote(l.explanation, note) })),
    savings: { ...result.savings, steps: result.savings.steps.map((s) => ({ ...s, explanation: withNote(s.explanation, note) })) },
    sectionSavings: result.sectionSavings.map((s) => ({ ...s, note: `${s.note} ${note}` })),
    redisProjection: { ...result.redisProjection, explanation: withNote(result.redisProjection.explanation, note) },
    items: result.items.map((i) => ({ ...i, why: `${i.why}. ${note}` })),
    fleet: { ...result.fleet, notes: [...result.fleet.notes, note] },
  };
}
