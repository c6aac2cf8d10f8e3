// Grid pages through the host's handlers: whatever the order they are asked
// in (forward, far jumps, backwards), sorted and filtered views page exactly
// like one ORDER BY over the whole table: NULLs, ties and blanks included.
import { tableFromIPC } from 'apache-arrow';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../shared/api/rpc.ts';
import type { ColumnFilter, ColumnSort, RowPage } from '../../shared/api/types.ts';
import { WorkbenchHost } from '../../snapshots/host/host.ts';
import { blankExpression } from '../../snapshots/host/viewSql.ts';
import { LARGE_TABLE_NAME, writeLargeSnapshot } from '../e2e/fixtures.ts';

const ROWS = 9000;

describe('grid paging by keyset', () => {
  let dir: string;
  let path: string;
  let host: WorkbenchHost;
  let snapshotId: string;
  let db: Database.Database;

  async function call<T>(channel: string, request: unknown): Promise<T> {
    const outcome = await dispatch(host.handlers, channel, request, { callId: 't', signal: new AbortController().signal, progress: () => {} });
    if (!outcome.ok) throw new Error(`${channel}: ${outcome.error.message}`);
    return outcome.value as T;
  }

  async function page(sort: ColumnSort | null, filters: ColumnFilter[], offset: number, limit: number): Promise<{ ids: number[]; page: RowPage }> {
    const result = await call<RowPage>('table/page', { snapshotId, view: { table: LARGE_TABLE_NAME, sort, filters }, offset, limit });
    const table = tableFromIPC(result.arrow);
    const ids = table.numRows === 0 ? [] : Array.from(table.getChild('id')!.toArray() as BigInt64Array, Number);
    return { ids, page: result };
  }

  function expected(orderBy: string, where = ''): number[] {
    return (db.prepare(`SELECT id FROM "${LARGE_TABLE_NAME}"${where ? ` WHERE ${where}` : ''} ORDER BY ${orderBy}`).pluck().all() as number[]).map(Number);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snapbench-paging-'));
    path = join(dir, 'paging.snapbench');
    await writeLargeSnapshot(path, ROWS);
    db = new Database(path, { readonly: true });
    host = new WorkbenchHost({ transport: 'http', configDir: join(dir, 'config') });
    snapshotId = (await call<{ id: string }>('snapshot/open', { path })).id;
  });

  afterAll(async () => {
    db?.close();
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: { name: string; sort: ColumnSort | null; filters: ColumnFilter[]; orderBy: string; where?: string }[] = [
    { name: 'unsorted', sort: null, filters: [], orderBy: 'rowid' },
    { name: 'city ascending (NULLs first, ties by rowid)', sort: { column: 'city', direction: 'asc' }, filters: [], orderBy: 'city ASC, rowid ASC' },
    { name: 'note descending (NULLs last)', sort: { column: 'note', direction: 'desc' }, filters: [], orderBy: 'note DESC, rowid DESC' },
    { name: 'amount descending as numbers', sort: { column: 'amount', direction: 'desc' }, filters: [], orderBy: 'CAST(amount AS REAL) DESC, rowid DESC' },
    {
      name: 'status ascending, filtered to blank or NULL notes',
      sort: { column: 'status', direction: 'asc' },
      filters: [{ column: 'note', op: 'is-blank' }],
      orderBy: 'status ASC, rowid ASC',
      where: blankExpression('note'),
    },
    { name: 'filtered, unsorted', sort: null, filters: [{ column: 'city', op: 'contains', value: 'o' }], orderBy: 'rowid', where: `city LIKE '%o%'` },
  ];

  for (const c of cases) {
    it(`pages forward like one ORDER BY: ${c.name}`, async () => {
      const all = expected(c.orderBy, c.where);
      const seen: number[] = [];
      for (let offset = 0; ; offset += 700) {
        const { ids, page: p } = await page(c.sort, c.filters, offset, 700);
        seen.push(...ids);
        if (p.end) {
          expect(p.total).toBe(all.length);
          break;
        }
      }
      expect(seen).toEqual(all);
    });

    it(`answers far jumps and backward steps: ${c.name}`, async () => {
      const all = expected(c.orderBy, c.where);
      for (const offset of [Math.max(0, all.length - 50), 5000, 120, 8500, 4300, 0, 2222]) {
        if (offset >= all.length) continue;
        const { ids } = await page(c.sort, c.filters, offset, 64);
        expect(ids, `offset ${offset}`).toEqual(all.slice(offset, offset + 64));
      }
    });
  }

  it('counts a filtered view with progress', async () => {
    const filters: ColumnFilter[] = [{ column: 'status', op: 'ge', value: '3' }];
    const progress: unknown[] = [];
    const outcome = await dispatch(host.handlers, 'table/count', { snapshotId, view: { table: LARGE_TABLE_NAME, filters } }, { callId: 'c', signal: new AbortController().signal, progress: (p) => progress.push(p) });
    expect(outcome.ok && outcome.value).toEqual({ rows: expected('rowid', 'status >= 3').length });
    expect(progress.length).toBeGreaterThan(0);
  });

  it('cancels a call through its signal', async () => {
    const controller = new AbortController();
    const running = dispatch(host.handlers, 'column/profile', { snapshotId, table: LARGE_TABLE_NAME, column: 'note' }, { callId: 'p', signal: controller.signal, progress: () => {} });
    controller.abort();
    const outcome = await running;
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error.code).toBe('cancelled');
    // The pool replaces the stopped worker: the next call works.
    const profile = await call<{ distinct: number }>('column/profile', { snapshotId, table: LARGE_TABLE_NAME, column: 'status' });
    expect(profile.distinct).toBe(5);
  });
});
