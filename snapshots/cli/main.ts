// The `snapbench` command line. Every command: exit 0 on success, non-zero with
// one line on stderr that names the problem and what to do; no stack trace
// unless --debug. JSON goes to stdout alone; progress goes to stderr.
import { Command, CommanderError, Option } from 'commander';
import { resolve } from 'node:path';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REDIS_COMMAND_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS, FleetError } from '../../shared/model/fleet.ts';
import { PullError } from '../engines/types.ts';
import { listTables, openSnapshot, pullWarnings, readManifest, SnapshotFileError, tablesNotReadWhole } from '../file/reader.ts';
import { isDamage, verifySnapshot } from '../file/verify.ts';
import { checkSignatures, checkSignerName, describeSignatures, loadSigningKey, loadTrustedKey, SignatureError, signSnapshotFile, untrustedReason } from '../file/signature.ts';
import { rootHash } from '../file/hash.ts';
import { OutputPathError, refuseOutputOverInput } from '../file/outputPath.ts';
import { manifestMismatch, manifestMismatchWarning } from '../file/manifestCheck.ts';
import { fleetInputs } from '../pull/inputs.ts';
import { currentUserName } from '../pull/provenance.ts';
import { BaseSnapshot } from '../pull/base.ts';
import { CancelledError, pullFleet } from '../pull/pullFleet.ts';
import { TOOL_VERSION } from '../version.ts';
import { csvSafeFor, printLine, printText, printWrapped } from '../terminal.ts';
import { countText, formatTimeText } from '../../shared/text/layout.ts';
import { tablesText, tablesTsv } from '../output/textTables.ts';
import { progressPrinter } from './progress.ts';
import { QueryRefusedError } from '../query/readOnly.ts';
import { runQuery } from '../query/runQuery.ts';
import { registerExtraCommands } from './commands/index.ts';
import { CliError } from '../errors.ts';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_NOT_INTACT, EXIT_PARTIAL, EXIT_UNTRUSTED } from '../exitCodes.ts';
import { checkOutputFile } from '../output/outputFile.ts';
import { csvSafeOptions, formatOption, loadFleetFile, positiveInteger } from './options.ts';
import { EXAMPLES, helpText, showUsageOnErrors } from './help.ts';
import { timeoutOption, watchStatements } from './guard.ts';


/** tables and query: a manifest that no longer matches its root hash is said on stderr before anything is read. */
function warnIfManifestChanged(db: Parameters<typeof readManifest>[0], file: string): void {
  const mismatch = manifestMismatch(readManifest(db, file));
  if (mismatch) printLine(process.stderr, `snapbench: ${manifestMismatchWarning(file, mismatch)}`);
}

function writeStdout(text: string): void {
  process.stdout.write(text);
}

export function buildProgram(): Command {
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
    .action(async (opts: { fleet: string; out: string; only?: string; maxRows?: number; concurrency: number; progress?: boolean; format: string; sign?: string; signer?: string; base?: string }) => {
      const { fleet, bytes } = loadFleetFile(opts.fleet);
      checkOutputFile('--out', opts.out);
      refuseOutputOverInput(
        opts.out,
        [...fleetInputs(opts.fleet, bytes.toString('utf8')), ...(opts.sign ? [{ path: opts.sign, role: 'signing key (--sign)' }] : []), ...(opts.base ? [{ path: opts.base, role: 'base snapshot (--base)' }] : [])],
        { label: '--out', replaces: 'snapshot' },
      );
      // The base is opened read-only before anything is pulled: a bad one fails at once.
      let base: BaseSnapshot | undefined;
      if (opts.base) {
        try {
          base = BaseSnapshot.open(opts.base);
        } catch (error) {
          if (error instanceof SnapshotFileError) throw new CliError(`--base ${error.message}`, error.hint);
          throw error;
        }
      }
      // A bad key fails before anything is pulled.
      const signingKey = opts.sign ? loadSigningKey(opts.sign) : null;
      const signer = checkSignerName(opts.signer ?? currentUserName());
      for (const warning of fleet.warnings) printLine(process.stderr, `snapbench: warning: ${warning}`);
      const controller = new AbortController();
      const cancel = () => controller.abort(new CancelledError());
      process.once('SIGINT', cancel);
      process.once('SIGTERM', cancel);
      const showProgress = opts.progress || process.stderr.isTTY;
      try {
        const result = await pullFleet({
          fleet,
          fleetFile: resolve(opts.fleet),
          fleetBytes: bytes,
          out: resolve(opts.out),
          only: opts.only ? opts.only.split(',').map((s) => s.trim()).filter(Boolean) : null,
          maxRows: opts.maxRows ?? null,
          concurrency: opts.concurrency,
          signal: controller.signal,
          env: process.env,
          onEvent: showProgress ? progressPrinter(process.stderr) : undefined,
          base,
          baseFile: opts.base,
        });
        for (const failure of result.failures) {
          printLine(process.stderr, `snapbench pull: ${failure.message}${failure.hint ? ` (${failure.hint})` : ''}`);
        }
        if (!result.manifest) {
          throw new CliError(`no instance could be pulled (${result.failures.length} failed); no file was written`, 'fix the errors above and pull again');
        }
        const signed = signingKey ? signSnapshotFile(resolve(opts.out), signingKey, signer) : null;
        // What the file does not hold whole, read back from the file itself.
        const written = openSnapshot(resolve(opts.out));
        let notRead: { instance: string; database: string; table: string; sqlName: string; status: string; reason: string | null }[];
        let warnings: { instance: string; warning: string }[];
        try {
          notRead = listTables(written)
            .filter((t) => t.status !== 'pulled')
            .map((t) => ({ instance: t.instance, database: t.database, table: t.table, sqlName: t.sqlName, status: t.status, reason: t.statusReason }));
          warnings = pullWarnings(written);
        } finally {
          written.close();
        }
        const summary = {
          file: resolve(opts.out),
          pulled: result.pulled,
          failed: result.failures,
          tables: Object.keys(result.manifest.hashes).filter((t) => !t.startsWith('_snapbench_')).length,
          rows: result.manifest.instances.reduce((n, i) => n + i.rows, 0),
          notRead,
          warnings,
          ...(result.manifest.incremental ? { base: result.manifest.base, incremental: result.manifest.incremental } : {}),
          ...(signed ? { signature: { signer: signed.signer, fingerprint: signed.fingerprint } } : {}),
        };
        if (opts.format === 'json') writeStdout(JSON.stringify(summary, null, 2) + '\n');
        else {
          for (const w of warnings) printLine(process.stderr, `snapbench pull: warning: instance "${w.instance}": ${w.warning}`);
          for (const t of notRead) printLine(process.stderr, `snapbench pull: not read whole: ${t.sqlName}: ${t.status}${t.reason ? ` (${t.reason})` : ''}`);
          const pulledWhole = summary.tables - notRead.length;
          printLine(
            process.stderr,
            `snapbench pull: wrote ${summary.file}: ${countText(summary.pulled.length, 'instance', 'instances')}, ${notRead.length ? `${pulledWhole} tables pulled whole and ${notRead.length} not (listed above)` : `${summary.tables} tables`}, ${summary.rows.toLocaleString('en-US')} rows${result.failures.length ? `; ${countText(result.failures.length, 'instance', 'instances')} failed` : ''}${signed ? `; signed by ${signed.signer} with key ${signed.fingerprint}` : ''}`,
          );
          const inc = result.manifest.incremental;
          if (inc) {
            printLine(
              process.stderr,
              `snapbench pull: ${inc.rowsRead.toLocaleString('en-US')} rows read from the servers, ${inc.rowsCarried.toLocaleString('en-US')} carried from the base ${inc.baseFile} (tables: ${inc.tables.pulled} read, ${inc.tables.carried} carried, ${inc.tables.appended} appended)`,
            );
          }
        }
        if (result.failures.length > 0) process.exitCode = EXIT_PARTIAL;
      } catch (error) {
        if (error instanceof CancelledError || controller.signal.aborted) throw new CliError('pull cancelled; no file was written', null, EXIT_CANCELLED);
        throw error;
      } finally {
        process.off('SIGINT', cancel);
        process.off('SIGTERM', cancel);
        base?.close();
      }
    });

  program
    .command('tables')
    .description('list the tables and Redis key inventories of a snapshot')
    .argument('<file>', 'snapshot file')
    .addOption(formatOption(['text', 'tsv', 'json'], 'text'))
    .action((file: string, opts: { format: string }) => {
      const db = openSnapshot(file);
      try {
        warnIfManifestChanged(db, file);
        const tables = listTables(db);
        if (opts.format === 'json') writeStdout(JSON.stringify(tables, null, 2) + '\n');
        else if (opts.format === 'tsv') printText(process.stdout, tablesTsv(tables));
        else printText(process.stdout, tablesText(tables));
      } finally {
        db.close();
      }
    });

  const query = program
    .command('query')
    .description('run a read-only SQL query on a snapshot')
    .argument('<file>', 'snapshot file')
    .argument('<sql>', 'one SQL statement (SQLite dialect)')
    .addOption(new Option('--format <format>', 'output format: table | json | csv (default: table on a terminal, json otherwise)').choices(['table', 'json', 'csv']))
    .addOption(timeoutOption());
  for (const option of csvSafeOptions()) query.addOption(option);
  query.action(async (file: string, sql: string, opts: { format?: 'table' | 'json' | 'csv'; csvSafe?: boolean; timeout: number }) => {
    // A statement that runs past --timeout ends the command (cli/guard.ts).
    await watchStatements(opts.timeout, 'query');
      const db = openSnapshot(file);
      try {
        // The DQ definitions (blank, Han, test name, ...) as SQL functions, so evidence queries paste as they are.
        const { registerDqFunctions } = await import('../dq/functions.ts');
        registerDqFunctions(db);
        warnIfManifestChanged(db, file);
        // A query over a table the pull could not read whole gets what the file holds, and a line saying so.
        for (const t of tablesNotReadWhole(db, sql)) printLine(process.stderr, `snapbench query: warning: ${t.sqlName} was not read whole: ${t.status}${t.statusReason ? ` (${t.statusReason})` : ''}`);
        runQuery(db, sql, opts.format ?? (process.stdout.isTTY ? 'table' : 'json'), writeStdout, csvSafeFor(opts.csvSafe));
      } finally {
        db.close();
      }
    });

  program
    .command('verify')
    .description('recompute every hash of a snapshot and name what changed')
    .argument('<file>', 'snapshot file')
    .option('--trust <pubkey>', "also require a valid signature by this Ed25519 public key (the signer's .pub file)")
    .addOption(formatOption(['text', 'json'], 'text'))
    .action((file: string, opts: { format: string; trust?: string }) => {
      const trusted = opts.trust ? loadTrustedKey(opts.trust) : null;
      // Opened to be inspected: a changed schema is reported object by object instead of refused.
      const db = openSnapshot(file, { inspect: true });
      try {
        const report = verifySnapshot(db, file);
        if (report.rootSha256 === null) {
          // Too damaged for its manifest to be read: nothing else can be checked.
          if (opts.format === 'json') writeStdout(JSON.stringify({ file, ...report, signatures: null }, null, 2) + '\n');
          throw new CliError(`${file}: not intact: ${report.problems.join('; ')}`, 'ask the sender for a fresh copy', EXIT_NOT_INTACT);
        }
        const stored = readManifest(db, file);
        const manifest = stored.manifest;
        const signatures = checkSignatures(db, rootHash(stored.body), trusted);
        if (opts.format === 'json') writeStdout(JSON.stringify({ file, ...report, signatures }, null, 2) + '\n');
        else if (report.ok) {
          const data = Object.keys(manifest.hashes).filter((t) => !t.startsWith('_snapbench_')).length;
          printWrapped(process.stdout, `${file}: intact. ${report.checkedTables} tables verified (${data} data tables and ${report.checkedTables - data} of Snapbench's own: catalog, facts, manifest)`);
          printLine(process.stdout, `  root sha256 ${report.rootSha256}`);
          printWrapped(process.stdout, `  made ${formatTimeText(manifest.createdAt)} by ${manifest.createdBy} on ${manifest.createdOnHost} with snapbench ${manifest.tool.version}`);
          printWrapped(
            process.stdout,
            `  schema ${report.schemaSource === 'recorded' ? 'as recorded in the manifest' : 'as rebuilt from the catalog (the file predates the schema record)'}; ${report.integrityCheck === 'quick_check' ? 'quick_check ok (the file is over 1 GiB: indexes were not cross-checked)' : 'integrity_check ok'}`,
          );
          if (report.dqRuns > 0) {
            printWrapped(process.stdout, `  ${countText(report.dqRuns, 'stored DQ run', 'stored DQ runs')} added after the snapshot was made: consistent, but covered by neither the root hash nor a signature (anyone can rewrite them); run "snapbench dq" again to rely on their results`);
          }
        } else {
          for (const problem of report.problems) printLine(process.stdout, `${file}: ${problem}`);
        }
        if (opts.format !== 'json') for (const line of describeSignatures(signatures, opts.trust ?? null, report.ok)) printLine(process.stdout, `${file}: ${line}`);
        if (!report.ok) {
          throw new CliError(`${file}: not intact: ${countText(report.problems.length, 'problem', 'problems')}: ${report.problems.slice(0, 3).join('; ')}${report.problems.length > 3 ? '; ...' : ''}`, null, EXIT_NOT_INTACT);
        }
        if (trusted && !signatures.trusted) throw new CliError(`${file}: ${untrustedReason(signatures, opts.trust!)}`, null, EXIT_UNTRUSTED);
      } finally {
        db.close();
      }
    });

  registerExtraCommands(program);
  showUsageOnErrors(program);
  return program;
}

function describe(error: unknown): { message: string; hint: string | null; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, hint: error.hint, exitCode: error.exitCode };
  if (error instanceof FleetError) return { message: error.message, hint: null, exitCode: EXIT_FAILED };
  if (error instanceof SnapshotFileError || error instanceof PullError || error instanceof QueryRefusedError || error instanceof SignatureError || error instanceof OutputPathError) {
    return { message: error.message, hint: error.hint, exitCode: EXIT_FAILED };
  }
  if (isDamage(error)) return { message: `a snapshot file is damaged (SQLite: ${(error as Error).message})`, hint: '"snapbench verify FILE" names what; ask the sender for a fresh copy', exitCode: EXIT_FAILED };
  return { message: error instanceof Error ? error.message : String(error), hint: 'run again with --debug for details', exitCode: EXIT_FAILED };
}

export async function main(argv: string[]): Promise<number> {
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed its own one-line message (or the help/version).
      return error.exitCode;
    }
    const { message, hint, exitCode } = describe(error);
    // One line per problem only where the error lists problems; any other message is one line, a line break in a name included.
    const lines = error instanceof FleetError || (error instanceof CliError && error.multiline) ? message.split('\n') : [message];
    for (const line of lines) printLine(process.stderr, `snapbench: ${line}${hint && lines.length === 1 ? ` (${hint})` : ''}`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
    return exitCode;
  }
}
