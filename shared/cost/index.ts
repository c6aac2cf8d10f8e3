// The cost scenario model's public face: what the CLI and the UI call. A
// session holds the prepared model for one fleet, prices and assumptions, so a
// slider move only re-runs the arithmetic.
import { defaultAssumptions, type Assumptions } from './assumptions.ts';
import type { DecisionSettings } from './decisions.ts';
import type { CostFleet } from './fleet.ts';
import { createCostModel, type CostModel } from './model.ts';
import { applyPriceOverrides, US_EAST_1_PRICES, type PriceCatalogue, type PriceOverride } from './prices.ts';
import { PRESETS, resolveDecisions, type PresetName } from './presets.ts';
import { reportFleet } from './referenceFleet.ts';
import { evaluateWithModel, type ScenarioOptions, type ScenarioResult } from './scenario.ts';
import { emptySettings, type ScenarioSettings } from './settings.ts';

export * from './assumptions.ts';
export * from './decisions.ts';
export * from './fleet.ts';
export * from './fleetDifferences.ts';
export * from './model.ts';
export * from './money.ts';
export * from './prices.ts';
export * from './presets.ts';
export * from './referenceFleet.ts';
export * from './scenario.ts';
export * from './settings.ts';
export * from './summary.ts';

export interface ScenarioSession {
  fleet: CostFleet;
  prices: PriceCatalogue;
  assumptions: Assumptions;
  model: CostModel;
  /** Evaluates a preset with the user's decisions on top; instant after the first call. */
  evaluate(preset: PresetName, decisions?: DecisionSettings, options?: ScenarioOptions): ScenarioResult;
}

/** Prepares the model for one fleet (the preset's unless given), price overrides and assumption overrides. */
export function createScenarioSession(
  options: { fleet?: CostFleet; prices?: readonly PriceOverride[]; assumptions?: Partial<Assumptions> } = {},
): ScenarioSession {
  const fleet = options.fleet ?? reportFleet();
  const prices = applyPriceOverrides(US_EAST_1_PRICES, options.prices ?? []);
  const assumptions: Assumptions = { ...defaultAssumptions(), measuredStores: fleet.measuredStores, ...options.assumptions };
  const model = createCostModel(fleet, prices, assumptions);
  return {
    fleet,
    prices,
    assumptions,
    model,
    evaluate(presetName, decisions = {}, evaluateOptions = {}) {
      const preset = PRESETS[presetName];
      return evaluateWithModel(
        model,
        { preset: presetName, fleet, prices, assumptions, decisions: resolveDecisions(fleet, preset, decisions), decisionSources: preset.sources },
        evaluateOptions,
      );
    },
  };
}

/** One scenario from scratch: the CLI's path. */
export function runScenario(request: { preset?: PresetName; fleet?: CostFleet; settings?: ScenarioSettings; options?: ScenarioOptions } = {}): ScenarioResult {
  const settings = request.settings ?? emptySettings();
  const session = createScenarioSession({ fleet: request.fleet, prices: settings.prices, assumptions: settings.assumptions });
  return session.evaluate(request.preset ?? 'report-07', settings.decisions, request.options);
}
