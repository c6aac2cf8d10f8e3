// Rows packed for the writer's worker come back exactly as they were sent.
import { describe, expect, it } from 'vitest';
import { packBatch, unpackBatch } from '../../snapshots/file/batch.ts';
import type { SqlValue } from '../../shared/model/snapshot.ts';

function roundTrip(rows: SqlValue[][], width: number): SqlValue[][] {
  const { batch } = packBatch(rows, width);
  return unpackBatch(structuredClone(batch));
}

describe('row batches for the writer thread', () => {
  it('round-trips text, numbers, nulls, big integers and bytes', () => {
    const rows: SqlValue[][] = [
      ['a', 1, null, 9007199254740993n, Buffer.from([0, 1])],
      ['', -2.5e300, 'x', '18446744073709551615', null],
      [null, null, '中文 😀', null, new Uint8Array([255])],
      ['tab\tnl\n', 0, '', 5n, Buffer.alloc(0)],
    ];
    const back = roundTrip(rows, 5);
    expect(back.map((r) => r.slice(0, 4))).toEqual(rows.map((r) => r.slice(0, 4)));
    expect(back.map((r) => (r[4] === null ? null : [...(r[4] as Uint8Array)]))).toEqual([[0, 1], null, [255], []]);
  });

  it('keeps an empty string apart from NULL and survives a hand-made lone surrogate', () => {
    const rows: SqlValue[][] = [[''], [null], ['x\uD800y'], ['']];
    expect(roundTrip(rows, 1)).toEqual(rows);
  });

  it('keeps all-NULL columns and columns mixing numbers and text', () => {
    const rows: SqlValue[][] = [[null, 1, 'a'], [null, 'two', 2], [null, null, null]];
    expect(roundTrip(rows, 3)).toEqual(rows);
  });

  it('handles one row and no rows', () => {
    expect(roundTrip([['only']], 1)).toEqual([['only']]);
    expect(roundTrip([], 3)).toEqual([]);
  });
});
