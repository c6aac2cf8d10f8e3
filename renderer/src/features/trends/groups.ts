// The library's series: recent snapshots of the same fleet (same fleet name and
// instance names), oldest first. Two or more make a series the Trends view
// charts and the scenarios can measure growth from.
import type { RecentSnapshot } from '../../../../shared/api/types.ts';

export interface SnapshotSeries {
  key: string;
  fleetName: string | null;
  snapshots: RecentSnapshot[];
  paths: string[];
  from: string | null;
  to: string | null;
}

export function seriesGroups(recent: readonly RecentSnapshot[]): SnapshotSeries[] {
  const byKey = new Map<string, RecentSnapshot[]>();
  for (const r of recent) {
    if (!r.exists || !r.fleetKey) continue;
    byKey.set(r.fleetKey, [...(byKey.get(r.fleetKey) ?? []), r]);
  }
  return [...byKey.entries()]
    .filter(([, list]) => list.length >= 2)
    .map(([key, list]) => {
      const snapshots = [...list].sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.path.localeCompare(b.path));
      return { key, fleetName: snapshots[0]!.fleetName, snapshots, paths: snapshots.map((s) => s.path), from: snapshots[0]!.createdAt, to: snapshots[snapshots.length - 1]!.createdAt };
    })
    .sort((a, b) => (b.to ?? '').localeCompare(a.to ?? ''));
}

/** The series a snapshot file belongs to, if any. */
export function seriesOf(groups: readonly SnapshotSeries[], path: string | null | undefined): SnapshotSeries | null {
  if (!path) return null;
  return groups.find((g) => g.paths.includes(path)) ?? null;
}
