// `snapbench serve [--port N] [FILE]`: the browser host. Prints the URL with
// this launch's token as the first line on stdout, then serves the workbench UI
// and its API on 127.0.0.1 until SIGINT/SIGTERM.
//
// The desktop app runs the same host in its engine process
// (snapshots/host/engineProcess.ts), not through the CLI.
import { InvalidArgumentError, type Command } from 'commander';
import { timeoutOption } from '../guard.ts';

const actions = () => import('../../host/commands.ts');

function portOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('--port must be a whole number from 0 to 65535 (0 picks a free port)');
  return Number(value);
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('serve the workbench UI and its API on 127.0.0.1 for a browser; prints the URL (with its token) first')
    .argument('[file]', 'snapshot file to open at start')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', portOption, 0)
    .addOption(timeoutOption())
    .action(async (file: string | undefined, opts: { port: number; timeout: number }) => (await actions()).serve(file, opts));
}
