// Whether a MySQL/MariaDB server is a replica, of which primary, whether its
// link to the primary is up and how far behind it is (SHOW REPLICA STATUS).
import type { ReplicationInfo, ServerFact } from '../../../shared/model/snapshot.ts';
import { replicationFacts } from '../replication.ts';
import { mysqlQuery, type MysqlServer } from './connect.ts';

type StatusRow = Record<string, unknown>;

function field(row: StatusRow, ...names: string[]): string | null {
  for (const name of names) if (row[name] !== undefined && row[name] !== null) return String(row[name]);
  return null;
}

/** A replica's status row (either vocabulary) → ReplicationInfo. */
export function replicaInfo(row: StatusRow): ReplicationInfo {
  const host = field(row, 'Source_Host', 'Master_Host');
  const port = field(row, 'Source_Port', 'Master_Port');
  const io = field(row, 'Replica_IO_Running', 'Slave_IO_Running');
  const sql = field(row, 'Replica_SQL_Running', 'Slave_SQL_Running');
  const behind = field(row, 'Seconds_Behind_Source', 'Seconds_Behind_Master');
  return {
    role: 'replica',
    primary: host ? `${host}:${port ?? 3306}` : null,
    linkStatus: io === 'Yes' && sql === 'Yes' ? 'up' : `down (I/O thread: ${io ?? 'unknown'}, SQL thread: ${sql ?? 'unknown'})`,
    lagMs: behind === null || behind === '' ? null : Number(behind) * 1000,
  };
}

/**
 * The server's replication role. A server that answers SHOW REPLICA STATUS
 * (or SHOW SLAVE STATUS) with a row is a replica; with no row, a primary. An
 * account without the privilege to ask leaves the role unknown, and says so.
 */
export async function mysqlReplication(server: MysqlServer): Promise<{ info: ReplicationInfo | null; facts: ServerFact[] }> {
  let rows: StatusRow[] | null = null;
  let refused: string | null = null;
  for (const sql of ['SHOW REPLICA STATUS', 'SHOW SLAVE STATUS']) {
    try {
      rows = await mysqlQuery<StatusRow>(server.connection, sql);
      break;
    } catch (error) {
      refused = String((error as { sqlMessage?: string }).sqlMessage ?? (error as Error).message).split('\n')[0]!;
    }
  }
  if (rows === null) return { info: null, facts: [{ category: 'replication', name: 'role', value: `unknown: ${refused}` }] };
  if (rows.length === 0) {
    const primary: ReplicationInfo = { role: 'primary', primary: null, linkStatus: null, lagMs: null };
    return { info: primary, facts: replicationFacts(primary) };
  }
  const info = replicaInfo(rows[0]!);
  const lastError = field(rows[0]!, 'Last_IO_Error', 'Last_SQL_Error');
  return { info, facts: replicationFacts(info, lastError ? [{ category: 'replication', name: 'last_error', value: lastError }] : []) };
}
