// Attacks on the file rather than on its tables: what SQLite reads beside the
// file (a -wal, a hot -journal), its header (WAL mode, user_version, a
// truncated or padded file) and damaged pages. A signed shared demo copy is
// changed with the stock sqlite3 shell and Python's sqlite3 as an attacker
// would; `verify --trust` must not pass, every command answers with one line,
// and nothing is created beside the file.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, closeSync, rmSync, symlinkSync, truncateSync, writeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from '../helpers/cli.ts';
import { makeSignedDemo } from '../helpers/signedDemo.ts';

const T_ORDER = 'aws-luckyus-salesorder-rw/luckyus_sales_order/t_order';
const SCRIPT = join(import.meta.dirname, '../../snapshots/file/verify-with-sqlite3.sh');

let dir: string;
let signed: string;
let pub: string;
let counter = 0;

function oneLine(result: CliResult): string {
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

/** A copy of the signed file in a directory of its own, so what appears beside it can be listed. */
function copyAlone(): { folder: string; path: string } {
  const folder = join(dir, `case-${++counter}`);
  mkdirSync(folder);
  const path = join(folder, 'f.snapbench');
  copyFileSync(signed, path);
  return { folder, path };
}

/** The sqlite3-only verification script: exit status and everything it printed. */
function script(path: string): { status: number | null; output: string } {
  const result = spawnSync('bash', [SCRIPT, path, pub], { encoding: 'utf8' });
  return { status: result.status, output: result.stdout + result.stderr };
}

function python(script: string, cwd: string): void {
  execFileSync('python3', ['-c', script], { cwd, encoding: 'utf8' });
}

function overwrite(path: string, offset: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

beforeAll(async () => {
  dir = tempDir('snapbench-tamper-file-');
  ({ signed, pub } = await makeSignedDemo(dir));
}, 180_000);

afterAll(() => {
  execFileSync('rm', ['-rf', dir]);
});

describe('what SQLite would read beside the file', () => {
  it('a -wal that hides a changed value is refused, not merged: verify never passes the altered file', async () => {
    const { folder } = copyAlone();
    // The file itself holds 99999.99; the -wal beside it holds the original page, which SQLite would read instead.
    python(
      `import sqlite3, shutil
T=${JSON.stringify(T_ORDER)}
c=sqlite3.connect('f.snapbench', isolation_level=None)
c.execute('pragma journal_mode=wal'); c.execute('pragma wal_autocheckpoint=0')
orig=c.execute(f'select pay_amount from "{T}" where rowid=1').fetchone()[0]
c.execute(f'update "{T}" set pay_amount=? where rowid=1', ('99999.99',))
c.execute('pragma wal_checkpoint(TRUNCATE)')
c.execute(f'update "{T}" set pay_amount=? where rowid=1', (orig,))
shutil.copy('f.snapbench','x.snapbench'); shutil.copy('f.snapbench-wal','x.snapbench-wal')
c.close()
# The header back to rollback mode: SQLite still reads a -wal that exists.
f=open('x.snapbench','r+b'); f.seek(18); f.write(b'\\x01\\x01'); f.close()`,
      folder,
    );
    const x = join(folder, 'x.snapbench');
    expect(execFileSync('sqlite3', ['-readonly', x, `SELECT pay_amount FROM "${T_ORDER}" WHERE rowid = 1`], { encoding: 'utf8' }).trim()).not.toBe('99999.99');
    const before = readdirSync(folder).sort();
    const result = await runCli(['verify', x, '--trust', pub]);
    expect(result.code).not.toBe(0);
    expect(oneLine(result)).toMatch(/has a write-ahead log beside it \(.*x\.snapbench-wal, \d+ bytes\)/);
    for (const command of [['tables', x], ['query', x, 'SELECT 1'], ['dq', x, '--format', 'json']]) {
      const other = await runCli(command);
      expect(other.code, command[0]).toBe(1);
      expect(oneLine(other)).toMatch(/write-ahead log beside it/);
    }
    const checked = script(x);
    expect(checked.status).toBe(1);
    expect(checked.output).toMatch(/x\.snapbench-wal: PRESENT beside the file/);
    // Given through a symlink elsewhere: SQLite looks beside the target, and so does the check.
    const link = join(dir, `link-${counter}.snapbench`);
    symlinkSync(x, link);
    const linked = await runCli(['verify', link, '--trust', pub]);
    expect(linked.code).toBe(1);
    expect(oneLine(linked)).toMatch(/has a write-ahead log beside it \(.*case-\d+\/x\.snapbench-wal/);
    expect(script(link).output).toMatch(/x\.snapbench-wal: PRESENT beside the file/);
    expect(readdirSync(folder).sort()).toEqual(before);
    // Without its -wal, the file is what it is: not intact.
    const alone = join(dir, `alone-${counter}.snapbench`);
    copyFileSync(x, alone);
    const verified = await runCli(['verify', alone, '--trust', pub]);
    expect(verified.code).toBe(2);
    expect(verified.stdout).toMatch(/t_order": content changed/);
  });

  it('a WAL-mode file is refused without creating -wal or -shm files beside it', async () => {
    const { folder, path } = copyAlone();
    execFileSync('sqlite3', [path, 'PRAGMA journal_mode=WAL'], { encoding: 'utf8' });
    const before = readdirSync(folder).sort();
    expect(before).toEqual(['f.snapbench']);
    const result = await runCli(['verify', path, '--trust', pub]);
    expect(result.code).toBe(1);
    expect(oneLine(result)).toMatch(/is in WAL mode, which Snapbench never writes.*PRAGMA journal_mode=DELETE/);
    expect(script(path).output).toMatch(/file header: WAL mode/);
    // Nor does a command that would write over it look inside it (the output check opened it before).
    const demo = await runCli(['demo', '--scale', '0.001', '--out', path]);
    expect(demo.code).toBe(1);
    expect(oneLine(demo)).toMatch(/exists and is not a Snapbench snapshot; it is not replaced/);
    expect(readdirSync(folder).sort()).toEqual(before);
    // Converted back, it verifies: the header's journal mode is no part of the content.
    execFileSync('sqlite3', [path, 'PRAGMA journal_mode=DELETE'], { encoding: 'utf8' });
    expect((await runCli(['verify', path, '--trust', pub])).code).toBe(0);
  });

  it('a hot -journal beside the file is named, never rolled back into it', async () => {
    const { folder } = copyAlone();
    python(
      `import sqlite3, shutil
c=sqlite3.connect('f.snapbench', isolation_level=None)
c.execute('pragma cache_size=2'); c.execute('begin')
c.execute('update "${T_ORDER}" set pay_amount = \\'77777.77\\'')
shutil.copy('f.snapbench','h.snapbench'); shutil.copy('f.snapbench-journal','h.snapbench-journal')
c.execute('rollback'); c.close()`,
      folder,
    );
    const h = join(folder, 'h.snapbench');
    const bytes = readFileSync(h);
    for (const command of [['verify', h, '--trust', pub], ['dq', h, '--format', 'json'], ['sign', h, '--key', join(dir, 'alice.key')]]) {
      const result = await runCli(command);
      expect(result.code, command[0]).not.toBe(0);
      expect(oneLine(result)).toMatch(/has a rollback journal beside it \(.*h\.snapbench-journal/);
    }
    expect(readFileSync(h).equals(bytes)).toBe(true);
    expect(existsSync(`${h}-journal`)).toBe(true);
  });

  it('a FIFO named like the -wal does not hang the command', async () => {
    const { path } = copyAlone();
    execFileSync('mkfifo', [`${path}-wal`]);
    const started = Date.now();
    const result = await runCli(['verify', path], { timeoutMs: 20_000 });
    expect(result.code).toBe(1);
    expect(oneLine(result)).toMatch(/write-ahead log beside it \(.*, not a regular file\)/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('the header and the length of the file', () => {
  it('bytes appended after the last page (a sparse 1 GiB tail would buy quick_check) are named', async () => {
    const { path } = copyAlone();
    truncateSync(path, statSync(path).size + 1100 * 1024 * 1024);
    const result = await runCli(['verify', path, '--trust', pub]);
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).toMatch(/file: 1153433600 bytes follow its last page/);
    expect(result.stdout).not.toMatch(/quick_check/);
    expect(script(path).output).toMatch(/file: CHANGED \(1153433600 bytes follow its last page\)/);
  });

  it('over 1 GiB of pages (quick_check), an index edited to point a name at another row is still found', async () => {
    const { folder, path } = copyAlone();
    // 1.1 GiB of free pages: the content is unchanged, the database is large.
    execFileSync('sqlite3', [path, `PRAGMA secure_delete = OFF; CREATE TABLE pad(x); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1150) INSERT INTO pad SELECT zeroblob(1000000) FROM c; DROP TABLE pad;`]);
    try {
      const large = await runCli(['verify', path, '--trust', pub]);
      expect(large.code, large.stdout + large.stderr).toBe(0);
      expect(large.stdout.replace(/\n\s+/g, ' ')).toMatch(/quick_check ok \(the database is over 1 GiB: the indexes of the catalog tables, the only ones it has, were checked in full\)/);
      // Two rowids swapped inside the index of _snapbench_instances (keys, order and count unchanged): quick_check alone passes it,
      // while a lookup by instance name returns the other instance's row.
      python(
        `import sqlite3
c = sqlite3.connect('file:f.snapbench?mode=ro', uri=True)
a, b = (c.execute('SELECT instance FROM _snapbench_instances WHERE rowid = ?', (i,)).fetchone()[0].encode() for i in (5, 6))
root, size = c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex__snapbench_instances_1'").fetchone()[0], c.execute('PRAGMA page_size').fetchone()[0]
c.close()
f = open('f.snapbench', 'r+b'); f.seek((root - 1) * size); page = bytearray(f.read(size))
for name, rowid in ((a, 5), (b, 6)):
    at = page.find(name)
    assert at >= 0 and page[at + len(name)] == rowid, (name, rowid)
    page[at + len(name)] = 11 - rowid
f.seek((root - 1) * size); f.write(page); f.close()`,
        folder,
      );
      expect(spawnSync('sqlite3', ['-readonly', path, 'PRAGMA quick_check'], { encoding: 'utf8' }).stdout.trim()).toBe('ok');
      const edited = await runCli(['verify', path, '--trust', pub]);
      expect(edited.code).toBe(2);
      expect(edited.stdout).toMatch(/SQLite quick_check: row \d+ missing from index sqlite_autoindex__snapbench_instances_1/);
      const checked = script(path);
      expect(checked.status).toBe(1);
      expect(checked.output).toMatch(/quick_check: FAILED: row \d+ missing from index sqlite_autoindex__snapbench_instances_1/);
    } finally {
      rmSync(path, { force: true });
    }
  }, 120_000);

  it('a changed user_version or application_id is named', async () => {
    const { path } = copyAlone();
    execFileSync('sqlite3', [path, 'PRAGMA user_version = 7; PRAGMA application_id = 1234']);
    const result = await runCli(['verify', path, '--trust', pub]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/user_version is 7, Snapbench writes 0/);
    expect(result.stdout).toMatch(/application_id is 1234, Snapbench writes 0/);
    const checked = script(path);
    expect(checked.status).toBe(1);
    expect(checked.output).toMatch(/file header: CHANGED \(user_version and application_id are 7 1234/);
  });

  it('a file truncated at page boundaries, empty, zipped or random gives one clear line each', async () => {
    const bytes = readFileSync(signed);
    const pageSize = bytes.readUInt16BE(16);
    const pages = bytes.length / pageSize;
    const cases: { name: string; content: Buffer; line: RegExp }[] = [
      { name: 'empty', content: Buffer.alloc(0), line: /is empty \(0 bytes\)/ },
      { name: 'header only', content: bytes.subarray(0, 60), line: /is truncated \(60 bytes/ },
      { name: 'zip', content: Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), bytes.subarray(0, 200)]), line: /is a zip archive/ },
      { name: 'random', content: Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 131 + 7) % 256)), line: /not an SQLite file/ },
      { name: 'bad page size', content: Buffer.concat([bytes.subarray(0, 16), Buffer.from([0x03, 0xe8]), bytes.subarray(18)]), line: /header is damaged \(page size 1000\)/ },
    ];
    for (const n of [1, 2, Math.floor(pages / 3), Math.floor(pages / 2), pages - 1]) {
      cases.push({ name: `${n} of ${pages} pages`, content: bytes.subarray(0, n * pageSize), line: new RegExp(`is truncated: ${n * pageSize} bytes, its header says ${pages} pages`) });
    }
    for (const c of cases) {
      const path = join(dir, `case-${++counter}.snapbench`);
      execFileSync('cp', ['/dev/null', path]);
      const fd = openSync(path, 'w');
      writeSync(fd, c.content);
      closeSync(fd);
      for (const command of [['verify', path, '--trust', pub], ['tables', path]]) {
        const result = await runCli(command);
        expect(result.code, `${c.name}: ${command[0]}`).toBe(1);
        expect(oneLine(result), c.name).toMatch(c.line);
      }
    }
  });

  it('damaged pages: verify says not intact (exit 2) naming the table, the other commands one line', async () => {
    const bytes = readFileSync(signed);
    const pageSize = bytes.readUInt16BE(16);
    // The root page of t_order: its b-tree header overwritten.
    const root = Number(execFileSync('sqlite3', ['-readonly', signed, `SELECT rootpage FROM sqlite_master WHERE name = '${T_ORDER}'`], { encoding: 'utf8' }).trim());
    const { path } = copyAlone();
    overwrite(path, (root - 1) * pageSize, Buffer.alloc(16, 0xff));
    const verified = await runCli(['verify', path, '--trust', pub]);
    expect(verified.code).toBe(2);
    expect(verified.stdout).toMatch(/t_order": damaged \(SQLite: database disk image is malformed\)/);
    expect(oneLine(verified)).toMatch(/not intact/);
    const queried = await runCli(['query', path, `SELECT sum(pay_amount) FROM "${T_ORDER}"`]);
    expect(queried.code).toBe(1);
    expect(oneLine(queried)).toMatch(/malformed/);
    // The manifest's own page damaged: still one line, still exit 2.
    const manifestRoot = Number(execFileSync('sqlite3', ['-readonly', signed, `SELECT rootpage FROM sqlite_master WHERE name = '_snapbench_manifest'`], { encoding: 'utf8' }).trim());
    const second = copyAlone().path;
    overwrite(second, (manifestRoot - 1) * pageSize, Buffer.alloc(16, 0xff));
    const result = await runCli(['verify', second, '--trust', pub, '--format', 'json']);
    expect(result.code).toBe(2);
    expect(oneLine(result)).toMatch(/not intact: file: damaged/);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false });
    const sqlite = spawnSync('sqlite3', ['-readonly', second, 'PRAGMA quick_check'], { encoding: 'utf8' });
    expect(sqlite.stdout + sqlite.stderr).not.toBe('ok\n');
  });
});
