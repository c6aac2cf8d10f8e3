// `snapbench verify`: the action, loaded when the command runs.
import { openSnapshot, readManifest } from '../../file/reader.ts';
import { verifySnapshot } from '../../file/verify.ts';
import { checkSignatures, describeSignatures, loadTrustedKey, untrustedReason } from '../../file/signature.ts';
import { rootHash } from '../../file/hash.ts';
import { CliError } from '../../errors.ts';
import { EXIT_NOT_INTACT, EXIT_UNTRUSTED } from '../../exitCodes.ts';
import { printLine, printWrapped } from '../../terminal.ts';
import { countText, formatTimeText } from '../../../shared/text/layout.ts';

export function runVerify(file: string, opts: { format: string; trust?: string }): void {
  const trusted = opts.trust ? loadTrustedKey(opts.trust) : null;
  // Opened to be inspected: a changed schema is reported object by object instead of refused.
  const db = openSnapshot(file, { inspect: true });
  try {
    const report = verifySnapshot(db, file);
    if (report.rootSha256 === null) {
      // Too damaged for its manifest to be read: nothing else can be checked.
      if (opts.format === 'json') process.stdout.write(JSON.stringify({ file, ...report, signatures: null }, null, 2) + '\n');
      throw new CliError(`${file}: not intact: ${report.problems.join('; ')}`, 'ask the sender for a fresh copy', EXIT_NOT_INTACT);
    }
    const stored = readManifest(db, file);
    const manifest = stored.manifest;
    const signatures = checkSignatures(db, rootHash(stored.body), trusted);
    if (opts.format === 'json') process.stdout.write(JSON.stringify({ file, ...report, signatures }, null, 2) + '\n');
    else if (report.ok) {
      const data = Object.keys(manifest.hashes).filter((t) => !t.startsWith('_snapbench_')).length;
      printWrapped(process.stdout, `${file}: intact. ${report.checkedTables} tables verified (${data} data tables and ${report.checkedTables - data} of Snapbench's own: catalog, facts, manifest)`);
      printLine(process.stdout, `  root sha256 ${report.rootSha256}`);
      printWrapped(process.stdout, `  made ${formatTimeText(manifest.createdAt)} by ${manifest.createdBy} on ${manifest.createdOnHost} with snapbench ${manifest.tool.version}`);
      printWrapped(
        process.stdout,
        `  schema ${report.schemaSource === 'recorded' ? 'as recorded in the manifest' : 'as rebuilt from the catalog (the file predates the schema record)'}; ${report.integrityCheck === 'quick_check' ? 'quick_check ok (the database is over 1 GiB: the indexes of the catalog tables, the only ones it has, were checked in full)' : 'integrity_check ok'}`,
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
}
