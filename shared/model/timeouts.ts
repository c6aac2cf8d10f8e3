// The default time limits of a fleet instance, without the manifest's schema
// (fleet.ts re-exports them): the command line's help quotes them and loads
// nothing else.

/** Redis answers a command in microseconds: a command without an answer for this long means the server is stuck. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 60_000;
/** MySQL/PostgreSQL: the server-side guard on one statement (a whole table's SELECT or COPY). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 3_600_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
