#!/usr/bin/env node
// Entry point of `npx snapbench`. Runs an esbuild bundle of the TypeScript CLI
// (see bundle.js), which starts faster and lighter than compiling on the fly;
// falls back to tsx when esbuild is not installed.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleOnDemand } from './bundle.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = await bundleOnDemand(root, 'cli', {
  main: join(root, 'snapshots/cli/main.ts'),
  writerWorker: join(root, 'snapshots/file/writerWorker.ts'),
});
let main;
if (outDir) ({ main } = await import(pathToFileURL(join(outDir, 'main.mjs')).href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../snapshots/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
