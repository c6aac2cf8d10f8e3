// RPC over any transport: a host runs `dispatch` on what arrives; the UI calls
// `createApiClient(transport).invoke(...)`. A call has an id; progress is
// reported against it and aborting the caller's signal cancels it. The
// transports (Electron IPC, HTTP on 127.0.0.1) only move these plain values.
import { apiError, ApiFailure, toApiError, type ApiError } from './errors.ts';
import { issueMessage } from '../model/issues.ts';
import { isChannel, REQUEST_SCHEMAS, type Channel, type ProgressOf, type RequestInput, type RequestOf, type ResponseOf } from './contract.ts';
import type { AppEventName, AppEvents } from './types.ts';

/** The part of the platform's AbortSignal that RPC uses (shared/ sees no DOM or Node types). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** What a handler gets besides its request. */
export interface CallContext<P> {
  callId: string;
  /** Aborted when the caller cancels (or goes away). */
  signal: AbortSignalLike;
  progress(progress: P): void;
}

/** The handler map a host implements: one function per channel. */
export type Handlers = {
  [C in Channel]: (request: RequestOf<C>, context: CallContext<ProgressOf<C>>) => Promise<ResponseOf<C>> | ResponseOf<C>;
};

export type CallOutcome = { ok: true; value: unknown } | { ok: false; error: ApiError };

/** The message of a failed validation: each problem with where it is. */
export function describeIssues(channel: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const parts = issues.slice(0, 5).map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message));
  return `${channel}: ${parts.join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`;
}

/** Validates a request against its channel's schema; throws an ApiFailure ('bad-request') naming what is wrong. */
export function parseRequest<C extends Channel>(channel: C, request: unknown): RequestOf<C> {
  const parsed = REQUEST_SCHEMAS[channel].safeParse(request ?? {});
  if (!parsed.success) {
    // Each problem names the field and, when it is there, what it is instead ("must be text, not the number 5").
    const issues = parsed.error.issues;
    const parts = issues.slice(0, 5).map((issue) => `${issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : ''}${issueMessage(issue, request ?? {})}`);
    const message = `${channel}: ${parts.join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`;
    throw new ApiFailure(apiError('bad-request', message, 'the request does not match the API contract (shared/api/contract.ts)'));
  }
  return parsed.data as RequestOf<C>;
}

/**
 * Runs one call on a handler map: checks the channel and the request at the
 * edge, then calls the handler. Never throws: failures come back as an ApiError.
 */
export async function dispatch(handlers: Handlers, channel: unknown, request: unknown, context: CallContext<unknown>): Promise<CallOutcome> {
  if (!isChannel(channel)) return { ok: false, error: apiError('bad-request', `unknown channel ${JSON.stringify(String(channel)).slice(0, 120)}`) };
  try {
    const parsed = parseRequest(channel, request);
    const handler = handlers[channel] as (request: unknown, context: CallContext<unknown>) => unknown;
    const value = await handler(parsed, context);
    if (context.signal.aborted) return { ok: false, error: apiError('cancelled', `${channel}: cancelled`) };
    return { ok: true, value };
  } catch (error) {
    if (context.signal.aborted) return { ok: false, error: apiError('cancelled', `${channel}: cancelled`) };
    return { ok: false, error: toApiError(error) };
  }
}

export interface TransportCallOptions {
  callId: string;
  signal?: AbortSignalLike;
  onProgress?: (progress: unknown) => void;
}

/** Moves calls and events; knows nothing about channels' types. */
export interface Transport {
  readonly kind: 'http' | 'ipc';
  call(channel: Channel, request: unknown, options: TransportCallOptions): Promise<CallOutcome>;
  on(event: AppEventName, listener: (payload: unknown) => void): () => void;
}

export interface InvokeOptions<P> {
  signal?: AbortSignalLike;
  onProgress?: (progress: P) => void;
}

/** The UI's typed view of the API: `invoke('table/page', {...})` is checked end to end. */
export interface ApiClient {
  readonly transport: 'http' | 'ipc';
  invoke<C extends Channel>(channel: C, request: RequestInput<C>, options?: InvokeOptions<ProgressOf<C>>): Promise<ResponseOf<C>>;
  on<E extends AppEventName>(event: E, listener: (payload: AppEvents[E]) => void): () => void;
}

let callCounter = 0;

/** A call id unique within this page's life. */
export function newCallId(): string {
  callCounter = (callCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${Date.now().toString(36)}-${callCounter.toString(36)}-${Math.floor(Math.random() * 0xffffffff).toString(36)}`;
}

export function createApiClient(transport: Transport): ApiClient {
  return {
    transport: transport.kind,
    async invoke(channel, request, options = {}) {
      if (options.signal?.aborted) throw new ApiFailure(apiError('cancelled', `${channel}: cancelled`));
      const outcome = await transport.call(channel, request, {
        callId: newCallId(),
        signal: options.signal,
        onProgress: options.onProgress as ((progress: unknown) => void) | undefined,
      });
      if (!outcome.ok) throw new ApiFailure(outcome.error);
      return outcome.value as never;
    },
    on(event, listener) {
      return transport.on(event, listener as (payload: unknown) => void);
    },
  };
}
