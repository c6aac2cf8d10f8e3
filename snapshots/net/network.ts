// How the engine adapters reach a server: directly, or through the instance's
// SSH bastion (one SSH connection per bastion for the whole run, one forwarded
// channel per database connection), with TLS where the manifest asks for it.
import net from 'node:net';
import tls, { type ConnectionOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import { sshRoute, type FleetInstance } from '../../shared/model/fleet.ts';
import { PullError } from '../engines/errors.ts';
import { SshBastions } from './ssh.ts';
import { TunnelSocket } from './tunnelSocket.ts';

type Connection = NonNullable<FleetInstance['connection']>;

export class Network {
  readonly bastions: SshBastions;

  constructor(env: Record<string, string | undefined>) {
    this.bastions = new SshBastions(env);
  }

  /**
   * A socket to host:port through the instance's bastion (opening as it is
   * returned), or null when the instance has no `ssh:` and the driver connects
   * by itself. `host`/`port` default to the instance's; a Redis cluster passes
   * the node addresses it discovers.
   */
  tunnel(instanceName: string, connection: Connection, host = connection.host, port = connection.port): TunnelSocket | null {
    const ssh = connection.ssh;
    if (!ssh) return null;
    const socket = new TunnelSocket(() => withTimeout(this.bastions.channel(instanceName, ssh, host, port, connection.connectTimeoutMs), connection.connectTimeoutMs, `SSH bastion ${sshRoute(ssh)}: no channel to ${host}:${port} within connect_timeout_ms (${connection.connectTimeoutMs} ms)`));
    socket.connect();
    return socket;
  }

  /**
   * A connected stream to host:port, TLS-wrapped (handshake done, certificate
   * checked) when `tlsOptions` is given. For protocols that start with TLS (Redis).
   */
  async connect(instanceName: string, connection: Connection, tlsOptions: ConnectionOptions | undefined, host = connection.host, port = connection.port, signal?: AbortSignal): Promise<Duplex> {
    const tunnel = this.tunnel(instanceName, connection, host, port);
    const timeout = connection.connectTimeoutMs;
    let stream: Duplex;
    if (tunnel) {
      await tunnel.start();
      if (!tlsOptions) return tunnel;
      stream = tls.connect({ ...tlsOptions, socket: tunnel });
    } else {
      stream = tlsOptions ? tls.connect({ ...tlsOptions, host, port }) : net.connect({ host, port });
    }
    (stream as net.Socket).setNoDelay?.(true);
    const event = tlsOptions ? 'secureConnect' : 'connect';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => stream.destroy(Object.assign(new Error(`connect ETIMEDOUT ${host}:${port}`), { code: 'ETIMEDOUT' })), timeout);
      const onAbort = () => stream.destroy(new Error('connect aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      stream.once('error', (error) => {
        done();
        reject(error);
      });
      stream.once(event, () => {
        done();
        resolve();
      });
    });
    return stream;
  }

  /** Why the instance's bastion went away during the run, or null. */
  lostReason(connection: Connection | undefined): string | null {
    return connection?.ssh ? this.bastions.lostReason(connection.ssh) : null;
  }

  close(): void {
    this.bastions.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PullError(message, 'check the bastion and the database host as the bastion sees it', 'ssh-timeout')), ms);
    }),
  ]);
}

/** Runs `fn` with the given network, or with one of its own that is closed afterwards. */
export async function usingNetwork<T>(given: Network | undefined, fn: (network: Network) => Promise<T>): Promise<T> {
  if (given) return fn(given);
  const network = new Network(process.env);
  try {
    return await fn(network);
  } finally {
    network.close();
  }
}
