// `snapbench share` on the reference-fleet demo, through the real CLI: the
// shared copy holds none of the original e-mails, phone numbers or secrets
// (a byte search over the file), verifies, keeps every count of report-07 but
// SEC-002; pseudonyms are consistent and keyed; tampering and signatures are
// named by `verify`; the documented sqlite3 + openssl procedure of
// docs/auditor-verification.md is run exactly as written; bad profiles write
// nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DqReport } from '../../shared/dq/results.ts';
import { quoteIdentifier } from '../../shared/model/sql.ts';
import { rootHash, tableContentHash } from '../../snapshots/file/hash.ts';
import { parseJson, runCli, tempDir, type CliResult } from '../helpers/cli.ts';

const T_USER = 'aws-luckyus-igers-rw/luckyus_igers/t_user';
const T_ORDER = 'aws-luckyus-salesorder-rw/luckyus_sales_order/t_order';
const MESSAGES = 'aws-luckyus-dify-rw/dify/public.messages';
const CREDENTIALS = 'aws-luckyus-dify-rw/dify/public.provider_credentials';
const SECRET = /sk-[A-Za-z0-9]{32,}/g;
const DOC = join(import.meta.dirname, '../../docs/auditor-verification.md');
const SCRIPT = join(import.meta.dirname, '../../snapshots/file/verify-with-sqlite3.sh');

let dir: string;
let demo: string;
let shared: string;
let signed: string;
let env: Record<string, string>;

function sqlite(path: string, sql: string): string {
  return execFileSync('sqlite3', [path, sql], { encoding: 'utf8' });
}

function sha256sum(path: string): string {
  return execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]!;
}

function copy(from: string, name: string): string {
  const path = join(dir, name);
  copyFileSync(from, path);
  return path;
}

/** `snapbench share` with the sender's config directory inside the test's temp dir. */
function share(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['share', ...args], { env: { ...env, ...extraEnv } });
}

function manifestOf(path: string): { hashes: Record<string, { sha256: string; rows: number }>; share: Record<string, unknown> & { redactions: Record<string, unknown>[] } } {
  return JSON.parse(sqlite(path, 'SELECT body FROM _snapbench_manifest'));
}

function column(path: string, table: string, name: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT ${quoteIdentifier(name)} FROM ${quoteIdentifier(table)} ORDER BY rowid`).pluck().all();
  } finally {
    db.close();
  }
}

/**
 * The values of `values` that occur anywhere in the bytes. One pass over the
 * file: each position's first 8 bytes are looked up among the values' first 8.
 */
function occurring(bytes: Buffer, values: string[]): string[] {
  const text = bytes.toString('latin1');
  const byPrefix = new Map<string, string[]>();
  for (const value of values) {
    const raw = Buffer.from(value, 'utf8').toString('latin1');
    expect(raw.length).toBeGreaterThanOrEqual(8);
    byPrefix.set(raw.slice(0, 8), [...(byPrefix.get(raw.slice(0, 8)) ?? []), raw]);
  }
  const found = new Set<string>();
  for (let i = 0; i + 8 <= text.length; i++) {
    const candidates = byPrefix.get(text.slice(i, i + 8));
    if (candidates) for (const raw of candidates) if (text.startsWith(raw, i)) found.add(raw);
  }
  return [...found].map((raw) => Buffer.from(raw, 'latin1').toString('utf8'));
}

/** Files next to the outputs other than the ones a test expects: a share must never leave partial files. */
function strayFiles(): string[] {
  return readdirSync(dir).filter((f) => f.includes('.partial-') || f.endsWith('-journal'));
}

beforeAll(async () => {
  dir = tempDir('snapbench-share-');
  env = { SNAPBENCH_CONFIG_DIR: join(dir, 'sender-config') };
  demo = join(dir, 'demo.snapbench');
  const made = await runCli(['demo', '--out', demo]);
  expect(made.code, made.stderr).toBe(0);
  for (const name of ['alice', 'mallory']) {
    const keys = await runCli(['keys', 'generate', '--out', join(dir, name)]);
    expect(keys.code, keys.stderr).toBe(0);
  }
  shared = join(dir, 'shared.snapbench');
  const result = await share([demo, '--out', shared]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/created the pseudonym key .*sender-config\/share-pseudonym\.key/);
  signed = join(dir, 'for-auditor.snapbench');
  const signing = await share([demo, '--out', signed, '--sign', join(dir, 'alice.key'), '--signer', 'Alice Example']);
  expect(signing.code, signing.stderr).toBe(0);
  expect(signing.stderr).not.toMatch(/created the pseudonym key/);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('share --dry-run', () => {
  it('prints what would be masked and why, and writes nothing', async () => {
    const before = readdirSync(dir).sort();
    const fresh = { SNAPBENCH_CONFIG_DIR: join(dir, 'fresh-config') };
    const result = await share([demo, '--out', join(dir, 'dry.snapbench'), '--dry-run'], fresh);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^dry run, nothing written/);
    expect(result.stdout).toMatch(new RegExp(`${T_USER} +mobile +mask +SEC-001:phone +\\d+ +SEC-001: \\d+ of \\d+ sampled values are phone numbers`));
    expect(result.stdout).toMatch(new RegExp(`${T_USER} +email +mask +SEC-001:email +\\d+ +SEC-001: \\d+ of \\d+ sampled values are e-mail addresses`));
    expect(result.stdout).toMatch(new RegExp(`${T_USER} +nickname +mask +person-name`));
    expect(result.stdout).toMatch(new RegExp(`${CREDENTIALS} +encrypted_config +replace +SEC-002:api-key +4 `));
    expect(result.stdout).toMatch(new RegExp(`${MESSAGES} +query +replace +SEC-002:api-key +1 `));
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(existsSync(join(dir, 'fresh-config'))).toBe(false);

    const json = await share([demo, '--dry-run', '--format', 'json'], fresh);
    const plan = parseJson<{ dryRun: boolean; redactions: { table: string; column: string; rule: string; values: number }[] }>(json);
    expect(plan.dryRun).toBe(true);
    expect(plan.redactions.find((r) => r.table === T_USER && r.column === 'email')?.values).toBe(
      Number(sqlite(demo, `SELECT count(*) FROM "${T_USER}" WHERE trim(email) <> ''`).trim()),
    );
  });
});

describe('the shared copy', () => {
  it('contains none of the original e-mail addresses, phone numbers or secrets, anywhere in the file', () => {
    const db = new Database(demo, { readonly: true });
    const emails = db.prepare(`SELECT DISTINCT email FROM "${T_USER}" WHERE email IS NOT NULL`).pluck().all() as string[];
    const phones = db.prepare(`SELECT DISTINCT mobile FROM "${T_USER}"`).pluck().all() as string[];
    const texts = db.prepare(`SELECT query FROM "${MESSAGES}" UNION ALL SELECT encrypted_config FROM "${CREDENTIALS}"`).pluck().all() as (string | null)[];
    db.close();
    const secrets = texts.flatMap((t) => t?.match(SECRET) ?? []);
    expect(emails.length).toBeGreaterThan(1000);
    expect(phones.length).toBeGreaterThan(1000);
    expect(secrets).toHaveLength(5);
    const all = [...emails, ...phones, ...secrets];
    expect(occurring(readFileSync(demo), all).length, 'the search finds them in the original').toBe(new Set(all).size);
    for (const file of [shared, signed]) expect(occurring(readFileSync(file), all), file).toEqual([]);
  });

  it('holds pseudonyms of the same shape, and keeps NULLs and row order', () => {
    const emails = column(shared, T_USER, 'email');
    const originals = column(demo, T_USER, 'email');
    expect(emails.map((e) => e === null)).toEqual(originals.map((e) => e === null));
    for (const email of emails.filter((e) => e !== null)) expect(email).toMatch(/^pii-[0-9a-f]{16}@pseudonym\.invalid$/);
    for (const phone of column(shared, T_USER, 'mobile')) expect(phone).toMatch(/^\+0\d{14}$/);
    expect(sqlite(shared, `SELECT encrypted_config FROM "${CREDENTIALS}" WHERE encrypted_config LIKE '%redacted%' ORDER BY rowid`)).toMatch(/^\{"openai_api_key":"\[redacted:api-key\]"/);
    expect(sqlite(shared, `SELECT query FROM "${MESSAGES}" WHERE query LIKE '%redacted%'`).trim()).toBe('The OpenAI node fails with 401, my key is [redacted:api-key] — is it expired?');
  });

  it('passes verify, and the sqlite3-only script', async () => {
    const result = await runCli(['verify', shared]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/intact/);
    expect(result.stdout).toMatch(/not signed/);
    const script = execFileSync('bash', [SCRIPT, shared], { encoding: 'utf8' });
    expect(script).not.toMatch(/CHANGED|ADDED/);
  });

  it('keeps every row count and every table without personal data or secrets byte for byte', async () => {
    const tables = (file: string) => runCli(['tables', file, '--format', 'json']).then((r) => parseJson(r));
    expect(await tables(shared)).toEqual(await tables(demo));
    const before = manifestOf(demo).hashes;
    const after = manifestOf(shared).hashes;
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    const changed = Object.keys(before).filter((t) => before[t]!.sha256 !== after[t]!.sha256).sort();
    expect(changed).toEqual([MESSAGES, CREDENTIALS, T_USER].sort());
    for (const t of Object.keys(before)) expect(after[t]!.rows, t).toBe(before[t]!.rows);
  });

  it('gives the same report-07 counts as the original, except SEC-002 which finds no secret left', async () => {
    const report = async (file: string) => {
      const result = await runCli(['dq', file, '--format', 'json', '--no-store']);
      expect(result.code, result.stderr).toBe(0);
      return parseJson<DqReport>(result).results;
    };
    const [original, copied] = await Promise.all([report(demo), report(shared)]);
    expect(copied.map((r) => r.id)).toEqual(original.map((r) => r.id));
    for (const rule of original) {
      const other = copied.find((r) => r.id === rule.id)!;
      if (rule.id === 'SEC-002') {
        expect(rule.count).toBe(5);
        expect(other.count).toBe(0);
        expect(other.status).toBe('pass');
        continue;
      }
      expect({ id: other.id, status: other.status, count: other.count, total: other.total }).toEqual({ id: rule.id, status: rule.status, count: rule.count, total: rule.total });
      if (rule.id.startsWith('DQ-') || rule.id.startsWith('RDS-')) expect(other.metrics, rule.id).toEqual(rule.metrics);
    }
  });

  it('records what was masked, by whom, when, and the source it came from', () => {
    const record = manifestOf(shared).share as unknown as {
      source: { rootSha256: string; file: string };
      sharedBy: string;
      sharedAt: string;
      pseudonyms: { algorithm: string; keyId: string; keySource: string };
      redactions: { table: string; column: string; action: string; rule: string; values: number }[];
    };
    expect(record.source.rootSha256).toBe(sqlite(demo, 'SELECT root_sha256 FROM _snapbench_manifest').trim());
    expect(record.source.file).toBe('demo.snapbench');
    expect(record.sharedBy).toBeTruthy();
    expect(Date.parse(record.sharedAt)).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(record.pseudonyms).toMatchObject({ algorithm: 'hmac-sha256', keySource: 'default-file' });
    const lines = record.redactions.map((r) => `${r.table}.${r.column} ${r.action} ${r.rule}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        `${T_USER}.email mask SEC-001:email`,
        `${T_USER}.mobile mask SEC-001:phone`,
        `${T_USER}.nickname mask person-name`,
        `${CREDENTIALS}.encrypted_config replace SEC-002:api-key`,
        `${MESSAGES}.query replace SEC-002:api-key`,
      ]),
    );
    // The key itself never travels with the copy.
    const key = readFileSync(join(dir, 'sender-config', 'share-pseudonym.key'), 'utf8').trim();
    expect(readFileSync(shared).includes(key)).toBe(false);
  });

  it('leaves out DQ results stored in the source (they were made for its root hash), and still verifies', async () => {
    const source = copy(demo, 'with-dq.snapbench');
    expect((await runCli(['dq', source, '--format', 'json'])).code).toBe(0);
    const out = join(dir, 'with-dq-shared.snapbench');
    const result = await share([source, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(manifestOf(out).share.removed).toEqual({ dqRuns: 1, signatures: 0 });
    expect(sqlite(out, `SELECT count(*) FROM sqlite_master WHERE name LIKE '_snapbench_dq_%'`).trim()).toBe('0');
    expect((await runCli(['verify', out])).code).toBe(0);
  });

  it('leaves the source file untouched', async () => {
    const before = sha256sum(demo);
    const result = await share([demo, '--out', join(dir, 'again.snapbench')]);
    expect(result.code, result.stderr).toBe(0);
    expect(sha256sum(demo)).toBe(before);
    expect(strayFiles()).toEqual([]);
  });
});

describe('pseudonyms', () => {
  it('are the same for the same key, differ for another key, and keep joins and distinct counts', async () => {
    const profile = join(dir, 'join-profile.yaml');
    writeFileSync(profile, `name: join-check\nmask:\n  t_user: [id]\n  t_order: [user_id]\n`);
    const paths = { a1: join(dir, 'k1a.snapbench'), a2: join(dir, 'k1b.snapbench'), b: join(dir, 'k2.snapbench') };
    const keys = { K1: 'first key, long enough to use', K2: 'second key, long enough too' };
    for (const [path, variable] of [[paths.a1, 'K1'], [paths.a2, 'K1'], [paths.b, 'K2']] as const) {
      const result = await share([demo, '--out', path, '--profile', profile, '--key-env', variable], keys);
      expect(result.code, result.stderr).toBe(0);
    }
    expect(column(paths.a1, T_USER, 'email')).toEqual(column(paths.a2, T_USER, 'email'));
    expect(column(paths.a1, T_ORDER, 'user_id')).toEqual(column(paths.a2, T_ORDER, 'user_id'));
    const a = column(paths.a1, T_USER, 'email').filter((v) => v !== null);
    const b = column(paths.b, T_USER, 'email').filter((v) => v !== null);
    expect(a.filter((v, i) => v === b[i])).toEqual([]);
    expect(manifestOf(paths.a1).share.pseudonyms).toEqual(manifestOf(paths.a2).share.pseudonyms);
    expect((manifestOf(paths.a1).share.pseudonyms as { keyId: string }).keyId).not.toBe((manifestOf(paths.b).share.pseudonyms as { keyId: string }).keyId);

    const join_ = `SELECT count(*) FROM "${T_ORDER}" o JOIN "${T_USER}" u ON o.user_id = u.id`;
    const distinct = `SELECT count(DISTINCT email) || ' ' || count(DISTINCT mobile) || ' ' || count(DISTINCT id) FROM "${T_USER}"`;
    for (const path of Object.values(paths)) {
      expect(sqlite(path, join_)).toBe(sqlite(demo, join_));
      expect(sqlite(path, distinct)).toBe(sqlite(demo, distinct));
      expect(sqlite(path, `SELECT typeof(user_id) FROM "${T_ORDER}" LIMIT 1`).trim()).toBe('integer');
    }
    expect(Number(sqlite(demo, join_))).toBeGreaterThan(0);
    expect(sqlite(paths.a1, `SELECT count(*) FROM "${T_ORDER}" o JOIN "${T_USER}" u ON o.user_id = u.id WHERE o.user_id = u.rowid`).trim()).toBe('0');
  });
});

describe('verify on an altered shared copy', () => {
  it.each([
    ['one cell', `UPDATE "${T_USER}" SET country_code = 'CA' WHERE rowid = 3`, /table "aws-luckyus-igers-rw\/luckyus_igers\/t_user": content changed \(same row count \d+, values differ\)/],
    ['one catalog row', `UPDATE _snapbench_tables SET rows = rows + 1 WHERE table_name = '${T_USER}'`, /catalog table "_snapbench_tables": content changed/],
    ['the manifest', `UPDATE _snapbench_manifest SET body = replace(body, '"person-name"', '"nothing"')`, /manifest: changed/],
  ])('fails and names what changed after %s is altered', async (_what, sql, expected) => {
    const path = copy(shared, `tampered-${Math.random().toString(36).slice(2)}.snapbench`);
    sqlite(path, sql);
    const result = await runCli(['verify', path]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(expected);
    expect(result.stderr).toMatch(/not intact/);
  });

  it('fails and names a stored DQ result that was altered', async () => {
    const path = copy(shared, 'tampered-dq.snapbench');
    const stored = await runCli(['dq', path, '--format', 'json']);
    expect(stored.code, stored.stderr).toBe(0);
    expect((await runCli(['verify', path])).code).toBe(0);
    sqlite(path, `UPDATE _snapbench_dq_results SET count = 0 WHERE rule_id = 'DQ-002'`);
    const result = await runCli(['verify', path]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/DQ results of run 1: changed \(result rows differ from their hash/);
  });
});

describe('signatures', () => {
  it('are reported but not trusted without --trust', async () => {
    const fingerprint = execFileSync('bash', ['-c', `openssl pkey -pubin -in ${join(dir, 'alice.pub')} -outform DER | sha256sum | cut -d' ' -f1`], { encoding: 'utf8' }).trim();
    const result = await runCli(['verify', signed]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`signed by ${fingerprint} (claims Alice Example`);
    expect(result.stdout).toMatch(/not checked \(pass --trust KEY\.pub\)/);
    expect(result.stdout).not.toMatch(/signature valid/);
  });

  it('are checked with --trust, which names the signer', async () => {
    const result = await runCli(['verify', signed, '--trust', join(dir, 'alice.pub')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/intact/);
    expect(result.stdout).toMatch(/signature valid: signed by Alice Example at \S+ with key [0-9a-f]{64}/);
    const json = parseJson<{ signatures: { trusted: boolean; signatures: { status: string; signer: string }[] } }>(
      await runCli(['verify', signed, '--trust', join(dir, 'alice.pub'), '--format', 'json']),
    );
    expect(json.signatures.trusted).toBe(true);
    expect(json.signatures.signatures).toMatchObject([{ status: 'valid', signer: 'Alice Example' }]);
  });

  it('fail with a clear line for the wrong key and for an unsigned file', async () => {
    const wrong = await runCli(['verify', signed, '--trust', join(dir, 'mallory.pub')]);
    expect(wrong.code).toBe(5);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/not signed by the trusted key [0-9a-f]{64} \(.*mallory\.pub\)/);
    const unsigned = await runCli(['verify', shared, '--trust', join(dir, 'alice.pub')]);
    expect(unsigned.code).toBe(5);
    expect(unsigned.stderr.trim().split('\n')).toHaveLength(1);
    expect(unsigned.stderr).toMatch(/not signed, so not trusted/);
  });

  it('fail when the file is modified after signing, even with every hash recomputed', async () => {
    const path = copy(signed, 'forged.snapbench');
    const db = new Database(path);
    db.prepare(`UPDATE "${T_ORDER}" SET pay_amount = '0.01' WHERE rowid = 1`).run();
    // A forger who knows the format rehashes the table and rewrites the manifest and its root hash.
    const body = JSON.parse(db.prepare('SELECT body FROM _snapbench_manifest').pluck().get() as string);
    body.hashes[T_ORDER] = { ...body.hashes[T_ORDER], ...tableContentHash(db, T_ORDER) };
    const text = JSON.stringify(body);
    db.prepare('UPDATE _snapbench_manifest SET body = ?, root_sha256 = ?').run(text, rootHash(text));
    db.close();
    const plain = await runCli(['verify', path]);
    expect(plain.code, 'the hashes are consistent again').toBe(0);
    expect(plain.stdout).toMatch(/not checked/);
    const trusted = await runCli(['verify', path, '--trust', join(dir, 'alice.pub')]);
    expect(trusted.code).toBe(5);
    expect(trusted.stdout).toMatch(/signature INVALID \(key [0-9a-f]{64}, trusted as .*alice\.pub\): it signs root [0-9a-f]{64} while the manifest now hashes to [0-9a-f]{64}: the file was changed after signing/);
    expect(trusted.stderr).toMatch(/signature by the trusted key is INVALID/);
  });

  it('never make an altered file trusted: a changed cell fails verify --trust even though the manifest is still signed', async () => {
    const path = copy(signed, 'altered-but-signed.snapbench');
    sqlite(path, `UPDATE "${T_USER}" SET country_code = 'CA' WHERE rowid = 1`);
    const result = await runCli(['verify', path, '--trust', join(dir, 'alice.pub')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/t_user": content changed/);
    expect(result.stdout).toMatch(/matches the manifest, but the file's content no longer does: NOT trusted/);
    expect(result.stdout).not.toMatch(/signature valid/);
  });

  it('fail when the signed message (the signer name) is edited', async () => {
    const path = copy(signed, 'renamed.snapbench');
    sqlite(path, `UPDATE _snapbench_signatures SET message = replace(message, 'Alice Example', 'Bob'), signer = 'Bob'`);
    const result = await runCli(['verify', path, '--trust', join(dir, 'alice.pub')]);
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(/signature INVALID \(.*\): the signature does not match the signed message/);
  });

  it('can be added to an existing intact snapshot with "snapbench sign", never to an altered one', async () => {
    const path = copy(shared, 'signed-later.snapbench');
    const result = await runCli(['sign', path, '--key', join(dir, 'alice.key'), '--signer', 'Alice Later']);
    expect(result.code, result.stderr).toBe(0);
    expect((await runCli(['verify', path, '--trust', join(dir, 'alice.pub')])).stdout).toMatch(/signature valid: signed by Alice Later/);
    const altered = copy(shared, 'altered-unsigned.snapbench');
    sqlite(altered, `UPDATE "${T_USER}" SET country_code = 'CA' WHERE rowid = 1`);
    const refused = await runCli(['sign', altered, '--key', join(dir, 'alice.key')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not intact .*; it is not signed/);
    expect(sqlite(altered, `SELECT count(*) FROM sqlite_master WHERE name = '_snapbench_signatures'`).trim()).toBe('0');
  });
});

describe('the auditor procedure of docs/auditor-verification.md', () => {
  /** The documented script, exactly as written, run in a directory holding the file and the key it names. */
  function runDocumentedProcedure(file: string, key: string): { status: number | null; stdout: string; stderr: string } {
    const text = readFileSync(DOC, 'utf8');
    const block = /<!-- auditor-procedure:begin[^>]*-->\n```sh\n([\s\S]*?)```\n<!-- auditor-procedure:end -->/.exec(text);
    expect(block, 'the procedure block is in the doc').not.toBeNull();
    const work = join(dir, `auditor-${Math.random().toString(36).slice(2)}`);
    mkdirSync(work);
    copyFileSync(file, join(work, 'for-auditor.snapbench'));
    copyFileSync(key, join(work, 'alice.pub'));
    writeFileSync(join(work, 'check.sh'), block![1]!);
    const result = spawnSync('bash', ['check.sh'], { cwd: work, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('passes on the signed shared copy with the stock sqlite3, sha256sum and openssl', () => {
    const result = runDocumentedProcedure(signed, join(dir, 'alice.pub'));
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('Signature Verified Successfully');
    expect(result.stdout).toMatch(/tables: \d+ hashes match/);
    expect(result.stdout).toMatch(/mask aws-luckyus-igers-rw\/luckyus_igers\/t_user\.email \(SEC-001:email, \d+ values\)/);
    expect(result.stdout).toMatch(/ALL CHECKS PASSED/);
  });

  it('fails on a file modified after signing, a changed cell, and the wrong key', () => {
    const forged = join(dir, 'forged.snapbench');
    expect(existsSync(forged), 'made by the signature test above').toBe(true);
    const altered = copy(signed, 'altered-signed.snapbench');
    sqlite(altered, `UPDATE "${T_USER}" SET country_code = 'CA' WHERE rowid = 1`);
    for (const [file, key] of [[forged, join(dir, 'alice.pub')], [altered, join(dir, 'alice.pub')], [signed, join(dir, 'mallory.pub')]] as const) {
      const result = runDocumentedProcedure(file, key);
      expect(result.status, `${file} with ${key}`).not.toBe(0);
      expect(result.stdout).not.toMatch(/ALL CHECKS PASSED/);
    }
    expect(runDocumentedProcedure(altered, join(dir, 'alice.pub')).stdout).toMatch(/CHANGED: table "aws-luckyus-igers-rw\/luckyus_igers\/t_user"/);
  });

  it('matches verify-with-sqlite3.sh given the trusted key', () => {
    const ok = spawnSync('bash', [SCRIPT, signed, join(dir, 'alice.pub')], { encoding: 'utf8' });
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/signature: ok \(key [0-9a-f]{64}, signer: Alice Example/);
    const wrong = spawnSync('bash', [SCRIPT, signed, join(dir, 'mallory.pub')], { encoding: 'utf8' });
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toMatch(/NO VALID SIGNATURE/);
  });
});

describe('bad input', () => {
  it.each([
    ['an unknown table', 'mask:\n  t_usr: [email]\n', /redaction profile .*: mask: table "t_usr" is not in the snapshot/],
    ['an unknown column', 'drop:\n  t_user: [emial]\n', /redaction profile .*: drop: table "aws-luckyus-igers-rw\/luckyus_igers\/t_user" has no column "emial"/],
    ['an unknown field', 'masks:\n  t_user: [email]\n', /unknown field "masks"/],
  ])('a profile naming %s is one clear line, and nothing is written', async (_what, yaml, expected) => {
    const profile = join(dir, `bad-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(profile, yaml);
    // An older snapshot at --out (a share replaces only a snapshot) that the failed share must not touch.
    const out = join(dir, 'existing.snapbench');
    if (!existsSync(out)) copyFileSync(demo, out);
    const before = sha256sum(out);
    const result = await share([demo, '--out', out, '--profile', profile]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(expected);
    expect(sha256sum(out)).toBe(before);
    expect(strayFiles()).toEqual([]);
  });

  it('refuses to overwrite the source, to run without --out, to share an altered file, or to use a missing key', async () => {
    expect((await share([demo, '--out', demo])).stderr).toMatch(/is the snapshot being shared; an output never replaces one of its inputs/);
    expect((await share([demo])).stderr).toMatch(/--out FILE is required/);
    const altered = copy(demo, 'altered-source.snapbench');
    sqlite(altered, `UPDATE "${T_USER}" SET email = 'x@y.zz' WHERE rowid = 1`);
    const refused = await share([altered, '--out', join(dir, 'never.snapbench')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not intact \(table .*t_user.*content changed.*\); a shared copy would vouch for altered data/);
    expect(existsSync(join(dir, 'never.snapbench'))).toBe(false);
    const noKey = await share([demo, '--out', join(dir, 'never.snapbench'), '--key-env', 'NOT_SET_ANYWHERE']);
    expect(noKey.stderr).toMatch(/environment variable NOT_SET_ANYWHERE is not set/);
    const badSign = await share([demo, '--out', join(dir, 'never.snapbench'), '--sign', join(dir, 'alice.pub')]);
    expect(badSign.stderr).toMatch(/not a PEM private key/);
    expect(existsSync(join(dir, 'never.snapbench'))).toBe(false);
    expect(strayFiles()).toEqual([]);
  });
});
