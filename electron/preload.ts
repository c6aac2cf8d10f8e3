// The only bridge between the sandboxed renderer and the main process
// (window.snapbench; see bridge.ts). Built as dist/electron/preload.cjs.
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.ts';

contextBridge.exposeInMainWorld('snapbench', createBridge(ipcRenderer));
