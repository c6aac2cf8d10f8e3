// The Electron security checklist, in one place the wiring tests read: the
// window's webPreferences (context isolation, sandbox, no Node in the page),
// navigation and new windows blocked (a dropped snapshot file is opened
// instead), no webviews, every permission denied, no remote requests. The
// page's Content-Security-Policy is in renderer/index.html. Plain module.
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserWindowConstructorOptions } from 'electron';

export const SNAPSHOT_EXTENSION = '.snapbench';

export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    title: 'Snapbench',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      // A dropped file becomes a navigation that will-navigate turns into "open this snapshot".
      navigateOnDragDrop: true,
    },
  };
}

interface PreventableEvent {
  preventDefault(): void;
}

/** The part of WebContents the guards use. */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** No navigation away from the bundled UI, no redirects, no new windows, no webviews; a dropped snapshot file is opened instead. */
export function guardWebContents(contents: GuardedContents, rendererUrl: string, openFile: (path: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    if (url.split('#')[0] === rendererUrl) return;
    event.preventDefault();
    if (url.startsWith('file:')) {
      const path = fileURLToPath(url);
      if (existsSync(path)) openFile(path);
    }
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The part of a Session the lock-down uses. */
export interface SessionLike {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
  webRequest: { onBeforeRequest(filter: { urls: string[] }, listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void };
}

/** URLs no window may load: the UI is local files only. */
export const REMOTE_URLS = ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'];

/** No permission (camera, notifications, ...) is ever granted and nothing remote is loaded. */
export function lockDownSession(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onBeforeRequest({ urls: REMOTE_URLS }, (_details, callback) => callback({ cancel: true }));
}

/** A snapshot path given on the command line (file association on Windows and Linux, a second launch), resolved. */
export function fileFromArgv(argv: readonly string[], packaged: boolean, cwd = process.cwd()): string | null {
  const candidate = argv.slice(packaged ? 1 : 2).find((arg) => !arg.startsWith('-') && extname(arg).toLowerCase() === SNAPSHOT_EXTENSION);
  return candidate ? resolve(cwd, candidate) : null;
}
