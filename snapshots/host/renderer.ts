// Finds the built UI for the browser host: `dist/` when `npm run build` made
// it from the current sources, else a build of its own in node_modules/.cache/
// (made with vite's API on first use, so `serve` works right after `npm ci`).
// Builds go to a staging folder renamed into place, so two hosts never see
// half a build.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './pool.ts';

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const item of readdirSync(path, { withFileTypes: true })) {
    if (item.name === 'node_modules' || item.name.startsWith('.')) continue;
    latest = Math.max(latest, newest(join(path, item.name)));
  }
  return latest;
}

export class RendererBuildError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'RendererBuildError';
  }
}

/** The newest modification time of what the UI is built from. */
export function rendererSourcesStamp(root = projectRoot()): number {
  return Math.floor(
    Math.max(newest(join(root, 'renderer')), newest(join(root, 'shared')), newest(join(root, 'vite.config.ts')), newest(join(root, 'package.json'))),
  );
}

export async function rendererDir(log: (line: string) => void = () => {}, root = projectRoot()): Promise<string> {
  const stamp = rendererSourcesStamp(root);
  const dist = join(root, 'dist', 'index.html');
  if (existsSync(dist) && statSync(dist).mtimeMs >= stamp) return join(root, 'dist');
  const cache = join(root, 'node_modules', '.cache', 'snapbench', 'renderer');
  const outDir = join(cache, String(stamp));
  if (existsSync(join(outDir, 'index.html'))) return outDir;
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new RendererBuildError('the workbench UI is not built and vite is not installed to build it', 'run "npm ci" then "npm run build" in the project folder');
  }
  log(`building the workbench UI (${existsSync(dist) ? 'dist/ is older than the sources' : 'no dist/ yet'})…`);
  const staging = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(cache, { recursive: true });
  // A production build whatever the caller's NODE_ENV (test runners set "test", which would bundle React's development build).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({
      configFile: join(root, 'vite.config.ts'),
      root: join(root, 'renderer'),
      base: './',
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: staging, emptyOutDir: true, chunkSizeWarningLimit: 4096 },
    });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new RendererBuildError(`building the workbench UI failed: ${(error as Error).message.split('\n')[0]}`, 'run "npm run build" to see the whole error');
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  try {
    renameSync(staging, outDir);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another host built the same sources first
  }
  for (const old of readdirSync(cache)) {
    const path = join(cache, old);
    if (old !== String(stamp) && Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
  }
  return outDir;
}
