// The Electron shell: windows, menus, dialogs and OS integration only. All
// behaviour lives in the engine, which runs the same handler map as the
// browser host (snapshots/host) in a utility process, so database work never
// blocks the main process. This process relays each validated call from a
// trusted window to the engine, answers the native-dialog channels itself and
// adds the save path to exports after a save dialog.
import { app, BrowserWindow, dialog, ipcMain, Menu, session, utilityProcess, type FileFilter, type IpcMainInvokeEvent, type MenuItemConstructorOptions, type UtilityProcess, type WebContents } from 'electron';
import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { IPC } from '../shared/api/bridge.ts';
import { isChannel, SHELL_CHANNELS, type Channel } from '../shared/api/channels.ts';
import { apiError } from '../shared/api/errors.ts';
import type { CallOutcome } from '../shared/api/rpc.ts';
import type { AppInfo, RecentSnapshot } from '../shared/api/types.ts';

/** dist/: this file is dist/electron/main.js, beside dist/cli/ (the engine) and dist/renderer/ (the UI). */
const DIST = join(import.meta.dirname, '..');
const RENDERER_INDEX = join(DIST, 'renderer', 'index.html');
const RENDERER_URL = pathToFileURL(RENDERER_INDEX).href;
/** The engine's entry, run inside the utility process. */
const ENGINE_ENTRY = join(DIST, 'cli', 'engineProcess.js');
const SNAPSHOT_EXTENSION = '.snapbench';

type EngineMessage =
  | { type: 'ready' }
  | { type: 'progress'; callId: string; progress: unknown }
  | { type: 'outcome'; callId: string; outcome: CallOutcome }
  | { type: 'event'; event: string; payload: unknown };

interface PendingCall {
  resolve(outcome: CallOutcome): void;
  sender: WebContents | null;
}

/** The engine in its utility process: calls by id, progress to the caller, events to every window. */
class Engine {
  private child: UtilityProcess | null = null;
  private ready: Promise<void> | null = null;
  private readonly pending = new Map<string, PendingCall>();
  private counter = 0;

  constructor(private readonly initialFile: string | null) {}

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    this.ready = new Promise<void>((resolveReady, rejectReady) => {
      const child = utilityProcess.fork(ENGINE_ENTRY, this.initialFile ? [this.initialFile] : [], {
        serviceName: 'Snapbench engine',
        stdio: 'inherit',
        env: { ...process.env, SNAPBENCH_CONFIG_DIR: app.getPath('userData') },
      });
      this.child = child;
      child.on('message', (message: EngineMessage) => {
        switch (message.type) {
          case 'ready':
            resolveReady();
            return;
          case 'progress': {
            const call = this.pending.get(message.callId);
            if (call?.sender && !call.sender.isDestroyed()) call.sender.send(IPC.event, 'progress', { callId: message.callId, progress: message.progress });
            return;
          }
          case 'outcome': {
            const call = this.pending.get(message.callId);
            this.pending.delete(message.callId);
            call?.resolve(message.outcome);
            return;
          }
          case 'event':
            for (const window of BrowserWindow.getAllWindows()) window.webContents.send(IPC.event, message.event, message.payload);
            if (message.event === 'snapshot/opened') void refreshMenu();
            return;
        }
      });
      child.on('exit', (code) => {
        // A crashed engine fails its calls with what to do; the next call starts a new one.
        this.child = null;
        this.ready = null;
        for (const [callId, call] of this.pending) {
          this.pending.delete(callId);
          call.resolve({ ok: false, error: apiError('failed', `the Snapbench engine stopped (exit code ${code})`, 'try again; the engine restarts on the next action') });
        }
        rejectReady(new Error(`the engine exited (${code}) before it was ready`));
      });
    });
    this.ready.catch(() => {});
    return this.ready;
  }

  async call(channel: Channel, request: unknown, callId: string = `main-${++this.counter}`, sender: WebContents | null = null): Promise<CallOutcome> {
    try {
      await this.start();
    } catch (error) {
      return { ok: false, error: apiError('failed', `the Snapbench engine did not start: ${(error as Error).message}`, 'reinstall the app, or run "npx snapbench serve" from the project folder') };
    }
    return new Promise<CallOutcome>((resolveCall) => {
      this.pending.set(callId, { resolve: resolveCall, sender });
      this.child!.postMessage({ type: 'call', callId, channel, request });
    });
  }

  cancel(callId: string): boolean {
    if (!this.pending.has(callId) || !this.child) return false;
    this.child.postMessage({ type: 'cancel', callId });
    return true;
  }

  async openFile(path: string): Promise<void> {
    await this.start().catch(() => {});
    this.child?.postMessage({ type: 'open-file', path });
  }

  stop(): void {
    this.child?.postMessage({ type: 'exit' });
    const child = this.child;
    setTimeout(() => child?.kill(), 3000).unref();
  }
}

/** A snapshot path given on the command line (file association on Windows/Linux, `snapbench-app FILE`). */
function fileFromArgv(argv: string[]): string | null {
  const candidate = argv.slice(app.isPackaged ? 1 : 2).find((arg) => !arg.startsWith('-') && extname(arg).toLowerCase() === SNAPSHOT_EXTENSION);
  return candidate ? resolve(candidate) : null;
}

const initialFile = fileFromArgv(process.argv);
const engine = new Engine(initialFile);
const windows = new Set<BrowserWindow>();
/** Files the OS asked to open before a window existed (macOS open-file). */
const queuedFiles: string[] = [];

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const window = BrowserWindow.fromWebContents(event.sender);
  if (!window || !windows.has(window)) return false;
  const frame = event.senderFrame;
  // Only the window's own top frame, showing the bundled UI (no subframe, no other page).
  return frame !== null && frame.parent === null && frame.frameTreeNodeId === event.sender.mainFrame.frameTreeNodeId && frame.url.split('#')[0] === RENDERER_URL;
}

function focusedWindow(event?: IpcMainInvokeEvent): BrowserWindow | undefined {
  return (event && BrowserWindow.fromWebContents(event.sender)) ?? BrowserWindow.getFocusedWindow() ?? [...windows][0];
}

async function openSnapshotFile(path: string): Promise<void> {
  app.addRecentDocument(path);
  await engine.openFile(path);
}

function exportFileName(source: { kind?: string; format?: string; view?: { table?: string } }): string {
  if (source.kind === 'dq-report') return `dq-report.${source.format ?? 'html'}`;
  const extension = source.format === 'arrow' ? 'arrows' : 'csv';
  const stem = source.kind === 'table' && source.view?.table ? source.view.table.split('/').slice(-1)[0]! : 'query';
  return `${stem.replace(/[^\p{L}\p{N}._-]+/gu, '_')}.${extension}`;
}

const DIALOG_FILTERS: Record<'snapshot' | 'fleet' | 'pack', FileFilter[]> = {
  snapshot: [{ name: 'Snapbench snapshot', extensions: ['snapbench'] }, { name: 'All files', extensions: ['*'] }],
  fleet: [{ name: 'Fleet manifest', extensions: ['yaml', 'yml'] }, { name: 'All files', extensions: ['*'] }],
  pack: [{ name: 'Rule pack', extensions: ['yaml', 'yml'] }, { name: 'All files', extensions: ['*'] }],
};

/** Channels the shell answers or completes itself: native dialogs, exports (save dialog), app info. */
async function shellCall(event: IpcMainInvokeEvent, channel: Channel, callId: string, request: unknown): Promise<CallOutcome> {
  const window = focusedWindow(event);
  const r = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
  switch (channel) {
    case 'dialog/open': {
      const purpose = r.purpose === 'fleet' || r.purpose === 'pack' ? r.purpose : 'snapshot';
      const options = { properties: ['openFile' as const], filters: [...DIALOG_FILTERS[purpose]] };
      const picked = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return { ok: true, value: { path: picked.canceled ? null : (picked.filePaths[0] ?? null) } };
    }
    case 'dialog/save': {
      const options = { defaultPath: typeof r.defaultName === 'string' ? r.defaultName : 'fleet.snapbench', filters: [...DIALOG_FILTERS.snapshot] };
      const picked = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      return { ok: true, value: { path: picked.canceled ? null : (picked.filePath ?? null) } };
    }
    case 'export/start': {
      // Only the shell chooses where files are written: whatever path a request carries is replaced.
      const { savePath: _ignored, ...rest } = r;
      const source = (rest.source ?? {}) as { kind?: string; format?: string; view?: { table?: string } };
      const options = { defaultPath: join(app.getPath('downloads'), exportFileName(source)) };
      const picked = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      if (picked.canceled || !picked.filePath) return { ok: true, value: { kind: 'cancelled' } };
      return engine.call(channel, { ...rest, savePath: picked.filePath }, callId, event.sender);
    }
    case 'call/cancel':
      return { ok: true, value: { cancelled: engine.cancel(String(r.callId ?? '')) } };
    case 'app/info': {
      const outcome = await engine.call(channel, request, callId, event.sender);
      if (outcome.ok) (outcome.value as AppInfo).nativeDialogs = true;
      return outcome;
    }
    case 'snapshot/open': {
      const outcome = await engine.call(channel, request, callId, event.sender);
      if (outcome.ok && typeof r.path === 'string') {
        app.addRecentDocument(resolve(r.path));
        void refreshMenu();
      }
      return outcome;
    }
    default:
      return engine.call(channel, request, callId, event.sender);
  }
}

function sendCommand(command: 'open' | 'open-demo' | 'toggle-theme' | 'export' | 'show-view', view?: string): void {
  for (const window of windows) window.webContents.send(IPC.event, 'menu/command', { command, view });
}

async function openWithDialog(): Promise<void> {
  const window = focusedWindow();
  const options = { properties: ['openFile' as const], filters: [...DIALOG_FILTERS.snapshot] };
  const picked = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  if (!picked.canceled && picked.filePaths[0]) await openSnapshotFile(picked.filePaths[0]);
}

async function refreshMenu(): Promise<void> {
  const outcome = await engine.call('recent/list', {});
  const recent = outcome.ok ? (outcome.value as RecentSnapshot[]) : [];
  const views = [
    ['Library', 'home'],
    ['Explorer', 'explorer'],
    ['Fleet', 'fleet'],
    ['Data Quality', 'dq'],
    ['Scenarios', 'scenarios'],
    ['Pull', 'pull'],
  ] as const;
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Snapshot…', accelerator: 'CmdOrCtrl+O', click: () => void openWithDialog() },
        {
          label: 'Open Recent',
          submenu: recent.length
            ? recent.map((r) => ({ label: r.fileName, sublabel: r.path, enabled: r.exists, click: () => void openSnapshotFile(r.path) }))
            : [{ label: 'No recent snapshots', enabled: false }],
        },
        { label: 'Open the Demo Snapshot', click: () => sendCommand('open-demo') },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...views.map(([label, view], i) => ({ label, accelerator: `Alt+${i + 1}`, click: () => sendCommand('show-view', view) })),
        { type: 'separator' },
        { label: 'Toggle Dark Theme', accelerator: 'CmdOrCtrl+Shift+D', click: () => sendCommand('toggle-theme') },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }]),
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        {
          label: 'About Snapbench',
          click: () => void dialog.showMessageBox({ type: 'info', title: 'Snapbench', message: `Snapbench ${app.getVersion()}`, detail: 'Read-only snapshots of a MySQL, PostgreSQL and Redis fleet, explored offline.' }),
        },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Snapbench',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
      // A dropped file becomes a navigation that will-navigate turns into "open this snapshot".
      navigateOnDragDrop: true,
    },
  });
  windows.add(window);
  window.on('closed', () => windows.delete(window));
  window.once('ready-to-show', () => window.show());
  // No navigation away from the bundled UI; a dropped snapshot file is opened instead.
  window.webContents.on('will-navigate', (event, url) => {
    if (url.split('#')[0] === RENDERER_URL) return;
    event.preventDefault();
    if (url.startsWith('file:')) {
      const path = fileURLToPath(url);
      if (existsSync(path)) void openSnapshotFile(path);
    }
  });
  window.webContents.on('will-redirect', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void window.loadFile(RENDERER_INDEX);
  return window;
}

// One app instance: a second launch (double-clicking another snapshot) hands its file to the first.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    const file = fileFromArgv(argv);
    if (file) void openSnapshotFile(file);
    const window = [...windows][0];
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });

  // macOS delivers file associations (and Dock drops) as open-file, possibly before ready.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (app.isReady()) void openSnapshotFile(path);
    else queuedFiles.push(path);
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app.whenReady().then(async () => {
    // No remote content and no permissions (camera, notifications, ...): the UI needs none.
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    session.defaultSession.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] }, (_details, callback) => callback({ cancel: true }));

    ipcMain.handle(IPC.call, async (event, channel: unknown, call: unknown): Promise<CallOutcome> => {
      if (!isTrustedSender(event)) return { ok: false, error: apiError('unauthorized', 'this window may not call the engine') };
      if (!isChannel(channel)) return { ok: false, error: apiError('bad-request', `unknown channel ${String(channel).slice(0, 80)}`) };
      const { callId, request } = (typeof call === 'object' && call !== null ? call : {}) as { callId?: unknown; request?: unknown };
      if (typeof callId !== 'string' || callId.length === 0 || callId.length > 100) return { ok: false, error: apiError('bad-request', 'a call needs a callId') };
      if (SHELL_CHANNELS.includes(channel) || ['export/start', 'call/cancel', 'app/info', 'snapshot/open'].includes(channel)) return shellCall(event, channel, callId, request);
      // Everything else is validated by the engine's dispatch against the contract schemas.
      return engine.call(channel, request, callId, event.sender);
    });

    await refreshMenu();
    createWindow();
    for (const path of queuedFiles.splice(0)) void openSnapshotFile(path);
    if (initialFile) app.addRecentDocument(initialFile);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => engine.stop());
}

