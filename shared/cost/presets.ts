// The two presets and how a preset, the section-11 toggles and a user's own
// settings combine into one set of decisions.
import {
  DECISION_KEYS,
  DecisionError,
  defaultDecisions,
  describeRange,
  POOL_BELOW_ONE_PERCENT,
  TOGGLE_KEYS,
  TOGGLE_SETTINGS,
  type DecisionKey,
  type Decisions,
  type DecisionSettings,
} from './decisions.ts';
import { redisUtilisation, type CostFleet } from './fleet.ts';

export const PRESET_NAMES = ['report-07', 'report-07-plan'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface Preset {
  name: PresetName;
  description: string;
  /** Decisions the preset sets; the rest keep their "as found" values. */
  settings: Partial<Record<DecisionKey, number | boolean | string>>;
  /** Where each setting comes from in the report. */
  sources: Partial<Record<DecisionKey, string>>;
}

export const PRESETS: Record<PresetName, Preset> = {
  'report-07': {
    name: 'report-07',
    description: 'the fleet and decisions as report 07 found them: 62 MySQL, 78 Redis, 3 PostgreSQL, all on-demand, no TTLs, no archival',
    settings: {},
    sources: {},
  },
  'report-07-plan': {
    name: 'report-07-plan',
    description:
      "the same fleet with the report's recommended decisions (10.4, 11, 12): Redis pooled to 28 clusters with TTLs, right-sizing, multi-tenant consolidation, reserved instances, Valkey, 90-day archival, 5 analytics replicas, batch-only databases on Aurora Serverless v2",
    settings: { immediateSavings: true, mediumTermSavings: true, longTermSavings: true, ttlEnforcement: 1, analyticsReadReplicas: 5 },
    sources: {
      immediateSavings: '11.1 (Redis pooling of the 58 clusters below 1%, right-sizing, DBA test instances) — 10.4/12 Phase 2 "78 to 25–30"',
      mediumTermSavings: '11.2 (multi-tenant MySQL, reserved instances, Redis 7.x) — 12 Phase 2, 13 #11–12',
      longTermSavings: '11.3 (pooling, cold storage, Aurora Serverless v2) — 10.4 archival, 12 Phase 3',
      ttlEnforcement: '10.4 "TTL enforcement on all Redis keys", 12 Phase 1, 13 #3',
      analyticsReadReplicas: '10.4 "read replica deployment for analytics", 13 #5 "top 5 highest-traffic MySQL servers"',
    },
  },
};

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/** Clusters left when every cluster below `threshold` utilisation is pooled, `perPool` to a pool (report 11.1). */
export function clustersAfterPoolingBelow(fleet: CostFleet, threshold: number, perPool: number): number {
  const below = fleet.caches.filter((c) => redisUtilisation(c) < threshold).length;
  return fleet.caches.length - below + Math.ceil(below / perPool);
}

/**
 * Combines, from weakest to strongest: the "as found" values, the preset's
 * settings, what the section-11 toggles imply, and the user's settings. A
 * toggle never overrides a decision the preset or the user set by name.
 */
export function resolveDecisions(fleet: CostFleet, preset: Preset, overrides: DecisionSettings = {}): Decisions {
  const values: Record<string, unknown> = { ...defaultDecisions(), redisClusters: fleet.caches.length };
  const named = new Set<string>([...Object.keys(preset.settings), ...Object.keys(overrides)]);
  Object.assign(values, preset.settings);
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined && (TOGGLE_KEYS as readonly string[]).includes(key)) values[key] = value;
  for (const toggle of TOGGLE_KEYS) {
    if (values[toggle] !== true) continue;
    for (const [key, value] of Object.entries(TOGGLE_SETTINGS[toggle])) if (!named.has(key) || (TOGGLE_KEYS as readonly string[]).includes(key)) values[key] = value;
  }
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) values[key] = value;
  const perPool = values.redisWorkloadsPerPool as number;
  if (values.redisClusters === POOL_BELOW_ONE_PERCENT) values.redisClusters = clustersAfterPoolingBelow(fleet, 0.01, perPool);
  // A preset's or a toggle's value is capped to what this fleet has (a small snapshot may have fewer
  // busy MySQL instances than the plan's 5 replicas); a value the user gave by name is checked instead.
  const limits = fleetLimits(fleet);
  for (const [key, max] of Object.entries(limits)) {
    if (overrides[key as DecisionKey] === undefined && (values[key] as number) > max) values[key] = max;
  }
  const decisions = values as unknown as Decisions;
  checkAgainstFleet(fleet, decisions);
  return decisions;
}

/** Ranges that depend on the fleet: clusters that can remain, replicas that have a primary. */
export function fleetLimits(fleet: CostFleet): Partial<Record<DecisionKey, number>> {
  return {
    redisClusters: Math.max(1, fleet.caches.length),
    analyticsReadReplicas: fleet.databases.filter((d) => d.engine === 'mysql' && d.analytics && d.role === 'transactional').length,
  };
}

function checkAgainstFleet(fleet: CostFleet, decisions: Decisions): void {
  const limits = fleetLimits(fleet);
  for (const key of DECISION_KEYS) {
    const max = limits[key];
    if (max !== undefined && (decisions[key] as number) > max) {
      const what = key === 'redisClusters' ? `it has ${fleet.caches.length} Redis clusters` : 'it has that many busy MySQL instances to replicate';
      throw new DecisionError(`"${key}" must be ${describeRange(key, max)} for this fleet (${what}), not ${String(decisions[key])}`);
    }
  }
}
