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
// - materialized views (relkind 'm') hold data: pulled as tables (engine table
//   type `materialized view`), their definitions recorded too;
// - views, sequences, foreign tables: their definitions recorded (objects),
//   no rows; inheritance links (parent ↔ child) recorded as objects;
// - what the account cannot read (privileges.ts) is still listed: a table
//   without SELECT, or in a schema without USAGE, as `not-readable` with the
//   missing privilege; one with SELECT on some columns pulled with those
//   columns, `partial`; row-level security reads the rows the account sees,
//   `partial` with how many versus the table's estimate.
import type { CatalogObject, ColumnInfo, ForeignKeyInfo, IndexInfo, ServerFact, TableInfo } from '../../../shared/model/snapshot.ts';
import type { PgClient } from './connect.ts';
import { postgresTableAccess, tableReadability, USER_SCHEMAS, type PgReadability } from './privileges.ts';
import { columnTypeFor, FIRST_NORMAL_OBJECT_ID, resolveBaseType, type ColumnType, type PgTypeRow } from './types.ts';

export interface PgTable {
  info: TableInfo;
  oid: number;
  relkind: 'r' | 'p' | 'm';
  /** Per column, in attnum order: how its values are stored and decoded. */
  types: ColumnType[];
  /** What the account may read of it; for `columns`, info.columns holds the readable ones only. */
  access: PgReadability;
  /** Row-level security filters the rows this account sees. */
  rowSecurity: boolean;
  /** False for a materialized view created WITH NO DATA (reading it fails). */
  populated: boolean;
  /** The relation's file node in the pull's snapshot (a TRUNCATE or rewrite gives it a new one). */
  filenode: number;
}

export interface DatabaseCatalog {
  tables: PgTable[];
  /** Partitions: what the snapshot should say about relations it does not pull. */
  facts: ServerFact[];
  /** Views, sequences, foreign tables, materialized views, inheritance links. */
  objects: CatalogObject[];
}

const SCHEMA_FILTER = USER_SCHEMAS;

interface RelationRow {
  oid: number;
  schema: string;
  name: string;
  relkind: 'r' | 'p' | 'm';
  relispartition: boolean;
  relispopulated: boolean;
  filenode: number;
  parent: number | null;
  reltuples: number;
  data_bytes: string;
  index_bytes: string;
  comment: string | null;
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
  generated: string;
  identity: string;
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
      SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind, c.relispartition, c.relispopulated,
             c.relfilenode::int8 AS filenode,
             CASE WHEN c.relispartition THEN (SELECT i.inhparent FROM pg_inherits i WHERE i.inhrelid = c.oid LIMIT 1) END AS parent,
             c.reltuples::float8 AS reltuples,
             pg_relation_size(c.oid)::text AS data_bytes,
             pg_indexes_size(c.oid)::text AS index_bytes,
             obj_description(c.oid, 'pg_class') AS comment
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'm') AND ${SCHEMA_FILTER}
      ORDER BY n.nspname, c.relname`)
  ).rows;
  const access = new Map((await postgresTableAccess(client)).map((a) => [a.oid, a]));
  const objects = await catalogObjects(client, database);

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
    roots.push(r);
  }
  if (roots.length === 0) return { tables: [], facts, objects };

  const rootOids = roots.map((r) => r.oid);
  const columns = (
    await client.query<ColumnRow>(
      `SELECT a.attrelid AS table_oid, a.attname AS name,
              format_type(a.atttypid, a.atttypmod) AS declared_type,
              a.atttypid AS type_oid, t.typname::text AS typname, t.typcategory::text AS typcategory,
              t.typtype::text AS typtype, t.typbasetype,
              NOT a.attnotnull AS nullable,
              pg_get_expr(d.adbin, d.adrelid) AS default_value,
              col_description(a.attrelid, a.attnum) AS comment,
              ${serverVersionNum >= 120000 ? 'a.attgenerated::text' : "''"} AS generated,
              ${serverVersionNum >= 100000 ? 'a.attidentity::text' : "''"} AS identity
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

  const foreignKeys = (
    await client.query<{ table_oid: number; name: string; columns: string[]; ref_schema: string; ref_table: string; ref_columns: string[]; on_update: string; on_delete: string }>(
      `SELECT con.conrelid AS table_oid, con.conname AS name,
              ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
              rn.nspname AS ref_schema, rc.relname AS ref_table,
              ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_columns,
              con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete
         FROM pg_constraint con
         JOIN pg_class rc ON rc.oid = con.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE con.contype = 'f' AND con.conrelid = ANY($1::oid[]) AND con.conparentid = 0
        ORDER BY con.conrelid, con.conname`.replace('AND con.conparentid = 0', serverVersionNum >= 110000 ? 'AND con.conparentid = 0' : ''),
      [rootOids],
    )
  ).rows;
  const columnsByTable = groupBy(columns, (c) => c.table_oid);
  const indexesByTable = groupBy(indexes, (i) => i.table_oid);
  const foreignKeysByTable = groupBy(foreignKeys, (f) => f.table_oid);

  const lcMonetary = (await client.query<{ lc: string; sample: string }>(`SELECT current_setting('lc_monetary') AS lc, 1234567.89::money::text AS sample`)).rows[0]!;
  const tables: PgTable[] = [];
  for (const r of roots) {
    const cols = columnsByTable.get(r.oid) ?? [];
    const idx = indexesByTable.get(r.oid) ?? [];
    const pk = idx.find((i) => i.primary);
    const pkOrdinal = new Map<string, number>(pk ? pk.columns.map((name, i) => [name, i + 1]) : []);
    const tableAccess = access.get(r.oid);
    const readability: PgReadability = tableAccess ? tableReadability(tableAccess) : { level: 'full' };
    const types: ColumnType[] = [];
    const columnInfos: ColumnInfo[] = [];
    for (const c of cols) {
      // Columns the account may not SELECT are left out (the table is then `partial`).
      if (readability.level === 'columns' && !readability.readable.includes(c.name)) continue;
      const own: PgTypeRow = { oid: c.type_oid, typname: c.typname, typcategory: c.typcategory, typtype: c.typtype, typbasetype: c.typbasetype };
      const base = own.typtype === 'd' ? (resolveBaseType(own.oid, typeMap) ?? own) : own;
      const type = columnTypeFor(base.typname, base.typcategory, base.oid < FIRST_NORMAL_OBJECT_ID);
      types.push(type);
      const generated = c.generated === 's' ? c.default_value : null;
      columnInfos.push({
        name: c.name,
        declaredType: c.declared_type,
        storage: type.storage,
        nullable: c.nullable,
        primaryKeyOrdinal: pkOrdinal.get(c.name) ?? null,
        defaultValue: generated !== null ? null : c.default_value,
        comment: c.comment,
        generated,
        identity: c.identity === 'a' ? 'ALWAYS' : c.identity === 'd' ? 'BY DEFAULT' : null,
        note:
          type.baseType === 'money'
            ? `money: stored as its exact numeric value (money::numeric); the server prints it with lc_monetary=${lcMonetary.lc}, e.g. ${lcMonetary.sample}`
            : null,
      });
    }
    const indexInfos: IndexInfo[] = idx.map((i) => ({ name: i.name, unique: i.unique, primary: i.primary, columns: i.columns }));
    const foreignKeyInfos: ForeignKeyInfo[] = (foreignKeysByTable.get(r.oid) ?? []).map((f) => ({
      name: f.name,
      columns: f.columns,
      referencedDatabase: database,
      referencedSchema: f.ref_schema,
      referencedTable: f.ref_table,
      referencedColumns: f.ref_columns,
      onUpdate: FK_ACTIONS[f.on_update] ?? f.on_update,
      onDelete: FK_ACTIONS[f.on_delete] ?? f.on_delete,
    }));

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
      access: readability,
      rowSecurity: tableAccess?.rowSecurity ?? false,
      populated: r.relispopulated,
      filenode: Number(r.filenode),
      info: {
        database,
        schema: r.schema,
        name: r.name,
        engineTableType: r.relkind === 'p' ? 'partitioned' : r.relkind === 'm' ? 'materialized view' : 'table',
        estimatedRows,
        dataBytes,
        indexBytes,
        columns: columnInfos,
        indexes: indexInfos,
        foreignKeys: foreignKeyInfos,
        comment: r.comment,
      },
    });
  }
  return { tables, facts, objects };
}

const FK_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** Views, materialized views, sequences and foreign tables (definitions), and inheritance links. */
async function catalogObjects(client: PgClient, database: string): Promise<CatalogObject[]> {
  const objects: CatalogObject[] = [];
  const defined = (
    await client.query<{ schema: string; name: string; relkind: string; definition: string | null; server: string | null; options: string[] | null }>(
      `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
              CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END AS definition,
              (SELECT s.srvname FROM pg_foreign_table ft JOIN pg_foreign_server s ON s.oid = ft.ftserver WHERE ft.ftrelid = c.oid) AS server,
              (SELECT ft.ftoptions::text[] FROM pg_foreign_table ft WHERE ft.ftrelid = c.oid) AS options
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm', 'f') AND ${SCHEMA_FILTER}
        ORDER BY n.nspname, c.relname`,
    )
  ).rows;
  for (const o of defined) {
    if (o.relkind === 'f') objects.push({ database, schema: o.schema, name: o.name, kind: 'foreign table', definition: null, details: { server: o.server, options: o.options } });
    else objects.push({ database, schema: o.schema, name: o.name, kind: o.relkind === 'm' ? 'materialized view' : 'view', definition: o.definition });
  }
  // pg_sequences shows last_value only to an account that may read the sequence (NULL otherwise).
  const sequences = (
    await client.query<Record<string, string | boolean | null>>(
      `SELECT schemaname AS schema, sequencename AS name, data_type::text AS data_type, start_value::text AS start_value, min_value::text AS min_value,
              max_value::text AS max_value, increment_by::text AS increment_by, cycle, cache_size::text AS cache_size, last_value::text AS last_value
         FROM pg_sequences WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY schemaname, sequencename`,
    ).catch(() => ({ rows: [] as Record<string, string | boolean | null>[] }))
  ).rows;
  for (const q of sequences) {
    const { schema, name, ...details } = q;
    objects.push({
      database,
      schema: String(schema),
      name: String(name),
      kind: 'sequence',
      definition: `CREATE SEQUENCE ${String(schema)}.${String(name)} AS ${String(details.data_type)} INCREMENT BY ${String(details.increment_by)} MINVALUE ${String(details.min_value)} MAXVALUE ${String(details.max_value)} START WITH ${String(details.start_value)}${details.cycle ? ' CYCLE' : ''}`,
      details,
    });
  }
  // Legacy inheritance (not partitions): every child is pulled on its own, FROM ONLY.
  const inherits = (
    await client.query<{ child_schema: string; child: string; parent_schema: string; parent: string; seq: number }>(
      `SELECT cn.nspname AS child_schema, c.relname AS child, pn.nspname AS parent_schema, p.relname AS parent, i.inhseqno AS seq
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
         JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
        WHERE NOT c.relispartition AND p.relkind = 'r' ORDER BY 1, 2, i.inhseqno`,
    )
  ).rows;
  for (const i of inherits) {
    objects.push({ database, schema: i.child_schema, name: i.child, kind: 'inheritance', definition: null, details: { parent: `${i.parent_schema}.${i.parent}`, position: i.seq } });
  }
  return objects;
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
