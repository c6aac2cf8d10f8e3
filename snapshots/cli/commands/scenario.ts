// `snapbench scenario`: the cost model on the command line. The preset's fleet
// (or a snapshot's), the preset's decisions, then every --set on top; prints
// the breakdown with the explanation of every figure.
import { Option, type Command } from 'commander';
import { csvSafeOptions } from '../options.ts';
import { TEXT_WIDTH, wrapLine } from '../../../shared/text/layout.ts';
import type { ScenarioOptions } from '../actions/scenario.ts';

/** The cost model, which the command's help and --preset choices quote: loaded (cli/preload.ts) only when scenario is the command. */
export type CostModel = typeof import('../../../shared/cost/index.ts');

function keyHelp({ fleetLimits, reportFleet, DECISION_KEYS, describeRange, DECISION_SPECS, SCALAR_PRICE_KEYS, ASSUMPTION_KEYS, US_EAST_1_PRICES }: CostModel): string {
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

/**
 * Without the cost model (another command runs, or the top-level help), the
 * command is defined with the same options for the list of commands, without
 * its --preset choices and its key help, which only its own parse and help use.
 */
export function registerScenarioCommands(program: Command, model: CostModel | null): void {
  const preset = new Option('--preset <name>', 'report-07 = as the report found it; report-07-plan = its recommended decisions');
  if (model) preset.choices([...model.PRESET_NAMES]);
  const command = program
    .command('scenario')
    .description("model the fleet's monthly cost at N stores under decisions, with the reason for every figure")
    .addOption(preset.default('report-07'))
    .option('--stores <n>', 'store count, 1 to 1000 (default 16)')
    .option('--set <key=value...>', 'decisions, price.<key> or assumption.<key>: --set a=1 b=2, or --set repeated', collect, [])
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
    .action(async (opts: ScenarioOptions) => (await import('../actions/scenario.ts')).runScenario(opts));
  if (model) command.addHelpText('after', keyHelp(model));
}
