// Reaching a real fleet: TLS-only MariaDB, PostgreSQL and Redis behind a real
// sshd bastion, with a CA made by openssl. Every pull goes through the tunnel
// (proved from sshd's own DEBUG1 log), every failure mode is one line naming
// the instance while the others are still pulled, and `fleet check --connect`
// audits whether each account can write and what it cannot read.
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseJson, runCli, tempDir } from '../helpers/cli.ts';
import { mariadbExec, psqlExec, startMariadb, startPostgres, startRedis, startSshd, freePort, type ThrowawayServer, type ThrowawaySshd } from '../helpers/servers.ts';
import { makeTestCa, type TestCa } from '../helpers/tlsCerts.ts';
import { execFileSync, spawn } from 'node:child_process';
import { SNAPBENCH_BIN } from '../helpers/cli.ts';

let ca: TestCa;
let otherCa: TestCa;
let maria: ThrowawayServer;
let pg: ThrowawayServer;
let redis: ThrowawayServer;
let sshd: ThrowawaySshd;
let dir: string;

const env = { READER_PW: 'reader-pw-1234', WRITER_PW: 'writer-pw-1234', PARTIAL_PW: 'partial-pw-1234', REDIS_READER_PW: 'redis-reader-pw' };

beforeAll(async () => {
  ca = makeTestCa();
  otherCa = makeTestCa('another CA');
  const tls = { ...ca.issue('server'), ca: ca.caFile };
  [maria, pg, redis, sshd] = await Promise.all([startMariadb({ tls }), startPostgres({ tls }), startRedis({ tls }), startSshd()]);
  dir = tempDir('snapbench-reach-');
  await Promise.all([
    mariadbExec(
      maria,
      `CREATE DATABASE shop; CREATE TABLE shop.t_order (id INT PRIMARY KEY, amount DECIMAL(10,2)); INSERT INTO shop.t_order VALUES (1, 9.50), (2, 12.00), (3, 0.99);
       CREATE USER 'reader'@'%' IDENTIFIED BY '${env.READER_PW}'; GRANT SELECT, SHOW VIEW ON shop.* TO 'reader'@'%';
       CREATE USER 'writer'@'%' IDENTIFIED BY '${env.WRITER_PW}'; GRANT SELECT, INSERT ON shop.* TO 'writer'@'%';
       CREATE DATABASE hr; CREATE TABLE hr.t_public (id INT PRIMARY KEY); CREATE TABLE hr.t_salary (id INT PRIMARY KEY, amount INT);
       CREATE USER 'partial'@'%' IDENTIFIED BY '${env.PARTIAL_PW}'; GRANT SELECT ON hr.t_public TO 'partial'@'%';`,
    ),
    psqlExec(pg, `CREATE DATABASE shop;`).then(() =>
      psqlExec(
        pg,
        `CREATE TABLE t_item (id int PRIMARY KEY, name text); INSERT INTO t_item VALUES (1, 'latte'), (2, 'mocha');
         CREATE ROLE reader LOGIN; GRANT SELECT ON t_item TO reader;
         CREATE ROLE writer LOGIN; GRANT SELECT, INSERT ON t_item TO writer;`,
        'shop',
      ),
    ),
    psqlExec(pg, `CREATE DATABASE hr;`).then(() =>
      psqlExec(
        pg,
        `CREATE TABLE t_public (id int PRIMARY KEY); CREATE TABLE t_salary (id int PRIMARY KEY, amount int); CREATE TABLE t_contact (id int PRIMARY KEY, email text);
         CREATE ROLE partial LOGIN; GRANT SELECT ON t_public TO partial; GRANT SELECT (id) ON t_contact TO partial;`,
        'hr',
      ),
    ),
    (async () => {
      const cli = ['--tls', '--cacert', ca.caFile, '-h', '127.0.0.1', '-p', String(redis.port)];
      execFileSync('redis-cli', [...cli, 'MSET', 'session:1', 'a', 'session:2', 'b', 'order:9', 'c']);
      execFileSync('redis-cli', [...cli, 'ACL', 'SETUSER', 'reader', 'on', `>${env.REDIS_READER_PW}`, '~*', '+@read', '+info', '+ping', '+config|get', '+select', '+scan', '+type', '+pttl', '+memory|usage', '+acl|whoami', '+acl|getuser']);
    })(),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([maria?.stop(), pg?.stop(), redis?.stop(), sshd?.stop()]);
  ca?.remove();
  otherCa?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The bastion, as a manifest's ssh: block. */
function bastion(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { host: '127.0.0.1', port: sshd.port, user: sshd.user, key_file: sshd.clientKey, known_hosts: sshd.knownHosts, ...overrides };
}

function mysqlInstance(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  // MySQL checks the certificate against a host name: server_name, since host is an address.
  return { name, engine: 'mysql', host: '127.0.0.1', port: maria.port, user: 'reader', password_env: 'READER_PW', databases: ['shop'], tls: { ca_file: ca.caFile, server_name: 'localhost' }, ...extra };
}
function postgresInstance(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, engine: 'postgres', host: '127.0.0.1', port: pg.port, user: 'reader', databases: ['shop'], ...extra };
}
function redisInstance(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, engine: 'redis', host: '127.0.0.1', port: redis.port, ...extra };
}

function writeManifest(name: string, body: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(body));
  return path;
}

/** Kills the processes our sshd started for its sessions (not sshd itself), children first found, all by pid. */
function killDescendants(pid: number): void {
  const children = (pidOf: number): number[] => {
    try {
      return execFileSync('pgrep', ['-P', String(pidOf)]).toString().trim().split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const all: number[] = [];
  const queue = children(pid);
  while (queue.length > 0) {
    const next = queue.shift()!;
    all.push(next);
    queue.push(...children(next));
  }
  for (const child of all) {
    try {
      process.kill(child, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The direct-tcpip channels sshd forwarded, as "host:port" targets. */
function forwardedTargets(): string[] {
  const log = readFileSync(sshd.logFile, 'utf8');
  return [...log.matchAll(/server_request_direct_tcpip: originator [^,]+, target ([^ ]+) port (\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
}

describe('TLS-only servers behind an SSH bastion', () => {
  it('pulls MariaDB, PostgreSQL and Redis through the tunnel with verified TLS, recorded per instance', async () => {
    const before = forwardedTargets().length;
    const fleet = writeManifest('fleet.yaml', {
      defaults: { ssh: bastion(), tls: { ca_file: ca.caFile } },
      // The MariaDB password comes from a command, as a short-lived token would.
      instances: [mysqlInstance('maria', { password_env: undefined, password_command: 'printenv READER_PW' }), postgresInstance('pg'), redisInstance('cache')],
    });
    const out = join(dir, 'fleet.snapbench');
    const pull = await runCli(['pull', '--fleet', fleet, '--out', out, '--format', 'json'], { env });
    expect(pull.stderr).toBe('');
    expect(pull.code).toBe(0);
    expect(parseJson<{ pulled: string[] }>(pull).pulled.sort()).toEqual(['cache', 'maria', 'pg']);

    const rows = parseJson<{ instance: string; table: string; rows: number }[]>(await runCli(['tables', out, '--format', 'json']));
    expect(rows.find((t) => t.instance === 'maria')?.rows).toBe(3);
    expect(rows.find((t) => t.instance === 'pg')?.rows).toBe(2);
    expect(rows.find((t) => t.instance === 'cache')?.rows).toBe(3);

    const facts = parseJson<{ instance: string; name: string; value: string }[]>(
      await runCli(['query', out, "SELECT instance, name, value FROM _snapbench_server_facts WHERE category = 'connection' ORDER BY 1, 2"]),
    );
    for (const instance of ['maria', 'pg', 'cache']) {
      const of = Object.fromEntries(facts.filter((f) => f.instance === instance).map((f) => [f.name, f.value]));
      expect(of, instance).toMatchObject({ tls: 'on', tls_verified: 'true', tls_insecure: 'false', ssh: `${sshd.user}@127.0.0.1:${sshd.port}` });
      expect(of.tls_protocol).toMatch(/^TLSv1\.[23]$/);
      expect(of.tls_cipher).toBeTruthy();
    }

    // sshd's own log: every connection to each server was a forwarded channel.
    const targets = forwardedTargets().slice(before);
    for (const port of [maria.port, pg.port, redis.port]) expect(targets, `port ${port}`).toContain(`127.0.0.1:${port}`);
    // One SSH login for the three instances: the connection is shared.
    const logins = readFileSync(sshd.logFile, 'utf8').match(/Accepted publickey for/g) ?? [];
    expect(logins.length).toBe(1);
  });

  it('fails each broken instance with one line naming it and what to set, and still pulls the others', async () => {
    const changedKnownHosts = join(dir, 'known_hosts_changed');
    const otherKey = join(dir, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
    writeFileSync(changedKnownHosts, `[127.0.0.1]:${sshd.port} ${readFileSync(`${otherKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const emptyKnownHosts = join(dir, 'known_hosts_empty');
    writeFileSync(emptyKnownHosts, '');
    const deadPort = await freePort();
    const failing = join(dir, 'fail.sh');
    writeFileSync(failing, '#!/bin/sh\necho "ExpiredToken: the security token included in the request is expired" >&2\necho second line >&2\nexit 254\n');
    execFileSync('chmod', ['+x', failing]);
    copyFileSync(otherCa.caFile, join(dir, 'other-ca.pem'));
    const fleet = writeManifest('broken.yaml', {
      defaults: { ssh: bastion() },
      instances: [
        mysqlInstance('good-maria'),
        redisInstance('good-cache', { tls: { ca_file: ca.caFile } }),
        postgresInstance('wrong-ca', { tls: { ca_file: 'other-ca.pem' } }),
        redisInstance('name-mismatch', { tls: { ca_file: ca.caFile, server_name: 'cache.example.internal' } }),
        mysqlInstance('tls-off-maria', { tls: false }),
        postgresInstance('tls-off-pg'),
        redisInstance('tls-off-cache', { connect_timeout_ms: 3000 }),
        mysqlInstance('unknown-host-key', { ssh: bastion({ known_hosts: emptyKnownHosts }) }),
        mysqlInstance('changed-host-key', { ssh: bastion({ known_hosts: changedKnownHosts }) }),
        mysqlInstance('wrong-key', { ssh: bastion({ key_file: otherKey }) }),
        mysqlInstance('bastion-down', { ssh: bastion({ port: deadPort }) }),
        mysqlInstance('token-fails', { password_env: undefined, password_command: `${failing} --region us-east-1` }),
      ],
    });
    const out = join(dir, 'broken.snapbench');
    const pull = await runCli(['pull', '--fleet', fleet, '--out', out, '--format', 'json'], { env });
    expect(pull.code, pull.stderr).toBe(3);
    const summary = parseJson<{ pulled: string[]; failed: { instance: string }[] }>(pull);
    expect(summary.pulled.sort()).toEqual(['good-cache', 'good-maria']);
    const lines = pull.stderr.trim().split('\n');
    expect(lines).toHaveLength(10);
    expect(pull.stderr).not.toMatch(/^\s+at /m);
    const line = (instance: string) => {
      const found = lines.filter((l) => l.includes(`"${instance}"`));
      expect(found, `${instance}:\n${pull.stderr}`).toHaveLength(1);
      return found[0]!;
    };
    expect(line('wrong-ca')).toMatch(/not signed by a trusted CA.*tls\.ca_file/);
    expect(line('name-mismatch')).toMatch(/certificate is not for "cache\.example\.internal".*tls\.server_name/);
    expect(line("tls-off-maria")).toMatch(/without TLS; the server offers TLS and may require it.*add tls: true/);
    expect(line('tls-off-pg')).toMatch(/accepts TLS connections only.*add tls: true/);
    expect(line('tls-off-cache')).toBe(
      `snapbench pull: Redis instance "tls-off-cache" at 127.0.0.1:${redis.port}: the server requires TLS: it closed the plain connection, and a TLS handshake on the same port succeeds (add tls: true to this instance, or tls: { ca_file: BUNDLE } when a private CA signed its certificate)`,
    );
    expect(line('unknown-host-key')).toMatch(new RegExp(`host key not known \\(ssh-ed25519 key fingerprint is SHA256:[A-Za-z0-9+/]{43}\\).*ssh-keyscan -p ${sshd.port} 127\\.0\\.0\\.1`));
    expect(line('changed-host-key')).toMatch(/host key has CHANGED.*SHA256:.*ssh-keygen -R/);
    expect(line('wrong-key')).toMatch(/authentication failed for user .* with key_file/);
    expect(line('bastion-down')).toMatch(new RegExp(`SSH bastion .*:${deadPort}: connection refused`));
    expect(line('token-fails')).toMatch(/password_command failed \(exit 254\): ExpiredToken: the security token included in the request is expired \(/);
    expect(line('token-fails')).not.toMatch(/second line/);
  });

  it('fleet check --connect reports route, TLS and latency, and which accounts can write', async () => {
    const fleet = writeManifest('check.yaml', {
      defaults: { ssh: bastion(), tls: { ca_file: ca.caFile } },
      instances: [
        mysqlInstance('maria-reader'),
        mysqlInstance('maria-writer', { user: 'writer', password_env: 'WRITER_PW' }),
        postgresInstance('pg-reader'),
        postgresInstance('pg-writer', { user: 'writer' }),
        redisInstance('cache-reader', { user: 'reader', password_env: 'REDIS_READER_PW' }),
        redisInstance('cache-default'),
        redisInstance('cache-down', { port: await freePort(), connect_timeout_ms: 3000 }),
        { name: 'inventory-only', engine: 'mysql' },
      ],
    });
    const check = await runCli(['fleet', 'check', fleet, '--connect', '--format', 'json'], { env });
    expect(check.code, check.stderr).toBe(3);
    const results = parseJson<Record<string, unknown>[]>(check);
    const byName = Object.fromEntries(results.map((r) => [r.instance, r]));
    expect(Object.keys(byName).sort()).toEqual(['cache-default', 'cache-down', 'cache-reader', 'maria-reader', 'maria-writer', 'pg-reader', 'pg-writer']);
    for (const name of ['maria-reader', 'maria-writer', 'pg-reader', 'pg-writer', 'cache-reader', 'cache-default']) {
      const r = byName[name]!;
      expect(r, name).toMatchObject({ ok: true, ssh: `${sshd.user}@127.0.0.1:${sshd.port}`, tls: { verified: true } });
      expect(r.latencyMs as number, name).toBeGreaterThan(0);
      expect(r.version, name).toBeTruthy();
    }
    expect(byName['maria-reader']).toMatchObject({ canWrite: false, writePrivileges: [] });
    expect(byName['maria-writer']).toMatchObject({ canWrite: true, writePrivileges: ['INSERT ON `shop`.*'] });
    expect(byName['pg-reader']).toMatchObject({ canWrite: false, writePrivileges: [] });
    expect(byName['pg-writer']).toMatchObject({ canWrite: true, writePrivileges: ['INSERT ON shop.public.t_item'] });
    expect(byName['cache-reader']).toMatchObject({ canWrite: false, writePrivileges: [] });
    expect(byName['cache-default']).toMatchObject({ canWrite: true, writePrivileges: ['+@all (user default)'] });
    expect(byName['cache-down']).toMatchObject({ ok: false, canWrite: null, writePrivileges: [], tls: null });
    expect(byName["cache-down"]!.error).toMatch(/could not open a channel to 127.0.0.1:\d+/);
    expect(check.stderr).toMatch(/warning: instance "maria-writer": the account can write \(INSERT ON `shop`\.\*\)/);
    expect(check.stderr).toMatch(/6 of 7 reachable; 1 inventory-only not checked/);
  });

  it('fleet check --connect names what each account cannot read, and a plain connection to TLS-only Redis says TLS is required', async () => {
    const fleet = writeManifest('readable.yaml', {
      defaults: { tls: { ca_file: ca.caFile } },
      instances: [
        mysqlInstance('maria-partial', { user: 'partial', password_env: 'PARTIAL_PW', databases: ['hr', 'ghost'] }),
        postgresInstance('pg-partial', { user: 'partial', databases: ['hr'] }),
        postgresInstance('pg-reader'),
        postgresInstance('pg-ghost', { user: 'partial', databases: ['ghost'] }),
        redisInstance('cache-plain', { tls: false }),
      ],
    });
    const check = await runCli(['fleet', 'check', fleet, '--connect', '--format', 'json'], { env });
    expect(check.code, check.stderr).toBe(3);
    const byName = Object.fromEntries(parseJson<Record<string, unknown>[]>(check).map((r) => [r.instance, r]));
    expect(byName['pg-partial']).toMatchObject({ ok: true, canWrite: false, writePrivileges: [] });
    expect(byName['pg-partial']!.notReadable).toEqual([
      { database: 'hr', table: 'public.t_salary', reason: 'missing privilege: SELECT on public.t_salary (GRANT SELECT ON public.t_salary, or the pg_read_all_data role)' },
    ]);
    expect(byName['pg-partial']!.readWarnings).toEqual([
      'hr.public.t_contact: missing privilege: SELECT on columns email of public.t_contact (column-level grant); those columns are left out',
    ]);
    expect(byName['pg-reader']).toMatchObject({ ok: true, notReadable: [], readWarnings: [] });
    expect(byName['pg-ghost']).toMatchObject({
      ok: true,
      notReadable: [],
      readWarnings: ['database "ghost" does not exist: a pull of this instance fails until "databases" in the fleet manifest is fixed'],
    });
    expect(byName['maria-partial']).toMatchObject({ ok: true, canWrite: false, notReadable: [] });
    const mariaWarnings = byName['maria-partial']!.readWarnings as string[];
    expect(mariaWarnings).toHaveLength(2);
    expect(mariaWarnings[0]).toMatch(/^database ghost not found: a database the account has no privilege on is hidden from it, so it may exist \(grant user "partial" SELECT ON ghost\.\*/);
    expect(mariaWarnings[1]).toMatch(/^database hr: the account partial@% may SELECT only t_public \(table- or column-level grants\); every other table of hr is invisible to it/);
    expect(byName['cache-plain']).toMatchObject({ ok: false, notReadable: [], readWarnings: [] });
    expect(byName['cache-plain']!.error).toBe(`Redis instance "cache-plain" at 127.0.0.1:${redis.port}: the server requires TLS: it closed the plain connection, and a TLS handshake on the same port succeeds`);
    expect(byName['cache-plain']!.hint).toBe('add tls: true to this instance, or tls: { ca_file: BUNDLE } when a private CA signed its certificate');
    const warnings = check.stderr.split('\n').filter((l) => l.startsWith('snapbench: warning:'));
    expect(warnings).toEqual([
      expect.stringMatching(/^snapbench: warning: instance "maria-partial": database ghost not found: .* \(and 1 more read warning\)$/),
      'snapbench: warning: instance "pg-partial": the account cannot read 1 table (hr.public.t_salary); a pull leaves it out',
      expect.stringMatching(/^snapbench: warning: instance "pg-partial": hr\.public\.t_contact: missing privilege: SELECT on columns email/),
      'snapbench: warning: instance "pg-ghost": database "ghost" does not exist: a pull of this instance fails until "databases" in the fleet manifest is fixed',
    ]);

    // The text form: the verdict line, then what the account cannot read, indented.
    const text = await runCli(['fleet', 'check', fleet, '--connect', '--only', 'pg-partial,cache-plain'], { env });
    expect(text.code).toBe(3);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^ok {3}pg-partial \(postgres .+\): direct, TLSv1\.3 \S+, verified, [\d.]+ ms; read-only; cannot read 1 table, 1 read warning$/);
    expect(lines[1]).toBe('     cannot read hr: public.t_salary: missing privilege: SELECT on public.t_salary (GRANT SELECT ON public.t_salary, or the pg_read_all_data role)');
    expect(lines[2]).toMatch(/^ {5}read warning: hr\.public\.t_contact: missing privilege: SELECT on columns email/);
    expect(lines[3]).toBe(
      `FAIL cache-plain (redis): Redis instance "cache-plain" at 127.0.0.1:${redis.port}: the server requires TLS: it closed the plain connection, and a TLS handshake on the same port succeeds (add tls: true to this instance, or tls: { ca_file: BUNDLE } when a private CA signed its certificate)`,
    );
  });

  it('fails the instances behind a bastion that goes away mid-pull, and still pulls the others', async () => {
    await mariadbExec(maria, 'CREATE TABLE shop.t_big (id INT PRIMARY KEY, note VARCHAR(64)); INSERT INTO shop.t_big SELECT seq, REPEAT("x", 60) FROM seq_1_to_300000;', 'shop');
    const fleet = writeManifest('drop.yaml', {
      instances: [
        mysqlInstance('big-maria', { ssh: bastion(), user: 'root', password_env: undefined }),
        redisInstance('direct-cache', { tls: { ca_file: ca.caFile } }),
      ],
    });
    const out = join(dir, 'drop.snapbench');
    const child = spawn(process.execPath, [SNAPBENCH_BIN, 'pull', '--fleet', fleet, '--out', out, '--progress', '--concurrency', '2'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    let dropped = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Once the big table streams through the tunnel, the bastion's session processes go away.
      if (!dropped && /big-maria: shop\.t_big/.test(stderr)) {
        dropped = true;
        killDescendants(sshd.pid);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    await mariadbExec(maria, 'DROP TABLE shop.t_big');
    expect(dropped, stderr).toBe(true);
    expect(code, stderr).toBe(3);
    const failure = stderr.split('\n').filter((l) => l.startsWith('snapbench pull: instance'));
    expect(failure, stderr).toHaveLength(1);
    expect(failure[0]).toMatch(/instance "big-maria".*\(the SSH connection to bastion .* was lost \([^)]+\)\) \(the SSH bastion went away during the pull; pull this instance again when it is back\)$/);
    expect(stderr).toMatch(/wrote .*drop\.snapbench: 1 instance, /);
  });
});
