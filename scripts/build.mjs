#!/usr/bin/env node
// Compiles Snapbench ahead of time to plain JavaScript under dist/ (or --out DIR):
//
//   dist/cli/        the engine: snapbench.js (the CLI), engineProcess.js (the desktop
//                    app's engine, an Electron utility process), hostWorker.js and
//                    dqWorker.js (child processes), writerWorker.js (a worker thread),
//                    and the chunks they share, in one
//                    flat folder so each finds the others beside it
//   dist/electron/   main.js (the Electron main process) and preload.cjs
//   dist/renderer/   the workbench UI (vite)
//
// Nothing is bundled or transpiled when Snapbench runs. Dependencies stay in
// node_modules (production dependencies only in an installed app).
//
//   node scripts/build.mjs [--out DIR] [--only node|renderer] [--watch] [--quiet] [--if-tools]
//
// --if-tools (the `prepare` script): without the dev dependencies but with a
// dist/ already built, say so and succeed, so `npm ci --omit=dev` works.
//
// `npm run build` typechecks first, then runs this; `npm ci` runs it through
// `prepare`, so `npx snapbench` works right after install. The tests build the
// engine of the current sources into a folder of their own (test/globalSetup.ts).
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** The engine's entry points: name in dist/cli → source. */
export const ENGINE_ENTRIES = {
  snapbench: 'snapshots/cli/bin.ts',
  engineProcess: 'snapshots/host/engineProcess.ts',
  hostWorker: 'snapshots/host/worker.ts',
  writerWorker: 'snapshots/file/writerWorker.ts',
  dqWorker: 'snapshots/dq/worker.ts',
};

function engineOptions(outDir) {
  return {
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENGINE_ENTRIES).map(([name, source]) => [name, join(ROOT, source)])),
    outdir: join(outDir, 'cli'),
    bundle: true,
    splitting: true,
    chunkNames: 'chunk-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  };
}

function electronOptions(outDir) {
  const common = { absWorkingDir: ROOT, bundle: true, platform: 'node', target: 'node20', external: ['electron'], packages: 'external', sourcemap: 'linked', logLevel: 'warning' };
  return [
    { ...common, entryPoints: [join(ROOT, 'electron/main.ts')], outfile: join(outDir, 'electron', 'main.js'), format: 'esm' },
    // A sandboxed preload runs as a classic script: CommonJS, everything but electron bundled.
    { ...common, entryPoints: [join(ROOT, 'electron/preload.ts')], outfile: join(outDir, 'electron', 'preload.cjs'), format: 'cjs', packages: undefined },
  ];
}

/** Builds the engine (dist/cli) and the Electron main and preload (dist/electron). */
export async function buildEngine(outDir = join(ROOT, 'dist')) {
  const esbuild = await import('esbuild');
  rmSync(join(outDir, 'cli'), { recursive: true, force: true });
  rmSync(join(outDir, 'electron'), { recursive: true, force: true });
  await Promise.all([esbuild.build(engineOptions(outDir)), ...electronOptions(outDir).map((options) => esbuild.build(options))]);
  chmodSync(join(outDir, 'cli', 'snapbench.js'), 0o755);
}

/** Builds the workbench UI into dist/renderer (staged, then renamed into place). */
export async function buildRenderer(outDir = join(ROOT, 'dist')) {
  const vite = await import('vite');
  const target = join(outDir, 'renderer');
  const staging = `${target}.staging-${process.pid}`;
  mkdirSync(outDir, { recursive: true });
  // A production build whatever NODE_ENV the caller has (test runners set "test").
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({ configFile: join(ROOT, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
}

async function watchEngine(outDir) {
  const esbuild = await import('esbuild');
  const contexts = await Promise.all([esbuild.context(engineOptions(outDir)), ...electronOptions(outDir).map((options) => esbuild.context(options))]);
  await Promise.all(contexts.map((context) => context.watch()));
  process.stderr.write(`build: watching snapshots/, shared/ and electron/; ${join(outDir, 'cli')} and ${join(outDir, 'electron')} are rebuilt on every change (Ctrl-C stops)\n`);
}

async function cli(argv) {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, only: { type: 'string' }, watch: { type: 'boolean' }, quiet: { type: 'boolean' }, 'if-tools': { type: 'boolean' } } });
  const outDir = resolve(values.out ?? join(ROOT, 'dist'));
  if (values.only !== undefined && values.only !== 'node' && values.only !== 'renderer') throw new Error(`--only ${values.only}: must be node (dist/cli and dist/electron) or renderer`);
  if (values.watch) return watchEngine(outDir);
  const started = performance.now();
  if (values.only !== 'renderer') await buildEngine(outDir);
  if (values.only !== 'node') await buildRenderer(outDir);
  if (!values.quiet) process.stderr.write(`build: ${values.only === 'node' ? 'engine and electron' : values.only ?? 'engine, electron and renderer'} compiled into ${outDir} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).catch((error) => {
    const missing = error?.code === 'ERR_MODULE_NOT_FOUND' && !existsSync(join(ROOT, 'node_modules', 'esbuild'));
    // `npm ci --omit=dev` runs `prepare` too: with a dist/ already built (a production install), there is nothing to do.
    if (missing && process.argv.includes('--if-tools') && existsSync(join(ROOT, 'dist', 'cli', 'snapbench.js'))) {
      process.stderr.write('build: skipped: the dev dependencies are not installed; the existing dist/ is used\n');
      return;
    }
    process.stderr.write(`build: ${missing ? 'esbuild and vite are not installed: run "npm ci" (with dev dependencies) first' : error?.message ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
