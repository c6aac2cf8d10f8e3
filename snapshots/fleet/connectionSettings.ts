// An instance's TLS / SSH / credential settings as the pull view shows and
// edits them, and writing an edit back into the manifest file: only that
// instance's keys change (comments and everything else stay), the result must
// parse as a valid manifest before it replaces the file, and the file is
// replaced whole (written aside, then renamed).
import { renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import type { PullConnectionSettings } from '../../shared/api/types.ts';
import { FleetError, parseFleet, type FleetInstance } from '../../shared/model/fleet.ts';

export function connectionSettings(instance: FleetInstance): PullConnectionSettings | null {
  const c = instance.connection;
  if (!c) return null;
  return {
    tls: c.tls ? { caFile: c.tls.caFile ?? null, serverName: c.tls.serverName ?? null, certFile: c.tls.certFile ?? null, keyFile: c.tls.keyFile ?? null, insecure: c.tls.insecure } : null,
    ssh: c.ssh
      ? {
          host: c.ssh.host,
          port: c.ssh.port,
          user: c.ssh.user,
          keyFile: c.ssh.keyFile ?? null,
          agent: c.ssh.agent,
          passwordEnv: c.ssh.passwordEnv ?? null,
          passphraseEnv: c.ssh.passphraseEnv ?? null,
          knownHosts: c.ssh.knownHosts ?? null,
          hostKey: c.ssh.hostKey ?? null,
        }
      : null,
    passwordEnv: c.passwordEnv ?? null,
    passwordCommand: c.passwordCommand ?? null,
  };
}

/** Drops empty values so the manifest holds only what was set. */
function compact(entries: Record<string, string | number | boolean | null>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(entries)) if (value !== null && value !== '' && value !== false) out[key] = value;
  return out;
}

/**
 * Writes `settings` into the named instance of the manifest at `path`. Throws
 * FleetError (one line per problem) when the result would not be a valid manifest;
 * the file is then left as it was.
 */
export function writeConnectionSettings(path: string, text: string, instanceName: string, settings: PullConnectionSettings): void {
  const doc = parseDocument(text);
  const instances = doc.get('instances');
  if (!isSeq(instances)) throw new FleetError(`fleet manifest ${path}: no "instances" list`);
  const item = instances.items.find((node) => isMap(node) && node.get('name') === instanceName);
  if (!isMap(item)) throw new FleetError(`fleet manifest ${path}: no instance named "${instanceName}"`);
  const defaults = doc.get('defaults');
  const inherited = (key: string) => isMap(defaults) && defaults.has(key);
  const { tls, ssh } = settings;
  if (tls) {
    const fields = compact({ ca_file: tls.caFile, server_name: tls.serverName, cert_file: tls.certFile, key_file: tls.keyFile, insecure: tls.insecure });
    // No field set: `tls: true`, the system CAs.
    item.set('tls', Object.keys(fields).length === 0 ? true : doc.createNode(fields));
  } else if (inherited('tls')) item.set('tls', false);
  else item.delete('tls');
  if (ssh) {
    item.set(
      'ssh',
      doc.createNode(
        compact({
          host: ssh.host,
          port: ssh.port === 22 ? null : ssh.port,
          user: ssh.user,
          key_file: ssh.keyFile,
          agent: ssh.agent,
          password_env: ssh.passwordEnv,
          passphrase_env: ssh.passphraseEnv,
          known_hosts: ssh.knownHosts,
          host_key: ssh.hostKey,
        }),
      ),
    );
  } else if (inherited('ssh')) item.set('ssh', false);
  else item.delete('ssh');
  item.delete('password_env');
  item.delete('password_command');
  if (settings.passwordCommand?.trim()) item.set('password_command', settings.passwordCommand.trim());
  else if (settings.passwordEnv?.trim()) item.set('password_env', settings.passwordEnv.trim());
  // The edited manifest must be valid before it replaces the file.
  parseFleet(doc.toJS(), `fleet manifest ${path}`, { baseDir: dirname(path) });
  const temp = `${path}.partial-${process.pid}`;
  writeFileSync(temp, doc.toString({ lineWidth: 0 }));
  renameSync(temp, path);
}
