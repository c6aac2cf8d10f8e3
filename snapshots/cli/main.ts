// The `snapbench` command line. Every command: exit 0 on success, non-zero with
// one line on stderr that names the problem and what to do; no stack trace
// unless --debug. JSON goes to stdout alone; progress goes to stderr.
//
// Building the command line loads commander and the help texts only: each
// command's work (and the drivers, SQLite and the rest of the engine) is
// imported when its action runs, so --version, --help and usage errors start
// fast (`npm run bench`, start-up rows).
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REDIS_COMMAND_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from '../../shared/model/timeouts.ts';
import { TOOL_VERSION } from '../version.ts';
import { printLine } from '../terminal.ts';
import { registerExtraCommands } from './commands/index.ts';
import type { PullOptions } from './actions/pull.ts';
import { csvSafeOptions, formatOption, positiveInteger } from './options.ts';
import { EXAMPLES, helpText, showUsageOnErrors } from './help.ts';
import { timeoutOption } from './guard.ts';
import { preloadFor, type Preloaded } from './preload.ts';

/** The command line; `preloaded` (preload.ts) holds what the command about to run quotes in its options and help. */
export function buildProgram(preloaded: Preloaded = { costModel: null }): Command {
  const program = new Command();
  program
    .name('snapbench')
    .description('Read-only snapshots of a MySQL, PostgreSQL and Redis fleet in one verifiable SQLite file.')
    .version(TOOL_VERSION)
    .option('--debug', 'print stack traces of errors')
    .addHelpText('after', EXAMPLES)
    .exitOverride();

  program
    .command('pull')
    .description('pull a read-only snapshot of the fleet into one file')
    .requiredOption('--fleet <file>', 'fleet manifest (YAML)')
    .requiredOption('--out <file>', 'snapshot file to write (replaced only when the pull completes)')
    .option('--only <names>', 'comma-separated instance names to pull')
    .option('--max-rows <n>', 'at most N rows per table (recorded as a limit)', positiveInteger('--max-rows'))
    .option('--concurrency <n>', 'instances pulled at once', positiveInteger('--concurrency'), 4)
    .option('--progress', 'print progress on stderr even when it is not a terminal')
    .option('--base <file>', 'an earlier snapshot of this fleet: tables proven unchanged are carried from it, append_only tables get only their new rows; it is only read')
    .option('--sign <key>', 'sign the snapshot with this Ed25519 private key (snapbench keys generate)')
    .option('--signer <name>', 'the name recorded with the signature (default: your user name)')
    .addOption(formatOption(['text', 'json'], 'text'))
    .addHelpText(
      'after',
      helpText(`
Timeouts (per instance in the fleet manifest):
  connect_timeout_ms     connecting and logging in; default ${DEFAULT_CONNECT_TIMEOUT_MS} (10 s)
  statement_timeout_ms   Redis: one command without an answer fails the instance; default ${DEFAULT_REDIS_COMMAND_TIMEOUT_MS} (60 s)
                         MySQL/PostgreSQL: the server-side limit on one statement (a table's SELECT/COPY); default ${DEFAULT_STATEMENT_TIMEOUT_MS} (1 h)`),
    )
    .action(async (opts: PullOptions) => (await import('./actions/pull.ts')).runPull(opts));

  program
    .command('tables')
    .description('list the tables and Redis key inventories of a snapshot')
    .argument('<file>', 'snapshot file')
    .addOption(formatOption(['text', 'tsv', 'json'], 'text'))
    .action(async (file: string, opts: { format: string }) => (await import('./actions/tables.ts')).runTables(file, opts));

  const query = program
    .command('query')
    .description('run a read-only SQL query on a snapshot')
    .argument('<file>', 'snapshot file')
    .argument('<sql>', 'one SQL statement (SQLite dialect)')
    .addOption(new Option('--format <format>', 'output format: table | json | csv (default: table on a terminal, json otherwise)').choices(['table', 'json', 'csv']))
    .addOption(timeoutOption());
  for (const option of csvSafeOptions()) query.addOption(option);
  query.action(async (file: string, sql: string, opts: { format?: 'table' | 'json' | 'csv'; csvSafe?: boolean; timeout: number }) => (await import('./actions/query.ts')).runQueryCommand(file, sql, opts));

  program
    .command('verify')
    .description('recompute every hash of a snapshot and name what changed')
    .argument('<file>', 'snapshot file')
    .option('--trust <pubkey>', "also require a valid signature by this Ed25519 public key (the signer's .pub file)")
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(async (file: string, opts: { format: string; trust?: string }) => (await import('./actions/verify.ts')).runVerify(file, opts));

  registerExtraCommands(program, preloaded);
  showUsageOnErrors(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const program = buildProgram(await preloadFor(argv));
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed its own one-line message (or the help/version).
      return error.exitCode;
    }
    const { describe, listsProblems } = await import('./describeError.ts');
    const { message, hint, exitCode } = describe(error);
    // One line per problem only where the error lists problems; any other message is one line, a line break in a name included.
    const lines = listsProblems(error) ? message.split('\n') : [message];
    for (const line of lines) printLine(process.stderr, `snapbench: ${line}${hint && lines.length === 1 ? ` (${hint})` : ''}`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
    return exitCode;
  }
}
