// DQ results kept inside the snapshot file, so reruns build a local history an
// auditor receives with the file. `dq` opens the file read-write only to append
// one run (one transaction, rollback journal as before); data tables and the
// manifest are never touched, and `verify` checks each run against its hash.
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import type { RulePack, Severity } from '../../shared/dq/pack.ts';
import { summarize, type DqResult, type Status } from '../../shared/dq/results.ts';
import { DQ_DDL, DQ_TABLES } from '../file/schema.ts';
import { openSnapshotForWriting, SnapshotFileError } from '../file/reader.ts';
import { dqResultsHash } from '../file/verify.ts';
import { TOOL_VERSION } from '../version.ts';
import type { DqRun } from './run.ts';

/** The pack as stored with a run: its validated form, as JSON, so a run says exactly which rules it ran. */
export function packJson(pack: RulePack): string {
  return JSON.stringify(pack);
}

export function packSha256(pack: RulePack): string {
  return createHash('sha256').update(packJson(pack)).digest('hex');
}

export type StoreOutcome = { stored: true; runId: number } | { stored: false; reason: string };

/** Appends a run to the file; never throws (a report without stored results is still a report). */
export function storeRun(path: string, run: DqRun, snapshotRootSha256: string): StoreOutcome {
  try {
    accessSync(path, constants.W_OK);
  } catch {
    return { stored: false, reason: `${path} is read-only` };
  }
  let db: Database.Database;
  try {
    // Checked before it is opened for writing: no trigger or changed table can react to the insert.
    db = openSnapshotForWriting(path);
  } catch (error) {
    return { stored: false, reason: (error as Error).message };
  }
  try {
    const summary = summarize(run.results);
    const json = packJson(run.pack);
    const runId = db.transaction(() => {
      db.exec(DQ_DDL);
      const id = ((db.prepare(`SELECT max(run_id) FROM ${DQ_TABLES.runs}`).pluck().get() as number | null) ?? 0) + 1;
      const insert = db.prepare(`INSERT INTO ${DQ_TABLES.results} VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`);
      run.results.forEach((r, i) =>
        insert.run(id, i + 1, r.id, r.title, r.severity, r.status, r.count, r.total, JSON.stringify(r.metrics), r.limited ? 1 : 0, JSON.stringify(r.evidence), r.evidenceQuery),
      );
      db.prepare(`INSERT INTO ${DQ_TABLES.runs} VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`).run(
        id,
        run.pack.pack,
        createHash('sha256').update(json).digest('hex'),
        json,
        run.startedAt,
        run.finishedAt,
        TOOL_VERSION,
        snapshotRootSha256,
        summary.rules,
        summary.pass,
        summary.fail,
        summary.warn,
        summary.error,
        summary.skipped,
        dqResultsHash(db, id),
      );
      return id;
    }).immediate();
    return { stored: true, runId };
  } catch (error) {
    const message = (error as Error).message;
    return { stored: false, reason: /readonly|read-only/i.test(message) ? `${path} is read-only` : message };
  } finally {
    db.close();
  }
}

export interface StoredRun {
  runId: number;
  pack: string;
  packSha256: string;
  startedAt: string;
  finishedAt: string;
  toolVersion: string;
  snapshotRootSha256: string;
  rules: number;
  pass: number;
  fail: number;
  warn: number;
  error: number;
  skipped: number;
  resultsSha256: string;
}

function hasDqTables(db: Database.Database): boolean {
  return (db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)`).pluck().get(DQ_TABLES.runs, DQ_TABLES.results) as number) === 2;
}

export function listRuns(db: Database.Database): StoredRun[] {
  if (!hasDqTables(db)) return [];
  return db
    .prepare(
      `SELECT run_id AS runId, pack, pack_sha256 AS packSha256, started_at AS startedAt, finished_at AS finishedAt, tool_version AS toolVersion,
              snapshot_root_sha256 AS snapshotRootSha256, rules, passed AS pass, failed AS fail, warned AS warn, errors AS error, skipped,
              results_sha256 AS resultsSha256
         FROM ${DQ_TABLES.runs} ORDER BY run_id`,
    )
    .all() as StoredRun[];
}

export function readRunResults(db: Database.Database, runId: number): DqResult[] {
  const rows = db
    .prepare(
      `SELECT rule_id AS id, title, severity, status, count, total, metrics, limited, evidence, evidence_query AS evidenceQuery
         FROM ${DQ_TABLES.results} WHERE run_id = ? ORDER BY ordinal`,
    )
    .all(runId) as { id: string; title: string; severity: Severity; status: Status; count: number | null; total: number | null; metrics: string; limited: number; evidence: string; evidenceQuery: string | null }[];
  return rows.map((r) => ({
    ...r,
    metrics: storedJson(r.metrics, `stored DQ run ${runId}, rule ${r.id}: its metrics`) as Record<string, unknown>,
    limited: r.limited === 1,
    evidence: storedJson(r.evidence, `stored DQ run ${runId}, rule ${r.id}: its evidence`) as Record<string, unknown>[],
  }));
}

/** JSON that dq stored; text that is not JSON (the run was edited) is one clear line, not a parser error. */
function storedJson(text: unknown, what: string): unknown {
  try {
    return JSON.parse(String(text));
  } catch {
    throw new SnapshotFileError(`${what} are not JSON: the run was changed after dq stored it`, '"snapbench verify FILE" names the change; run "snapbench dq" again for results to rely on');
  }
}

export function readStoredPack(db: Database.Database, runId: number): RulePack | null {
  if (!hasDqTables(db)) return null;
  const json = db.prepare(`SELECT pack_json FROM ${DQ_TABLES.runs} WHERE run_id = ?`).pluck().get(runId) as string | undefined;
  return json ? (storedJson(json, `stored DQ run ${runId}: its pack`) as RulePack) : null;
}

export function latestRun(db: Database.Database): { run: StoredRun; results: DqResult[] } | null {
  const runs = listRuns(db);
  const run = runs[runs.length - 1];
  return run ? { run, results: readRunResults(db, run.runId) } : null;
}
