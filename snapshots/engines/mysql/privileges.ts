// What a MySQL/MariaDB account can read, from SHOW GRANTS (which, unlike the
// information_schema privilege tables, includes the grants of its roles).
// information_schema shows an account only the tables and columns it has a
// privilege on: a database granted per table or per column looks complete to
// it while the other tables are simply absent. This module says so.
//
// Used by the pull (warnings, partial tables, DQ skips) and by
// `fleet check --connect` (the account audit).
import { mysqlQuery, type MysqlConnection } from './connect.ts';

/** Privileges that let an account read a table's rows. */
const READ_PRIVILEGES = /^(SELECT|ALL|ALL PRIVILEGES)$/i;

export interface ParsedGrant {
  /** `*` for every database; else the database name or LIKE pattern as granted. */
  database: string;
  /** `*` for every table of the database. */
  table: string;
  /** Table-wide privileges (upper case). */
  privileges: string[];
  /** Column-level privileges: privilege → columns. */
  columns: Record<string, string[]>;
  /** The grant came from a role (`GRANT ... TO role`), not the user itself. */
  viaRole: string | null;
}

export type DatabaseReadability =
  /** SELECT on every table (global or database-level grant). */
  | { level: 'full' }
  /** SELECT on some tables or columns only; the rest is invisible to the account. */
  | { level: 'partial'; tables: string[]; columnTables: Record<string, string[]> }
  /** No read privilege at all that the grants show (the database is then invisible). */
  | { level: 'none' };

export interface MysqlReadability {
  account: string;
  /** Per database asked about. */
  databases: Record<string, DatabaseReadability>;
  /** One line per database the account reads only in part. */
  warnings: string[];
  /** Grants that could not be read (SHOW GRANTS refused): readability unknown. */
  unknown: string | null;
}

function unquote(identifier: string): string {
  const t = identifier.trim();
  if (t.startsWith('`') && t.endsWith('`')) return t.slice(1, -1).replaceAll('``', '`');
  if (t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1);
  return t;
}

/** Splits at top-level commas (not inside parentheses or backticks). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '`') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter(Boolean);
}

/** Splits `db`.`table` (either part may be `*`) at the dot outside backticks. */
function splitTarget(target: string): [string, string] | null {
  let quoted = false;
  for (let i = 0; i < target.length; i++) {
    const c = target[i];
    if (c === '`') quoted = !quoted;
    else if (!quoted && c === '.') return [unquote(target.slice(0, i)), unquote(target.slice(i + 1))];
  }
  return null;
}

/**
 * One line of SHOW GRANTS, or null when it grants no table privileges (roles,
 * routines, proxies, DEFAULT ROLE lines). `grantee` is the account or role the
 * line is for.
 */
export function parseGrantLine(line: string, account: string): ParsedGrant | null {
  const m = /^GRANT\s+(.+?)\s+ON\s+(?:TABLE\s+)?(\S+)\s+TO\s+(\S+)/i.exec(line.trim());
  if (!m) return null;
  const target = splitTarget(m[2]!);
  if (!target) return null;
  const grantee = m[3]!.replace(/`/g, '').replace(/'/g, '');
  const privileges: string[] = [];
  const columns: Record<string, string[]> = {};
  for (const part of splitTopLevel(m[1]!)) {
    const column = /^(.+?)\s*\((.*)\)$/.exec(part);
    if (column) {
      const name = column[1]!.toUpperCase();
      columns[name] = splitTopLevel(column[2]!).map(unquote);
    } else privileges.push(part.toUpperCase());
  }
  const accountName = account.replace(/`/g, '').replace(/'/g, '');
  return { database: target[0], table: target[1], privileges, columns, viaRole: grantee === accountName ? null : grantee.split('@')[0]! };
}

/** A database-level grant's name is a LIKE pattern (`shop\_%`): does it cover `database`? */
export function grantCoversDatabase(pattern: string, database: string): boolean {
  if (pattern === '*') return true;
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) regex += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '%') regex += '.*';
    else if (c === '_') regex += '.';
    else regex += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${regex}$`, 's').test(database);
}

/** What the parsed grants let the account read in one database. */
export function databaseReadability(grants: ParsedGrant[], database: string): DatabaseReadability {
  const reads = (g: ParsedGrant) => g.privileges.some((p) => READ_PRIVILEGES.test(p));
  if (grants.some((g) => g.table === '*' && reads(g) && grantCoversDatabase(g.database, database))) return { level: 'full' };
  const tables = new Set<string>();
  const columnTables: Record<string, string[]> = {};
  for (const g of grants) {
    if (g.database !== database || g.table === '*') continue;
    if (reads(g)) tables.add(g.table);
    else if (g.columns.SELECT?.length) columnTables[g.table] = [...(columnTables[g.table] ?? []), ...g.columns.SELECT];
  }
  for (const t of tables) delete columnTables[t];
  if (tables.size === 0 && Object.keys(columnTables).length === 0) return { level: 'none' };
  return { level: 'partial', tables: [...tables].sort(), columnTables };
}

/** The account's grants, its roles' included (MariaDB lists them; MySQL 8 is asked per role). */
async function accountGrants(connection: MysqlConnection): Promise<{ account: string; grants: ParsedGrant[] }> {
  const [who] = await mysqlQuery<{ account: string }>(connection, 'SELECT CURRENT_USER() AS account');
  const account = String(who?.account ?? '');
  const lines = (await mysqlQuery<Record<string, string>>(connection, 'SHOW GRANTS')).map((row) => String(Object.values(row)[0] ?? ''));
  const grants = lines.map((line) => parseGrantLine(line, account)).filter((g): g is ParsedGrant => g !== null);
  // Roles granted to the account whose privileges SHOW GRANTS did not list (MySQL 8).
  const roles = lines.flatMap((line) => {
    const m = /^GRANT\s+(`[^`]+`(?:@`[^`]*`)?(?:\s*,\s*`[^`]+`(?:@`[^`]*`)?)*)\s+TO\s+/i.exec(line);
    return m && !/\bON\b/i.test(line) ? m[1]!.split(',').map((r) => r.trim()) : [];
  });
  for (const role of roles) {
    const name = role.replace(/`/g, '').split('@')[0]!;
    if (grants.some((g) => g.viaRole === name)) continue;
    const roleLines = await mysqlQuery<Record<string, string>>(connection, `SHOW GRANTS FOR ${role}`).catch(() => []);
    for (const row of roleLines) {
      const g = parseGrantLine(String(Object.values(row)[0] ?? ''), account);
      if (g) grants.push({ ...g, viaRole: name });
    }
  }
  return { account, grants };
}

/**
 * What the connected account can read in each of `databases`. A database read
 * only in part gets one warning line naming what the account can see.
 */
export async function mysqlReadability(connection: MysqlConnection, databases: string[]): Promise<MysqlReadability> {
  let account = '';
  let grants: ParsedGrant[];
  try {
    ({ account, grants } = await accountGrants(connection));
  } catch (error) {
    return { account, databases: {}, warnings: [], unknown: `SHOW GRANTS refused: ${(error as Error).message}` };
  }
  const result: Record<string, DatabaseReadability> = {};
  const warnings: string[] = [];
  for (const database of databases) {
    const readability = databaseReadability(grants, database);
    result[database] = readability;
    if (readability.level === 'partial') {
      const columns = Object.entries(readability.columnTables).map(([t, cols]) => `${t} (columns ${cols.join(', ')})`);
      const seen = [...readability.tables, ...columns];
      warnings.push(
        `database ${database}: the account ${account} may SELECT only ${seen.join(', ')} (table- or column-level grants); every other table of ${database} is invisible to it and is not in the snapshot (grant SELECT ON ${database}.* for a whole pull)`,
      );
    }
  }
  return { account, databases: result, warnings, unknown: null };
}
