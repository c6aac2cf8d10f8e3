// Opens one read-only session on a MySQL/MariaDB server.
import mysql from 'mysql2';
import { readFileSync } from 'node:fs';
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import { PullError } from '../types.ts';

export type MysqlConnection = mysql.Connection;

export interface MysqlServer {
  connection: MysqlConnection;
  isMariadb: boolean;
  version: string;
}

export function mysqlQuery<T = unknown>(connection: MysqlConnection, sql: string, values?: unknown[]): Promise<T[]> {
  return new Promise((resolve, reject) => {
    connection.query({ sql, values }, (error, rows) => (error ? reject(error) : resolve(rows as T[])));
  });
}

/** Translates a driver error into what the user should do, never echoing the password. */
export function mysqlPullError(instance: FleetInstance, error: unknown, database?: string): PullError {
  if (error instanceof PullError) return error;
  const e = error as { code?: string; message?: string; sqlMessage?: string };
  const where = `instance "${instance.name}" (${instance.connection?.host}:${instance.connection?.port}${database ? `, database ${database}` : ''})`;
  const message = (e.sqlMessage ?? e.message ?? String(error)).split('\n')[0]!;
  switch (e.code) {
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return new PullError(`${where}: access denied for user "${instance.connection?.user ?? ''}"`, `check the user and the password in the variable named by password_env${instance.connection?.passwordEnv ? ` (${instance.connection.passwordEnv})` : ''}`, 'auth-failed');
    case 'ECONNREFUSED':
      return new PullError(`${where}: connection refused`, 'is the server running and the host and port right?', 'connect-failed');
    case 'ETIMEDOUT':
    case 'PROTOCOL_SEQUENCE_TIMEOUT':
      return new PullError(`${where}: connection timed out`, 'check the network path or bastion; raise connect_timeout_ms if the server is slow to answer', 'timeout');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new PullError(`${where}: host not found`, 'check the host name in the fleet manifest', 'connect-failed');
    case 'ER_QUERY_TIMEOUT':
    case 'ER_STATEMENT_TIMEOUT':
      return new PullError(`${where}: statement timed out: ${message}`, 'raise statement_timeout_ms for this instance, or pull fewer rows with --max-rows', 'timeout');
    case 'ER_BAD_DB_ERROR':
      return new PullError(`${where}: ${message}`, 'check the databases listed for this instance', 'not-found');
    default:
      return new PullError(`${where}: ${message}`, null);
  }
}

export async function connectMysql(instance: FleetInstance, password: string | undefined): Promise<MysqlServer> {
  const c = instance.connection!;
  const connection = mysql.createConnection({
    host: c.host,
    port: c.port,
    user: c.user ?? 'root',
    password,
    connectTimeout: c.connectTimeoutMs,
    charset: 'UTF8MB4_GENERAL_CI',
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    jsonStrings: true,
    decimalNumbers: false,
    multipleStatements: false,
    ssl: c.tls
      ? { ca: c.tls.caFile ? readFileSync(c.tls.caFile, 'utf8') : undefined, rejectUnauthorized: c.tls.rejectUnauthorized }
      : undefined,
  });
  // An error after the handshake (server gone) must not crash the process: the pending query rejects.
  connection.on('error', () => {});
  await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
  const [row] = await mysqlQuery<{ version: string; comment: string }>(connection, 'SELECT VERSION() AS version, @@version_comment AS comment');
  const version = String(row?.version ?? '');
  const isMariadb = /mariadb/i.test(version) || /mariadb/i.test(String(row?.comment ?? ''));
  return { connection, isMariadb, version };
}

export function closeMysql(connection: MysqlConnection): Promise<void> {
  return new Promise((resolve) => {
    connection.end(() => resolve());
    // end() waits for the server; destroy() if that takes too long.
    setTimeout(() => {
      connection.destroy();
      resolve();
    }, 2000).unref();
  });
}
