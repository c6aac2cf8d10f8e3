// The decisions of an incremental pull that need no server: which tables are
// append-only, when a change proof shows a table unchanged, and when OLD's last
// rows still match the server's.
import { describe, expect, it } from 'vitest';
import type { TableInfo } from '../../shared/model/snapshot.ts';
import type { BaseTable, ChangeProof } from '../../snapshots/engines/types.ts';
import { appendKey, columnsDiffer, isAppendOnly, lastRowsDiffer, proofDiffers } from '../../snapshots/pull/incremental.ts';

const table = (name: string, schema?: string): TableInfo => ({
  database: 'shop',
  schema,
  name,
  estimatedRows: null,
  dataBytes: null,
  indexBytes: null,
  columns: [
    { name: 'id', declaredType: 'bigint', storage: 'integer', nullable: false, primaryKeyOrdinal: 1 },
    { name: 'v', declaredType: 'varchar(20)', storage: 'text', nullable: true, primaryKeyOrdinal: null },
  ],
  indexes: [],
});

describe('append_only', () => {
  it('matches names, globs and qualified names, nothing else', () => {
    const instance = { appendOnly: ['t_order_log', 't_stock_change_record_*', 'audit.events'] };
    expect(isAppendOnly(instance, table('t_order_log'))).toBe(true);
    expect(isAppendOnly(instance, table('t_stock_change_record_mon'))).toBe(true);
    expect(isAppendOnly(instance, table('t_order_log_2'))).toBe(false);
    expect(isAppendOnly(instance, table('t_order'))).toBe(false);
    expect(isAppendOnly(instance, table('events', 'audit'))).toBe(true);
    expect(isAppendOnly(instance, table('events', 'public'))).toBe(false);
    // Regular-expression characters in a name are literal.
    expect(isAppendOnly({ appendOnly: ['t.log'] }, table('tXlog'))).toBe(false);
    expect(isAppendOnly({}, table('t_order_log'))).toBe(false);
  });

  it('needs one integer primary-key column', () => {
    expect(appendKey(table('t'))).toEqual({ name: 'id', index: 0 });
    const composite = table('t');
    composite.columns[1]!.primaryKeyOrdinal = 2;
    expect(appendKey(composite)).toBeNull();
    const text = table('t');
    text.columns[0]!.storage = 'text';
    expect(appendKey(text)).toBeNull();
  });
});

describe('change proofs', () => {
  const mysql = (checksum: string | null): ChangeProof => ({ engine: 'mysql', checksum, updateTime: '2026-01-01 00:00:00' });
  const pg = (node: string, inserted: string, updated = '0', deleted = '0'): ChangeProof => ({ engine: 'postgres', relfilenode: node, inserted, updated, deleted });

  it('accepts only an equal proof of the same engine', () => {
    expect(proofDiffers(mysql('1'), mysql('1'))).toBeNull();
    expect(proofDiffers(mysql('2'), mysql('1'))).toBe('CHECKSUM TABLE changed (1 → 2)');
    expect(proofDiffers(mysql(null), mysql(null))).toMatch(/no checksum/);
    expect(proofDiffers(pg('16384', '10'), pg('16384', '10'))).toBeNull();
    expect(proofDiffers(pg('16384', '11'), pg('16384', '10'))).toBe('pg_stat_user_tables counts rows inserted 10 → 11');
    expect(proofDiffers(pg('16390', '10'), pg('16384', '10'))).toMatch(/file node changed/);
    expect(proofDiffers(pg('16384', '10', '0', '1'), pg('16384', '10'))).toMatch(/deleted 0 → 1/);
    expect(proofDiffers(mysql('1'), pg('1', '1'))).toMatch(/another engine/);
    expect(proofDiffers(mysql('1'), null)).toMatch(/recorded no change proof/);
    expect(proofDiffers(null, mysql('1'))).toMatch(/gave no change proof/);
  });

  it('sees a changed column before anything else', () => {
    const base: BaseTable = {
      file: 'old.snapbench', baseRootSha256: 'r', tableName: 'm/shop/t', rows: 1, sha256: 'x', proof: null, complete: true, rehashCarried: false,
      columns: table('t').columns.map((c) => ({ name: c.name, declaredType: c.declaredType, storage: c.storage, nullable: c.nullable, primaryKeyOrdinal: c.primaryKeyOrdinal })),
    };
    expect(columnsDiffer(table('t'), base)).toBeNull();
    const widened = table('t');
    widened.columns[1]!.declaredType = 'varchar(40)';
    expect(columnsDiffer(widened, base)).toMatch(/column "v" changed/);
  });

  it('compares last rows as the snapshot stores them', () => {
    const columns = table('t').columns;
    expect(lastRowsDiffer([[3, 'c'], [2, 'b']], [[3n, 'c'], [2n, 'b']], columns)).toBeNull();
    expect(lastRowsDiffer([[3, 'c'], [2, 'B']], [[3n, 'c'], [2n, 'b']], columns)).toBe('row 2 from the end differs in "v"');
    expect(lastRowsDiffer([[3, 'c']], [[3n, 'c'], [2n, 'b']], columns)).toMatch(/1 of OLD's last 2 rows/);
    expect(lastRowsDiffer([[1, Buffer.from('ab')]], [[1n, new Uint8Array([0x61, 0x62])]], columns)).toBeNull();
    expect(lastRowsDiffer([[1, null]], [[1n, 'x']], columns)).toMatch(/differs in "v"/);
  });
});

describe('append_only in the fleet manifest', () => {
  it('is a list of names or globs on MySQL and PostgreSQL instances, refused on Redis', async () => {
    const { parseFleet, FleetError } = await import('../../shared/model/fleet.ts');
    const fleet = parseFleet({ instances: [{ name: 'm', engine: 'mysql', host: 'h', append_only: ['t_order_log', 't_stock_change_record_*'] }] }, 'fleet.yaml');
    expect(fleet.instances[0]!.appendOnly).toEqual(['t_order_log', 't_stock_change_record_*']);
    expect(fleet.warnings).toEqual([]);
    expect(() => parseFleet({ instances: [{ name: 'r', engine: 'redis', host: 'h', append_only: ['x'] }] }, 'fleet.yaml')).toThrow(FleetError);
    expect(() => parseFleet({ instances: [{ name: 'r', engine: 'redis', host: 'h', append_only: ['x'] }] }, 'fleet.yaml')).toThrow(/field "append_only": applies to MySQL and PostgreSQL tables/);
  });
});
