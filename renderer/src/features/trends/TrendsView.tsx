// Trends: a series of snapshots of one fleet over time. Row counts of the
// largest tables, DQ finding counts per rule, and Redis keys, keys without a
// TTL and memory per cluster, each with its least-squares growth beside it and
// a way to the table or rule in the latest snapshot; and the growth the cost
// model can take from the series.
import { useEffect, useMemo, useState } from 'react';
import type { RecentSnapshot } from '../../../../shared/api/types.ts';
import type { GrowthEntry } from '../../../../shared/series/growth.ts';
import { seriesMetric, type SeriesView } from '../../../../shared/series/types.ts';
import { api } from '../../api/client.ts';
import { useWorkbench } from '../../app/workbench.tsx';
import { EmptyState, ErrorBox, ProgressBar, useJob } from '../../ui/components.tsx';
import { formatBytes, formatCount, formatDate, formatNumber } from '../../ui/format.ts';
import { seriesGroups, seriesOf } from './groups.ts';
import { TrendChart } from './TrendChart.tsx';

/** How many of the largest tables get a chart. */
const LARGEST_TABLES = 6;

function rate(g: GrowthEntry | undefined, unit: string, format: (n: number) => string = (n) => formatNumber(n)): string {
  if (!g) return 'no growth measured';
  const sign = g.perWeek > 0 ? '+' : '';
  return `${sign}${format(g.perWeek)} ${unit} a week (${sign}${formatNumber(g.perDay)} a day, ${g.points} snapshots)`;
}

function last<T>(values: (T | null)[]): T | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i]!;
  return null;
}

function sumAt(lists: (number | null)[][], i: number): number | null {
  const values = lists.map((l) => l[i] ?? null);
  return values.every((v) => v === null) ? null : values.reduce<number>((n, v) => n + (v ?? 0), 0);
}

export function TrendsView() {
  const wb = useWorkbench();
  const [recent, setRecent] = useState<RecentSnapshot[] | null>(null);
  const job = useJob<SeriesView>();
  const { run } = job;

  useEffect(() => {
    api.invoke('recent/list', {}).then(setRecent, () => setRecent([]));
  }, [wb.snapshots.length]);
  const groups = useMemo(() => seriesGroups(recent ?? []), [recent]);
  const paths = wb.seriesPaths ?? seriesOf(groups, wb.current?.path)?.paths ?? groups[0]?.paths ?? null;
  const pathsKey = paths?.join('\n') ?? '';

  useEffect(() => {
    if (!pathsKey) return;
    void run((signal, onProgress) => api.invoke('series/build', { paths: pathsKey.split('\n') }, { signal, onProgress }));
  }, [run, pathsKey]);

  const view = job.result;
  const growth = useMemo(() => new Map((view?.growth ?? []).map((g) => [g.metric, g])), [view]);

  if (recent === null) return <ProgressBar progress={null} label="Loading the library…" />;
  if (!paths) {
    return (
      <div className="trends" data-testid="trends-view">
        <h1>Trends</h1>
        <EmptyState title="No series yet">
          Open two or more snapshots of the same fleet (pulled at different times, or written with “snapbench demo --series 5 --out DIR”); the library groups them into a series.
        </EmptyState>
      </div>
    );
  }

  /** Opens the latest snapshot of the series (once) so a click-through lands in it. */
  const openLatest = async (): Promise<boolean> => {
    if (!view) return false;
    const latest = view.snapshots[view.snapshots.length - 1]!.file;
    const open = wb.snapshots.find((s) => s.path === latest);
    if (open) {
      wb.select(open.id);
      return true;
    }
    try {
      wb.opened(await api.invoke('snapshot/open', { path: latest }));
      return true;
    } catch {
      return false;
    }
  };
  const openTable = async (name: string | undefined) => {
    if (name && (await openLatest())) wb.openInExplorer({ kind: 'table', table: name });
  };
  const openRule = async (rule: string) => {
    if (await openLatest()) wb.openRule(rule);
  };

  const times = view?.snapshots.map((s) => s.createdAt) ?? [];
  const largest = view ? [...view.tables].sort((a, b) => (last(b.rows) ?? 0) - (last(a.rows) ?? 0)).slice(0, LARGEST_TABLES) : [];
  const rules = view ? view.dq.filter((d) => d.counts.some((c) => c !== null && c > 0)) : [];
  const clusters = view ? [...new Set(view.redis.map((r) => r.instance))] : [];

  return (
    <div className="trends" data-testid="trends-view">
      <h1>Trends</h1>
      <section className="panel" aria-label="Series">
        <div className="row gap wrap">
          {groups.length > 1 && (
            <label>
              Series{' '}
              <select aria-label="Series" value={seriesOf(groups, paths[0])?.key ?? ''} onChange={(e) => wb.showTrends(groups.find((g) => g.key === e.target.value)!.paths)}>
                {groups.map((g) => (
                  <option key={g.key} value={g.key}>
                    {g.fleetName ?? 'fleet'}: {g.snapshots.length} snapshots
                  </option>
                ))}
              </select>
            </label>
          )}
          {view && (
            <p data-testid="series-summary">
              {view.snapshots.length} snapshots of {view.fleet ?? 'one fleet'}, {formatDate(times[0]!)} … {formatDate(times[times.length - 1]!)}; stores {view.stores.map((s) => (s === null ? '?' : formatCount(s))).join(' → ')}
            </p>
          )}
        </div>
        {job.running && <ProgressBar progress={job.progress} label="Reading the snapshots…" onCancel={job.cancel} />}
        {job.error ? <ErrorBox error={job.error} onDismiss={job.clear} /> : null}
      </section>
      {view && (
        <>
          <section className="panel" aria-labelledby="trend-tables">
            <h2 id="trend-tables">Rows of the largest tables</h2>
            <ul className="trend-grid">
              {largest.map((t) => {
                const name = `${t.instance}/${t.database}/${t.table}`;
                const g = growth.get(seriesMetric.rows(t));
                return (
                  <li key={name} className="trend" data-testid="trend-table" data-table={name}>
                    <TrendChart title={t.table} times={times} lines={[{ label: 'rows', values: t.rows }]} format={(n) => formatCount(n)} />
                    <div className="small">
                      <div className="muted">{t.instance}</div>
                      <div data-testid="trend-rate">{rate(g, 'rows', formatCount)}</div>
                      <button type="button" className="link" onClick={() => void openTable(view.explorerTables[name])} disabled={!view.explorerTables[name]}>
                        Open {t.table} in the explorer
                      </button>
                    </div>
                  </li>
                );
              })}
            </ul>
          </section>
          <section className="panel" aria-labelledby="trend-dq">
            <h2 id="trend-dq">Data-quality findings per rule</h2>
            {view.dqSource.some((s) => s === 'computed') && <p className="muted small">Where a snapshot has no stored DQ run, report-07 was run on it for this view (nothing was written to it).</p>}
            {rules.length === 0 ? (
              <p className="muted">No rule found anything in these snapshots.</p>
            ) : (
              <ul className="trend-grid">
                {rules.map((d) => (
                  <li key={`${d.pack}/${d.rule}`} className="trend" data-testid="trend-rule" data-rule={d.rule}>
                    <TrendChart title={`${d.rule}: ${view.ruleTitles[d.rule] ?? ''}`} times={times} lines={[{ label: 'count', values: d.counts }]} format={(n) => formatCount(n)} />
                    <div className="small">
                      <div data-testid="trend-rate">{rate(growth.get(seriesMetric.dq(d.pack, d.rule)), 'findings', formatCount)}</div>
                      <button type="button" className="link" onClick={() => void openRule(d.rule)}>
                        Open {d.rule} in data quality
                      </button>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="panel" aria-labelledby="trend-redis">
            <h2 id="trend-redis">Redis per cluster</h2>
            {clusters.length === 0 ? (
              <p className="muted">No Redis key inventory in these snapshots.</p>
            ) : (
              <ul className="trend-grid">
                {clusters.map((instance) => {
                  const own = view.redis.filter((r) => r.instance === instance);
                  const keys = times.map((_, i) => sumAt(own.map((r) => r.keys), i));
                  const persistent = times.map((_, i) => sumAt(own.map((r) => r.persistentKeys), i));
                  const memory = times.map((_, i) => (own.some((r) => r.memoryBytes[i] === null) ? null : sumAt(own.map((r) => r.memoryBytes), i)));
                  return (
                    <li key={instance} className="trend" data-testid="trend-cluster" data-cluster={instance}>
                      <TrendChart
                        title={instance}
                        times={times}
                        lines={[
                          { label: 'keys', values: keys },
                          { label: 'no TTL', values: persistent },
                        ]}
                        format={(n) => formatCount(n)}
                      />
                      <TrendChart title="memory" times={times} lines={[{ label: 'memory', values: memory }]} format={(n) => formatBytes(n)} height={110} />
                      <div className="small">
                        <div>keys: {rate(growth.get(seriesMetric.redis('keys', instance)), 'keys', formatCount)}</div>
                        <div data-testid="trend-rate">no TTL: {rate(growth.get(seriesMetric.redis('persistentKeys', instance)), 'keys', formatCount)}</div>
                        <div>memory: {rate(growth.get(seriesMetric.redis('memoryBytes', instance)), '', formatBytes)}</div>
                        <button type="button" className="link" onClick={() => void openTable(view.explorerTables[instance])} disabled={!view.explorerTables[instance]}>
                          Open the key inventory of {instance}
                        </button>
                      </div>
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
          <section className="panel" aria-labelledby="trend-cost">
            <h2 id="trend-cost">Growth for the cost model</h2>
            {view.measured.usable ? (
              <>
                <p data-testid="measured-growth">
                  Growth {view.measured.label}: how much each category grows for each 1% more stores.{' '}
                  <button type="button" className="link" onClick={() => wb.go('scenarios')}>
                    Use it in Scenarios
                  </button>
                </p>
                <table className="plain small">
                  <thead>
                    <tr>
                      <th scope="col">category</th>
                      <th scope="col" className="num">
                        elasticity
                      </th>
                      <th scope="col">records</th>
                    </tr>
                  </thead>
                  <tbody>
                    {view.measured.categories.map((c) => (
                      <tr key={c.category}>
                        <th scope="row">{c.category}</th>
                        <td className="num">{c.elasticity === null ? 'preset' : formatNumber(c.elasticity)}</td>
                        <td>{c.elasticity === null ? c.reason : `${formatCount(c.first)} → ${formatCount(c.last)} over ${c.points} snapshots`}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            ) : (
              <p data-testid="measured-growth">The scenarios keep the preset's growth: {view.measured.reason}.</p>
            )}
          </section>
        </>
      )}
    </div>
  );
}
