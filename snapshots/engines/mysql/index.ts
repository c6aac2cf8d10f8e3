// The MySQL/MariaDB adapter: one read-only, consistent transaction per instance,
// in a session whose every relevant variable the pull sets itself (session.ts).
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import type { CatalogObject, ServerFact, TableStatus } from '../../../shared/model/snapshot.ts';
import { quoteMysqlIdentifier } from '../../../shared/model/sql.ts';
import { countRowsInPlace, type EngineAdapter, type InstanceTarget, type PullOptions, type TablePullResult } from '../types.ts';
import { PullError } from '../types.ts';
import { connectionFacts } from '../../net/tls.ts';
import { usingNetwork, type Network } from '../../net/network.ts';
import { closeMysql, connectMysql, mysqlPullError, mysqlQuery, type MysqlServer } from './connect.ts';
import { introspectMysql, listDatabases, mysqlServerFacts, userDatabases, type MysqlTable } from './introspect.ts';
import { mysqlReadability, type MysqlReadability } from './privileges.ts';
import { IMPLICIT_PERIOD_COLUMNS, pullMysqlTable } from './pull.ts';
import { beginIncrement, finishIncrement, tableDone } from '../../pull/incremental.ts';
import { mysqlChangeProofs, mysqlTableReader } from './changes.ts';
import { mysqlReplication } from './replication.ts';
import { prepareMysqlSession } from './session.ts';

/** Engines whose reads are part of START TRANSACTION WITH CONSISTENT SNAPSHOT: every other one (MyISAM, Aria, MEMORY, ...) is read at its own moment. */
const SNAPSHOT_ENGINES = /^(innodb|xtradb)$/i;

/**
 * Makes the session read-only and opens one consistent snapshot. Where the server
 * refuses (old versions, proxies), it says so instead of pretending.
 */
async function beginReadOnlySnapshot(server: MysqlServer, notes: string[]): Promise<{ consistent: boolean; note: string | null }> {
  const { connection } = server;
  await mysqlQuery(connection, 'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  try {
    await mysqlQuery(connection, 'SET SESSION TRANSACTION READ ONLY');
  } catch {
    notes.push('the server refused a READ ONLY transaction; only SELECT statements are sent');
  }
  try {
    await mysqlQuery(connection, 'START TRANSACTION WITH CONSISTENT SNAPSHOT');
    return { consistent: true, note: notes.length ? notes.join('; ') : null };
  } catch (error) {
    notes.push(`no consistent snapshot (${(error as Error).message}); tables were read one after another`);
    return { consistent: false, note: notes.join('; ') };
  }
}

/** A new session prepared like the pull's, in its own consistent snapshot: for a table the first snapshot can no longer read. */
async function openSecondSession(instance: FleetInstance, options: PullOptions, network: Network): Promise<MysqlServer> {
  const server = await connectMysql(instance, options.password, network);
  try {
    const session = await prepareMysqlSession(server.connection, server.isMariadb, instance.connection!.statementTimeoutMs);
    await beginReadOnlySnapshot(server, session.notes);
    return server;
  } catch (error) {
    await closeMysql(server.connection);
    throw error;
  }
}

/** Table-level errors: the table fails alone, the instance goes on. Anything else fails the instance. */
function tableError(error: unknown): { status: TableStatus; reason: string; retry: boolean } | null {
  const e = error as { code?: string; errno?: number; sqlMessage?: string; message?: string };
  const message = String(e.sqlMessage ?? e.message ?? error).split('\n')[0];
  switch (e.code) {
    case 'ER_TABLE_DEF_CHANGED':
      return { status: 'failed', reason: `changed by a schema change during the pull (${message})`, retry: true };
    case 'ER_NO_SUCH_TABLE':
      return { status: 'failed', reason: `dropped or renamed during the pull (${message})`, retry: false };
    case 'ER_TABLEACCESS_DENIED_ERROR':
    case 'ER_COLUMNACCESS_DENIED_ERROR':
      return { status: 'not-readable', reason: `the account may not SELECT it (${message})`, retry: false };
    default:
      return null;
  }
}

/** The table as pulled: with history, every row version and (for implicit periods) ROW_START / ROW_END. */
function historyTable(table: MysqlTable): MysqlTable {
  if (!table.implicitPeriod) return table;
  const period = IMPLICIT_PERIOD_COLUMNS.map((name) => ({
    name,
    declaredType: 'timestamp(6)',
    storage: 'temporal' as const,
    nullable: false,
    primaryKeyOrdinal: null,
    defaultValue: null,
    generated: `AS ${name.replace('_', ' ')}`,
    note: 'system-versioning period column (implicit), pulled with history: true',
  }));
  return { ...table, columns: [...table.columns, ...period], dataTypes: [...table.dataTypes, 'timestamp', 'timestamp'] };
}

async function historyRows(server: MysqlServer, table: MysqlTable, currentRows: number | null): Promise<number | null> {
  const from = `${quoteMysqlIdentifier(table.database)}.${quoteMysqlIdentifier(table.name)}`;
  const count = async (sql: string) => Number((await mysqlQuery<{ n: number | string }>(server.connection, sql))[0]?.n ?? 0);
  try {
    const all = await count(`SELECT COUNT(*) AS n FROM ${from} FOR SYSTEM_TIME ALL`);
    const current = currentRows ?? (await count(`SELECT COUNT(*) AS n FROM ${from}`));
    return all - current;
  } catch {
    return null;
  }
}

function readabilityFacts(readability: MysqlReadability): ServerFact[] {
  const facts: ServerFact[] = [];
  if (readability.unknown) facts.push({ category: 'readability', name: '*', value: `unknown: ${readability.unknown}` });
  for (const [database, r] of Object.entries(readability.databases)) {
    const value = r.level === 'partial' ? `partial: table- or column-level grants only (${[...r.tables, ...Object.keys(r.columnTables)].join(', ')}); other tables are invisible to the account` : r.level;
    facts.push({ category: 'readability', name: database, value });
  }
  for (const warning of readability.warnings) facts.push({ category: 'pull_warning', name: 'readability', value: warning });
  return facts;
}

export const mysqlAdapter: EngineAdapter = {
  engine: 'mysql',
  async pullInstance(instance: FleetInstance, target: InstanceTarget, options: PullOptions): Promise<void> {
    if (!options.network) return usingNetwork(undefined, (network) => mysqlAdapter.pullInstance(instance, target, { ...options, network }));
    const network = options.network;
    const connection = instance.connection!;
    let server: MysqlServer;
    try {
      server = await connectMysql(instance, options.password, network);
    } catch (error) {
      throw mysqlPullError(instance, error);
    }
    try {
      target.setVersion(server.version);
      target.addServerFacts(connectionFacts(connection, server.tls));
      const session = await prepareMysqlSession(server.connection, server.isMariadb, connection.statementTimeoutMs).catch((error: unknown) => {
        if (!(error instanceof PullError)) throw error;
        throw new PullError(`instance "${instance.name}" (${connection.host}:${connection.port}): ${error.message}`, error.hint, error.code);
      });
      target.addServerFacts(session.facts);
      const replication = await mysqlReplication(server);
      target.setReplication(replication.info);
      target.addServerFacts(replication.facts);
      const snapshot = await beginReadOnlySnapshot(server, session.notes);
      const all = await listDatabases(server.connection);
      let databases: string[];
      if (instance.databases) {
        const missing = instance.databases.filter((d) => !all.includes(d));
        if (missing.length > 0) {
          throw new PullError(
            `instance "${instance.name}": database ${missing.join(', ')} not found`,
            `the server shows user "${connection.user ?? 'root'}": ${userDatabases(all).join(', ') || '(no user databases)'}; a database the account has no privilege on is hidden from it, so ${missing.join(', ')} may exist: grant it SELECT there, or fix "databases" in the fleet manifest`,
            'not-found',
          );
        }
        databases = instance.databases;
      } else {
        databases = userDatabases(all);
      }
      const readability = await mysqlReadability(server.connection, databases);
      target.addServerFacts(readabilityFacts(readability));
      const catalog = await introspectMysql(server.connection, databases);
      const tables = catalog.tables;
      const versioned: CatalogObject[] = tables
        .filter((t) => t.versioned)
        .map((t) => ({ database: t.database, name: t.name, kind: 'system-versioning', definition: null, details: { implicitPeriod: t.implicitPeriod, history: instance.history === true } }));
      target.addObjects([...catalog.objects, ...versioned]);
      const outside = tables.filter((t) => !SNAPSHOT_ENGINES.test(t.engineTableType ?? ''));
      let note = snapshot.note;
      const lateReads: string[] = [];
      if (snapshot.consistent && outside.length > 0) {
        const engines = [...new Set(outside.map((t) => t.engineTableType ?? 'unknown engine'))].join(', ');
        note = [note, `${outside.length} table(s) of engines outside InnoDB's snapshot (${engines}: ${outside.map((t) => `${t.database}.${t.name}`).join(', ')}) were each read at their own moment`]
          .filter(Boolean)
          .join('; ');
      }
      const consistent = snapshot.consistent && outside.length === 0;
      target.setConsistency(consistent ? 'snapshot' : 'best-effort', note);
      target.addServerFacts(await mysqlServerFacts(server.connection, databases));
      if (options.mode === 'catalog') {
        // Checked in place: the runner reads what it needs in this session; no rows are pulled.
        const counts = await (options.inPlace ?? countRowsInPlace)({
          instance,
          dialect: 'mysql',
          mariadb: server.isMariadb,
          database: null,
          tables,
          query: (sql) => mysqlQuery(server.connection, sql),
        });
        for (const table of tables) await target.recordTable(table, counts.get(table) ?? 0);
        await mysqlQuery(server.connection, 'COMMIT').catch(() => {});
        return;
      }
      // Change proofs (CHECKSUM TABLE), recorded with every full pull so the next incremental pull can carry what did not change.
      const proved = tables.filter((t) => !(instance.history === true && t.versioned));
      const proofs = options.maxRows === null && proved.length > 0 ? await mysqlChangeProofs(server.connection, proved) : new Map<unknown, never>();
      for (const listed of tables) {
        if (options.signal.aborted) throw options.signal.reason ?? new Error('pull cancelled');
        const history = instance.history === true && listed.versioned;
        const table = history ? historyTable(listed) : listed;
        const label = `${table.database}.${table.name}`;
        options.progress({ type: 'table-start', instance: instance.name, table: label, estimatedRows: table.estimatedRows });
        // Incremental pulls: carried or appended here when the base allows it; history pulls are always read.
        const reader = history ? null : mysqlTableReader(server.connection, listed, proofs.get(listed) ?? null, options, instance.name, options.base);
        const begun = reader ? await beginIncrement(target, table, reader, options, instance) : null;
        if (begun && 'result' in begun) {
          options.progress(tableDone(instance.name, label, begun.result));
          continue;
        }
        const increment = begun?.increment ?? null;
        const dbReadability = readability.databases[table.database];
        const visibleColumnsOnly = dbReadability?.level === 'partial' ? dbReadability.columnTables[table.name] : undefined;
        const read = async (from: MysqlServer, table: MysqlTable): Promise<TablePullResult> => {
          const { sink, finish, abandon } = target.beginTable(table);
          try {
            // The sink as it is (with its encoded-rows fast path): an append-only table's largest key comes from the server (changes.ts).
            const result = await pullMysqlTable(from.connection, table, table.dataTypes, sink, options, instance.name, history);
            const status: Partial<TablePullResult> = {};
            if (visibleColumnsOnly) {
              status.status = 'partial';
              status.statusReason = `the account may SELECT only columns ${visibleColumnsOnly.join(', ')} of it (column-level grant); its other columns are invisible to it and not stored`;
            }
            if (listed.versioned) {
              status.historyRows = await historyRows(from, listed, history || result.limited ? null : result.rows);
              if (!history && (status.historyRows ?? 0) > 0 && !status.status) {
                status.statusReason = `system-versioned: the current rows; ${status.historyRows} historical row version(s) stay on the server (history: true pulls them)`;
              }
            }
            const done = { ...result, ...status, ...(increment?.note ? { originNote: increment.note } : {}) };
            await finish(done);
            return done;
          } catch (error) {
            await abandon();
            throw error;
          }
        };
        let result: TablePullResult;
        try {
          result = await read(server, table);
          // The proof was read in this snapshot: it stands for these rows.
          if (reader && increment) await finishIncrement(target, table, reader, increment, result);
        } catch (error) {
          if (options.signal.aborted) throw error;
          const problem = tableError(error);
          if (!problem) throw error;
          let retried: TablePullResult | null = null;
          let reason = problem.reason;
          if (problem.retry) {
            // A table rebuilt by an online schema change (pt-osc, gh-ost, ALTER ... ALGORITHM=COPY) after the
            // snapshot began cannot be read in it: read it once more in a snapshot of its own.
            let second: MysqlServer | null = null;
            try {
              second = await openSecondSession(instance, options, network);
              // Its definition as it is now (the rebuild may have added or changed columns).
              const now = (await introspectMysql(second.connection, [listed.database])).tables.find((t) => t.name === listed.name);
              if (!now) throw new Error(`${label} no longer exists`);
              retried = await read(second, history && now.versioned ? historyTable(now) : now);
              lateReads.push(label);
            } catch (again) {
              if (options.signal.aborted) throw again;
              reason = `${problem.reason}; read again in a new snapshot, which failed too: ${String((again as { sqlMessage?: string }).sqlMessage ?? (again as Error).message).split('\n')[0]}`;
            } finally {
              if (second) await closeMysql(second.connection);
            }
          }
          if (retried) {
            result = retried;
          } else {
            const { finish } = target.beginTable(table);
            result = { rows: 0, limited: false, status: problem.status, statusReason: reason };
            await finish(result);
          }
        }
        options.progress(tableDone(instance.name, label, result));
      }
      if (lateReads.length > 0) {
        target.setConsistency(
          'best-effort',
          [note, `${lateReads.join(', ')} changed by a schema change during the pull and read again in a later snapshot of its own`].filter(Boolean).join('; '),
        );
      }
      await mysqlQuery(server.connection, 'COMMIT').catch(() => {});
    } catch (error) {
      if (options.signal.aborted) throw error;
      throw mysqlPullError(instance, error);
    } finally {
      await closeMysql(server.connection);
    }
  },
};
