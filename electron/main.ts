// The Electron shell: windows, menus, dialogs and OS integration only. All
// behaviour lives in the engine, which runs the same handler map as the
// browser host (snapshots/host) in a utility process, so database work never
// blocks the main process. The pieces with logic are plain modules tested
// under Node (test/integration/electron-wiring.test.ts): engineConnection.ts
// (the engine process), ipcCalls.ts (who may call, what a request may carry,
// native dialogs), window.ts (the security checklist), bridge.ts (the preload).
import { app, BrowserWindow, dialog, ipcMain, Menu, session, utilityProcess, type MenuItemConstructorOptions, type WebContents } from 'electron';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC } from '../shared/api/bridge.ts';
import type { RecentSnapshot } from '../shared/api/types.ts';
import { EngineConnection, type EngineProcess } from './engineConnection.ts';
import { createCallHandler, DIALOG_FILTERS, isTrustedSender, type InvokeEventLike } from './ipcCalls.ts';
import { fileFromArgv, guardWebContents, lockDownSession, windowOptions } from './window.ts';

/** dist/: this file is dist/electron/main.js, beside dist/cli/ (the engine) and dist/renderer/ (the UI). */
const DIST = join(import.meta.dirname, '..');
const RENDERER_INDEX = join(DIST, 'renderer', 'index.html');
const RENDERER_URL = pathToFileURL(RENDERER_INDEX).href;
const PRELOAD = join(import.meta.dirname, 'preload.cjs');
/** The engine's entry, run inside the utility process. */
const ENGINE_ENTRY = join(DIST, 'cli', 'engineProcess.js');

const initialFile = fileFromArgv(process.argv, app.isPackaged);
const windows = new Set<BrowserWindow>();
/** Files the OS asked to open before a window existed (macOS open-file). */
const queuedFiles: string[] = [];

const engine = new EngineConnection({
  start: () =>
    utilityProcess.fork(ENGINE_ENTRY, initialFile ? [initialFile] : [], {
      serviceName: 'Snapbench engine',
      stdio: 'inherit',
      env: { ...process.env, SNAPBENCH_CONFIG_DIR: app.getPath('userData') },
    }) as unknown as EngineProcess,
  eventChannel: IPC.event,
  broadcast(event, payload) {
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(IPC.event, event, payload);
    if (event === 'snapshot/opened') void refreshMenu();
  },
});

function windowOf(event?: InvokeEventLike): BrowserWindow | undefined {
  return (event && BrowserWindow.fromWebContents(event.sender as unknown as WebContents)) ?? BrowserWindow.getFocusedWindow() ?? [...windows][0];
}

async function openSnapshotFile(path: string): Promise<void> {
  app.addRecentDocument(path);
  await engine.openFile(path);
}

const handleCall = createCallHandler({
  engine,
  isTrusted: (event) =>
    isTrustedSender(
      event,
      (contents) => {
        const window = BrowserWindow.fromWebContents(contents as unknown as WebContents);
        return window !== null && windows.has(window);
      },
      RENDERER_URL,
    ),
  showOpenDialog: (event, options) => {
    const window = windowOf(event);
    return window ? dialog.showOpenDialog(window, options) : dialog.showOpenDialog(options);
  },
  showSaveDialog: (event, options) => {
    const window = windowOf(event);
    return window ? dialog.showSaveDialog(window, options) : dialog.showSaveDialog(options);
  },
  downloadsDir: () => app.getPath('downloads'),
  snapshotOpened(path) {
    app.addRecentDocument(resolve(path));
    void refreshMenu();
  },
});

function sendCommand(command: 'open' | 'open-demo' | 'toggle-theme' | 'export' | 'show-view', view?: string): void {
  for (const window of windows) window.webContents.send(IPC.event, 'menu/command', { command, view });
}

async function openWithDialog(): Promise<void> {
  const window = windowOf();
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
  const window = new BrowserWindow(windowOptions(PRELOAD));
  windows.add(window);
  window.on('closed', () => windows.delete(window));
  window.once('ready-to-show', () => window.show());
  guardWebContents(window.webContents, RENDERER_URL, (path) => void openSnapshotFile(path));
  void window.loadFile(RENDERER_INDEX);
  return window;
}

// One app instance: a second launch (double-clicking another snapshot) hands its file to the first.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const file = fileFromArgv(argv, app.isPackaged, workingDirectory);
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

  // Every web contents, not only the windows made here: no webviews, no new windows.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app.whenReady().then(async () => {
    lockDownSession(session.defaultSession);
    ipcMain.handle(IPC.call, (event, channel: unknown, call: unknown) => handleCall(event as unknown as InvokeEventLike, channel, call));
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
