// What the command line says around its commands: examples in the top-level
// help, and a command's own usage when its arguments are wrong (instead of
// pointing at "snapbench help"). Every help text fits 80 columns.
import type { Command } from 'commander';
import { TEXT_WIDTH, wrapLine } from '../../shared/text/layout.ts';

export const EXAMPLES = `
Examples:
  snapbench demo --out demo.snapbench        a snapshot of the reference fleet,
                                             without any server
  snapbench verify demo.snapbench            check every hash
  snapbench dq demo.snapbench                the data-quality checks (report-07)
  snapbench scenario --snapshot demo.snapbench --stores 100
                                             what the fleet costs at 100 stores
  snapbench tables demo.snapbench            its tables and their SQL names
  snapbench query demo.snapbench \\
    'SELECT count(*) FROM "aws-luckyus-opshop-rw/luckyus_op_shop/t_shop_info"'
  snapbench serve demo.snapbench             the workbench in a browser
  snapbench pull --fleet fleet.yaml --out fleet.snapbench --progress
                                             a snapshot of your own fleet

"snapbench COMMAND --help" shows a command's options.`;

/** The full name of a command ("snapbench dq history"). */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * After an argument error, each command prints its own usage line and where
 * its options are explained; applied to every command of the program.
 */
export function showUsageOnErrors(program: Command): void {
  const visit = (command: Command) => {
    const path = commandPath(command);
    const usage = wrapLine(`usage: ${path} ${command.usage()}`, TEXT_WIDTH, '         ').join('\n');
    command.showHelpAfterError(`${usage}\n(run "${path} --help" for ${command.parent ? 'its options' : 'the commands'})`);
    for (const sub of command.commands) visit(sub);
  };
  visit(program);
}

/**
 * Wraps the text of `--help` at 80 columns (commander wraps its own part; this
 * does the texts added after it): a line laid out as "  term   description"
 * continues under its description, any other line under its own indent + 2.
 */
export function helpText(text: string): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const lead = /^ */.exec(line)![0].length;
      const column = /^( +\S+ {2,})\S/.exec(line)?.[1]?.length ?? (lead >= 8 ? lead : lead + 2);
      return wrapLine(line, TEXT_WIDTH, ' '.repeat(Math.min(40, column)));
    })
    .join('\n');
}
