// The quick integrity check every command that reads a snapshot can afford: the
// manifest body must still hash to the root hash the file records. A mismatch
// means the manifest (hashes, provenance, share record) was edited after the
// snapshot was made, so nothing it says can be trusted; `verify` names the rest.
import { rootHash } from './hash.ts';
import { openSnapshot, readManifest, type StoredManifest } from './reader.ts';

export interface ManifestMismatch {
  recorded: string;
  recomputed: string;
}

/** Null when the manifest body hashes to the recorded root hash. */
export function manifestMismatch(stored: Pick<StoredManifest, 'body' | 'rootSha256'>): ManifestMismatch | null {
  const recomputed = rootHash(stored.body);
  return recomputed === stored.rootSha256 ? null : { recorded: stored.rootSha256, recomputed };
}

/** The one-line warning `tables`, `query` and `dq` print on stderr. */
export function manifestMismatchWarning(path: string, mismatch: ManifestMismatch): string {
  return `warning: ${path}: NOT INTACT: its manifest was changed after the snapshot was made (it hashes to ${mismatch.recomputed.slice(0, 16)}…, the file records root ${mismatch.recorded.slice(0, 16)}…); do not rely on it; "snapbench verify ${path}" names what changed`;
}

/** The one-line warning for a manifest that no longer matches its root hash, or null when it does. */
export function manifestWarning(path: string, stored: Pick<StoredManifest, 'body' | 'rootSha256'>): string | null {
  const mismatch = manifestMismatch(stored);
  return mismatch ? manifestMismatchWarning(path, mismatch) : null;
}

/**
 * The warning line for a snapshot file whose manifest no longer matches its
 * root hash, or null; for commands that read several files or only summaries
 * (series, scenario --snapshot). A file that cannot be opened is left to the
 * command's own open, which names the problem.
 */
export function manifestWarningForFile(path: string): string | null {
  let db: ReturnType<typeof openSnapshot>;
  try {
    db = openSnapshot(path);
  } catch {
    return null;
  }
  try {
    return manifestWarning(path, readManifest(db, path));
  } catch {
    return null;
  } finally {
    db.close();
  }
}
