// Entry of the desktop app's engine process (dist/cli/engineProcess.js): the
// Electron main process starts it with utilityProcess.fork and talks to it over
// `process.parentPort`. Under plain Node (child_process.fork, as the wiring
// tests do) the same messages go over Node's IPC channel.
//
//   engineProcess.js [FILE]   FILE: a snapshot to open at start (a double-clicked file)
import { resolve } from 'node:path';
import { configDir } from './config.ts';
import { WorkbenchHost } from './host.ts';
import { nodeIpcPort, serveOverParentPort, type FromUtility, type ParentPortLike } from './parentPort.ts';

const electronPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
const port = electronPort ?? nodeIpcPort(process);
if (!port) {
  process.stderr.write('snapbench engine: runs inside the desktop app (an Electron utility process); use "snapbench serve" for the browser\n');
  process.exit(1);
}

const file = process.argv[2];
const host = new WorkbenchHost({
  transport: 'ipc',
  configDir: configDir(),
  initialPath: file ? resolve(file) : null,
  emit: (event, payload) => port.postMessage({ type: 'event', event, payload } satisfies FromUtility),
});
if (file) {
  try {
    host.open(file); // the window finds it in app/info
  } catch (error) {
    process.stderr.write(`snapbench engine: ${(error as Error).message}\n`);
  }
}
void host.pool.warm().catch(() => {});
await serveOverParentPort(port, host);
process.exit(0);
