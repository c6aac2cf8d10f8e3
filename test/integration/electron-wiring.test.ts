// The desktop app's wiring, without the Electron binary (it cannot be
// downloaded here): the compiled dist/electron/main.js runs under Node with
// stand-ins for the few Electron APIs it uses (test/helpers/electronStandIn.ts),
// its utility process is a real child_process.fork of the compiled engine, and
// the renderer's ipcTransport talks to it through the preload's bridge. What
// this cannot show: Chromium enforcing the options main.js passes, and the
// real utilityProcess/parentPort (README: "The desktop app").
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBridge } from '../../electron/bridge.ts';
import { ipcTransport } from '../../renderer/src/api/ipcTransport.ts';
import { IPC } from '../../shared/api/bridge.ts';
import { ApiFailure } from '../../shared/api/errors.ts';
import { createApiClient, type ApiClient } from '../../shared/api/rpc.ts';
import type { SnapshotSummary } from '../../shared/api/types.ts';
import { LARGE_TABLE_NAME, writeLargeSnapshot } from '../e2e/fixtures.ts';
import { app, dialog, ipcMain, rendererIpc, session, StandInBrowserWindow, StandInFrame, StandInWebContents, utilityProcess } from '../helpers/electronStandIn.ts';

vi.mock('electron', async () => (await import('../helpers/electronStandIn.ts')).electronModule);

const BUILD = process.env.SNAPBENCH_BUILD_DIR!;
const ROWS = 3000;

describe('the desktop shell (compiled main.js) with stand-ins for Electron', () => {
  let dir: string;
  let first: string;
  let second: string;
  let window: StandInBrowserWindow;
  let api: ApiClient;
  const events: { name: string; payload: unknown }[] = [];
  const argv = process.argv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snapbench-wiring-'));
    first = join(dir, 'first.snapbench');
    second = join(dir, 'second.snapbench');
    await writeLargeSnapshot(first, ROWS);
    await writeLargeSnapshot(second, 10);
    app.paths.userData = join(dir, 'userData');
    app.paths.downloads = dir;
    // Launched by double-clicking a snapshot (Windows and Linux pass it as an argument).
    process.argv = [argv[0]!, join(BUILD, 'electron', 'main.js'), first];
    const created = new Promise<StandInBrowserWindow>((resolve) => StandInBrowserWindow.created.once('window', resolve));
    await import(pathToFileURL(join(BUILD, 'electron', 'main.js')).href);
    window = await created;
    const bridge = createBridge(rendererIpc(window.webContents));
    for (const name of ['snapshot/opened', 'menu/command']) bridge.on(name, (payload) => events.push({ name, payload }));
    api = createApiClient(ipcTransport(bridge));
  });

  afterAll(async () => {
    process.argv = argv;
    app.emit('before-quit');
    await Promise.all(utilityProcess.started.map((p) => p.exited));
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds a single-instance lock, starts the compiled engine in one utility process, and loads the built UI', () => {
    expect(app.singleInstanceLockRequested).toBe(1);
    expect(app.quitCalls).toBe(0);
    expect(utilityProcess.started).toHaveLength(1);
    const engine = utilityProcess.started[0]!;
    expect(engine.modulePath).toBe(join(BUILD, 'cli', 'engineProcess.js'));
    expect(engine.args).toEqual([first]);
    expect((engine.options.env as Record<string, string>).SNAPBENCH_CONFIG_DIR).toBe(app.paths.userData);
    expect(window.loadedFile).toBe(join(BUILD, 'renderer', 'index.html'));
    expect(existsSync(window.loadedFile!)).toBe(true);
    expect(window.shown).toBe(true);
    expect(ipcMain.handlers.has(IPC.call)).toBe(true);
  });

  it('passes the Electron security checklist: isolated, sandboxed, no Node, a strict CSP, no navigation, no new windows, no permissions, nothing remote', async () => {
    const prefs = window.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    expect(prefs.preload).toBe(join(BUILD, 'electron', 'preload.cjs'));
    expect(readFileSync(prefs.preload as string, 'utf8')).toMatch(/exposeInMainWorld\("snapbench"/);

    // The CSP of the page the window loads: scripts only from the app, no eval, no plugins, no <base>.
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(readFileSync(window.loadedFile!, 'utf8'))?.[1] ?? '';
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);

    const navigate = (url: string) => {
      const event = { prevented: false, preventDefault() {
        this.prevented = true;
      } };
      window.webContents.emit('will-navigate', event, url);
      return event.prevented;
    };
    expect(navigate('https://example.com/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate(pathToFileURL(window.loadedFile!).href)).toBe(false);
    const redirect = { prevented: false, preventDefault() {
      this.prevented = true;
    } };
    window.webContents.emit('will-redirect', redirect, 'https://example.com/');
    expect(redirect.prevented).toBe(true);
    expect(window.webContents.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });

    // Any other web contents (a devtools or a stray frame's): no webviews, no windows.
    const other = new StandInWebContents();
    app.emit('web-contents-created', {}, other);
    const attach = { prevented: false, preventDefault() {
      this.prevented = true;
    } };
    other.emit('will-attach-webview', attach);
    expect(attach.prevented).toBe(true);
    expect(other.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });

    const granted: boolean[] = [];
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read']) session.defaultSession.permissionRequestHandler!(window.webContents, permission, (g) => granted.push(g));
    expect(granted).toEqual([false, false, false, false]);
    expect(session.defaultSession.permissionCheckHandler!(window.webContents, 'media')).toBe(false);
    expect(session.defaultSession.beforeRequest!.filter.urls).toEqual(expect.arrayContaining(['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*']));
    const cancelled = await new Promise<{ cancel: boolean }>((resolve) => session.defaultSession.beforeRequest!.listener({ url: 'https://example.com/' }, resolve));
    expect(cancelled).toEqual({ cancel: true });
  });

  it('answers one call per API channel family through the preload bridge, from the engine in its child process', async () => {
    const info = await api.invoke('app/info', {});
    expect(info).toMatchObject({ transport: 'ipc', nativeDialogs: true, initial: first });
    const opened = info.open.find((s) => s.path === first) ?? (await api.invoke('snapshot/open', { path: first }));
    const snapshotId = opened.id;
    expect((await api.invoke('recent/list', {})).map((r) => r.path)).toContain(first);
    const tree = await api.invoke('catalog/tree', { snapshotId });
    expect(JSON.stringify(tree)).toContain('t_event');
    const page = await api.invoke('table/page', { snapshotId, view: { table: LARGE_TABLE_NAME }, offset: 0, limit: 100 });
    expect(page).toMatchObject({ offset: 0, rows: 100, total: ROWS });
    expect(page.arrow).toBeInstanceOf(Uint8Array); // bytes cross both process boundaries as bytes
    expect((await api.invoke('table/count', { snapshotId, view: { table: LARGE_TABLE_NAME, filters: [{ column: 'status', op: 'equals', value: '0' }] } })).rows).toBe(ROWS / 5);
    const result = await api.invoke('sql/run', { snapshotId, sql: `SELECT count(*) AS n FROM "${LARGE_TABLE_NAME}"` });
    expect(result).toMatchObject({ rows: 1, limited: false });
    expect((await api.invoke('result/page', { resultId: result.resultId, offset: 0, limit: 10 })).rows).toBe(1);
    const dq = await api.invoke('dq/run', { snapshotId, pack: 'report-07', store: false });
    expect(dq.results.length).toBeGreaterThan(0);
    expect((await api.invoke('fleet/overview', { snapshotId })).instances).toBeGreaterThan(0);
    expect((await api.invoke('scenario/compute', { preset: 'report-07' })).stores).toBe(16);
    const fleet = join(dir, 'fleet.yaml');
    writeFileSync(fleet, 'instances:\n  - name: inventory-only-db\n    engine: mysql\n    instance_class: db.t4g.medium\n');
    expect((await api.invoke('pull/inspect', { fleetPath: fleet })).instances.map((i) => i.name)).toEqual(['inventory-only-db']);
    dialog.answers.push({ canceled: false, filePaths: [second] });
    expect(await api.invoke('dialog/open', { purpose: 'snapshot' })).toEqual({ path: second });
    expect(dialog.calls.at(-1)).toMatchObject({ kind: 'open', options: { properties: ['openFile'] } });
    expect((await api.invoke('snapshot/verify', { snapshotId })).ok).toBe(true);
  });

  it('reports progress to the calling window and cancels a running call', async () => {
    const { id: snapshotId } = await api.invoke('snapshot/open', { path: first });
    const progress: unknown[] = [];
    const profile = await api.invoke('column/profile', { snapshotId, table: LARGE_TABLE_NAME, column: 'city' }, { onProgress: (p) => progress.push(p) });
    expect(profile.rows).toBe(ROWS);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toMatchObject({ phase: expect.any(String), unit: expect.any(String) });

    const controller = new AbortController();
    const slow = api.invoke('sql/run', { snapshotId, sql: `SELECT count(*) FROM "${LARGE_TABLE_NAME}" a, "${LARGE_TABLE_NAME}" b, "${LARGE_TABLE_NAME}" c` }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await expect(slow).rejects.toMatchObject({ code: 'cancelled' });
    // The engine is still there for the next call.
    expect((await api.invoke('sql/run', { snapshotId, sql: 'SELECT 1 AS one' })).rows).toBe(1);
  });

  it('writes an export only where the save dialog says, whatever path the renderer sends', async () => {
    const { id: snapshotId } = await api.invoke('snapshot/open', { path: first });
    const chosen = join(dir, 'chosen.csv');
    const planted = join(dir, 'planted.csv');
    dialog.answers.push({ canceled: false, filePath: chosen });
    const bridge = createBridge(rendererIpc(window.webContents));
    const outcome = await bridge.invoke('export/start', { callId: 'export-1', request: { snapshotId, source: { kind: 'table', view: { table: LARGE_TABLE_NAME }, format: 'csv' }, savePath: planted } });
    expect(outcome).toMatchObject({ ok: true, value: { kind: 'file', path: chosen, rows: ROWS } });
    expect(readFileSync(chosen, 'utf8').split('\n')).toHaveLength(ROWS + 2);
    expect(existsSync(planted)).toBe(false);
    expect(dialog.calls.at(-1)).toMatchObject({ kind: 'save', options: { defaultPath: join(dir, 't_event.csv') } });
    // Closing the dialog writes nothing.
    expect(await api.invoke('export/start', { snapshotId, source: { kind: 'sql', sql: 'SELECT 1', format: 'csv' } })).toEqual({ kind: 'cancelled' });
  });

  it('refuses calls from anything but the window\'s own top frame showing the bundled UI', async () => {
    const call = (contents: StandInWebContents, frame?: StandInFrame) => createBridge(rendererIpc(contents, frame)).invoke('app/info', { callId: 'x', request: {} });
    // Another web contents (not one of the app's windows).
    expect(await call(new StandInWebContents())).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    // A subframe of the app's window.
    expect(await call(window.webContents, new StandInFrame(window.webContents.mainFrame.url, window.webContents.mainFrame))).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    // The top frame after it somehow showed another page.
    const top = window.webContents.mainFrame;
    const url = top.url;
    top.url = 'https://example.com/';
    try {
      expect(await call(window.webContents)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    } finally {
      top.url = url;
    }
    // Unknown channels and malformed calls, sent past the bridge's own checks.
    const handler = ipcMain.handlers.get(IPC.call)!;
    const event = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
    expect(await handler(event, 'fs/readFile', { callId: 'y', request: {} })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await handler(event, 'app/info', { request: {} })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await handler(event, 'snapshot/open', { callId: 'z', request: 'path' })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    await expect(createBridge(rendererIpc(window.webContents)).invoke('fs/readFile', { callId: 'w', request: {} })).rejects.toThrow(/Unsupported API channel/);
    // The trusted window still works.
    expect(await call(window.webContents)).toMatchObject({ ok: true });
  });

  it('opens a snapshot handed over by a second launch, by macOS open-file, or dropped on the window', async () => {
    const openedEvent = (path: string) =>
      vi.waitFor(
        () => {
          const found = events.find((e) => e.name === 'snapshot/opened' && (e.payload as SnapshotSummary).path === path);
          if (!found) throw new Error(`no snapshot/opened for ${path} yet`);
          return found;
        },
        { timeout: 30_000, interval: 20 },
      );
    const focused = window.focused;
    app.emit('second-instance', {}, ['/opt/Snapbench/snapbench', '--no-sandbox', 'second.snapbench'], dir);
    await openedEvent(second);
    expect(window.focused).toBe(focused + 1);
    expect(app.recentDocuments).toContain(second);

    const third = join(dir, 'third.snapbench');
    await writeLargeSnapshot(third, 5);
    let prevented = false;
    app.emit('open-file', { preventDefault: () => (prevented = true) }, third);
    expect(prevented).toBe(true);
    await openedEvent(third);

    const dropped = join(dir, 'dropped.snapbench');
    await writeLargeSnapshot(dropped, 5);
    const drop = { prevented: false, preventDefault() {
      this.prevented = true;
    } };
    window.webContents.emit('will-navigate', drop, pathToFileURL(dropped).href);
    expect(drop.prevented).toBe(true);
    await openedEvent(dropped);
    expect(utilityProcess.started).toHaveLength(1);
  });

  it('fails calls with a clear message when the engine dies, and starts a new one on the next call', async () => {
    const engine = utilityProcess.started.at(-1)!;
    engine.child.kill('SIGKILL');
    await engine.exited;
    const info = await api.invoke('app/info', {});
    expect(info.transport).toBe('ipc');
    expect(utilityProcess.started.length).toBe(2);
    await expect(
      (async () => {
        const { id: snapshotId } = await api.invoke('snapshot/open', { path: first });
        const pending = api.invoke('sql/run', { snapshotId, sql: `SELECT count(*) FROM "${LARGE_TABLE_NAME}" a, "${LARGE_TABLE_NAME}" b, "${LARGE_TABLE_NAME}" c` });
        setTimeout(() => utilityProcess.started.at(-1)!.child.kill('SIGKILL'), 200);
        return pending;
      })(),
    ).rejects.toSatisfy((error: unknown) => error instanceof ApiFailure && /the Snapbench engine stopped/.test(error.message) && /restarts on the next action/.test(error.hint ?? ''));
  });
});
