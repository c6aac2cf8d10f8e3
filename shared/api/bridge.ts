// What the Electron preload exposes to the sandboxed renderer as
// `window.snapbench`: one validated invoke and one subscription that returns
// its unsubscribe. Nothing else of Node or Electron reaches the page.

export interface BridgeCall {
  callId: string;
  request: unknown;
}

/** Events the bridge delivers: call progress, and the AppEvents. */
export interface BridgeProgress {
  callId: string;
  progress: unknown;
}

export interface SnapbenchBridge {
  /** Runs one API call; resolves with its outcome ({ ok, value } or { ok: false, error }). */
  invoke(channel: string, call: BridgeCall): Promise<unknown>;
  /** Subscribes to 'progress' (BridgeProgress) or an AppEvents name; returns the unsubscribe. */
  on(event: string, listener: (payload: unknown) => void): () => void;
}

/** The IPC channel names the preload uses toward the main process. */
export const IPC = {
  call: 'snapbench:call',
  event: 'snapbench:event',
} as const;
