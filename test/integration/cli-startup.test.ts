// What a command that needs no engine loads before it answers: --version, the
// help and a usage error build the command line from commander and the help
// texts alone; the drivers, SQLite, the manifest schema (zod), YAML and the
// SSH client are imported only inside the action that uses them. (How long
// start-up takes is measured in `npm run bench`, bench/startup.ts; this test
// only keeps the heavy modules out of the start-up path.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNAPBENCH_BIN } from '../helpers/cli.ts';

let dir: string;
let register: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'snapbench-startup-'));
  // A module loader hook that names every module it loads, on stderr.
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(hooks, `export async function load(url, context, next) {\n  const result = await next(url, context);\n  if (!url.startsWith('node:')) process.stderr.write('LOADED ' + url + '\\n');\n  return result;\n}\n`);
  register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The packages under node_modules a CLI invocation loads, and its output. */
function packagesLoaded(args: string[]): { packages: string[]; stdout: string; status: number | null } {
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, SNAPBENCH_BIN, ...args], { encoding: 'utf8', env: { ...process.env, COLUMNS: '80' } });
  const packages = new Set<string>();
  for (const line of r.stderr.split('\n')) {
    const match = /^LOADED .*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
    if (match) packages.add(match[1]!);
  }
  return { packages: [...packages].sort(), stdout: r.stdout, status: r.status };
}

describe('CLI start-up', () => {
  it.each([[['--version']], [['--help']], [['help', 'pull']], [['verify', '--help']], [['fleet', 'seed', '--help']], [['pull']], [['nosuch']]])('%j loads commander and no other package', (args) => {
    const { packages, status } = packagesLoaded(args);
    expect(status).not.toBeNull();
    expect(packages).toEqual(['commander']);
  });

  it('scenario --help loads the cost model it quotes (zod with it), and no driver or SQLite', () => {
    const { packages, stdout, status } = packagesLoaded(['scenario', '--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('Decisions (--set KEY=VALUE');
    expect(packages.filter((p) => !['commander', 'zod'].includes(p))).toEqual([]);
  });

  it('--version still prints the version', () => {
    const { stdout, status } = packagesLoaded(['--version']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
