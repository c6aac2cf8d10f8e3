// The desktop app's transport: Electron IPC through the preload's bridge
// (window.snapbench). No DOM or Node globals, so the wiring tests run it under
// Node against the real main process code and engine.
import { apiError } from '../../../shared/api/errors.ts';
import type { BridgeProgress, SnapbenchBridge } from '../../../shared/api/bridge.ts';
import type { Transport } from '../../../shared/api/rpc.ts';
import { asOutcome, cancelled } from './outcome.ts';

export function ipcTransport(bridge: SnapbenchBridge): Transport {
  const progress = new Map<string, (progress: unknown) => void>();
  bridge.on('progress', (payload) => {
    const { callId, progress: p } = payload as BridgeProgress;
    progress.get(callId)?.(p);
  });
  return {
    kind: 'ipc',
    async call(channel, request, options) {
      const signal = options.signal as AbortSignal | undefined;
      if (options.onProgress) progress.set(options.callId, options.onProgress);
      const onAbort = () => void bridge.invoke('call/cancel', { callId: `${options.callId}-cancel`, request: { callId: options.callId } });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const outcome = asOutcome(await bridge.invoke(channel, { callId: options.callId, request }));
        return signal?.aborted ? cancelled(channel) : outcome;
      } catch (error) {
        return { ok: false, error: apiError('internal', (error as Error).message) };
      } finally {
        progress.delete(options.callId);
        signal?.removeEventListener('abort', onAbort);
      }
    },
    on(event, listener) {
      return bridge.on(event, listener);
    },
  };
}
