// The hash computed while writing must equal the one `verify` recomputes with SQL
// (and that an auditor reproduces with the sqlite3 CLI), for every kind of value.
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { RowHasher, tableContentHash, type Affinity } from '../../snapshots/file/hash.ts';

function sqlHash(affinities: Affinity[], rows: unknown[][]) {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE t (${affinities.map((a, i) => `c${i} ${a}`).join(', ')})`);
  const insert = db.prepare(`INSERT INTO t VALUES (${affinities.map(() => '?').join(',')})`);
  for (const row of rows) insert.run(...row);
  return tableContentHash(db, 't');
}

describe('content hash', () => {
  it('is the same computed while writing and recomputed with SQL', () => {
    const affinities: Affinity[] = ['INTEGER', 'TEXT', 'BLOB', '', 'INTEGER'];
    const rows = [
      [1, 'plain', Buffer.from([0, 255, 10]), 18446744073709551615n.toString(), -9223372036854775808n],
      [Number.MAX_SAFE_INTEGER, '中文 😀 é', new Uint8Array([]), 9223372036854775807n, 0],
      [null, '', null, null, null],
      [-42, 'tab\tnewline\nquote\'"\\ nul\u0000 bell\u0007', Buffer.from('x'), 'text in untyped', 123456789012345678n],
      [0, ' \u3000 ', Buffer.alloc(300, 7), 5n, -1],
    ];
    const hasher = new RowHasher(affinities);
    hasher.update(rows.slice(0, 2));
    hasher.update(rows.slice(2));
    expect(hasher.digest()).toEqual(sqlHash(affinities, rows));
  });

  it('gives up (so SQL hashes the table) on values whose stored form it cannot predict', () => {
    for (const [affinity, value] of [['INTEGER', 1.5], ['TEXT', 5], ['INTEGER', '12'], ['BLOB', 3]] as [Affinity, unknown][]) {
      const hasher = new RowHasher([affinity]);
      hasher.update([[value]]);
      expect(hasher.digest(), `${affinity} ${String(value)}`).toBeNull();
    }
  });

  it('changes when one value changes', () => {
    const a = new RowHasher(['TEXT']);
    a.update([['x'], ['y']]);
    const b = new RowHasher(['TEXT']);
    b.update([['x'], ['z']]);
    expect(a.digest()!.sha256).not.toBe(b.digest()!.sha256);
  });
});
