// `snapbench export`: a snapshot as a dataset for Spark, Trino, Doris and DuckDB.
// One Parquet (or Arrow IPC) file per data table at
// DIR/<instance>/<database>/<source_table>.<ext>, the catalog tables under
// DIR/_snapbench/, and DIR/_snapbench_export.json naming the snapshot's root
// hash and every file's sha256, rows and column types. The rows exported are
// checked against the manifest's content hashes while they are read, so an
// altered snapshot is refused rather than exported under its old root hash.
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { RecordBatch, Schema } from 'apache-arrow';
import type { SqlValue } from '../../shared/model/snapshot.ts';
import { quoteIdentifier } from '../../shared/model/sql.ts';
import { loadCatalog, resolveTables, type CatalogTable } from '../dq/catalog.ts';
import { rootHash, tableContentHash } from '../file/hash.ts';
import { refuseOutputOverInput } from '../file/outputPath.ts';
import { openSnapshot, readManifest, SnapshotFileError } from '../file/reader.ts';
import { SIGNATURES_TABLE } from '../file/signature.ts';
import { TOOL_VERSION } from '../version.ts';
import { exportBatch, exportSchema, typedValue } from './batch.ts';
import { asText, exportTypeName, planColumn, type ExportColumn, type SourceColumn } from './columns.ts';
import { writeArrowFile, writeParquetFile, type FileFormat, type WrittenFile } from './files.ts';

export const EXPORT_MANIFEST = '_snapbench_export.json';
/** Catalog tables go in this folder of the export. */
export const CATALOG_FOLDER = '_snapbench';

/**
 * Rows per record batch read from the snapshot, or fewer when they are wide, and
 * rows per Parquet row group (DuckDB writes 122,880; Spark about 128 MB). Peak RSS
 * of a 1M / 3M-row export (15 columns): 325 / 343 MB with these, 434 / 600 MB with
 * 64K-row 16 MB batches and 1M-row groups (parquet-wasm's memory holds a group).
 */
const BATCH_ROWS = 16_384;
const BATCH_BYTES = 4 << 20;
/** A row group holds about this many bytes of Arrow data, and at most MAX_GROUP_ROWS rows. */
const ROW_GROUP_BYTES = 128 << 20;
const MAX_GROUP_ROWS = 1 << 18;
/** Distinct values listed per column kept as text. */
const MAX_LISTED_VALUES = 10_000;

export class ExportError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'ExportError';
  }
}

export interface KeptAsText {
  column: string;
  declaredType: string;
  reason: string;
  /** Every distinct value that is not a valid value of the declared type, with how many rows hold it. */
  values: { value: string; rows: number }[];
  /** Distinct values beyond those listed (only when there are more than MAX_LISTED_VALUES). */
  valuesNotListed?: number;
}

export interface ExportedFile {
  /** Relative to the export directory, with "/" separators. */
  path: string;
  /** The snapshot table: instance/database/table, or the catalog table's name. */
  table: string;
  kind: 'table' | 'redis-keys' | 'pushdown' | 'catalog';
  instance: string | null;
  engine: string | null;
  database: string | null;
  sourceTable: string;
  rows: number;
  /** True when --max-rows cut the table in the pull. */
  limited: boolean;
  bytes: number;
  sha256: string;
  /** The content hash of the snapshot table the rows came from (checked while exporting). */
  snapshotTableSha256: string | null;
  columns: { name: string; declaredType: string; storage: string | null; exportType: string; note?: string }[];
  keptAsText: KeptAsText[];
}

export interface ExportManifest {
  format: 'snapbench-export';
  formatVersion: 1;
  fileFormat: FileFormat;
  tool: { name: 'snapbench'; version: string };
  createdAt: string;
  /** The snapshot's root hash (sha256 of its manifest body). */
  rootSha256: string;
  snapshot: { file: string; rootSha256: string; createdAt: string; fleet: string | null };
  tables: string[] | null;
  files: ExportedFile[];
  complete: true;
}

export interface ExportOptions {
  file: string;
  out: string;
  format: FileFormat;
  /** Table references or globs (t_order, db.t_order, instance/db/t_*); null exports every table. */
  tables: string[] | null;
  onTable?: (file: ExportedFile) => void;
  now?: () => Date;
}

/** One path segment from a name a snapshot holds: no separator, no "..", nothing a file system refuses. */
export function pathSegment(name: string): string {
  let segment = name.replace(/[/\\\x00-\x1f\x7f%:*?"<>|]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  if (segment === '' || /^\.+$/.test(segment)) segment = segment.replace(/\./g, '%2E') || '%20';
  if (Buffer.byteLength(segment) > 200) segment = `${segment.slice(0, 80)}~${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
  return segment;
}

interface PlannedTable {
  name: string;
  kind: ExportedFile['kind'];
  instance: string | null;
  engine: string | null;
  database: string | null;
  sourceTable: string;
  limited: boolean;
  relativePath: string;
  sources: SourceColumn[];
}

function physicalColumnNames(db: Database.Database, table: string): { name: string; type: string }[] {
  return db.prepare(`SELECT name, type FROM pragma_table_info(?) ORDER BY cid`).all(table) as { name: string; type: string }[];
}

function dataTablePlan(db: Database.Database, table: CatalogTable): SourceColumn[] {
  const physical = physicalColumnNames(db, table.name);
  const byColumn = new Map(table.columns.map((c) => [c.sqlColumn, c]));
  return physical.map((p) => {
    const c = byColumn.get(p.name);
    return c ? { name: c.name, sqlColumn: c.sqlColumn, declaredType: c.declaredType, storage: c.storage } : { name: p.name, sqlColumn: p.name, declaredType: p.type, storage: null };
  });
}

/** Column names unique case-insensitively (Spark and Hive compare them so). */
function uniqueNames(columns: SourceColumn[]): SourceColumn[] {
  const used = new Set<string>();
  return columns.map((c) => {
    let name = c.name === '' ? '_' : c.name;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${c.name}~${n}`;
    used.add(name.toLowerCase());
    return { ...c, name };
  });
}

function planTables(db: Database.Database, selected: CatalogTable[], extension: string): PlannedTable[] {
  const usedPaths = new Set<string>();
  const place = (parts: string[]) => {
    const base = parts.map(pathSegment).join('/');
    let path = `${base}.${extension}`;
    for (let n = 2; usedPaths.has(path.toLowerCase()); n++) path = `${base}~${n}.${extension}`;
    usedPaths.add(path.toLowerCase());
    return path;
  };
  usedPaths.add(`${EXPORT_MANIFEST}`.toLowerCase());
  const catalogTables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_snapbench\\_%' ESCAPE '\\' ORDER BY name`).pluck().all() as string[]).filter(
    (name) => name !== SIGNATURES_TABLE,
  );
  // Catalog tables first, so their folder name is never taken by an instance of the same name.
  const catalog: PlannedTable[] = catalogTables.map((name) => ({
    name,
    kind: 'catalog',
    instance: null,
    engine: null,
    database: null,
    sourceTable: name,
    limited: false,
    relativePath: place([CATALOG_FOLDER, name]),
    sources: physicalColumnNames(db, name).map((c) => ({ name: c.name, sqlColumn: c.name, declaredType: c.type, storage: null })),
  }));
  const data: PlannedTable[] = selected.map((t) => ({
    name: t.name,
    kind: t.kind,
    instance: t.instance,
    engine: t.engine,
    database: t.database,
    sourceTable: t.sourceTable,
    limited: t.limited,
    relativePath: place([t.instance, t.database, t.sourceTable]),
    sources: uniqueNames(dataTablePlan(db, t)),
  }));
  return [...data, ...catalog];
}

/** Finds the values of DECIMAL and date/time columns that their Parquet type cannot hold; such a column is kept as text. */
function checkTypedColumns(db: Database.Database, table: string, planned: ExportColumn[]): { columns: ExportColumn[]; keptAsText: KeptAsText[] } {
  // Catalog tables are typed by their SQLite declaration, which does not bind a value's type: their INTEGER columns are checked too.
  const looseInteger = (c: ExportColumn) => c.storage === null && c.kind === 'int64';
  const checked = planned.flatMap((c, i) => (c.kind === 'decimal' || c.kind === 'date' || c.kind === 'timestamp' || looseInteger(c) ? [i] : []));
  if (checked.length === 0) return { columns: planned, keptAsText: [] };
  const invalid = checked.map(() => new Map<string, number>());
  const sql = `SELECT ${checked.map((i) => quoteIdentifier(planned[i]!.sqlColumn)).join(', ')} FROM ${quoteIdentifier(table)}`;
  for (const row of db.prepare(sql).raw(true).safeIntegers(true).iterate() as IterableIterator<SqlValue[]>) {
    for (let k = 0; k < checked.length; k++) {
      const value = row[k]!;
      if (value === null) continue;
      const column = planned[checked[k]!]!;
      if (looseInteger(column) ? typeof value === 'bigint' : typedValue(column, value) !== null) continue;
      const text = value instanceof Uint8Array ? `0x${Buffer.from(value).toString('hex')}` : String(value);
      invalid[k]!.set(text, (invalid[k]!.get(text) ?? 0) + 1);
    }
  }
  const columns = [...planned];
  const keptAsText: KeptAsText[] = [];
  checked.forEach((i, k) => {
    const values = invalid[k]!;
    if (values.size === 0) return;
    const column = planned[i]!;
    const what = column.kind === 'decimal' ? `DECIMAL(${column.precision},${column.scale})` : column.kind === 'date' ? 'a DATE' : column.kind === 'int64' ? 'integers' : 'a TIMESTAMP';
    const reason = `${values.size} distinct value(s) in ${[...values.values()].reduce((a, b) => a + b, 0)} row(s) are not ${what} (zero dates, infinity, NaN, years outside 1-9999): the column is kept as the exact text`;
    columns[i] = asText(column, reason);
    const listed = [...values.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    keptAsText.push({
      column: column.name,
      declaredType: column.declaredType,
      reason,
      values: listed.slice(0, MAX_LISTED_VALUES).map(([value, rows]) => ({ value, rows })),
      ...(listed.length > MAX_LISTED_VALUES ? { valuesNotListed: listed.length - MAX_LISTED_VALUES } : {}),
    });
  });
  return { columns, keptAsText };
}

/** The content hash of rows as read back from SQLite (the manifest's row encoding); gives up on REAL values. */
class ReadHasher {
  private readonly hash = createHash('sha256');
  exact = true;

  update(row: readonly SqlValue[]): void {
    if (!this.exact) return;
    let line = '';
    for (let c = 0; c < row.length; c++) {
      const v = row[c]!;
      if (c > 0) line += ',';
      if (v === null) line += 'n:0:';
      else if (typeof v === 'bigint') {
        const digits = v.toString();
        line += `i:${digits.length}:${digits}`;
      } else if (typeof v === 'string') line += `t:${Buffer.byteLength(v)}:${v}`;
      else if (v instanceof Uint8Array) {
        this.hash.update(`${line}b:${v.byteLength}:`);
        this.hash.update(v);
        line = '';
      } else {
        // A REAL's bytes are SQLite's own rendering: hashed with SQL afterwards.
        this.exact = false;
        return;
      }
    }
    this.hash.update(line + '\n');
  }

  digest(): string | null {
    return this.exact ? this.hash.digest('hex') : null;
  }
}

function estimatedBytes(row: readonly SqlValue[]): number {
  let bytes = 8 * row.length;
  for (const v of row) if (typeof v === 'string' || v instanceof Uint8Array) bytes += v.length;
  return bytes;
}

async function exportTable(
  db: Database.Database,
  table: PlannedTable,
  expected: { rows: number; sha256: string } | null,
  out: string,
  format: FileFormat,
): Promise<ExportedFile> {
  const { columns, keptAsText } = checkTypedColumns(db, table.name, table.sources.map(planColumn));
  const schema: Schema = exportSchema(columns);
  const where = `table ${table.name}`;
  const statement = db.prepare(`SELECT ${columns.map((c) => quoteIdentifier(c.sqlColumn)).join(', ')} FROM ${quoteIdentifier(table.name)} ORDER BY rowid`);
  const rowsIterator = statement.raw(true).safeIntegers(true).iterate() as IterableIterator<SqlValue[]>;
  const hasher = new ReadHasher();
  let rows = 0;
  let ended = false;
  const next = (): RecordBatch | null => {
    if (ended) return null;
    const batch: SqlValue[][] = [];
    let bytes = 0;
    while (batch.length < BATCH_ROWS && bytes < BATCH_BYTES) {
      const item = rowsIterator.next();
      if (item.done) {
        ended = true;
        break;
      }
      hasher.update(item.value);
      batch.push(item.value);
      bytes += estimatedBytes(item.value);
    }
    rows += batch.length;
    return batch.length > 0 ? exportBatch(schema, columns, batch, where) : null;
  };
  const path = join(out, ...table.relativePath.split('/'));
  mkdirSync(join(path, '..'), { recursive: true });
  let written: WrittenFile;
  try {
    const first = next() ?? exportBatch(schema, columns, [], where);
    if (format === 'parquet') {
      const perRow = first.numRows > 0 ? Math.max(1, columns.reduce((n, _c, i) => n + (first.getChildAt(i)?.byteLength ?? 0), 0) / first.numRows) : 64;
      const groupRows = Math.max(1024, Math.min(MAX_GROUP_ROWS, Math.floor(ROW_GROUP_BYTES / perRow)));
      written = await writeParquetFile(path, first, next, groupRows);
    } else {
      written = writeArrowFile(path, schema, first, next);
    }
  } finally {
    if (!ended) rowsIterator.return?.();
  }
  let snapshotSha256: string | null = null;
  if (expected) {
    const sha256 = hasher.digest() ?? tableContentHash(db, table.name).sha256;
    if (sha256 !== expected.sha256 || rows !== expected.rows) {
      rmSync(path, { force: true });
      throw new ExportError(
        `${where}: its rows differ from the snapshot's manifest (content hash ${sha256.slice(0, 12)}…, the manifest records ${expected.sha256.slice(0, 12)}…): the file was altered`,
        'run "snapbench verify" on it; export only an intact snapshot',
      );
    }
    snapshotSha256 = sha256;
  }
  return {
    path: table.relativePath,
    table: table.name,
    kind: table.kind,
    instance: table.instance,
    engine: table.engine,
    database: table.database,
    sourceTable: table.sourceTable,
    rows,
    limited: table.limited,
    bytes: written.bytes,
    sha256: written.sha256,
    snapshotTableSha256: snapshotSha256,
    columns: columns.map((c) => ({ name: c.name, declaredType: c.declaredType, storage: c.storage, exportType: exportTypeName(c), ...(c.note ? { note: c.note } : {}) })),
    keptAsText,
  };
}

function selectTables(db: Database.Database, refs: string[] | null): CatalogTable[] {
  const catalog = loadCatalog(db);
  const kinds = ['table', 'redis-keys'] as const;
  if (!refs) return catalog.tables.filter((t) => (kinds as readonly string[]).includes(t.kind));
  const chosen = new Set<CatalogTable>();
  for (const ref of refs) {
    const found = resolveTables(catalog, ref, { kinds });
    if (found.length === 0) throw new ExportError(`--tables ${ref}: matches no table of the snapshot`, 'list them with "snapbench tables FILE"; globs such as "t_*" or "instance/db/*" work');
    for (const t of found) chosen.add(t);
  }
  return catalog.tables.filter((t) => chosen.has(t));
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/** Prepares the output directory; an earlier export there is replaced, anything else is refused. */
function prepareOutput(out: string, snapshotFile: string): void {
  const target = resolve(out);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new ExportError(`--out ${out}: is a file, not a directory`, 'give a new or empty directory');
    const entries = readdirSync(target);
    const previous = join(target, EXPORT_MANIFEST);
    if (entries.length > 0 && !existsSync(previous)) {
      throw new ExportError(`--out ${out}: the directory is not empty and holds no earlier export`, 'give a new or empty directory (an earlier export there is replaced)');
    }
    if (existsSync(previous)) {
      let old: Partial<ExportManifest> = {};
      try {
        old = JSON.parse(readFileSync(previous, 'utf8')) as Partial<ExportManifest>;
      } catch {
        // unreadable: only the manifest itself is removed
      }
      // The old listing goes first: a half-done new export never looks complete.
      rmSync(previous, { force: true });
      for (const file of old.files ?? []) {
        const path = resolve(target, String(file.path));
        if (isInside(path, target) && path !== resolve(snapshotFile)) rmSync(path, { force: true });
      }
    }
  } else {
    try {
      mkdirSync(target, { recursive: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'a part of the path is a file, not a directory' : code === 'EACCES' || code === 'EPERM' ? 'the directory cannot be created here (permission denied)' : 'the directory cannot be created';
      throw new ExportError(`--out ${out}: ${why}`, 'give a new or empty directory where you can write');
    }
  }
}

export async function exportSnapshot(options: ExportOptions): Promise<ExportManifest> {
  const now = options.now ?? (() => new Date());
  const db = openSnapshot(options.file);
  try {
    const stored = readManifest(db, options.file);
    if (rootHash(stored.body) !== stored.rootSha256) {
      throw new SnapshotFileError(`${options.file}: the manifest does not match its root hash: the file was altered`, 'run "snapbench verify" on it; export only an intact snapshot');
    }
    const selected = selectTables(db, options.tables);
    const out = resolve(options.out);
    const extension = options.format === 'parquet' ? 'parquet' : 'arrow';
    const planned = planTables(db, selected, extension);
    const snapshotPath = resolve(options.file);
    // An output never replaces an input: not the directory itself, nor any file written into it.
    const inputs = [{ path: options.file, role: 'snapshot' }];
    refuseOutputOverInput(options.out, inputs, { label: '--out' });
    for (const t of [...planned.map((p) => p.relativePath), EXPORT_MANIFEST]) {
      refuseOutputOverInput(join(out, ...t.split('/')), inputs, { label: `--out ${options.out}: ${t}` });
    }
    prepareOutput(options.out, options.file);
    const files: ExportedFile[] = [];
    for (const table of planned) {
      const expected = stored.manifest.hashes[table.name] ?? null;
      const file = await exportTable(db, table, expected, out, options.format);
      files.push(file);
      options.onTable?.(file);
    }
    const manifest: ExportManifest = {
      format: 'snapbench-export',
      formatVersion: 1,
      fileFormat: options.format,
      tool: { name: 'snapbench', version: TOOL_VERSION },
      createdAt: now().toISOString(),
      rootSha256: stored.rootSha256,
      snapshot: { file: snapshotPath, rootSha256: stored.rootSha256, createdAt: stored.manifest.createdAt, fleet: stored.manifest.fleet?.name ?? null },
      tables: options.tables,
      files,
      complete: true,
    };
    const temp = join(out, `.${EXPORT_MANIFEST}.partial-${process.pid}`);
    writeFileSync(temp, JSON.stringify(manifest, null, 2) + '\n');
    renameSync(temp, join(out, EXPORT_MANIFEST));
    return manifest;
  } finally {
    db.close();
  }
}
