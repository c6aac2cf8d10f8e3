// `snapbench share`: a copy of a snapshot for someone outside, with personal
// data masked by keyed pseudonyms, secrets cut out, and the redaction recorded
// in a new manifest that links to the source's root hash. The copy is a
// complete snapshot: `verify` passes on it and the DQ pack runs on it.
//
// The copy is built fresh: tables created from Snapbench's own definitions
// (never from SQL text found in the source), rows read from the source's
// read-only connection and inserted. It is never made by editing a copy of the
// file in place: SQLite keeps overwritten values in free pages and page slack,
// and a shared file must not carry a single byte of what was masked. It goes to a hidden temporary file next to --out and is
// renamed into place only when complete.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { isBlank } from '../../shared/dq/definitions.ts';
import type { SnapshotManifest, TableHash } from '../../shared/model/snapshot.ts';
import { quoteIdentifier } from '../../shared/model/sql.ts';
import { loadCatalog, type Catalog } from '../dq/catalog.ts';
import { rootHash, rowIdAlias, shadowsRowId, tableContentHash } from '../file/hash.ts';
import { dataTableDdl, ddlObjects, ddlSchema, recordSchema } from '../file/objects.ts';
import { hardenConnection, openSnapshot, readManifest } from '../file/reader.ts';
import { DQ_TABLES, LEGACY_META_DDL, META, META_DDL, META_DDL_VERSIONS } from '../file/schema.ts';
import { addSignature, SIGNATURES_TABLE, type SigningKey } from '../file/signature.ts';
import { verifySnapshot } from '../file/verify.ts';
import { currentUserName } from '../pull/provenance.ts';
import { TOOL_VERSION } from '../version.ts';
import { buildSharePlan, redactionsOf, type ColumnAction, type Redaction, type SharePlan, type TablePlan } from './plan.ts';
import { loadRedactionProfile, resolveProfile, type LoadedProfile } from './profile.ts';
import { createPseudonymizer, type PseudonymKey, type Pseudonymizer, type PseudonymInput } from './pseudonym.ts';
import { defaultSecretRule, profileSecretRule, scrubBlob, scrubText, type SecretRule } from './redact.ts';

/** A share that cannot be made; one line for the CLI. Nothing was written. */
export class ShareError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'ShareError';
  }
}

/** What a shared file's manifest records about how it was made (`manifest.share`). */
export interface ShareRecord {
  source: { rootSha256: string; file: string; createdAt: string; createdBy: string; createdOnHost: string };
  sharedAt: string;
  sharedBy: string;
  sharedOnHost: string;
  tool: { name: 'snapbench'; version: string };
  pseudonyms: { algorithm: 'hmac-sha256'; keyId: string; keySource: PseudonymKey['source']; shapes: Record<string, string> };
  secrets: { rule: string; pattern: string; marker: string }[];
  profile: { name: string | null; sha256: string } | null;
  redactions: Redaction[];
  /** Left out of the copy: DQ results (made for the source's root; rerun them) and the source's signatures. */
  removed: { dqRuns: number; signatures: number };
  /** The share record of the source, when the source was itself a shared copy. */
  previous: ShareRecord | null;
}

export type SharedManifest = SnapshotManifest & { share: ShareRecord };

export interface ShareOptions {
  source: string;
  out: string;
  profile: string | null;
  key: PseudonymKey;
  dryRun: boolean;
  signingKey: SigningKey | null;
  signer: string | null;
}

export interface ShareResult {
  dryRun: boolean;
  source: string;
  sourceRootSha256: string;
  out: string | null;
  rootSha256: string | null;
  keyId: string;
  redactions: Redaction[];
  removed: ShareRecord['removed'];
  signature: { fingerprint: string; signer: string; signedAt: string } | null;
}

const SHAPES = {
  email: 'pii-<16 hex>@pseudonym.invalid',
  phone: '+0<14 digits>',
  text: 'pii:<16 hex>',
  integer: 'positive 62-bit integer',
  blob: '16 bytes',
  blank: 'NULL and blank text kept as they are',
};

/** Builds the shared copy (or, with dryRun, only counts what it would change). */
export function shareSnapshot(options: ShareOptions): ShareResult {
  const source = resolve(options.source);
  const out = resolve(options.out);
  if (source === out) throw new ShareError(`--out ${options.out}: is the source file itself`, 'write the shared copy to another file');
  // The profile first: a typo in it should not wait for the whole file to be verified.
  const profile: LoadedProfile | null = options.profile ? loadRedactionProfile(options.profile) : null;
  const db = openSnapshot(source);
  let plan: SharePlan;
  let stored: ReturnType<typeof readManifest>;
  const removed = { dqRuns: 0, signatures: 0 };
  let catalog: Catalog | null = null;
  try {
    try {
      catalog = loadCatalog(db);
    } catch {
      // A damaged catalog: the verification below names what is wrong.
    }
    const profileColumns = profile && catalog ? resolveProfile(profile, catalog) : [];
    const report = verifySnapshot(db, source);
    if (!report.ok || !catalog) {
      throw new ShareError(`${options.source}: not intact (${report.problems.slice(0, 2).join('; ')}); a shared copy would vouch for altered data`, 'run "snapbench verify" on it and share an intact snapshot');
    }
    stored = readManifest(db, source);
    plan = buildSharePlan(db, catalog, profileColumns, profile);
    const present = new Set(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]);
    if (present.has(DQ_TABLES.runs)) removed.dqRuns = db.prepare(`SELECT count(*) FROM ${DQ_TABLES.runs}`).pluck().get() as number;
    if (present.has(SIGNATURES_TABLE)) removed.signatures = db.prepare(`SELECT count(*) FROM ${SIGNATURES_TABLE}`).pluck().get() as number;
    const secrets = secretRules(profile);
    const pseudonyms = createPseudonymizer(options.key.key);
    if (options.dryRun) {
      registerShareFunctions(db, plan, pseudonyms, secrets);
      for (const table of plan.tables) countTransforms(db, table, secrets);
      return {
        dryRun: true,
        source,
        sourceRootSha256: stored.rootSha256,
        out: null,
        rootSha256: null,
        keyId: pseudonyms.keyId,
        redactions: redactionsOf(plan, markers(secrets)),
        removed,
        signature: null,
      };
    }
  } finally {
    db.close();
  }
  return writeSharedCopy(options, source, out, stored, plan, catalog!, profile, removed);
}

function secretRules(profile: LoadedProfile | null): SecretRule[] {
  return [defaultSecretRule(), ...(profile?.profile.secrets ?? []).map((s) => profileSecretRule(s.name, s.regex, s.flags ?? ''))];
}

function markers(secrets: SecretRule[]): Map<string, { marker: string; pattern: string }> {
  return new Map(secrets.map((s) => [s.rule, { marker: s.marker, pattern: s.regex.source }]));
}

/** The SQL functions the transform expressions call; each counts the values it changes in its column's slot. */
function registerShareFunctions(db: Database.Database, plan: SharePlan, pseudonyms: Pseudonymizer, secrets: SecretRule[]): void {
  const bump = (action: ColumnAction, rule: string) => action.counts.set(rule, (action.counts.get(rule) ?? 0) + 1);
  // safeIntegers: integers arrive as BigInt, so none above 2^53 loses a digit on the way through.
  const options = { safeIntegers: true, directOnly: true } as const;
  db.function('share_mask', options, (value: PseudonymInput, slot: bigint) => {
    const action = plan.slots[Number(slot)]!;
    if (value === null || isBlank(value)) return value;
    bump(action, action.rule);
    return pseudonyms.pseudonym(value, action.storage, action.column);
  });
  db.function('share_drop', options, (value: PseudonymInput, slot: bigint) => {
    if (value !== null) bump(plan.slots[Number(slot)]!, plan.slots[Number(slot)]!.rule);
    return null;
  });
  db.function('share_scrub', options, (value: PseudonymInput, slot: bigint) => {
    const action = plan.slots[Number(slot)]!;
    if (typeof value === 'string') {
      const { text, rules } = scrubText(value, secrets, action.emails ? pseudonyms : null);
      for (const rule of rules) bump(action, rule);
      return rules.length > 0 ? text : value;
    }
    if (Buffer.isBuffer(value)) {
      const { bytes, rules } = scrubBlob(value, secrets);
      for (const rule of rules) bump(action, rule);
      return bytes;
    }
    return value;
  });
}

/** The SELECT list that produces a table's shared rows from its source rows. */
function selectList(table: TablePlan, secrets: SecretRule[]): { expressions: string[]; changes: boolean } {
  const byColumn = new Map<string, ColumnAction>();
  for (const action of table.actions) if (action.kind !== 'keep') byColumn.set(action.sqlColumn, action);
  let changes = false;
  const expressions = table.columns.map((name) => {
    const c = quoteIdentifier(name);
    const action = byColumn.get(name);
    if (!action) return c;
    changes = true;
    if (action.kind === 'mask') return `share_mask(${c}, ${action.slot})`;
    if (action.kind === 'drop') return `share_drop(${c}, ${action.slot})`;
    // Scrub: SQLite skips (in C) every text that cannot hold a match; only the rest reach JavaScript.
    const literals = secrets.map((s) => s.literal);
    if (action.emails) literals.push('@');
    const textTest = literals.some((l) => l === null) ? 'true' : literals.map((l) => `instr(${c}, '${l!.replaceAll("'", "''")}') > 0`).join(' OR ');
    return `CASE WHEN (typeof(${c}) = 'text' AND (${textTest})) OR typeof(${c}) = 'blob' THEN share_scrub(${c}, ${action.slot}) ELSE ${c} END`;
  });
  return { expressions, changes };
}

/** --dry-run: runs the transforms over the source without keeping their results (count() evaluates each one). */
function countTransforms(db: Database.Database, table: TablePlan, secrets: SecretRule[]): void {
  const { expressions, changes } = selectList(table, secrets);
  if (!changes) return;
  db.prepare(`SELECT ${expressions.map((e) => `count(${e})`).join(', ')} FROM ${quoteIdentifier(table.table)}`).raw(true).get();
}

function temporaryPath(out: string): string {
  return join(dirname(out), `.${basename(out)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
}

function scrubManifestStrings(value: unknown, secrets: SecretRule[], counts: Map<string, number>): unknown {
  if (typeof value === 'string') {
    const { text, rules } = scrubText(value, secrets, null);
    for (const rule of rules) counts.set(rule, (counts.get(rule) ?? 0) + 1);
    return text;
  }
  if (Array.isArray(value)) return value.map((v) => scrubManifestStrings(v, secrets, counts));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubManifestStrings(v, secrets, counts)]));
  return value;
}

/**
 * The CREATE TABLE of each copied table, made by Snapbench and never taken from
 * the source: catalog tables as META_DDL defines them, data tables rebuilt from
 * their catalog columns exactly as the writer creates them.
 */
function copiedTableDdl(table: TablePlan, catalog: Catalog): string {
  if (table.kind === 'catalog') {
    // The definition the source's table was written with: today's, or that of files made before the catalog grew.
    const definitions = [...META_DDL_VERSIONS, LEGACY_META_DDL].map((ddl) => ({ ddl, object: ddlObjects(ddl).find((o) => o.type === 'table' && o.name === table.table) }));
    const same = definitions.find(({ ddl, object }) => object && sameColumns(ddlSchema(ddl).columns[table.table] ?? [], table.columns));
    const object = (same ?? definitions[0]!).object;
    if (!object?.sql) throw new Error(`share: no definition of catalog table ${table.table}`);
    return object.sql;
  }
  const entry = catalog.tables.find((t) => t.name === table.table);
  if (!entry) throw new Error(`share: table ${table.table} is not in the catalog`);
  return dataTableDdl(entry.name, entry.columns);
}

function sameColumns(defined: readonly (readonly [string, ...unknown[]])[], names: readonly string[]): boolean {
  return defined.length === names.length && defined.every((c, i) => c[0] === names[i]);
}

/** Rows per multi-row INSERT into the copy. */
const COPY_CHUNK = 64;

/**
 * Copies one table: the transformed rows are read from the source's read-only
 * connection in row id order and inserted into the copy with the same row ids.
 */
function copyTable(src: Database.Database, db: Database.Database, table: TablePlan, secrets: SecretRule[]): void {
  const { expressions } = selectList(table, secrets);
  const alias = rowIdAlias(table.columns);
  const t = quoteIdentifier(table.table);
  const targets = [...(alias ? [alias] : []), ...table.columns.map(quoteIdentifier)];
  const read = src.prepare(`SELECT ${[...(alias ? [alias] : []), ...expressions].join(', ')} FROM ${t}${alias ? ` ORDER BY ${alias}` : ''}`).raw(true).safeIntegers(true);
  const width = targets.length;
  const one = `(${new Array(width).fill('?').join(',')})`;
  const chunkSize = Math.max(1, Math.min(COPY_CHUNK, Math.floor(32766 / width)));
  const single = db.prepare(`INSERT INTO main.${t} (${targets.join(', ')}) VALUES ${one}`);
  const chunk = db.prepare(`INSERT INTO main.${t} (${targets.join(', ')}) VALUES ${new Array(chunkSize).fill(one).join(',')}`);
  let params: unknown[] = [];
  let rows = 0;
  for (const row of read.iterate() as IterableIterator<unknown[]>) {
    for (let i = 0; i < width; i++) params.push(row[i]);
    if (++rows === chunkSize) {
      chunk.run(params);
      params = [];
      rows = 0;
    }
  }
  for (let i = 0; i < rows; i++) single.run(params.slice(i * width, (i + 1) * width));
}

function writeSharedCopy(
  options: ShareOptions,
  source: string,
  out: string,
  stored: ReturnType<typeof readManifest>,
  plan: SharePlan,
  catalog: Catalog,
  profile: LoadedProfile | null,
  removed: ShareRecord['removed'],
): ShareResult {
  const temp = temporaryPath(out);
  const secrets = secretRules(profile);
  const pseudonyms = createPseudonymizer(options.key.key);
  // The source stays read-only on its own connection (checked again as it opens): no SQL text of it is ever run.
  const src = openSnapshot(source);
  const db = new Database(temp);
  let closed = false;
  try {
    hardenConnection(db);
    // Nobody sees this file before the rename: no journal, no syncs until the end.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('locking_mode = EXCLUSIVE');
    registerShareFunctions(src, plan, pseudonyms, secrets);
    db.exec('BEGIN');
    db.exec(ddlObjects(META_DDL).find((o) => o.name === META.manifest)!.sql!);
    for (const table of plan.tables) db.exec(copiedTableDdl(table, catalog));
    const changed = new Set<string>();
    for (const table of plan.tables) {
      copyTable(src, db, table, secrets);
      const { changes } = selectList(table, secrets);
      if (changes && table.actions.some((a) => [...a.counts.values()].some((n) => n > 0))) changed.add(table.table);
    }
    checkPseudonymCollisions(src, db, plan);
    db.exec('COMMIT');
    src.close();

    const manifestCounts = new Map<string, number>();
    const sourceManifest = scrubManifestStrings(stored.manifest, secrets, manifestCounts) as SnapshotManifest & { share?: ShareRecord };
    const hashes: Record<string, TableHash> = {};
    for (const [table, hash] of Object.entries(stored.manifest.hashes)) {
      // Unchanged tables are copied value for value, in row id order: their verified source hash still holds
      // (recomputed where a "rowid" column made an older file hash in another order).
      hashes[table] = changed.has(table) || shadowsRowId(db, table) ? { sqlName: quoteIdentifier(table), ...tableContentHash(db, table) } : hash;
    }
    const redactions = redactionsOf(plan, markers(secrets));
    for (const [rule, values] of manifestCounts) {
      redactions.push({ table: META.manifest, column: 'body', action: 'replace', rule, values, why: 'strings of the source manifest holding a secret' });
    }
    const share: ShareRecord = {
      source: {
        rootSha256: stored.rootSha256,
        file: basename(source),
        createdAt: stored.manifest.createdAt,
        createdBy: stored.manifest.createdBy,
        createdOnHost: stored.manifest.createdOnHost,
      },
      sharedAt: new Date().toISOString(),
      sharedBy: currentUserName(),
      sharedOnHost: hostname(),
      tool: { name: 'snapbench', version: TOOL_VERSION },
      pseudonyms: { algorithm: 'hmac-sha256', keyId: pseudonyms.keyId, keySource: options.key.source, shapes: SHAPES },
      secrets: secrets.map((s) => ({ rule: s.rule, pattern: s.regex.source, marker: s.marker })),
      profile: profile ? { name: profile.profile.name ?? null, sha256: profile.sha256 } : null,
      redactions,
      removed,
      previous: sourceManifest.share ?? null,
    };
    const { share: _previous, schema: _sourceSchema, ...rest } = sourceManifest;
    const manifest: SharedManifest = { ...rest, hashes, schema: recordSchema(db), complete: true, share };
    const body = JSON.stringify(manifest);
    const root = rootHash(body);
    db.prepare(`INSERT INTO ${META.manifest} (body, root_sha256) VALUES (?, ?)`).run(body, root);
    const signature = options.signingKey ? addSignature(db, root, options.signingKey, options.signer ?? currentUserName()) : null;
    db.pragma('journal_mode = DELETE');
    db.close();
    closed = true;
    const fd = openSync(temp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, out);
    return { dryRun: false, source, sourceRootSha256: stored.rootSha256, out, rootSha256: root, keyId: pseudonyms.keyId, redactions, removed, signature };
  } catch (error) {
    if (src.open) src.close();
    if (!closed) {
      try {
        db.close();
      } catch {
        // already closed by a failing statement
      }
    }
    rmSync(temp, { force: true });
    rmSync(`${temp}-journal`, { force: true });
    throw error;
  }
}

/**
 * Two different values with one pseudonym would merge them (distinct counts,
 * joins). With 56+ bits per pseudonym that is all but impossible; it is checked
 * anyway, because the promise is that counts do not change.
 */
function checkPseudonymCollisions(src: Database.Database, db: Database.Database, plan: SharePlan): void {
  for (const action of plan.slots) {
    if (action.kind !== 'mask' || (action.counts.get(action.rule) ?? 0) === 0) continue;
    const distinct = `SELECT count(DISTINCT ${quoteIdentifier(action.sqlColumn)}) FROM ${quoteIdentifier(action.table)}`;
    const before = src.prepare(distinct).pluck().get() as number;
    const after = db.prepare(distinct).pluck().get() as number;
    if (before !== after) {
      throw new ShareError(
        `${action.table}.${action.column}: two different values got the same pseudonym (${before} distinct values became ${after}); no file was written`,
        'share again with another key (--key-env, --key-file or --fresh-key)',
      );
    }
  }
}
