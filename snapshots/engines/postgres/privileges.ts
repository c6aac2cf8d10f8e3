// What a PostgreSQL account can read in the database it is connected to, per
// table: the schema's USAGE, SELECT on the table or on some of its columns, and
// whether row-level security hides rows from it. pg_catalog shows every table
// to every account, so a table the account cannot read is named, never absent.
//
// Used by the pull (table status, partial columns, RLS) and by
// `fleet check --connect` (the account audit).
import type { PgClient } from './connect.ts';

export const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

export interface PgTableAccess {
  oid: number;
  schema: string;
  name: string;
  /** `r` table, `p` partitioned table, `m` materialized view. */
  relkind: string;
  /** USAGE on the schema: without it nothing in the schema can be read, whatever the table grants say. */
  schemaUsage: boolean;
  /** Columns the account may not SELECT (all of them when it has no SELECT at all). */
  unreadableColumns: string[];
  /** Every column, in order. */
  columns: string[];
  /** Row-level security applies to this account and may hide rows from it. */
  rowSecurity: boolean;
}

export type PgReadability =
  | { level: 'full' }
  /** Some columns only: the rest are left out. */
  | { level: 'columns'; readable: string[]; unreadable: string[]; reason: string }
  /** Nothing: the reason names the missing privilege. */
  | { level: 'none'; reason: string };

/** What the account may read of one table (row-level security aside, which only shows in the rows). */
export function tableReadability(t: PgTableAccess): PgReadability {
  const name = `${t.schema}.${t.name}`;
  if (!t.schemaUsage) return { level: 'none', reason: `missing privilege: USAGE on schema ${t.schema} (GRANT USAGE ON SCHEMA ${t.schema} TO the pull user)` };
  if (t.columns.length > 0 && t.unreadableColumns.length === t.columns.length) {
    return { level: 'none', reason: `missing privilege: SELECT on ${name} (GRANT SELECT ON ${name}, or the pg_read_all_data role)` };
  }
  if (t.unreadableColumns.length > 0) {
    const readable = t.columns.filter((c) => !t.unreadableColumns.includes(c));
    return {
      level: 'columns',
      readable,
      unreadable: t.unreadableColumns,
      reason: `missing privilege: SELECT on columns ${t.unreadableColumns.join(', ')} of ${name} (column-level grant); those columns are left out`,
    };
  }
  return { level: 'full' };
}

/**
 * Every table, partitioned table and materialized view of the connected
 * database (partitions are read through their root, whose privileges are the
 * ones checked), with what the account may read of it.
 */
export async function postgresTableAccess(client: PgClient): Promise<PgTableAccess[]> {
  const { rows } = await client.query<{
    oid: number;
    schema: string;
    name: string;
    relkind: string;
    schema_usage: boolean;
    columns: string[];
    unreadable_columns: string[];
    row_security: boolean;
  }>(`
    SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
           has_schema_privilege(n.oid, 'USAGE') AS schema_usage,
           ARRAY(SELECT a.attname::text FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS columns,
           ARRAY(SELECT a.attname::text FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                    AND NOT has_column_privilege(c.oid, a.attnum, 'SELECT') ORDER BY a.attnum) AS unreadable_columns,
           (c.relrowsecurity
             AND NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = current_user AND (r.rolsuper OR r.rolbypassrls))
             AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'USAGE'))) AS row_security
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition AND ${USER_SCHEMAS}
     ORDER BY n.nspname, c.relname`);
  return rows.map((r) => ({
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    relkind: r.relkind,
    schemaUsage: r.schema_usage,
    columns: r.columns,
    unreadableColumns: r.unreadable_columns,
    rowSecurity: r.row_security,
  }));
}

export interface PgDatabaseReadability {
  /** Tables the account cannot read at all, with the missing privilege. */
  notReadable: { table: string; reason: string }[];
  /** Tables it can read only some columns of, or whose rows row-level security filters. */
  partial: { table: string; reason: string }[];
}

/** The connected database's tables the account cannot read whole, for a report (`fleet check --connect`). */
export async function postgresReadability(client: PgClient): Promise<PgDatabaseReadability> {
  const access = await postgresTableAccess(client);
  const out: PgDatabaseReadability = { notReadable: [], partial: [] };
  for (const t of access) {
    const name = `${t.schema}.${t.name}`;
    const r = tableReadability(t);
    if (r.level === 'none') out.notReadable.push({ table: name, reason: r.reason });
    else if (r.level === 'columns') out.partial.push({ table: name, reason: r.reason });
    else if (t.rowSecurity) out.partial.push({ table: name, reason: 'row-level security may hide rows from the account' });
  }
  return out;
}
