// Connection settings that need no server: the manifest's defaults/ssh/tls/
// password_command, known_hosts matching, command splitting, and reading grants.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FleetError, parseFleet } from '../../shared/model/fleet.ts';
import { splitCommand } from '../../snapshots/net/credentials.ts';
import { hostFieldMatches, sha256Fingerprint, verifyAgainstKnownHosts, verifyPinned } from '../../snapshots/net/hostKeys.ts';
import { auditGrants } from '../../snapshots/engines/mysql/audit.ts';
import { aclWrites } from '../../snapshots/engines/redis/audit.ts';

function fleetOf(yaml: string) {
  return parseFleet(parse(yaml), 'fleet.yaml', { baseDir: '/etc/fleet' });
}
function errorOf(yaml: string): string {
  try {
    fleetOf(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return (error as Error).message;
  }
  throw new Error('expected the manifest to be rejected');
}

describe('manifest connectivity', () => {
  it('inherits defaults per key, resolves files against the manifest, and leaves inventory-only instances alone', () => {
    const fleet = fleetOf(`
defaults:
  ssh: { host: bastion.internal, user: analyst, key_file: ~/.ssh/id_ed25519 }
  tls: { ca_file: global-bundle.pem }
  connect_timeout_ms: 5000
instances:
  - { name: a, engine: mysql, host: db.internal, user: reader, password_command: "aws rds generate-db-auth-token --hostname db.internal" }
  - { name: b, engine: redis, host: cache.internal, tls: { ca_file: /abs/ca.pem, server_name: node.internal }, ssh: false }
  - { name: c, engine: postgres, host: pg.internal, tls: { servername: old.internal, reject_unauthorized: false } }
  - { name: d, engine: mysql }
`);
    const [a, b, c, d] = fleet.instances;
    expect(a!.connection).toMatchObject({
      ssh: { host: 'bastion.internal', port: 22, user: 'analyst', keyFile: '~/.ssh/id_ed25519', agent: false },
      tls: { caFile: '/etc/fleet/global-bundle.pem', insecure: false },
      passwordCommand: 'aws rds generate-db-auth-token --hostname db.internal',
      connectTimeoutMs: 5000,
    });
    expect(b!.connection!.ssh).toBeUndefined();
    expect(b!.connection!.tls).toEqual({ caFile: '/abs/ca.pem', serverName: 'node.internal', insecure: false, certFile: undefined, keyFile: undefined });
    expect(c!.connection!.tls).toMatchObject({ serverName: 'old.internal', insecure: true });
    expect(fleet.warnings).toEqual([expect.stringMatching(/instance "c": tls.insecure: the server's certificate and name are not checked/)]);
    expect(d!.connection).toBeUndefined();
  });

  it('names each mistake in one line', () => {
    expect(errorOf(`instances: [{ name: a, engine: mysql, host: h, password_env: PW, password_command: "x" }]`)).toBe('fleet.yaml: instance "a": give password_env or password_command, not both');
    expect(errorOf(`instances: [{ name: a, engine: mysql, host: h, ssh: { host: b, user: u } }]`)).toMatch(/instance "a" field "ssh": say how to log in to the bastion: key_file, agent: true or password_env/);
    expect(errorOf(`instances: [{ name: a, engine: mysql, host: h, ssh: { host: b, user: u, agent: true, port: 0 } }]`)).toMatch(/instance "a" field "ssh.port"/);
    expect(errorOf(`defaults: { user: x }\ninstances: []`)).toMatch(/defaults: "user" cannot be a default; defaults may set ssh, tls/);
    expect(errorOf(`instances: [{ name: a, engine: mysql, host: h, tls: { cert_file: c.pem } }]`)).toMatch(/cert_file and key_file go together/);
  });
});

describe('known_hosts', () => {
  const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]);
  const other = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 8)]);
  const line = (host: string, key: Buffer) => `${host} ssh-ed25519 ${key.toString('base64')}`;

  it('matches plain, port, wildcard, negated and hashed host patterns as OpenSSH does', () => {
    expect(hostFieldMatches('bastion.internal,10.0.0.5', 'bastion.internal', 22)).toBe(true);
    expect(hostFieldMatches('bastion.internal', 'bastion.internal', 2222)).toBe(false);
    expect(hostFieldMatches('[bastion.internal]:2222', 'bastion.internal', 2222)).toBe(true);
    expect(hostFieldMatches('*.internal,!evil.internal', 'evil.internal', 22)).toBe(false);
    expect(hostFieldMatches('*.internal', 'b.internal', 22)).toBe(true);
    const salt = Buffer.alloc(20, 3);
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[b.internal]:2222').digest('base64')}`;
    expect(hostFieldMatches(hashed, 'b.internal', 2222)).toBe(true);
    expect(hostFieldMatches(hashed, 'b.internal', 22)).toBe(false);
  });

  it('accepts the known key, and refuses an unknown, changed or revoked one with its fingerprint', () => {
    const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
    expect(sha256Fingerprint(blob)).toBe(fingerprint);
    expect(verifyAgainstKnownHosts(`# comment\n${line('h', blob)}\n`, 'h', 22, blob)).toEqual({ ok: true });
    expect(verifyAgainstKnownHosts(line('other', blob), 'h', 22, blob)).toMatchObject({ ok: false, kind: 'unknown', fingerprint, keyType: 'ssh-ed25519' });
    expect(verifyAgainstKnownHosts(`\n${line('h', other)}`, 'h', 22, blob)).toMatchObject({ ok: false, kind: 'changed', line: 2 });
    expect(verifyAgainstKnownHosts(`@revoked ${line('h', blob)}\n${line('h', blob)}`, 'h', 22, blob)).toMatchObject({ ok: false, kind: 'revoked' });
    expect(verifyPinned(fingerprint, blob)).toEqual({ ok: true });
    expect(verifyPinned(`ssh-ed25519 ${blob.toString('base64')}`, blob)).toEqual({ ok: true });
    expect(verifyPinned(`ssh-ed25519 ${other.toString('base64')}`, blob)).toMatchObject({ ok: false, kind: 'pinned-mismatch' });
  });
});

describe('password_command', () => {
  it('runs simple commands without a shell and hands shell syntax to /bin/sh', () => {
    expect(splitCommand('aws rds generate-db-auth-token --hostname db --port 3306 --username reader')).toEqual(['aws', 'rds', 'generate-db-auth-token', '--hostname', 'db', '--port', '3306', '--username', 'reader']);
    expect(splitCommand(`vault read -field=password 'secret/db reader' "x y"`)).toEqual(['vault', 'read', '-field=password', 'secret/db reader', 'x y']);
    expect(splitCommand('cat ~/.pw | head -1')).toBeNull();
    expect(splitCommand('PW_PROFILE=x tool')).toBeNull();
    expect(splitCommand('echo "$TOKEN"')).toBeNull();
  });
});

describe('account audit', () => {
  it('finds what MySQL grants let an account change', () => {
    const audit = auditGrants([
      "GRANT USAGE ON *.* TO `reader`@`%` IDENTIFIED BY PASSWORD '*ABC'",
      'GRANT SELECT, SHOW VIEW ON `shop`.* TO `reader`@`%`',
      'GRANT SELECT (`a`), UPDATE (`b`) ON `shop`.`t` TO `reader`@`%`',
      'GRANT `analyst_role` TO `reader`@`%`',
    ]);
    expect(audit).toEqual({ writePrivileges: ['UPDATE (columns) ON `shop`.`t`'], roles: ['`analyst_role`'] });
    expect(auditGrants(['GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION']).writePrivileges).toEqual(['ALL PRIVILEGES ON *.*', 'GRANT OPTION ON *.*']);
  });

  it('reads Redis ACL rules in order', () => {
    expect(aclWrites('+@all')).toEqual(['+@all']);
    expect(aclWrites('-@all +@read +info +config|get +acl|whoami')).toEqual([]);
    expect(aclWrites('+@all -@write +get')).toEqual([]);
    expect(aclWrites('-@all +@read +set +config|set')).toEqual(['+set', '+config|set']);
  });
});
