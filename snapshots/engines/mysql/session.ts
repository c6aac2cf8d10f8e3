// The pull's session on a MySQL/MariaDB server: every variable the pull depends
// on is set after connecting (so after any init_connect), then read back, so a
// server's defaults — `init_connect='SET NAMES latin1'`, a global
// sql_select_limit, max_execution_time, sql_mode, time_zone, max_join_size —
// can neither truncate, re-encode nor kill what is read.
import type { ServerFact } from '../../../shared/model/snapshot.ts';
import { PullError } from '../types.ts';
import { mysqlQuery, type MysqlConnection } from './connect.ts';

/** The largest value of an unsigned 64-bit session variable: no limit. */
export const NO_LIMIT = '18446744073709551615';

interface SessionSetting {
  /** The variable as SELECT @@name reads it. */
  name: string;
  /** The SET statement. */
  set: string;
  /** What SELECT @@name must return afterwards (compared as text). */
  expect: string;
  /** Optional on servers that lack the variable (older versions, the other fork). */
  optional?: boolean;
}

/** What the pull sets, in order. Statement time guards are added per server (MariaDB and MySQL name them differently). */
function sessionSettings(isMariadb: boolean, statementTimeoutMs: number): SessionSetting[] {
  const settings: SessionSetting[] = [
    // Text in UTF-8 whatever init_connect or the server's defaults chose.
    { name: 'character_set_client', set: 'SET NAMES utf8mb4', expect: 'utf8mb4' },
    { name: 'character_set_connection', set: '', expect: 'utf8mb4' },
    { name: 'character_set_results', set: '', expect: 'utf8mb4' },
    // No server-side row cap on a SELECT without LIMIT (each data SELECT also carries its own LIMIT).
    { name: 'sql_select_limit', set: `SET SESSION sql_select_limit = ${NO_LIMIT}`, expect: NO_LIMIT },
    // Values as stored: no PAD_CHAR_TO_FULL_LENGTH, no ANSI_QUOTES or NO_BACKSLASH_ESCAPES changing how our SQL reads, no ORACLE mode.
    { name: 'sql_mode', set: "SET SESSION sql_mode = ''", expect: '' },
    // TIMESTAMP values in UTC.
    { name: 'time_zone', set: "SET SESSION time_zone = '+00:00'", expect: '+00:00' },
    // A large table must not be refused as a "big select".
    { name: 'sql_big_selects', set: 'SET SESSION sql_big_selects = 1', expect: '1' },
    // A slow consumer must not make the server drop a streaming result.
    { name: 'net_write_timeout', set: 'SET SESSION net_write_timeout = 600', expect: '600', optional: true },
  ];
  if (isMariadb) {
    const seconds = Math.ceil(statementTimeoutMs / 1000);
    settings.push({ name: 'max_statement_time', set: `SET SESSION max_statement_time = ${seconds}`, expect: `${seconds}.000000`, optional: true });
  } else {
    const ms = Math.ceil(statementTimeoutMs);
    settings.push({ name: 'max_execution_time', set: `SET SESSION max_execution_time = ${ms}`, expect: String(ms), optional: true });
  }
  return settings;
}

const GLOBALS_WORTH_NAMING = ['init_connect', 'sql_select_limit', 'sql_mode', 'time_zone', 'character_set_client', 'character_set_results', 'max_join_size'];

export interface PreparedSession {
  /** Words for the consistency note: what could not be set. */
  notes: string[];
  /** What the server would have imposed, and what the pull set instead (category `session`). */
  facts: ServerFact[];
}

/**
 * Sets the pull's session variables and reads them back. A variable that does
 * not hold (a proxy that ignores SET, say) fails the instance with its name:
 * reading on would store other data silently.
 */
export async function prepareMysqlSession(connection: MysqlConnection, isMariadb: boolean, statementTimeoutMs: number): Promise<PreparedSession> {
  const notes: string[] = [];
  const settings = sessionSettings(isMariadb, statementTimeoutMs);
  const skipped = new Set<string>();
  for (const setting of settings) {
    if (!setting.set) continue;
    try {
      await mysqlQuery(connection, setting.set);
    } catch (error) {
      if (!setting.optional) throw new PullError(`could not set ${setting.name} for the pull's session: ${(error as Error).message}`, null, 'session');
      skipped.add(setting.name);
      notes.push(`${setting.name} not settable on this server`);
    }
  }
  const checked = settings.filter((s) => !skipped.has(s.name));
  const row = (await mysqlQuery<Record<string, unknown>>(connection, `SELECT ${checked.map((s) => `@@SESSION.${s.name} AS \`${s.name}\``).join(', ')}`))[0] ?? {};
  const wrong = checked.filter((s) => !sameValue(row[s.name], s.expect));
  if (wrong.length > 0) {
    throw new PullError(
      `the session does not keep the settings a faithful pull needs: ${wrong.map((s) => `${s.name} is ${JSON.stringify(String(row[s.name] ?? null))}, not ${JSON.stringify(s.expect)}`).join('; ')}`,
      'a proxy or init_connect overrides session variables; connect to the server directly or ask the DBA to exempt the pull user',
      'session',
    );
  }
  // Read after the session is set (the globals do not change): under a tiny global statement time the read itself could be killed.
  const globals = await readGlobals(connection);
  const facts: ServerFact[] = [];
  for (const name of GLOBALS_WORTH_NAMING) {
    if (globals[name] === undefined) continue;
    facts.push({ category: 'session', name: `global.${name}`, value: globals[name] === null ? null : String(globals[name]) });
  }
  facts.push({ category: 'session', name: 'set_by_pull', value: checked.map((s) => `${s.name}=${s.expect}`).join('; ') });
  return { notes, facts };
}

/** A variable's value as read back equals what was set: as text, or as the same number (`3600` and `3600.000000`). */
function sameValue(actual: unknown, expected: string): boolean {
  const text = actual === null || actual === undefined ? '' : String(actual);
  if (text === expected) return true;
  return /^-?\d+(\.\d+)?$/.test(text) && /^-?\d+(\.\d+)?$/.test(expected) && Number(text) === Number(expected) && Number.isSafeInteger(Math.trunc(Number(text)));
}

/** The server's defaults the pull overrides, for the record (a missing variable is left out). */
async function readGlobals(connection: MysqlConnection): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const rows = await mysqlQuery<{ Variable_name: string; Value: string }>(connection, 'SHOW GLOBAL VARIABLES WHERE Variable_name IN (?)', [GLOBALS_WORTH_NAMING]).catch(() => []);
  for (const r of rows) out[r.Variable_name] = r.Value;
  return out;
}
