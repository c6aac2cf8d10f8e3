// `snapbench scenario`: the cost model on the command line. The preset's fleet
// (or a snapshot's), the preset's decisions, then every --set on top; prints
// the breakdown with the explanation of every figure.
import { Option, type Command } from 'commander';
import {
  applySetting,
  ASSUMPTION_KEYS,
  DECISION_KEYS,
  DECISION_SPECS,
  DecisionError,
  describeRange,
  emptySettings,
  fleetLimits,
  reportFleet,
  parseDecisionValue,
  PRESET_NAMES,
  createScenarioSession,
  summarizeScenario,
  SCALAR_PRICE_KEYS,
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
import { scenarioCsv, scenarioSummaryText, scenarioTable } from '../../cost/format.ts';
import { CliError } from '../../errors.ts';
import { csvSafeOptions } from '../options.ts';
import { csvSafeFor, printText } from '../../terminal.ts';
import { TEXT_WIDTH, wrapLine } from '../../../shared/text/layout.ts';

interface ScenarioOptions {
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

const HINT = 'run "snapbench scenario --help" for every key and its range';

function keyHelp(): string {
  const lines = ['', 'Decisions (--set KEY=VALUE; shares may be written as 0.7 or 70%):'];
  const limits = fleetLimits(reportFleet());
  for (const key of DECISION_KEYS) {
    const limit = limits[key] !== undefined ? ` for the preset fleet (a snapshot's own count otherwise)` : '';
    lines.push(`  ${key.padEnd(24)} ${describeRange(key, limits[key])}${limit}: ${DECISION_SPECS[key].description}`);
  }
  lines.push('', 'Prices (--set price.KEY=VALUE, USD; instance and node prices per hour):');
  lines.push('  price.mysql.<db class>, price.postgres.<db class>, price.<cache class>');
  lines.push('  price.reserved.<rds|elasticache>.<1yr|3yr>.<no-upfront|partial-upfront|all-upfront>  (discount share)');
  lines.push(`  price.${SCALAR_PRICE_KEYS.join(', price.')}`);
  lines.push('', `Assumptions (--set assumption.KEY=VALUE): ${ASSUMPTION_KEYS.join(', ')}`);
  lines.push('', `Prices: ${US_EAST_1_PRICES.region}, ${US_EAST_1_PRICES.asOf}.`);
  return lines.flatMap((line) => wrapLine(line, TEXT_WIDTH, line.startsWith('  ') ? '      ' : '  ')).join('\n');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerScenarioCommands(program: Command): void {
  program
    .command('scenario')
    .description("model the fleet's monthly cost at N stores under decisions, with the reason for every figure")
    .addOption(new Option('--preset <name>', 'report-07 = as the report found it; report-07-plan = its recommended decisions').choices([...PRESET_NAMES]).default('report-07'))
    .option('--stores <n>', 'store count, 1 to 1000 (default 16)')
    .option('--set <key=value>', 'a decision, price.<key> or assumption.<key>; repeatable', collect, [])
    .option('--snapshot <file>', 'take the fleet from a snapshot (its instance classes, Redis utilisation, data sizes and query rates)')
    .option('--series <files...>', 'measure growth from snapshots of one fleet (3 or more over 7 or more days): it replaces the preset\'s growth per category; the fleet is the latest of them unless --snapshot is given')
    .option('--detail', 'text: the audit trail instead of the summary (every line item with its formula, the savings step by step, the curve, the largest items)')
    .option('--items <n>', '--detail: how many of the largest items to list with their reasons', '12')
    .addOption(
      new Option('--format <format>', 'table (or text): the summary (today, N stores as is, N stores with the decisions, the savings ranked), or with --detail the audit trail; json | csv: every figure')
        .choices(['table', 'text', 'json', 'csv'])
        .default('table'),
    )
    .addOption(csvSafeOptions()[0]!)
    .addOption(csvSafeOptions()[1]!)
    .addHelpText('after', keyHelp())
    .action(async (opts: ScenarioOptions) => {
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
    });
}
