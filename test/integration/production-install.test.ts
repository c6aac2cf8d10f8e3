// A production install works: on a copy of this checkout, `npm ci` from the
// lockfile, the build, `npm prune --omit=dev`, and then the compiled CLI runs
// demo, verify, dq, scenario, share and serve (the prebuilt UI, no vite) with
// nothing but the production dependencies. Two shortcuts, both about time on
// this machine: `npm ci` reads the npm cache (--prefer-offline) and skips
// install scripts, with better-sqlite3's native binary copied from this
// checkout (its prebuilt download is unreachable here, so a fresh install
// compiles it for minutes); and the build runs scripts/build.mjs without the
// typecheck that `npm run build` adds (CI typechecks separately).
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command: string, args: string[], cwd: string, timeout = 240_000): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
  return result;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a production install (npm ci, build, npm prune --omit=dev) on a copy of the checkout', () => {
  let copy: string;
  let work: string;
  let cli: string;
  const timings: Record<string, number> = {};

  const snapbench = (args: string[]) => run(process.execPath, [cli, ...args], work, 120_000);

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'snapbench-prod-'));
    work = join(copy, 'work');
    // The tracked and new (not ignored) files, as a clone would have them.
    const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT).stdout.split('\0').filter(Boolean);
    for (const file of files) {
      if (!existsSync(join(ROOT, file))) continue; // deleted in the work tree, not yet committed
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(ROOT, file), join(copy, file));
    }
    let started = performance.now();
    run(NPM, ['ci', '--include=dev', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], copy);
    cpSync(join(ROOT, 'node_modules', 'better-sqlite3', 'build'), join(copy, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });
    timings.npmCi = performance.now() - started;
    started = performance.now();
    run(process.execPath, ['scripts/build.mjs', '--quiet'], copy);
    timings.build = performance.now() - started;
    started = performance.now();
    run(NPM, ['prune', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], copy);
    timings.prune = performance.now() - started;
    mkdirSync(work);
    cli = join(copy, JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')).bin.snapbench as string);
    process.stderr.write(`production install: npm ci ${(timings.npmCi / 1000).toFixed(1)} s, build ${(timings.build / 1000).toFixed(1)} s, prune ${(timings.prune / 1000).toFixed(1)} s\n`);
  }, 300_000);

  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('has no development tools left: no vite, esbuild, typescript, tsx, vitest, electron or electron-builder', () => {
    for (const tool of ['vite', 'esbuild', 'typescript', 'tsx', 'vitest', 'electron', 'electron-builder', 'eslint']) expect(existsSync(join(copy, 'node_modules', tool)), tool).toBe(false);
    for (const dep of ['better-sqlite3', 'commander', 'apache-arrow', 'zod', 'yaml']) expect(existsSync(join(copy, 'node_modules', dep)), dep).toBe(true);
    expect(existsSync(join(copy, 'dist', 'renderer', 'index.html'))).toBe(true);
    expect(existsSync(join(copy, 'dist', 'electron', 'main.js'))).toBe(true);
    expect(existsSync(join(copy, 'dist', 'electron', 'preload.cjs'))).toBe(true);
  });

  it('runs demo, verify, dq, scenario and share with the compiled CLI', () => {
    snapbench(['demo', '--out', 'demo.snapbench']);
    expect(snapbench(['verify', 'demo.snapbench']).stdout).toMatch(/demo\.snapbench: intact\. \d+ tables verified/);
    const report = JSON.parse(snapbench(['dq', 'demo.snapbench', '--format', 'json']).stdout) as { results: { id: string; status: string }[] };
    expect(report.results.find((r) => r.id === 'SEC-002')).toMatchObject({ status: 'fail' });
    const scenario = JSON.parse(snapbench(['scenario', '--snapshot', 'demo.snapbench', '--stores', '100', '--format', 'json']).stdout) as { stores: number; monthly: { total: number } };
    expect(scenario.stores).toBe(100);
    expect(scenario.monthly.total).toBeGreaterThan(0);
    snapbench(['share', 'demo.snapbench', '--out', 'shared.snapbench', '--fresh-key']);
    expect(snapbench(['verify', 'shared.snapbench']).stdout).toMatch(/shared\.snapbench: intact/);
  });

  it('serves the prebuilt UI and its API', async () => {
    const child = spawn(process.execPath, [cli, 'serve', 'demo.snapbench'], { cwd: work, env: { ...process.env, SNAPBENCH_CONFIG_DIR: join(copy, 'config') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
        });
        child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
      });
      await vi.waitFor(() => expect(stderr).toContain(`UI from ${join(copy, 'dist', 'renderer')}`), { timeout: 10_000 });
      const token = new URL(url).searchParams.get('token')!;
      const entry = await get(url);
      expect(entry.status === 302 || entry.status === 303).toBe(true); // the token becomes a cookie on a redirect
      const cookie = String(entry.headers['set-cookie']).split(';')[0]!;
      const page = await get(new URL('/', url).href, { Cookie: cookie });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<div id="root"></div>');
      const script = /<script type="module" crossorigin src="\.?\/?(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
      expect(script).toBeDefined();
      const asset = await get(new URL(script!, url).href, { Cookie: cookie });
      expect(asset.status).toBe(200);
      expect(asset.body.length).toBeGreaterThan(10_000);
      const info = await get(new URL('/api/call/app/info', url).href, { 'Content-Type': 'application/json', 'X-Snapbench-Token': token }, 'POST', '{}');
      expect(JSON.parse(info.body)).toMatchObject({ ok: true, value: { transport: 'http', initial: join(work, 'demo.snapbench') } });
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    }
  });
});
