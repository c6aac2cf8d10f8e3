// The actions of `snapbench dq`, `dq history`, `dq evidence`, `dq pack` and
// `snapbench diff` (registered in snapshots/cli/commands/dq.ts, which loads
// this module only when one of them runs).
import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { DqPackError, type RulePack } from '../../shared/dq/pack.ts';
import { summarize, type DqResult } from '../../shared/dq/results.ts';
import { countText, formatNumberText, formatTimeText, textTable, type TextColumn } from '../../shared/text/layout.ts';
import { inertText } from '../../shared/text/inert.ts';
import { CliError } from '../errors.ts';
import { EXIT_DQ_FINDINGS, EXIT_FAILED } from '../exitCodes.ts';
import { runQuery } from '../query/runQuery.ts';
import { csvSafeFor, printLine, printText } from '../terminal.ts';
import { refuseOutputOverInput, type CommandInput } from '../file/outputPath.ts';
import { checkOutputFile } from '../output/outputFile.ts';
import { manifestMismatch, manifestMismatchWarning, manifestWarning } from '../file/manifestCheck.ts';
import { openSnapshot, readManifest } from '../file/reader.ts';
import { storedDqProblems } from '../file/verify.ts';
import { TOOL_VERSION } from '../version.ts';
import { diffSnapshots, renderDiffText } from './diff.ts';
import { registerDqFunctions } from './functions.ts';
import { renderHtml } from './html.ts';
import { builtInPackYaml, loadPack } from './loadPack.ts';
import { renderCsv, renderJson, renderText, REPORT_FORMATS, type ReportContext } from './report.ts';
import { GuardedRunError, runPackGuarded } from './guarded.ts';
import { runPack, type DqRun } from './run.ts';
import { StatementTimeoutError } from '../file/timeLimit.ts';
import { listRuns, packSha256, readRunResults, storeRun } from './store.ts';

type ReportFormat = (typeof REPORT_FORMATS)[number];

export function packOrExit(nameOrPath: string | undefined): RulePack {
  try {
    return loadPack(nameOrPath);
  } catch (error) {
    if (error instanceof DqPackError) {
      // One line per problem; a line break inside one (a rule id or title from the pack) is shown escaped.
      throw new CliError(error.problems.map((p) => inertText(p)).join('\n'), error.problems.length === 1 ? 'fix the pack; "snapbench dq pack" prints report-07 as an example' : null, EXIT_FAILED, true);
    }
    throw error;
  }
}

/** --format, else the --out file's extension, else a text summary. */
function reportFormat(format: string | undefined, out: string | undefined): ReportFormat {
  if (format) return format as ReportFormat;
  const ext = out ? extname(out).slice(1).toLowerCase() : '';
  if (ext === 'htm') return 'html';
  return (REPORT_FORMATS as readonly string[]).includes(ext) ? (ext as ReportFormat) : out ? 'json' : 'text';
}

function checkOut(out: string): void {
  checkOutputFile('--out', out);
}

function render(format: ReportFormat, ctx: ReportContext, csvSafe: boolean): string {
  switch (format) {
    case 'json':
      return renderJson(ctx);
    case 'csv':
      return renderCsv(ctx, csvSafe);
    case 'html':
      return renderHtml(ctx);
    case 'text':
      return renderText(ctx);
  }
}

function failOn(level: 'warn' | 'fail' | undefined, results: DqResult[]): void {
  if (!level) return;
  const hits = results.filter((r) => r.status === 'fail' || r.status === 'error' || (level === 'warn' && r.status === 'warn'));
  if (hits.length === 0) return;
  throw new CliError(`dq: ${countText(hits.length, 'rule', 'rules')} at or above --fail-on ${level}: ${hits.map((r) => `${r.id} ${r.status}`).join(', ')}`, null, EXIT_DQ_FINDINGS);
}

export interface DqOptions {
  pack?: string;
  format?: string;
  out?: string;
  store: boolean;
  failOn?: 'warn' | 'fail';
  timings?: boolean;
  /** --csv-safe / --no-csv-safe; neither: on when the report goes to a file. */
  csvSafe?: boolean;
  /**
   * A pack someone wrote runs in child processes (dq/guarded.ts) with this
   * per-statement limit in seconds: a rule past it is `error`, the others run.
   * Absent or 0: in this process, no limit (built-in packs: Snapbench's own SQL, which ends).
   */
  guardSeconds?: number;
  /** The guarded run's first worker process, started ahead by the caller. */
  guardWorker?: ChildProcess;
}

export async function runDq(file: string, opts: DqOptions): Promise<void> {
  if (opts.out) {
    checkOut(opts.out);
    const inputs: CommandInput[] = [{ path: file, role: 'snapshot' }];
    if (opts.pack && existsSync(opts.pack)) inputs.push({ path: opts.pack, role: 'rule pack (--pack)' });
    refuseOutputOverInput(opts.out, inputs, { label: '--out', replaces: 'not-database' });
  }
  const db = openSnapshot(file);
  let ctx: ReportContext;
  try {
    const pack = packOrExit(opts.pack);
    const stored = readManifest(db, file);
    const { manifest, rootSha256 } = stored;
    const changed = manifestMismatch(stored);
    if (changed) printLine(process.stderr, `snapbench dq: ${manifestMismatchWarning(file, changed)}`);
    // Memory-mapped reads make the table scans cheaper; safe here because this
    // connection is ours alone and is closed before the results are appended.
    db.pragma('mmap_size = 2147418112');
    const run = opts.guardSeconds ? await guardedRun(file, pack, opts.guardSeconds, opts.guardWorker) : runPack(db, pack);
    if (opts.timings) {
      const rules = Object.entries(run.timings.rules).map(([id, ms]) => `${id} ${ms.toFixed(1)}ms`);
      const scans = Object.entries(run.timings.scans).map(([table, ms]) => `${table} ${ms.toFixed(1)}ms`);
      printLine(process.stderr, `snapbench dq: ${run.timings.total.toFixed(1)} ms; rules: ${rules.join(', ')}; scans: ${scans.join(', ')}`);
    }
    ctx = {
      file: resolve(file),
      manifest,
      rootSha256,
      manifestChanged: changed,
      pack,
      run: { id: null, startedAt: run.startedAt, finishedAt: run.finishedAt, packSha256: packSha256(pack), toolVersion: TOOL_VERSION },
      results: run.results,
    };
    db.close();
    if (opts.store) {
      const outcome = storeRun(file, run, rootSha256);
      if (outcome.stored) ctx.run.id = outcome.runId;
      else printLine(process.stderr, `snapbench dq: warning: results were not stored in the snapshot (${outcome.reason}); the report is complete`);
    }
  } finally {
    if (db.open) db.close();
  }
  const format = reportFormat(opts.format, opts.out);
  const text = render(format, ctx, csvSafeFor(opts.csvSafe, opts.out));
  if (opts.out) {
    writeFileSync(opts.out, text);
    const s = summarize(ctx.results);
    printLine(process.stderr, `snapbench dq: wrote ${opts.out}: ${s.fail} fail, ${s.warn} warn, ${s.pass} pass, ${s.error} error, ${s.skipped} skipped`);
  } else if (format === 'text') printText(process.stdout, text);
  else process.stdout.write(text);
  failOn(opts.failOn, ctx.results);
}

async function guardedRun(file: string, pack: RulePack, seconds: number, worker: ChildProcess | undefined): Promise<DqRun> {
  try {
    return await runPackGuarded({
      path: file,
      pack,
      timeoutSeconds: seconds,
      worker,
      onStopped: (ruleId, message) => printLine(process.stderr, `snapbench dq: ${message}: rule ${ruleId} is an error; the other rules run (raise the limit with --timeout SECONDS, 0 = none)`),
    });
  } catch (error) {
    if (error instanceof GuardedRunError) throw new CliError(`dq: ${error.message}`, error.hint);
    if (error instanceof StatementTimeoutError) throw new CliError(`dq: ${error.message}`, error.hint);
    throw error;
  }
}

export function withSnapshot<T>(file: string, use: (db: ReturnType<typeof openSnapshot>) => T, command = 'dq'): T {
  const db = openSnapshot(file);
  try {
    // Stored runs, evidence and a diff all read what the manifest vouches for: say when it no longer matches its root hash.
    const warning = manifestWarning(file, readManifest(db, file));
    if (warning) printLine(process.stderr, `snapbench ${command}: ${warning}`);
    return use(db);
  } finally {
    db.close();
  }
}

export function dqHistory(file: string, opts: { rule?: string; format: string }): void {
  withSnapshot(file, (db) => {
    // A stored run edited after dq wrote it is said on stderr, as verify names it.
    for (const problem of storedDqProblems(db)) printLine(process.stderr, `snapbench dq history: warning: ${file}: ${problem}; do not rely on it ("snapbench verify ${file}" names every change)`);
    const runs = listRuns(db).map((run) => ({ ...run, result: opts.rule ? (readRunResults(db, run.runId).find((r) => r.id === opts.rule) ?? null) : undefined }));
    if (opts.format === 'json') return void process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
    if (runs.length === 0) return void printLine(process.stdout, `${file}: no DQ run stored (run "snapbench dq ${file}")`);
    // One row per run under a header; the rule asked about (--rule) in the last column.
    const others = runs.some((run) => run.error > 0 || run.skipped > 0);
    const columns: TextColumn[] = [
      { header: 'run', right: true },
      { header: 'finished' },
      { header: 'pack' },
      { header: 'fail', right: true },
      { header: 'warn', right: true },
      { header: 'pass', right: true },
      ...(others ? [{ header: 'error', right: true }, { header: 'skipped', right: true }] : []),
      ...(opts.rule ? [{ header: inertText(opts.rule), wrap: true }] : []),
    ];
    const rows = runs.map((run) => [
      String(run.runId),
      formatTimeText(run.finishedAt),
      inertText(run.pack),
      formatNumberText(run.fail),
      formatNumberText(run.warn),
      formatNumberText(run.pass),
      ...(others ? [formatNumberText(run.error), formatNumberText(run.skipped)] : []),
      ...(opts.rule ? [run.result ? `${run.result.status}${run.result.count === null ? '' : ` ${formatNumberText(run.result.count)}`}` : 'not in this run'] : []),
    ]);
    printText(process.stdout, textTable(columns, rows).join('\n') + '\n');
  });
}

export function dqEvidence(file: string, ruleId: string, opts: { run?: string; pack?: string; format: 'json' | 'csv'; csvSafe: boolean }): void {
  withSnapshot(file, (db) => {
    const runs = listRuns(db);
    const chosen = opts.run ? runs.find((r) => String(r.runId) === opts.run) : runs[runs.length - 1];
    if (opts.run && !chosen) throw new CliError(`${file}: no stored DQ run ${opts.run}`, 'list them with "snapbench dq history FILE"');
    const results = chosen && !opts.pack ? readRunResults(db, chosen.runId) : runPack(db, packOrExit(opts.pack)).results;
    const result = results.find((r) => r.id === ruleId);
    if (!result) throw new CliError(`rule ${ruleId}: not in the pack`, `rules: ${results.map((r) => r.id).join(', ')}`);
    if (!result.evidenceQuery) throw new CliError(`rule ${ruleId}: has no evidence query (${result.status})`);
    registerDqFunctions(db);
    runQuery(db, result.evidenceQuery, opts.format, (chunk) => void process.stdout.write(chunk), opts.csvSafe);
  });
}

export function printBuiltInPack(): void {
  process.stdout.write(builtInPackYaml());
}

export function dqDiff(a: string, b: string, opts: { pack?: string; format: string }): void {
  const pack = opts.pack ? packOrExit(opts.pack) : undefined;
  withSnapshot(a, (dbA) =>
    withSnapshot(b, (dbB) => {
      const diff = diffSnapshots({ file: resolve(a), db: dbA }, { file: resolve(b), db: dbB }, pack);
      if (opts.format === 'json') process.stdout.write(JSON.stringify(diff, null, 2) + '\n');
      else printText(process.stdout, renderDiffText(diff));
    }, 'diff'),
  'diff');
}
