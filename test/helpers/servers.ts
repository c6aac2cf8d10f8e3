// Throwaway MariaDB / PostgreSQL / Redis servers owned by the test run.
// Each one gets its own temp dir and a random 127.0.0.1 port, runs as a direct
// child process (so `pid` is the real server pid), and is removed by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, chown, copyFile, mkdtemp, open, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Certificate files for a TLS-only server (copied into the server's own dir). */
export interface ServerTls {
  cert: string;
  key: string;
  ca: string;
}

export interface ThrowawayServer {
  host: '127.0.0.1';
  port: number;
  pid: number;
  dataDir: string;
  logFile: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1' as const;
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const MARIADBD = '/usr/sbin/mariadbd';
const REDIS_SERVER = '/usr/bin/redis-server';

// ---------------------------------------------------------------- crash safety

interface Tracked {
  child: ChildProcess;
  dir: string;
}
const running = new Map<number, Tracked>();
let handlersInstalled = false;

// Synchronous on purpose: 'exit' handlers cannot await.
function killAllSync(): void {
  for (const [pid, { child, dir }] of running) {
    // Only signal pids we have not seen exit, so a recycled pid is never hit.
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort; the dir is under os.tmpdir() anyway
    }
  }
  running.clear();
}

function installCrashHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  // A signalled worker never emits 'exit', so clean up and then re-raise
  // the signal unless someone else has taken charge of it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllSync();
      process.removeListener(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

// ---------------------------------------------------------------- utilities

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const address = srv.address();
      if (address === null || typeof address === 'string') {
        srv.close();
        reject(new Error('freePort: could not read the bound port'));
        return;
      }
      srv.close(() => resolve(address.port));
    });
  });
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  input?: string;
  uid?: number;
  gid?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

function run(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      uid: options.uid,
      gid: options.gid,
      cwd: options.cwd,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 60_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    // EPIPE if the client exits early is reported through 'close' anyway.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

async function tail(file: string, bytes = 4096): Promise<string> {
  try {
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      const start = Math.max(0, size - bytes);
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      return buf.toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return '';
  }
}

async function logTails(files: string[]): Promise<string> {
  const parts: string[] = [];
  for (const file of [...new Set(files)]) {
    const text = (await tail(file)).trim();
    if (text) parts.push(`--- ${file} (tail) ---\n${text}`);
  }
  return parts.length ? parts.join('\n') : '(logs are empty)';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tcpConnects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** uid/gid to run PostgreSQL as: it refuses to run as root. */
function postgresIdentity(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('startPostgres: running as root but there is no "postgres" user to drop to');
  const fields = line.split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
        .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    : [];
  if (versions.length === 0) throw new Error(`startPostgres: no ${base}/<version>/bin/postgres found (apt-get install postgresql)`);
  return join(base, versions[0], 'bin');
}

// ---------------------------------------------------------------- generic lifecycle

interface LaunchSpec {
  name: string;
  cmd: string;
  args: string[];
  dir: string;
  port: number;
  /** Where the child's own stdout/stderr go. */
  consoleFile: string;
  logFile: string;
  /** Extra files worth showing when startup fails. */
  diagnosticFiles: string[];
  uid?: number;
  gid?: number;
  stopSignal: NodeJS.Signals;
  /** Resolves true once the server answers a real query. */
  probe(): Promise<boolean>;
}

async function launch(spec: LaunchSpec): Promise<ThrowawayServer> {
  installCrashHandlers();
  const fd = openSync(spec.consoleFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.cmd, spec.args, {
      stdio: ['ignore', fd, fd],
      cwd: spec.dir,
      uid: spec.uid,
      gid: spec.gid,
    });
  } finally {
    closeSync(fd);
  }
  // Filled in by event handlers; an object so TS does not narrow the fields to null.
  const state: { exitReason: string | null; spawnError: Error | null } = { exitReason: null, spawnError: null };
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      state.exitReason = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    }),
  );
  child.once('error', (err) => {
    state.spawnError = err;
  });
  // A forgotten server must not keep the test process alive; the exit handler reaps it.
  child.unref();

  const pid = child.pid;
  if (pid !== undefined) running.set(pid, { child, dir: spec.dir });

  // Two phases so a failed start can read the logs after the kill but before the rm.
  let killing: Promise<void> | null = null;
  const kill = (): Promise<void> => {
    killing ??= (async () => {
      if (pid === undefined || state.exitReason !== null) return;
      try {
        process.kill(pid, spec.stopSignal);
      } catch {
        // already gone
      }
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
      });
      if ((await Promise.race([exited.then(() => 'exited' as const), timedOut])) === 'timeout') {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // raced with a normal exit
        }
        await exited;
      }
      clearTimeout(timer);
    })();
    return killing;
  };
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await kill();
      if (pid !== undefined) running.delete(pid);
      await rm(spec.dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const fail = async (why: string): Promise<never> => {
    await kill().catch(() => {});
    const logs = await logTails([spec.logFile, spec.consoleFile, ...spec.diagnosticFiles]);
    await stop().catch(() => {});
    throw new Error(`${spec.name} on ${HOST}:${spec.port} ${why}\n${logs}`);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (state.spawnError) return fail(`could not be spawned: ${state.spawnError.message}`);
    if (state.exitReason !== null) return fail(`exited during startup (${state.exitReason})`);
    if (Date.now() > deadline) return fail(`was not ready after ${READY_TIMEOUT_MS} ms`);
    // Cheap TCP check first, then the real client round trip.
    if ((await tcpConnects(spec.port)) && (await spec.probe().catch(() => false))) break;
    await sleep(50);
  }
  if (pid === undefined) return fail('has no pid');
  return { host: HOST, port: spec.port, pid, dataDir: spec.dir, logFile: spec.logFile, stop };
}

/** Retries on a lost port race (freePort() closes before the server binds). */
async function withPortRetry<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (err) {
      const msg = (err as Error).message;
      if (attempt >= 3 || !/address already in use|EADDRINUSE|could not bind|Can't start server: Bind/i.test(msg)) throw err;
    }
  }
}

// ---------------------------------------------------------------- MariaDB

export async function startMariadb(options: { generalLog?: boolean; tls?: ServerTls; extraListen?: string; extraArgs?: string[] } = {}): Promise<ThrowawayServer & { user: 'root' }> {
  return withPortRetry(async (port) => {
    const dir = await mkdtemp(join(tmpdir(), 'snapbench-mariadb-'));
    const datadir = join(dir, 'data');
    const socket = join(dir, 'mysqld.sock');
    const errorLog = join(dir, 'error.log');
    const generalLog = join(dir, 'general.log');
    const asRoot = process.getuid?.() === 0;
    const userArg = asRoot ? ['--user=root'] : [];

    // 'normal' gives root@localhost/127.0.0.1/::1 an empty password usable
    // over TCP (the 'socket' method would only allow unix_socket auth).
    // --skip-name-resolve makes it create root@127.0.0.1 rather than root@<hostname>.
    const install = await run('mariadb-install-db', [
      '--no-defaults',
      `--datadir=${datadir}`,
      ...userArg,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
    ], { cwd: dir });
    if (install.code !== 0) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`mariadb-install-db failed (code ${install.code}):\n${install.stdout}\n${install.stderr}`);
    }

    const args = [
      '--no-defaults', // must be first: keep /etc/mysql config out of it
      ...userArg,
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--pid-file=${join(dir, 'mariadbd.pid')}`,
      `--port=${port}`,
      `--bind-address=${options.extraListen ? `${HOST},${options.extraListen}` : HOST}`,
      `--log-error=${errorLog}`,
      `--tmpdir=${dir}`,
      '--skip-log-bin',
      '--innodb-buffer-pool-size=64M',
      '--innodb-flush-log-at-trx-commit=2', // throwaway: durability not needed
      // No --skip-name-resolve here: 127.0.0.1 then also matches 'user'@'localhost' accounts.
    ];
    if (options.generalLog) args.push('--general-log=1', `--general-log-file=${generalLog}`);
    // TLS only: every TCP connection must be TLS (the probe and mariadbExec use --ssl).
    if (options.tls) args.push(`--ssl-cert=${options.tls.cert}`, `--ssl-key=${options.tls.key}`, `--ssl-ca=${options.tls.ca}`, '--require-secure-transport=ON');
    if (options.extraArgs) args.push(...options.extraArgs);
    const sslArgs = options.tls ? ['--ssl', `--ssl-ca=${options.tls.ca}`] : [];

    const server = await launch({
      name: 'mariadbd',
      cmd: MARIADBD,
      args,
      dir,
      port,
      consoleFile: join(dir, 'console.log'),
      logFile: options.generalLog ? generalLog : errorLog,
      diagnosticFiles: [errorLog],
      stopSignal: 'SIGTERM',
      probe: async () => {
        const r = await run('mariadb', ['--no-defaults', '--protocol=TCP', '-h', HOST, '-P', String(port), '-u', 'root', ...sslArgs, '--connect-timeout=2', '-e', 'SELECT 1'], { timeoutMs: 5000 });
        return r.code === 0;
      },
    });
    return { ...server, user: 'root' as const, ...(options.tls ? { tls: options.tls } : {}) };
  });
}

/**
 * Runs SQL (fed on stdin, so several statements are fine) as root over TCP.
 * Output is `--batch --skip-column-names`: one line per row, tab-separated, no header,
 * with the final newline removed.
 */
export async function mariadbExec(server: ThrowawayServer & { tls?: ServerTls }, sql: string, database?: string): Promise<string> {
  const args = ['--no-defaults', '--protocol=TCP', '-h', server.host, '-P', String(server.port), '-u', 'root', ...(server.tls ? ['--ssl', `--ssl-ca=${server.tls.ca}`] : []), '--batch', '--skip-column-names'];
  if (database) args.push('-D', database);
  const r = await run('mariadb', args, { input: sql });
  if (r.code !== 0) throw new Error(`mariadb exited with code ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout.replace(/\n$/, '');
}

// ---------------------------------------------------------------- PostgreSQL

export async function startPostgres(
  options: { logStatements?: boolean; tls?: ServerTls; extraListen?: string; settings?: Record<string, string>; standby?: boolean } = {},
): Promise<ThrowawayServer & { user: 'postgres' }> {
  const bin = postgresBinDir();
  const { uid, gid } = postgresIdentity();
  return withPortRetry(async (port) => {
    const dir = await mkdtemp(join(tmpdir(), 'snapbench-postgres-'));
    // The server runs as 'postgres' and must own its dir (mkdtemp makes it 0700 root).
    if (uid !== undefined && gid !== undefined) await chown(dir, uid, gid);
    const pgdata = join(dir, 'data');
    const logFile = join(dir, 'postgres.log');

    const init = await run(join(bin, 'initdb'), ['-D', pgdata, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], { uid, gid, cwd: dir });
    if (init.code !== 0) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`initdb failed (code ${init.code}):\n${init.stdout}\n${init.stderr}`);
    }

    // postgres is spawned directly (not via pg_ctl/runuser), so child.pid is the postmaster.
    const args = [
      '-D', pgdata,
      '-p', String(port),
      '-k', dir,
      '-c', `listen_addresses=${options.extraListen ? `${HOST},${options.extraListen}` : HOST}`,
      '-c', 'logging_collector=off', // keep the log on stderr, i.e. in logFile
      '-c', 'log_destination=stderr',
      '-c', 'fsync=off', // throwaway: durability not needed
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
    ];
    if (options.logStatements) args.push('-c', 'log_statement=all');
    for (const [name, value] of Object.entries(options.settings ?? {})) args.push('-c', `${name}=${value}`);
    // A standby (in recovery, read-only) of the primary named by primary_conninfo, if any.
    if (options.standby) {
      writeFileSync(join(pgdata, 'standby.signal'), '');
      if (uid !== undefined && gid !== undefined) await chown(join(pgdata, 'standby.signal'), uid, gid);
    }
    // Another local address (a veth end in a test's own network namespace): trusted like 127.0.0.1.
    if (options.extraListen) writeFileSync(join(pgdata, 'pg_hba.conf'), `${readFileSync(join(pgdata, 'pg_hba.conf'), 'utf8')}\nhost all all ${options.extraListen}/24 trust\n`);
    if (options.tls) {
      // TLS only (hostssl); the key must belong to the server's user with mode 0600.
      const cert = join(dir, 'server.crt');
      const key = join(dir, 'server.key');
      const ca = join(dir, 'ca.crt');
      const hba = join(dir, 'pg_hba.conf');
      await copyFile(options.tls.cert, cert);
      await copyFile(options.tls.key, key);
      await copyFile(options.tls.ca, ca);
      writeFileSync(hba, 'local all all trust\nhostssl all all 127.0.0.1/32 trust\n');
      await chmod(key, 0o600);
      if (uid !== undefined && gid !== undefined) for (const file of [cert, key, ca, hba]) await chown(file, uid, gid);
      args.push('-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`, '-c', `ssl_ca_file=${ca}`, '-c', `hba_file=${hba}`);
    }

    const server = await launch({
      name: 'postgres',
      cmd: join(bin, 'postgres'),
      args,
      dir,
      port,
      // stderr is the server log, so the console file and the log file are one.
      consoleFile: logFile,
      logFile,
      diagnosticFiles: [],
      uid,
      gid,
      // SIGINT = "fast" shutdown; SIGTERM ("smart") would wait for open client pools.
      stopSignal: 'SIGINT',
      probe: async () => {
        const r = await run(join(bin, 'pg_isready'), ['-h', HOST, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-t', '2'], { timeoutMs: 5000 });
        return r.code === 0;
      },
    });
    return { ...server, user: 'postgres' as const };
  });
}

/**
 * Runs SQL (fed on stdin, so several statements are fine and each one commits on its own)
 * as postgres over TCP with ON_ERROR_STOP. Output is `-At`: one line per row,
 * '|'-separated, no header, no command tags, with the final newline removed.
 */
export async function psqlExec(server: ThrowawayServer, sql: string, database = 'postgres'): Promise<string> {
  const args = ['-X', '-q', '-h', server.host, '-p', String(server.port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-At', '-f', '-'];
  const r = await run('psql', args, { input: sql, env: { ...process.env, PGCONNECT_TIMEOUT: '5' } });
  if (r.code !== 0) throw new Error(`psql exited with code ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout.replace(/\n$/, '');
}

// ---------------------------------------------------------------- Redis

export async function startRedis(options: { maxmemoryMb?: number; tls?: ServerTls; extraArgs?: string[]; extraListen?: string } = {}): Promise<ThrowawayServer> {
  return withPortRetry(async (port) => {
    const dir = await mkdtemp(join(tmpdir(), 'snapbench-redis-'));
    const logFile = join(dir, 'redis.log');
    // TLS only: no plain port.
    const portArgs = options.tls
      ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-ca-cert-file', options.tls.ca, '--tls-auth-clients', 'no']
      : ['--port', String(port)];
    const cliTls = options.tls ? ['--tls', '--cacert', options.tls.ca] : [];
    const args = [
      ...portArgs,
      '--bind', HOST, ...(options.extraListen ? [options.extraListen, '--protected-mode', 'no'] : []),
      '--save', '',
      '--appendonly', 'no',
      '--dir', dir,
      '--logfile', logFile,
      '--daemonize', 'no',
    ];
    if (options.maxmemoryMb !== undefined) args.push('--maxmemory', `${options.maxmemoryMb}mb`);
    if (options.extraArgs) args.push(...options.extraArgs);

    return launch({
      name: 'redis-server',
      cmd: REDIS_SERVER,
      args,
      dir,
      port,
      consoleFile: join(dir, 'console.log'),
      logFile,
      diagnosticFiles: [],
      stopSignal: 'SIGTERM',
      probe: async () => {
        const r = await run('redis-cli', ['-h', HOST, '-p', String(port), ...cliTls, 'ping'], { timeoutMs: 5000 });
        return r.code === 0 && r.stdout.trim() === 'PONG';
      },
    });
  });
}

// ---------------------------------------------------------------- sshd

const SSHD = '/usr/sbin/sshd';

export interface ThrowawaySshd extends ThrowawayServer {
  /** The user to log in as (the one running the tests). */
  user: string;
  /** A private key whose public half is authorised. */
  clientKey: string;
  /** The host's public key line ("ssh-ed25519 AAAA..."). */
  hostKey: string;
  /** A known_hosts file that holds the host key for 127.0.0.1:port. */
  knownHosts: string;
}

/**
 * A throwaway OpenSSH server on 127.0.0.1 with its own host key, authorized_keys
 * and pid file, logging at DEBUG1 (one line per forwarded direct-tcpip channel)
 * into logFile. Port forwarding allowed; no PAM, no passwords.
 */
export async function startSshd(): Promise<ThrowawaySshd> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const user = process.env.USER && process.getuid?.() !== 0 ? process.env.USER : 'root';
  return withPortRetry(async (port) => {
    const dir = await mkdtemp(join(tmpdir(), 'snapbench-sshd-'));
    const hostKeyFile = join(dir, 'host_ed25519');
    const clientKey = join(dir, 'client_ed25519');
    const keygen = async (file: string) => {
      const r = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'snapbench-test', '-f', file]);
      if (r.code !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
    };
    await keygen(hostKeyFile);
    await keygen(clientKey);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));
    const hostKey = readFileSync(`${hostKeyFile}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKey}\n`);
    const logFile = join(dir, 'sshd.log');
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        `ListenAddress ${HOST}`,
        `HostKey ${hostKeyFile}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin prohibit-password',
        'AllowTcpForwarding yes',
        'StrictModes no',
        'LogLevel DEBUG1',
        'MaxSessions 100',
        'MaxStartups 100',
        '',
      ].join('\n'),
    );
    const server = await launch({
      name: 'sshd',
      cmd: SSHD,
      args: ['-D', '-e', '-f', config, '-E', logFile],
      dir,
      port,
      consoleFile: join(dir, 'console.log'),
      logFile,
      diagnosticFiles: [],
      stopSignal: 'SIGTERM',
      probe: async () => existsSync(logFile) && /Server listening on/.test(readFileSync(logFile, 'utf8')),
    });
    return { ...server, user, clientKey, hostKey, knownHosts };
  });
}

// ---------------------------------------------------------------- Redis Cluster

export interface ThrowawayRedisCluster {
  nodes: ThrowawayServer[];
  /** With TLS: the host name each node announces, and the only name its certificate holds. */
  hostnames: string[];
  stop(): Promise<void>;
}

/**
 * TLS for a throwaway cluster: node i gets a certificate for `node-<i>.cluster.test`
 * only, signed by `ca`, and announces that name (cluster-announce-hostname)
 * beside its 127.0.0.1 address; the cluster bus speaks TLS too.
 */
export interface ClusterTls {
  /** Issues a certificate for the given names; returns its cert and key files (tlsCerts.ts's TestCa.issue). */
  issue(name: string, altNames: string[]): { cert: string; key: string };
  caFile: string;
}

/**
 * A Redis Cluster on 127.0.0.1: `primaries` shards with `replicasPerPrimary`
 * replicas each, joined with `redis-cli --cluster create`, ready when every node
 * says cluster_state:ok. With `tls`, TLS-only (`--port 0 --tls-port N
 * --tls-cluster yes`), each node with a certificate of its own name.
 */
export async function startRedisCluster(primaries = 3, replicasPerPrimary = 0, options: { tls?: ClusterTls } = {}): Promise<ThrowawayRedisCluster> {
  const count = primaries * (1 + replicasPerPrimary);
  const hostnames = options.tls ? Array.from({ length: count }, (_, i) => `node-${i + 1}.cluster.test`) : [];
  const nodes = await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const extraArgs = ['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'];
      if (!options.tls) return startRedis({ extraArgs });
      const { cert, key } = options.tls.issue(hostnames[i]!, [`DNS:${hostnames[i]}`]);
      return startRedis({ tls: { cert, key, ca: options.tls.caFile }, extraArgs: [...extraArgs, '--tls-cluster', 'yes', '--tls-replication', 'yes', '--cluster-announce-hostname', hostnames[i]!] });
    }),
  );
  const cliTls = options.tls ? ['--tls', '--cacert', options.tls.caFile] : [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    const create = await run('redis-cli', [...cliTls, '--cluster', 'create', ...nodes.map((n) => `${HOST}:${n.port}`), '--cluster-replicas', String(replicasPerPrimary), '--cluster-yes'], { timeoutMs: 60_000 });
    if (create.code !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}\n${create.stderr}`);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const states = await Promise.all(nodes.map((n) => run('redis-cli', [...cliTls, '-h', HOST, '-p', String(n.port), 'CLUSTER', 'INFO'], { timeoutMs: 5000 })));
      const replicasUp = await run('redis-cli', [...cliTls, '-h', HOST, '-p', String(nodes[0]!.port), 'CLUSTER', 'NODES'], { timeoutMs: 5000 });
      const linked = replicasUp.stdout.split('\n').filter((l) => / connected/.test(l) && !/fail|handshake/.test(l)).length === nodes.length;
      if (linked && states.every((s) => /cluster_state:ok/.test(s.stdout))) break;
      if (Date.now() > deadline) throw new Error(`the cluster did not become ready:\n${states.map((s) => s.stdout).join('\n')}\n${replicasUp.stdout}`);
      await sleep(100);
    }
    return { nodes, hostnames, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
