// Exports of a table view or a query as CSV or Arrow, and stored DQ runs as
// report files: written beside the save path and renamed, or streamed to the host.
import type Database from 'better-sqlite3';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { fail } from '../../../shared/api/errors.ts';
import type { SqlValue } from '../../../shared/model/snapshot.ts';
import { renderHtml } from '../../dq/html.ts';
import { renderCsv, renderJson, type ReportContext } from '../../dq/report.ts';
import { listRuns, readRunResults, readStoredPack } from '../../dq/store.ts';
import { readManifest } from '../../file/reader.ts';
import { csvRow } from '../../output/csv.ts';
import { ArrowStreamSink, exportKind, resultKind, uniqueNames, type ArrowColumn } from '../arrow.ts';
import { exportQuery } from '../viewSql.ts';
import { connection, throttled, withViewErrors } from './connection.ts';
import { prepareReadOnlyJob, sqlFailure } from './sql.ts';
import type { ExportJobResult, JobContext, JobSpec } from './types.ts';
import { announceStatement } from '../../file/timeLimit.ts';

const EXPORT_BATCH = 16_384;
const FLUSH_BYTES = 1 << 20;

/** Where export bytes go: a file written beside its final path, or the host (a download). */
class ExportOutput {
  private fd: number | null = null;
  private readonly partial: string | null;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  bytes = 0;

  constructor(
    private readonly savePath: string | null,
    private readonly ctx: JobContext,
  ) {
    this.partial = savePath ? `${savePath}.partial-${process.pid}` : null;
    if (this.partial) {
      try {
        this.fd = openSync(this.partial, 'w');
      } catch (error) {
        fail('failed', `cannot write ${savePath}: ${(error as Error).message}`, 'choose a folder you can write to');
      }
    }
  }

  push(bytes: Uint8Array): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.bytes += bytes.length;
  }

  get full(): boolean {
    return this.pendingBytes >= FLUSH_BYTES;
  }

  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const joined = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (this.fd !== null) {
      let at = 0;
      while (at < joined.length) at += writeSync(this.fd, joined, at, joined.length - at);
    } else await this.ctx.chunk(new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength));
  }

  async finish(): Promise<void> {
    await this.flush();
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
      renameSync(this.partial!, this.savePath!);
    }
  }

  abandon(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = null;
    }
    if (this.partial) rmSync(this.partial, { force: true });
  }
}

export async function exportJob(spec: Extract<JobSpec, { kind: 'export' }>, ctx: JobContext): Promise<ExportJobResult> {
  const db = connection(spec.path, spec.source.kind === 'sql');
  let statement: Database.Statement;
  let params: SqlValue[] = [];
  let names: string[];
  let kinds: ((sample: SqlValue[][]) => ArrowColumn[]) | null = null;
  let total: number | null = null;
  if (spec.source.kind === 'table') {
    const source = spec.source;
    const query = withViewErrors(() => exportQuery(source.view.table, source.columns, source.view.sort, source.view.filters));
    statement = db.prepare(query.sql).raw(true).safeIntegers(true);
    params = query.params;
    names = source.columns.map((c) => c.name);
    const unique = uniqueNames(names);
    kinds = () =>
      source.columns.map((c, i) => ({ name: unique[i]!, kind: exportKind(c), metadata: { declared_type: c.declaredType, storage: c.storage, source_name: c.sourceName } }));
    if (source.view.filters.length === 0) total = source.rows;
  } else {
    statement = prepareReadOnlyJob(db, spec.source.sql);
    const described = statement.columns();
    names = described.map((c) => c.name);
    const unique = uniqueNames(names);
    kinds = (sample) => described.map((c, i) => ({ name: unique[i]!, kind: resultKind(c.type ?? null, sample.map((r) => r[i] ?? null)), ...(c.type ? { metadata: { declared_type: c.type } } : {}) }));
  }
  const output = new ExportOutput(spec.savePath, ctx);
  let arrow: ArrowStreamSink | null = null;
  let rows = 0;
  const report = throttled(ctx);
  try {
    if (spec.format === 'csv') output.push(Buffer.from(csvRow(names, { safe: spec.csvSafe }), 'utf8'));
    let batch: SqlValue[][] = [];
    const writeBatch = async () => {
      if (spec.format === 'csv') {
        let text = '';
        for (const row of batch) text += csvRow(row, { safe: spec.csvSafe });
        output.push(Buffer.from(text, 'utf8'));
      } else {
        arrow ??= new ArrowStreamSink(kinds!(batch), (bytes) => output.push(bytes));
        arrow.write(batch);
      }
      rows += batch.length;
      batch = [];
      // A streaming export counts its time limit from its last batch: a long export that keeps producing rows runs on.
      announceStatement('the export');
      report({ phase: 'exporting rows', done: rows, total, unit: 'rows' });
      if (output.full) await output.flush();
    };
    try {
      announceStatement('the export');
      for (const row of statement.iterate(...params) as IterableIterator<SqlValue[]>) {
        batch.push(row);
        if (batch.length === EXPORT_BATCH) await writeBatch();
      }
    } catch (error) {
      sqlFailure(error);
    }
    if (batch.length > 0) await writeBatch();
    announceStatement(null);
    if (spec.format === 'arrow') {
      arrow ??= new ArrowStreamSink(kinds!([]), (bytes) => output.push(bytes));
      (arrow as ArrowStreamSink).finish();
    }
    await output.finish();
    report({ phase: 'done', done: rows, total: rows, unit: 'rows' }, true);
    return { rows, bytes: output.bytes, coerced: arrow ? (arrow as ArrowStreamSink).coerced : 0 };
  } catch (error) {
    output.abandon();
    throw error;
  }
}

/** A stored DQ run as a report file (HTML, CSV or JSON). */
export async function dqReportJob(spec: Extract<JobSpec, { kind: 'dq-report' }>, ctx: JobContext): Promise<ExportJobResult> {
  const db = connection(spec.path);
  const run = listRuns(db).find((r) => r.runId === spec.runId);
  if (!run) fail('not-found', `no stored DQ run ${spec.runId} in this snapshot`, 'run the pack first, or pick a run from the history');
  const pack = readStoredPack(db, spec.runId);
  if (!pack) fail('not-found', `DQ run ${spec.runId}: its pack is missing`);
  const { manifest, rootSha256 } = readManifest(db, spec.path);
  const context: ReportContext = {
    file: spec.path,
    manifest,
    rootSha256,
    pack,
    run: { id: run.runId, startedAt: run.startedAt, finishedAt: run.finishedAt, packSha256: run.packSha256, toolVersion: run.toolVersion },
    results: readRunResults(db, spec.runId),
  };
  const text = spec.format === 'html' ? renderHtml(context) : spec.format === 'csv' ? renderCsv(context, spec.csvSafe) : renderJson(context);
  const output = new ExportOutput(spec.savePath, ctx);
  try {
    output.push(Buffer.from(text, 'utf8'));
    await output.finish();
  } catch (error) {
    output.abandon();
    throw error;
  }
  return { rows: context.results.length, bytes: output.bytes, coerced: 0 };
}
