// Growth over a series of snapshots, measured instead of assumed: least-squares
// slopes of each metric against time, and the growth elasticities the cost
// model uses (how a category grows as stores grow), with the reasons a series
// cannot give them. Pure: the CLI, the host and the UI share it.
import { GROWTH_CATEGORIES, type GrowthCategory } from '../cost/fleet.ts';

const DAY_MS = 86_400_000;

/** A series needs this many snapshots, spanning this many days, before it replaces an assumption. */
export const MIN_SERIES_SNAPSHOTS = 3;
export const MIN_SERIES_DAYS = 7;

export interface Fit {
  /** Change of y per unit of x. */
  slope: number;
  intercept: number;
  points: number;
}

/** Ordinary least squares of y on x; null with fewer than 2 points or no spread in x. */
export function leastSquares(xs: readonly number[], ys: readonly number[]): Fit | null {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    sxx += dx * dx;
    sxy += dx * (ys[i]! - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, points: n };
}

/** One metric's growth over the series (cli-contract.md `series` → `growth`). */
export interface GrowthEntry {
  metric: string;
  /** Least-squares slope, units per day. */
  perDay: number;
  perWeek: number;
  /** createdAt of the first and the last snapshot the fit rests on. */
  from: string;
  to: string;
  points: number;
}

/**
 * The growth of a metric given one value per snapshot (null where a snapshot
 * lacks it): the slope against the snapshots' times. Null when fewer than two
 * snapshots hold the metric or they were all made at the same moment.
 */
export function metricGrowth(metric: string, times: readonly string[], values: readonly (number | null)[]): GrowthEntry | null {
  const xs: number[] = [];
  const ys: number[] = [];
  const used: string[] = [];
  for (let i = 0; i < times.length; i++) {
    const value = values[i];
    const at = Date.parse(times[i]!);
    if (value === null || value === undefined || !Number.isFinite(value) || !Number.isFinite(at)) continue;
    xs.push(at / DAY_MS);
    ys.push(value);
    used.push(times[i]!);
  }
  const fit = leastSquares(xs, ys);
  if (!fit) return null;
  return { metric, perDay: fit.slope, perWeek: fit.slope * 7, from: used[0]!, to: used[used.length - 1]!, points: fit.points };
}

/** What the cost model's growth rests on for one category: measured from the series, or the preset's and why. */
export interface CategoryGrowth {
  category: GrowthCategory;
  /** Growth of the category's records per unit of store growth (d ln records / d ln stores); null when not measured. */
  elasticity: number | null;
  /** Why the preset's elasticity is kept, when it is. */
  reason: string | null;
  points: number;
  /** Records (rows and keys) of the category in the first and the last snapshot that hold it. */
  first: number | null;
  last: number | null;
}

/** The series as the cost model's growth sees it. */
export interface MeasuredGrowth {
  /** True when at least one category's elasticity was measured. */
  usable: boolean;
  /** Why nothing was measured, when nothing was. */
  reason: string | null;
  snapshots: number;
  from: string | null;
  to: string | null;
  days: number;
  /** Store count of each snapshot (non-test shops of t_shop_info), null where unknown. */
  stores: (number | null)[];
  /** "measured from 5 snapshots, 2026-10-01 … 2026-11-26": the phrase every explanation quotes. */
  label: string;
  categories: CategoryGrowth[];
}

/** Categories whose growth the series can replace (platform services stay fixed overhead). */
export const MEASURED_CATEGORIES: readonly GrowthCategory[] = GROWTH_CATEGORIES.filter((c) => c !== 'platform');

export interface GrowthPoint {
  createdAt: string;
  stores: number | null;
  /** Rows of the category's tables plus keys of its Redis clusters, per category; null where the snapshot has none. */
  records: Partial<Record<GrowthCategory, number | null>>;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

/**
 * Growth elasticities from a series: for each category, the least-squares slope
 * of ln(records) against ln(stores) over the snapshots, i.e. how many percent
 * the category grew per percent of store growth. A series shorter than
 * MIN_SERIES_SNAPSHOTS snapshots or MIN_SERIES_DAYS days, or one whose store
 * count never changed, measures nothing and says why; a category without
 * records in enough snapshots keeps the preset and says why.
 */
export function measureGrowth(points: readonly GrowthPoint[]): MeasuredGrowth {
  const sorted = [...points].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  const from = sorted[0]?.createdAt ?? null;
  const to = sorted[sorted.length - 1]?.createdAt ?? null;
  const days = from && to ? (Date.parse(to) - Date.parse(from)) / DAY_MS : 0;
  const label = `measured from ${sorted.length} snapshot${sorted.length === 1 ? '' : 's'}${from && to ? `, ${day(from)} … ${day(to)}` : ''}`;
  const stores = sorted.map((p) => p.stores);
  const base = { snapshots: sorted.length, from, to, days, stores, label };
  const keepAll = (reason: string): MeasuredGrowth => ({
    ...base,
    usable: false,
    reason,
    categories: MEASURED_CATEGORIES.map((category) => ({ category, elasticity: null, reason, points: 0, first: null, last: null })),
  });
  if (sorted.length < MIN_SERIES_SNAPSHOTS) {
    return keepAll(`the series has ${sorted.length} snapshot${sorted.length === 1 ? '' : 's'}; at least ${MIN_SERIES_SNAPSHOTS} are needed to measure growth`);
  }
  if (days < MIN_SERIES_DAYS) {
    return keepAll(`the series spans ${days.toFixed(1)} days; at least ${MIN_SERIES_DAYS} are needed to measure growth`);
  }
  const known = stores.filter((s): s is number => s !== null && s > 0);
  if (known.length < MIN_SERIES_SNAPSHOTS) return keepAll('the store count is unknown in most snapshots (no t_shop_info with shop names)');
  if (new Set(known).size < 2) return keepAll(`the store count did not change over the series (${known[0]} stores in every snapshot), so growth with stores cannot be measured`);
  const categories = MEASURED_CATEGORIES.map((category): CategoryGrowth => {
    const xs: number[] = [];
    const ys: number[] = [];
    let first: number | null = null;
    let last: number | null = null;
    for (const p of sorted) {
      const records = p.records[category];
      if (p.stores === null || p.stores <= 0 || records === null || records === undefined || records <= 0) continue;
      xs.push(Math.log(p.stores));
      ys.push(Math.log(records));
      first ??= records;
      last = records;
    }
    if (xs.length < MIN_SERIES_SNAPSHOTS) {
      return { category, elasticity: null, reason: xs.length === 0 ? `no table or key space of this category holds records in the series` : `only ${xs.length} snapshots hold records of this category and a store count`, points: xs.length, first, last };
    }
    const fit = leastSquares(xs, ys);
    if (!fit) return { category, elasticity: null, reason: 'the store count did not change between the snapshots that hold this category', points: xs.length, first, last };
    return { category, elasticity: fit.slope, reason: null, points: fit.points, first, last };
  });
  const measured = categories.filter((c) => c.elasticity !== null).length;
  return { ...base, usable: measured > 0, reason: measured > 0 ? null : 'no category holds records in enough snapshots', categories };
}
