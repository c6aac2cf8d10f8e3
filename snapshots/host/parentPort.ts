// The desktop transport's engine side: the host runs in an Electron utility
// process (so database work never blocks the window's main process) and talks
// to the main process over `process.parentPort`. Typed structurally, so the
// engine never imports Electron.
import { apiError } from '../../shared/api/errors.ts';
import type { FromUtility, ToUtility } from '../../shared/api/engineProtocol.ts';
import { dispatch } from '../../shared/api/rpc.ts';
import type { WorkbenchHost } from './host.ts';

export type { FromUtility, ToUtility } from '../../shared/api/engineProtocol.ts';

/** The part of Electron's ParentPort the host uses. */
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/**
 * Node's IPC channel (a child_process.fork with `serialization: 'advanced'`)
 * as a parent port, or null when the process has none.
 */
export function nodeIpcPort(proc: NodeJS.Process): ParentPortLike | null {
  if (typeof proc.send !== 'function') return null;
  return {
    on: (_event, listener) => proc.on('message', (data: unknown) => listener({ data })),
    postMessage: (message) => void proc.send!(message),
  };
}

export function serveOverParentPort(port: ParentPortLike, host: WorkbenchHost): Promise<void> {
  const calls = new Map<string, AbortController>();
  return new Promise<void>((resolveDone) => {
    port.on('message', ({ data }) => {
      const message = data as ToUtility;
      if (typeof message !== 'object' || message === null) return;
      switch (message.type) {
        case 'call': {
          const controller = new AbortController();
          calls.set(message.callId, controller);
          void dispatch(host.handlers, message.channel, message.request, {
            callId: message.callId,
            signal: controller.signal,
            progress: (progress) => port.postMessage({ type: 'progress', callId: message.callId, progress } satisfies FromUtility),
          }).then((outcome) => {
            calls.delete(message.callId);
            port.postMessage({ type: 'outcome', callId: message.callId, outcome } satisfies FromUtility);
          });
          return;
        }
        case 'cancel':
          calls.get(message.callId)?.abort();
          return;
        case 'open-file':
          try {
            host.openFromShell(message.path);
          } catch (error) {
            port.postMessage({ type: 'event', event: 'host/error', payload: apiError('failed', (error as Error).message) } satisfies FromUtility);
          }
          return;
        case 'exit':
          for (const controller of calls.values()) controller.abort();
          void host.close().then(() => resolveDone());
          return;
      }
    });
    port.postMessage({ type: 'ready' } satisfies FromUtility);
  });
}
