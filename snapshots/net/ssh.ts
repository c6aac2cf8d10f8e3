// SSH bastions, built in (ssh2, pure JavaScript; no `ssh` process). One SSH
// connection per bastion is shared by every instance behind it; each database
// connection is one forwarded direct-tcpip channel on it. The host key is
// checked before anything is sent (see hostKeys.ts).
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { readFileSync } from 'node:fs';
import { sshRoute, type SshOptions } from '../../shared/model/fleet.ts';
import { PullError } from '../engines/errors.ts';
import { expandHome, readManifestFile } from './files.ts';
import { knownHostsName, verifyAgainstKnownHosts, verifyPinned, type HostKeyVerdict } from './hostKeys.ts';

const DEFAULT_KNOWN_HOSTS = '~/.ssh/known_hosts';

/** An SSH failure: names the bastion; the pull fails the instances behind it. */
export class SshError extends PullError {
  constructor(message: string, hint: string | null, code = 'ssh') {
    super(message, hint, code);
    this.name = 'SshError';
  }
}

function hostKeyError(route: string, ssh: SshOptions, verdict: Exclude<HostKeyVerdict, { ok: true }>, knownHostsFile: string): SshError {
  const what = `${verdict.keyType} key fingerprint is ${verdict.fingerprint}`;
  const name = knownHostsName(ssh.host, ssh.port);
  const keyscan = `ssh-keyscan${ssh.port === 22 ? '' : ` -p ${ssh.port}`} ${ssh.host} >> ${knownHostsFile}`;
  switch (verdict.kind) {
    case 'unknown':
      return new SshError(
        `SSH bastion ${route}: host key not known (${what}); not connecting`,
        `check the fingerprint with the bastion's admin, then accept it: ${keyscan} (or pin it: ssh.host_key: "${verdict.fingerprint}")`,
        'ssh-host-key-unknown',
      );
    case 'changed':
      return new SshError(
        `SSH bastion ${route}: the host key has CHANGED since ${knownHostsFile} line ${verdict.line} (${what}); someone may be intercepting the connection; not connecting`,
        `if the bastion's key really changed, remove the old one (ssh-keygen -R "${name}" -f ${knownHostsFile}) and accept the new one after checking it: ${keyscan}`,
        'ssh-host-key-changed',
      );
    case 'revoked':
      return new SshError(`SSH bastion ${route}: the host key is marked @revoked in ${knownHostsFile} line ${verdict.line} (${what}); not connecting`, "ask the bastion's admin for its current key", 'ssh-host-key-revoked');
    case 'pinned-mismatch':
      return new SshError(
        `SSH bastion ${route}: the host key does not match ssh.host_key (${what}); someone may be intercepting the connection; not connecting`,
        `if the bastion's key really changed, set ssh.host_key: "${verdict.fingerprint}" after checking it with the bastion's admin`,
        'ssh-host-key-changed',
      );
  }
}

/** Turns an ssh2 error into one line naming the bastion and what to do. */
function describeSshError(route: string, ssh: SshOptions, error: Error & { level?: string; code?: string }): SshError {
  if (error instanceof SshError) return error;
  const text = error.message ?? String(error);
  if (error.level === 'client-authentication' || /authentication methods failed/i.test(text)) {
    const how = ssh.keyFile ? `key_file ${ssh.keyFile}` : ssh.agent ? 'the ssh agent' : `the password in ${ssh.passwordEnv}`;
    return new SshError(
      `SSH bastion ${route}: authentication failed for user "${ssh.user}" with ${how}`,
      "check ssh.user, and that the key's public half is in the bastion's authorized_keys (or the password is right)",
      'ssh-auth',
    );
  }
  if (error.code === 'ECONNREFUSED') return new SshError(`SSH bastion ${route}: connection refused`, 'is the bastion up, and are ssh.host and ssh.port right?', 'ssh-connect');
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return new SshError(`SSH bastion ${route}: host not found`, 'check ssh.host (and VPN / DNS)', 'ssh-connect');
  if (error.code === 'ETIMEDOUT' || /timed out while waiting for handshake/i.test(text)) {
    return new SshError(`SSH bastion ${route}: no answer in time`, 'check ssh.host, ssh.port and the firewall; raise connect_timeout_ms if the bastion is slow', 'ssh-timeout');
  }
  if (/passphrase|Encrypted private/i.test(text)) {
    return new SshError(`SSH bastion ${route}: cannot decrypt key_file ${ssh.keyFile}: ${text}`, 'set ssh.passphrase_env to the variable that holds the key\u2019s passphrase', 'ssh-key');
  }
  if (/Cannot parse privateKey|Unsupported key format/i.test(text)) {
    return new SshError(`SSH bastion ${route}: key_file ${ssh.keyFile} is not a private key ssh can use (${text})`, 'point ssh.key_file at an OpenSSH or PEM private key', 'ssh-key');
  }
  return new SshError(`SSH bastion ${route}: ${text.split('\n')[0]}`, null, 'ssh');
}

interface Bastion {
  route: string;
  client: Client;
  ready: Promise<void>;
  /** Set when the connection ended: instances still using it fail with this. */
  lost: string | null;
}

/**
 * The SSH connections of one pull (or check). `channel()` opens a forwarded
 * channel to host:port through the instance's bastion, connecting to the bastion
 * on first use; `close()` ends them all.
 */
export class SshBastions {
  private readonly bastions = new Map<string, Bastion>();
  /** Why each bastion's connection went away during the run (until a new one to it is up). */
  private readonly lost = new Map<string, string>();
  private closed = false;

  constructor(
    private readonly env: Record<string, string | undefined>,
    private readonly options: { readyTimeoutMs?: number } = {},
  ) {}

  /** Why the bastion went away during the run, or null. */
  lostReason(ssh: SshOptions): string | null {
    return this.lost.get(this.key(ssh)) ?? null;
  }

  async channel(instance: string, ssh: SshOptions, host: string, port: number, connectTimeoutMs: number): Promise<ClientChannel> {
    const route = sshRoute(ssh);
    try {
      await this.connect(instance, ssh, connectTimeoutMs).ready;
    } catch (error) {
      // One failed login is shared by every instance behind the bastion; each line names its instance.
      const e = error instanceof SshError ? error : describeSshError(route, ssh, error as Error);
      throw new SshError(`instance "${instance}": ${e.message}`, e.hint, e.code);
    }
    const bastion = this.connect(instance, ssh, connectTimeoutMs);
    return new Promise<ClientChannel>((resolve, reject) => {
      try {
        bastion.client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
          if (error) {
            reject(new SshError(`instance "${instance}": SSH bastion ${route} could not open a channel to ${host}:${port}: ${error.message}`, 'check host and port as the bastion sees them, and that the bastion may forward to them (AllowTcpForwarding)', 'ssh-forward'));
          } else resolve(channel);
        });
      } catch (error) {
        reject(describeSshError(route, ssh, error as Error));
      }
    });
  }

  close(): void {
    this.closed = true;
    for (const bastion of this.bastions.values()) bastion.client.end();
    this.bastions.clear();
  }

  private key(ssh: SshOptions): string {
    return JSON.stringify([ssh.user, ssh.host, ssh.port, ssh.keyFile, ssh.agent, ssh.passwordEnv, ssh.knownHosts, ssh.hostKey]);
  }

  private connect(instance: string, ssh: SshOptions, connectTimeoutMs: number): Bastion {
    const key = this.key(ssh);
    const existing = this.bastions.get(key);
    if (existing && existing.lost === null) return existing;
    if (this.closed) throw new SshError(`SSH bastion ${sshRoute(ssh)}: the run is over`, null);
    const route = sshRoute(ssh);
    const client = new Client();
    const bastion: Bastion = { route, client, ready: Promise.resolve(), lost: null };
    let refused: SshError | null = null;
    const knownHostsFile = ssh.knownHosts ?? DEFAULT_KNOWN_HOSTS;
    bastion.ready = new Promise<void>((resolve, reject) => {
      let config: ConnectConfig;
      try {
        config = this.config(instance, ssh, connectTimeoutMs);
      } catch (error) {
        reject(error);
        return;
      }
      config.hostVerifier = (blob: Buffer) => {
        let verdict: HostKeyVerdict;
        if (ssh.hostKey) verdict = verifyPinned(ssh.hostKey, blob);
        else {
          let text = '';
          try {
            text = readFileSync(expandHome(knownHostsFile), 'utf8');
          } catch {
            // no file: every key is unknown
          }
          verdict = verifyAgainstKnownHosts(text, ssh.host, ssh.port, blob);
        }
        if (!verdict.ok) refused = hostKeyError(route, ssh, verdict, knownHostsFile);
        return verdict.ok;
      };
      let settled = false;
      client.once('ready', () => {
        settled = true;
        this.lost.delete(key);
        resolve();
      });
      const loseWith = (why: string) => {
        if (this.closed || bastion.lost !== null) return;
        bastion.lost = `the SSH connection to bastion ${route} was lost (${why})`;
        this.lost.set(key, bastion.lost);
      };
      client.on('error', (error: Error) => {
        const described = refused ?? describeSshError(route, ssh, error);
        if (!settled) {
          settled = true;
          reject(described);
        } else loseWith(error.message);
      });
      client.on('close', () => {
        if (!settled) {
          settled = true;
          reject(refused ?? new SshError(`SSH bastion ${route}: closed the connection during login`, 'check ssh.user and the bastion\u2019s sshd log', 'ssh-connect'));
        } else loseWith('closed by the bastion');
        if (this.bastions.get(key) === bastion) this.bastions.delete(key);
      });
      try {
        client.connect(config);
      } catch (error) {
        settled = true;
        reject(describeSshError(route, ssh, error as Error));
      }
    });
    bastion.ready.catch(() => {
      if (this.bastions.get(key) === bastion) this.bastions.delete(key);
    });
    this.bastions.set(key, bastion);
    return bastion;
  }

  private config(instance: string, ssh: SshOptions, connectTimeoutMs: number): ConnectConfig {
    const config: ConnectConfig = {
      host: ssh.host,
      port: ssh.port,
      username: ssh.user,
      readyTimeout: this.options.readyTimeoutMs ?? Math.max(connectTimeoutMs, 5000),
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
    };
    if (ssh.keyFile) {
      config.privateKey = readManifestFile(instance, 'ssh.key_file', ssh.keyFile);
      if (ssh.passphraseEnv) config.passphrase = this.env[ssh.passphraseEnv];
    }
    if (ssh.agent) {
      const socket = this.env.SSH_AUTH_SOCK;
      if (!socket) throw new SshError(`SSH bastion ${sshRoute(ssh)}: ssh.agent is true but SSH_AUTH_SOCK is not set`, 'start ssh-agent and ssh-add your key, or use ssh.key_file', 'ssh-agent');
      config.agent = socket;
    }
    if (ssh.passwordEnv) config.password = this.env[ssh.passwordEnv];
    return config;
  }
}
