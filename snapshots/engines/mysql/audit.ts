// The connection check's read-only audit of a MySQL/MariaDB account: what its
// grants (SHOW GRANTS, and those of the roles granted to it) let it change, and
// what they hide from it (table- or column-level grants, databases it cannot see).
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import { capList, roundTripMs, type ProbeResult } from '../../check/types.ts';
import type { Network } from '../../net/network.ts';
import { closeMysql, connectMysql, mysqlPullError, mysqlQuery, type MysqlConnection } from './connect.ts';
import { listDatabases, userDatabases } from './introspect.ts';
import { mysqlReadability } from './privileges.ts';

/** Privileges that change data, schema, users or the server. */
const WRITE_PRIVILEGES = new Set([
  'ALL',
  'ALL PRIVILEGES',
  'INSERT',
  'UPDATE',
  'DELETE',
  'DELETE HISTORY',
  'CREATE',
  'DROP',
  'ALTER',
  'INDEX',
  'CREATE VIEW',
  'CREATE ROUTINE',
  'ALTER ROUTINE',
  'EVENT',
  'TRIGGER',
  'FILE',
  'SUPER',
  'CREATE USER',
  'CREATE TABLESPACE',
  'GRANT OPTION',
  'SHUTDOWN',
  'RELOAD',
]);

/** Splits "SELECT (`a`, `b`), INSERT" at the commas outside parentheses. */
function splitPrivileges(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of list) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += c;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

export interface GrantAudit {
  writePrivileges: string[];
  roles: string[];
}

/** The write privileges in SHOW GRANTS lines ("INSERT ON `shop`.*"), and the roles granted. */
export function auditGrants(lines: string[]): GrantAudit {
  const writePrivileges: string[] = [];
  const roles: string[] = [];
  for (const line of lines) {
    const grant = /^GRANT (.+?) ON (.+?) TO /i.exec(line);
    if (!grant) {
      const role = /^GRANT (.+?) TO /i.exec(line);
      if (role) roles.push(...role[1]!.split(',').map((r) => r.trim()));
      continue;
    }
    const object = grant[2]!.trim();
    if (/^PROXY$/i.test(grant[1]!.trim())) continue;
    for (const privilege of splitPrivileges(grant[1]!)) {
      const name = privilege.replace(/\s*\(.*\)\s*$/, '').toUpperCase();
      if (WRITE_PRIVILEGES.has(name)) writePrivileges.push(`${name}${privilege.includes('(') ? ' (columns)' : ''} ON ${object}`);
    }
    if (/ WITH GRANT OPTION\s*$/i.test(line)) writePrivileges.push(`GRANT OPTION ON ${object}`);
  }
  return { writePrivileges, roles };
}

/**
 * What the account cannot see of the databases a pull would read. MySQL hides
 * from an account every table (and database) it has no privilege on, so no
 * unreadable table can be named: the warnings say where tables may be missing.
 */
async function readWarnings(instance: FleetInstance, connection: MysqlConnection): Promise<string[]> {
  const user = instance.connection?.user ?? 'root';
  const visible = await listDatabases(connection);
  const warnings: string[] = [];
  let databases = userDatabases(visible);
  if (instance.databases && instance.databases.length > 0) {
    const listed = [...new Set(instance.databases)];
    for (const database of listed.filter((d) => !visible.includes(d))) {
      warnings.push(
        `database ${database} not found: a database the account has no privilege on is hidden from it, so it may exist (grant user "${user}" SELECT ON ${database}.*, or fix "databases" in the fleet manifest); a pull of this instance fails until then`,
      );
    }
    databases = listed.filter((d) => visible.includes(d));
  }
  const readability = await mysqlReadability(connection, databases);
  if (readability.unknown) return [...warnings, `what the account can read is unknown (${readability.unknown})`];
  warnings.push(...readability.warnings);
  for (const [database, r] of Object.entries(readability.databases)) {
    if (r.level === 'none') warnings.push(`database ${database}: the account ${readability.account} has no SELECT there (grant SELECT ON ${database}.*); a pull finds no table in it`);
  }
  return warnings;
}

export async function probeMysql(instance: FleetInstance, password: string | undefined, network: Network): Promise<ProbeResult> {
  let server;
  try {
    server = await connectMysql(instance, password, network);
  } catch (error) {
    throw mysqlPullError(instance, error);
  }
  try {
    const latencyMs = await roundTripMs(() => mysqlQuery(server.connection, 'SELECT 1'));
    const grantLines = async (sql: string) => (await mysqlQuery<Record<string, string>>(server.connection, sql)).map((row) => String(Object.values(row)[0]));
    const own = auditGrants(await grantLines('SHOW GRANTS'));
    const writePrivileges = [...own.writePrivileges];
    let auditNote: string | undefined;
    for (const role of own.roles) {
      try {
        writePrivileges.push(...auditGrants(await grantLines(`SHOW GRANTS FOR ${role}`)).writePrivileges.map((p) => `${p} (role ${role})`));
      } catch {
        auditNote = `the grants of role ${role} could not be read`;
      }
    }
    return {
      version: server.version,
      tls: server.tls,
      latencyMs,
      canWrite: writePrivileges.length > 0 ? true : auditNote ? null : false,
      writePrivileges: capList(writePrivileges),
      auditNote,
      notReadable: [],
      readWarnings: capList(await readWarnings(instance, server.connection)),
    };
  } catch (error) {
    throw mysqlPullError(instance, error);
  } finally {
    await closeMysql(server.connection);
  }
}
