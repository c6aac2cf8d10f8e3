// Least-squares growth over a series, and when a series is too short to replace
// the preset's growth assumptions.
import { describe, expect, it } from 'vitest';
import { leastSquares, measureGrowth, metricGrowth, type GrowthPoint } from '../../shared/series/growth.ts';

const DAY = 86_400_000;
const at = (days: number) => new Date(Date.UTC(2026, 9, 1) + days * DAY).toISOString();

describe('least squares', () => {
  it('recovers an exact line and fits a noisy one', () => {
    expect(leastSquares([0, 1, 2, 3], [5, 7, 9, 11])).toEqual({ slope: 2, intercept: 5, points: 4 });
    // y = 1 + x with residuals +1, −1, −1, +1: the slope stays 1, the intercept 1.
    const fit = leastSquares([0, 1, 2, 3], [2, 1, 2, 5])!;
    expect(fit.slope).toBeCloseTo(1, 12);
    expect(fit.intercept).toBeCloseTo(1, 12);
  });

  it('has no slope from one point or from points at one x', () => {
    expect(leastSquares([1], [1])).toBeNull();
    expect(leastSquares([2, 2, 2], [1, 5, 9])).toBeNull();
  });

  it('measures a metric per day and per week against the snapshots\u2019 times, skipping snapshots that lack it', () => {
    const times = [at(0), at(7), at(14), at(21)];
    const g = metricGrowth('rows:t_order', times, [1000, 1385, null, 2155])!;
    expect(g.perDay).toBeCloseTo(55, 9);
    expect(g.perWeek).toBeCloseTo(385, 9);
    expect(g).toMatchObject({ metric: 'rows:t_order', from: at(0), to: at(21), points: 3 });
    expect(metricGrowth('x', times, [null, null, 4, null])).toBeNull();
  });
});

function point(days: number, stores: number | null, orders: number | null): GrowthPoint {
  return { createdAt: at(days), stores, records: { orders, sessions: 500 } };
}

describe('growth measured for the cost model', () => {
  it('measures elasticity as d ln(records) / d ln(stores) from 3 or more snapshots over 7 or more days', () => {
    // Orders grow exactly as stores squared: elasticity 2. Sessions stay flat: 0.
    const points = [16, 18, 20, 22].map((s, i) => point(i * 7, s, s * s * 10));
    const m = measureGrowth(points.reverse());
    expect(m.usable).toBe(true);
    expect(m.label).toBe('measured from 4 snapshots, 2026-10-01 … 2026-10-22');
    expect(m.days).toBe(21);
    const orders = m.categories.find((c) => c.category === 'orders')!;
    expect(orders.elasticity).toBeCloseTo(2, 9);
    expect(orders).toMatchObject({ points: 4, first: 2560, last: 4840, reason: null });
    expect(m.categories.find((c) => c.category === 'sessions')!.elasticity).toBeCloseTo(0, 12);
    const devices = m.categories.find((c) => c.category === 'devices')!;
    expect(devices.elasticity).toBeNull();
    expect(devices.reason).toMatch(/no table or key space/);
    expect(m.categories.map((c) => c.category)).not.toContain('platform');
  });

  it('keeps the preset with fewer than 3 snapshots, and says why', () => {
    const m = measureGrowth([point(0, 16, 100), point(30, 20, 150)]);
    expect(m.usable).toBe(false);
    expect(m.reason).toBe('the series has 2 snapshots; at least 3 are needed to measure growth');
    expect(m.categories.every((c) => c.elasticity === null && c.reason === m.reason)).toBe(true);
  });

  it('keeps the preset when the snapshots span under 7 days, and says why', () => {
    const m = measureGrowth([point(0, 16, 100), point(2, 18, 120), point(6.5, 20, 150)]);
    expect(m.usable).toBe(false);
    expect(m.reason).toBe('the series spans 6.5 days; at least 7 are needed to measure growth');
  });

  it('keeps the preset when the store count never changed or is unknown', () => {
    expect(measureGrowth([point(0, 16, 100), point(7, 16, 120), point(14, 16, 150)]).reason).toMatch(/store count did not change over the series \(16 stores in every snapshot\)/);
    expect(measureGrowth([point(0, null, 100), point(7, null, 120), point(14, 16, 150)]).reason).toMatch(/store count is unknown/);
  });
});
