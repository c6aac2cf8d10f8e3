// Every bad manifest or input gets one clear line naming the file, the field and
// the fix: a snapshot manifest body edited to the wrong types, a fleet manifest
// with an alias bomb, an unknown tag or a field of the wrong type, a pack with
// an alias bomb. A manifest whose body no longer matches its root hash is said
// by tables, query, dq and the library view.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../shared/api/rpc.ts';
import { openSnapshot, SnapshotFileError } from '../../snapshots/file/reader.ts';
import { WorkbenchHost } from '../../snapshots/host/host.ts';
import { runCli, tempDir, type CliResult } from '../helpers/cli.ts';
import { writeLargeSnapshot } from '../e2e/fixtures.ts';

let dir: string;
let snapshot: string;
let copies = 0;

/** A copy of the snapshot whose manifest body has `field` set to `json` (sqlite's json_set), root hash left as it was. */
function editedManifest(field: string, json: string): string {
  const path = join(dir, `edited-${++copies}.snapbench`);
  copyFileSync(snapshot, path);
  const db = new Database(path);
  db.prepare(`UPDATE _snapbench_manifest SET body = json_set(body, ?, json(?))`).run(`$.${field}`, json);
  db.close();
  return path;
}

function oneLine(result: CliResult): string {
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at |TypeError|Cannot use 'in'|YAMLWarning/);
  return lines[0]!;
}

beforeAll(async () => {
  dir = tempDir('snapbench-bad-input-');
  snapshot = join(dir, 'good.snapbench');
  await writeLargeSnapshot(snapshot, 100);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a snapshot manifest edited to the wrong types', () => {
  it('"hashes": 5 and null are one line from verify, tables, query and dq', async () => {
    for (const [json, what, commands] of [
      ['5', 'the number 5', ['verify', 'tables', 'query', 'dq']],
      ['null', 'null', ['verify', 'dq']],
    ] as const) {
      const file = editedManifest('hashes', json);
      const args = { verify: ['verify', file], tables: ['tables', file], query: ['query', file, 'SELECT 1'], dq: ['dq', file, '--no-store'] };
      for (const command of commands) {
        const result = await runCli(args[command]);
        expect(result.code, command).toBe(1);
        expect(oneLine(result)).toBe(
          `snapbench: ${file}: not a manifest Snapbench writes and no longer matches its root hash: manifest field "hashes": must be a mapping, not ${what} (the file was altered after it was made; ask the sender for a fresh copy, or pull again)`,
        );
      }
    }
  });

  it('every field the engine reads, given the wrong type, names that field', () => {
    const cases: [string, string, RegExp][] = [
      ['format', '"csv"', /field "format": must be one of snapbench-snapshot, not the text "csv"/],
      ['formatVersion', '"1"', /field "formatVersion": must be a number, not the text "1"/],
      ['tool', '"snapbench"', /field "tool": must be a mapping, not the text "snapbench"/],
      ['tool.version', '3', /field "tool.version": must be text, not the number 3/],
      ['createdAt', '[]', /field "createdAt": must be text, not a list/],
      ['createdBy', 'null', /field "createdBy": must be text, not null/],
      ['synthetic', '"no"', /field "synthetic": must be true\/false, not the text "no"/],
      ['fleet', '1', /field "fleet": must be a mapping, not the number 1/],
      ['options', 'null', /field "options": must be a mapping, not null/],
      ['instances', '{}', /field "instances": must be a list, not a mapping/],
      ['instances[0].rows', '"many"', /field "instances.0.rows": must be a number, not the text "many"/],
      ['hashes', '[]', /field "hashes": must be a mapping, not a list/],
      ['complete', '"yes"', /field "complete": must be true\/false, not the text "yes"/],
    ];
    for (const [field, json, expected] of cases) {
      const file = editedManifest(field, json);
      let error: unknown = null;
      try {
        openSnapshot(file).close();
      } catch (caught) {
        error = caught;
      }
      expect(error, field).toBeInstanceOf(SnapshotFileError);
      expect((error as Error).message, field).toMatch(expected);
      expect((error as Error).message).not.toMatch(/\n/);
    }
    const hashes = editedManifest('hashes', JSON.stringify({ t: { sqlName: 't', rows: -1, sha256: 'abc' } }));
    expect(() => openSnapshot(hashes)).toThrow(/field "hashes.t.rows": Too small|field "hashes.t.sha256": must be 64 hexadecimal digits/);
  });
});

describe('a manifest changed after the snapshot was made (its shape still right)', () => {
  it('tables, query and dq warn on stderr, dq reports it, the library view knows', async () => {
    const file = editedManifest('createdBy', '"someone else"');
    const warning = /warning: .*: NOT INTACT: its manifest was changed after the snapshot was made \(it hashes to [0-9a-f]{16}…, the file records root [0-9a-f]{16}…\)/;
    for (const args of [['tables', file, '--format', 'json'], ['query', file, 'SELECT 1 AS x']]) {
      const result = await runCli(args);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toBeTruthy();
      expect(oneLine(result)).toMatch(warning);
    }
    const dq = await runCli(['dq', file, '--no-store']);
    expect(dq.stderr).toMatch(warning);
    expect(dq.stdout.split('\n').slice(0, 5).join('\n')).toMatch(/root sha256 [0-9a-f]{16}… NOT INTACT\n.*\nNOT INTACT: the manifest was changed after the snapshot was made/);
    const intact = await runCli(['tables', snapshot]);
    expect(intact.stderr).toBe('');
    const host = new WorkbenchHost({ transport: 'http', configDir: join(dir, 'config') });
    try {
      const opened = await dispatch(host.handlers, 'snapshot/open', { path: file }, { callId: 'x', signal: new AbortController().signal, progress: () => {} });
      expect(opened).toMatchObject({ ok: true, value: { manifestIntact: false } });
    } finally {
      await host.close();
    }
  });
});

describe('paths that are not files', () => {
  it('a FIFO or a device is one line, not a hang', async () => {
    const fifo = join(dir, 'fifo.snapbench');
    execFileSync('mkfifo', [fifo]);
    for (const path of [fifo, '/dev/zero']) {
      const result = await runCli(['tables', path], { timeoutMs: 20_000 });
      expect(result.code, path).toBe(1);
      expect(oneLine(result)).toBe(`snapbench: ${path}: is not a regular file (a FIFO, device or socket), so not a snapshot (give the path of a .snapbench file)`);
    }
  });

  it('a directory is one line with the fix', async () => {
    const result = await runCli(['verify', dir]);
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe(`snapbench: ${dir}: is a directory, not a snapshot file (give the path of a .snapbench file inside it)`);
  });
});

describe('fleet manifests and packs', () => {
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(',')}]`)].join('\n');

  it('an alias bomb is one line naming the file', async () => {
    const fleet = write('bomb.yaml', `${bomb}\ninstances: []\n`);
    const result = await runCli(['fleet', 'check', fleet]);
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe(`snapbench: fleet manifest ${fleet}: refused: its YAML aliases (*name) expand to more than 1000 copies, as an alias bomb does; write the values out (fix the YAML syntax)`);
    const pack = write('bomb-pack.yaml', `${bomb}\npack: p\nrules: []\n`);
    const dq = await runCli(['dq', snapshot, '--pack', pack, '--no-store']);
    expect(dq.code).toBe(1);
    expect(oneLine(dq)).toMatch(new RegExp(`pack ${pack.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: refused: its YAML aliases`));
  });

  it('a missing manifest is one line whose hint fits the command (fleet check takes no --fleet)', async () => {
    const absent = join(dir, 'absent-fleet.yaml');
    for (const args of [['fleet', 'check', absent, '--connect', '--format', 'json'], ['pull', '--fleet', absent, '--out', join(dir, 'absent.snapbench')]]) {
      const result = await runCli(args);
      expect(result.code).toBe(1);
      expect(oneLine(result)).toBe(`snapbench: fleet manifest ${absent}: no such file (check the path of the fleet manifest; "snapbench fleet manifest" prints an example)`);
    }
  });

  it('--only naming only inventory-only instances says that none of them can be pulled', async () => {
    const fleet = write('inventory-only.yaml', 'instances:\n  - { name: a, engine: mysql }\n  - { name: b, engine: redis, host: 127.0.0.1, port: 1 }\n');
    const result = await runCli(['pull', '--fleet', fleet, '--only', 'a', '--out', join(dir, 'inventory-only.snapbench')]);
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe('snapbench: nothing to pull: none of the instances given to --only has connection details (host); inventory-only instances are not pulled');
  });

  it('an --out inside a file is one line naming it, from every writing command', async () => {
    const fleet = write('one-redis.yaml', 'instances:\n  - { name: b, engine: redis, host: 127.0.0.1, port: 1 }\n');
    const under = (name: string) => join(snapshot, name);
    const cases = [
      ['demo', '--out', under('x.snapbench')],
      ['demo', '--series', '2', '--out', under('series')],
      ['pull', '--fleet', fleet, '--out', under('x.snapbench')],
      ['dq', snapshot, '--format', 'json', '--no-store', '--out', under('r.json')],
      ['share', snapshot, '--fresh-key', '--out', under('x.snapbench')],
      ['keys', 'generate', '--out', under('k')],
      ['fleet', 'manifest', '--out', under('f.yaml')],
    ];
    for (const args of cases) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(oneLine(result), args.join(' ')).toMatch(new RegExp(`^snapbench: --out ${snapshot.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/\\S+: ${snapshot.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is a file, not a directory \\(choose a path inside a directory\\)$`));
    }
  });

  it('an unknown tag is one line, not a multi-line YAMLWarning', async () => {
    const fleet = write('tag.yaml', 'instances:\n  - name: a\n    engine: !!foo mysql\n');
    const result = await runCli(['fleet', 'check', fleet]);
    expect(result.code).toBe(1);
    expect(oneLine(result)).toBe(`snapbench: fleet manifest ${fleet} line 3: unknown YAML tag !!foo; remove it (plain values need no tag) (fix the YAML syntax)`);
  });

  it('password_env: 1e3 says the type is wrong, not that it is missing; so does every other field', async () => {
    const fleet = write('pw.yaml', 'instances:\n  - name: a\n    engine: mysql\n    host: h\n    password_env: 1e3\n');
    const result = await runCli(['fleet', 'check', fleet]);
    expect(oneLine(result)).toBe(`snapbench: fleet manifest ${fleet}: instance "a" field "password_env": must be text, not the number 1000`);
    const types = write('types.yaml', 'instances:\n  - name: 5\n    engine: [mysql]\n    host: {a: 1}\n    port: true\n    databases: 7\n    tls: "yes"\n    allocated_memory_mb: "big"\n    raw_key_names: "no"\n');
    const all = await runCli(['fleet', 'check', types]);
    expect(all.code).toBe(1);
    expect(all.stderr).not.toMatch(/is required/);
    for (const expected of [
      'field "name": must be text, not the number 5',
      'field "engine": must be text, not a list',
      'field "host": must be text, not a mapping',
      'field "port": must be a number or text, not true',
      'field "databases": must be a list, not the number 7',
      'field "allocated_memory_mb": must be a number, not the text "big"',
      'field "raw_key_names": must be true/false, not the text "no"',
    ])
      expect(all.stderr).toContain(expected);
    expect(all.stderr).toMatch(/field "tls": must be .*not the text "yes"/);
    for (const line of all.stderr.trimEnd().split('\n')) expect(line).toMatch(new RegExp(`^snapbench: fleet manifest ${types.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: instance #1 field "`));
  });
});
