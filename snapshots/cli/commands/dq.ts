// `snapbench dq` (run a rule pack on a snapshot, keep the results in it),
// `dq history`, `dq evidence`, `dq pack`, and `snapbench diff`. The engine is
// loaded only when one of them runs, so other commands do not pay for it.
import { Option, type Command } from 'commander';
import { REPORT_FORMATS } from '../../dq/formats.ts';
import { CliError } from '../../errors.ts';
import { EXIT_DQ_FINDINGS } from '../../exitCodes.ts';
import { csvSafeOptions } from '../options.ts';
import { csvSafeFor } from '../../terminal.ts';
import { existsSync } from 'node:fs';
import { timeoutOption, watchStatements } from '../guard.ts';

const actions = () => import('../../dq/commands.ts');

/** True when --pack names a file (a pack someone wrote) rather than a built-in pack. */
function userPack(pack: string | undefined): boolean {
  return pack !== undefined && existsSync(pack);
}

export function registerDqCommands(program: Command): void {
  const dq = program
    .command('dq')
    .description('run a data-quality rule pack on a snapshot, offline, and keep the results in it')
    .argument('[file]', 'snapshot file (not with --pushdown)')
    .option('--pack <pack>', 'YAML rule pack, or a built-in pack name (default report-07)')
    .option('--fleet <fleet>', 'with --pushdown: the fleet manifest whose servers run the checks')
    .option('--pushdown', 'run the checks on the servers, read-only, and write a snapshot without data tables holding the run to --out')
    .option('--only <names>', 'with --pushdown: comma-separated instance names')
    .addOption(new Option('--format <format>', 'report format (default: from the --out extension, else text)').choices([...REPORT_FORMATS]))
    .option('--out <report>', 'write the report to this file instead of stdout')
    .option('--no-store', 'do not keep the results in the snapshot file')
    .addOption(new Option('--fail-on <level>', `exit ${EXIT_DQ_FINDINGS} when a rule ends at this level or worse (errors count as fail)`).choices(['warn', 'fail']))
    .option('--timings', 'print per-rule and per-table timings on stderr')
    .addOption(csvSafeOptions()[0]!)
    .addOption(csvSafeOptions()[1]!)
    .addOption(timeoutOption())
    .action(async (file: string | undefined, opts: { pack?: string; format?: string; out?: string; store: boolean; failOn?: 'warn' | 'fail'; timings?: boolean; csvSafe?: boolean; fleet?: string; pushdown?: boolean; only?: string; timeout: number }) => {
      if (opts.pushdown || opts.fleet) {
        if (!opts.pushdown) throw new CliError('dq --fleet: checks on the servers need --pushdown', 'add --pushdown, or pull the fleet and run dq on the snapshot');
        if (file) throw new CliError(`dq --pushdown: give --fleet, not a snapshot file (${file})`, 'dq --fleet FLEET.yaml --pack PACK --pushdown --out FILE');
        if (!opts.fleet || !opts.out) throw new CliError('dq --pushdown: needs --fleet FLEET.yaml and --out FILE (the snapshot that holds the run)', 'dq --fleet FLEET.yaml --pack PACK --pushdown --out FILE');
        return (await import('./dqPushdown.ts')).runDqPushdown({ ...opts, fleet: opts.fleet, out: opts.out });
      }
      if (!file) throw new CliError('dq: give a snapshot file, or --fleet FLEET.yaml --pushdown', 'snapbench dq FILE --format json');
      // A pack from a file brings its own SQL: it runs in child processes, and a rule whose statement runs past
      // --timeout is stopped alone (an error), while the others run and the run is stored (dq/guarded.ts).
      // Built-in packs hold only Snapbench's own SQL, which ends (regexes under RE2): they run here, unguarded.
      const guardSeconds = userPack(opts.pack) ? opts.timeout : 0;
      // Its worker process starts now, while this one loads the engine and reads the file and the pack.
      const guardWorker = guardSeconds > 0 ? (await import('../../dq/guarded.ts')).startDqWorker() : undefined;
      return (await actions()).runDq(file, { ...opts, guardSeconds, guardWorker });
    });

  // The parent's options are read anywhere on the command line (the root program does not use
  // positional options), so subcommands share its --format and --pack instead of declaring their own.
  const shared = (command: Command, formats: readonly string[], fallback: string) => {
    const all = command.optsWithGlobals() as { format?: string; pack?: string; csvSafe?: boolean };
    const format = all.format ?? fallback;
    if (!formats.includes(format)) throw new CliError(`dq ${command.name()}: --format must be one of ${formats.join(', ')}`);
    return { format, pack: all.pack, csvSafe: all.csvSafe };
  };

  dq.command('history')
    .description('list the DQ runs stored in a snapshot (--format text | json)')
    .argument('<file>', 'snapshot file')
    .option('--rule <id>', "one rule's status and count per run")
    .action(async function (this: Command, file: string, opts: { rule?: string }) {
      (await actions()).dqHistory(file, { ...opts, format: shared(this, ['text', 'json'], 'text').format });
    });

  dq.command('evidence')
    .description('list every offending row of one rule: its evidence query, run with the dq functions (--format json | csv)')
    .argument('<file>', 'snapshot file')
    .argument('<rule>', 'rule id, e.g. DQ-002')
    .option('--run <n>', 'a stored run (default: the latest; without any, or with --pack, the pack is run now)')
    .action(async function (this: Command, file: string, ruleId: string, opts: { run?: string }) {
      const { timeout } = this.optsWithGlobals() as { timeout: number };
      // Evidence queries may come from a run stored in the file: a statement past --timeout ends the command.
      await watchStatements(timeout, 'dq evidence');
      const { format, pack, csvSafe } = shared(this, ['json', 'csv'], 'json');
      (await actions()).dqEvidence(file, ruleId, { ...opts, pack, format: format as 'json' | 'csv', csvSafe: csvSafeFor(csvSafe) });
    });

  dq.command('pack')
    .description('print the built-in report-07 pack as YAML (a starting point for your own)')
    .action(async () => (await actions()).printBuiltInPack());

  program
    .command('diff')
    .description('what changed between two snapshots: schema, row counts, DQ findings')
    .argument('<a>', 'the earlier snapshot file')
    .argument('<b>', 'the later snapshot file')
    .option('--pack <pack>', 'run this pack on both files now instead of using their stored runs')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (a: string, b: string, opts: { pack?: string; format: string }) => (await actions()).dqDiff(a, b, opts));
}
