// The PostgreSQL adapter. Each database is read on its own connection inside one
// REPEATABLE READ READ ONLY transaction: the catalog and every table of that
// database come from the same snapshot. PostgreSQL has no snapshot that spans
// databases, so with several databases each is its own snapshot (the
// consistency note says so).
//
// Statements sent, in order: the instance-wide facts queries (SELECTs, on the
// first connection, before any transaction), then per database `BEGIN ...
// READ ONLY` with SET LOCALs, catalog SELECTs, one `COPY (SELECT ...) TO STDOUT`
// per table, COMMIT. Nothing writes; a READ ONLY transaction would refuse it anyway.
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import { countRowsInPlace, type EngineAdapter, type InstanceTarget, type PullOptions } from '../types.ts';
import { PullError } from '../types.ts';
import { connectionFacts } from '../../net/tls.ts';
import { usingNetwork, type Network } from '../../net/network.ts';
import { abortError, clientTlsInfo, closeClient, connect, destroyClient, MAINTENANCE_DATABASE, redact, requireConnection, type PgClient } from './connect.ts';
import { databaseFacts, extensionFacts, extensions, serverFacts } from './facts.ts';
import { introspectDatabase } from './introspect.ts';
import { copyTable } from './pull.ts';

export { columnTypeFor } from './types.ts';
export { CopyTextParser } from './copyText.ts';

/** Databases never pulled unless the manifest names them: templates are excluded by datistemplate; these are service/maintenance databases. */
const SERVICE_DATABASES = new Set([MAINTENANCE_DATABASE, 'rdsadmin', 'azure_maintenance', 'azure_sys', 'cloudsqladmin', 'template0', 'template1']);

interface DatabaseRow {
  name: string;
  can_connect: boolean;
}

async function listDatabases(client: PgClient): Promise<DatabaseRow[]> {
  return (
    await client.query<DatabaseRow>(
      `SELECT datname AS name, has_database_privilege(datname, 'CONNECT') AS can_connect
       FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname`,
    )
  ).rows;
}

/** For a "database does not exist" hint: what does exist, read over a separate connection (null when that fails too). */
async function existingDatabases(instance: FleetInstance, password: string | undefined, signal: AbortSignal, network: Network): Promise<string[] | null> {
  for (const database of [MAINTENANCE_DATABASE, 'template1']) {
    let client: PgClient | null = null;
    try {
      client = await connect({ instance, password, database, network }, signal);
      return (await listDatabases(client)).map((d) => d.name);
    } catch {
      // try the next one
    } finally {
      if (client) await closeClient(client);
    }
  }
  return null;
}

function withDatabaseList(error: PullError, databases: string[] | null): PullError {
  const list = databases === null ? 'could not list the databases that exist' : `the server has: ${databases.join(', ') || '(none)'}`;
  return new PullError(error.message, `${list}; fix "databases" in the fleet manifest`, error.code);
}

function statementTimeoutHint(instance: FleetInstance): string {
  return `a statement ran longer than statement_timeout_ms (now ${instance.connection!.statementTimeoutMs}); raise it in the manifest, or pull with --max-rows`;
}

/** Wraps an error raised while reading a database (not connecting) with where it happened and what to do. */
function readError(error: unknown, instance: FleetInstance, password: string | undefined, where: string): PullError {
  if (error instanceof PullError) return error;
  const e = (error ?? {}) as { code?: string; message?: string };
  const message = redact(String(e.message ?? error), password);
  let hint: string | null = null;
  if (e.code === '57014') hint = statementTimeoutHint(instance);
  else if (e.code === '42501') hint = 'grant the user SELECT on it (e.g. the pg_read_all_data role), or leave the database out of databases:';
  else if (e.code === '40001') hint = 'a serialization failure on a read-only snapshot is rare; retry the pull';
  else if (e.code === '57P01' || e.code === '57P02' || e.code === '57P03') hint = 'the server shut down or terminated the session; retry when it is back';
  else if (/Connection terminated|ECONNRESET|EPIPE/i.test(message)) hint = 'the connection dropped during the pull; check network/bastion stability and retry';
  else if (e.code === '25006') hint = 'the adapter attempted a write in a read-only transaction; this is a bug, please report it';
  return new PullError(`instance "${instance.name}": ${where}: ${message}`, hint, e.code === '57014' ? 'statement-timeout' : 'read-failed');
}

async function pullDatabase(
  client: PgClient,
  database: string,
  serverVersionNum: number,
  instance: FleetInstance,
  target: InstanceTarget,
  options: PullOptions,
  extensionsByDatabase: Map<string, Map<string, string>>,
): Promise<void> {
  const { signal } = options;
  const connection = requireConnection(instance);
  const onAbort = () => destroyClient(client);
  signal.addEventListener('abort', onAbort, { once: true });
  let where = `database "${database}"`;
  try {
    if (signal.aborted) throw abortError(signal);
    // Output formats are pinned so values are printed the same whatever the server's defaults:
    // UTC timestamps, ISO dates, shortest-exact floats, hex bytea, PostgreSQL-style intervals.
    // row_security=off makes a query that row-level security would filter fail instead of silently losing rows.
    await client.query(
      `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
       SET LOCAL statement_timeout = ${Math.max(0, Math.floor(connection.statementTimeoutMs))};
       SET LOCAL TimeZone = 'UTC';
       SET LOCAL DateStyle = 'ISO, YMD';
       SET LOCAL IntervalStyle = 'postgres';
       SET LOCAL extra_float_digits = 3;
       SET LOCAL bytea_output = 'hex';
       SET LOCAL row_security = off`,
    );
    const dbFacts = await databaseFacts(client, database);
    extensionsByDatabase.set(database, await extensions(client));
    const catalog = await introspectDatabase(client, database, serverVersionNum);
    target.addServerFacts([...dbFacts.facts, ...catalog.facts]);
    const strictUtf8 = dbFacts.encoding === 'SQL_ASCII';
    if (options.mode === 'catalog') {
      // Checked in place: the runner reads what it needs in this transaction; no rows are pulled.
      where = `database "${database}", checks in place`;
      const infos = catalog.tables.map((t) => t.info);
      const counts = await (options.inPlace ?? countRowsInPlace)({
        instance,
        dialect: 'postgres',
        mariadb: false,
        database,
        tables: infos,
        query: async (sql) => (await client.query(sql)).rows,
      });
      for (const info of infos) await target.recordTable(info, counts.get(info) ?? 0);
      await client.query('COMMIT');
      return;
    }
    for (const table of catalog.tables) {
      if (signal.aborted) throw abortError(signal);
      const label = `${database}.${table.info.schema}.${table.info.name}`;
      where = `database "${database}", table ${table.info.schema}.${table.info.name}`;
      options.progress({ type: 'table-start', instance: instance.name, table: label, estimatedRows: table.info.estimatedRows });
      const { sink, finish, abandon } = target.beginTable(table.info);
      let result;
      try {
        result = await copyTable(client, table, sink, options, { instance: instance.name, label, strictUtf8 });
        await finish(result);
      } catch (error) {
        await abandon();
        throw error;
      }
      options.progress({ type: 'table-done', instance: instance.name, table: label, rows: result.rows, limited: result.limited });
    }
    where = `database "${database}"`;
    await client.query('COMMIT');
  } catch (error) {
    if (signal.aborted) throw abortError(signal);
    throw readError(error, instance, options.password, where);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

export const postgresAdapter: EngineAdapter = {
  engine: 'postgres',
  async pullInstance(instance: FleetInstance, target: InstanceTarget, options: PullOptions): Promise<void> {
    if (!options.network) return usingNetwork(undefined, (network) => postgresAdapter.pullInstance(instance, target, { ...options, network }));
    const network = options.network;
    requireConnection(instance);
    const { signal, password } = options;
    const explicit = instance.databases && instance.databases.length > 0 ? [...new Set(instance.databases)] : null;

    // The first connection: the first named database, else the maintenance database.
    const firstDatabase = explicit ? explicit[0]! : MAINTENANCE_DATABASE;
    let first: PgClient;
    let connectedTo = firstDatabase;
    try {
      first = await connect({ instance, password, database: firstDatabase, network }, signal);
    } catch (error) {
      if (signal.aborted) throw abortError(signal);
      const missing = error instanceof PullError && error.code === 'no-database';
      if (missing && explicit) throw withDatabaseList(error as PullError, await existingDatabases(instance, password, signal, network));
      if (!explicit && error instanceof PullError && (error.code === 'no-database' || error.code === 'no-privilege')) {
        // No usable "postgres" database on this server: template1 lists the others just as well.
        try {
          first = await connect({ instance, password, database: 'template1', network }, signal);
          connectedTo = 'template1';
        } catch {
          throw error;
        }
      } else {
        throw error;
      }
    }

    let firstOpen = true;
    try {
      let server;
      let all: DatabaseRow[];
      try {
        server = await serverFacts(first);
        all = await listDatabases(first);
      } catch (error) {
        if (signal.aborted) throw abortError(signal);
        throw readError(error, instance, password, 'reading server facts');
      }
      target.setVersion(server.version);
      target.addServerFacts(server.facts);
      target.addServerFacts(connectionFacts(requireConnection(instance), clientTlsInfo(first, instance)));

      let databases: string[];
      if (explicit) {
        const names = new Set(all.map((d) => d.name));
        const missing = explicit.filter((d) => !names.has(d));
        if (missing.length > 0) {
          throw new PullError(
            `instance "${instance.name}": database ${missing.map((d) => `"${d}"`).join(', ')} does not exist (or does not allow connections)`,
            `the server has: ${all.map((d) => d.name).join(', ') || '(none)'}; fix "databases" in the fleet manifest`,
            'no-database',
          );
        }
        databases = explicit;
      } else {
        // The maintenance database is usually empty, but when someone keeps tables there they are pulled too.
        const maintenanceHasTables =
          connectedTo === MAINTENANCE_DATABASE &&
          (
            await first.query<{ found: boolean }>(
              `SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                   AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%') AS found`,
            )
          ).rows[0]!.found;
        const candidates = all.filter((d) => !SERVICE_DATABASES.has(d.name) || (d.name === MAINTENANCE_DATABASE && maintenanceHasTables));
        const refused = candidates.filter((d) => !d.can_connect);
        if (refused.length > 0) {
          target.addServerFacts(
            refused.map((d) => ({ category: 'skipped_database', name: d.name, value: 'the user lacks CONNECT privilege on it' })),
          );
        }
        databases = candidates.filter((d) => d.can_connect).map((d) => d.name);
      }
      target.addServerFacts([{ category: 'server', name: 'databases_pulled', value: databases.join(', ') }]);
      target.setConsistency(
        'snapshot',
        databases.length > 1
          ? `each database (${databases.join(', ')}) was read in its own REPEATABLE READ READ ONLY transaction: every database is a consistent snapshot, but PostgreSQL has no snapshot across databases, so they are not from the same instant`
          : databases.length === 0
            ? 'no databases to pull'
            : null,
      );

      const extensionsByDatabase = new Map<string, Map<string, string>>();
      for (const database of databases) {
        if (signal.aborted) throw abortError(signal);
        if (database === firstDatabase && firstOpen) {
          await pullDatabase(first, database, server.versionNum, instance, target, options, extensionsByDatabase);
          continue;
        }
        if (firstOpen) {
          // Not needed any more; do not hold an idle connection while other databases are read.
          firstOpen = false;
          await closeClient(first);
        }
        let client: PgClient;
        try {
          client = await connect({ instance, password, database, network }, signal);
        } catch (error) {
          if (error instanceof PullError && error.code === 'no-database') {
            throw withDatabaseList(error, await existingDatabases(instance, password, signal, network));
          }
          throw error;
        }
        try {
          await pullDatabase(client, database, server.versionNum, instance, target, options, extensionsByDatabase);
        } finally {
          await closeClient(client);
        }
      }
      target.addServerFacts(extensionFacts(extensionsByDatabase));
    } finally {
      if (firstOpen) await closeClient(first);
    }
  },
};
