// Snapshot files for the workbench tests, written through the real
// SnapshotWriter (so they are complete, hashed and verifiable): a large table
// to scroll through, and a few small ones for sorting and filtering.
import type { FleetInstance } from '../../shared/model/fleet.ts';
import type { ColumnInfo, SqlValue, TableInfo } from '../../shared/model/snapshot.ts';
import { SnapshotWriter } from '../../snapshots/file/writer.ts';
import { fixtureManifest } from '../helpers/manifestInput.ts';

export const LARGE_TABLE = { instance: 'bench-mysql', database: 'shop', table: 't_event' } as const;
export const LARGE_TABLE_NAME = `${LARGE_TABLE.instance}/${LARGE_TABLE.database}/${LARGE_TABLE.table}`;
export const CITIES = ['Austin', 'Boston', 'Chicago', 'Denver', 'El Paso', 'Fresno', 'Galveston'] as const;

const COLUMNS: ColumnInfo[] = [
  { name: 'id', declaredType: 'bigint', storage: 'integer', nullable: false, primaryKeyOrdinal: 1 },
  { name: 'city', declaredType: 'varchar(32)', storage: 'text', nullable: true, primaryKeyOrdinal: null },
  { name: 'amount', declaredType: 'decimal(10,2)', storage: 'decimal', nullable: true, primaryKeyOrdinal: null },
  { name: 'status', declaredType: 'tinyint', storage: 'integer', nullable: false, primaryKeyOrdinal: null },
  { name: 'note', declaredType: 'varchar(64)', storage: 'text', nullable: true, primaryKeyOrdinal: null },
  { name: 'created_at', declaredType: 'datetime', storage: 'temporal', nullable: false, primaryKeyOrdinal: null },
];

const BASE_TIME = Date.UTC(2026, 0, 1);

/** Row i (0-based) of the large table: every value follows from i, so tests can predict any row. */
export function largeRow(i: number): SqlValue[] {
  const amount = ((i * 37) % 10_000) / 100;
  return [
    i + 1,
    i % 97 === 0 ? null : CITIES[i % CITIES.length]!,
    amount.toFixed(2),
    i % 5,
    i % 11 === 0 ? null : i % 13 === 0 ? '   ' : `note ${i}`,
    new Date(BASE_TIME + i * 60_000).toISOString().replace('T', ' ').slice(0, 19),
  ];
}

function instance(name: string, domain: string): FleetInstance {
  return {
    name,
    engine: 'mysql',
    domain,
    connection: { host: '127.0.0.1', port: 3306, connectTimeoutMs: 10_000, statementTimeoutMs: 60_000 },
    databases: ['shop'],
    instanceClass: 'db.r6g.large',
    rawKeyNames: false,
    readValues: false,
  };
}

/** A snapshot with one table of `rows` rows (plus a small lookup table). */
export async function writeLargeSnapshot(path: string, rows: number): Promise<void> {
  const writer = await SnapshotWriter.open(path);
  try {
    const target = writer.instanceTarget(instance(LARGE_TABLE.instance, 'bench'));
    target.setVersion('8.0.35');
    target.setConsistency('snapshot', null);
    target.addServerFacts([
      { category: 'variable', name: 'version', value: '8.0.35' },
      { category: 'status', name: 'Innodb_buffer_pool_read_requests', value: '1000000' },
      { category: 'status', name: 'Innodb_buffer_pool_reads', value: '1000' },
    ]);
    const info: TableInfo = {
      database: LARGE_TABLE.database,
      name: LARGE_TABLE.table,
      engineTableType: 'InnoDB',
      estimatedRows: rows,
      dataBytes: rows * 96,
      indexBytes: rows * 16,
      columns: COLUMNS,
      indexes: [{ name: 'PRIMARY', unique: true, primary: true, columns: ['id'] }],
    };
    const table = target.beginTable(info);
    const batch = 20_000;
    for (let start = 0; start < rows; start += batch) {
      const chunk: SqlValue[][] = [];
      for (let i = start; i < Math.min(rows, start + batch); i++) chunk.push(largeRow(i));
      await table.sink.push(chunk);
    }
    await table.finish({ rows, limited: false });
    const cities = target.beginTable({
      database: LARGE_TABLE.database,
      name: 't_city',
      estimatedRows: CITIES.length,
      dataBytes: 16384,
      indexBytes: 0,
      columns: [
        { name: 'name', declaredType: 'varchar(32)', storage: 'text', nullable: false, primaryKeyOrdinal: 1 },
        { name: 'state', declaredType: 'char(2)', storage: 'text', nullable: false, primaryKeyOrdinal: null },
      ],
      indexes: [],
    });
    await cities.sink.push(CITIES.map((c, i) => [c, ['TX', 'MA', 'IL', 'CO', 'TX', 'CA', 'TX'][i]!]));
    await cities.finish({ rows: CITIES.length, limited: false });
    writer.finishInstance(LARGE_TABLE.instance);
    await writer.finish(fixtureManifest({ createdBy: 'e2e-fixture', fleet: 'e2e' }));
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
