// One table of an incremental pull (`pull --base OLD`), whatever the engine:
// carried from OLD when the server proves it unchanged, appended (OLD's rows
// plus the rows above OLD's largest key) when it is an append-only table whose
// old rows still match, else read again, saying why. Every pull records the
// table's change proof so the next one can compare.
import type { FleetInstance } from '../../shared/model/fleet.ts';
import type { ServerFact, SqlValue, TableInfo } from '../../shared/model/snapshot.ts';
import type { AppendState, BaseTable, ChangeProof, InstanceTarget, PullEvent, PullOptions, TablePullResult, TableSink } from '../engines/types.ts';

/** Server fact category of the proofs, one per table: name `database.table` (PostgreSQL `database.schema.table`). */
export const CHANGE_PROOF_CATEGORY = 'change_proof';

/** OLD's last rows compared with the server's before appending. */
export const APPEND_CHECK_ROWS = 3;

export function changeProofName(table: Pick<TableInfo, 'database' | 'schema' | 'name'>): string {
  return `${table.database}.${table.schema ? `${table.schema}.` : ''}${table.name}`;
}

export function changeProofFact(table: TableInfo, proof: ChangeProof): ServerFact {
  return { category: CHANGE_PROOF_CATEGORY, name: changeProofName(table), value: JSON.stringify(proof) };
}

/** The one integer primary-key column an append-only table is read above, or null. */
export function appendKey(table: TableInfo): { name: string; index: number } | null {
  const keys = table.columns.map((c, index) => ({ c, index })).filter(({ c }) => c.primaryKeyOrdinal !== null);
  if (keys.length !== 1 || keys[0]!.c.storage !== 'integer') return null;
  return { name: keys[0]!.c.name, index: keys[0]!.index };
}

/** Why the server's table cannot take OLD's rows as they are (columns differ), or null. */
export function columnsDiffer(table: TableInfo, base: BaseTable): string | null {
  if (table.columns.length !== base.columns.length) return `its columns changed (${base.columns.length} → ${table.columns.length})`;
  for (let i = 0; i < table.columns.length; i++) {
    const now = table.columns[i]!;
    const then = base.columns[i]!;
    if (now.name !== then.name || now.declaredType !== then.declaredType || now.storage !== then.storage || now.nullable !== then.nullable || now.primaryKeyOrdinal !== then.primaryKeyOrdinal) {
      return `column ${JSON.stringify(then.name)} changed (${then.name} ${then.declaredType} → ${now.name} ${now.declaredType})`;
    }
  }
  return null;
}

/** Why the proofs do not show the table unchanged, or null when they do. */
export function proofDiffers(now: ChangeProof | null, then: ChangeProof | null): string | null {
  if (!now) return 'the server gave no change proof for it';
  if (!then) return 'the base recorded no change proof for it (made before incremental pulls, or by another engine)';
  if (now.engine === 'mysql' && then.engine === 'mysql') {
    if (now.checksum === null || then.checksum === null) return 'CHECKSUM TABLE gave no checksum';
    if (now.checksum !== then.checksum) return `CHECKSUM TABLE changed (${then.checksum} → ${now.checksum})`;
    return null;
  }
  if (now.engine === 'postgres' && then.engine === 'postgres') {
    if (now.relfilenode !== then.relfilenode) return `its file node changed (${then.relfilenode} → ${now.relfilenode}: rewritten, truncated or replaced)`;
    const counters = (['inserted', 'updated', 'deleted'] as const).filter((k) => now[k] !== then[k]);
    if (counters.length > 0) return `pg_stat_user_tables counts rows ${counters.map((k) => `${k} ${then[k]} → ${now[k]}`).join(', ')}`;
    return null;
  }
  return 'the base was pulled from another engine';
}

/** Compares values as the snapshot stores them: integers by digits, bytes by content, booleans as 1/0. */
function sameValue(a: SqlValue | boolean | undefined, b: SqlValue | boolean | undefined): boolean {
  const norm = (v: SqlValue | boolean | undefined): string => {
    if (v === null || v === undefined) return 'n';
    if (typeof v === 'boolean') return `i${v ? 1 : 0}`;
    if (typeof v === 'bigint') return `i${v}`;
    if (typeof v === 'number') return Number.isInteger(v) ? `i${v}` : `r${v}`;
    if (v instanceof Uint8Array) return `b${Buffer.from(v).toString('hex')}`;
    return `s${String(v)}`;
  };
  return norm(a) === norm(b);
}

/** Why the server's last rows at or below OLD's largest key are not OLD's, or null when they match. */
export function lastRowsDiffer(server: SqlValue[][], base: SqlValue[][], columns: TableInfo['columns']): string | null {
  if (server.length !== base.length) return `the server has ${server.length} of OLD's last ${base.length} rows`;
  for (let r = 0; r < base.length; r++) {
    for (let c = 0; c < columns.length; c++) {
      if (!sameValue(server[r]![c], base[r]![c])) return `row ${r + 1} from the end differs in ${JSON.stringify(columns[c]!.name)}`;
    }
  }
  return null;
}

/** How an engine reads and proves one table, for pullTable. */
export interface TableReader {
  /** Progress label, e.g. `shop.t_order` or `shop.public.orders`. */
  label: string;
  /** The proof computed before reading (in the same consistent snapshot). */
  proof: ChangeProof | null;
  /** Reads the table's rows into the sink: all of them, or those whose key is above `above`, in key order. */
  read(sink: TableSink, above?: { key: string; value: string }): Promise<TablePullResult>;
  /**
   * An append-only table: why the server's rows at or below OLD's largest key are
   * not OLD's rows (counts, checksum or counters, last rows), or null when they are.
   */
  checkAppend?(base: BaseTable, state: AppendState, key: string): Promise<string | null>;
  /** The append-only state after reading (largest key, rows, the server's checksum where it has one). */
  appendState?(key: string, result: TablePullResult, read: { maxKey: bigint | null }): Promise<AppendState>;
}

/** Keeps the largest value of the key column while rows stream through. */
function trackingSink(sink: TableSink, keyIndex: number | null, seen: { maxKey: bigint | null }): TableSink {
  if (keyIndex === null) return sink;
  return {
    push(rows: SqlValue[][]) {
      for (const row of rows) {
        const v = row[keyIndex];
        if (v === null || v === undefined) continue;
        const key = typeof v === 'bigint' ? v : BigInt(v as number | string);
        if (seen.maxKey === null || key > seen.maxKey) seen.maxKey = key;
      }
      return sink.push(rows);
    },
  };
}

/** The instance's `append_only` names and globs (`*`, `?`) match the table's name (or `database.name`, `schema.name`). */
export function isAppendOnly(instance: Pick<FleetInstance, 'appendOnly'>, table: Pick<TableInfo, 'database' | 'schema' | 'name'>): boolean {
  const patterns = instance.appendOnly ?? [];
  if (patterns.length === 0) return false;
  const names = [table.name, `${table.database}.${table.name}`, ...(table.schema ? [`${table.schema}.${table.name}`] : [])];
  return patterns.some((pattern) => {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`);
    return names.some((n) => re.test(n));
  });
}

/** What an incremental pull decided for a table before reading it. */
type Plan = { action: 'carry'; old: BaseTable } | { action: 'append'; old: BaseTable; state: AppendState & { maxKey: string }; key: { name: string; index: number } } | { action: 'read'; note: string | null };

async function plan(table: TableInfo, reader: TableReader, options: PullOptions, appendOnly: boolean, key: { name: string; index: number } | null): Promise<Plan> {
  const old = options.base?.table(table) ?? null;
  if (!options.base) return { action: 'read', note: null };
  if (!old) return { action: 'read', note: 'not in the base' };
  if (options.maxRows !== null) return { action: 'read', note: '--max-rows: read again (a limited pull carries nothing)' };
  const blocker = !old.complete ? 'the base holds only part of it' : columnsDiffer(table, old);
  if (blocker) return { action: 'read', note: `${appendOnly ? 'append_only: ' : ''}read again: ${blocker}` };
  const changed = proofDiffers(reader.proof, old.proof);
  if (changed === null) return { action: 'carry', old };
  if (!appendOnly) return { action: 'read', note: `read again: ${changed}` };
  const state = old.proof?.append;
  let why: string | null;
  if (!key) why = 'append_only needs a single integer primary key';
  else if (!state || state.maxKey === null) why = 'the base recorded no largest key for it';
  else if (state.key !== key.name) why = `its key changed (${state.key} → ${key.name})`;
  else if (!reader.checkAppend) why = 'this engine cannot check its old rows';
  else why = await reader.checkAppend(old, state, key.name);
  if (why === null && key && state && state.maxKey !== null) return { action: 'append', old, state: { ...state, maxKey: state.maxKey }, key };
  return { action: 'read', note: `append_only: read in full because ${why}` };
}

/** What an incremental pull decided for a table it reads from the server, for the reading and the proof that follows. */
export interface TableIncrement {
  /** The table's append-only key, when it is append-only (its largest value is tracked while reading). */
  key: { name: string; index: number } | null;
  /** Why the table was read again (recorded as origin_note), or null. */
  note: string | null;
  seen: { maxKey: bigint | null };
}

/**
 * The first half of one table of a pull: when the base lets it, carries or
 * appends the table (and records its proof) and returns the result; otherwise
 * returns what the reading needs: the append-only key to track and the note
 * saying why it is read again. Emits no progress events.
 */
export async function beginIncrement(
  target: InstanceTarget,
  table: TableInfo,
  reader: TableReader,
  options: PullOptions,
  instance: Pick<FleetInstance, 'name' | 'appendOnly'>,
): Promise<{ result: TablePullResult } | { increment: TableIncrement }> {
  const appendOnly = isAppendOnly(instance, table);
  const key = appendOnly ? appendKey(table) : null;
  let decision = await plan(table, reader, options, appendOnly, key);
  if (decision.action === 'carry' && target.carryTable) {
    const carried = await target.carryTable(table, decision.old, null);
    if (carried.carried) {
      recordProof(target, table, reader.proof);
      return { result: { rows: decision.old.rows, limited: false, origin: 'carried' } };
    }
    decision = { action: 'read', note: `not carried: ${carried.reason}; read again` };
  } else if (decision.action === 'carry') {
    decision = { action: 'read', note: null };
  }
  if (decision.action === 'append' && target.beginAppend && reader.appendState) {
    const { old, state, key: appendKeyColumn } = decision;
    const appended = await target.beginAppend(table, old);
    if (appended.ok) {
      const seen = { maxKey: BigInt(state.maxKey) as bigint | null };
      try {
        const fresh = await reader.read(trackKeys(appended.table.sink, { key: appendKeyColumn, seen }), { key: appendKeyColumn.name, value: state.maxKey });
        const result: TablePullResult = { ...fresh, origin: 'appended', originNote: `${fresh.rows} new rows above ${appendKeyColumn.name} ${state.maxKey}` };
        await appended.table.finish(result);
        const whole: TablePullResult = { ...result, rows: old.rows + fresh.rows, carriedRows: old.rows };
        recordProof(target, table, reader.proof ? { ...reader.proof, append: await reader.appendState(appendKeyColumn.name, whole, seen) } : null);
        return { result: whole };
      } catch (error) {
        await appended.table.abandon();
        throw error;
      }
    }
    decision = { action: 'read', note: `append_only: read in full because the base could not be used (${appended.reason})` };
  } else if (decision.action === 'append') {
    decision = { action: 'read', note: null };
  }
  return { increment: { key, note: decision.action === 'read' ? decision.note : null, seen: { maxKey: null } } };
}

/** The sink a table read from the server goes through: keeps the largest append-only key. */
export function trackKeys(sink: TableSink, increment: Pick<TableIncrement, 'key' | 'seen'>): TableSink {
  return trackingSink(sink, increment.key?.index ?? null, increment.seen);
}

function recordProof(target: InstanceTarget, table: TableInfo, proof: ChangeProof | null): void {
  if (proof) target.addServerFacts([changeProofFact(table, proof)]);
}

/** The second half: after the table was read from the server in full, records its proof (with the append-only state). */
export async function finishIncrement(target: InstanceTarget, table: TableInfo, reader: TableReader, increment: TableIncrement, result: TablePullResult): Promise<void> {
  if (!reader.proof) return;
  const appendState = increment.key && reader.appendState && !result.limited ? await reader.appendState(increment.key.name, result, increment.seen) : undefined;
  recordProof(target, table, appendState ? { ...reader.proof, append: appendState } : reader.proof);
}

/** A table-done event that says where the rows came from. */
export function tableDone(instance: string, label: string, result: TablePullResult): PullEvent {
  return {
    type: 'table-done',
    instance,
    table: label,
    rows: result.rows,
    limited: result.limited,
    origin: result.origin ?? 'pulled',
    carriedRows: result.origin === 'carried' ? result.rows : result.carriedRows,
    note: result.originNote ?? null,
  };
}

/**
 * Pulls, carries or appends one table and records its change proof (an adapter
 * whose reading needs nothing more than `reader.read`). Returns the result as
 * reported; `origin` says which it was.
 */
export async function pullTable(target: InstanceTarget, table: TableInfo, reader: TableReader, options: PullOptions, instance: Pick<FleetInstance, 'name' | 'appendOnly'>): Promise<TablePullResult> {
  options.progress({ type: 'table-start', instance: instance.name, table: reader.label, estimatedRows: table.estimatedRows });
  const begun = await beginIncrement(target, table, reader, options, instance);
  if ('result' in begun) {
    options.progress(tableDone(instance.name, reader.label, begun.result));
    return begun.result;
  }
  const { increment } = begun;
  const { sink, finish, abandon } = target.beginTable(table);
  try {
    const result = await reader.read(trackKeys(sink, increment));
    const withNote: TablePullResult = increment.note ? { ...result, originNote: increment.note } : result;
    await finish(withNote);
    await finishIncrement(target, table, reader, increment, withNote);
    options.progress(tableDone(instance.name, reader.label, withNote));
    return withNote;
  } catch (error) {
    await abandon();
    throw error;
  }
}
