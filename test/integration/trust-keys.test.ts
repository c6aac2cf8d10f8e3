// The workbench's trusted keys (trust/keys, trust/add, trust/remove) and the
// trust summary a snapshot opens with: a signature by a trusted key names a
// trusted signer; by another key it is "unknown-key"; keys live in the config
// directory and survive a restart of the host; bad keys are one clear line.
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch, type CallOutcome } from '../../shared/api/rpc.ts';
import type { SnapshotSummary, TrustedKey, TrustSummary } from '../../shared/api/types.ts';
import { WorkbenchHost } from '../../snapshots/host/host.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { writeLargeSnapshot } from '../e2e/fixtures.ts';

let dir: string;
let signed: string;
let fingerprint: string;

const ctx = () => ({ callId: 'x', signal: new AbortController().signal, progress: () => {} });
const call = (host: WorkbenchHost, channel: string, request: unknown): Promise<CallOutcome> => dispatch(host.handlers, channel, request, ctx());
const value = <T,>(outcome: CallOutcome): T => {
  expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
  return (outcome as { value: T }).value;
};

beforeAll(async () => {
  dir = tempDir('snapbench-trust-keys-');
  signed = join(dir, 'signed.snapbench');
  await writeLargeSnapshot(signed, 50);
  const keys = await runCli(['keys', 'generate', '--out', join(dir, 'alice')]);
  fingerprint = /fingerprint sha256 ([0-9a-f]{64})/.exec(keys.stdout)![1]!;
  expect((await runCli(['sign', signed, '--key', join(dir, 'alice.key'), '--signer', 'Alice Example'])).code).toBe(0);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('trusted keys', () => {
  it('a signature is "unknown-key" until its key is trusted, then names a trusted signer; removing the key undoes it', async () => {
    const config = join(dir, 'config');
    let host = new WorkbenchHost({ transport: 'http', configDir: config });
    try {
      const opened = value<SnapshotSummary>(await call(host, 'snapshot/open', { path: signed }));
      expect(opened.trust).toMatchObject({ manifestIntact: true, complete: true, trustedBy: null, redacted: null, problems: [], trustedKeys: 0, dqRuns: 0 });
      expect(opened.trust.signatures).toEqual([{ signer: 'Alice Example', fingerprint, signedAt: expect.any(String), status: 'unknown-key', keyLabel: null, reason: null }]);
      const keys = value<TrustedKey[]>(await call(host, 'trust/add', { publicKey: readFileSync(join(dir, 'alice.pub'), 'utf8'), label: 'Alice' }));
      expect(keys).toEqual([{ fingerprint, label: 'Alice', addedAt: expect.any(String) }]);
      const trusted = value<TrustSummary>(await call(host, 'snapshot/trust', { snapshotId: opened.id }));
      expect(trusted.trustedBy).toMatchObject({ signer: 'Alice Example', fingerprint, status: 'trusted', keyLabel: 'Alice' });
    } finally {
      await host.close();
    }
    // The key is kept in the config directory: a new host trusts it at once.
    host = new WorkbenchHost({ transport: 'http', configDir: config });
    try {
      const opened = value<SnapshotSummary>(await call(host, 'snapshot/open', { path: signed }));
      expect(opened.trust.trustedBy?.keyLabel).toBe('Alice');
      expect(value<TrustedKey[]>(await call(host, 'trust/remove', { fingerprint }))).toEqual([]);
      expect(value<TrustSummary>(await call(host, 'snapshot/trust', { snapshotId: opened.id })).trustedBy).toBeNull();
      // A private key file given by path: only its public half is kept.
      value(await call(host, 'trust/add', { path: join(dir, 'alice.key') }));
      expect(readFileSync(join(config, 'trusted-keys.json'), 'utf8')).not.toMatch(/PRIVATE/);
    } finally {
      await host.close();
    }
  });

  it('says how many stored DQ runs a signed file holds, which no signature covers', async () => {
    const withRun = join(dir, 'with-run.snapbench');
    copyFileSync(signed, withRun);
    const dq = await runCli(['dq', withRun]);
    expect(dq.code, dq.stderr).toBe(0);
    const host = new WorkbenchHost({ transport: 'http', configDir: join(dir, 'config-dq') });
    try {
      const opened = value<SnapshotSummary>(await call(host, 'snapshot/open', { path: withRun }));
      expect(opened.trust).toMatchObject({ manifestIntact: true, problems: [], dqRuns: 1 });
    } finally {
      await host.close();
    }
  });

  it('a bad key or request is one line', async () => {
    const host = new WorkbenchHost({ transport: 'http', configDir: join(dir, 'config-bad') });
    try {
      expect(await call(host, 'trust/add', { publicKey: 'not a key' })).toMatchObject({ ok: false, error: { code: 'bad-request', message: 'public key: not a PEM public key' } });
      expect(await call(host, 'trust/add', { path: join(dir, 'absent.pub') })).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/absent\.pub: cannot be read/) } });
      expect(await call(host, 'trust/add', {})).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/give either publicKey/) } });
      expect(await call(host, 'trust/remove', { fingerprint: 'abc' })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    } finally {
      await host.close();
    }
  });
});
