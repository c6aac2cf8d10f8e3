// Ed25519 signatures over a snapshot's root hash. A signature cannot live in
// the hashed manifest body (it signs that body's hash), so it goes to its own
// table, `_snapbench_signatures`, which `verify` leaves out of the "added
// tables" check and checks with --trust instead.
//
// What is signed is a short text that names the root hash, the signer and the
// time, so the name shown to an auditor is covered by the signature too:
//   snapbench-signature-v1\nroot_sha256: <hex>\nsigner: <name>\nsigned_at: <ISO time>\n
// The stock tools check it: `sqlite3 F "SELECT writefile('msg.txt', message),
// writefile('sig.bin', signature) FROM _snapbench_signatures"` and then
// `openssl pkeyutl -verify -pubin -inkey KEY.pub -rawin -in msg.txt -sigfile sig.bin`
// (docs/auditor-verification.md).
import type Database from 'better-sqlite3';
import { closeSync, constants, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { rootHash } from './hash.ts';
import { META, SIGNATURE_COLUMNS, SIGNATURES_DDL, SIGNATURES_TABLE } from './schema.ts';
import { openSnapshotForWriting } from './reader.ts';

export { SIGNATURE_COLUMNS, SIGNATURES_DDL, SIGNATURES_TABLE } from './schema.ts';

const MESSAGE_HEADER = 'snapbench-signature-v1';

/** A key file that cannot be used, or a signature that cannot be made; one line for the CLI. */
export class SignatureError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'SignatureError';
  }
}

/** sha256 of the public key's DER (SubjectPublicKeyInfo): `openssl pkey -pubin -in KEY.pub -outform DER | sha256sum` prints the same. */
export function keyFingerprint(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** Writes PREFIX.key (private, 0600) and PREFIX.pub; never replaces an existing key. */
export function generateSigningKeys(prefix: string): { privatePath: string; publicPath: string; fingerprint: string } {
  const privatePath = `${prefix}.key`;
  const publicPath = `${prefix}.pub`;
  for (const path of [privatePath, publicPath]) {
    if (existsSync(path)) throw new SignatureError(`${path} already exists; a key is never overwritten`, 'choose another --out prefix, or delete the old key first');
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeNewFile(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  writeNewFile(publicPath, publicKey.export({ type: 'spki', format: 'pem' }) as string, 0o644);
  return { privatePath, publicPath, fingerprint: keyFingerprint(publicKey) };
}

/** Creates a file that must not exist yet, with its mode set before any byte is written. */
function writeNewFile(path: string, text: string, mode: number): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readKeyFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new SignatureError(`${what} ${path}: cannot be read`, 'check the path; "snapbench keys generate --out PREFIX" makes PREFIX.key and PREFIX.pub');
  }
}

/** The Ed25519 private key of a PEM file made by `snapbench keys generate` (or `openssl genpkey -algorithm ed25519`). */
export function loadSigningKey(path: string): { privateKey: KeyObject; publicKey: KeyObject; fingerprint: string } {
  const bytes = readKeyFile(path, 'signing key');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(bytes);
  } catch {
    throw new SignatureError(`signing key ${path}: not a PEM private key`, 'give the .key file of "snapbench keys generate", not the .pub');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new SignatureError(`signing key ${path}: is a ${privateKey.asymmetricKeyType} key, not Ed25519`, 'make one with "snapbench keys generate"');
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, fingerprint: keyFingerprint(publicKey) };
}

/** A trusted Ed25519 public key (PEM); a private key file is accepted too and its public half used. */
export function loadTrustedKey(path: string): { publicKey: KeyObject; fingerprint: string } {
  const bytes = readKeyFile(path, 'trusted key');
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(bytes);
  } catch {
    throw new SignatureError(`trusted key ${path}: not a PEM public key`, 'give the signer\'s .pub file');
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new SignatureError(`trusted key ${path}: is a ${publicKey.asymmetricKeyType} key, not Ed25519`, 'give the signer\'s .pub file');
  return { publicKey, fingerprint: keyFingerprint(publicKey) };
}

export function signatureMessage(rootSha256: string, signer: string, signedAt: string): string {
  return `${MESSAGE_HEADER}\nroot_sha256: ${rootSha256}\nsigner: ${signer}\nsigned_at: ${signedAt}\n`;
}

function parseMessage(message: string): { rootSha256: string; signer: string; signedAt: string } | null {
  const match = /^snapbench-signature-v1\nroot_sha256: ([0-9a-f]{64})\nsigner: ([^\n]*)\nsigned_at: ([^\n]*)\n$/.exec(message);
  return match ? { rootSha256: match[1]!, signer: match[2]!, signedAt: match[3]! } : null;
}

/** Checks a signer name: one line, printable, so it cannot forge another line of the signed message. */
export function checkSignerName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 200 || /[\p{Cc}\p{Zl}\p{Zp}]/u.test(trimmed)) {
    throw new SignatureError(`--signer ${JSON.stringify(name)}: must be one line of at most 200 printable characters`, 'e.g. --signer "Jane Doe <jane@example.com>"');
  }
  return trimmed;
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  fingerprint: string;
}

/** Adds a signature of `rootSha256` to an open, writable snapshot connection. */
export function addSignature(db: Database.Database, rootSha256: string, key: SigningKey, signer: string, signedAt = new Date().toISOString()): { fingerprint: string; signer: string; signedAt: string } {
  const name = checkSignerName(signer);
  const message = signatureMessage(rootSha256, name, signedAt);
  const signature = sign(null, Buffer.from(message, 'utf8'), key.privateKey);
  db.exec(SIGNATURES_DDL);
  db.prepare(`INSERT INTO ${SIGNATURES_TABLE} (${SIGNATURE_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
    'ed25519',
    key.fingerprint,
    name,
    signedAt,
    rootSha256,
    message,
    signature,
  );
  return { fingerprint: key.fingerprint, signer: name, signedAt };
}

/**
 * Signs a finished snapshot file in place (one SQLite transaction: the row is
 * there entirely or not at all). The root hash signed is recomputed from the
 * manifest body, so a file whose manifest was altered is never signed.
 */
export function signSnapshotFile(path: string, key: SigningKey, signer: string): { fingerprint: string; signer: string; signedAt: string; rootSha256: string } {
  const db = openSnapshotForWriting(path);
  try {
    const rows = db.prepare(`SELECT body, root_sha256 AS root FROM ${META.manifest}`).all() as { body: string; root: string }[];
    if (rows.length !== 1) throw new SignatureError(`${path}: has no single manifest row; only a complete snapshot can be signed`);
    const root = rootHash(rows[0]!.body);
    if (root !== rows[0]!.root) throw new SignatureError(`${path}: its manifest does not match its root hash; it was altered and is not signed`, 'run "snapbench verify" on it');
    const signed = db.transaction(() => addSignature(db, root, key, signer))();
    return { ...signed, rootSha256: root };
  } finally {
    db.close();
  }
}

export type SignatureStatus =
  /** Made by the trusted key over this file's root hash. */
  | 'valid'
  /** Claims the trusted key, but the signature or the hash it names does not match this file. */
  | 'invalid'
  /** Made with another key than the trusted one (not checked). */
  | 'other-key'
  /** No key was given to check it with. */
  | 'not-checked';

export interface SignatureCheck {
  algorithm: string;
  fingerprint: string;
  signer: string;
  signedAt: string;
  status: SignatureStatus;
  /** Why an `invalid` signature is invalid. */
  reason: string | null;
}

export interface SignatureReport {
  /** True only when a trusted key was given and one of its signatures is valid. */
  trusted: boolean;
  trustedFingerprint: string | null;
  signatures: SignatureCheck[];
  /** Problems with the signatures table itself (layout). */
  problems: string[];
}

function hasSignatureLayout(db: Database.Database): boolean {
  const actual = db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).pluck().all(SIGNATURES_TABLE) as string[];
  return actual.length === SIGNATURE_COLUMNS.length && actual.every((name, i) => name === SIGNATURE_COLUMNS[i]);
}

/** True when the file has a signatures table in the expected layout (false when it has none). */
export function signaturesTableLayoutProblem(db: Database.Database): string | null {
  const present = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(SIGNATURES_TABLE);
  if (!present || hasSignatureLayout(db)) return null;
  return `table "${SIGNATURES_TABLE}": not the signatures layout (changed after the snapshot was made)`;
}

/**
 * Checks every signature of a file against the root hash recomputed from its
 * manifest body. Without a trusted key nothing is checked: a signature made with
 * a key that came with the file proves nothing about who made it.
 */
export function checkSignatures(db: Database.Database, recomputedRoot: string, trusted: { publicKey: KeyObject; fingerprint: string } | null): SignatureReport {
  const report: SignatureReport = { trusted: false, trustedFingerprint: trusted?.fingerprint ?? null, signatures: [], problems: [] };
  const present = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(SIGNATURES_TABLE);
  if (!present) return report;
  if (!hasSignatureLayout(db)) {
    report.problems.push(`table "${SIGNATURES_TABLE}": not the signatures layout (changed after the snapshot was made)`);
    return report;
  }
  const rows = db.prepare(`SELECT ${SIGNATURE_COLUMNS.join(', ')} FROM ${SIGNATURES_TABLE} ORDER BY rowid`).all() as {
    algorithm: unknown;
    key_fingerprint: unknown;
    signer: unknown;
    signed_at: unknown;
    root_sha256: unknown;
    message: unknown;
    signature: unknown;
  }[];
  for (const row of rows) {
    const check: SignatureCheck = {
      algorithm: String(row.algorithm),
      fingerprint: String(row.key_fingerprint),
      signer: String(row.signer),
      signedAt: String(row.signed_at),
      status: 'not-checked',
      reason: null,
    };
    report.signatures.push(check);
    if (!trusted) continue;
    if (check.fingerprint !== trusted.fingerprint) {
      check.status = 'other-key';
      continue;
    }
    const message = typeof row.message === 'string' ? row.message : Buffer.isBuffer(row.message) ? row.message.toString('utf8') : '';
    const parsed = parseMessage(message);
    const signature = Buffer.isBuffer(row.signature) ? row.signature : null;
    let reason: string | null = null;
    if (check.algorithm !== 'ed25519') reason = `unknown algorithm ${check.algorithm}`;
    else if (!parsed || !signature) reason = 'the signed message is malformed';
    else if (!verify(null, Buffer.from(message, 'utf8'), trusted.publicKey, signature)) reason = 'the signature does not match the signed message';
    else if (parsed.rootSha256 !== recomputedRoot) reason = `it signs root ${parsed.rootSha256} while the manifest now hashes to ${recomputedRoot}: the file was changed after signing`;
    else {
      // The signed message is authoritative; the plain columns are only for display.
      check.signer = parsed.signer;
      check.signedAt = parsed.signedAt;
    }
    check.status = reason ? 'invalid' : 'valid';
    check.reason = reason;
    if (!reason) report.trusted = true;
  }
  return report;
}

/** What verify prints about a file's signatures: each one's state, never "valid" without a trusted key to check it. */
export function describeSignatures(report: SignatureReport, trustPath: string | null, intact: boolean): string[] {
  if (report.signatures.length === 0) return [trustPath ? 'not signed' : 'not signed (nothing says who made it)'];
  return report.signatures.map((s) => {
    switch (s.status) {
      case 'valid':
        // The signature vouches for the manifest; an altered table makes the file untrustworthy all the same.
        return intact
          ? `signature valid: signed by ${s.signer} at ${s.signedAt} with key ${s.fingerprint} (trusted key ${trustPath})`
          : `signature by ${s.signer} (key ${s.fingerprint}) matches the manifest, but the file's content no longer does: NOT trusted`;
      case 'invalid':
        return `signature INVALID (key ${s.fingerprint}, trusted as ${trustPath}): ${s.reason}`;
      case 'other-key':
        return `signed by ${s.fingerprint} (claims ${s.signer}), not by the trusted key ${report.trustedFingerprint}: not checked`;
      default:
        return `signed by ${s.fingerprint} (claims ${s.signer}, ${s.signedAt}), not checked (pass --trust KEY.pub)`;
    }
  });
}

/** The one line verify --trust ends with when the file is intact but not trusted. */
export function untrustedReason(report: SignatureReport, trustPath: string): string {
  if (report.signatures.length === 0) return `not signed, so not trusted (--trust ${trustPath})`;
  const invalid = report.signatures.find((s) => s.status === 'invalid');
  if (invalid) return `signature by the trusted key is INVALID: ${invalid.reason}`;
  return `not signed by the trusted key ${report.trustedFingerprint} (${trustPath}); signed only by ${report.signatures.map((s) => s.fingerprint).join(', ')}`;
}
