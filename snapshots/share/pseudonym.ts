// Keyed pseudonyms for personal data: HMAC-SHA256 with a key that stays with
// the sender, so the same value always gets the same pseudonym (joins and
// distinct counts survive) while nobody without the key can test a guess
// ("is +12125550123 in this file?"), which a plain hash would allow.
//
// A pseudonym keeps the value's storage class and, for e-mail addresses and
// phone numbers, their shape, so the DQ pack's PII detector (SEC-001) judges a
// shared copy's columns as it judged the original's:
//   e-mail        → pii-<16 hex>@pseudonym.invalid   (.invalid: RFC 2606, never deliverable)
//   phone number  → +0<14 digits>                    (country code 0 does not exist)
//   other text    → pii:<16 hex>
//   integer       → a positive 62-bit integer
//   blob          → 16 bytes
// NULL and blank text (white space only) are kept as they are: they carry no
// personal data, and blank counts must not change.
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isBlank, piiKind } from '../../shared/dq/definitions.ts';
import type { StorageKind } from '../../shared/model/snapshot.ts';

/** A pseudonym key must not be guessable: phone numbers have few enough values to try them all against a weak key. */
export const MIN_KEY_BYTES = 16;

export type KeySource = 'env' | 'file' | 'default-file' | 'fresh';

export interface PseudonymKey {
  key: Buffer;
  source: KeySource;
  /** Where it came from, for messages (never recorded in the shared file). */
  origin: string;
  /** Set when the default key file was created by this call. */
  created: boolean;
}

/** Bad key input; one line for the CLI. */
export class PseudonymKeyError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'PseudonymKeyError';
  }
}

/** The sender's config directory: SNAPBENCH_CONFIG_DIR, else $XDG_CONFIG_HOME/snapbench, else ~/.config/snapbench. */
export function configDirectory(env: Record<string, string | undefined>): string {
  if (env.SNAPBENCH_CONFIG_DIR) return env.SNAPBENCH_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'snapbench');
}

export function defaultKeyFile(env: Record<string, string | undefined>): string {
  return join(configDirectory(env), 'share-pseudonym.key');
}

function checkLength(key: Buffer, what: string, hint: string): Buffer {
  if (key.length < MIN_KEY_BYTES) throw new PseudonymKeyError(`${what}: the key is ${key.length} bytes; at least ${MIN_KEY_BYTES} are needed`, hint);
  return key;
}

const GENERATE_HINT = 'e.g. "openssl rand -base64 32"';

/**
 * The HMAC key for a share: --key-env VAR, --key-file PATH, --fresh-key (random,
 * used once, never stored: pseudonyms then match no other share), or by default
 * the sender's key file, created (0600) on first use so that the sender's
 * shares use the same pseudonyms and stay comparable with each other.
 */
export function resolvePseudonymKey(options: { keyEnv?: string; keyFile?: string; freshKey?: boolean; dryRun?: boolean }, env: Record<string, string | undefined>): PseudonymKey {
  const chosen = [options.keyEnv !== undefined, options.keyFile !== undefined, options.freshKey === true].filter(Boolean).length;
  if (chosen > 1) throw new PseudonymKeyError('give only one of --key-env, --key-file and --fresh-key');
  if (options.keyEnv !== undefined) {
    const value = env[options.keyEnv];
    if (value === undefined || value === '') throw new PseudonymKeyError(`--key-env ${options.keyEnv}: environment variable ${options.keyEnv} is not set`, `set it to a secret of at least ${MIN_KEY_BYTES} characters, ${GENERATE_HINT}`);
    return { key: checkLength(Buffer.from(value, 'utf8'), `--key-env ${options.keyEnv}`, GENERATE_HINT), source: 'env', origin: `environment variable ${options.keyEnv}`, created: false };
  }
  if (options.keyFile !== undefined) return { key: readKeyFile(options.keyFile, '--key-file'), source: 'file', origin: options.keyFile, created: false };
  if (options.freshKey) return { key: randomBytes(32), source: 'fresh', origin: 'a random key used for this share only', created: false };
  const path = defaultKeyFile(env);
  if (existsSync(path)) return { key: readKeyFile(path, 'pseudonym key file'), source: 'default-file', origin: path, created: false };
  // A dry run writes nothing, not even the key file it would create.
  if (options.dryRun) return { key: randomBytes(32), source: 'default-file', origin: `${path} (not created by a dry run)`, created: false };
  mkdirSync(configDirectory(env), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch {
    // Another share created it first: use that one.
    return { key: readKeyFile(path, 'pseudonym key file'), source: 'default-file', origin: path, created: false };
  }
  try {
    writeSync(fd, randomBytes(32).toString('base64') + '\n');
  } finally {
    closeSync(fd);
  }
  chmodSync(path, 0o600);
  return { key: readKeyFile(path, 'pseudonym key file'), source: 'default-file', origin: path, created: true };
}

/** A key file holds the key as text; a trailing newline is not part of it. */
function readKeyFile(path: string, what: string): Buffer {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch {
    throw new PseudonymKeyError(`${what} ${path}: cannot be read`, `create it with ${GENERATE_HINT} > ${path}; chmod 600 ${path}`);
  }
  let end = text.length;
  while (end > 0 && (text[end - 1] === 0x0a || text[end - 1] === 0x0d)) end--;
  return checkLength(text.subarray(0, end), `${what} ${path}`, GENERATE_HINT);
}

/** Bytes of a value as SQLite's CAST(x AS BLOB) gives them, so '42' and 42 get the same pseudonym (joins across types). */
function valueBytes(value: string | number | bigint | Buffer): Buffer {
  if (Buffer.isBuffer(value)) return value;
  return Buffer.from(String(value), 'utf8');
}

export type PseudonymInput = string | number | bigint | Buffer | null;

export interface Pseudonymizer {
  /** Identifies the key without revealing it: two shares with the same keyId have comparable pseudonyms. */
  keyId: string;
  /** The pseudonym of one value stored in a column of this storage kind and source name. */
  pseudonym(value: PseudonymInput, storage: StorageKind, columnName: string): PseudonymInput;
  /** The e-mail pseudonym of an address found inside a longer text (the same as for the whole value). */
  emailPseudonym(address: string): string;
}

export function createPseudonymizer(key: Buffer): Pseudonymizer {
  // Separate keys for the pseudonyms and for the key's public id, both derived from the sender's key.
  const valueKey = createHmac('sha256', key).update('snapbench share pseudonym v1').digest();
  const keyId = createHmac('sha256', key).update('snapbench share key id v1').digest('hex').slice(0, 16);
  const mac = (bytes: Buffer) => createHmac('sha256', valueKey).update(bytes).digest();
  const emailOf = (digest: Buffer) => `pii-${digest.toString('hex', 0, 8)}@pseudonym.invalid`;
  return {
    keyId,
    emailPseudonym: (address) => emailOf(mac(valueBytes(address))),
    pseudonym(value, storage, columnName) {
      if (value === null || isBlank(value)) return value;
      const digest = mac(valueBytes(value));
      switch (storage) {
        case 'integer':
        case 'boolean':
        case 'bit':
          // 62 bits: positive, and far from collisions at any table size.
          return digest.readBigUInt64BE(0) >> 2n;
        case 'blob':
          return digest.subarray(0, 16);
        default: {
          const kind = typeof value === 'string' ? piiKind(value, columnName) : null;
          if (kind === 'email') return emailOf(digest);
          if (kind === 'phone') return `+0${(digest.readBigUInt64BE(0) % 10n ** 14n).toString().padStart(14, '0')}`;
          return `pii:${digest.toString('hex', 0, 8)}`;
        }
      }
    },
  };
}
