// The contract every engine adapter fulfils. An adapter reads one instance and
// hands what it finds to an InstanceTarget (the snapshot writer's view of that
// instance); it never touches the file itself.
import type { Engine, FleetInstance } from '../../shared/model/fleet.ts';
import type { Network } from '../net/network.ts';
import type { Consistency, RedisKeyRecord, ServerFact, SqlValue, TableInfo } from '../../shared/model/snapshot.ts';

/** Receives the rows of one table in column order. May return a promise to apply backpressure. */
export interface TableSink {
  push(rows: SqlValue[][]): void | Promise<void>;
}

export interface TablePullResult {
  rows: number;
  /** True when --max-rows stopped the table before its end. */
  limited: boolean;
}

export interface InstanceTarget {
  setVersion(version: string): void;
  setConsistency(consistency: Consistency, note: string | null): void;
  addServerFacts(facts: ServerFact[]): void;
  /** Creates the table in the snapshot and returns where its rows go; `finish` records its row count. */
  beginTable(table: TableInfo): { sink: TableSink; finish(result: TablePullResult): Promise<void>; abandon(): Promise<void> };
  beginRedisDatabase(db: number): {
    push(keys: RedisKeyRecord[]): void | Promise<void>;
    finish(): Promise<void>;
  };
}

export type PullEvent =
  | { type: 'instance-start'; instance: string; engine: Engine }
  | { type: 'table-start'; instance: string; table: string; estimatedRows: number | null }
  | { type: 'table-progress'; instance: string; table: string; rows: number; bytes: number }
  | { type: 'table-done'; instance: string; table: string; rows: number; limited: boolean }
  | { type: 'instance-done'; instance: string; tables: number; rows: number }
  | { type: 'instance-failed'; instance: string; message: string; hint: string | null };

export interface PullOptions {
  maxRows: number | null;
  signal: AbortSignal;
  /** Password looked up from the variable the manifest names; never stored. */
  password: string | undefined;
  /** HMAC key for Redis key names' variable parts. */
  keyHashSecret: Buffer;
  progress(event: PullEvent): void;
  /** How servers are reached (SSH bastions shared across the run); absent: each adapter makes its own, direct or through its instance's bastion. */
  network?: Network;
}

export interface EngineAdapter {
  engine: Engine;
  /** Pulls one instance into the target. Throws on failure; the caller records it and goes on. */
  pullInstance(instance: FleetInstance, target: InstanceTarget, options: PullOptions): Promise<void>;
}

export { PullError } from './errors.ts';
