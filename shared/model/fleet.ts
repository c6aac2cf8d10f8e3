// The fleet manifest: which instances exist, how to reach them, and what the
// cost model needs to know about them. Parsed from YAML at the edge, validated
// here, trusted everywhere after.
import { z } from 'zod';

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

const tls = z.union([
  z.boolean(),
  z.object({
    ca_file: z.string().min(1).optional(),
    reject_unauthorized: z.boolean().optional(),
    servername: z.string().optional(),
  }).strict(),
]);

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
    password_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
    databases: z.array(z.union([z.string().min(1), z.number().int().nonnegative()])).optional(),
    instance_class: z.string().optional(),
    allocated_memory_mb: z.number().positive('must be a positive number of MiB').optional(),
    raw_key_names: z.boolean().optional(),
    read_values: z.boolean().optional(),
    memory_samples: z.number().int('must be a whole number').nonnegative('must be 0 (exact) or a positive number of samples').optional(),
    history: z.boolean().optional(),
    tags: z.union([z.array(z.string()), z.record(z.string(), z.unknown())]).optional(),
    tls: tls.optional(),
    connect_timeout_ms: positiveMs.optional(),
    statement_timeout_ms: positiveMs.optional(),
    ssh: z.unknown().optional(),
  })
  .passthrough();

const fleetSchema = z
  .object({
    name: z.string().optional(),
    synthetic: z.boolean().optional(),
    instances: z.array(z.unknown()),
  })
  .passthrough();

export interface TlsOptions {
  caFile?: string;
  rejectUnauthorized: boolean;
  servername?: string;
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
    tls?: TlsOptions;
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
  tags?: string[] | Record<string, unknown>;
}

/** Redis answers a command in microseconds: a command without an answer for this long means the server is stuck. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 60_000;
/** MySQL/PostgreSQL: the server-side guard on one statement (a whole table's SELECT or COPY). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 3_600_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

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
const CONNECTION_KEYS = ['port', 'user', 'password_env', 'databases', 'tls', 'connect_timeout_ms', 'statement_timeout_ms'];

function describeIssue(prefix: string, issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.');
  const where = field ? `${prefix} field "${field}"` : prefix;
  let message = issue.message;
  if (issue.code === 'invalid_type') {
    message = issue.input === undefined ? 'is required' : `must be ${issue.expected}`;
  }
  return `${where}: ${message}`;
}

/**
 * Validates a parsed manifest document. Every problem is one line that names the
 * instance and the field; all lines are collected so a user fixes them in one go.
 */
export function parseFleet(document: unknown, source = 'fleet manifest'): Fleet {
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
    if (!['name', 'synthetic', 'instances'].includes(key)) warnings.push(`${source}: unknown top-level field "${key}" ignored`);
  }
  top.data.instances.forEach((raw, index) => {
    const label =
      raw && typeof raw === 'object' && typeof (raw as { name?: unknown }).name === 'string'
        ? `instance "${(raw as { name: string }).name}"`
        : `instance #${index + 1}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      errors.push(`${label}: must be a mapping of fields (name, engine, host, ...)`);
      return;
    }
    const parsed = instance.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push(describeIssue(label, issue));
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
    if (value.ssh !== undefined) {
      errors.push(
        `${label} field "ssh": SSH tunnels are not built in yet; open one with "ssh -N -L LOCALPORT:DBHOST:DBPORT bastion" and set host/port to the local end`,
      );
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
    let tlsOptions: TlsOptions | undefined;
    if (value.tls === true) tlsOptions = { rejectUnauthorized: true };
    else if (value.tls && typeof value.tls === 'object')
      tlsOptions = {
        caFile: value.tls.ca_file,
        rejectUnauthorized: value.tls.reject_unauthorized ?? true,
        servername: value.tls.servername,
      };
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
            tls: tlsOptions,
            connectTimeoutMs: value.connect_timeout_ms ?? DEFAULT_CONNECT_TIMEOUT_MS,
            statementTimeoutMs: value.statement_timeout_ms ?? (engine === 'redis' ? DEFAULT_REDIS_COMMAND_TIMEOUT_MS : DEFAULT_STATEMENT_TIMEOUT_MS),
          }
        : undefined,
      databases: value.databases?.map(String),
      instanceClass: value.instance_class,
      allocatedMemoryMb: value.allocated_memory_mb,
      rawKeyNames: value.raw_key_names ?? false,
      readValues: value.read_values ?? false,
      ...(value.memory_samples !== undefined ? { memorySamples: value.memory_samples } : {}),
      ...(value.history !== undefined ? { history: value.history } : {}),
      tags: value.tags,
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
  return instances
    .filter((i) => i.connection?.passwordEnv && env[i.connection.passwordEnv] === undefined)
    .map(
      (i) =>
        `instance "${i.name}" field "password_env": environment variable ${i.connection!.passwordEnv} is not set; export it before pulling`,
    );
}
