// The MySQL/MariaDB adapter: one read-only, consistent transaction per instance.
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import { countRowsInPlace, type EngineAdapter, type InstanceTarget, type PullOptions } from '../types.ts';
import { PullError } from '../types.ts';
import { connectionFacts } from '../../net/tls.ts';
import { usingNetwork } from '../../net/network.ts';
import { closeMysql, connectMysql, mysqlPullError, mysqlQuery, type MysqlServer } from './connect.ts';
import { introspectMysql, listDatabases, mysqlServerFacts, userDatabases } from './introspect.ts';
import { pullMysqlTable } from './pull.ts';

/**
 * Makes the session read-only and opens one consistent snapshot. Where the server
 * refuses (old versions, proxies), it says so instead of pretending.
 */
async function beginReadOnlySnapshot(server: MysqlServer, statementTimeoutMs: number): Promise<{ consistent: boolean; note: string | null }> {
  const { connection, isMariadb } = server;
  const notes: string[] = [];
  await mysqlQuery(connection, "SET time_zone = '+00:00'");
  // A slow consumer must not make the server drop a streaming result.
  await mysqlQuery(connection, 'SET SESSION net_write_timeout = 600').catch(() => notes.push('net_write_timeout not settable'));
  const guard = isMariadb
    ? `SET SESSION max_statement_time = ${Math.ceil(statementTimeoutMs / 1000)}`
    : `SET SESSION max_execution_time = ${Math.ceil(statementTimeoutMs)}`;
  await mysqlQuery(connection, guard).catch(() => notes.push('statement time guard not available on this server'));
  await mysqlQuery(connection, 'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  let readOnly = true;
  try {
    await mysqlQuery(connection, 'SET SESSION TRANSACTION READ ONLY');
  } catch {
    readOnly = false;
    notes.push('the server refused a READ ONLY transaction; only SELECT statements are sent');
  }
  try {
    await mysqlQuery(connection, 'START TRANSACTION WITH CONSISTENT SNAPSHOT');
    return { consistent: true, note: notes.length ? notes.join('; ') : readOnly ? null : notes.join('; ') };
  } catch (error) {
    notes.push(`no consistent snapshot (${(error as Error).message}); tables were read one after another`);
    return { consistent: false, note: notes.join('; ') };
  }
}

export const mysqlAdapter: EngineAdapter = {
  engine: 'mysql',
  async pullInstance(instance: FleetInstance, target: InstanceTarget, options: PullOptions): Promise<void> {
    if (!options.network) return usingNetwork(undefined, (network) => mysqlAdapter.pullInstance(instance, target, { ...options, network }));
    const connection = instance.connection!;
    let server: MysqlServer;
    try {
      server = await connectMysql(instance, options.password, options.network);
    } catch (error) {
      throw mysqlPullError(instance, error);
    }
    try {
      target.setVersion(server.version);
      target.addServerFacts(connectionFacts(connection, server.tls));
      const snapshot = await beginReadOnlySnapshot(server, connection.statementTimeoutMs);
      const all = await listDatabases(server.connection);
      let databases: string[];
      if (instance.databases) {
        const missing = instance.databases.filter((d) => !all.includes(d));
        if (missing.length > 0) {
          throw new PullError(
            `instance "${instance.name}": database ${missing.join(', ')} not found`,
            `the server has: ${userDatabases(all).join(', ') || '(no user databases)'}; fix "databases" in the fleet manifest`,
            'not-found',
          );
        }
        databases = instance.databases;
      } else {
        databases = userDatabases(all);
      }
      const tables = await introspectMysql(server.connection, databases);
      const nonTransactional = tables.filter((t) => t.engineTableType && !/innodb|xtradb|rocksdb|tokudb|aria/i.test(t.engineTableType));
      let note = snapshot.note;
      if (snapshot.consistent && nonTransactional.length > 0) {
        note = [note, `${nonTransactional.length} non-transactional table(s) (${[...new Set(nonTransactional.map((t) => t.engineTableType))].join(', ')}) are outside the snapshot`]
          .filter(Boolean)
          .join('; ');
      }
      target.setConsistency(snapshot.consistent && nonTransactional.length === 0 ? 'snapshot' : 'best-effort', note);
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
      for (const table of tables) {
        if (options.signal.aborted) throw options.signal.reason ?? new Error('pull cancelled');
        const label = `${table.database}.${table.name}`;
        options.progress({ type: 'table-start', instance: instance.name, table: label, estimatedRows: table.estimatedRows });
        const { sink, finish, abandon } = target.beginTable(table);
        try {
          const result = await pullMysqlTable(server.connection, table, table.dataTypes, sink, options, instance.name);
          await finish(result);
          options.progress({ type: 'table-done', instance: instance.name, table: label, rows: result.rows, limited: result.limited });
        } catch (error) {
          await abandon();
          throw error;
        }
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
