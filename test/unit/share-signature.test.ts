// Ed25519 signatures over a root hash: key files with the right modes, never
// overwritten; a signature is valid only for the trusted key, over this root
// hash, with the message untouched; without a key nothing is called trusted.
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addSignature,
  checkSignatures,
  checkSignerName,
  generateSigningKeys,
  loadSigningKey,
  loadTrustedKey,
  SignatureError,
  signatureMessage,
  SIGNATURES_TABLE,
} from '../../snapshots/file/signature.ts';

const dir = mkdtempSync(join(tmpdir(), 'share-signature-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const alice = generateSigningKeys(join(dir, 'alice'));
const mallory = generateSigningKeys(join(dir, 'mallory'));
const ROOT = 'ab'.repeat(32);
const OTHER_ROOT = 'cd'.repeat(32);

function signedDb(root = ROOT): Database.Database {
  const db = new Database(':memory:');
  addSignature(db, root, loadSigningKey(alice.privatePath), 'Alice', '2025-01-02T03:04:05.000Z');
  return db;
}

describe('signing keys', () => {
  it('are written as PEM, the private one 0600, and never overwritten', () => {
    expect(statSync(alice.privatePath).mode & 0o777).toBe(0o600);
    expect(loadTrustedKey(alice.publicPath).fingerprint).toBe(alice.fingerprint);
    expect(loadSigningKey(alice.privatePath).fingerprint).toBe(alice.fingerprint);
    expect(() => generateSigningKeys(join(dir, 'alice'))).toThrow(/already exists/);
  });

  it('have the fingerprint openssl prints for the DER public key', () => {
    const der = execFileSync('openssl', ['pkey', '-pubin', '-in', alice.publicPath, '-outform', 'DER']);
    expect(execFileSync('sha256sum', { input: der, encoding: 'utf8' }).split(' ')[0]).toBe(alice.fingerprint);
  });

  it('must be Ed25519 and readable', () => {
    expect(() => loadSigningKey(alice.publicPath)).toThrow(SignatureError);
    expect(() => loadTrustedKey(join(dir, 'missing.pub'))).toThrow(/cannot be read/);
  });
});

describe('checking signatures', () => {
  it('is valid for the trusted key over this root hash, and names the signer from the signed message', () => {
    const report = checkSignatures(signedDb(), ROOT, loadTrustedKey(alice.publicPath));
    expect(report.trusted).toBe(true);
    expect(report.signatures).toEqual([
      { algorithm: 'ed25519', fingerprint: alice.fingerprint, signer: 'Alice', signedAt: '2025-01-02T03:04:05.000Z', status: 'valid', reason: null },
    ]);
  });

  it('checks nothing without a key, and trusts nothing', () => {
    const report = checkSignatures(signedDb(), ROOT, null);
    expect(report.trusted).toBe(false);
    expect(report.signatures[0]!.status).toBe('not-checked');
  });

  it('is not trusted for another key, a changed root hash, an edited message or signature', () => {
    expect(checkSignatures(signedDb(), ROOT, loadTrustedKey(mallory.publicPath)).signatures[0]!.status).toBe('other-key');
    const moved = checkSignatures(signedDb(), OTHER_ROOT, loadTrustedKey(alice.publicPath));
    expect(moved.trusted).toBe(false);
    expect(moved.signatures[0]!.reason).toMatch(/changed after signing/);
    const renamed = signedDb();
    renamed.prepare(`UPDATE ${SIGNATURES_TABLE} SET message = replace(message, 'signer: Alice', 'signer: Bob')`).run();
    expect(checkSignatures(renamed, ROOT, loadTrustedKey(alice.publicPath)).signatures[0]).toMatchObject({ status: 'invalid', reason: 'the signature does not match the signed message' });
    const flipped = signedDb();
    flipped.prepare(`UPDATE ${SIGNATURES_TABLE} SET signature = zeroblob(64)`).run();
    expect(checkSignatures(flipped, ROOT, loadTrustedKey(alice.publicPath)).trusted).toBe(false);
  });

  it('reports a file without signatures as unsigned', () => {
    const report = checkSignatures(new Database(':memory:'), ROOT, loadTrustedKey(alice.publicPath));
    expect(report).toMatchObject({ trusted: false, signatures: [], problems: [] });
  });

  it('signs a one-line signer name only', () => {
    expect(signatureMessage(ROOT, 'Alice', 'T')).toBe(`snapbench-signature-v1\nroot_sha256: ${ROOT}\nsigner: Alice\nsigned_at: T\n`);
    expect(() => checkSignerName('Alice\nroot_sha256: x')).toThrow(/one line/);
    expect(() => checkSignerName('  ')).toThrow(SignatureError);
  });
});
