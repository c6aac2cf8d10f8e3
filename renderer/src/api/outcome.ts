// What both transports do with an answer: an API outcome, or a plain error saying why not.
import { apiError, isApiError } from '../../../shared/api/errors.ts';
import type { CallOutcome } from '../../../shared/api/rpc.ts';

export function cancelled(channel: string): CallOutcome {
  return { ok: false, error: apiError('cancelled', `${channel}: cancelled`) };
}

export function asOutcome(value: unknown): CallOutcome {
  if (typeof value === 'object' && value !== null && 'ok' in value) {
    const v = value as { ok: unknown; value?: unknown; error?: unknown };
    if (v.ok === true) return { ok: true, value: v.value };
    if (v.ok === false && isApiError(v.error)) return { ok: false, error: v.error };
  }
  return { ok: false, error: apiError('internal', 'the host answered something that is not an API outcome') };
}
