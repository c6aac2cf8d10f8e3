// The engine seen from the main process: one utility process running the same
// handler map as the browser host, so database work never blocks a window.
// Calls go by id; progress goes to the window that made the call, events to
// every window. Plain module (no electron import): the process comes from the
// `start` it is given (utilityProcess.fork in the app, child_process.fork in
// the wiring tests).
import { apiError } from '../shared/api/errors.ts';
import type { FromUtility, ToUtility } from '../shared/api/engineProtocol.ts';
import type { CallOutcome } from '../shared/api/rpc.ts';

/** The part of Electron's UtilityProcess the connection uses. */
export interface EngineProcess {
  on(event: 'message', listener: (message: FromUtility) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  postMessage(message: ToUtility): void;
  kill(): boolean;
}

/** The part of a window's WebContents that receives a call's progress. */
export interface CallSender {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface EngineConnectionOptions {
  /** Starts the engine process (called again after a crash, on the next call). */
  start(): EngineProcess;
  /** The IPC channel progress and events are sent on. */
  eventChannel: string;
  /** An engine event for every window (snapshot opened, pull finished, ...). */
  broadcast(event: string, payload: unknown): void;
}

interface PendingCall {
  resolve(outcome: CallOutcome): void;
  sender: CallSender | null;
}

export class EngineConnection {
  private child: EngineProcess | null = null;
  private ready: Promise<void> | null = null;
  private readonly pending = new Map<string, PendingCall>();
  private counter = 0;

  constructor(private readonly options: EngineConnectionOptions) {}

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    this.ready = new Promise<void>((resolveReady, rejectReady) => {
      const child = this.options.start();
      this.child = child;
      child.on('message', (message: FromUtility) => {
        switch (message.type) {
          case 'ready':
            resolveReady();
            return;
          case 'progress': {
            const call = this.pending.get(message.callId);
            if (call?.sender && !call.sender.isDestroyed()) call.sender.send(this.options.eventChannel, 'progress', { callId: message.callId, progress: message.progress });
            return;
          }
          case 'outcome': {
            const call = this.pending.get(message.callId);
            this.pending.delete(message.callId);
            call?.resolve(message.outcome as CallOutcome);
            return;
          }
          case 'event':
            this.options.broadcast(message.event, message.payload);
            return;
        }
      });
      child.on('exit', (code) => {
        // A crashed engine fails its calls with what to do; the next call starts a new one.
        if (this.child !== child) return;
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

  /** Runs one call in the engine; a call from a window gets its progress events. */
  async call(channel: string, request: unknown, callId: string = `main-${++this.counter}`, sender: CallSender | null = null): Promise<CallOutcome> {
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

  /** Cancels a running call; false when there is no such call. */
  cancel(callId: string): boolean {
    if (!this.pending.has(callId) || !this.child) return false;
    this.child.postMessage({ type: 'cancel', callId });
    return true;
  }

  /** Opens a snapshot the OS handed to the app (file association, drop, second launch). */
  async openFile(path: string): Promise<void> {
    await this.start().catch(() => {});
    this.child?.postMessage({ type: 'open-file', path });
  }

  /** Asks the engine to finish; kills it if it has not after `graceMs`. */
  stop(graceMs = 3000): void {
    const child = this.child;
    if (!child) return;
    child.postMessage({ type: 'exit' });
    setTimeout(() => child.kill(), graceMs).unref();
  }
}
