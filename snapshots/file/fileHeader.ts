// What a snapshot file must look like before SQLite is let near it. SQLite reads
// more than the file it is given: a `-wal` file beside it is merged into what
// every query sees (even when the header says the file is not in WAL mode), and
// a hot `-journal` is rolled back into the file by the first connection that may
// write. Both would let bytes that are not in the file decide what `verify`
// hashes, and opening a WAL-mode file read-only creates `-shm` and `-wal` files
// beside it. Snapbench never writes either (its files use a rollback journal
// that is gone when the write ends), so such a file is refused with one line
// before it is opened. The header is read with plain file reads.
import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\u0000', 'latin1');
const HEADER_BYTES = 100;

export interface HeaderFacts {
  pageSize: number;
  /** The page count the header records, or null where SQLite would not trust it (an old writer). */
  pages: number | null;
  /** The file's size in bytes. */
  bytes: number;
  userVersion: number;
  applicationId: number;
}

/** A file that is not an SQLite database Snapbench could have written, in one line, with what to do. */
export interface HeaderProblem {
  problem: string;
  hint: string;
}

/** The size of a file beside the snapshot; Infinity for a FIFO, device or directory there (SQLite would open it and wait). */
function sidecarSize(path: string): number | null {
  try {
    const stat = statSync(path);
    return stat.isFile() ? stat.size : Number.POSITIVE_INFINITY;
  } catch {
    return null;
  }
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function sizeText(size: number): string {
  return Number.isFinite(size) ? `${size} bytes` : 'not a regular file';
}

/**
 * Reads a file's SQLite header and looks beside it. Returns the header's facts,
 * or the one problem that keeps the file from being opened: not SQLite (a zip,
 * an encrypted or random file), a damaged header, a truncated file, WAL mode,
 * or a `-wal` or hot `-journal` file next to it.
 */
export function inspectFileHeader(path: string): HeaderFacts | HeaderProblem {
  const fd = openSync(path, 'r');
  let head: Buffer;
  let bytes: number;
  try {
    bytes = fstatSync(fd).size;
    head = Buffer.alloc(HEADER_BYTES);
    const read = readSync(fd, head, 0, HEADER_BYTES, 0);
    head = head.subarray(0, read);
  } finally {
    closeSync(fd);
  }
  const fresh = 'ask the sender for a fresh copy, or pull the snapshot again';
  if (bytes === 0) return { problem: 'is empty (0 bytes), not a snapshot', hint: 'the copy did not complete; ' + fresh };
  if (head.subarray(0, 4).equals(Buffer.from('PK\u0003\u0004', 'latin1'))) return { problem: 'is a zip archive, not a snapshot', hint: 'unzip it and give the .snapbench file inside' };
  if (head.length < SQLITE_MAGIC.length || !head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    return { problem: 'not an SQLite file (encrypted, compressed or another kind of file)', hint: 'snapshot files are SQLite databases written by "snapbench pull"' };
  }
  if (head.length < HEADER_BYTES) return { problem: `is truncated (${bytes} bytes, less than an SQLite header)`, hint: fresh };
  const rawPageSize = head.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    return { problem: `its SQLite header is damaged (page size ${rawPageSize})`, hint: fresh };
  }
  if (head[18] === 2 || head[19] === 2) {
    return {
      problem: 'is in WAL mode, which Snapbench never writes; reading it would create -wal and -shm files beside it and take data from them',
      hint: `if you converted it yourself, convert it back with: sqlite3 ${path} "PRAGMA journal_mode=DELETE"; else ${fresh}`,
    };
  }
  if (head[18] !== 1 || head[19] !== 1) return { problem: `its SQLite header is damaged (file format versions ${head[18]}/${head[19]})`, hint: fresh };
  // The in-header page count is valid only when its "version valid for" matches the change counter (as SQLite itself decides).
  const headerPages = head.readUInt32BE(28);
  const pages = headerPages > 0 && head.readUInt32BE(92) === head.readUInt32BE(24) ? headerPages : null;
  if (pages !== null && bytes < pages * pageSize) {
    return { problem: `is truncated: ${bytes} bytes, its header says ${pages} pages of ${pageSize} bytes (${pages * pageSize} bytes)`, hint: fresh };
  }
  // SQLite names its side files after the database's real path: through a symlink, they sit beside the target.
  for (const base of new Set([path, realPath(path)])) {
    const wal = sidecarSize(`${base}-wal`);
    if (wal !== null && wal > 0) {
      return {
        problem: `has a write-ahead log beside it (${base}-wal, ${sizeText(wal)}): SQLite would read data from it that the file itself does not hold; it was not opened`,
        hint: 'a Snapbench file never has one: verify the file without it (move the -wal file away), or ask the sender for a fresh copy',
      };
    }
    const journal = sidecarSize(`${base}-journal`);
    if (journal !== null && journal > 0) {
      return {
        problem: `has a rollback journal beside it (${base}-journal, ${sizeText(journal)}): SQLite would roll it back into the file, changing it; it was not opened`,
        hint: 'a finished Snapbench file never has one: move the -journal file away and verify the file alone, or ask the sender for a fresh copy',
      };
    }
  }
  return { pageSize, pages, bytes, userVersion: head.readUInt32BE(60), applicationId: head.readUInt32BE(68) };
}

export function isHeaderProblem(value: HeaderFacts | HeaderProblem): value is HeaderProblem {
  return 'problem' in value;
}
