// Printed text is inert: a snapshot whose table name would rewrite the
// terminal line ("x\r\e[2K…: intact. 41 tables verified\e[8m") and whose values
// carry ESC, CR, bidi overrides and spreadsheet formulas goes through the CLI's
// text outputs, its CSV (to a pipe, to a file, with and without --csv-safe),
// JSON (exact), error lines, and the workbench's CSV export.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdentifier } from '../../shared/model/sql.ts';
import { dispatch } from '../../shared/api/rpc.ts';
import { WorkbenchHost } from '../../snapshots/host/host.ts';
import { parseJson, runCli, SNAPBENCH_BIN, tempDir } from '../helpers/cli.ts';
import { FORMULA_COLUMN, HOSTILE_NOTES, HOSTILE_TABLE_NAME, writeHostileSnapshot } from '../helpers/hostileSnapshot.ts';

/** What must never reach a terminal raw: C0 but the newline and the tab that lays out columns, DEL, C1, bidi controls. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const SQL = `SELECT id, note, ${quoteIdentifier(FORMULA_COLUMN)} FROM ${quoteIdentifier(HOSTILE_TABLE_NAME)} ORDER BY id`;

let dir: string;
let snapshot: string;

/** Runs the CLI with stdout going to a regular file (as `> out.csv` would). */
function runToFile(args: string[], out: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const fd = openSync(out, 'w');
    const child = spawn(process.execPath, [SNAPBENCH_BIN, ...args], { stdio: ['ignore', fd, 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(fd);
      resolve({ code, stderr });
    });
  });
}

/** The CSV's `note` cells, in row order (a minimal RFC 4180 reader: quoted fields may hold commas, quotes, line breaks). */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

function expectNeutralised(rows: string[][], noteColumn: number): void {
  HOSTILE_NOTES.forEach((note, i) => {
    const cell = rows[i + 1]![noteColumn]!;
    if (note.formula) expect(cell, JSON.stringify(note.value)).toBe(`'${note.value}`);
    else expect(cell, JSON.stringify(note.value)).toBe(note.value);
  });
}

beforeAll(async () => {
  dir = tempDir('snapbench-inert-');
  snapshot = join(dir, 'hostile.snapbench');
  await writeHostileSnapshot(snapshot);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('CLI text output', () => {
  it('tables: one line per table, the name escaped, nothing raw reaches the terminal', async () => {
    const result = await runCli(['tables', snapshot, '--format', 'tsv']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('sql_name\tengine\trows\tstatus\tstatus_reason');
    expect(lines[1]!.split('\t').slice(0, 3)).toEqual(['"lab/shop/x\\r\\x1b[2K…: intact. 41 tables verified\\x1b[8m"', 'mysql', '12']);
    // The text for a person: the name escaped on its own line, under its instance and database.
    const text = await runCli(['tables', snapshot]);
    expect(text.stdout).not.toMatch(RAW_CONTROL);
    expect(text.stdout).toMatch(/^ {2}\s*12\s+x\\r\\x1b\[2K…: intact\. 41 tables verified\\x1b\[8m$/m);
    // JSON stays exact.
    const json = parseJson<{ table: string }[]>(await runCli(['tables', snapshot, '--format', 'json']));
    expect(json[0]!.table).toBe(HOSTILE_TABLE_NAME.slice('lab/shop/'.length));
  });

  it('verify: the changed table is named with its control characters escaped, and the manifest creator too', async () => {
    const intact = await runCli(['verify', snapshot]);
    expect(intact.code).toBe(0);
    expect(intact.stdout).not.toMatch(RAW_CONTROL);
    expect(intact.stdout).toContain('by mallory\\x1b[2K on localhost');
    const altered = join(dir, 'altered.snapbench');
    writeFileSync(altered, readFileSync(snapshot));
    const db = new Database(altered);
    db.prepare(`UPDATE ${quoteIdentifier(HOSTILE_TABLE_NAME)} SET note = 'changed' WHERE id = 1`).run();
    db.close();
    const result = await runCli(['verify', altered]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stdout).toContain('x\\r\\x1b[2K…: intact. 41 tables verified\\x1b[8m');
    expect(result.stdout).not.toContain(`${altered}: intact`);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('pull progress and failure lines escape instance names from the manifest', async () => {
    const fleet = join(dir, 'fleet.yaml');
    writeFileSync(fleet, 'instances:\n  - name: "db\\u001b[2K\\rsnapbench: pulled 41 tables"\n    engine: mysql\n    host: 127.0.0.1\n    port: 1\n    connect_timeout_ms: 2000\n');
    const result = await runCli(['pull', '--fleet', fleet, '--out', join(dir, 'never.snapbench'), '--progress']);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('db\\x1b[2K\\rsnapbench: pulled 41 tables: connecting (mysql)');
    expect(lines.filter((l) => l.startsWith('db\\x1b[2K\\r')).length).toBeGreaterThanOrEqual(2);
  });

  it('an error line naming a hostile table is one escaped line', async () => {
    const result = await runCli(['query', snapshot, `SELECT * FROM "nope\u001b[2K\nsnapbench: intact"`]);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('nope\\x1b[2K\\nsnapbench: intact');
  });
});

describe('CSV', () => {
  it('to a pipe: exact by default, neutralised with --csv-safe', async () => {
    const exact = await runCli(['query', snapshot, SQL, '--format', 'csv']);
    expect(exact.code).toBe(0);
    const rows = csvRows(exact.stdout);
    expect(rows[0]).toEqual(['id', 'note', FORMULA_COLUMN]);
    HOSTILE_NOTES.forEach((note, i) => expect(rows[i + 1]![1]).toBe(note.value));
    const safe = await runCli(['query', snapshot, SQL, '--format', 'csv', '--csv-safe']);
    const safeRows = csvRows(safe.stdout);
    expect(safeRows[0]).toEqual(['id', 'note', `'${FORMULA_COLUMN}`]);
    expectNeutralised(safeRows, 1);
    // Numbers stay numbers: the third column holds 0, -1, -2, ...
    expect(safeRows.slice(1).map((r) => r[2])).toEqual(HOSTILE_NOTES.map((_n, i) => String(-i)));
  });

  it('to a file (stdout redirected): neutralised by default, exact with --no-csv-safe', async () => {
    const out = join(dir, 'query.csv');
    expect((await runToFile(['query', snapshot, SQL, '--format', 'csv'], out)).code).toBe(0);
    expectNeutralised(csvRows(readFileSync(out, 'utf8')), 1);
    expect((await runToFile(['query', snapshot, SQL, '--format', 'csv', '--no-csv-safe'], out)).code).toBe(0);
    HOSTILE_NOTES.forEach((note, i) => expect(csvRows(readFileSync(out, 'utf8'))[i + 1]![1]).toBe(note.value));
  });

  it('JSON stays exact', async () => {
    const rows = parseJson<{ note: string }[]>(await runCli(['query', snapshot, SQL, '--format', 'json']));
    expect(rows.map((r) => r.note)).toEqual(HOSTILE_NOTES.map((n) => n.value));
  });

  it("the workbench's CSV export neutralises formulas by default", async () => {
    const host = new WorkbenchHost({ transport: 'http', configDir: join(dir, 'config') });
    mkdirSync(join(dir, 'config'), { recursive: true });
    try {
      const ctx = { callId: 'x', signal: new AbortController().signal, progress: () => {} };
      const opened = await dispatch(host.handlers, 'snapshot/open', { path: snapshot }, ctx);
      const snapshotId = (opened as { value: { id: string } }).value.id;
      const exportCsv = async (source: Record<string, unknown>) => {
        const outcome = await dispatch(host.handlers, 'export/start', { snapshotId, source }, ctx);
        expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
        const url = (outcome as { value: { url: string } }).value.url;
        const download = host.takeDownload(url.slice('/api/download/'.length))!;
        const chunks: Uint8Array[] = [];
        await download.run((bytes) => void chunks.push(bytes), new AbortController().signal);
        return Buffer.concat(chunks).toString('utf8');
      };
      const table = csvRows(await exportCsv({ kind: 'table', view: { table: HOSTILE_TABLE_NAME }, format: 'csv' }));
      expect(table[0]).toEqual(['id', 'note', `'${FORMULA_COLUMN}`]);
      expectNeutralised(table, 1);
      expectNeutralised(csvRows(await exportCsv({ kind: 'sql', sql: SQL, format: 'csv' })), 1);
      const exact = csvRows(await exportCsv({ kind: 'sql', sql: SQL, format: 'csv', csvSafe: false }));
      HOSTILE_NOTES.forEach((note, i) => expect(exact[i + 1]![1]).toBe(note.value));
    } finally {
      await host.close();
    }
  });
});
