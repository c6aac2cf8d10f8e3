// Keyed pseudonyms: the same value always gets the same pseudonym under one key
// and a different one under another; shapes survive so SEC-001 judges a shared
// column as it judged the original; NULL and blanks are kept; and the key is
// taken from exactly one place, never a weak one.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { piiKind } from '../../shared/dq/definitions.ts';
import { createPseudonymizer, defaultKeyFile, PseudonymKeyError, resolvePseudonymKey } from '../../snapshots/share/pseudonym.ts';

const KEY_A = Buffer.from('a'.repeat(32));
const KEY_B = Buffer.from('b'.repeat(32));

describe('pseudonyms', () => {
  const a = createPseudonymizer(KEY_A);
  const b = createPseudonymizer(KEY_B);

  it('are consistent under one key and differ between keys', () => {
    const values = ['jane.doe@gmail.com', '+12125550123', 'Jane', '(212) 555-0123'];
    for (const value of values) {
      expect(a.pseudonym(value, 'text', 'email')).toBe(createPseudonymizer(KEY_A).pseudonym(value, 'text', 'email'));
      expect(a.pseudonym(value, 'text', 'email')).not.toBe(b.pseudonym(value, 'text', 'email'));
      expect(a.pseudonym(value, 'text', 'email')).not.toContain(value);
    }
    expect(a.keyId).not.toBe(b.keyId);
    expect(a.keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keep distinct values distinct', () => {
    const seen = new Set<unknown>();
    for (let i = 0; i < 20_000; i++) seen.add(a.pseudonym(`+1212555${String(i).padStart(4, '0')}`, 'text', 'mobile'));
    expect(seen.size).toBe(20_000);
  });

  it('keep the shape SEC-001 looks for, and the storage class', () => {
    const email = a.pseudonym('jane.doe@gmail.com', 'text', 'email') as string;
    expect(email).toMatch(/^pii-[0-9a-f]{16}@pseudonym\.invalid$/);
    expect(piiKind(email, 'email')).toBe('email');
    for (const [phone, column] of [['+12125550123', 'mobile'], ['212-555-0123', 'phone'], ['2125550123', 'mobile']] as const) {
      expect(piiKind(phone, column)).toBe('phone');
      const masked = a.pseudonym(phone, 'text', column) as string;
      expect(masked).toMatch(/^\+0\d{14}$/);
      expect(piiKind(masked, column)).toBe('phone');
    }
    const name = a.pseudonym('Jane', 'text', 'nickname');
    expect(name).toMatch(/^pii:[0-9a-f]{16}$/);
    expect(piiKind(name, 'nickname')).toBeNull();
    const id = a.pseudonym(42n, 'integer', 'user_id');
    expect(typeof id).toBe('bigint');
    expect(id as bigint).toBeGreaterThan(0n);
    expect(Buffer.isBuffer(a.pseudonym(Buffer.from([1, 2, 3]), 'blob', 'photo'))).toBe(true);
  });

  it('map the same value in an integer and a text column to the same digest (joins across types)', () => {
    expect(a.pseudonym(42n, 'integer', 'id')).toBe(a.pseudonym('42', 'integer', 'user_id'));
    expect(a.pseudonym(42, 'text', 'ref')).toBe(a.pseudonym('42', 'text', 'ref'));
  });

  it('keep NULL and blank values, so blank counts do not change', () => {
    for (const blank of [null, '', '   ', '\u3000', '\u00a0\t']) expect(a.pseudonym(blank, 'text', 'email')).toBe(blank);
  });

  it('give an address inside a text the pseudonym of the whole value', () => {
    expect(a.emailPseudonym('jane.doe@gmail.com')).toBe(a.pseudonym('jane.doe@gmail.com', 'text', 'email'));
  });
});

describe('the pseudonym key', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'share-key-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('comes from --key-env, which must be set and long enough', () => {
    const key = resolvePseudonymKey({ keyEnv: 'MY_KEY' }, { MY_KEY: 'x'.repeat(20) });
    expect(key.source).toBe('env');
    expect(key.key.toString()).toBe('x'.repeat(20));
    expect(() => resolvePseudonymKey({ keyEnv: 'MY_KEY' }, {})).toThrow(/--key-env MY_KEY: environment variable MY_KEY is not set/);
    expect(() => resolvePseudonymKey({ keyEnv: 'MY_KEY' }, { MY_KEY: 'short' })).toThrow(/at least 16/);
  });

  it('comes from --key-file, without its trailing newline', () => {
    const path = join(dir(), 'k');
    writeFileSync(path, 'y'.repeat(24) + '\n');
    expect(resolvePseudonymKey({ keyFile: path }, {}).key.toString()).toBe('y'.repeat(24));
    expect(() => resolvePseudonymKey({ keyFile: join(dir(), 'missing') }, {})).toThrow(PseudonymKeyError);
  });

  it('is created once in the config directory (0600) and reused; a dry run creates nothing', () => {
    const env = { SNAPBENCH_CONFIG_DIR: join(dir(), 'config') };
    const dry = resolvePseudonymKey({ dryRun: true }, env);
    expect(dry.created).toBe(false);
    expect(existsSync(defaultKeyFile(env))).toBe(false);
    const first = resolvePseudonymKey({}, env);
    expect(first.created).toBe(true);
    expect(statSync(defaultKeyFile(env)).mode & 0o777).toBe(0o600);
    const second = resolvePseudonymKey({}, env);
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
    expect(readFileSync(defaultKeyFile(env), 'utf8').trim().length).toBeGreaterThanOrEqual(16);
  });

  it('is random and never stored with --fresh-key; only one source may be given', () => {
    const env = { SNAPBENCH_CONFIG_DIR: join(dir(), 'config') };
    const one = resolvePseudonymKey({ freshKey: true }, env);
    const two = resolvePseudonymKey({ freshKey: true }, env);
    expect(one.key.equals(two.key)).toBe(false);
    expect(existsSync(defaultKeyFile(env))).toBe(false);
    expect(() => resolvePseudonymKey({ freshKey: true, keyEnv: 'X' }, { X: 'z'.repeat(20) })).toThrow(/only one of/);
  });
});
