// The connection check's read-only audit of a PostgreSQL account: superuser,
// membership of pg_write_all_data, and INSERT/UPDATE/DELETE/TRUNCATE on any
// table of the databases it would pull.
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import { capList, roundTripMs, type ProbeResult } from '../../check/types.ts';
import type { Network } from '../../net/network.ts';
import { clientTlsInfo, closeClient, connect, MAINTENANCE_DATABASE, type PgClient } from './connect.ts';

const TABLE_WRITES = ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'] as const;

async function roleWrites(client: PgClient): Promise<string[]> {
  const { rows } = await client.query<{ superuser: boolean; write_all: boolean | null }>(
    `SELECT r.rolsuper AS superuser,
            CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pg_write_all_data')
                 THEN pg_has_role(current_user, 'pg_write_all_data', 'MEMBER') END AS write_all
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const found: string[] = [];
  if (rows[0]?.superuser) found.push('superuser');
  if (rows[0]?.write_all) found.push('pg_write_all_data');
  return found;
}

async function tableWrites(client: PgClient, database: string): Promise<string[]> {
  const checks = TABLE_WRITES.map((p) => `CASE WHEN has_table_privilege(c.oid, '${p}') THEN '${p}' END`).join(', ');
  const { rows } = await client.query<{ name: string; privileges: string[] }>(
    `SELECT n.nspname || '.' || c.relname AS name, array_remove(ARRAY[${checks}], NULL) AS privileges
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
      ORDER BY 1`,
  );
  return rows.filter((r) => r.privileges.length > 0).map((r) => `${r.privileges.join(', ')} ON ${database}.${r.name}`);
}

export async function probePostgres(instance: FleetInstance, password: string | undefined, network: Network): Promise<ProbeResult> {
  const named = instance.databases && instance.databases.length > 0 ? [...new Set(instance.databases)] : null;
  const first = await connect({ instance, password, database: named?.[0] ?? MAINTENANCE_DATABASE, network });
  try {
    const latencyMs = await roundTripMs(() => first.query('SELECT 1'));
    const version = (await first.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '';
    const writePrivileges = await roleWrites(first);
    const databases =
      named ??
      (
        await first.query<{ name: string }>(
          `SELECT datname AS name FROM pg_database
            WHERE datallowconn AND NOT datistemplate AND has_database_privilege(datname, 'CONNECT') ORDER BY 1`,
        )
      ).rows.map((r) => r.name);
    const notes: string[] = [];
    for (const database of databases) {
      let client: PgClient | null = null;
      try {
        client = database === first.database ? first : await connect({ instance, password, database, network });
        writePrivileges.push(...(await tableWrites(client, database)));
      } catch (error) {
        notes.push(`database ${database} could not be audited: ${(error as Error).message}`);
      } finally {
        if (client && client !== first) await closeClient(client);
      }
    }
    return {
      version,
      tls: clientTlsInfo(first, instance),
      latencyMs,
      canWrite: writePrivileges.length > 0 ? true : notes.length > 0 ? null : false,
      writePrivileges: capList(writePrivileges),
      auditNote: notes.length > 0 ? notes.join('; ') : undefined,
    };
  } finally {
    await closeClient(first);
  }
}
