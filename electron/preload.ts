// The only bridge between the sandboxed renderer and the main process: one
// validated invoke and one subscription, on channels under "snapbench:".
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

function checkChannel(channel: string): void {
  if (typeof channel !== 'string' || !/^[a-z]+\/[a-z-]+$/.test(channel)) throw new Error(`Unsupported IPC channel '${String(channel)}'`);
}

contextBridge.exposeInMainWorld('snapbench', {
  invoke(channel: string, request: unknown): Promise<unknown> {
    checkChannel(channel);
    return ipcRenderer.invoke(`snapbench:${channel}`, request);
  },
  on(channel: string, listener: (payload: unknown) => void): () => void {
    checkChannel(channel);
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(`snapbench:${channel}`, wrapped);
    return () => ipcRenderer.removeListener(`snapbench:${channel}`, wrapped);
  },
});
