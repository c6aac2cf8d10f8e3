// "An output never replaces an input": every command that writes a file asks
// here first. Two paths name the same file when they resolve to the same
// device and inode (a symlink, a hard link, `./x` and `x`), or, for a file
// that does not exist yet, to the same real directory and name.
import Database from 'better-sqlite3';
import { closeSync, lstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { META } from './schema.ts';
import { inspectFileHeader, isHeaderProblem } from './fileHeader.ts';

/** An output path a command must not write; one line for the CLI, 'refused' for the API. */
export class OutputPathError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'OutputPathError';
  }
}

export interface CommandInput {
  /** As the user gave it (shown in the message). */
  path: string;
  /** What the file is to the command, e.g. "signing key (--sign)", "snapshot", "fleet manifest (--fleet)". */
  role: string;
}

export interface OutputRules {
  /** How the output is named in messages, e.g. "--out". Default "output". */
  label?: string;
  /**
   * What an existing file at the output path may be for the command to replace it:
   * - 'snapshot': only a Snapbench snapshot (a new pull, demo or share at the same path);
   * - 'not-database': anything but an SQLite database (a report, a manifest, an export);
   * - 'any' (default): no check beyond the inputs.
   */
  replaces?: 'snapshot' | 'not-database' | 'any';
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** The absolute path with every symlink of its directory resolved (the file itself may not exist yet). */
function realLocation(path: string): string {
  const full = resolve(path);
  try {
    return realpathSync(full);
  } catch {
    try {
      return resolve(realpathSync(dirname(full)), basename(full));
    } catch {
      return full;
    }
  }
}

function sameFile(a: string, aStat: Stats | null, b: string): boolean {
  const bStat = statOrNull(b);
  if (aStat && bStat) return aStat.dev === bStat.dev && aStat.ino === bStat.ino;
  if (aStat || bStat) return false;
  return realLocation(a) === realLocation(b);
}

/** The files SQLite opens beside a database (rollback journal, write-ahead log and its index). */
const SQLITE_SIDE_FILES = ['-journal', '-wal', '-shm'] as const;

const SQLITE_HEADER = Buffer.from('SQLite format 3\u0000', 'latin1');

/** True when the file starts with SQLite's header (read without opening it as a database). */
export function isSqliteFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** True when the file is an SQLite database with a Snapbench manifest table (only its schema is read). */
export function isSnapshotFile(path: string): boolean {
  if (!isSqliteFile(path)) return false;
  // A WAL-mode file, or one with a -wal or -journal beside it, is not opened (SQLite would create or read files beside it).
  try {
    if (isHeaderProblem(inspectFileHeader(path))) return false;
  } catch {
    return false;
  }
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(META.manifest) !== undefined;
  } catch {
    return false;
  } finally {
    db?.close();
  }
}

/**
 * Throws an OutputPathError when `output` is the same file as one of `inputs`
 * (after resolving symlinks and hard links), or is an existing file the
 * command must not replace (see OutputRules.replaces). Call it before any work.
 */
export function refuseOutputOverInput(output: string, inputs: CommandInput[], rules: OutputRules = {}): void {
  const label = rules.label ?? 'output';
  const outStat = statOrNull(output);
  for (const input of inputs) {
    if (!input.path || !sameFile(output, outStat, input.path)) continue;
    const what = resolve(output) === resolve(input.path) ? `the ${input.role}` : `the ${input.role} ${input.path} (the same file through a link)`;
    throw new OutputPathError(
      `${label} ${output}: is ${what}; an output never replaces one of its inputs`,
      'write the output to another path',
    );
  }
  // SQLite reads a -wal beside a database as part of it and rolls a -journal back into it: an output there would change the input.
  for (const input of inputs) {
    if (!input.path) continue;
    // SQLite names them after the database's real path (symlinks resolved), so both spellings count.
    const bases = [input.path, realLocation(input.path)];
    const side = SQLITE_SIDE_FILES.find((suffix) => bases.some((base) => sameFile(output, outStat, `${base}${suffix}`)));
    if (side) {
      throw new OutputPathError(
        `${label} ${output}: is where SQLite looks for the ${side} file of the ${input.role} ${input.path}; an output there would be read as part of it`,
        'write the output to another path',
      );
    }
  }
  if (!outStat) {
    // A dangling symlink: writing would follow it somewhere the user did not name.
    try {
      if (lstatSync(output).isSymbolicLink()) throw new OutputPathError(`${label} ${output}: is a symbolic link to a file that does not exist`, 'give the path of a regular file');
    } catch (error) {
      if (error instanceof OutputPathError) throw error;
    }
    return;
  }
  if (!outStat.isFile()) return; // directories and devices are each command's own check
  const replaces = rules.replaces ?? 'any';
  if (replaces === 'snapshot' && !isSnapshotFile(output)) {
    throw new OutputPathError(`${label} ${output}: exists and is not a Snapbench snapshot; it is not replaced`, 'choose a new file name, or delete the file first if it is really not needed');
  }
  if (replaces === 'not-database' && isSqliteFile(output)) {
    throw new OutputPathError(
      `${label} ${output}: is ${isSnapshotFile(output) ? 'a Snapbench snapshot' : 'an SQLite database'}; it is not replaced by this output`,
      'choose a new file name for the output',
    );
  }
}
