// TLS for every engine, verify-full by default: the chain is checked against the
// CA bundle the manifest names (else the system CAs) and the certificate must
// hold the expected name (tls.server_name, else host). What was negotiated is
// recorded per instance; a failure is one line saying which check failed and
// what to set.
import { isIP } from 'node:net';
import tls, { type ConnectionOptions, type PeerCertificate } from 'node:tls';
import type { TlsInfo } from '../../shared/model/connectCheck.ts';
import type { FleetInstance, TlsOptions } from '../../shared/model/fleet.ts';
import type { ServerFact } from '../../shared/model/snapshot.ts';
import { readManifestFile } from './files.ts';

type Connection = NonNullable<FleetInstance['connection']>;

export type { TlsInfo } from '../../shared/model/connectCheck.ts';

/** The name the server's certificate must hold. */
export function expectedServerName(connection: Connection): string {
  return connection.tls?.serverName ?? connection.host;
}

/**
 * Node TLS options for the instance, or undefined without `tls:`. Files are read
 * here, so a missing CA bundle fails before anything is sent.
 */
export function nodeTlsOptions(instanceName: string, connection: Connection): ConnectionOptions | undefined {
  const t: TlsOptions | undefined = connection.tls;
  if (!t) return undefined;
  const name = expectedServerName(connection);
  const options: ConnectionOptions = {
    rejectUnauthorized: !t.insecure,
    // SNI carries a host name only; the identity check below also covers IP addresses.
    servername: isIP(name) ? undefined : name,
    checkServerIdentity: t.insecure ? () => undefined : (_host: string, cert: PeerCertificate) => tls.checkServerIdentity(name, cert),
  };
  if (t.caFile) options.ca = readManifestFile(instanceName, 'tls.ca_file', t.caFile);
  if (t.certFile) options.cert = readManifestFile(instanceName, 'tls.cert_file', t.certFile);
  if (t.keyFile) options.key = readManifestFile(instanceName, 'tls.key_file', t.keyFile);
  return options;
}

interface TlsSocketLike {
  getProtocol(): string | null;
  getCipher(): { name: string } | null;
  authorized: boolean;
}

function isTlsSocket(socket: unknown): socket is TlsSocketLike {
  return !!socket && typeof (socket as TlsSocketLike).getProtocol === 'function' && typeof (socket as TlsSocketLike).getCipher === 'function';
}

/** The negotiated protocol and cipher of a driver's socket; null when it is not TLS. */
export function tlsInfoOf(socket: unknown, connection: Connection): TlsInfo | null {
  if (!isTlsSocket(socket)) return null;
  return {
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: socket.getCipher()?.name ?? 'unknown',
    verified: socket.authorized && !connection.tls?.insecure,
  };
}

/** The transport of one instance as server facts (category `connection`), hashed with the rest of the snapshot. */
export function connectionFacts(connection: Connection, info: TlsInfo | null): ServerFact[] {
  const facts: ServerFact[] = [{ category: 'connection', name: 'tls', value: info ? 'on' : 'off' }];
  if (info) {
    facts.push(
      { category: 'connection', name: 'tls_protocol', value: info.protocol },
      { category: 'connection', name: 'tls_cipher', value: info.cipher },
      { category: 'connection', name: 'tls_verified', value: String(info.verified) },
      { category: 'connection', name: 'tls_insecure', value: String(connection.tls?.insecure ?? false) },
    );
  }
  if (connection.ssh) facts.push({ category: 'connection', name: 'ssh', value: `${connection.ssh.user}@${connection.ssh.host}:${connection.ssh.port}` });
  return facts;
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/**
 * A TLS failure as one line (without the "instance ...:" prefix) and what to set,
 * or null when the error is not about TLS. `requiredByServer` errors come from
 * servers that refuse a plain connection; the engine adapters recognise those.
 */
export function describeTlsError(error: unknown, connection: Connection): { message: string; hint: string } | null {
  const e = (error ?? {}) as { code?: string; message?: string; reason?: string };
  const code = e.code ?? '';
  const text = String(e.message ?? error);
  const name = expectedServerName(connection);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /does not match certificate's altnames|Hostname\/IP does not match/i.test(text)) {
    const held = /altnames: (.*)$/.exec(text)?.[1] ?? (e.reason ? e.reason : '');
    return {
      message: `TLS: the server's certificate is not for "${name}"${held ? ` (it holds ${held.replace(/^Host: [^ ]+ is not in the cert's altnames: /, '')})` : ''}`,
      hint: connection.tls?.serverName
        ? 'set tls.server_name to a name the certificate holds'
        : 'set tls.server_name to a name the certificate holds (needed when host is an address or a tunnel end)',
    };
  }
  if (UNTRUSTED.has(code) || /self[- ]signed certificate|unable to (verify|get local issuer)|certificate chain/i.test(text)) {
    return {
      message: `TLS: the server's certificate is not signed by a trusted CA (${text.split('\n')[0]})`,
      hint: connection.tls?.caFile
        ? `tls.ca_file (${connection.tls.caFile}) does not hold the CA that signed it; point it at the right bundle (for RDS: the global bundle)`
        : 'set tls.ca_file to the CA bundle that signed it (for RDS/ElastiCache: the AWS global bundle)',
    };
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return { message: `TLS: the server's certificate ${code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not yet valid'}`, hint: "renew the server's certificate (or check this machine's clock)" };
  }
  if (/HANDSHAKE_NO_SSL_SUPPORT|does not support (SSL|secure connection)|wrong version number|packet length too long|ERR_SSL_WRONG_VERSION_NUMBER/i.test(`${code} ${text}`)) {
    return { message: 'TLS: the server does not offer TLS on this port', hint: 'check host and port, enable TLS on the server, or remove tls: from this instance' };
  }
  return null;
}

/** The hint for a server that refused a connection because it was not TLS. */
export function tlsRequiredHint(connection: Connection): string {
  return connection.tls ? 'check tls: for this instance' : 'the server accepts TLS connections only: add tls: true (or tls: { ca_file: BUNDLE }) to this instance';
}
