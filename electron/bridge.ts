// The bridge the preload exposes to the sandboxed renderer as window.snapbench:
// one validated invoke and one subscription that returns its unsubscribe.
// Channels and events are checked against the contract's lists; nothing else
// of Node or Electron reaches the page. Plain module: the preload passes
// Electron's ipcRenderer, the wiring tests a stand-in.
import { IPC, type BridgeCall, type SnapbenchBridge } from '../shared/api/bridge.ts';
import { isChannel } from '../shared/api/channels.ts';
import { APP_EVENT_NAMES } from '../shared/api/types.ts';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

const EVENTS = new Set<string>(['progress', ...APP_EVENT_NAMES]);

export function createBridge(ipcRenderer: IpcRendererLike): SnapbenchBridge {
  return {
    invoke(channel: string, call: BridgeCall): Promise<unknown> {
      if (!isChannel(channel)) return Promise.reject(new Error(`Unsupported API channel '${String(channel)}'`));
      if (typeof call !== 'object' || call === null || typeof call.callId !== 'string') return Promise.reject(new Error('invoke needs { callId, request }'));
      return ipcRenderer.invoke(IPC.call, channel, { callId: call.callId, request: call.request });
    },
    on(event: string, listener: (payload: unknown) => void): () => void {
      if (!EVENTS.has(event)) throw new Error(`Unsupported event '${String(event)}'`);
      const wrapped = (_event: unknown, ...args: unknown[]) => {
        if (args[0] === event) listener(args[1]);
      };
      ipcRenderer.on(IPC.event, wrapped);
      return () => ipcRenderer.removeListener(IPC.event, wrapped);
    },
  };
}
