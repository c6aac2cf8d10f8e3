// The desktop transport's engine side (what runs in the Electron utility
// process), driven through a parent port made of plain objects: Electron
// itself cannot run here, but the engine's half of the protocol can.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledScript } from '../../snapshots/compiled.ts';
import { WorkbenchHost } from '../../snapshots/host/host.ts';
import { serveOverParentPort, type FromUtility, type ParentPortLike, type ToUtility } from '../../snapshots/host/parentPort.ts';
import { LARGE_TABLE_NAME, writeLargeSnapshot } from '../e2e/fixtures.ts';

class FakeParentPort implements ParentPortLike {
  private listener: ((event: { data: unknown }) => void) | null = null;
  readonly received: FromUtility[] = [];
  private waiters: (() => void)[] = [];

  on(_event: 'message', listener: (event: { data: unknown }) => void): void {
    this.listener = listener;
  }

  postMessage(message: unknown): void {
    this.received.push(message as FromUtility);
    for (const wake of this.waiters.splice(0)) wake();
  }

  send(message: ToUtility): void {
    this.listener!({ data: message });
  }

  async next<T extends FromUtility>(match: (m: FromUtility) => m is T): Promise<T> {
    for (;;) {
      const found = this.received.find(match);
      if (found) {
        this.received.splice(this.received.indexOf(found), 1);
        return found;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

const outcomeOf = (callId: string) => (m: FromUtility): m is Extract<FromUtility, { type: 'outcome' }> => m.type === 'outcome' && m.callId === callId;

describe('workbench API over the desktop engine port', () => {
  let dir: string;
  let snapshot: string;
  let port: FakeParentPort;
  let host: WorkbenchHost;
  let done: Promise<void>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snapbench-ipc-'));
    snapshot = join(dir, 'ipc.snapbench');
    await writeLargeSnapshot(snapshot, 3000);
    port = new FakeParentPort();
    host = new WorkbenchHost({ transport: 'ipc', configDir: join(dir, 'config'), emit: (event, payload) => port.postMessage({ type: 'event', event, payload }) });
    done = serveOverParentPort(port, host);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says it is ready, answers calls by id and validates them', async () => {
    await port.next((m): m is Extract<FromUtility, { type: 'ready' }> => m.type === 'ready');
    port.send({ type: 'call', callId: 'a', channel: 'app/info', request: {} });
    const info = await port.next(outcomeOf('a'));
    expect(info.outcome).toMatchObject({ ok: true, value: { transport: 'ipc' } });
    port.send({ type: 'call', callId: 'b', channel: 'snapshot/open', request: { path: 42 } });
    expect((await port.next(outcomeOf('b'))).outcome).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('writes exports where the shell says, reports progress, and tells windows about files opened from the OS', async () => {
    port.send({ type: 'open-file', path: snapshot });
    const opened = await port.next((m): m is Extract<FromUtility, { type: 'event' }> => m.type === 'event' && m.event === 'snapshot/opened');
    const snapshotId = (opened.payload as { id: string }).id;
    const out = join(dir, 'export.csv');
    port.send({ type: 'call', callId: 'c', channel: 'export/start', request: { snapshotId, source: { kind: 'table', view: { table: LARGE_TABLE_NAME }, format: 'csv' }, savePath: out } });
    expect((await port.next(outcomeOf('c'))).outcome).toMatchObject({ ok: true, value: { kind: 'file', path: out, rows: 3000 } });
    expect(port.received.some((m) => m.type === 'progress' && m.callId === 'c')).toBe(true);
    port.send({ type: 'call', callId: 'd', channel: 'export/start', request: { snapshotId, source: { kind: 'table', view: { table: LARGE_TABLE_NAME }, format: 'csv' } } });
    expect((await port.next(outcomeOf('d'))).outcome).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('cancels a call and stops on exit', async () => {
    const opened = (await host.handlers['snapshot/open']({ path: snapshot }, { callId: 'x', signal: new AbortController().signal, progress: () => {} })) as { id: string };
    port.send({ type: 'call', callId: 'e', channel: 'column/profile', request: { snapshotId: opened.id, table: LARGE_TABLE_NAME, column: 'note' } });
    port.send({ type: 'cancel', callId: 'e' });
    expect((await port.next(outcomeOf('e'))).outcome).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    port.send({ type: 'exit' });
    await done;
  });

  it('the compiled engine process refuses to run outside the desktop app, with one line', () => {
    const result = spawnSync(process.execPath, [compiledScript('engineProcess')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual(['snapbench engine: runs inside the desktop app (an Electron utility process); use "snapbench serve" for the browser']);
  });
});
