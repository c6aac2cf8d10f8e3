// The fleet manifest: which instances exist, how to reach them, and what the
// cost model needs to know about them. Parsed from YAML at the edge, validated
// here, trusted everywhere after.
import { z } from 'zod';
import { inertText } from '../text/inert.ts';
import { describeIssue } from './issues.ts';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REDIS_COMMAND_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from './timeouts.ts';

export const ENGINES = ['mysql', 'postgres', 'redis'] as const;
export type Engine = (typeof ENGINES)[number];

const ENGINE_ALIASES: Record<string, Engine> = {
  mysql: 'mysql',
  mariadb: 'mysql',
  postgres: 'postgres',
  postgresql: 'postgres',
  redis: 'redis',
};

export const DEFAULT_PORTS: Record<Engine, number> = { mysql: 3306, postgres: 5432, redis: 6379 };

const port = z.union([z.number(), z.string().regex(/^\d+$/, 'must be a whole number').transform(Number)]).pipe(
  z
    .number()
    .refine((n) => Number.isInteger(n) && n >= 1 && n <= 65535, 'must be a whole number from 1 to 65535'),
);

const positiveMs = z.number().int().positive();

const tlsObject = z
  .object({
    ca_file: z.string().min(1).optional(),
    server_name: z.string().min(1).optional(),
    cert_file: z.string().min(1).optional(),
    key_file: z.string().min(1).optional(),
    insecure: z.boolean().optional(),
    // Older spellings, still accepted: servername = server_name, reject_unauthorized: false = insecure: true.
    servername: z.string().min(1).optional(),
    reject_unauthorized: z.boolean().optional(),
  })
  .strict();
const tls = z.union([z.boolean(), tlsObject]);

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const sshObject = z
  .object({
    host: z.string().trim().min(1, 'must be the bastion host name or address'),
    port: port.optional(),
    user: z.string().trim().min(1, 'must be the user name on the bastion'),
    key_file: z.string().min(1).optional(),
    agent: z.boolean().optional(),
    password_env: envName.optional(),
    passphrase_env: envName.optional(),
    known_hosts: z.string().min(1).optional(),
    host_key: z.string().trim().min(1).optional(),
  })
  .strict();
const ssh = z.union([z.literal(false), sshObject]);

const passwordCommand = z.string().trim().min(1, 'must be the command that prints the password');

const positiveMsField = z.number().int().positive();

/** Keys a fleet-level `defaults:` block may set; every instance with a host inherits those it does not set itself. */
const defaultsSchema = z
  .object({
    ssh: ssh.optional(),
    tls: tls.optional(),
    connect_timeout_ms: positiveMsField.optional(),
    statement_timeout_ms: positiveMsField.optional(),
  })
  .strict();

const instance = z
  .object({
    name: z.string().trim().min(1, 'must be a non-empty name'),
    engine: z.string().transform((value, ctx) => {
      const engine = ENGINE_ALIASES[value.trim().toLowerCase()];
      if (!engine) {
        ctx.addIssue({ code: 'custom', message: `unknown engine "${value}"; use one of ${ENGINES.join(', ')}` });
        return z.NEVER;
      }
      return engine;
    }),
    domain: z.string().optional(),
    host: z.string().trim().min(1, 'must be a host name or address').optional(),
    port: port.optional(),
    user: z.string().optional(),
    password_env: envName.optional(),
    password_command: passwordCommand.optional(),
    databases: z.array(z.union([z.string().min(1), z.number().int().nonnegative()])).optional(),
    instance_class: z.string().optional(),
    allocated_memory_mb: z.number().positive('must be a positive number of MiB').optional(),
    raw_key_names: z.boolean().optional(),
    read_values: z.boolean().optional(),
    memory_samples: z.number().int('must be a whole number').nonnegative('must be 0 (exact) or a positive number of samples').optional(),
    history: z.boolean().optional(),
    prefer_replicas: z.boolean().optional(),
    tags: z.union([z.array(z.string()), z.record(z.string(), z.unknown())]).optional(),
    tls: tls.optional(),
    connect_timeout_ms: positiveMs.optional(),
    statement_timeout_ms: positiveMs.optional(),
    ssh: ssh.optional(),
    pull: z.enum(['full', 'sample', 'pushdown']).optional(),
    max_rows: z.number().int().positive('must be a whole number of at least 1').optional(),
    append_only: z.array(z.string().trim().min(1, 'must be a table name or a glob like t_log_*')).optional(),
  })
  .passthrough();

const fleetSchema = z
  .object({
    name: z.string().optional(),
    synthetic: z.boolean().optional(),
    defaults: z.unknown().optional(),
    instances: z.array(z.unknown()),
  })
  .passthrough();

export interface TlsOptions {
  /** PEM bundle of the CAs to trust; absent: the system CAs. */
  caFile?: string;
  /** The name the certificate must hold; absent: the host. */
  serverName?: string;
  certFile?: string;
  keyFile?: string;
  /** Certificate and name not checked (warned at load, recorded in the snapshot). */
  insecure: boolean;
}

/** An SSH bastion the instance is reached through. Paths may start with ~ (expanded where they are read). */
export interface SshOptions {
  host: string;
  port: number;
  user: string;
  keyFile?: string;
  agent: boolean;
  passwordEnv?: string;
  passphraseEnv?: string;
  /** Default ~/.ssh/known_hosts; ignored when hostKey pins the key. */
  knownHosts?: string;
  /** A pinned host key: "ssh-ed25519 AAAA..." or its "SHA256:..." fingerprint. */
  hostKey?: string;
}

/** "user@host:port" of a bastion: how reports name the route, and the key under which one SSH connection is shared. */
export function sshRoute(ssh: SshOptions): string {
  return `${ssh.user}@${ssh.host}:${ssh.port}`;
}

/** An instance as the rest of the program sees it: defaults applied, names normalised. */
export interface FleetInstance {
  name: string;
  engine: Engine;
  domain?: string;
  /** Absent for inventory-only instances, which count in the cost model but are not pulled. */
  connection?: {
    host: string;
    port: number;
    user?: string;
    passwordEnv?: string;
    /** A command whose trimmed stdout is the password (short-lived tokens); run just before connecting. */
    passwordCommand?: string;
    tls?: TlsOptions;
    ssh?: SshOptions;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
  };
  databases?: string[];
  instanceClass?: string;
  allocatedMemoryMb?: number;
  rawKeyNames: boolean;
  readValues: boolean;
  /** Redis: MEMORY USAGE ... SAMPLES n (0 = every element, exact); absent = the server's default (5). */
  memorySamples?: number;
  /** MariaDB system-versioned tables: pull FOR SYSTEM_TIME ALL with the period columns instead of the current rows. */
  history?: boolean;
  /** Redis Cluster: walk each shard on a replica where one is healthy (keeps load off the primaries). */
  preferReplicas?: boolean;
  tags?: string[] | Record<string, unknown>;
  /**
   * full: every row; sample: at most `maxRows` rows per table; pushdown: the
   * catalog and exact row counts only, the data checked in place by `dq --pushdown`.
   */
  pull?: PullMode;
  maxRows?: number;
  /**
   * Tables (names or globs) that only ever get new rows: an incremental pull
   * reads only the rows above the base's largest key, after checking that the
   * base's rows are still the server's (else it reads the table in full).
   */
  appendOnly?: string[];
}

export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REDIS_COMMAND_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from './timeouts.ts';
export const PULL_MODES = ['full', 'sample', 'pushdown'] as const;
export type PullMode = (typeof PULL_MODES)[number];

export interface Fleet {
  name?: string;
  synthetic: boolean;
  instances: FleetInstance[];
  /** Fields that were not understood: reported as warnings, never silently dropped. */
  warnings: string[];
}

export class FleetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetError';
  }
}

const KNOWN_INSTANCE_KEYS = new Set(Object.keys(instance.shape));
const CONNECTION_KEYS = ['port', 'user', 'password_env', 'password_command', 'databases', 'tls', 'ssh', 'connect_timeout_ms', 'statement_timeout_ms'];
const DEFAULT_KEYS = Object.keys(defaultsSchema.shape) as (keyof z.infer<typeof defaultsSchema>)[];

/** A manifest path as written, resolved against the manifest's folder when relative (~ is left for the reader to expand). */
export function manifestPath(path: string, baseDir: string | undefined): string {
  if (!baseDir || path.startsWith('/') || path === '~' || path.startsWith('~/') || /^[A-Za-z]:[\\/]/.test(path)) return path;
  return `${baseDir.replace(/[\\/]+$/, '')}/${path}`;
}

function tlsFrom(value: z.infer<typeof tls> | undefined, baseDir: string | undefined): TlsOptions | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { insecure: false };
  const file = (path: string | undefined) => (path === undefined ? undefined : manifestPath(path, baseDir));
  return {
    caFile: file(value.ca_file),
    serverName: value.server_name ?? value.servername,
    certFile: file(value.cert_file),
    keyFile: file(value.key_file),
    insecure: value.insecure ?? (value.reject_unauthorized === false),
  };
}

function sshFrom(value: z.infer<typeof sshObject>, baseDir: string | undefined): SshOptions {
  return {
    host: value.host,
    port: value.port ?? 22,
    user: value.user,
    keyFile: value.key_file === undefined ? undefined : manifestPath(value.key_file, baseDir),
    agent: value.agent ?? false,
    passwordEnv: value.password_env,
    passphraseEnv: value.passphrase_env,
    knownHosts: value.known_hosts === undefined ? undefined : manifestPath(value.known_hosts, baseDir),
    hostKey: value.host_key,
  };
}


/**
 * Validates a parsed manifest document. Every problem is one line that names the
 * instance and the field; all lines are collected so a user fixes them in one go.
 */
export function parseFleet(document: unknown, source = 'fleet manifest', options: { baseDir?: string } = {}): Fleet {
  const top = fleetSchema.safeParse(document);
  if (!top.success) {
    const hasInstances = !!document && typeof document === 'object' && 'instances' in document;
    if (hasInstances) {
      throw new FleetError(`${source}: "instances" must be a list of instances`);
    }
    throw new FleetError(`${source}: expected a YAML mapping with an "instances" list`);
  }
  const errors: string[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, number>();
  const instances: FleetInstance[] = [];
  for (const key of Object.keys(top.data)) {
    if (!['name', 'synthetic', 'defaults', 'instances'].includes(key)) warnings.push(`${source}: unknown top-level field "${key}" ignored`);
  }
  let defaults: z.infer<typeof defaultsSchema> = {};
  if (top.data.defaults !== undefined && top.data.defaults !== null) {
    const parsedDefaults = defaultsSchema.safeParse(top.data.defaults);
    if (!parsedDefaults.success) {
      const lines = parsedDefaults.error.issues.map((issue) =>
        issue.code === 'unrecognized_keys'
          ? `defaults: ${issue.keys.map((k) => `"${k}"`).join(', ')} cannot be a default; defaults may set ${DEFAULT_KEYS.join(', ')}`
          : describeIssue('defaults', issue, top.data.defaults).join('; '),
      );
      throw new FleetError(lines.map((line) => `${source}: ${line}`).join('\n'));
    }
    defaults = parsedDefaults.data;
  }
  top.data.instances.forEach((raw, index) => {
    const label =
      raw && typeof raw === 'object' && typeof (raw as { name?: unknown }).name === 'string'
        ? `instance "${inertText((raw as { name: string }).name)}"`
        : `instance #${index + 1}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      errors.push(`${label}: must be a mapping of fields (name, engine, host, ...)`);
      return;
    }
    const parsed = instance.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push(...describeIssue(label, issue, raw));
      return;
    }
    const value = parsed.data;
    for (const key of Object.keys(raw)) {
      if (!KNOWN_INSTANCE_KEYS.has(key)) warnings.push(`${source}: ${label}: unknown field "${key}" ignored`);
    }
    const previous = seen.get(value.name);
    if (previous !== undefined) {
      errors.push(`${label} field "name": duplicate instance name (also instance #${previous + 1}); names must be unique`);
      return;
    }
    seen.set(value.name, index);
    if (value.password_env !== undefined && value.password_command !== undefined) {
      errors.push(`${label}: give password_env or password_command, not both`);
      return;
    }
    const engine = value.engine as Engine;
    if (!value.host) {
      const connectionFields = CONNECTION_KEYS.filter((key) => (raw as Record<string, unknown>)[key] !== undefined);
      if (connectionFields.length > 0) {
        errors.push(
          `${label} field "host": is required when ${connectionFields.join(', ')} ${connectionFields.length > 1 ? 'are' : 'is'} given (leave all connection fields out for an inventory-only instance)`,
        );
        return;
      }
    }
    if (engine === 'redis' && value.databases?.some((db) => !/^\d+$/.test(String(db)))) {
      errors.push(`${label} field "databases": Redis databases are numbers (0, 1, ...)`);
      return;
    }
    if (value.append_only !== undefined && engine === 'redis') {
      errors.push(`${label} field "append_only": applies to MySQL and PostgreSQL tables, not to Redis`);
      return;
    }
    if (value.pull === 'sample' && value.max_rows === undefined) {
      errors.push(`${label} field "max_rows": is required with pull: sample (the rows per table to keep)`);
      return;
    }
    // Defaults apply to instances that are pulled; an inventory-only instance stays without connection.
    const inherit = <K extends keyof typeof defaults>(key: K) => ((raw as Record<string, unknown>)[key] !== undefined ? undefined : defaults[key]);
    const tlsValue = value.tls ?? inherit('tls');
    const sshValue = value.ssh ?? inherit('ssh');
    const tlsOptions = tlsFrom(tlsValue, options.baseDir);
    if (value.host && tlsOptions?.insecure) {
      warnings.push(`${source}: ${label}: tls.insecure: the server's certificate and name are not checked, so anyone on the path can read the credentials and data; recorded in the snapshot`);
    }
    if (tlsOptions && (tlsOptions.certFile === undefined) !== (tlsOptions.keyFile === undefined)) {
      errors.push(`${label} field "tls": cert_file and key_file go together (the client certificate and its private key)`);
      return;
    }
    const sshOptions = sshValue ? sshFrom(sshValue, options.baseDir) : undefined;
    if (value.host && sshOptions && !sshOptions.keyFile && !sshOptions.agent && !sshOptions.passwordEnv) {
      errors.push(`${label} field "ssh": say how to log in to the bastion: key_file, agent: true or password_env`);
      return;
    }
    instances.push({
      name: value.name,
      engine,
      domain: value.domain,
      connection: value.host
        ? {
            host: value.host,
            port: value.port ?? DEFAULT_PORTS[engine],
            user: value.user,
            passwordEnv: value.password_env,
            passwordCommand: value.password_command,
            tls: tlsOptions,
            ssh: sshOptions,
            connectTimeoutMs: value.connect_timeout_ms ?? inherit('connect_timeout_ms') ?? DEFAULT_CONNECT_TIMEOUT_MS,
            statementTimeoutMs:
              value.statement_timeout_ms ?? inherit('statement_timeout_ms') ?? (engine === 'redis' ? DEFAULT_REDIS_COMMAND_TIMEOUT_MS : DEFAULT_STATEMENT_TIMEOUT_MS),
          }
        : undefined,
      databases: value.databases?.map(String),
      instanceClass: value.instance_class,
      allocatedMemoryMb: value.allocated_memory_mb,
      rawKeyNames: value.raw_key_names ?? false,
      readValues: value.read_values ?? false,
      ...(value.memory_samples !== undefined ? { memorySamples: value.memory_samples } : {}),
      ...(value.history !== undefined ? { history: value.history } : {}),
      preferReplicas: value.prefer_replicas ?? false,
      tags: value.tags,
      ...(value.pull ? { pull: value.pull } : {}),
      ...(value.max_rows !== undefined ? { maxRows: value.max_rows } : {}),
      ...(value.append_only !== undefined ? { appendOnly: value.append_only } : {}),
    });
  });
  if (errors.length > 0) throw new FleetError(errors.map((line) => `${source}: ${line}`).join('\n'));
  return { name: top.data.name, synthetic: top.data.synthetic ?? false, instances, warnings };
}

/**
 * Checks that every password variable the selected instances name is set.
 * Done at pull time, not parse time, so `--only` can leave others out.
 */
export function missingPasswordVariables(instances: FleetInstance[], env: Record<string, string | undefined>): string[] {
  const lines: string[] = [];
  for (const i of instances) {
    const c = i.connection;
    if (!c) continue;
    if (c.passwordEnv && env[c.passwordEnv] === undefined) {
      lines.push(`instance "${i.name}" field "password_env": environment variable ${c.passwordEnv} is not set; export it before pulling`);
    }
    for (const [field, name] of [['ssh.password_env', c.ssh?.passwordEnv], ['ssh.passphrase_env', c.ssh?.passphraseEnv]] as const) {
      if (name && env[name] === undefined) lines.push(`instance "${i.name}" field "${field}": environment variable ${name} is not set; export it before pulling`);
    }
  }
  return lines;
}
