// The UI's single way to the engine: the typed client over whichever
// transport this window has (the desktop preload's IPC, else HTTP).
import type { SnapbenchBridge } from '../../../shared/api/bridge.ts';
import { createApiClient, type ApiClient } from '../../../shared/api/rpc.ts';
import { ApiFailure } from '../../../shared/api/errors.ts';
import { ipcTransport } from './ipcTransport.ts';
import { httpTransport } from './transports.ts';

declare global {
  interface Window {
    snapbench?: SnapbenchBridge;
  }
}

export const api: ApiClient = createApiClient(window.snapbench ? ipcTransport(window.snapbench) : httpTransport());

export { ApiFailure };

/** True when a call failed because it was cancelled (nothing to show). */
export function isCancelled(error: unknown): boolean {
  return error instanceof ApiFailure && error.code === 'cancelled';
}
