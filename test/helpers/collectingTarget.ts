// An InstanceTarget that keeps everything in memory, for testing one adapter
// against a real server without the snapshot writer in the way.
import type { InstanceTarget, PullEvent, PullOptions, TablePullResult } from '../../snapshots/engines/types.ts';
import type { CatalogObject, Consistency, RedisKeyRecord, ReplicationInfo, ServerFact, SqlValue, TableInfo } from '../../shared/model/snapshot.ts';
import { randomBytes } from 'node:crypto';

export interface CollectedTable {
  info: TableInfo;
  rows: SqlValue[][];
  result: TablePullResult | null;
}

export class CollectingTarget implements InstanceTarget {
  version: string | null = null;
  consistency: Consistency | null = null;
  consistencyNote: string | null = null;
  facts: ServerFact[] = [];
  tables: CollectedTable[] = [];
  redisKeys: RedisKeyRecord[] = [];
  redisDatabases: number[] = [];
  redisLimited: Record<number, boolean> = {};
  objects: CatalogObject[] = [];
  replication: ReplicationInfo | null = null;

  setVersion(version: string): void {
    this.version = version;
  }
  setConsistency(consistency: Consistency, note: string | null): void {
    this.consistency = consistency;
    this.consistencyNote = note;
  }
  addServerFacts(facts: ServerFact[]): void {
    this.facts.push(...facts);
  }
  setReplication(replication: ReplicationInfo | null): void {
    this.replication = replication;
  }
  addObjects(objects: CatalogObject[]): void {
    this.objects.push(...objects);
  }
  beginTable(info: TableInfo) {
    const table: CollectedTable = { info, rows: [], result: null };
    this.tables.push(table);
    return {
      sink: { push: (rows: SqlValue[][]) => void table.rows.push(...rows) },
      finish: async (result: TablePullResult) => {
        table.result = result;
      },
      abandon: async () => {
        this.tables.splice(this.tables.indexOf(table), 1);
      },
    };
  }
  async recordTable(info: TableInfo, rows: number): Promise<void> {
    this.tables.push({ info, rows: [], result: { rows, limited: false } });
  }
  beginRedisDatabase(db: number) {
    this.redisDatabases.push(db);
    return {
      push: (keys: RedisKeyRecord[]) => void this.redisKeys.push(...keys),
      finish: async (result?: { limited: boolean }) => {
        this.redisLimited[db] = result?.limited ?? false;
      },
    };
  }
  table(database: string, name: string): CollectedTable {
    const found = this.tables.find((t) => t.info.database === database && (t.info.schema ? `${t.info.schema}.${t.info.name}` : t.info.name) === name);
    if (!found) throw new Error(`no collected table ${database}.${name}; have ${this.tables.map((t) => `${t.info.database}.${t.info.name}`).join(', ')}`);
    return found;
  }
  fact(category: string, name: string): string | null | undefined {
    return this.facts.find((f) => f.category === category && f.name === name)?.value;
  }
}

export function testPullOptions(overrides: Partial<PullOptions> = {}): PullOptions & { events: PullEvent[] } {
  const events: PullEvent[] = [];
  return {
    maxRows: null,
    signal: new AbortController().signal,
    password: undefined,
    keyHashSecret: randomBytes(32),
    progress: (event) => events.push(event),
    events,
    ...overrides,
  };
}
