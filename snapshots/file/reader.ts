// Opens snapshot files for reading. Reading never changes a file: it is opened
// read-only, so not even a journal or a WAL file appears next to it; and it
// never runs code from the file (see openSnapshot).
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import type { SnapshotManifest, TableListing } from '../../shared/model/snapshot.ts';
import { columnNames, LEGACY_META_DDL, META, META_DDL } from './schema.ts';
import { rootHash } from './hash.ts';
import { manifestShapeProblem } from '../../shared/model/manifestShape.ts';
import { ddlObjects, schemaProblems, summarizeProblems } from './objects.ts';
import { inspectFileHeader, isHeaderProblem } from './fileHeader.ts';
import { catalogValueProblem } from './catalogValues.ts';

export class SnapshotFileError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'SnapshotFileError';
  }
}

export interface OpenOptions {
  /**
   * Open without refusing a file whose schema differs from the one Snapbench
   * wrote, so `verify` can name every difference. Still nothing in the file runs:
   * the caller reads only objects it has checked are plain tables.
   */
  inspect?: boolean;
}

/**
 * Sets what every connection to a snapshot needs before it reads anything:
 * SQLite's defensive mode (SQLITE_DBCONFIG_DEFENSIVE: no writable_schema, no
 * shadow-table writes; better-sqlite3 turns it on at open and `unsafeMode(false)`
 * keeps it so), and `trusted_schema = OFF`, so no SQL function that is not
 * innocuous can run from the file's own schema (views, triggers, generated
 * columns, CHECK constraints, index expressions).
 */
export function hardenConnection(db: Database.Database): void {
  db.unsafeMode(false);
  db.pragma('trusted_schema = OFF');
}

/**
 * Opens a snapshot read-only, the only way any command opens one. Opening never
 * runs code from the file: the connection is hardened first, and a file whose
 * schema is not exactly the one Snapbench wrote (a trigger, a view, a virtual
 * table, a generated column, an extra table or index, a changed table
 * definition) is refused with one line naming what is wrong, before any of its
 * tables is read.
 */
export function openSnapshot(path: string, options: OpenOptions = {}): Database.Database {
  if (!existsSync(path)) throw new SnapshotFileError(`${path}: no such file`, 'check the path, or create a snapshot with "snapbench pull" or "snapbench demo"');
  if (statSync(path).isDirectory()) throw new SnapshotFileError(`${path}: is a directory, not a snapshot file`, 'give the path of a .snapbench file inside it');
  // A FIFO, device or socket would block the open or stream forever: only a regular file is read.
  if (!statSync(path).isFile()) throw new SnapshotFileError(`${path}: is not a regular file (a FIFO, device or socket), so not a snapshot`, 'give the path of a .snapbench file');
  // Before SQLite opens it: a WAL-mode file, or a -wal or hot -journal beside it, would make SQLite read (or write) bytes that are not the file's.
  const header = inspectFileHeader(path);
  if (isHeaderProblem(header)) throw new SnapshotFileError(`${path}: ${header.problem}`, header.hint);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new SnapshotFileError(`${path}: SQLite cannot open it (${(error as Error).message})`, 'the file is damaged; ask the sender for a fresh copy, or pull it again');
  }
  try {
    hardenConnection(db);
    db.pragma('query_only = 1');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    db.close();
    if (/malformed database schema/i.test((error as Error).message)) {
      throw new SnapshotFileError(`${path}: its schema is damaged (${(error as Error).message})`, 'the file was altered or truncated; pull it again');
    }
    throw new SnapshotFileError(`${path}: damaged: SQLite cannot read its schema (${(error as Error).message})`, 'the file was altered or truncated; ask the sender for a fresh copy, or pull it again');
  }
  const hasManifest = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = ?`).get(META.manifest);
  if (!hasManifest) {
    db.close();
    throw new SnapshotFileError(`${path}: not a Snapbench snapshot (no ${META.manifest} table)`, 'open a file written by "snapbench pull" or "snapbench demo"');
  }
  if (!options.inspect) {
    try {
      refuseAlteredSchema(db, path);
      const odd = catalogValueProblem(db);
      if (odd) throw new SnapshotFileError(`${path}: refused: ${odd}`, `it was changed after it was made; "snapbench verify ${path}" checks its hashes`);
    } catch (error) {
      db.close();
      throw error;
    }
  }
  return db;
}

/** Throws when the file's schema differs from the one Snapbench wrote (objects.ts names each difference). */
export function refuseAlteredSchema(db: Database.Database, path: string): void {
  const { manifest } = readManifest(db, path);
  const problems = schemaProblems(db, manifest);
  if (problems.length === 0) return;
  const code = problems.some((p) => p.runsCode);
  throw new SnapshotFileError(
    `${path}: refused: ${code ? 'it holds objects that would run code' : 'its schema is not the one Snapbench wrote'}: ${summarizeProblems(problems)}`,
    `it was changed after it was made; "snapbench verify ${path}" names every difference${code ? ' without running anything in it' : ''}`,
  );
}

/**
 * Opens a snapshot read-write to append to it (DQ results, a signature): first
 * read-only with every check of openSnapshot, and again on the read-write
 * connection before it is handed out, so nothing planted in the file can react
 * to the write.
 */
export function openSnapshotForWriting(path: string): Database.Database {
  openSnapshot(path).close();
  const db = new Database(path, { fileMustExist: true, timeout: 5000 });
  try {
    hardenConnection(db);
    refuseAlteredSchema(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export interface StoredManifest {
  body: string;
  rootSha256: string;
  manifest: SnapshotManifest;
}

export function readManifest(db: Database.Database, path: string): StoredManifest {
  // Read only the plain table Snapbench writes: a view or a changed table in its place could run code.
  const table = db.prepare(`SELECT type, sql FROM sqlite_master WHERE name = ?`).get(META.manifest) as { type: string; sql: string | null } | undefined;
  const known = [META_DDL, LEGACY_META_DDL].map((ddl) => ddlObjects(ddl).find((o) => o.name === META.manifest)?.sql);
  if (!table || table.type !== 'table' || !known.includes(table.sql ?? undefined)) {
    throw new SnapshotFileError(`${path}: the manifest table ${META.manifest} is not the one Snapbench writes (${table ? `a ${table.type} with another definition` : 'missing'}); it was not read`, 'the file was altered; pull it again');
  }
  const rows = db.prepare(`SELECT body, root_sha256 AS rootSha256 FROM ${META.manifest}`).all() as { body: string; rootSha256: string }[];
  if (rows.length !== 1) {
    throw new SnapshotFileError(`${path}: the manifest is missing or duplicated (${rows.length} rows in ${META.manifest})`, 'the file is incomplete or was altered; pull it again');
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(rows[0]!.body);
  } catch {
    throw new SnapshotFileError(`${path}: the manifest is not valid JSON`, 'the file was altered; pull it again');
  }
  // A body someone edited: one line naming the field, before any code reads it.
  const problem = manifestShapeProblem(manifest);
  if (problem) {
    const edited = rootHash(rows[0]!.body) !== rows[0]!.rootSha256 ? ' and no longer matches its root hash' : '';
    throw new SnapshotFileError(`${path}: not a manifest Snapbench writes${edited}: ${problem}`, 'the file was altered after it was made; ask the sender for a fresh copy, or pull again');
  }
  return { ...rows[0]!, manifest: manifest as SnapshotManifest };
}

/** Every data table of a snapshot; files made before `status` existed list every table as `pulled`. */
export function listTables(db: Database.Database): TableListing[] {
  const has = columnNames(db, META.tables);
  const status = has.has('status') ? 'status' : `'pulled'`;
  const reason = has.has('status_reason') ? 'status_reason' : 'NULL';
  return db
    .prepare(
      `SELECT instance, engine, database, schema, source_table AS "table", rows, sql_name AS sqlName, ${status} AS status, ${reason} AS statusReason
         FROM ${META.tables} WHERE kind <> 'pushdown' ORDER BY instance, database, source_table`,
    )
    .all() as TableListing[];
}

/** Warnings an adapter recorded for the user (server facts of category `pull_warning`). */
export function pullWarnings(db: Database.Database): { instance: string; warning: string }[] {
  return db
    .prepare(`SELECT instance, value AS warning FROM ${META.serverFacts} WHERE category = 'pull_warning' AND value IS NOT NULL ORDER BY instance, rowid`)
    .all() as { instance: string; warning: string }[];
}

/** The tables an SQL text names (by their snapshot name, ignoring case) that the pull did not read whole (--max-rows aside, which `limited` reports). */
export function tablesNotReadWhole(db: Database.Database, sql: string): TableListing[] {
  const text = sql.toLowerCase();
  return listTables(db).filter((t) => t.status !== 'pulled' && !(t.status === 'partial' && t.statusReason?.startsWith('--max-rows')) && text.includes(t.sqlName.slice(1, -1).replaceAll('""', '"').toLowerCase()));
}
