// One answer per question, through the host's handlers on the demo snapshot:
// the scenario summary is the `monthly` of three scenario runs; DQ-007's count
// is the explorer's "blank or NULL" count and the number of rows its "all
// columns" query returns; a facet counts under the filters; a manifest's text
// is checked with the CLI's own messages.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../shared/api/rpc.ts';
import type { CatalogColumns, DqRowQueries, DqRunView, FacetResult, ManifestCheck, SqlResult } from '../../shared/api/types.ts';
import type { ScenarioResult } from '../../shared/cost/scenario.ts';
import type { ScenarioSummary } from '../../shared/cost/summary.ts';
import { writeDemoSnapshot } from '../../snapshots/fleet/demo.ts';
import { WorkbenchHost } from '../../snapshots/host/host.ts';

const ORDERS = 'aws-luckyus-salesorder-rw/luckyus_sales_order/t_order';

describe('the workbench answers each question once', () => {
  let dir: string;
  let path: string;
  let host: WorkbenchHost;
  let snapshotId: string;

  async function call<T>(channel: string, request: unknown): Promise<T> {
    const outcome = await dispatch(host.handlers, channel, request, { callId: 't', signal: new AbortController().signal, progress: () => {} });
    if (!outcome.ok) throw new Error(`${channel}: ${outcome.error.message} (${outcome.error.hint ?? ''})`);
    return outcome.value as T;
  }

  async function failure(channel: string, request: unknown): Promise<{ message: string; hint: string | null }> {
    const outcome = await dispatch(host.handlers, channel, request, { callId: 't', signal: new AbortController().signal, progress: () => {} });
    if (outcome.ok) throw new Error(`${channel} did not fail`);
    return outcome.error;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snapbench-answers-'));
    path = join(dir, 'demo.snapbench');
    await writeDemoSnapshot({ out: path, scale: 0.02 });
    host = new WorkbenchHost({ transport: 'http', configDir: join(dir, 'config') });
    snapshotId = (await call<{ id: string }>('snapshot/open', { path })).id;
  }, 120_000);

  afterAll(async () => {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('summarises a scenario as three scenario runs and ranks the savings that make up the difference', async () => {
    const decisions = { stores: 100 };
    const { summary, reference } = await call<{ summary: ScenarioSummary; reference: ScenarioSummary | null }>('scenario/summary', { preset: 'report-07-plan', decisions, snapshotId });
    const run = (preset: string, d: Record<string, number>) => call<ScenarioResult>('scenario/compute', { preset, decisions: d, snapshotId });
    const [today, asIs, plan] = await Promise.all([run('report-07', { stores: summary.measuredStores }), run('report-07', { stores: 100 }), run('report-07-plan', decisions)]);
    expect([summary.today.total, summary.today.perStore]).toEqual([today.monthly.total, today.monthly.perStore]);
    expect([summary.asIs.total, summary.asIs.perStore]).toEqual([asIs.monthly.total, asIs.monthly.perStore]);
    expect([summary.chosen.total, summary.chosen.perStore]).toEqual([plan.monthly.total, plan.monthly.perStore]);
    expect(summary.asIs.total).toBe(plan.savings.baseline);
    // Largest first; savings and added costs add up to the difference between as is and chosen.
    expect(summary.savings.map((s) => s.saved)).toEqual([...summary.savings.map((s) => s.saved)].sort((a, b) => b - a));
    const cents = (n: number) => Math.round(n * 100);
    expect([...summary.savings, ...summary.costs].reduce((n, s) => n + cents(s.saved), 0)).toBe(cents(summary.asIs.total) - cents(summary.chosen.total));
    expect(summary.costs.every((c) => c.saved < 0)).toBe(true);
    expect(summary.chosen.label).toBe("100 stores with the report's plan");
    // The preset's fleet is given beside a snapshot's.
    expect(reference?.chosen.stores).toBe(100);
    const alone = await call<{ summary: ScenarioSummary; reference: ScenarioSummary | null }>('scenario/summary', { preset: 'report-07', decisions: { stores: 100, reservedCoverage: 0.5 }, snapshotId: null });
    expect(alone.reference).toBeNull();
    expect(alone.summary.chosen.label).toBe('100 stores with the chosen decisions');
    expect(alone.summary.savings.map((s) => s.step)).toEqual(['reservedInstances']);
  });

  it('counts DQ-007, the "blank or NULL" filter and the finding\'s rows with all columns alike', async () => {
    const run = await call<DqRunView>('dq/run', { snapshotId, pack: 'report-07', store: false });
    const rule = run.results.find((r) => r.id === 'DQ-007')!;
    expect(rule.count).toBeGreaterThan(0);
    const view = { table: ORDERS, sort: null, filters: [{ column: 'shop_name', op: 'blank-or-null' }] };
    expect((await call<{ rows: number }>('table/count', { snapshotId, view })).rows).toBe(rule.count);
    // "is blank" alone leaves out the NULLs, "is NULL" alone the blanks: together they are the rule's count.
    const blank = (await call<{ rows: number }>('table/count', { snapshotId, view: { ...view, filters: [{ column: 'shop_name', op: 'is-blank' }] } })).rows;
    const nulls = (await call<{ rows: number }>('table/count', { snapshotId, view: { ...view, filters: [{ column: 'shop_name', op: 'is-null' }] } })).rows;
    expect(blank).toBeGreaterThan(0);
    expect(nulls).toBeGreaterThan(0);
    expect(blank + nulls).toBe(rule.count);
    const notMissing = (await call<{ rows: number }>('table/count', { snapshotId, view: { ...view, filters: [{ column: 'shop_name', op: 'not-blank-or-null' }] } })).rows;
    expect(notMissing + rule.count!).toBe(rule.total);

    const { tables } = await call<DqRowQueries>('dq/rows', { snapshotId, evidenceQuery: rule.evidenceQuery });
    expect(tables.map((t) => t.table)).toEqual([ORDERS]);
    const rows = await call<SqlResult>('sql/run', { snapshotId, sql: tables[0]!.sql });
    expect(rows.rows).toBe(rule.count);
    const db = new Database(path, { readonly: true });
    try {
      const columns = (db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).pluck().all(ORDERS) as string[]);
      expect(rows.columns.map((c) => c.name)).toEqual(columns);
    } finally {
      db.close();
    }
    // A finding that lists tables rather than rows has no row queries (its list is exported as it is).
    const empty = run.results.find((r) => r.id === 'DQ-003')!;
    expect((await call<DqRowQueries>('dq/rows', { snapshotId, evidenceQuery: empty.evidenceQuery })).tables).toEqual([]);
  }, 120_000);

  it('facets a column under the filters, and lists every table with its columns for completion', async () => {
    const facet = await call<FacetResult>('table/facet', { snapshotId, view: { table: ORDERS, sort: null, filters: [{ column: 'shop_name', op: 'blank-or-null' }] }, column: 'shop_name' });
    const total = facet.values.reduce((n, v) => n + v.count, 0) + facet.others;
    expect(total).toBe(facet.rows);
    expect(facet.values.some((v) => v.value === null)).toBe(true);
    expect(facet.values.every((v) => v.value === null || v.value.trim() === '')).toBe(true);
    const catalog = await call<CatalogColumns>('catalog/columns', { snapshotId });
    const orders = catalog.find((t) => t.table === ORDERS)!;
    expect(orders.sqlName).toBe(`"${ORDERS}"`);
    expect(orders.columns).toContain('shop_name');
  });

  it('checks a manifest as it is typed, with the messages of snapbench pull, and saves only a valid one', async () => {
    const bad = await call<ManifestCheck>('pull/validate', { yaml: 'instances:\n  - name: a\n    engine: oracle\n    host: h\n' });
    expect(bad.ok).toBe(false);
    expect(bad.problems.join('\n')).toMatch(/instance "a".*engine/i);
    const syntax = await call<ManifestCheck>('pull/validate', { yaml: 'instances: [\n' });
    expect(syntax.ok).toBe(false);
    expect(syntax.problems).toHaveLength(1);
    const good = await call<ManifestCheck>('pull/validate', { yaml: 'instances:\n  - name: a\n    engine: mysql\n    host: 127.0.0.1\n    user: reader\n  - name: b\n    engine: redis\n' });
    expect(good).toMatchObject({ ok: true, instances: 2, pullable: 1 });

    const target = join(dir, 'new-fleet.yaml');
    const refused = await failure('pull/save-manifest', { path: target, yaml: 'instances: [\n' });
    expect(refused.message).toMatch(/not valid yet/);
    expect(existsSync(target)).toBe(false);
    await call('pull/save-manifest', { path: target, yaml: 'instances:\n  - name: b\n    engine: redis\n' });
    expect(readFileSync(target, 'utf8')).toContain('engine: redis');
    expect((await failure('pull/save-manifest', { path: target, yaml: 'instances:\n  - name: c\n    engine: redis\n' })).message).toMatch(/exists/);
    // Never over a snapshot, even when asked to replace.
    const snapshotAsYaml = join(dir, 'demo.yaml');
    writeFileSync(snapshotAsYaml, readFileSync(path));
    expect((await failure('pull/save-manifest', { path: snapshotAsYaml, yaml: 'instances:\n  - name: c\n    engine: redis\n', replace: true })).message).toMatch(/is a Snapbench snapshot; it is not replaced/);
    // A missing manifest is named in words.
    expect((await failure('pull/inspect', { fleetPath: join(dir, 'nope.yaml') })).message).toMatch(/there is no such file$/);
  });
});
