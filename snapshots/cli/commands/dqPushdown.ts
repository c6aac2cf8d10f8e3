// The CLI action of `dq --fleet FLEET --pack PACK --pushdown --out FILE`.
import { countText } from '../../../shared/text/layout.ts';
import { resolve } from 'node:path';
import { summarize } from '../../../shared/dq/results.ts';
import { CliError } from '../../errors.ts';
import { checkOutputFile } from '../../output/outputFile.ts';
import { loadFleetFile } from '../fleetFile.ts';
import { progressPrinter } from '../progress.ts';
import { packOrExit } from '../../dq/commands.ts';
import { renderJson, renderText } from '../../dq/report.ts';
import { packSha256 } from '../../dq/store.ts';
import { refuseOutputOverInput } from '../../file/outputPath.ts';
import { fleetInputs } from '../../pull/inputs.ts';
import { printLine, printText } from '../../terminal.ts';
import { openSnapshot, readManifest } from '../../file/reader.ts';
import { CancelledError } from '../../pull/pullFleet.ts';
import { TOOL_VERSION } from '../../version.ts';
import { runPushdown } from '../../pushdown/run.ts';

export interface PushdownCliOptions {
  fleet: string;
  pack?: string;
  out: string;
  only?: string;
  format?: string;
  progress?: boolean;
}

export async function runDqPushdown(opts: PushdownCliOptions): Promise<void> {
  const { fleet, bytes } = loadFleetFile(opts.fleet);
  const pack = packOrExit(opts.pack);
  checkOutputFile('--out', opts.out);
  const inputs = [...fleetInputs(opts.fleet, bytes.toString('utf8')), ...(opts.pack && /\.ya?ml$/i.test(opts.pack) ? [{ path: opts.pack, role: 'rule pack (--pack)' }] : [])];
  refuseOutputOverInput(opts.out, inputs, { label: '--out', replaces: 'snapshot' });
  for (const warning of fleet.warnings) printLine(process.stderr, `snapbench: warning: ${warning}`);
  const controller = new AbortController();
  const cancel = () => controller.abort(new CancelledError());
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  try {
    const started = performance.now();
    const result = await runPushdown({
      fleet,
      fleetFile: resolve(opts.fleet),
      fleetBytes: bytes,
      pack,
      out: resolve(opts.out),
      only: opts.only ? opts.only.split(',').map((s) => s.trim()).filter(Boolean) : null,
      concurrency: 4,
      env: process.env,
      signal: controller.signal,
      onEvent: opts.progress || process.stderr.isTTY ? progressPrinter(process.stderr) : undefined,
    });
    for (const failure of result.failures) printLine(process.stderr, `snapbench dq: ${failure.message}${failure.hint ? ` (${failure.hint})` : ''}`);
    if (!result.rootSha256) throw new CliError(`no instance could be checked (${result.failures.length} failed); no file was written`, 'fix the errors above and run again');
    const db = openSnapshot(opts.out);
    const { manifest, rootSha256 } = readManifest(db, opts.out);
    db.close();
    const ctx = {
      file: resolve(opts.out),
      manifest,
      rootSha256,
      pack,
      run: { id: result.stored ? 1 : null, startedAt: result.run.startedAt, finishedAt: result.run.finishedAt, packSha256: packSha256(pack), toolVersion: TOOL_VERSION },
      results: result.run.results,
    };
    if (opts.format === 'json') process.stdout.write(renderJson(ctx));
    else printText(process.stdout, renderText(ctx));
    const s = summarize(result.run.results);
    process.stderr.write(
      `snapbench dq: checked ${countText(result.pulled.length, 'instance', 'instances')} in place in ${((performance.now() - started) / 1000).toFixed(1)} s; wrote ${opts.out}: ${s.fail} fail, ${s.warn} warn, ${s.pass} pass, ${s.error} error, ${s.skipped} skipped\n`,
    );
    if (result.failures.length > 0) process.exitCode = 3;
  } catch (error) {
    if (error instanceof CancelledError || controller.signal.aborted) throw new CliError('dq --pushdown cancelled; no file was written', null, 130);
    throw error;
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
}
