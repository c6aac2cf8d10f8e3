// The only bridge between the sandboxed renderer and the main process
// (window.snapbench): one validated invoke and one subscription that returns
// its unsubscribe. Channels and events are checked against the contract's
// lists; nothing else of Node or Electron is exposed.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC, type BridgeCall, type SnapbenchBridge } from '../shared/api/bridge.ts';
import { isChannel } from '../shared/api/channels.ts';
import { APP_EVENT_NAMES } from '../shared/api/types.ts';

const EVENTS = new Set<string>(['progress', ...APP_EVENT_NAMES]);

const bridge: SnapbenchBridge = {
  invoke(channel: string, call: BridgeCall): Promise<unknown> {
    if (!isChannel(channel)) return Promise.reject(new Error(`Unsupported API channel '${String(channel)}'`));
    if (typeof call !== 'object' || call === null || typeof call.callId !== 'string') return Promise.reject(new Error('invoke needs { callId, request }'));
    return ipcRenderer.invoke(IPC.call, channel, { callId: call.callId, request: call.request });
  },
  on(event: string, listener: (payload: unknown) => void): () => void {
    if (!EVENTS.has(event)) throw new Error(`Unsupported event '${String(event)}'`);
    const wrapped = (_event: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC.event, wrapped);
    return () => ipcRenderer.removeListener(IPC.event, wrapped);
  },
};

contextBridge.exposeInMainWorld('snapbench', bridge);
