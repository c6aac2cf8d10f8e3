// Stand-ins for the few Electron APIs the desktop shell uses, so the compiled
// dist/electron/main.js runs under Node in the wiring tests (the Electron
// binary cannot be downloaded here). They record what main.js asks for and
// move messages like Electron does: ipcMain.handle answers invoke() with a
// structured clone, webContents.send reaches the renderer's listeners, and
// utilityProcess.fork is a real child_process.fork of the compiled engine
// (with Node's IPC channel in 'advanced' serialization standing in for the
// parent port). Nothing here decides anything main.js decides.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

type Listener = (...args: unknown[]) => void;

let nextFrameId = 1;

export class StandInFrame {
  readonly frameTreeNodeId = nextFrameId++;
  constructor(
    public url: string,
    readonly parent: StandInFrame | null = null,
  ) {}
}

/** A window's (or any) web contents: its events, the messages sent to its renderer, its open handler. */
export class StandInWebContents extends EventEmitter {
  readonly mainFrame = new StandInFrame('about:blank');
  readonly rendererListeners = new Map<string, Set<Listener>>();
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  destroyed = false;

  send(channel: string, ...args: unknown[]): void {
    const cloned = structuredClone(args);
    for (const listener of this.rendererListeners.get(channel) ?? []) listener({ sender: 'main' }, ...cloned);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

export class StandInBrowserWindow extends EventEmitter {
  static readonly all: StandInBrowserWindow[] = [];
  static readonly created = new EventEmitter();
  readonly webContents = new StandInWebContents();
  loadedFile: string | null = null;
  focused = 0;
  shown = false;

  constructor(readonly options: Record<string, unknown>) {
    super();
    StandInBrowserWindow.all.push(this);
    StandInBrowserWindow.created.emit('window', this);
  }

  static getAllWindows(): StandInBrowserWindow[] {
    return [...StandInBrowserWindow.all];
  }

  static fromWebContents(contents: unknown): StandInBrowserWindow | null {
    return StandInBrowserWindow.all.find((w) => w.webContents === contents) ?? null;
  }

  static getFocusedWindow(): StandInBrowserWindow | null {
    return null;
  }

  async loadFile(path: string): Promise<void> {
    this.loadedFile = path;
    this.webContents.mainFrame.url = pathToFileURL(path).href;
    this.emit('ready-to-show');
  }

  show(): void {
    this.shown = true;
  }
  isDestroyed(): boolean {
    return false;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {
    this.focused++;
  }
}

export const ipcMain = {
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  handle(channel: string, handler: (event: unknown, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`a second handler for ${channel}`);
    this.handlers.set(channel, handler);
  },
};

/** The renderer side of IPC for one web contents and frame: what the preload's ipcRenderer does. */
export function rendererIpc(contents: StandInWebContents, frame: StandInFrame = contents.mainFrame) {
  return {
    async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      const handler = ipcMain.handlers.get(channel);
      if (!handler) throw new Error(`Error invoking remote method '${channel}': No handler registered`);
      return structuredClone(await handler({ sender: contents, senderFrame: frame }, ...structuredClone(args)));
    },
    on(channel: string, listener: Listener): void {
      let set = contents.rendererListeners.get(channel);
      if (!set) contents.rendererListeners.set(channel, (set = new Set()));
      set.add(listener);
    },
    removeListener(channel: string, listener: Listener): void {
      contents.rendererListeners.get(channel)?.delete(listener);
    },
  };
}

export interface StandInApp extends EventEmitter {
  paths: Record<string, string>;
  recentDocuments: string[];
  singleInstanceLockRequested: number;
  quitCalls: number;
}

function makeApp(): StandInApp & Record<string, unknown> {
  const app = new EventEmitter() as StandInApp & Record<string, unknown>;
  Object.assign(app, {
    paths: { userData: '/nonexistent/userData', downloads: '/nonexistent/downloads' } as Record<string, string>,
    recentDocuments: [] as string[],
    singleInstanceLockRequested: 0,
    quitCalls: 0,
    isPackaged: false,
    requestSingleInstanceLock() {
      app.singleInstanceLockRequested++;
      return true;
    },
    quit() {
      app.quitCalls++;
    },
    whenReady: () => Promise.resolve(),
    isReady: () => true,
    getPath: (name: string) => app.paths[name] ?? `/nonexistent/${name}`,
    getVersion: () => '0.0.0-stand-in',
    addRecentDocument: (path: string) => app.recentDocuments.push(path),
  });
  return app;
}

export const app = makeApp();

/** Answers for the next native dialogs, in order; each call is recorded. */
export const dialog = {
  answers: [] as unknown[],
  calls: [] as { kind: 'open' | 'save' | 'message'; options: Record<string, unknown> }[],
  async showOpenDialog(...args: unknown[]) {
    this.calls.push({ kind: 'open', options: args.at(-1) as Record<string, unknown> });
    return this.answers.shift() ?? { canceled: true, filePaths: [] };
  },
  async showSaveDialog(...args: unknown[]) {
    this.calls.push({ kind: 'save', options: args.at(-1) as Record<string, unknown> });
    return this.answers.shift() ?? { canceled: true };
  },
  async showMessageBox(options: Record<string, unknown>) {
    this.calls.push({ kind: 'message', options });
    return { response: 0 };
  },
};

export const Menu = {
  applicationMenu: null as unknown,
  buildFromTemplate: (template: unknown) => ({ template }),
  setApplicationMenu(menu: unknown) {
    this.applicationMenu = menu;
  },
};

export const session = {
  defaultSession: {
    permissionRequestHandler: null as ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
    permissionCheckHandler: null as ((contents: unknown, permission: string) => boolean) | null,
    beforeRequest: null as { filter: { urls: string[] }; listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void } | null,
    setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void) {
      this.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean) {
      this.permissionCheckHandler = handler;
    },
    webRequest: {
      onBeforeRequest(filter: { urls: string[] }, listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void) {
        session.defaultSession.beforeRequest = { filter, listener };
      },
    },
  },
};

/** A utility process as a real child process: 'message' and 'exit' events, postMessage, kill. */
export class StandInUtilityProcess extends EventEmitter {
  readonly exited: Promise<number | null>;
  constructor(
    readonly child: ChildProcess,
    readonly modulePath: string,
    readonly args: string[],
    readonly options: Record<string, unknown>,
  ) {
    super();
    child.on('message', (message) => this.emit('message', message));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
    void this.exited.then((code) => this.emit('exit', code ?? 1));
  }
  postMessage(message: unknown): void {
    if (this.child.connected) this.child.send(message as never);
  }
  kill(): boolean {
    return this.child.kill();
  }
}

export const utilityProcess = {
  started: [] as StandInUtilityProcess[],
  fork(modulePath: string, args: string[] = [], options: Record<string, unknown> = {}): StandInUtilityProcess {
    const child = fork(modulePath, args, { serialization: 'advanced', env: options.env as NodeJS.ProcessEnv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const standIn = new StandInUtilityProcess(child, modulePath, args, options);
    this.started.push(standIn);
    return standIn;
  },
};

/** The module `electron` as main.js imports it. */
export const electronModule = { app, BrowserWindow: StandInBrowserWindow, dialog, ipcMain, Menu, session, utilityProcess };
