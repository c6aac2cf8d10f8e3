// Connections to one Redis instance of the fleet, and the errors a user can act on.
//
// Two connections are opened, one after the other:
// - an ioredis client for the server's facts (AUTH, INFO, CONFIG GET), set up so
//   that ioredis sends nothing by itself: no ready-check INFO, no CLIENT SETNAME /
//   SETINFO, no HELLO (RESP2), no SELECT, no reconnect, no offline queue;
// - a plain RESP lane (resp.ts) for the key walk, where every command costs
//   next to nothing (ioredis tops out near 45K keys/s there).
// Both authenticate with AUTH [user] password, sent by this module so that a
// refused password gives its own error rather than a closed connection.
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import { AbstractConnector, Redis, type RedisOptions } from 'ioredis';
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import type { Network } from '../../net/network.ts';
import { describeTlsError, nodeTlsOptions, tlsInfoOf, type TlsInfo } from '../../net/tls.ts';
import { PullError } from '../types.ts';
import { RespConnection, RespError } from './resp.ts';
import { scrubServerMessage } from './types.ts';

type Connection = NonNullable<FleetInstance['connection']>;

function connectionOf(instance: FleetInstance): Connection {
  if (!instance.connection) {
    throw new PullError(`Redis instance "${instance.name}" has no host: it is inventory-only and cannot be pulled`, 'add host (and port) to the fleet manifest to pull it', 'no-host');
  }
  return instance.connection;
}

/** Node TLS options from the manifest's `tls` (verify-full unless tls.insecure), or undefined for a plain connection. */
export function tlsOptions(instance: FleetInstance): ConnectionOptions | undefined {
  return nodeTlsOptions(instance.name, connectionOf(instance));
}

/**
 * ioredis reaches the server through the run's Network (directly or through the
 * instance's SSH bastion, TLS-wrapped where the manifest says so): a connector
 * that hands ioredis a stream that is already connected.
 */
function networkConnector(instance: FleetInstance, network: Network, host: string, port: number) {
  const connection = connectionOf(instance);
  const tls = tlsOptions(instance);
  return class NetworkConnector extends AbstractConnector {
    constructor() {
      super(1000);
    }
    connect(): Promise<never> {
      this.connecting = true;
      return network.connect(instance.name, connection, tls, host, port).then((stream: Duplex) => {
        this.stream = stream as never;
        stream.once('error', (error: Error) => {
          this.firstError = error;
        });
        return stream as never;
      });
    }
  };
}

/** What TLS negotiated on a connected ioredis client; null on a plain connection. */
export function redisTlsInfo(client: Redis, instance: FleetInstance): TlsInfo | null {
  return tlsInfoOf((client as unknown as { stream?: unknown }).stream, connectionOf(instance));
}

/** ioredis options for one instance: fail fast, send nothing the adapter did not ask for. */
export function redisClientOptions(instance: FleetInstance, network: Network, host?: string, port?: number): RedisOptions {
  const c = connectionOf(instance);
  return {
    host: host ?? c.host,
    port: port ?? c.port,
    Connector: networkConnector(instance, network, host ?? c.host, port ?? c.port),
    connectTimeout: c.connectTimeoutMs,
    commandTimeout: c.statementTimeoutMs,
    lazyConnect: true,
    // RESP2: no HELLO on connect, and works with every Redis version.
    protocol: 2,
    // The ready check would send INFO before AUTH; the adapter sends INFO itself.
    enableReadyCheck: false,
    // No CLIENT SETINFO / CLIENT SETNAME (connectionName is left unset).
    disableClientInfo: true,
    // AUTH is sent by connectRedis; db 0 means no SELECT on connect.
    db: 0,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: null,
    enableOfflineQueue: false,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    enableAutoPipelining: false,
  };
}

function authArgs(instance: FleetInstance, password: string | undefined): string[] | null {
  if (password === undefined) return null;
  const user = instance.connection?.user;
  return user ? ['AUTH', user, password] : ['AUTH', password];
}

/**
 * Connects an ioredis client and authenticates. Throws a PullError; the client
 * is closed on failure, and at once when `signal` aborts.
 */
export async function connectRedis(instance: FleetInstance, password: string | undefined, network: Network, signal?: AbortSignal, host?: string, port?: number): Promise<Redis> {
  const client = new Redis(redisClientOptions(instance, network, host, port));
  let lastError: Error | null = null;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  const onAbort = () => client.disconnect();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    const auth = authArgs(instance, password);
    if (auth) await client.call(auth[0], ...auth.slice(1));
    return client;
  } catch (error) {
    client.disconnect();
    throw await explainRedisError(instance, pickError(error as Error, lastError), password, network, host, port);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Opens the RESP lane for the key walk and authenticates. Throws a PullError. */
export async function openRespLane(instance: FleetInstance, password: string | undefined, network: Network, signal?: AbortSignal, host?: string, port?: number): Promise<RespConnection> {
  const c = connectionOf(instance);
  let lane: RespConnection | null = null;
  try {
    const stream = await network.connect(instance.name, c, tlsOptions(instance), host ?? c.host, port ?? c.port, signal);
    lane = RespConnection.over(stream, c.statementTimeoutMs);
    const auth = authArgs(instance, password);
    if (auth) {
      const reply = await lane.command(...auth);
      if (reply instanceof RespError) throw reply;
    }
    return lane;
  } catch (error) {
    lane?.close();
    throw await explainRedisError(instance, error as Error, password, network, host, port);
  }
}

/**
 * Whether host:port completes a TLS handshake (any certificate: nothing but the
 * handshake is sent). Asked only after a plain connection failed, to tell a
 * TLS-only server from one that is full or is not Redis.
 */
async function answersTls(instance: FleetInstance, network: Network, host: string, port: number): Promise<boolean> {
  const options: ConnectionOptions = { rejectUnauthorized: false, checkServerIdentity: () => undefined, servername: isIP(host) ? undefined : host };
  try {
    const stream = await network.connect(instance.name, connectionOf(instance), options, host, port);
    stream.destroy();
    return true;
  } catch (error) {
    // A TLS alert (e.g. a client certificate is required) comes from a TLS server too.
    return /\balert\b/i.test((error as Error).message ?? '');
  }
}

/**
 * describeRedisError, plus one question for a plain connection that the server
 * closed (or answered with something that is not RESP): does the port speak
 * TLS? A TLS-only Redis port closes a plain connection without a word; then
 * the error says so and what to set.
 */
export async function explainRedisError(instance: FleetInstance, error: Error, password: string | undefined, network: Network, host?: string, port?: number): Promise<PullError> {
  const described = describeRedisError(instance, error, password);
  const c = instance.connection;
  if (error instanceof PullError || !c || c.tls || described.code !== 'connect' || hasCode(error, 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN')) return described;
  if (!/ECONNRESET|EPIPE|closed|Unknown RESP type|Protocol error/i.test(`${(error as { code?: string }).code ?? ''} ${error.message}`)) return described;
  if (!(await answersTls(instance, network, host ?? c.host, port ?? c.port))) return described;
  return new PullError(
    `Redis instance "${instance.name}" at ${host ?? c.host}:${port ?? c.port}: the server requires TLS: it closed the plain connection, and a TLS handshake on the same port succeeds`,
    'add tls: true to this instance, or tls: { ca_file: BUNDLE } when a private CA signed its certificate',
    'tls-required',
  );
}

/** ioredis rejects connect() with "Connection is closed." and reports the cause as an event. */
function pickError(thrown: Error, reported: Error | null): Error {
  if (reported && /connection is closed/i.test(thrown.message)) return reported;
  return thrown;
}

function hasCode(error: Error, ...codes: string[]): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && codes.includes(code);
}

/**
 * A PullError that names the instance and host:port, says what went wrong and
 * what to do. The password never appears: it is cut out of any server text.
 */
export function describeRedisError(instance: FleetInstance, error: Error, password: string | undefined): PullError {
  if (error instanceof PullError) return error;
  const c = instance.connection;
  const where = c ? `Redis instance "${instance.name}" at ${c.host}:${c.port}` : `Redis instance "${instance.name}"`;
  let text = (error?.message ?? String(error)).trim();
  if (password) text = text.split(password).join('***');
  // A refused per-key command quotes the key: no key name leaves the adapter unless the manifest allows it.
  if (!instance.rawKeyNames) text = scrubServerMessage(text);
  text = text.replace(/\s*Please report this\.?$/, ''); // ioredis' words for a reply that is not Redis protocol
  const tlsProblem = c ? describeTlsError(error, c) : null;
  if (tlsProblem) return new PullError(`${where}: ${tlsProblem.message}`, tlsProblem.hint, 'tls');
  const passwordVariable = c?.passwordEnv ? `the variable named by password_env (${c.passwordEnv})` : 'the variable named by password_env';
  let hint: string | null = null;
  let code = 'pull-failed';
  if (/^(NOAUTH|WRONGPASS)\b|invalid password|invalid username-password|AUTH failed|Authentication required/i.test(text)) {
    code = 'auth';
    hint =
      password === undefined
        ? 'the server asks for a password: set password_env in the fleet manifest and export that variable'
        : `the server refused the password: check ${passwordVariable}${c?.user ? ` and user "${c.user}"` : ''}`;
    if (password === undefined && /no password is set|without any password/i.test(text)) hint = null;
  } else if (/^NOPERM\b/.test(text)) {
    code = 'permission';
    hint =
      'the Redis user lacks a permission: the adapter needs +info +config|get +select +scan +type +pttl +memory|usage (all read-only) on all keys';
  } else if (hasCode(error, 'ECONNREFUSED') || /ECONNREFUSED/.test(text)) {
    code = 'connect';
    hint = 'is the server running and the port right?';
  } else if (hasCode(error, 'ENOTFOUND', 'EAI_AGAIN') || /ENOTFOUND|EAI_AGAIN/.test(text)) {
    code = 'connect';
    hint = 'the host name does not resolve: check host in the fleet manifest (and VPN / DNS)';
  } else if (hasCode(error, 'ETIMEDOUT') || /ETIMEDOUT|timed out/i.test(text)) {
    code = 'timeout';
    hint = /command/i.test(text)
      ? 'the server did not answer in time: it may be overloaded; raise statement_timeout_ms or pull at a quieter time'
      : 'no answer within connect_timeout_ms: check host, port, firewall / security group, and that a tunnel is open';
  } else if (hasCode(error, 'ECONNRESET', 'EPIPE') || /ECONNRESET|EPIPE|closed by the server|connection is closed/i.test(text)) {
    code = 'connect';
    hint = c?.tls ? 'the server closed the connection: is maxclients reached?' : 'the server closed the connection: does it expect TLS (tls: true in the manifest), or is maxclients reached?';
  } else if (/certificate|SSL|TLS|self[- ]signed|CERT_|ERR_TLS/i.test(text) || hasCode(error, 'ERR_TLS_CERT_ALTNAME_INVALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN')) {
    code = 'tls';
    hint = 'TLS failed: check tls.ca_file / tls.server_name in the manifest (tls.insecure: true only for testing)';
  } else if (/Unknown RESP type|Protocol error/i.test(text)) {
    code = 'connect';
    hint = 'the answer was not Redis protocol: is host:port a Redis server (not a proxy, HTTP endpoint or another database)? Does it expect TLS?';
  } else if (/^LOADING\b/.test(text)) {
    hint = 'the server is loading its data set from disk: try again when it is done';
  } else if (/^ERR DB index is out of range|^ERR SELECT is not allowed/.test(text)) {
    hint = 'a database in the manifest\'s "databases" does not exist on this server';
  }
  return new PullError(`${where}: ${text || 'unknown error'}`, hint, code);
}
