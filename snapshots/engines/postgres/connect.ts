// Opening (and always closing) a pg Client for one database of an instance, with
// connection failures turned into PullErrors a user can act on. No message ever
// carries the password.
import pg from 'pg';
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import type { Network } from '../../net/network.ts';
import { describeTlsError, nodeTlsOptions, tlsInfoOf, tlsRequiredHint, type TlsInfo } from '../../net/tls.ts';
import { PullError } from '../types.ts';

export type PgClient = pg.Client;

/** The database to connect to when the manifest names none: PostgreSQL's maintenance database. */
export const MAINTENANCE_DATABASE = 'postgres';

/** Databases never pulled unless the manifest names them: templates are excluded by datistemplate; these are service/maintenance databases. */
export const SERVICE_DATABASES = new Set([MAINTENANCE_DATABASE, 'rdsadmin', 'azure_maintenance', 'azure_sys', 'cloudsqladmin', 'template0', 'template1']);

export interface ConnectTarget {
  instance: FleetInstance;
  password: string | undefined;
  database: string;
  /** Reaches the server directly or through the instance's SSH bastion. */
  network: Network;
}

type Connection = NonNullable<FleetInstance['connection']>;

export function requireConnection(instance: FleetInstance): Connection {
  if (!instance.connection) {
    throw new PullError(
      `instance "${instance.name}" has no host, so it cannot be pulled`,
      'add host (and port, user, password_env) to the manifest, or leave it as an inventory-only instance',
      'no-connection',
    );
  }
  return instance.connection;
}

// Catalog queries keep pg's parsers for numbers, booleans and text arrays, but
// dates, times and JSON stay the server's text: nothing becomes a JS Date.
const TEXT_TYPE_OIDS = new Set([1082, 1083, 1114, 1184, 1186, 1266, 114, 3802]);
const identity = (value: string) => value;
const catalogTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TEXT_TYPE_OIDS.has(oid) ? identity : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** Opens a connected client. Throws PullError (with a hint) when that fails. */
export async function connect(target: ConnectTarget, signal?: AbortSignal): Promise<PgClient> {
  const { instance, password, database, network } = target;
  const connection = requireConnection(instance);
  const tunnel = network.tunnel(instance.name, connection);
  const client = new pg.Client({
    // Through the bastion: pg calls connect() on this stream, which opens the forwarded channel.
    ...(tunnel ? { stream: () => tunnel } : {}),
    host: connection.host,
    port: connection.port,
    user: connection.user,
    password: password ?? '',
    database,
    connectionTimeoutMillis: connection.connectTimeoutMs,
    // Only what the manifest says: no TLS unless asked (not PGSSLMODE), no ~/.pgpass (password ''
    // rather than undefined), so a pull does the same on every machine.
    ssl: nodeTlsOptions(instance.name, connection) ?? false,
    application_name: 'snapbench',
    types: catalogTypes,
  });
  // A server that dies between queries emits 'error' on the client; without a
  // listener that would crash the process. The failing query reports it.
  client.on('error', () => {});
  const onAbort = () => destroyClient(client);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) throw abortError(signal);
    await client.connect();
    if (signal?.aborted) throw abortError(signal);
    return client;
  } catch (error) {
    destroyClient(client);
    tunnel?.destroy();
    if (signal?.aborted) throw abortError(signal);
    throw describeConnectError(error, target);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** What TLS negotiated on a connected client; null on a plain connection. */
export function clientTlsInfo(client: PgClient, instance: FleetInstance): TlsInfo | null {
  return tlsInfoOf((client as unknown as { connection?: { stream?: unknown } }).connection?.stream, requireConnection(instance));
}

/** Ends the session politely; destroys the socket if that does not finish promptly. */
export async function closeClient(client: PgClient): Promise<void> {
  const stream = (client as unknown as { connection?: { stream?: { destroyed?: boolean } } }).connection?.stream;
  if (stream?.destroyed) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.end().catch(() => {}),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          destroyClient(client);
          resolve();
        }, 2000);
        timer.unref();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Drops the connection at once (abort, or a COPY abandoned half-way). The server ends the session when it sees the socket close. */
export function destroyClient(client: PgClient): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  try {
    stream?.destroy();
  } catch {
    // already gone
  }
}

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('the pull was aborted');
  error.name = 'AbortError';
  return error;
}

/** Removes the password from a message, should a driver or server ever echo it. */
export function redact(message: string, password: string | undefined): string {
  if (!password || password.length < 4) return message;
  return message.split(password).join('***');
}

interface PgLikeError {
  code?: string;
  message?: string;
  errno?: string;
}

function describeConnectError(error: unknown, target: ConnectTarget): PullError {
  if (error instanceof PullError) return error;
  const { instance, database, password } = target;
  const connection = instance.connection!;
  const where = `instance "${instance.name}" (${connection.host}:${connection.port}, database "${database}"${connection.user ? `, user "${connection.user}"` : ''})`;
  const e = (error ?? {}) as PgLikeError;
  const raw = redact(String(e.message ?? error), password);
  const code = e.code ?? '';
  let hint: string | null = null;
  let kind = 'connect-failed';
  const tlsProblem = describeTlsError(error, connection);
  if (tlsProblem) return new PullError(`cannot connect to ${where}: ${tlsProblem.message}`, tlsProblem.hint, 'tls');
  if (code === '28000' && /no encryption/i.test(raw)) {
    return new PullError(`cannot connect to ${where}: the server accepts TLS connections only (${raw})`, tlsRequiredHint(connection), 'tls-required');
  }
  if (code === '28P01' || /password authentication failed|client password must be/i.test(raw)) {
    kind = 'auth-failed';
    if (!connection.passwordEnv) {
      hint = 'the server wants a password: set password_env in the manifest to the variable that holds it';
    } else if (!password) {
      hint = `the variable named by password_env (${connection.passwordEnv}) is empty; set it to the password of user "${connection.user ?? ''}"`;
    } else {
      hint = `check the variable named by password_env (${connection.passwordEnv}) holds the password of user "${connection.user ?? ''}"`;
    }
  } else if (code === '28000') {
    kind = 'auth-failed';
    hint = 'the server refused this user/host/database combination (pg_hba.conf, or the role lacks LOGIN); check user and the variable named by password_env';
  } else if (code === '3D000') {
    kind = 'no-database';
    hint = 'check databases: in the manifest';
  } else if (code === '42501') {
    kind = 'no-privilege';
    hint = `grant CONNECT on database "${database}" to the user, or leave the database out of databases:`;
  } else if (code === '53300') {
    hint = 'the server has no free connection slots; retry later or raise max_connections';
  } else if (code === 'ECONNREFUSED') {
    hint = 'is the server running and the port right?';
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    hint = 'check the host name in the manifest (DNS lookup failed)';
  } else if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || /timeout/i.test(raw)) {
    kind = 'connect-timeout';
    hint = `check network/bastion; raise connect_timeout_ms (now ${connection.connectTimeoutMs})`;
  } else if (/does not support SSL/i.test(raw)) {
    hint = 'the server does not offer TLS: remove tls from the manifest, or enable ssl on the server';
  } else if (/certificate|self[- ]signed|SSL|TLS/i.test(raw)) {
    hint = "check tls: in the manifest (ca_file with the server's CA, servername matching the certificate)";
  } else if (code === 'ECONNRESET' || /terminated unexpectedly|Connection terminated/i.test(raw)) {
    hint = 'the server closed the connection while connecting; check that host:port is PostgreSQL and whether it requires TLS';
  }
  const pullError = new PullError(`cannot connect to ${where}: ${raw}`, hint, kind);
  return pullError;
}
