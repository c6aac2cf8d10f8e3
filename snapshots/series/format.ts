// `snapbench series` as CSV (one row per measured item, one column per
// snapshot, then its growth) and as text (what grew, and what the cost model
// can take from the series).
import { formatTimeText } from '../../shared/text/layout.ts';
import type { GrowthEntry } from '../../shared/series/growth.ts';
import { seriesMetric, type SeriesView } from '../../shared/series/types.ts';
import { csvRow } from '../output/csv.ts';

function growthIndex(view: SeriesView): Map<string, GrowthEntry> {
  return new Map(view.growth.map((g) => [g.metric, g]));
}

/** Wide CSV: metric, kind, instance, database, item, measure, one value per snapshot, per_day, per_week, points. */
export function seriesCsv(view: SeriesView, safe = false): string {
  const growth = growthIndex(view);
  const options = { safe };
  let out = csvRow(['metric', 'kind', 'instance', 'database', 'item', 'measure', ...view.snapshots.map((s) => s.createdAt), 'per_day', 'per_week', 'points'], options);
  const row = (metric: string, kind: string, instance: string | null, database: string | null, item: string | null, measure: string, values: (number | null)[]) => {
    const g = growth.get(metric);
    out += csvRow([metric, kind, instance, database, item, measure, ...values, g?.perDay ?? null, g?.perWeek ?? null, g?.points ?? null], options);
  };
  row(seriesMetric.stores, 'stores', null, null, 't_shop_info', 'stores', view.stores);
  for (const t of view.tables) row(seriesMetric.rows(t), 'table', t.instance, t.database, t.table, 'rows', t.rows);
  for (const r of view.redis) {
    row(seriesMetric.redis('keys', r.instance, r.pattern), 'redis', r.instance, null, r.pattern, 'keys', r.keys);
    row(seriesMetric.redis('persistentKeys', r.instance, r.pattern), 'redis', r.instance, null, r.pattern, 'persistentKeys', r.persistentKeys);
    row(seriesMetric.redis('memoryBytes', r.instance, r.pattern), 'redis', r.instance, null, r.pattern, 'memoryBytes', r.memoryBytes);
  }
  for (const d of view.dq) row(seriesMetric.dq(d.pack, d.rule), 'dq', null, null, `${d.pack}/${d.rule}`, 'count', d.counts);
  return out;
}

function signed(n: number, digits = 1): string {
  const text = Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits);
  return n > 0 ? `+${text}` : text;
}

/** A short report: the series, the fastest-growing items, and the cost model's measured growth. */
export function seriesText(view: SeriesView, top = 10): string {
  const lines: string[] = [];
  const first = view.snapshots[0]!;
  const last = view.snapshots[view.snapshots.length - 1]!;
  lines.push(`${view.snapshots.length} snapshots of ${view.fleet ?? 'one fleet'}, ${formatTimeText(first.createdAt)} … ${formatTimeText(last.createdAt)}`);
  for (const [i, s] of view.snapshots.entries()) {
    lines.push(`  ${formatTimeText(s.createdAt)}  ${s.file}  (${view.stores[i] ?? '?'} stores; DQ ${view.dqSource[i] ?? 'not run'})`);
  }
  const growth = [...view.growth].filter((g) => g.perDay !== 0 && g.metric !== seriesMetric.stores);
  const storeGrowth = view.growth.find((g) => g.metric === seriesMetric.stores);
  if (storeGrowth) lines.push('', `stores: ${signed(storeGrowth.perWeek, 2)} a week over ${storeGrowth.points} snapshots`);
  const section = (title: string, prefix: string) => {
    const picked = growth.filter((g) => g.metric.startsWith(prefix)).sort((a, b) => Math.abs(b.perWeek) - Math.abs(a.perWeek)).slice(0, top);
    lines.push('', `${title}:`);
    if (picked.length === 0) lines.push('  nothing changed');
    for (const g of picked) lines.push(`  ${g.metric.slice(prefix.length)}: ${signed(g.perWeek)} a week (${signed(g.perDay, 2)} a day, ${g.points} snapshots)`);
  };
  section('rows', 'rows:');
  section('Redis keys without a TTL', 'persistentKeys:');
  section('DQ finding counts', 'dq:');
  const m = view.measured;
  lines.push('', `growth for the cost model (scenario --series): ${m.usable ? m.label : `the preset's, because ${m.reason}`}`);
  if (m.usable) {
    for (const c of m.categories) lines.push(`  ${c.category}: ${c.elasticity === null ? `preset kept (${c.reason})` : `elasticity ${c.elasticity.toFixed(3)} (${c.points} snapshots, ${c.first} → ${c.last} records)`}`);
  }
  return lines.join('\n') + '\n';
}
