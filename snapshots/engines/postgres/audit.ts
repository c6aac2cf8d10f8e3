// The connection check's read-only audit of a PostgreSQL account: superuser,
// membership of pg_write_all_data, and INSERT/UPDATE/DELETE/TRUNCATE on any
// table of the databases it would pull; and what it cannot read there (tables
// without SELECT or schema USAGE, column grants, row security, databases it
// may not open).
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import type { UnreadableTable } from '../../../shared/model/connectCheck.ts';
import { capList, roundTripMs, type ProbeResult } from '../../check/types.ts';
import type { Network } from '../../net/network.ts';
import { PullError } from '../errors.ts';
import { clientTlsInfo, closeClient, connect, MAINTENANCE_DATABASE, SERVICE_DATABASES, type PgClient } from './connect.ts';
import { postgresReadability } from './privileges.ts';

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

/**
 * A listed database the account cannot open, as a read warning, or null when
 * the error is something else (an unreachable server stays an error).
 */
function databaseRefusal(database: string, error: unknown): string | null {
  if (!(error instanceof PullError)) return null;
  if (error.code === 'no-database') return `database "${database}" does not exist: a pull of this instance fails until "databases" in the fleet manifest is fixed`;
  if (error.code === 'no-privilege') {
    return `the account may not connect to database "${database}" (missing privilege: CONNECT; GRANT CONNECT ON DATABASE ${database} TO the pull user): a pull cannot read it`;
  }
  return null;
}

/** What the account cannot read in the connected database: whole tables, and tables read in part. */
async function databaseReadability(client: PgClient, database: string): Promise<{ notReadable: UnreadableTable[]; readWarnings: string[] }> {
  const r = await postgresReadability(client);
  return {
    notReadable: r.notReadable.map((t) => ({ database, table: t.table, reason: t.reason })),
    readWarnings: r.partial.map((t) => `${database}.${t.table}: ${t.reason}`),
  };
}

export async function probePostgres(instance: FleetInstance, password: string | undefined, network: Network): Promise<ProbeResult> {
  const named = instance.databases && instance.databases.length > 0 ? [...new Set(instance.databases)] : null;
  const readWarnings: string[] = [];
  const refused = new Set<string>();
  let first: PgClient;
  try {
    first = await connect({ instance, password, database: named?.[0] ?? MAINTENANCE_DATABASE, network });
  } catch (error) {
    // The first listed database is missing or refuses the account: the server is still audited, from its maintenance database.
    const refusal = named ? databaseRefusal(named[0]!, error) : null;
    if (!refusal) throw error;
    readWarnings.push(refusal);
    refused.add(named![0]!);
    first = await connect({ instance, password, database: MAINTENANCE_DATABASE, network });
  }
  try {
    const latencyMs = await roundTripMs(() => first.query('SELECT 1'));
    const version = (await first.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '';
    const writePrivileges = await roleWrites(first);
    let databases = named;
    if (!databases) {
      const listed = (
        await first.query<{ name: string; can_connect: boolean }>(
          `SELECT datname AS name, has_database_privilege(datname, 'CONNECT') AS can_connect
             FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1`,
        )
      ).rows;
      databases = listed.filter((d) => d.can_connect).map((d) => d.name);
      for (const d of listed) {
        if (!d.can_connect && !SERVICE_DATABASES.has(d.name)) {
          readWarnings.push(`the account may not connect to database "${d.name}" (missing privilege: CONNECT; GRANT CONNECT ON DATABASE ${d.name} TO the pull user): a pull skips it`);
        }
      }
    }
    const notReadable: UnreadableTable[] = [];
    const notes: string[] = [];
    for (const database of databases) {
      if (refused.has(database)) continue;
      let client: PgClient | null = null;
      try {
        client = database === first.database ? first : await connect({ instance, password, database, network });
        writePrivileges.push(...(await tableWrites(client, database)));
        const readability = await databaseReadability(client, database);
        notReadable.push(...readability.notReadable);
        readWarnings.push(...readability.readWarnings);
      } catch (error) {
        const refusal = databaseRefusal(database, error);
        if (refusal) readWarnings.push(refusal);
        else notes.push(`database ${database} could not be audited: ${(error as Error).message}`);
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
      notReadable,
      readWarnings: capList(readWarnings),
    };
  } finally {
    await closeClient(first);
  }
}
