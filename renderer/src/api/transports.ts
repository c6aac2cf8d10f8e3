// The HTTP transport under the one API client: to the browser host (same
// origin; the token travels in an HttpOnly cookie). The desktop app's IPC
// transport is ipcTransport.ts. Both carry the same calls.
import { ENVELOPE_CONTENT_TYPE, FRAME_OUTCOME, FRAME_PROGRESS, FrameReader } from '../../../shared/api/codec.ts';
import { apiError } from '../../../shared/api/errors.ts';
import { asOutcome, cancelled } from './outcome.ts';
import type { CallOutcome, Transport, TransportCallOptions } from '../../../shared/api/rpc.ts';
import type { Channel } from '../../../shared/api/channels.ts';
import type { AppEventName } from '../../../shared/api/types.ts';

/** Decodes the JSON form of a response (binary parts as {$base64}). */
function fromJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && typeof (v as { $base64?: unknown }).$base64 === 'string') {
      const binary = atob((v as { $base64: string }).$base64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return bytes;
    }
    return v;
  });
}

export function httpTransport(): Transport {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let source: EventSource | null = null;
  const ensureEvents = () => {
    if (source) return;
    source = new EventSource('/api/events');
    source.addEventListener('app', (message) => {
      try {
        const { event, payload } = JSON.parse((message as MessageEvent<string>).data) as { event: string; payload: unknown };
        for (const listener of listeners.get(event) ?? []) listener(payload);
      } catch {
        // A malformed event is ignored.
      }
    });
  };
  return {
    kind: 'http',
    async call(channel: Channel, request: unknown, options: TransportCallOptions): Promise<CallOutcome> {
      const signal = options.signal as AbortSignal | undefined;
      let response: Response;
      try {
        response = await fetch(`/api/call/${channel}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', Accept: `${ENVELOPE_CONTENT_TYPE}, application/json`, 'X-Snapbench-Call': options.callId },
          body: JSON.stringify(request ?? {}),
          signal,
        });
      } catch {
        if (signal?.aborted) return cancelled(channel);
        return { ok: false, error: apiError('unavailable', 'the Snapbench host does not answer', 'is "snapbench serve" still running? Start it again and open the URL it prints') };
      }
      const type = response.headers.get('Content-Type') ?? '';
      if (!type.startsWith(ENVELOPE_CONTENT_TYPE)) {
        try {
          return asOutcome(fromJson(await response.text()));
        } catch {
          if (signal?.aborted) return cancelled(channel);
          return { ok: false, error: apiError('failed', `the host answered HTTP ${response.status}`, response.status === 401 ? 'open the URL that "snapbench serve" printed' : null) };
        }
      }
      const reader = response.body!.getReader();
      const frames = new FrameReader();
      let outcome: CallOutcome | null = null;
      try {
        // Read to the end (the outcome is the last frame), so the connection is reused.
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const frame of frames.push(value)) {
            if (frame.type === FRAME_PROGRESS) options.onProgress?.(frame.value);
            else if (frame.type === FRAME_OUTCOME) outcome = asOutcome(frame.value);
          }
        }
      } catch {
        if (signal?.aborted) return cancelled(channel);
        if (outcome) return outcome;
        return { ok: false, error: apiError('unavailable', 'the connection to the Snapbench host broke', 'is "snapbench serve" still running?') };
      }
      if (outcome) return outcome;
      if (signal?.aborted) return cancelled(channel);
      return { ok: false, error: apiError('failed', 'the host ended the answer early') };
    },
    on(event: AppEventName, listener: (payload: unknown) => void) {
      ensureEvents();
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set!.delete(listener);
    },
  };
}
