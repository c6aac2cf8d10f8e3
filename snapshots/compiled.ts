// Where the compiled parts of Snapbench are at run time. `npm run build` puts
// the engine in dist/cli/ (its entries and shared chunks in one flat folder,
// so a worker script is always beside the module that starts it) and the UI
// in dist/renderer/. Tests that run the TypeScript sources set
// SNAPBENCH_BUILD_DIR to their own build of the same sources
// (test/globalSetup.ts); nothing is compiled at run time.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type CompiledScript = 'hostWorker' | 'writerWorker' | 'engineProcess' | 'dqWorker' | 'snapbench';

/** The compiled folder holding cli/ and renderer/: the one this module runs from, else SNAPBENCH_BUILD_DIR. */
function buildDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  if (existsSync(join(here, 'hostWorker.js'))) return join(here, '..');
  const fromEnv = process.env.SNAPBENCH_BUILD_DIR;
  if (fromEnv) return fromEnv;
  throw new Error('Snapbench runs from its compiled build: run "npm run build" (the tests build their own)');
}

/** The absolute path of a compiled entry script, e.g. a worker thread's. */
export function compiledScript(name: CompiledScript): string {
  return join(buildDir(), 'cli', `${name}.js`);
}

/** The folder of the built workbench UI (its index.html may be missing when only the engine was built). */
export function compiledRendererDir(): string {
  return join(buildDir(), 'renderer');
}
