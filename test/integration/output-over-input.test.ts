// "An output never replaces an input": every command that writes refuses an
// output path that is one of its inputs — given as is, through a symlink or a
// hard link — and, where it writes a snapshot, an existing file that is not
// one. Each refusal is one line naming the path and its role, and leaves every
// file as it was.
import { createHash } from 'node:crypto';
import { existsSync, linkSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../shared/api/rpc.ts';
import { refuseOutputOverInput } from '../../snapshots/file/outputPath.ts';
import { WorkbenchHost } from '../../snapshots/host/host.ts';
import { runCli, tempDir, type CliResult } from '../helpers/cli.ts';
import { writeLargeSnapshot } from '../e2e/fixtures.ts';

let dir: string;
let snapshot: string;
let other: string;
let fleet: string;
let key: string;
let pack: string;
let profile: string;
let notes: string;
const env = () => ({ SNAPBENCH_CONFIG_DIR: join(dir, 'config'), XDG_CONFIG_HOME: join(dir, 'xdg') });

function digest(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function digests(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) if (!['config', 'xdg'].includes(name) && existsSync(join(dir, name))) out[name] = digest(join(dir, name));
  return out;
}

/** One line on stderr naming the output and what it is; exit 1. */
async function expectRefused(args: string[], ...mentions: (string | RegExp)[]): Promise<CliResult> {
  const result = await runCli(args, { env: env() });
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  for (const m of mentions) expect(lines[0]).toMatch(m);
  return result;
}

/** Runs refused commands side by side (each is a process start, mostly waiting); afterwards no file changed and none was added. */
async function allRefused(runs: (() => Promise<CliResult>)[]): Promise<void> {
  const before = digests();
  await Promise.all(runs.map((run) => run()));
  expect(digests()).toEqual(before);
}

beforeAll(async () => {
  dir = tempDir('snapbench-outputs-');
  snapshot = join(dir, 's.snapbench');
  other = join(dir, 'other.snapbench');
  await writeLargeSnapshot(snapshot, 200);
  await writeLargeSnapshot(other, 50);
  fleet = join(dir, 'fleet.yaml');
  writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
  writeFileSync(fleet, 'instances:\n  - name: db1\n    engine: mysql\n    host: 127.0.0.1\n    port: 1\n    tls: { ca_file: ca.pem }\n');
  const keys = await runCli(['keys', 'generate', '--out', join(dir, 'k')], { env: env() });
  expect(keys.code, keys.stderr).toBe(0);
  key = join(dir, 'k.key');
  pack = join(dir, 'pack.yaml');
  writeFileSync(pack, (await runCli(['dq', 'pack'])).stdout);
  profile = join(dir, 'profile.yaml');
  writeFileSync(profile, 'name: test\n');
  notes = join(dir, 'notes.txt');
  writeFileSync(notes, 'my notes, not a snapshot\n');
  symlinkSync(snapshot, join(dir, 'link-to-s.snapbench'));
  linkSync(snapshot, join(dir, 'hard-s.snapbench'));
  symlinkSync(key, join(dir, 'link-to-k.key'));
  linkSync(fleet, join(dir, 'hard-fleet.yaml'));
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dq --out', () => {
  it('refuses the snapshot itself, through a symlink and through a hard link', async () => {
    await allRefused([
      () => expectRefused(['dq', snapshot, '--format', 'html', '--out', snapshot], `--out ${snapshot}: is the snapshot;`),
      () => expectRefused(['dq', snapshot, '--format', 'html', '--out', join(dir, 'link-to-s.snapbench')], /is the snapshot .*s\.snapbench \(the same file through a link\)/),
      () => expectRefused(['dq', snapshot, '--format', 'json', '--out', join(dir, 'hard-s.snapbench')], /is the snapshot .*same file through a link/),
    ]);
  });

  it("refuses the snapshot's SQLite side files (-journal, -wal, -shm), also through the link it was given by", async () => {
    await allRefused([
      () => expectRefused(['dq', snapshot, '--format', 'html', '--out', `${snapshot}-journal`], /is where SQLite looks for the -journal file of the snapshot/),
      () => expectRefused(['dq', snapshot, '--format', 'json', '--out', `${snapshot}-wal`], /the -wal file of the snapshot/),
      () => expectRefused(['dq', join(dir, 'link-to-s.snapbench'), '--format', 'csv', '--out', `${snapshot}-shm`], /the -shm file of the snapshot .*link-to-s\.snapbench/),
      () => expectRefused(['share', snapshot, '--out', `${snapshot}-wal`, '--fresh-key'], /the -wal file of the snapshot being shared/),
    ]);
  });

  it('refuses the pack, and another snapshot', async () => {
    await allRefused([
      () => expectRefused(['dq', snapshot, '--pack', pack, '--format', 'csv', '--out', pack], /is the rule pack \(--pack\)/),
      () => expectRefused(['dq', snapshot, '--format', 'csv', '--out', other], /is a Snapbench snapshot; it is not replaced/),
    ]);
  });
});

describe('pull', () => {
  it('refuses the fleet manifest, a file it names, and the signing key', async () => {
    await allRefused([
      () => expectRefused(['pull', '--fleet', fleet, '--out', fleet], /is the fleet manifest \(--fleet\)/),
      () => expectRefused(['pull', '--fleet', fleet, '--out', join(dir, 'hard-fleet.yaml')], /is the fleet manifest \(--fleet\) .*same file through a link/),
      () => expectRefused(['pull', '--fleet', fleet, '--out', join(dir, 'ca.pem')], /is the file named in the fleet manifest \(ca\.pem\)/),
      () => expectRefused(['pull', '--fleet', fleet, '--out', key, '--sign', key], /is the signing key \(--sign\)/),
      () => expectRefused(['pull', '--fleet', fleet, '--out', join(dir, 'link-to-k.key'), '--sign', key], /is the signing key \(--sign\) .*same file through a link/),
    ]);
  });

  it('never replaces an existing file that is not a snapshot', async () => {
    await allRefused([
      () => expectRefused(['pull', '--fleet', fleet, '--out', notes], `--out ${notes}: exists and is not a Snapbench snapshot; it is not replaced`),
      () => expectRefused(['pull', '--fleet', fleet, '--out', join(dir, 'dangling')], /symbolic link to a file that does not exist/),
    ]);
  });
});

describe('share', () => {
  it('refuses the source, the signing key, the profile and the pseudonym key', async () => {
    writeFileSync(join(dir, 'pseudo.key'), 'a pseudonym key of more than sixteen characters\n');
    await allRefused([
      () => expectRefused(['share', snapshot, '--out', snapshot, '--fresh-key'], /is the snapshot being shared;/),
      () => expectRefused(['share', snapshot, '--out', join(dir, 'hard-s.snapbench'), '--fresh-key'], /is the snapshot being shared .*same file through a link/),
      () => expectRefused(['share', snapshot, '--out', key, '--sign', key, '--fresh-key'], /is the signing key \(--sign\)/),
      () => expectRefused(['share', snapshot, '--out', profile, '--profile', profile, '--fresh-key'], /is the redaction profile \(--profile\)/),
      () => expectRefused(['share', snapshot, '--out', join(dir, 'pseudo.key'), '--key-file', join(dir, 'pseudo.key')], /is the pseudonym key \(--key-file\)/),
      () => expectRefused(['share', snapshot, '--out', notes, '--fresh-key'], /exists and is not a Snapbench snapshot/),
    ]);
  });
});

describe('demo, fleet seed, fleet manifest, keys generate, sign', () => {
  it('refuse what they must not replace', async () => {
    await allRefused([
      () => expectRefused(['demo', '--out', notes], /exists and is not a Snapbench snapshot/),
      () => expectRefused(['fleet', 'seed', '--out', snapshot], /is a Snapbench snapshot; it is not replaced/),
      () => expectRefused(['fleet', 'manifest', '--out', join(dir, 'link-to-s.snapbench')], /is a Snapbench snapshot/),
    ]);
    symlinkSync(join(dir, 'nowhere.key'), join(dir, 'dk.key'));
    await allRefused([
      () => expectRefused(['keys', 'generate', '--out', join(dir, 'dk')], /dk\.key: is a symbolic link to a file that does not exist/),
      () => expectRefused(['keys', 'generate', '--out', join(dir, 'k')], /k\.key already exists; a key is never overwritten/),
      () => expectRefused(['sign', key, '--key', key], /is the signing key \(--key\)/),
    ]);
  });
});

describe('refuseOutputOverInput', () => {
  it('lets a new file and a replaced snapshot through', () => {
    expect(() => refuseOutputOverInput(join(dir, 'new.snapbench'), [{ path: snapshot, role: 'snapshot' }], { replaces: 'snapshot' })).not.toThrow();
    expect(() => refuseOutputOverInput(other, [{ path: snapshot, role: 'snapshot' }], { replaces: 'snapshot' })).not.toThrow();
    expect(() => refuseOutputOverInput(join(dir, 'report.html'), [{ path: snapshot, role: 'snapshot' }], { replaces: 'not-database' })).not.toThrow();
  });
});

describe('the host', () => {
  it('pull/start and export/start follow the same rules', async () => {
    const host = new WorkbenchHost({ transport: 'ipc', configDir: join(dir, 'config') });
    try {
      const ctx = { callId: 'x', signal: new AbortController().signal, progress: () => {} };
      const before = digests();
      const overFleet = await dispatch(host.handlers, 'pull/start', { fleetPath: fleet, out: fleet }, ctx);
      expect(overFleet).toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringMatching(/is the fleet manifest \(fleetPath\)/) } });
      const overNotes = await dispatch(host.handlers, 'pull/start', { fleetPath: fleet, out: notes }, ctx);
      expect(overNotes).toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringMatching(/exists and is not a Snapbench snapshot/) } });
      const opened = await dispatch(host.handlers, 'snapshot/open', { path: snapshot }, ctx);
      expect(opened.ok).toBe(true);
      const id = (opened as { value: { id: string } }).value.id;
      const exportOver = await dispatch(host.handlers, 'export/start', { snapshotId: id, source: { kind: 'sql', sql: 'SELECT 1', format: 'csv' }, savePath: join(dir, 'link-to-s.snapbench') }, ctx);
      expect(exportOver).toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringMatching(/is the snapshot being exported/) } });
      const exportOverOther = await dispatch(host.handlers, 'export/start', { snapshotId: id, source: { kind: 'sql', sql: 'SELECT 1', format: 'csv' }, savePath: other }, ctx);
      expect(exportOverOther).toMatchObject({ ok: false, error: { code: 'refused' } });
      expect(digests()).toEqual(before);
    } finally {
      await host.close();
    }
  });
});
