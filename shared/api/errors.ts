// The one error shape that crosses every boundary (IPC, HTTP, worker threads):
// plain data that says what went wrong and what to do.

export const API_ERROR_CODES = [
  /** The request did not match the channel's schema (or was not a well-formed request at all). */
  'bad-request',
  /** The request body is larger than the host accepts. */
  'too-large',
  /** The caller has no valid token, or the request came from another origin. */
  'unauthorized',
  /** No such snapshot, table, column, result, run or file. */
  'not-found',
  /** The request is valid but the engine will not do it (e.g. SQL that would write). */
  'refused',
  /** The caller cancelled the call. */
  'cancelled',
  /** This transport or build cannot do it (e.g. a native dialog in the browser host). */
  'unavailable',
  /** The work itself failed (SQL error, unreadable file, failed pull). */
  'failed',
  /** A bug: an error the engine did not expect. */
  'internal',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiError {
  code: ApiErrorCode;
  message: string;
  /** What the user can do about it, or null. */
  hint: string | null;
}

export function apiError(code: ApiErrorCode, message: string, hint: string | null = null): ApiError {
  return { code, message, hint };
}

export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && (API_ERROR_CODES as readonly string[]).includes(v.code) && typeof v.message === 'string' && (v.hint === null || typeof v.hint === 'string');
}

/**
 * Thrown by handlers and rejected by the API client: an Error (so stack traces
 * and `catch` work) that carries the plain `ApiError` to send across.
 */
export class ApiFailure extends Error {
  readonly code: ApiErrorCode;
  readonly hint: string | null;

  constructor(readonly error: ApiError) {
    super(error.message);
    this.name = 'ApiFailure';
    this.code = error.code;
    this.hint = error.hint;
  }
}

export function fail(code: ApiErrorCode, message: string, hint: string | null = null): never {
  throw new ApiFailure(apiError(code, message, hint));
}

/** The ApiError inside anything thrown: an ApiFailure's own, or a generic one. */
export function toApiError(error: unknown, fallback: ApiErrorCode = 'internal'): ApiError {
  if (error instanceof ApiFailure) return error.error;
  if (isApiError(error)) return error;
  if (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError') return apiError('cancelled', 'cancelled');
  const message = error instanceof Error ? error.message : String(error);
  const hint = typeof error === 'object' && error !== null && typeof (error as { hint?: unknown }).hint === 'string' ? ((error as { hint: string }).hint) : null;
  return apiError(fallback, message, hint);
}
