// What a snapshot file may hold: the SQLite objects Snapbench creates, and a
// comparison of a file's schema (sqlite_master and each table's columns) with
// them. The writer records its schema in the manifest (`schema`), so the root
// hash and a signature cover it; files made before that carry no record, and
// their expected schema is rebuilt from the hashed catalog (`_snapbench_columns`
// holds every data column's name, order, storage and declared type).
//
// Nothing here reads a row of an object before knowing it is a plain table of
// the expected kind: a view or a virtual table runs code when read.
import Database from 'better-sqlite3';
import type { ColumnRecord, RecordedSchema, SchemaObject, StorageKind } from '../../shared/model/snapshot.ts';
import { quoteIdentifier } from '../../shared/model/sql.ts';
import { DQ_DDL, LEGACY_META_DDL, META, NO_COLUMNS_PLACEHOLDER, SIGNATURES_DDL, sqliteColumnType } from './schema.ts';

export type { ColumnRecord, RecordedSchema, SchemaObject } from '../../shared/model/snapshot.ts';

/**
 * What may be added to a finished snapshot outside the manifest's hashes, and
 * the only definitions it may have: signatures (they sign the root hash) and
 * stored DQ results (each run carries its own hash).
 */
export const UNHASHED_DDL = [SIGNATURES_DDL, DQ_DDL] as const;

/** The objects UNHASHED_DDL creates, with their columns. */
export function unhashedSchema(): { objects: Map<string, SchemaObject>; columns: Record<string, ColumnRecord[]> } {
  const objects = new Map<string, SchemaObject>();
  const columns: Record<string, ColumnRecord[]> = {};
  for (const ddl of UNHASHED_DDL) {
    const schema = ddlSchema(ddl);
    for (const o of schema.objects) objects.set(o.name, o);
    Object.assign(columns, schema.columns);
  }
  return { objects, columns };
}

const ddlCache = new Map<string, { objects: SchemaObject[]; columns: Record<string, ColumnRecord[]> }>();

/** The objects (as sqlite_master stores them) and columns a DDL script creates, from an in-memory database. */
export function ddlSchema(ddl: string): { objects: SchemaObject[]; columns: Record<string, ColumnRecord[]> } {
  let schema = ddlCache.get(ddl);
  if (!schema) {
    const db = new Database(':memory:');
    try {
      db.exec(ddl);
      const objects = readSchemaObjects(db);
      const columns: Record<string, ColumnRecord[]> = {};
      for (const o of objects) if (o.type === 'table') columns[o.name] = tableColumns(db, o.name);
      schema = { objects, columns };
    } finally {
      db.close();
    }
    ddlCache.set(ddl, schema);
  }
  return schema;
}

export function ddlObjects(ddl: string): SchemaObject[] {
  return ddlSchema(ddl).objects;
}

/** sqlite_master, in its own order. */
export function readSchemaObjects(db: Database.Database): SchemaObject[] {
  return db.prepare(`SELECT type, name, tbl_name AS "table", sql FROM sqlite_master ORDER BY rowid`).all() as SchemaObject[];
}

export function tableColumns(db: Database.Database, table: string): ColumnRecord[] {
  return (db.prepare(`SELECT name, type, hidden FROM pragma_table_xinfo(?) ORDER BY cid`).raw(true).all(table) as [string, string, number | bigint][]).map(
    ([name, type, hidden]) => [name, type, Number(hidden)],
  );
}

/** What the writer puts in the manifest once every table exists: all objects of the file and the columns of its tables. */
export function recordSchema(db: Database.Database): RecordedSchema {
  const objects = readSchemaObjects(db);
  const columns: Record<string, ColumnRecord[]> = {};
  for (const o of objects) if (o.type === 'table') columns[o.name] = tableColumns(db, o.name);
  return { objects, columns };
}

/** The CREATE TABLE of a data table: each column with the type its storage kind needs (schema.ts). */
export function dataTableDdl(table: string, columns: readonly { sqlColumn: string; storage: StorageKind; declaredType: string }[]): string {
  const definitions = (columns.length > 0 ? columns : [{ sqlColumn: NO_COLUMNS_PLACEHOLDER.name, ...NO_COLUMNS_PLACEHOLDER }]).map((c) =>
    `${quoteIdentifier(c.sqlColumn)} ${sqliteColumnType(c.storage, c.declaredType)}`.trim(),
  );
  return `CREATE TABLE ${quoteIdentifier(table)} (${definitions.join(', ')})`;
}

/** A table is virtual when its definition says so; reading one runs its module's code. */
export function isVirtualTable(object: SchemaObject): boolean {
  return object.type === 'table' && object.sql !== null && /^\s*CREATE\s+VIRTUAL\s+TABLE\b/i.test(object.sql);
}

/** Objects that run code when the file is read or written: triggers, views, virtual tables. */
export function runsCode(object: SchemaObject): boolean {
  return object.type === 'trigger' || object.type === 'view' || isVirtualTable(object);
}

function isRecordedSchema(value: unknown): value is RecordedSchema {
  if (typeof value !== 'object' || value === null) return false;
  const { objects, columns } = value as { objects?: unknown; columns?: unknown };
  if (!Array.isArray(objects) || typeof columns !== 'object' || columns === null || Array.isArray(columns)) return false;
  const objectOk = (o: unknown) => {
    const x = o as Partial<SchemaObject> | null;
    return typeof x === 'object' && x !== null && typeof x.type === 'string' && typeof x.name === 'string' && typeof x.table === 'string' && (x.sql === null || typeof x.sql === 'string');
  };
  const columnsOk = (list: unknown) =>
    Array.isArray(list) && list.every((c) => Array.isArray(c) && c.length === 3 && typeof c[0] === 'string' && typeof c[1] === 'string' && typeof c[2] === 'number');
  return objects.every(objectOk) && Object.values(columns).every(columnsOk);
}

/** The table names of a manifest's `hashes`, or null when it has none in a usable shape. */
export function hashedTableNames(manifest: unknown): string[] | null {
  const hashes = (manifest as { hashes?: unknown } | null)?.hashes;
  if (typeof hashes !== 'object' || hashes === null || Array.isArray(hashes)) return null;
  return Object.keys(hashes);
}

export interface ExpectedSchema {
  /** Objects that must be present exactly so. */
  objects: SchemaObject[];
  /** Columns each expected table must have. */
  columns: Record<string, ColumnRecord[]>;
  /** True when the manifest records no schema and the expectation was rebuilt from the catalog. */
  rebuilt: boolean;
}

export interface SchemaProblem {
  /** `table "x"`, `view "y"`, … */
  object: string;
  problem: string;
  /** The object runs code when the file is read (trigger, view, virtual table, generated column). */
  runsCode: boolean;
}

function kindOf(o: SchemaObject): string {
  return isVirtualTable(o) ? 'virtual table' : o.type;
}

function describeObject(o: SchemaObject): string {
  return `${kindOf(o)} ${JSON.stringify(o.name)}`;
}

/**
 * The schema a file must have. From the manifest's record when it has one; else
 * rebuilt: the catalog tables from LEGACY_META_DDL (the only catalog files
 * without a record were written with), each data table from its rows of
 * `_snapbench_columns` (read only when that is the plain catalog table).
 */
export function expectedSchema(db: Database.Database, manifest: unknown, actual: SchemaObject[]): ExpectedSchema | { problem: SchemaProblem } {
  const recorded = (manifest as { schema?: unknown } | null)?.schema;
  if (recorded !== undefined) {
    if (!isRecordedSchema(recorded)) return { problem: { object: 'manifest', problem: 'its "schema" record is malformed', runsCode: false } };
    return { objects: recorded.objects, columns: recorded.columns, rebuilt: false };
  }
  const names = hashedTableNames(manifest) ?? [];
  const meta = ddlSchema(LEGACY_META_DDL);
  const catalog = actual.find((o) => o.name === META.columns);
  const catalogExpected = meta.objects.find((o) => o.name === META.columns)!;
  if (!catalog || catalog.type !== 'table' || catalog.sql !== catalogExpected.sql) {
    return { problem: { object: `table ${JSON.stringify(META.columns)}`, problem: 'is not the catalog table Snapbench writes, so the data tables cannot be checked against it', runsCode: false } };
  }
  const objects = [...meta.objects];
  const columns = { ...meta.columns };
  const metaNames = new Set<string>(Object.values(META));
  const read = db.prepare(`SELECT sql_column AS sqlColumn, storage, declared_type AS declaredType FROM ${META.columns} WHERE table_name = ? ORDER BY ordinal`);
  const scratch = new Database(':memory:');
  try {
    for (const table of names) {
      if (metaNames.has(table)) continue;
      const ddl = dataTableDdl(table, read.all(table) as { sqlColumn: string; storage: StorageKind; declaredType: string }[]);
      scratch.exec(ddl);
      objects.push(...readSchemaObjects(scratch).filter((o) => o.name === table));
      columns[table] = tableColumns(scratch, table);
      scratch.exec(`DROP TABLE ${quoteIdentifier(table)}`);
    }
  } finally {
    scratch.close();
  }
  return { objects, columns, rebuilt: true };
}

/** How one table's columns differ from the expected ones, in a few words. */
function columnDifference(expected: ColumnRecord[], actual: ColumnRecord[]): string | null {
  const show = (c: ColumnRecord) => `${JSON.stringify(c[0])}${c[1] ? ` ${c[1]}` : ''}`;
  const generated = actual.filter((c) => c[2] !== 0);
  if (generated.length > 0) {
    return `has ${generated.map((c) => `${c[2] >= 2 ? 'generated' : 'hidden'} column ${JSON.stringify(c[0])}`).join(', ')}`;
  }
  const expectedNames = new Set(expected.map((c) => c[0]));
  const actualNames = new Set(actual.map((c) => c[0]));
  const added = actual.filter((c) => !expectedNames.has(c[0]));
  const removed = expected.filter((c) => !actualNames.has(c[0]));
  if (added.length > 0 && removed.length > 0 && added.length === removed.length) {
    return `column${removed.length > 1 ? 's' : ''} renamed: ${removed.map((c, i) => `${JSON.stringify(c[0])} → ${JSON.stringify(added[i]![0])}`).join(', ')}`;
  }
  if (added.length > 0) return `column${added.length > 1 ? 's' : ''} added: ${added.map(show).join(', ')}`;
  if (removed.length > 0) return `column${removed.length > 1 ? 's' : ''} removed: ${removed.map(show).join(', ')}`;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (e[0] !== a[0]) return `columns reordered: column ${i + 1} is ${JSON.stringify(a[0])}, was ${JSON.stringify(e[0])}`;
    if (e[1] !== a[1]) return `column ${JSON.stringify(e[0])}: type ${JSON.stringify(e[1])} → ${JSON.stringify(a[1])}`;
  }
  return null;
}

/**
 * Every difference between a file's schema and the one Snapbench wrote, each
 * naming the object. Objects are compared by exact name, type, table and SQL
 * text; tables also by their column list (`pragma_table_xinfo`), which names a
 * renamed, reordered, added, hidden or generated column.
 */
export function schemaProblems(db: Database.Database, manifest: unknown): SchemaProblem[] {
  const actual = readSchemaObjects(db);
  const problems: SchemaProblem[] = [];
  const expected = expectedSchema(db, manifest, actual);
  if ('problem' in expected) {
    problems.push(expected.problem);
    // Still name every object that runs code.
    for (const o of actual) if (runsCode(o)) problems.push({ object: describeObject(o), problem: 'added: Snapbench never creates one', runsCode: true });
    return problems;
  }
  const byName = new Map(expected.objects.map((o) => [o.name, o]));
  const unhashed = unhashedSchema();
  const optional = unhashed.objects;
  const seen = new Set<string>();
  for (const o of actual) {
    seen.add(o.name);
    const want = byName.get(o.name) ?? optional.get(o.name);
    const code = runsCode(o);
    if (!want) {
      problems.push({ object: describeObject(o), problem: code ? 'added: Snapbench never creates one' : 'added after the snapshot was made', runsCode: code });
      continue;
    }
    if (want.type !== o.type || code) {
      problems.push({ object: describeObject(o), problem: `is a ${kindOf(o)} where Snapbench wrote a ${want.type}`, runsCode: code });
      continue;
    }
    const columns = o.type === 'table' ? columnDifference(expected.columns[o.name] ?? unhashed.columns[o.name] ?? [], tableColumns(db, o.name)) : null;
    const generated = columns !== null && columns.startsWith('has ');
    if (columns !== null) problems.push({ object: describeObject(o), problem: columns, runsCode: generated });
    else if (want.table !== o.table || want.sql !== o.sql) problems.push({ object: describeObject(o), problem: 'its definition (SQL text) differs from the one Snapbench wrote', runsCode: false });
  }
  for (const o of expected.objects) {
    if (!seen.has(o.name)) problems.push({ object: describeObject(o), problem: 'missing', runsCode: false });
  }
  if (!expected.rebuilt) {
    // The recorded column lists are part of what is signed: they must agree with the recorded objects too.
    for (const [table, recorded] of Object.entries(expected.columns)) {
      const o = actual.find((a) => a.name === table && a.type === 'table' && !isVirtualTable(a));
      if (!o || !byName.has(table)) continue;
      const difference = columnDifference(recorded, tableColumns(db, table));
      if (difference && !problems.some((p) => p.object === describeObject(o))) problems.push({ object: describeObject(o), problem: difference, runsCode: false });
    }
  }
  return problems;
}

/** A short line listing problems, the ones that run code first. */
export function summarizeProblems(problems: readonly SchemaProblem[], max = 4): string {
  const ordered = [...problems].sort((a, b) => Number(b.runsCode) - Number(a.runsCode));
  const shown = ordered.slice(0, max).map((p) => `${p.object}: ${p.problem}`);
  if (ordered.length > max) shown.push(`and ${ordered.length - max} more`);
  return shown.join('; ');
}
