// The catalog of one database, read from pg_catalog inside the pull's
// transaction (so it describes exactly the snapshot the data comes from).
//
// Which relations become snapshot tables:
// - ordinary tables (relkind 'r') and partitioned tables (relkind 'p') in every
//   schema except pg_catalog, information_schema, pg_toast*, pg_temp*;
// - a partitioned table is pulled as ONE table through its root, with
//   `COPY (SELECT ... FROM root)`, which reads every leaf partition; the
//   partitions themselves are not pulled separately (that would store each row
//   twice) but are listed as server facts (category 'partition'). The root is the
//   name applications query, so that is the name the snapshot keeps. Its
//   estimatedRows/dataBytes/indexBytes are the sums over its leaf partitions.
// - legacy inheritance children are ordinary tables and pulled on their own;
//   every table is read with `FROM ONLY`, so parents do not repeat their
//   children's rows.
// - views, materialized views, foreign tables, sequences: not pulled (no data of
//   their own, or not on this server).
// - tables the user cannot fully SELECT, or where row-level security would
//   silently hide rows from this user, are skipped and recorded as server facts
//   (category 'skipped_table') rather than pulled incomplete.
import type { ColumnInfo, IndexInfo, ServerFact, TableInfo } from '../../../shared/model/snapshot.ts';
import type { PgClient } from './connect.ts';
import { columnTypeFor, FIRST_NORMAL_OBJECT_ID, resolveBaseType, type ColumnType, type PgTypeRow } from './types.ts';

export interface PgTable {
  info: TableInfo;
  oid: number;
  relkind: 'r' | 'p';
  /** Per column, in attnum order: how its values are stored and decoded. */
  types: ColumnType[];
}

export interface DatabaseCatalog {
  tables: PgTable[];
  /** Partitions, skipped tables: what the snapshot should say about relations it does not pull. */
  facts: ServerFact[];
}

const SCHEMA_FILTER = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

interface RelationRow {
  oid: number;
  schema: string;
  name: string;
  relkind: 'r' | 'p';
  relispartition: boolean;
  parent: number | null;
  reltuples: number;
  data_bytes: string;
  index_bytes: string;
  comment: string | null;
  can_select: boolean;
  rls_hides_rows: boolean;
}

interface ColumnRow {
  table_oid: number;
  name: string;
  declared_type: string;
  type_oid: number;
  typname: string;
  typcategory: string;
  typtype: string;
  typbasetype: number;
  nullable: boolean;
  default_value: string | null;
  comment: string | null;
}

interface IndexRow {
  table_oid: number;
  name: string;
  unique: boolean;
  primary: boolean;
  columns: string[];
}

/** Reads the catalog of the database the client is connected to. `serverVersionNum` is server_version_num. */
export async function introspectDatabase(client: PgClient, database: string, serverVersionNum: number): Promise<DatabaseCatalog> {
  // reltuples is -1 for "never vacuumed/analysed" from PostgreSQL 14; before that 0 was ambiguous and is reported as is.
  const relations = (
    await client.query<RelationRow>(`
      SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind, c.relispartition,
             CASE WHEN c.relispartition THEN (SELECT i.inhparent FROM pg_inherits i WHERE i.inhrelid = c.oid LIMIT 1) END AS parent,
             c.reltuples::float8 AS reltuples,
             pg_relation_size(c.oid)::text AS data_bytes,
             pg_indexes_size(c.oid)::text AS index_bytes,
             obj_description(c.oid, 'pg_class') AS comment,
             (has_table_privilege(c.oid, 'SELECT')
               OR NOT EXISTS (SELECT 1 FROM pg_attribute a
                              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                                AND NOT has_column_privilege(c.oid, a.attnum, 'SELECT'))) AS can_select,
             (c.relrowsecurity
               AND NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = current_user AND (r.rolsuper OR r.rolbypassrls))
               AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'USAGE'))) AS rls_hides_rows
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND ${SCHEMA_FILTER}
      ORDER BY n.nspname, c.relname`)
  ).rows;

  const byOid = new Map<number, RelationRow>();
  const children = new Map<number, number[]>();
  for (const r of relations) {
    byOid.set(r.oid, r);
    if (r.parent !== null) {
      const list = children.get(r.parent) ?? [];
      list.push(r.oid);
      children.set(r.parent, list);
    }
  }
  const rootOf = (r: RelationRow): RelationRow => {
    let current = r;
    for (let depth = 0; current.relispartition && current.parent !== null && depth < 1000; depth++) {
      const parent = byOid.get(current.parent);
      if (!parent) break;
      current = parent;
    }
    return current;
  };
  const leavesOf = (oid: number): RelationRow[] => {
    const out: RelationRow[] = [];
    const stack = [oid];
    while (stack.length > 0) {
      const next = stack.pop()!;
      const kids = children.get(next);
      const row = byOid.get(next)!;
      if (!kids || kids.length === 0) {
        if (row.relkind === 'r') out.push(row);
      } else stack.push(...kids);
    }
    return out;
  };

  const facts: ServerFact[] = [];
  const roots: RelationRow[] = [];
  for (const r of relations) {
    if (r.relispartition) {
      const root = rootOf(r);
      facts.push({ category: 'partition', name: `${database}.${r.schema}.${r.name}`, value: `${root.schema}.${root.name}` });
      continue;
    }
    if (!r.can_select) {
      facts.push({ category: 'skipped_table', name: `${database}.${r.schema}.${r.name}`, value: 'the user lacks SELECT privilege on it' });
      continue;
    }
    if (r.rls_hides_rows) {
      facts.push({
        category: 'skipped_table',
        name: `${database}.${r.schema}.${r.name}`,
        value: 'row-level security would hide rows from this user (grant BYPASSRLS or pull as the owner)',
      });
      continue;
    }
    roots.push(r);
  }
  if (roots.length === 0) return { tables: [], facts };

  const rootOids = roots.map((r) => r.oid);
  const columns = (
    await client.query<ColumnRow>(
      `SELECT a.attrelid AS table_oid, a.attname AS name,
              format_type(a.atttypid, a.atttypmod) AS declared_type,
              a.atttypid AS type_oid, t.typname::text AS typname, t.typcategory::text AS typcategory,
              t.typtype::text AS typtype, t.typbasetype,
              NOT a.attnotnull AS nullable,
              pg_get_expr(d.adbin, d.adrelid) AS default_value,
              col_description(a.attrelid, a.attnum) AS comment
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attrelid, a.attnum`,
      [rootOids],
    )
  ).rows;

  // Domains (possibly over domains) and what they are built on.
  const domainRows = (
    await client.query<PgTypeRow>(
      `SELECT oid, typname::text AS typname, typcategory::text AS typcategory, typtype::text AS typtype, typbasetype
       FROM pg_type
       WHERE typtype = 'd' OR oid IN (SELECT typbasetype FROM pg_type WHERE typtype = 'd')`,
    )
  ).rows;
  const typeMap = new Map<number, PgTypeRow>(domainRows.map((t) => [t.oid, t]));

  const keyCount = serverVersionNum >= 110000 ? 'i.indnkeyatts' : 'i.indnatts';
  const indexes = (
    await client.query<IndexRow>(
      `SELECT i.indrelid AS table_oid, ic.relname AS name, i.indisunique AS unique, i.indisprimary AS primary,
              ARRAY(SELECT CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int, true) ELSE a.attname::text END
                    FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                    WHERE k.ord <= ${keyCount}
                    ORDER BY k.ord)::text[] AS columns
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
       WHERE i.indrelid = ANY($1::oid[])
       ORDER BY i.indrelid, i.indisprimary DESC, ic.relname`,
      [rootOids],
    )
  ).rows;

  const columnsByTable = groupBy(columns, (c) => c.table_oid);
  const indexesByTable = groupBy(indexes, (i) => i.table_oid);

  const tables: PgTable[] = [];
  for (const r of roots) {
    const cols = columnsByTable.get(r.oid) ?? [];
    const idx = indexesByTable.get(r.oid) ?? [];
    const pk = idx.find((i) => i.primary);
    const pkOrdinal = new Map<string, number>(pk ? pk.columns.map((name, i) => [name, i + 1]) : []);
    const types: ColumnType[] = [];
    const columnInfos: ColumnInfo[] = cols.map((c) => {
      const own: PgTypeRow = { oid: c.type_oid, typname: c.typname, typcategory: c.typcategory, typtype: c.typtype, typbasetype: c.typbasetype };
      const base = own.typtype === 'd' ? (resolveBaseType(own.oid, typeMap) ?? own) : own;
      const type = columnTypeFor(base.typname, base.typcategory, base.oid < FIRST_NORMAL_OBJECT_ID);
      types.push(type);
      return {
        name: c.name,
        declaredType: c.declared_type,
        storage: type.storage,
        nullable: c.nullable,
        primaryKeyOrdinal: pkOrdinal.get(c.name) ?? null,
        defaultValue: c.default_value,
        comment: c.comment,
      };
    });
    const indexInfos: IndexInfo[] = idx.map((i) => ({ name: i.name, unique: i.unique, primary: i.primary, columns: i.columns }));

    let estimatedRows: number | null;
    let dataBytes: number;
    let indexBytes: number;
    if (r.relkind === 'p') {
      const leaves = leavesOf(r.oid);
      const analysed = leaves.filter((l) => l.reltuples >= 0);
      estimatedRows = leaves.length === 0 ? 0 : analysed.length === 0 ? null : Math.round(analysed.reduce((sum, l) => sum + l.reltuples, 0));
      dataBytes = leaves.reduce((sum, l) => sum + Number(l.data_bytes), 0);
      // Partitioned indexes have no storage; their leaf indexes do.
      indexBytes = leaves.reduce((sum, l) => sum + Number(l.index_bytes), 0);
    } else {
      estimatedRows = r.reltuples < 0 ? null : Math.round(r.reltuples);
      dataBytes = Number(r.data_bytes);
      indexBytes = Number(r.index_bytes);
    }

    tables.push({
      oid: r.oid,
      relkind: r.relkind,
      types,
      info: {
        database,
        schema: r.schema,
        name: r.name,
        engineTableType: r.relkind === 'p' ? 'partitioned' : 'table',
        estimatedRows,
        dataBytes,
        indexBytes,
        columns: columnInfos,
        indexes: indexInfos,
        comment: r.comment,
      },
    });
  }
  return { tables, facts };
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
