#!/usr/bin/env node
// Entry point of `npx snapbench`. Runs a bundle of the TypeScript CLI built by
// esbuild into .cache/cli/ (rebuilt in ~0.1 s whenever a source file is newer),
// which starts faster and lighter than compiling on the fly; falls back to tsx
// when esbuild is not installed.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, '.cache', 'cli');

function newestSource(dir) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|mjs)$/.test(item.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

async function bundle() {
  // One directory per state of the sources: a running process never sees its bundle replaced.
  const newest = Math.max(newestSource(join(root, 'snapshots')), newestSource(join(root, 'shared')), statSync(join(root, 'package.json')).mtimeMs);
  const outDir = join(cacheDir, String(Math.floor(newest)));
  const entry = join(outDir, 'main.mjs');
  if (existsSync(entry)) return entry;
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return null;
  }
  // Build beside the target and rename, so concurrent runs never see half a bundle.
  const staging = `${outDir}.tmp-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  await esbuild.build({
    entryPoints: { main: join(root, 'snapshots/cli/main.ts'), writerWorker: join(root, 'snapshots/file/writerWorker.ts') },
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  try {
    renameSync(staging, outDir);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another run built the same sources first
  }
  // Bundles of older sources go after an hour: a process still running one keeps its files until then.
  for (const old of readdirSync(cacheDir)) {
    const path = join(cacheDir, old);
    if (old !== String(Math.floor(newest)) && Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
  }
  return entry;
}

const built = await bundle();
let main;
if (built) ({ main } = await import(pathToFileURL(built).href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../snapshots/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
