// Once per test run: compiles the current sources (engine, Electron main and
// preload, UI) into .tmp/test-build-*/ with scripts/build.mjs, the same build
// as `npm run build`, and points SNAPBENCH_BUILD_DIR at it. Tests that spawn
// `snapbench` run that build (test/helpers/cli.ts), and the engine modules the
// tests import start their worker threads from it (snapshots/compiled.ts), so
// every run tests the sources as they are now, never a stale dist/.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEngine, buildRenderer } from '../scripts/build.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export default async function setup(): Promise<() => void> {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'test-build-'));
  chmodSync(dir, 0o755); // some tests run the CLI as an unprivileged user
  const started = performance.now();
  await Promise.all([buildEngine(dir), buildRenderer(dir)]);
  process.stderr.write(`test build: the current sources compiled into ${dir} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  process.env.SNAPBENCH_BUILD_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
