// Recomputes every hash of a snapshot file and names what changed.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { DQ_COLUMNS, DQ_TABLES, META, REQUIRED_META_TABLES } from './schema.ts';
import { rootHash, rowEncodingSql, tableContentHash } from './hash.ts';
import { readManifest } from './reader.ts';
import { SIGNATURES_TABLE, signaturesTableLayoutProblem } from './signature.ts';

export interface VerifyReport {
  ok: boolean;
  rootSha256: string | null;
  problems: string[];
  checkedTables: number;
}

const META_TABLE_NAMES = new Set<string>(Object.values(META));

export function verifySnapshot(db: Database.Database, path: string): VerifyReport {
  const problems: string[] = [];
  const stored = readManifest(db, path);
  const recomputedRoot = rootHash(stored.body);
  if (recomputedRoot !== stored.rootSha256) {
    problems.push(`manifest: changed (root hash is ${recomputedRoot}, the file records ${stored.rootSha256})`);
  }
  const { manifest } = stored;
  if (manifest.complete !== true) problems.push('manifest: not marked complete (the pull did not finish)');
  const hashes = manifest.hashes ?? {};
  let checkedTables = 0;
  const present = new Set(
    (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[]),
  );
  for (const [table, expected] of Object.entries(hashes)) {
    if (!present.has(table)) {
      problems.push(`table ${expected.sqlName}: missing`);
      continue;
    }
    const actual = tableContentHash(db, table);
    checkedTables++;
    if (actual.sha256 !== expected.sha256) {
      const what = META_TABLE_NAMES.has(table) ? 'catalog table' : 'table';
      const rows = actual.rows === expected.rows ? `same row count ${actual.rows}, values differ` : `rows ${expected.rows} → ${actual.rows}`;
      problems.push(`${what} ${expected.sqlName}: content changed (${rows})`);
    }
  }
  const dqTables = new Set<string>(Object.values(DQ_TABLES));
  for (const table of present) {
    if (!(table in hashes) && table !== META.manifest && !dqTables.has(table) && table !== SIGNATURES_TABLE) problems.push(`table "${table}": added after the snapshot was made`);
  }
  // Signatures sign the root hash, so they sit outside it; verify --trust checks them (signature.ts).
  const signatureLayout = signaturesTableLayoutProblem(db);
  if (signatureLayout) problems.push(signatureLayout);
  problems.push(...verifyDqResults(db, present, stored.rootSha256));
  // Catalog tables added in later versions are checked like any other table when the manifest lists them.
  for (const meta of REQUIRED_META_TABLES) {
    if (!(meta in hashes)) problems.push(`manifest: has no hash for ${meta}`);
  }
  const others = db.prepare(`SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger')`).all() as { type: string; name: string }[];
  for (const o of others) problems.push(`${o.type} "${o.name}": added after the snapshot was made`);
  return { ok: problems.length === 0, rootSha256: stored.rootSha256, problems, checkedTables };
}

/**
 * The sha256 of one DQ run's result rows: the table-hash row encoding of
 * `_snapbench_dq_results`, restricted to the run (`... WHERE run_id = N ORDER BY rowid`).
 */
export function dqResultsHash(db: Database.Database, runId: number): string {
  const all = rowEncodingSql(db, DQ_TABLES.results);
  const sql = all.replace(/ ORDER BY rowid$/, ' WHERE run_id = ? ORDER BY rowid');
  if (sql === all) throw new Error('dqResultsHash: unexpected row encoding SQL');
  const hash = createHash('sha256');
  for (const line of db.prepare(sql).pluck().iterate(runId) as IterableIterator<string | Buffer>) {
    hash.update(line);
    hash.update('\n');
  }
  return hash.digest('hex');
}

function hasLayout(db: Database.Database, table: string, columns: readonly string[]): boolean {
  const actual = db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).pluck().all(table) as string[];
  return actual.length === columns.length && actual.every((name, i) => name === columns[i]);
}

/**
 * DQ results appended by `snapbench dq` are not covered by the manifest; each
 * run row carries the hash of its result rows, so an edit to a stored result,
 * a run row or a run copied from another snapshot is still found.
 */
function verifyDqResults(db: Database.Database, present: Set<string>, rootSha256: string): string[] {
  const problems: string[] = [];
  const layouts = [
    [DQ_TABLES.runs, DQ_COLUMNS.runs],
    [DQ_TABLES.results, DQ_COLUMNS.results],
  ] as const;
  for (const [table, columns] of layouts) {
    if (present.has(table) && !hasLayout(db, table, columns)) problems.push(`table "${table}": not the DQ results layout (changed or added after the snapshot was made)`);
  }
  if (problems.length > 0 || !present.has(DQ_TABLES.runs) || !present.has(DQ_TABLES.results)) {
    if (present.has(DQ_TABLES.runs) !== present.has(DQ_TABLES.results)) problems.push('DQ results: one of the two DQ tables is missing');
    return problems;
  }
  const runs = db
    .prepare(
      `SELECT run_id AS runId, pack_json AS packJson, pack_sha256 AS packSha256, snapshot_root_sha256 AS root, results_sha256 AS resultsSha256,
              rules, passed, failed, warned, errors, skipped FROM ${DQ_TABLES.runs} ORDER BY run_id`,
    )
    .all() as { runId: number; packJson: string; packSha256: string; root: string; resultsSha256: string; rules: number; passed: number; failed: number; warned: number; errors: number; skipped: number }[];
  const tally = db.prepare(
    `SELECT count(*) AS rules, sum(status = 'pass') AS passed, sum(status = 'fail') AS failed, sum(status = 'warn') AS warned,
            sum(status = 'error') AS errors, sum(status = 'skipped') AS skipped FROM ${DQ_TABLES.results} WHERE run_id = ?`,
  );
  for (const run of runs) {
    const what: string[] = [];
    if (dqResultsHash(db, run.runId) !== run.resultsSha256) what.push('result rows differ from their hash');
    const counted = tally.get(run.runId) as Record<string, number | null>;
    if ((['rules', 'passed', 'failed', 'warned', 'errors', 'skipped'] as const).some((k) => (counted[k] ?? 0) !== run[k])) what.push('summary counts differ from the results');
    if (createHash('sha256').update(run.packJson).digest('hex') !== run.packSha256) what.push('pack differs from its hash');
    if (run.root !== rootSha256) what.push(`made for another snapshot (root ${run.root})`);
    if (what.length > 0) problems.push(`DQ results of run ${run.runId}: changed (${what.join('; ')})`);
  }
  const orphans = db.prepare(`SELECT DISTINCT run_id FROM ${DQ_TABLES.results} WHERE run_id NOT IN (SELECT run_id FROM ${DQ_TABLES.runs}) ORDER BY run_id`).pluck().all() as number[];
  for (const runId of orphans) problems.push(`DQ results of run ${runId}: changed (result rows without a run row)`);
  return problems;
}
