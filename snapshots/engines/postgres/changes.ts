// What proves a PostgreSQL table unchanged between two pulls: its file node
// (a rewrite, TRUNCATE or replacement gives a new one) and pg_stat_user_tables'
// insert / update / delete counters, read in the pull's own REPEATABLE READ
// transaction. An append-only table is read above its old largest key when no
// row was updated or deleted since (the counters say so) and OLD's last rows
// are still the server's. Nothing here writes.
import type { SqlValue } from '../../../shared/model/snapshot.ts';
import { APPEND_CHECK_ROWS, lastRowsDiffer, type TableReader } from '../../pull/incremental.ts';
import type { AppendState, BaseTable, ChangeProof, InstanceBase, PullOptions } from '../types.ts';
import type { PgClient } from './connect.ts';
import type { PgTable } from './introspect.ts';
import { copyTable, type CopyContext } from './pull.ts';

/**
 * The proof of every plain table of the database, by oid. Partitioned roots
 * (no storage of their own) and tables without statistics get none, so they
 * are always read.
 */
export async function postgresChangeProofs(client: PgClient): Promise<Map<number, ChangeProof>> {
  const rows = (
    await client.query<{ oid: number; node: string; inserted: string | null; updated: string | null; deleted: string | null }>(
      `SELECT c.oid::int AS oid, c.relfilenode::text AS node, s.n_tup_ins::text AS inserted, s.n_tup_upd::text AS updated, s.n_tup_del::text AS deleted
         FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
        WHERE c.relkind = 'r' AND c.relfilenode <> 0`,
    )
  ).rows;
  const proofs = new Map<number, ChangeProof>();
  for (const r of rows) {
    if (r.inserted === null || r.updated === null || r.deleted === null) continue;
    proofs.set(Number(r.oid), { engine: 'postgres', relfilenode: r.node, inserted: r.inserted, updated: r.updated, deleted: r.deleted });
  }
  return proofs;
}

function integerLiteral(value: string): string {
  if (!/^-?\d+$/.test(value)) throw new Error(`append_only: key value ${value} is not an integer`);
  return value;
}

/** How the pull reads, proves and appends one PostgreSQL table. */
export function postgresTableReader(client: PgClient, table: PgTable, proof: ChangeProof | null, options: PullOptions, context: CopyContext, base: InstanceBase | undefined): TableReader {
  return {
    label: context.label,
    proof,
    read: (sink, above) => copyTable(client, table, sink, options, context, above ? { key: above.key, after: integerLiteral(above.value) } : undefined),
    async checkAppend(old: BaseTable, state: AppendState, key: string): Promise<string | null> {
      const then = old.proof;
      if (!proof || proof.engine !== 'postgres' || !then || then.engine !== 'postgres') return 'no pg_stat_user_tables counters to compare';
      if (proof.relfilenode !== then.relfilenode) return `its file node changed (${then.relfilenode} → ${proof.relfilenode}: rewritten, truncated or replaced)`;
      if (proof.updated !== then.updated) return `rows were updated since the base (pg_stat_user_tables n_tup_upd ${then.updated} → ${proof.updated})`;
      if (proof.deleted !== then.deleted) return `rows were deleted since the base (pg_stat_user_tables n_tup_del ${then.deleted} → ${proof.deleted})`;
      if (!base) return null;
      const max = integerLiteral(state.maxKey!);
      const last: SqlValue[][] = [];
      await copyTable(client, table, { push: (rows) => void last.push(...rows) }, { ...options, maxRows: null }, context, { key, upTo: max, last: APPEND_CHECK_ROWS });
      const why = lastRowsDiffer(last, base.lastRows(old, key, APPEND_CHECK_ROWS), table.info.columns);
      return why ? `OLD's last rows no longer match the server's: ${why}` : null;
    },
    async appendState(key: string, result, read): Promise<AppendState> {
      return { key, maxKey: read.maxKey === null ? null : String(read.maxKey), rows: result.rows };
    },
  };
}
