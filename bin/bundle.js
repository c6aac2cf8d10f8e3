// Builds esbuild bundles of the TypeScript sources on demand, cached under
// node_modules/.cache/snapbench/<name>/<newest source mtime>/: rebuilt in about
// 0.1 s when any source is newer, never replaced under a running process.
// Used by the CLI entry (bin/snapbench.js) and the workbench host's worker pool.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestSource(dir) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|tsx|mjs)$/.test(item.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Returns the directory holding `<entry>.mjs` for every entry point, or null when
 * esbuild is not installed (the caller then runs the sources through tsx).
 */
export async function bundleOnDemand(root, name, entryPoints) {
  const stamp = String(Math.floor(Math.max(newestSource(join(root, 'snapshots')), newestSource(join(root, 'shared')), statSync(join(root, 'package.json')).mtimeMs)));
  const cache = join(root, 'node_modules', '.cache', 'snapbench', name);
  const outDir = join(cache, stamp);
  if (Object.keys(entryPoints).every((entry) => existsSync(join(outDir, `${entry}.mjs`)))) return outDir;
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return null;
  }
  // Build beside the target and rename, so concurrent runs never see half a bundle.
  const staging = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  await esbuild.build({
    entryPoints,
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
  for (const old of readdirSync(cache)) {
    const path = join(cache, old);
    if (old !== stamp && Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
  }
  return outDir;
}
