// `snapbench pull`: the action, loaded when the command runs (cli/main.ts
// defines its options).
import { resolve } from 'node:path';
import { BaseSnapshot } from '../../pull/base.ts';
import { CancelledError, pullFleet } from '../../pull/pullFleet.ts';
import { fleetInputs } from '../../pull/inputs.ts';
import { currentUserName } from '../../pull/provenance.ts';
import { listTables, openSnapshot, pullWarnings, SnapshotFileError } from '../../file/reader.ts';
import { checkSignerName, loadSigningKey, signSnapshotFile } from '../../file/signature.ts';
import { refuseOutputOverInput } from '../../file/outputPath.ts';
import { checkOutputFile } from '../../output/outputFile.ts';
import { CliError } from '../../errors.ts';
import { EXIT_CANCELLED, EXIT_PARTIAL } from '../../exitCodes.ts';
import { printLine } from '../../terminal.ts';
import { countText } from '../../../shared/text/layout.ts';
import { loadFleetFile } from '../fleetFile.ts';
import { progressPrinter } from '../progress.ts';

export interface PullOptions {
  fleet: string;
  out: string;
  only?: string;
  maxRows?: number;
  concurrency: number;
  progress?: boolean;
  format: string;
  sign?: string;
  signer?: string;
  base?: string;
}

export async function runPull(opts: PullOptions): Promise<void> {
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
      base = BaseSnapshot.open(opts.base, { rehashCarried: Boolean(opts.sign) });
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
    if (opts.format === 'json') process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
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
}
