// The API's pure parts: the contract covers every channel, requests are
// validated before a handler runs, errors keep their { code, message, hint }
// shape, and the HTTP wire format carries binary parts and progress frames.
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../shared/api/channels.ts';
import { decodeEnvelope, encodeEnvelope, encodeFrame, FrameReader, FRAME_OUTCOME, FRAME_PROGRESS } from '../../shared/api/codec.ts';
import { assertContractComplete, REQUEST_SCHEMAS } from '../../shared/api/contract.ts';
import { ApiFailure, apiError } from '../../shared/api/errors.ts';
import { createApiClient, dispatch, type CallContext, type Handlers, type Transport } from '../../shared/api/rpc.ts';

function context(): CallContext<unknown> & { events: unknown[] } {
  const events: unknown[] = [];
  return { callId: 'c1', signal: new AbortController().signal, progress: (p) => events.push(p), events };
}

describe('workbench API contract', () => {
  it('has a request schema for every channel and no other', () => {
    expect(() => assertContractComplete()).not.toThrow();
    expect(Object.keys(REQUEST_SCHEMAS).sort()).toEqual([...CHANNELS].sort());
  });

  it('validates at the edge and turns thrown ApiFailures into plain errors', async () => {
    let called = false;
    const handlers = {
      'table/page': () => {
        called = true;
        return { arrow: new Uint8Array(), offset: 0, rows: 0, total: 0, end: true };
      },
      'snapshot/open': () => {
        throw new ApiFailure(apiError('not-found', 'no such file', 'check the path'));
      },
      'app/info': () => {
        throw new Error('boom');
      },
    } as unknown as Handlers;
    const bad = await dispatch(handlers, 'table/page', { snapshotId: 's', view: { table: 't' }, offset: 0, limit: 0 }, context());
    expect(bad.ok).toBe(false);
    expect(called).toBe(false);
    expect(!bad.ok && bad.error.code).toBe('bad-request');
    expect(!bad.ok && bad.error.message).toMatch(/^table\/page: limit/);
    const good = await dispatch(handlers, 'table/page', { snapshotId: 's', view: { table: 't' }, offset: 0, limit: 10 }, context());
    expect(good.ok).toBe(true);
    const failed = await dispatch(handlers, 'snapshot/open', { path: '/x' }, context());
    expect(failed).toEqual({ ok: false, error: { code: 'not-found', message: 'no such file', hint: 'check the path' } });
    const crashed = await dispatch(handlers, 'app/info', {}, context());
    expect(!crashed.ok && crashed.error).toEqual({ code: 'internal', message: 'boom', hint: null });
  });

  it('fills defaults from the schema (views start unsorted and unfiltered)', async () => {
    let seen: unknown;
    const handlers = { 'table/count': (r: unknown) => ((seen = r), { rows: 1 }) } as unknown as Handlers;
    await dispatch(handlers, 'table/count', { snapshotId: 's', view: { table: 't' } }, context());
    expect(seen).toEqual({ snapshotId: 's', view: { table: 't', sort: null, filters: [] } });
  });

  it('types the client end to end over any transport and rejects with ApiFailure', async () => {
    const transport: Transport = {
      kind: 'http',
      async call(channel, request, options) {
        options.onProgress?.({ phase: 'counting rows', done: 1, total: 2, unit: 'rows' });
        if (channel === 'table/count') return { ok: true, value: { rows: (request as { view: { table: string } }).view.table.length } };
        return { ok: false, error: apiError('refused', 'no', 'do something else') };
      },
      on: () => () => {},
    };
    const client = createApiClient(transport);
    const progress: unknown[] = [];
    const counted = await client.invoke('table/count', { snapshotId: 's', view: { table: 'abc' } }, { onProgress: (p) => progress.push(p.phase) });
    expect(counted.rows).toBe(3);
    expect(progress).toEqual(['counting rows']);
    await expect(client.invoke('sql/run', { snapshotId: 's', sql: 'DELETE FROM t' })).rejects.toMatchObject({ code: 'refused', hint: 'do something else' });
  });

  it('carries binary parts and frames across the HTTP wire format', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const value = { arrow: bytes, nested: [{ more: new Uint8Array([9]) }], text: 'héllo ✓', n: 12 };
    expect(decodeEnvelope(encodeEnvelope(value))).toEqual(value);
    const stream = new Uint8Array([...encodeFrame(FRAME_PROGRESS, { done: 1 }), ...encodeFrame(FRAME_OUTCOME, { ok: true, value })]);
    const reader = new FrameReader();
    const frames = [...reader.push(stream.subarray(0, 7)), ...reader.push(stream.subarray(7, 30)), ...reader.push(stream.subarray(30))];
    expect(frames.map((f) => f.type)).toEqual([FRAME_PROGRESS, FRAME_OUTCOME]);
    expect(frames[1]!.value).toEqual({ ok: true, value });
    expect(reader.pending).toBe(0);
    expect(() => decodeEnvelope(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/not a Snapbench envelope/);
  });
});
