// `snapbench scenario`: the action (its options are in ../commands/scenario.ts),
// loaded when the command runs.
import {
  applySetting,
  DecisionError,
  emptySettings,
  parseDecisionValue,
  createScenarioSession,
  summarizeScenario,
  US_EAST_1_PRICES,
  CostModelError,
  type PresetName,
  type CostFleet,
  type AssumptionKey,
} from '../../../shared/cost/index.ts';
import { annotateMeasuredGrowth, measuredGrowthAssumptions } from '../../../shared/series/applyGrowth.ts';
import type { MeasuredGrowth } from '../../../shared/series/growth.ts';
import { SnapshotFileError } from '../../file/reader.ts';
import { costFleetFromSnapshot } from '../../cost/snapshotFleet.ts';
import { manifestWarningForFile } from '../../file/manifestCheck.ts';
import { scenarioCsv, scenarioSummaryText, scenarioTable } from '../../cost/format.ts';
import { CliError } from '../../errors.ts';
import { csvSafeFor, printText } from '../../terminal.ts';

const HINT = 'run "snapbench scenario --help" for every key and its range';

export interface ScenarioOptions {
  preset: PresetName;
  stores?: string;
  set: string[];
  snapshot?: string;
  series?: string[];
  format: 'table' | 'text' | 'json' | 'csv';
  detail?: boolean;
  items: string;
  csvSafe?: boolean;
}

export async function runScenario(opts: ScenarioOptions): Promise<void> {
  const settings = emptySettings();
  try {
    for (const text of opts.set) applySetting(settings, text, US_EAST_1_PRICES);
    if (opts.stores !== undefined) {
      try {
        settings.decisions.stores = parseDecisionValue('stores', opts.stores) as number;
      } catch (error) {
        throw new DecisionError(`--stores ${opts.stores}: ${(error as Error).message}`);
      }
    }
  } catch (error) {
    if (error instanceof DecisionError) throw new CliError(error.message, HINT);
    throw error;
  }
  const items = Number(opts.items);
  if (!Number.isInteger(items) || items < 0) throw new CliError(`--items ${opts.items}: must be a whole number of 0 or more`, HINT);
  let measured: MeasuredGrowth | null = null;
  let latest: string | undefined;
  if (opts.series) {
    const { buildSeries, SeriesError } = await import('../../series/build.ts');
    try {
      const view = buildSeries(opts.series, { computeDq: false });
      measured = view.measured;
      latest = view.snapshots[view.snapshots.length - 1]!.file;
    } catch (error) {
      if (error instanceof SeriesError || error instanceof SnapshotFileError) throw new CliError(`--series ${error.message}`, error.hint);
      throw error;
    }
  }
  // Elasticities set by hand win over the measured ones.
  const overridden = Object.keys(settings.assumptions) as AssumptionKey[];
  if (measured) settings.assumptions = { ...measuredGrowthAssumptions(measured), ...settings.assumptions };
  let fleet: CostFleet | undefined;
  const fleetFile = opts.snapshot ?? latest;
  if (fleetFile) {
    const warning = manifestWarningForFile(fleetFile);
    if (warning) process.stderr.write(`snapbench scenario: ${warning}\n`);
    try {
      fleet = costFleetFromSnapshot(fleetFile);
    } catch (error) {
      if (error instanceof SnapshotFileError) throw new CliError(`${opts.snapshot ? '--snapshot' : '--series'} ${error.message}`, error.hint);
      throw error;
    }
  }
  let result;
  let session;
  try {
    session = createScenarioSession({ fleet, prices: settings.prices, assumptions: settings.assumptions });
    result = session.evaluate(opts.preset, settings.decisions);
    if (measured) {
      result = annotateMeasuredGrowth(result, measured, overridden);
      process.stderr.write(`scenario: growth ${measured.usable ? measured.label : `from the preset: ${measured.reason}`}\n`);
    }
  } catch (error) {
    if (error instanceof DecisionError) {
      // A range that depends on the fleet: name the --set (or --stores) that gave the value.
      const key = /^"(\w+)"/.exec(error.message)?.[1];
      const given = opts.set.find((text) => text.trim().startsWith(`${key}=`));
      throw new CliError(`${given ? `--set ${given}: ` : ''}${error.message}`, HINT);
    }
    if (error instanceof CostModelError) throw new CliError(`--snapshot ${opts.snapshot ?? ''}: ${error.message}`, 'set the instance_class of those instances in the fleet manifest');
    throw error;
  }
  if (opts.format === 'json') process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else if (opts.format === 'csv') process.stdout.write(scenarioCsv(result, csvSafeFor(opts.csvSafe)));
  else if (opts.detail) printText(process.stdout, scenarioTable(result, { items }));
  else {
    const summary = summarizeScenario((preset, decisions, options) => session.evaluate(preset, decisions, options), opts.preset, settings.decisions, result);
    printText(process.stdout, scenarioSummaryText(summary, 'add --detail for every figure with its formula, or --format json for the data'));
  }
}
