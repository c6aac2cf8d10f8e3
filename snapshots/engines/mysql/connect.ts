// Opens one read-only session on a MySQL/MariaDB server.
import mysql from 'mysql2';
import net, { isIP } from 'node:net';
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import type { Network } from '../../net/network.ts';
import { describeTlsError, expectedServerName, nodeTlsOptions, tlsInfoOf, tlsRequiredHint, type TlsInfo } from '../../net/tls.ts';
import { PullError } from '../types.ts';

export type MysqlConnection = mysql.Connection;

/** The handshake capability flag of a server that can switch to TLS. */
const CLIENT_SSL = 0x800;

/**
 * Reads the server's greeting as it passes (the driver reads it too) for one
 * fact: whether the server offers TLS. Greeting: 4-byte header, protocol version,
 * NUL-terminated version text, thread id (4), scramble (8), filler, capabilities (2).
 */
function serverOffersTls(stream: NodeJS.ReadableStream): { value: boolean } {
  const result = { value: false };
  stream.once('data', (chunk: Buffer) => {
    const end = chunk.indexOf(0, 5);
    if (end > 0 && chunk.length >= end + 1 + 4 + 8 + 1 + 2) result.value = (chunk.readUInt16LE(end + 1 + 4 + 8 + 1) & CLIENT_SSL) !== 0;
  });
  return result;
}

export interface MysqlServer {
  connection: MysqlConnection;
  isMariadb: boolean;
  version: string;
  /** What TLS negotiated; null on a plain connection. */
  tls: TlsInfo | null;
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
  if (instance.connection) {
    const tlsProblem = describeTlsError(error, instance.connection);
    if (tlsProblem) return new PullError(`${where}: ${tlsProblem.message}`, tlsProblem.hint, 'tls');
    if (/insecure transport|require_secure_transport/i.test(message)) {
      return new PullError(`${where}: the server requires TLS and this connection is not TLS`, tlsRequiredHint(instance.connection), 'tls-required');
    }
  }
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

export async function connectMysql(instance: FleetInstance, password: string | undefined, network: Network): Promise<MysqlServer> {
  const c = instance.connection!;
  const tls = nodeTlsOptions(instance.name, c);
  // mysql2 checks the certificate against its `host` option (not an address, and no
  // override), so with TLS the driver is given the stream and `host` is the expected name.
  const serverName = expectedServerName(c);
  if (tls && c.tls && !c.tls.insecure && isIP(serverName)) {
    throw new PullError(
      `instance "${instance.name}": MySQL over TLS checks the certificate against a host name, and ${serverName} is an address`,
      'set tls.server_name to the name in the server\'s certificate',
      'config',
    );
  }
  const stream = network.tunnel(instance.name, c) ?? net.connect({ host: c.host, port: c.port });
  const offersTls = serverOffersTls(stream);
  const connection = mysql.createConnection({
    host: tls ? serverName : c.host,
    port: c.port,
    stream,
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
    ssl: tls
      ? {
          ca: tls.ca as Buffer | undefined,
          cert: tls.cert as Buffer | undefined,
          key: tls.key as Buffer | undefined,
          rejectUnauthorized: tls.rejectUnauthorized,
          verifyIdentity: tls.rejectUnauthorized,
        }
      : undefined,
  });
  // An error after the handshake (server gone) must not crash the process: the pending query rejects.
  connection.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    // MariaDB answers a plain connection under require_secure_transport with "access denied":
    // say so when the server offered TLS and this connection did not use it.
    if (!tls && offersTls.value && /^ER_ACCESS_DENIED/.test(String((error as { code?: unknown }).code))) {
      throw new PullError(
        `instance "${instance.name}" (${c.host}:${c.port}): access denied for user "${c.user ?? 'root'}" on a connection without TLS; the server offers TLS and may require it (require_secure_transport)`,
        `${tlsRequiredHint(c)}; if it still fails, check the user and the password`,
        'auth-failed',
      );
    }
    throw error;
  }
  const [row] = await mysqlQuery<{ version: string; comment: string }>(connection, 'SELECT VERSION() AS version, @@version_comment AS comment');
  const version = String(row?.version ?? '');
  const isMariadb = /mariadb/i.test(version) || /mariadb/i.test(String(row?.comment ?? ''));
  return { connection, isMariadb, version, tls: tlsInfoOf((connection as unknown as { stream?: unknown }).stream, c) };
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
