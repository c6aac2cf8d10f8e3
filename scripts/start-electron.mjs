// `npm start`: launch the Electron app from the compiled dist/, fetching
// Electron's binary first when `npm ci` skipped it (ELECTRON_SKIP_BINARY_DOWNLOAD=1,
// which the README's install commands set so that installing never depends on
// Electron's download site). Electron's own installer does the download and
// checks it against the checksums shipped in the electron package.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));

function installedBinary() {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(electronDir, 'dist'), readFileSync(pathFile, 'utf8'));
  return existsSync(binary) ? binary : null;
}

let binary = installedBinary();
if (!binary) {
  process.stderr.write('Electron is not installed yet (npm ci skipped its download): fetching it once...\n');
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const fetched = spawnSync(process.execPath, [join(electronDir, 'install.js')], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  binary = fetched.status === 0 ? installedBinary() : null;
  if (!binary) {
    const reason = (fetched.stderr ?? '').split('\n').find((line) => line.trim() !== '')?.trim() ?? `exit ${fetched.status}`;
    process.stderr.write(`npm start: Electron could not be downloaded (${reason}); run it on a machine that reaches github.com (or set ELECTRON_MIRROR), or use the same UI in a browser: npx snapbench serve FILE\n`);
    process.exit(1);
  }
}

const app = spawn(binary, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
app.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
