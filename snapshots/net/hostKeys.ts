// Checking an SSH server's host key the way OpenSSH does: against known_hosts
// (plain, wildcard and hashed host patterns, [host]:port for other ports,
// @revoked lines) or against a key pinned in the manifest. An unknown or changed
// key is refused with its SHA256 fingerprint and how to accept it; nothing is
// ever trusted on first use.
import { createHash, createHmac } from 'node:crypto';

export type HostKeyVerdict =
  | { ok: true }
  | { ok: false; kind: 'unknown' | 'changed' | 'revoked' | 'pinned-mismatch'; fingerprint: string; keyType: string; line?: number };

/** OpenSSH's fingerprint of a key blob: "SHA256:" and unpadded base64 of its SHA-256. */
export function sha256Fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a key blob ("ssh-ed25519", "ecdsa-sha2-nistp256", ...). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return length > 0 && length < 64 && blob.length >= 4 + length ? blob.toString('latin1', 4, 4 + length) : 'unknown';
}

/** How OpenSSH names the host in known_hosts: "host" on port 22, "[host]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function wildcardMatch(pattern: string, name: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(name);
}

function hashedMatch(entry: string, name: string): boolean {
  // |1|base64(salt)|base64(HMAC-SHA1(salt, name))
  const parts = entry.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2]!, 'base64');
  return createHmac('sha1', salt).update(name).digest('base64') === parts[3];
}

/** Whether a known_hosts host field (comma-separated patterns, ! negates) names the host. */
export function hostFieldMatches(field: string, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (field.startsWith('|')) return hashedMatch(field, name);
  let matched = false;
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    if (wildcardMatch(body, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

interface KnownHostLine {
  line: number;
  marker: '@revoked' | '@cert-authority' | null;
  keyType: string;
  blob: Buffer;
}

/** The known_hosts lines for this host (comments, blank and malformed lines skipped). */
export function knownHostLines(text: string, host: string, port: number): KnownHostLine[] {
  const found: KnownHostLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields.length < 3 || fields[0]!.startsWith('#')) return;
    let marker: KnownHostLine['marker'] = null;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostLine['marker'];
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key || !hostFieldMatches(hosts, host, port)) return;
    found.push({ line: index + 1, marker, keyType, blob: Buffer.from(key, 'base64') });
  });
  return found;
}

/** Checks a presented key against known_hosts text. */
export function verifyAgainstKnownHosts(text: string, host: string, port: number, blob: Buffer): HostKeyVerdict {
  const fingerprint = sha256Fingerprint(blob);
  const keyType = keyTypeOf(blob);
  const lines = knownHostLines(text, host, port);
  const revoked = lines.find((l) => l.marker === '@revoked' && l.blob.equals(blob));
  if (revoked) return { ok: false, kind: 'revoked', fingerprint, keyType, line: revoked.line };
  const plain = lines.filter((l) => l.marker === null);
  if (plain.some((l) => l.blob.equals(blob))) return { ok: true };
  const sameType = plain.find((l) => l.keyType === keyType);
  if (sameType) return { ok: false, kind: 'changed', fingerprint, keyType, line: sameType.line };
  return { ok: false, kind: 'unknown', fingerprint, keyType };
}

/** Checks a presented key against a pinned one: an OpenSSH public key line, its base64 blob, or its SHA256 fingerprint. */
export function verifyPinned(pinned: string, blob: Buffer): HostKeyVerdict {
  const fingerprint = sha256Fingerprint(blob);
  const keyType = keyTypeOf(blob);
  const text = pinned.trim();
  let ok: boolean;
  if (/^SHA256:/i.test(text)) ok = text.replace(/=+$/, '') === fingerprint;
  else {
    const fields = text.split(/\s+/);
    const base64 = fields.length >= 2 ? fields[1]! : fields[0]!;
    ok = Buffer.from(base64, 'base64').equals(blob);
  }
  return ok ? { ok: true } : { ok: false, kind: 'pinned-mismatch', fingerprint, keyType };
}
