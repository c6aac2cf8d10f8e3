// Recomputes every hash of a snapshot file and names what changed.
import type Database from 'better-sqlite3';
import { HASHED_META_TABLES, META } from './schema.ts';
import { rootHash, tableContentHash } from './hash.ts';
import { readManifest } from './reader.ts';

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
  for (const table of present) {
    if (!(table in hashes) && table !== META.manifest) problems.push(`table "${table}": added after the snapshot was made`);
  }
  for (const meta of HASHED_META_TABLES) {
    if (!(meta in hashes)) problems.push(`manifest: has no hash for ${meta}`);
  }
  const others = db.prepare(`SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger')`).all() as { type: string; name: string }[];
  for (const o of others) problems.push(`${o.type} "${o.name}": added after the snapshot was made`);
  return { ok: problems.length === 0, rootSha256: stored.rootSha256, problems, checkedTables };
}
