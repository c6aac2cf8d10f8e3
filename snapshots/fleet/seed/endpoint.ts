// Where `fleet seed` writes, and the errors it reports: one line naming the
// flag and what to do.

export interface Endpoint {
  /** The flag the endpoint came from, for error messages (e.g. "--mysql"). */
  flag: string;
  host: string;
  port: number;
  user?: string;
  password?: string;
  /** The environment variable the password came from (written to the manifest, never the password). */
  passwordEnv?: string;
}

export class SeedError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'SeedError';
  }
}

/** "HOST:PORT" (or "[v6]:PORT") → host and port. */
export function parseHostPort(flag: string, text: string, defaultPort: number): { host: string; port: number } {
  const trimmed = text.trim();
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(trimmed);
  const port = match?.[2] === undefined ? defaultPort : Number(match[2]);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SeedError(`${flag} ${text}: expected HOST:PORT`, `for example ${flag} 127.0.0.1:${defaultPort}`);
  }
  return { host: match[1]!, port };
}

/** Turns a driver's connection error into what the user should do. */
export function connectionError(endpoint: Endpoint, error: unknown, userFlag: string | null, passwordFlag: string | null): SeedError {
  const e = error as { code?: string; message?: string; sqlMessage?: string };
  const where = `${endpoint.flag} ${endpoint.host}:${endpoint.port}`;
  const message = (e.sqlMessage ?? e.message ?? String(error)).split('\n')[0]!;
  if (e.code === 'ECONNREFUSED') return new SeedError(`${where}: connection refused`, 'is the server running, and are the host and port right?');
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return new SeedError(`${where}: host not found`, `check the host given to ${endpoint.flag}`);
  if (e.code === 'ETIMEDOUT') return new SeedError(`${where}: connection timed out`, 'check the network path to the server');
  if (/access denied|authentication failed|password|NOAUTH|WRONGPASS|ER_ACCESS_DENIED/i.test(`${e.code ?? ''} ${message}`)) {
    const flags = [userFlag, passwordFlag].filter(Boolean).join(' and ');
    return new SeedError(`${where}: access denied${endpoint.user ? ` for user "${endpoint.user}"` : ''}`, `check ${flags || 'the credentials'}`);
  }
  return new SeedError(`${where}: ${message}`, null);
}
