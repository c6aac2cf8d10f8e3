// The fleet manifest (YAML) of the reference fleet: all 143 instances, with
// connection details for those seeded into real servers; the rest stay
// inventory-only (they still count in the fleet overview and the cost model).
import { createHash } from 'node:crypto';
import { Document } from 'yaml';
import type { ReferenceFleet } from './reference/index.ts';

export interface SeededConnection {
  host: string;
  port: number;
  user?: string;
  passwordEnv?: string;
}

export const DEMO_FLEET_NAME = 'reference-fleet (synthetic)';

export function fleetManifestText(fleet: ReferenceFleet, connections: ReadonlyMap<string, SeededConnection> = new Map(), name = DEMO_FLEET_NAME): string {
  const instances = fleet.inventory.map((i) => {
    const entry: Record<string, unknown> = { name: i.name, engine: i.engine, domain: i.domain, instance_class: i.instanceClass };
    if (i.allocatedMemoryMb !== undefined) entry.allocated_memory_mb = i.allocatedMemoryMb;
    if (i.note) entry.tags = ['name-not-in-report'];
    const c = connections.get(i.name);
    if (c) {
      entry.host = c.host;
      entry.port = c.port;
      if (c.user !== undefined) entry.user = c.user;
      if (c.passwordEnv !== undefined) entry.password_env = c.passwordEnv;
      if (i.engine !== 'redis' && i.databases) entry.databases = i.databases;
    }
    return entry;
  });
  const doc = new Document({ name, synthetic: true, instances });
  doc.commentBefore = [
    connections.size > 0
      ? ` The reference fleet of the seed report, seeded by snapbench (seed ${fleet.seed}, scale ${fleet.scale}).`
      : ' The reference fleet of the seed report (143 instances), written by snapbench.',
    ' Instances without host are inventory-only: listed, counted in the cost model, not pulled.',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
