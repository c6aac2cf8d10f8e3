// Where a measured fleet (a snapshot's) and the preset's fleet disagree on an
// input of the cost model, instance by instance, so a view that shows both
// answers can also show why they differ.
import type { CacheWorkload, CostFleet, DatabaseWorkload, ValueSource } from './fleet.ts';

export interface FleetDifference {
  instance: string;
  engine: 'mysql' | 'postgres' | 'redis';
  /** The workload field, e.g. `instanceClass`, `load`, `usedMib`. */
  input: string;
  preset: number | string | boolean | null;
  other: number | string | boolean | null;
  /** Where the other fleet's value came from. */
  source: ValueSource | null;
}

export interface FleetComparison {
  preset: string;
  other: string;
  measuredStores: { preset: number; other: number };
  differences: FleetDifference[];
  /** Instances only one of the two fleets has. */
  onlyInPreset: string[];
  onlyInOther: string[];
}

const DATABASE_INPUTS = ['instanceClass', 'multiAz', 'dataGb', 'load', 'growth', 'role', 'analytics', 'archivable', 'archivableShare'] as const;
const CACHE_INPUTS = ['nodeClass', 'replicas', 'allocatedMib', 'usedMib', 'persistentMib', 'persistentKeys', 'keys', 'growth'] as const;

/** Numbers closer than this share of the larger one are the same input (rounding in a server's figures). */
const RELATIVE_TOLERANCE = 0.005;

function differs(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) > RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b), 1e-9);
  return a !== b;
}

function databaseSource(w: DatabaseWorkload, input: string): ValueSource | null {
  return input in w.sources ? w.sources[input as keyof DatabaseWorkload['sources']] : null;
}

function cacheSource(w: CacheWorkload, input: string): ValueSource | null {
  return input in w.sources ? w.sources[input as keyof CacheWorkload['sources']] : null;
}

/** Every input of the cost model on which `other` differs from `preset`, in the preset's instance order. */
export function compareFleets(preset: CostFleet, other: CostFleet): FleetComparison {
  const differences: FleetDifference[] = [];
  const otherDatabases = new Map(other.databases.map((d) => [d.name, d]));
  const otherCaches = new Map(other.caches.map((c) => [c.name, c]));
  for (const p of preset.databases) {
    const o = otherDatabases.get(p.name);
    if (!o) continue;
    for (const input of DATABASE_INPUTS) {
      if (differs(p[input], o[input])) differences.push({ instance: p.name, engine: p.engine, input, preset: p[input], other: o[input], source: databaseSource(o, input) });
    }
  }
  for (const p of preset.caches) {
    const o = otherCaches.get(p.name);
    if (!o) continue;
    for (const input of CACHE_INPUTS) {
      if (differs(p[input], o[input])) differences.push({ instance: p.name, engine: 'redis', input, preset: p[input], other: o[input], source: cacheSource(o, input) });
    }
  }
  const presetNames = new Set([...preset.databases, ...preset.caches].map((w) => w.name));
  const otherNames = new Set([...other.databases, ...other.caches].map((w) => w.name));
  return {
    preset: preset.source,
    other: other.source,
    measuredStores: { preset: preset.measuredStores, other: other.measuredStores },
    differences,
    onlyInPreset: [...presetNames].filter((n) => !otherNames.has(n)),
    onlyInOther: [...otherNames].filter((n) => !presetNames.has(n)),
  };
}
