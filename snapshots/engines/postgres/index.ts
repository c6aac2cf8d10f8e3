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
import { countRowsInPlace, type EngineAdapter, type InstanceTarget, type PullOptions, type TablePullResult, type TableSink } from '../types.ts';
import { quotePostgresIdentifier } from '../../../shared/model/sql.ts';
import { PullError } from '../types.ts';
import { connectionFacts } from '../../net/tls.ts';
import { usingNetwork, type Network } from '../../net/network.ts';
import { abortError, clientTlsInfo, closeClient, connect, destroyClient, MAINTENANCE_DATABASE, redact, requireConnection, SERVICE_DATABASES, type PgClient } from './connect.ts';
import { databaseFacts, extensionFacts, extensions, postgresReplication, serverFacts } from './facts.ts';
import { introspectDatabase, type PgTable } from './introspect.ts';
import { copyTable } from './pull.ts';
import { beginIncrement, finishIncrement, tableDone, trackKeys } from '../../pull/incremental.ts';
import { postgresChangeProofs, postgresTableReader } from './changes.ts';

export { columnTypeFor } from './types.ts';
export { CopyTextParser } from './copyText.ts';

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
  else if (e.code === '42501') hint = /schema/i.test(message) ? 'grant the user USAGE on that schema, or leave the database out of databases:' : 'grant the user SELECT on it (e.g. the pg_read_all_data role), or leave the database out of databases:';
  else if (e.code === '40001') hint = 'a serialization failure on a read-only snapshot is rare; retry the pull';
  else if (e.code === '57P01' || e.code === '57P02' || e.code === '57P03') hint = 'the server shut down or terminated the session; retry when it is back';
  else if (/Connection terminated|ECONNRESET|EPIPE/i.test(message)) hint = 'the connection dropped during the pull; check network/bastion stability and retry';
  else if (e.code === '25006') hint = 'the adapter attempted a write in a read-only transaction; this is a bug, please report it';
  return new PullError(`instance "${instance.name}": ${where}: ${message}`, hint, e.code === '57014' ? 'statement-timeout' : 'read-failed');
}

/** Seconds to wait for the ACCESS SHARE locks before reading a table unlocked (and saying so). */
const LOCK_TIMEOUT_MS = 10_000;

/** BEGIN the pull's transaction with the output formats pinned. */
async function beginSnapshot(client: PgClient, statementTimeoutMs: number): Promise<void> {
  // Output formats are pinned so values are printed the same whatever the server's defaults:
  // UTC timestamps, ISO dates, shortest-exact floats, hex bytea, PostgreSQL-style intervals.
  // row_security=off makes a query that row-level security would filter fail instead of silently
  // losing rows; tables under row-level security are read with it on, and marked partial.
  await client.query(
    `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
     SET LOCAL statement_timeout = ${Math.max(0, Math.floor(statementTimeoutMs))};
     SET LOCAL lock_timeout = ${LOCK_TIMEOUT_MS};
     SET LOCAL TimeZone = 'UTC';
     SET LOCAL DateStyle = 'ISO, YMD';
     SET LOCAL IntervalStyle = 'postgres';
     SET LOCAL extra_float_digits = 3;
     SET LOCAL bytea_output = 'hex';
     SET LOCAL row_security = off`,
  );
}

/**
 * Takes ACCESS SHARE locks on the tables, all at once, else one by one (each in
 * a savepoint, so a lock that times out does not end the transaction). Returns
 * the tables that could not be locked.
 */
async function lockTables(client: PgClient, tables: PgTable[]): Promise<Set<number>> {
  const unlocked = new Set<number>();
  if (tables.length === 0) return unlocked;
  const q = (t: PgTable) => `${quotePostgresIdentifier(t.info.schema!)}.${quotePostgresIdentifier(t.info.name)}`;
  await client.query('SAVEPOINT snapbench_locks');
  try {
    await client.query(`LOCK TABLE ${tables.map(q).join(', ')} IN ACCESS SHARE MODE`);
    await client.query('RELEASE SAVEPOINT snapbench_locks');
    return unlocked;
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT snapbench_locks');
  }
  for (const t of tables) {
    try {
      await client.query(`LOCK TABLE ${q(t)} IN ACCESS SHARE MODE`);
      await client.query('RELEASE SAVEPOINT snapbench_locks');
    } catch {
      await client.query('ROLLBACK TO SAVEPOINT snapbench_locks');
      unlocked.add(t.oid);
    }
    await client.query('SAVEPOINT snapbench_locks');
  }
  await client.query('RELEASE SAVEPOINT snapbench_locks');
  return unlocked;
}

/**
 * Tables whose file node changed after the snapshot began: pg_class read in the
 * snapshot has the old node, pg_relation_filenode() the current one. A COPY in
 * the snapshot would read the new, empty-to-it file: they must be read anew.
 */
async function rewrittenSinceSnapshot(client: PgClient, tables: PgTable[]): Promise<Set<number>> {
  if (tables.length === 0) return new Set();
  const { rows } = await client.query<{ oid: number; now: string | null }>(`SELECT c.oid, pg_relation_filenode(c.oid)::text AS now FROM pg_class c WHERE c.oid = ANY($1::oid[])`, [
    tables.map((t) => t.oid),
  ]);
  const byOid = new Map(tables.map((t) => [t.oid, t]));
  // Partitioned roots have no storage of their own (file node 0): a rewritten partition is not detected here.
  return new Set(rows.filter((r) => r.now !== null && byOid.get(r.oid)!.filenode !== 0 && Number(r.now) !== byOid.get(r.oid)!.filenode).map((r) => r.oid));
}

/** Reads one table in a snapshot of its own, on a second connection. */
async function readInOwnSnapshot(
  instance: FleetInstance,
  options: PullOptions,
  database: string,
  table: PgTable,
  sink: TableSink,
  strictUtf8: boolean,
  label: string,
): Promise<TablePullResult> {
  const client = await connect({ instance, password: options.password, database, network: options.network! }, options.signal);
  try {
    await beginSnapshot(client, requireConnection(instance).statementTimeoutMs);
    if (table.relkind !== 'm') await client.query(`LOCK TABLE ${quotePostgresIdentifier(table.info.schema!)}.${quotePostgresIdentifier(table.info.name)} IN ACCESS SHARE MODE`);
    if (table.rowSecurity) await client.query('SET LOCAL row_security = on');
    const result = await copyTable(client, table, sink, options, { instance: instance.name, label, strictUtf8 });
    await client.query('COMMIT');
    return result;
  } finally {
    await closeClient(client);
  }
}

async function pullDatabase(
  client: PgClient,
  database: string,
  serverVersionNum: number,
  instance: FleetInstance,
  target: InstanceTarget,
  options: PullOptions,
  extensionsByDatabase: Map<string, Map<string, string>>,
  lateReadNotes: string[],
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
    await beginSnapshot(client, connection.statementTimeoutMs);
    const dbFacts = await databaseFacts(client, database);
    extensionsByDatabase.set(database, await extensions(client));
    const catalog = await introspectDatabase(client, database, serverVersionNum);
    target.addServerFacts([...dbFacts.facts, ...catalog.facts]);
    target.addObjects(catalog.objects);
    const strictUtf8 = dbFacts.encoding === 'SQL_ASCII';
    if (options.mode === 'catalog') {
      // Checked in place: the runner reads what it needs in this transaction; no rows are pulled.
      where = `database "${database}", checks in place`;
      const infos = catalog.tables.filter((t) => t.access.level === 'full' && !t.rowSecurity && t.relkind !== 'm').map((t) => t.info);
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
    // Like pg_dump: ACCESS SHARE locks on every table to be read, so a TRUNCATE or rewrite (not MVCC-safe)
    // waits for the pull instead of emptying a table under its snapshot; then any table rewritten
    // between the snapshot and the locks (a new file node) is read again in a snapshot of its own.
    const readable = catalog.tables.filter((t) => t.access.level !== 'none' && t.populated);
    where = `database "${database}", locking the tables to read`;
    // LOCK TABLE does not take materialized views; a REFRESH of one is caught by its file node below.
    const unlocked = await lockTables(client, readable.filter((t) => t.relkind !== 'm'));
    const rewritten = await rewrittenSinceSnapshot(client, readable);
    const lateReads: string[] = [];
    // Change proofs (file node and row counters), recorded with every full pull so the next incremental pull can carry what did not change.
    const proofs = options.maxRows === null ? await postgresChangeProofs(client) : new Map();
    for (const table of catalog.tables) {
      if (signal.aborted) throw abortError(signal);
      const name = `${table.info.schema}.${table.info.name}`;
      const label = `${database}.${name}`;
      where = `database "${database}", table ${name}`;
      options.progress({ type: 'table-start', instance: instance.name, table: label, estimatedRows: table.info.estimatedRows });
      // Incremental pulls: a plain table read whole in this snapshot may be carried or appended.
      const plain = table.relkind === 'r' && table.access.level === 'full' && !table.rowSecurity && !rewritten.has(table.oid);
      const reader = plain ? postgresTableReader(client, table, proofs.get(table.oid) ?? null, options, { instance: instance.name, label, strictUtf8 }, options.base) : null;
      const begun = reader ? await beginIncrement(target, table.info, reader, options, instance) : null;
      if (begun && 'result' in begun) {
        options.progress(tableDone(instance.name, label, begun.result));
        continue;
      }
      const increment = begun?.increment ?? null;
      const begin = target.beginTable(table.info);
      const { finish, abandon } = begin;
      const sink = increment ? trackKeys(begin.sink, increment) : begin.sink;
      let result: TablePullResult;
      try {
        if (table.access.level === 'none') {
          result = { rows: 0, limited: false, status: 'not-readable', statusReason: table.access.reason };
        } else if (!table.populated) {
          result = { rows: 0, limited: false, status: 'skipped', statusReason: 'materialized view not populated (created WITH NO DATA); REFRESH MATERIALIZED VIEW fills it' };
        } else if (rewritten.has(table.oid)) {
          result = await readInOwnSnapshot(instance, options, database, table, sink, strictUtf8, label);
          lateReads.push(label);
        } else {
          // Row-level security: read the rows this account sees (row_security = on for this COPY only) and say so.
          if (table.rowSecurity) await client.query('SET LOCAL row_security = on');
          result = await copyTable(client, table, sink, options, { instance: instance.name, label, strictUtf8 });
          if (table.rowSecurity) await client.query('SET LOCAL row_security = off');
        }
        const reasons: string[] = [];
        if (table.access.level === 'columns') reasons.push(table.access.reason);
        if (table.rowSecurity && result.status === undefined) {
          const estimate = table.info.estimatedRows === null ? 'an unknown number (never analysed)' : `about ${table.info.estimatedRows}`;
          reasons.push(`row-level security: the account sees ${result.rows} row(s); the table holds ${estimate} by the server's estimate`);
        }
        if (unlocked.has(table.oid)) reasons.push('not locked against TRUNCATE during the pull (lock_timeout)');
        if (reasons.length > 0 && result.status === undefined) {
          const partial = table.access.level === 'columns' || table.rowSecurity;
          result = { ...result, ...(partial ? { status: 'partial' as const } : {}), statusReason: reasons.join('; ') };
        }
        if (increment?.note) result = { ...result, originNote: increment.note };
        await finish(result);
        if (reader && increment) await finishIncrement(target, table.info, reader, increment, result);
      } catch (error) {
        await abandon();
        throw error;
      }
      options.progress(tableDone(instance.name, label, result));
    }
    if (lateReads.length > 0) {
      target.addServerFacts([{ category: 'consistency', name: `${database}.read_in_own_snapshot`, value: lateReads.join(', ') }]);
      lateReadNotes.push(`${lateReads.join(', ')} rewritten (TRUNCATE, VACUUM FULL, CLUSTER, ALTER ... TYPE or REFRESH) after the snapshot began, so read again in a later snapshot of its own`);
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
      const replication = await postgresReplication(first).catch(() => null);
      if (replication) {
        target.setReplication(replication.info);
        target.addServerFacts(replication.facts);
      }
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
      const consistencyNote =
        databases.length > 1
          ? `each database (${databases.join(', ')}) was read in its own REPEATABLE READ READ ONLY transaction: every database is a consistent snapshot, but PostgreSQL has no snapshot across databases, so they are not from the same instant`
          : databases.length === 0
            ? 'no databases to pull'
            : null;
      target.setConsistency('snapshot', consistencyNote);
      const lateReadNotes: string[] = [];

      const extensionsByDatabase = new Map<string, Map<string, string>>();
      for (const database of databases) {
        if (signal.aborted) throw abortError(signal);
        if (database === firstDatabase && firstOpen) {
          await pullDatabase(first, database, server.versionNum, instance, target, options, extensionsByDatabase, lateReadNotes);
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
          await pullDatabase(client, database, server.versionNum, instance, target, options, extensionsByDatabase, lateReadNotes);
        } finally {
          await closeClient(client);
        }
      }
      target.addServerFacts(extensionFacts(extensionsByDatabase));
      if (lateReadNotes.length > 0) target.setConsistency('best-effort', [consistencyNote, ...lateReadNotes].filter(Boolean).join('; '));
    } finally {
      if (firstOpen) await closeClient(first);
    }
  },
};
