// The executive's answer in three figures: what the fleet costs today, at N
// stores as it is, and at N stores with the chosen decisions (each per month
// and per store), and the savings that make the difference, largest first.
// The CLI's default text and the UI's summary card both come from here, and
// every figure is the `monthly` of a `scenario --format json` run:
//   today  = --preset report-07 --stores <measured stores>
//   as is  = --preset report-07 --stores N   (same orders per store)
//   chosen = --preset P --stores N [--set ...]
import type { DecisionSettings } from './decisions.ts';
import type { PresetName } from './presets.ts';
import type { ScenarioOptions, ScenarioResult } from './scenario.ts';

export interface SummaryFigure {
  /** What the figure is, in words: "today (16 stores)". */
  label: string;
  /** The `scenario` run that gives it. */
  preset: PresetName;
  stores: number;
  /** USD per month, as `monthly.total`. */
  total: number;
  /** USD per store per month, as `monthly.perStore`. */
  perStore: number;
}

export interface SummarySaving {
  step: string;
  label: string;
  /** USD per month; positive saves, negative adds cost. */
  saved: number;
}

export interface ScenarioSummary {
  preset: PresetName;
  fleetSource: string;
  measuredStores: number;
  today: SummaryFigure;
  asIs: SummaryFigure;
  chosen: SummaryFigure;
  /** asIs.total − chosen.total. */
  saved: number;
  /** Decisions that save money, largest first (each measured after the ones before it, so they add up to the difference). */
  savings: SummarySaving[];
  /** Decisions that add cost (read replicas), largest first. */
  costs: SummarySaving[];
  /** The report's target band per store at 100 stores (10.2), and whether the chosen figure is in it. */
  target: { from: number; to: number; stores: number; within: boolean };
}

/** The report's 100-store target, USD per store per month (10.2: "$250–$400"). */
export const TARGET_PER_STORE = { from: 250, to: 400, stores: 100 } as const;

type Evaluate = (preset: PresetName, decisions: DecisionSettings, options?: ScenarioOptions) => ScenarioResult;

const FAST: ScenarioOptions = { items: false, curve: false, savings: false };

function figure(label: string, preset: PresetName, result: ScenarioResult): SummaryFigure {
  return { label, preset, stores: result.stores, total: result.monthly.total, perStore: result.monthly.perStore };
}

function stores(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'store' : 'stores'}`;
}

/** True when the decisions are the plan preset's own (only the scale changed). */
function planAsIs(preset: PresetName, decisions: DecisionSettings): boolean {
  return preset === 'report-07-plan' && Object.keys(decisions).every((key) => key === 'stores' || key === 'ordersPerStorePerDay');
}

/**
 * The three figures and the ranked savings for a preset with the user's
 * decisions. `chosen` may be passed when it was evaluated already (with savings).
 */
export function summarizeScenario(evaluate: Evaluate, preset: PresetName, decisions: DecisionSettings, chosen?: ScenarioResult): ScenarioSummary {
  const result = chosen && chosen.savings.steps.length > 0 ? chosen : evaluate(preset, decisions, { items: false, curve: false });
  const measuredStores = result.fleet.measuredStores;
  const today = evaluate('report-07', { stores: measuredStores }, FAST);
  const asIs = evaluate('report-07', { stores: result.stores, ordersPerStorePerDay: result.decisions.ordersPerStorePerDay }, FAST);
  const cents = (n: number) => Math.round(n * 100);
  const steps = result.savings.steps.map((s) => ({ step: s.step, label: s.label, saved: s.saved })).filter((s) => cents(s.saved) !== 0);
  return {
    preset,
    fleetSource: result.fleet.source,
    measuredStores,
    today: figure(`today (${stores(measuredStores)})`, 'report-07', today),
    asIs: figure(`${stores(result.stores)} as is`, 'report-07', asIs),
    chosen: figure(`${stores(result.stores)} with ${planAsIs(preset, decisions) ? "the report's plan" : 'the chosen decisions'}`, preset, result),
    saved: (cents(asIs.monthly.total) - cents(result.monthly.total)) / 100,
    savings: steps.filter((s) => s.saved > 0).sort((a, b) => b.saved - a.saved),
    costs: steps.filter((s) => s.saved < 0).sort((a, b) => a.saved - b.saved),
    target: { ...TARGET_PER_STORE, within: result.monthly.perStore >= TARGET_PER_STORE.from && result.monthly.perStore <= TARGET_PER_STORE.to },
  };
}
