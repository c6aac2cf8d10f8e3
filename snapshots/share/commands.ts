// The actions of `snapbench share`, `snapbench keys generate` and `snapbench
// sign`, loaded only when one of them runs.
import { countText } from '../../shared/text/layout.ts';
import { resolve } from 'node:path';
import { inertText } from '../../shared/text/inert.ts';
import { CliError } from '../errors.ts';
import { checkOutputFile } from '../output/outputFile.ts';
import { printLine, printText } from '../terminal.ts';
import { openSnapshot } from '../file/reader.ts';
import { OutputPathError, refuseOutputOverInput, type CommandInput } from '../file/outputPath.ts';
import { generateSigningKeys, loadSigningKey, signSnapshotFile, SignatureError, checkSignerName } from '../file/signature.ts';
import { verifySnapshot } from '../file/verify.ts';
import { currentUserName } from '../pull/provenance.ts';
import type { Redaction } from './plan.ts';
import { ProfileError } from './profile.ts';
import { defaultKeyFile, PseudonymKeyError, resolvePseudonymKey } from './pseudonym.ts';
import { ShareError, shareSnapshot, type ShareResult } from './share.ts';

/** The errors of these modules carry a message and a hint for the user: one line on stderr, no stack. */
function asCliError(error: unknown): unknown {
  if (error instanceof ShareError || error instanceof ProfileError || error instanceof PseudonymKeyError || error instanceof SignatureError || error instanceof OutputPathError) {
    return new CliError(error.message, error.hint);
  }
  return error;
}

export async function withUserErrors<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw asCliError(error);
  }
}

export interface ShareCommandOptions {
  out?: string;
  profile?: string;
  keyEnv?: string;
  keyFile?: string;
  freshKey?: boolean;
  sign?: string;
  signer?: string;
  dryRun?: boolean;
  format: string;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** An aligned text table: the dry run's "what would change and why". */
function redactionTable(redactions: Redaction[]): string {
  const header = ['TABLE', 'COLUMN', 'ACTION', 'RULE', 'VALUES', 'WHY'];
  const rows = redactions.map((r) => [r.table, r.column, r.action, r.rule, String(r.values), r.why].map((cell) => inertText(cell)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : pad(cell, widths[i]!))).join('  ')).join('\n') + '\n';
}

function summary(result: ShareResult): string {
  const masked = result.redactions.filter((r) => r.action === 'mask');
  const dropped = result.redactions.filter((r) => r.action === 'drop');
  const replaced = result.redactions.filter((r) => r.action === 'replace');
  const secretValues = replaced.filter((r) => r.rule !== 'email-in-text').reduce((n, r) => n + r.values, 0);
  const parts = [
    `${countText(masked.length, 'column', 'columns')} masked (${masked.reduce((n, r) => n + r.values, 0).toLocaleString('en-US')} values)`,
    `${countText(dropped.length, 'column', 'columns')} dropped`,
    `${countText(secretValues, 'value', 'values')} with secrets replaced`,
  ];
  const emails = replaced.filter((r) => r.rule === 'email-in-text').reduce((n, r) => n + r.values, 0);
  if (emails > 0) parts.push(`${countText(emails, 'text value', 'text values')} with e-mail addresses pseudonymised`);
  return parts.join(', ');
}

export function runShare(file: string, opts: ShareCommandOptions): Promise<void> {
  return withUserErrors(() => {
    if (!opts.out && !opts.dryRun) throw new CliError('share: --out FILE is required', 'give the path of the shared copy, or --dry-run to only see what would be masked');
    const out = opts.out ? checkOutputFile('--out', opts.out) : resolve(`${file}.shared`);
    const signingKey = opts.sign ? loadSigningKey(opts.sign) : null;
    const signer = opts.signer !== undefined ? checkSignerName(opts.signer) : null;
    if (signer && !signingKey) throw new CliError('share: --signer needs --sign KEY', 'add --sign with the private key made by "snapbench keys generate"');
    if (opts.out && !opts.dryRun) {
      // Checked before anything is read or created (the default pseudonym key file included).
      const inputs: CommandInput[] = [{ path: file, role: 'snapshot being shared' }];
      if (opts.sign) inputs.push({ path: opts.sign, role: 'signing key (--sign)' });
      if (opts.profile) inputs.push({ path: opts.profile, role: 'redaction profile (--profile)' });
      if (opts.keyFile) inputs.push({ path: opts.keyFile, role: 'pseudonym key (--key-file)' });
      else if (!opts.keyEnv && !opts.freshKey) inputs.push({ path: defaultKeyFile(process.env), role: 'pseudonym key file' });
      refuseOutputOverInput(opts.out, inputs, { label: '--out', replaces: 'snapshot' });
    }
    const key = resolvePseudonymKey({ keyEnv: opts.keyEnv, keyFile: opts.keyFile, freshKey: opts.freshKey, dryRun: opts.dryRun }, process.env);
    if (key.created) printLine(process.stderr, `snapbench share: created the pseudonym key ${key.origin} (0600); keep it private: shares made with it use the same pseudonyms`);
    const result = shareSnapshot({ source: file, out, profile: opts.profile ?? null, key, dryRun: opts.dryRun === true, signingKey, signer });
    if (opts.format === 'json') {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return;
    }
    if (result.dryRun) {
      printLine(process.stdout, `dry run, nothing written: ${file} (root ${result.sourceRootSha256}) would be shared with ${summary(result)}; pseudonym key ${result.keyId}`);
      printText(process.stdout, redactionTable(result.redactions));
      if (result.removed.dqRuns > 0) process.stdout.write(`${countText(result.removed.dqRuns, 'stored DQ run', 'stored DQ runs')} would be left out (they were made for the source; rerun "snapbench dq" on the copy)\n`);
      return;
    }
    printLine(process.stderr, `snapbench share: wrote ${result.out}: ${summary(result)}; root sha256 ${result.rootSha256}; source root ${result.sourceRootSha256}`);
    if (result.signature) printLine(process.stderr, `snapbench share: signed by ${result.signature.signer} with key ${result.signature.fingerprint}`);
  });
}

export function runKeysGenerate(opts: { out: string }): Promise<void> {
  return withUserErrors(() => {
    checkOutputFile('--out', `${opts.out}.key`);
    refuseOutputOverInput(`${opts.out}.key`, [], { label: '--out' });
    refuseOutputOverInput(`${opts.out}.pub`, [], { label: '--out' });
    const keys = generateSigningKeys(opts.out);
    process.stdout.write(`${keys.privatePath}\tprivate key (0600): keep it; sign with --sign ${keys.privatePath}\n`);
    process.stdout.write(`${keys.publicPath}\tpublic key: give it to whoever verifies (verify --trust ${keys.publicPath})\n`);
    process.stdout.write(`fingerprint sha256 ${keys.fingerprint}\n`);
  });
}

/** Signs an existing snapshot in place, after checking every hash (a damaged file is never signed). */
export function runSign(file: string, opts: { key: string; signer?: string }): Promise<void> {
  return withUserErrors(() => {
    refuseOutputOverInput(file, [{ path: opts.key, role: 'signing key (--key)' }], { label: 'sign' });
    const key = loadSigningKey(opts.key);
    const signer = checkSignerName(opts.signer ?? currentUserName());
    const db = openSnapshot(file);
    try {
      const report = verifySnapshot(db, file);
      if (!report.ok) throw new CliError(`${file}: not intact (${report.problems.slice(0, 2).join('; ')}); it is not signed`, 'run "snapbench verify" on it');
    } finally {
      db.close();
    }
    const signed = signSnapshotFile(file, key, signer);
    printLine(process.stderr, `snapbench sign: ${file}: root ${signed.rootSha256} signed by ${signed.signer} with key ${signed.fingerprint}`);
  });
}
