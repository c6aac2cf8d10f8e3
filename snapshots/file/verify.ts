// Recomputes every hash of a snapshot file and names what changed.
import { createHash } from 'node:crypto';
import { quoteIdentifier } from '../../shared/model/sql.ts';
import type Database from 'better-sqlite3';
import { DQ_COLUMNS, DQ_TABLES, META, REQUIRED_META_TABLES } from './schema.ts';
import { statSync } from 'node:fs';
import { rootHash, rowEncodingSql, shadowsRowId, tableContentHash } from './hash.ts';
import { readSchemaObjects, runsCode, schemaProblems } from './objects.ts';
import { readManifest } from './reader.ts';
import { inspectFileHeader, isHeaderProblem } from './fileHeader.ts';
import { isDamage } from './damage.ts';
import { SIGNATURES_TABLE, signaturesTableLayoutProblem } from './signature.ts';

export interface VerifyReport {
  ok: boolean;
  rootSha256: string | null;
  problems: string[];
  checkedTables: number;
  /** SQLite's own check of the file's structure: which one ran (quick_check on large files), or why none did. */
  integrityCheck: 'integrity_check' | 'quick_check' | 'skipped';
  /** Where the expected schema came from: the manifest's record, or (older files) the catalog. */
  schemaSource: 'recorded' | 'rebuilt';
  /**
   * DQ runs stored in the file by `snapbench dq` after it was made. Their own
   * hashes find an accidental change, but neither the root hash nor a signature
   * covers them: anyone can add or rewrite one consistently.
   */
  dqRuns: number;
}

const META_TABLE_NAMES = new Set<string>(Object.values(META));

/** Files above this size get PRAGMA quick_check (no index cross-check) instead of integrity_check. */
export const QUICK_CHECK_ABOVE_BYTES = 1 << 30;

/**
 * Recomputes everything a snapshot's manifest vouches for: the root hash, the
 * schema (every object and column, compared with the one Snapbench wrote),
 * every table's content hash, stored DQ results, and SQLite's structural
 * check. Opens nothing that could run code: objects that are not plain tables
 * of the expected kind are named, never read.
 */
export function verifySnapshot(db: Database.Database, path: string): VerifyReport {
  try {
    return verifyContents(db, path);
  } catch (error) {
    // Pages so damaged that not even the manifest or the schema can be read: not intact, in one line.
    if (!isDamage(error)) throw error;
    return { ok: false, rootSha256: null, problems: [`file: damaged (SQLite: ${(error as Error).message})`], checkedTables: 0, integrityCheck: 'skipped', schemaSource: 'recorded', dqRuns: 0 };
  }
}

function verifyContents(db: Database.Database, path: string): VerifyReport {
  const problems: string[] = [];
  const stored = readManifest(db, path);
  const recomputedRoot = rootHash(stored.body);
  if (recomputedRoot !== stored.rootSha256) {
    problems.push(`manifest: changed (root hash is ${recomputedRoot}, the file records ${stored.rootSha256})`);
  }
  const { manifest } = stored;
  if (manifest.complete !== true) problems.push('manifest: not marked complete (the pull did not finish)');
  const hashes = typeof manifest.hashes === 'object' && manifest.hashes !== null && !Array.isArray(manifest.hashes) ? manifest.hashes : {};
  const schema = schemaProblems(db, manifest);
  for (const p of schema) problems.push(`${p.object}: ${p.problem}`);
  const objects = readSchemaObjects(db);
  // Only plain tables are read; a view, a virtual table or a table with generated columns is named above and left alone.
  const unsafe = new Set(schema.filter((p) => p.runsCode).map((p) => p.object));
  const readable = new Set(objects.filter((o) => o.type === 'table' && !runsCode(o) && !unsafe.has(`table ${JSON.stringify(o.name)}`)).map((o) => o.name));
  let checkedTables = 0;
  for (const [table, expected] of Object.entries(hashes)) {
    const sqlName = typeof expected?.sqlName === 'string' ? expected.sqlName : JSON.stringify(table);
    if (!readable.has(table)) {
      if (!objects.some((o) => o.name === table)) problems.push(`table ${sqlName}: missing`);
      continue;
    }
    let actual: ReturnType<typeof tableContentHash>;
    try {
      actual = tableContentHash(db, table);
      // Files made before the row id alias was chosen per table (no recorded schema) hashed such a table ordered by its own "rowid" column.
      if (actual.sha256 !== expected.sha256 && manifest.schema === undefined && shadowsRowId(db, table)) {
        const legacy = tableContentHash(db, table, { legacyOrder: true });
        if (legacy.sha256 === expected.sha256) actual = legacy;
      }
    } catch (error) {
      // Damaged pages: the table cannot be read to its end, which is a change like any other.
      if (!isDamage(error)) throw error;
      checkedTables++;
      problems.push(`${META_TABLE_NAMES.has(table) ? 'catalog table' : 'table'} ${sqlName}: damaged (SQLite: ${(error as Error).message})`);
      continue;
    }
    checkedTables++;
    if (actual.sha256 !== expected.sha256) {
      const what = META_TABLE_NAMES.has(table) ? 'catalog table' : 'table';
      const rows = actual.rows === expected.rows ? `same row count ${actual.rows}, values differ` : `rows ${expected.rows} → ${actual.rows}`;
      problems.push(`${what} ${sqlName}: content changed (${rows})`);
    }
  }
  const present = new Set(objects.filter((o) => o.type === 'table').map((o) => o.name));
  // Signatures sign the root hash, so they sit outside it; verify --trust checks them (signature.ts).
  if (readable.has(SIGNATURES_TABLE)) {
    const signatureLayout = signaturesTableLayoutProblem(db);
    if (signatureLayout) problems.push(signatureLayout);
  }
  if ([DQ_TABLES.runs, DQ_TABLES.results].every((t) => !present.has(t) || readable.has(t))) {
    try {
      problems.push(...verifyDqResults(db, present, stored.rootSha256));
    } catch (error) {
      if (!isDamage(error)) throw error;
      problems.push(`DQ results: damaged (SQLite: ${(error as Error).message})`);
    }
  }
  // Catalog tables added in later versions are checked like any other table when the manifest lists them.
  for (const meta of REQUIRED_META_TABLES) {
    if (!(meta in hashes)) problems.push(`manifest: has no hash for ${meta}`);
  }
  // The file is its pages and nothing else: bytes appended after the last page are not Snapbench's (and would make a small file look large).
  const databaseBytes = Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
  const fileBytes = statSync(path).size;
  if (fileBytes > databaseBytes) problems.push(`file: ${fileBytes - databaseBytes} bytes follow its last page (appended after the snapshot was made)`);
  const header = inspectFileHeader(path);
  if (!isHeaderProblem(header)) {
    // Snapbench leaves both at 0; another value was set after the file was made.
    if (header.userVersion !== 0) problems.push(`file header: user_version is ${header.userVersion}, Snapbench writes 0 (set after the snapshot was made)`);
    if (header.applicationId !== 0) problems.push(`file header: application_id is ${header.applicationId}, Snapbench writes 0 (set after the snapshot was made)`);
  }
  // Whether the index cross-check is affordable depends on the database's pages, not on what the file's size claims.
  // SQLite's check evaluates every index expression and CHECK constraint of every row: on a schema that is not
  // Snapbench's own (already named above) that is code from the file, as slow as it likes, so it is skipped.
  const integrityCheck = schema.length > 0 ? 'skipped' : databaseBytes > QUICK_CHECK_ABOVE_BYTES ? 'quick_check' : 'integrity_check';
  if (integrityCheck !== 'skipped') {
    let messages: string[];
    try {
      const check = (pragma: string) =>
        // One row per problem, or (newer SQLite) several lines in a row under a "*** in database main ***" heading.
        (db.pragma(pragma, { simple: false }) as { [key: string]: string }[])
          .flatMap((row) => String(Object.values(row)[0]).split('\n'))
          .filter((m) => m !== 'ok' && m !== '' && !/^\*\*\* in database /.test(m));
      messages = check(`${integrityCheck}(100)`);
      if (integrityCheck === 'quick_check') {
        // quick_check does not compare an index's entries with its table: a lookup through an edited index would
        // return another row than the hashed scan reads. Only Snapbench's small catalog tables have indexes, so
        // each of those gets the full check.
        const indexed = db.prepare(`SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'index' ORDER BY tbl_name`).pluck().all() as string[];
        for (const table of indexed) if (messages.length < 100) messages.push(...check(`integrity_check(${quoteIdentifier(table)})`));
      }
    } catch (error) {
      if (!isDamage(error)) throw error;
      messages = [(error as Error).message];
    }
    if (messages.length > 0) {
      const more = messages.length > 1 ? ` (and ${messages.length >= 100 ? 'at least 99' : messages.length - 1} more)` : '';
      problems.push(`SQLite ${integrityCheck}: ${messages[0]}${more}`);
    }
  }
  let dqRuns = 0;
  if (readable.has(DQ_TABLES.runs) && hasLayout(db, DQ_TABLES.runs, DQ_COLUMNS.runs)) {
    try {
      dqRuns = Number(db.prepare(`SELECT count(*) FROM ${DQ_TABLES.runs}`).pluck().get());
    } catch (error) {
      if (!isDamage(error)) throw error;
    }
  }
  return { ok: problems.length === 0, rootSha256: stored.rootSha256, problems, checkedTables, integrityCheck, schemaSource: manifest.schema === undefined ? 'rebuilt' : 'recorded', dqRuns };
}

/**
 * The sha256 of one DQ run's result rows: the table-hash row encoding of
 * `_snapbench_dq_results`, restricted to the run (`... WHERE run_id = N ORDER BY rowid`).
 */
export function dqResultsHash(db: Database.Database, runId: number): string {
  const sql = rowEncodingSql(db, DQ_TABLES.results, { where: 'run_id = ?' });
  const hash = createHash('sha256');
  for (const line of db.prepare(sql).pluck().iterate(runId) as IterableIterator<string | Buffer>) {
    hash.update(line);
    hash.update('\n');
  }
  return hash.digest('hex');
}

/**
 * What `verify` would say about the DQ runs stored in an opened snapshot (a
 * result, summary or pack that no longer matches its run's hashes), for the
 * commands that show stored runs. Consistent runs pass, even forged ones: no
 * signature covers them.
 */
export function storedDqProblems(db: Database.Database): string[] {
  const present = new Set(readSchemaObjects(db).filter((o) => o.type === 'table').map((o) => o.name));
  const root = db.prepare(`SELECT root_sha256 FROM ${META.manifest}`).pluck().get() as string;
  return verifyDqResults(db, present, root);
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
