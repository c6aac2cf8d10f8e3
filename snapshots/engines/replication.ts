// Replication as every SQL adapter records it: the instance's role, and for a
// replica its primary, link status and lag, as facts (category `replication`)
// beside the instance's `replication` record.
import type { ReplicationInfo, ServerFact } from '../../shared/model/snapshot.ts';

export function replicationFacts(info: ReplicationInfo, extra: ServerFact[] = []): ServerFact[] {
  if (info.role === 'primary') return [{ category: 'replication', name: 'role', value: 'primary' }, ...extra];
  return [
    { category: 'replication', name: 'role', value: 'replica' },
    { category: 'replication', name: 'primary', value: info.primary },
    { category: 'replication', name: 'link_status', value: info.linkStatus },
    { category: 'replication', name: 'lag_ms', value: info.lagMs === null ? null : String(info.lagMs) },
    ...extra,
  ];
}
