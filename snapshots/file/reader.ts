// Opens snapshot files for reading. Reading never changes a file: it is opened
// read-only, so not even a journal or a WAL file appears next to it.
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import type { SnapshotManifest, TableListing } from '../../shared/model/snapshot.ts';
import { META, tableColumns } from './schema.ts';

export class SnapshotFileError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'SnapshotFileError';
  }
}

export function openSnapshot(path: string): Database.Database {
  if (!existsSync(path)) throw new SnapshotFileError(`${path}: no such file`, 'check the path, or create a snapshot with "snapbench pull" or "snapbench demo"');
  if (statSync(path).isDirectory()) throw new SnapshotFileError(`${path}: is a directory, not a snapshot file`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('query_only = 1');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch {
    throw new SnapshotFileError(`${path}: not an SQLite file`, 'snapshot files are SQLite databases written by "snapbench pull"');
  }
  const hasManifest = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(META.manifest);
  if (!hasManifest) {
    db.close();
    throw new SnapshotFileError(`${path}: not a Snapbench snapshot (no ${META.manifest} table)`, 'open a file written by "snapbench pull" or "snapbench demo"');
  }
  return db;
}

export interface StoredManifest {
  body: string;
  rootSha256: string;
  manifest: SnapshotManifest;
}

export function readManifest(db: Database.Database, path: string): StoredManifest {
  const rows = db.prepare(`SELECT body, root_sha256 AS rootSha256 FROM ${META.manifest}`).all() as { body: string; rootSha256: string }[];
  if (rows.length !== 1) {
    throw new SnapshotFileError(`${path}: the manifest is missing or duplicated (${rows.length} rows in ${META.manifest})`, 'the file is incomplete or was altered; pull it again');
  }
  try {
    return { ...rows[0]!, manifest: JSON.parse(rows[0]!.body) as SnapshotManifest };
  } catch {
    throw new SnapshotFileError(`${path}: the manifest is not valid JSON`, 'the file was altered; pull it again');
  }
}

/** Every data table of a snapshot; files made before `status` existed list every table as `pulled`. */
export function listTables(db: Database.Database): TableListing[] {
  const has = tableColumns(db, META.tables);
  const status = has.has('status') ? 'status' : `'pulled'`;
  const reason = has.has('status_reason') ? 'status_reason' : 'NULL';
  return db
    .prepare(
      `SELECT instance, engine, database, schema, source_table AS "table", rows, sql_name AS sqlName, ${status} AS status, ${reason} AS statusReason
         FROM ${META.tables} ORDER BY instance, database, source_table`,
    )
    .all() as TableListing[];
}

/** Warnings an adapter recorded for the user (server facts of category `pull_warning`). */
export function pullWarnings(db: Database.Database): { instance: string; warning: string }[] {
  return db
    .prepare(`SELECT instance, value AS warning FROM ${META.serverFacts} WHERE category = 'pull_warning' AND value IS NOT NULL ORDER BY instance, rowid`)
    .all() as { instance: string; warning: string }[];
}
