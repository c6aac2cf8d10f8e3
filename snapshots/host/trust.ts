// What the workbench says about a snapshot's trust: the public keys it trusts
// (kept in its config directory, managed through the trust/* channels), and for
// an open file the quick checks made on open — the manifest against its root
// hash, every signature against the trusted keys, and the share record of a
// redacted copy. The full check of every table runs separately (snapshot/verify).
import type Database from 'better-sqlite3';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { fail } from '../../shared/api/errors.ts';
import type { RedactionView, SignatureView, TrustedKey, TrustSummary } from '../../shared/api/types.ts';
import { rootHash } from '../file/hash.ts';
import { DQ_TABLES } from '../file/schema.ts';
import type { StoredManifest } from '../file/reader.ts';
import { checkSignatures, keyFingerprint, loadTrustedKey, SignatureError } from '../file/signature.ts';
import { readJsonList, writeJsonAtomically } from './config.ts';

interface StoredKey extends TrustedKey {
  publicKeyPem: string;
}

interface LoadedKey extends TrustedKey {
  publicKey: KeyObject;
}

function parsePublicKey(pem: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    fail('bad-request', `${what}: not a PEM public key`, 'paste the signer\'s .pub file (it starts with "-----BEGIN PUBLIC KEY-----")');
  }
  if (key.asymmetricKeyType !== 'ed25519') fail('bad-request', `${what}: is a ${key.asymmetricKeyType} key, not Ed25519`, 'Snapbench signatures are Ed25519 ("snapbench keys generate")');
  return key;
}

/** The trusted public keys, kept as JSON (`trusted-keys.json`) in the workbench's config directory. */
export class TrustedKeys {
  private readonly file: string;

  constructor(private readonly dir: string) {
    this.file = join(dir, 'trusted-keys.json');
  }

  private stored(): StoredKey[] {
    return readJsonList(this.file)
      .filter((k) => typeof k.fingerprint === 'string' && typeof k.label === 'string' && typeof k.addedAt === 'string' && typeof k.publicKeyPem === 'string')
      .map((k) => k as unknown as StoredKey);
  }

  list(): TrustedKey[] {
    return this.stored().map(({ fingerprint, label, addedAt }) => ({ fingerprint, label, addedAt }));
  }

  /** The keys with their public key objects; a stored key whose PEM no longer matches its fingerprint is left out. */
  loaded(): LoadedKey[] {
    const out: LoadedKey[] = [];
    for (const k of this.stored()) {
      try {
        const publicKey = createPublicKey(k.publicKeyPem);
        if (keyFingerprint(publicKey) === k.fingerprint) out.push({ fingerprint: k.fingerprint, label: k.label, addedAt: k.addedAt, publicKey });
      } catch {
        // An edited config file: that key is not trusted.
      }
    }
    return out;
  }

  /** Adds a key from PEM text or from a file (a private key file gives its public half); adding it again only renames it. */
  add(request: { publicKey?: string; path?: string; label?: string }): TrustedKey[] {
    let key: KeyObject;
    if (request.path !== undefined) {
      try {
        key = loadTrustedKey(request.path).publicKey;
      } catch (error) {
        if (error instanceof SignatureError) fail('bad-request', error.message, error.hint);
        throw error;
      }
    } else key = parsePublicKey(request.publicKey ?? '', 'public key');
    const fingerprint = keyFingerprint(key);
    const label = request.label?.trim() || `key ${fingerprint.slice(0, 12)}`;
    const rest = this.stored().filter((k) => k.fingerprint !== fingerprint);
    this.save([...rest, { fingerprint, label, addedAt: new Date().toISOString(), publicKeyPem: key.export({ type: 'spki', format: 'pem' }) as string }]);
    return this.list();
  }

  remove(fingerprint: string): TrustedKey[] {
    this.save(this.stored().filter((k) => k.fingerprint !== fingerprint));
    return this.list();
  }

  private save(keys: StoredKey[]): void {
    try {
      writeJsonAtomically(this.dir, this.file, keys, 0o600);
    } catch (error) {
      fail('failed', `cannot save the trusted keys in ${this.dir}: ${(error as Error).message}`, 'check that the config directory is writable');
    }
  }
}

interface ShareRecordLike {
  sharedBy?: unknown;
  sharedOnHost?: unknown;
  sharedAt?: unknown;
  source?: { rootSha256?: unknown };
  redactions?: unknown;
}

function redactionsOf(share: ShareRecordLike): RedactionView[] {
  if (!Array.isArray(share.redactions)) return [];
  return share.redactions
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)
    .map((r) => ({ table: String(r.table ?? ''), column: String(r.column ?? ''), action: String(r.action ?? ''), rule: String(r.rule ?? ''), values: typeof r.values === 'number' ? r.values : 0 }))
    .filter((r) => r.action !== 'keep');
}

/** The quick trust checks of an open snapshot (no table is read: the full check is snapshot/verify). */
export function trustSummary(db: Database.Database, stored: StoredManifest, keys: LoadedKey[]): TrustSummary {
  const recomputed = rootHash(stored.body);
  const manifestIntact = recomputed === stored.rootSha256;
  const problems: string[] = [];
  if (!manifestIntact) problems.push(`the manifest was changed after the snapshot was made (it hashes to ${recomputed.slice(0, 16)}…, the file records ${stored.rootSha256.slice(0, 16)}…)`);
  const complete = stored.manifest.complete === true;
  if (!complete) problems.push('the manifest is not marked complete: the pull did not finish');

  const byFingerprint = new Map(keys.map((k) => [k.fingerprint, k]));
  const signatures: SignatureView[] = [];
  const base = checkSignatures(db, recomputed, null);
  problems.push(...base.problems);
  for (const [index, s] of base.signatures.entries()) {
    const key = byFingerprint.get(s.fingerprint);
    if (!key) {
      signatures.push({ signer: s.signer, fingerprint: s.fingerprint, signedAt: s.signedAt, status: 'unknown-key', keyLabel: null, reason: null });
      continue;
    }
    // Checked against the trusted key it claims; the signed message then gives the signer's name.
    const checked = checkSignatures(db, recomputed, { publicKey: key.publicKey, fingerprint: key.fingerprint }).signatures[index] ?? s;
    const valid = checked.status === 'valid';
    signatures.push({ signer: checked.signer, fingerprint: s.fingerprint, signedAt: checked.signedAt, status: valid ? 'trusted' : 'invalid', keyLabel: key.label, reason: checked.reason });
    if (!valid) problems.push(`signature by the trusted key "${key.label}" is INVALID: ${checked.reason ?? 'it does not match this file'}`);
  }

  const share = (stored.manifest as { share?: ShareRecordLike }).share;
  let redacted: TrustSummary['redacted'] = null;
  if (share && typeof share === 'object') {
    const redactions = redactionsOf(share);
    redacted = {
      sharedBy: String(share.sharedBy ?? 'unknown'),
      sharedOnHost: typeof share.sharedOnHost === 'string' ? share.sharedOnHost : null,
      sharedAt: String(share.sharedAt ?? ''),
      sourceRootSha256: typeof share.source?.rootSha256 === 'string' ? share.source.rootSha256 : null,
      masked: redactions.filter((r) => r.action === 'mask').length,
      dropped: redactions.filter((r) => r.action === 'drop').length,
      replaced: redactions.filter((r) => r.action === 'replace').length,
      redactions,
    };
  }
  return {
    manifestIntact,
    complete,
    signatures,
    trustedBy: manifestIntact ? (signatures.find((s) => s.status === 'trusted') ?? null) : null,
    redacted,
    problems,
    trustedKeys: keys.length,
    dqRuns: storedDqRuns(db),
  };
}

/** Runs `snapbench dq` stored in the file (none when it has no DQ tables). */
function storedDqRuns(db: Database.Database): number {
  const present = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(DQ_TABLES.runs);
  return present ? Number(db.prepare(`SELECT count(*) FROM ${DQ_TABLES.runs}`).pluck().get()) : 0;
}
