// `snapbench serve [--port N] [FILE]`: the browser host. Prints the URL with
// this launch's token as the first line on stdout, then serves the workbench UI
// and its API on 127.0.0.1 until SIGINT/SIGTERM.
//
// `snapbench host-ipc` (hidden) is the same host for the desktop shell: the
// Electron main process forks it as a utility process and talks over its
// parent port.
import { InvalidArgumentError, type Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ApiFailure } from '../../../shared/api/errors.ts';
import { configDir } from '../../host/config.ts';
import { WorkbenchHost } from '../../host/host.ts';
import { startHttpHost, type HttpHost } from '../../host/http.ts';
import { serveOverParentPort, type FromUtility, type ParentPortLike } from '../../host/parentPort.ts';
import { RendererBuildError, rendererDir } from '../../host/renderer.ts';
import { CliError } from '../errors.ts';

function portOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('--port must be a whole number from 0 to 65535 (0 picks a free port)');
  return Number(value);
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveSignal(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function serve(file: string | undefined, opts: { port: number }): Promise<void> {
  const log = (line: string) => process.stderr.write(`snapbench serve: ${line}\n`);
  let http: HttpHost | null = null;
  const host = new WorkbenchHost({
    transport: 'http',
    configDir: configDir(),
    initialPath: file ? resolve(file) : null,
    emit: (event, payload) => http?.broadcast(event, payload),
  });
  try {
    if (file) {
      try {
        host.open(file);
      } catch (error) {
        if (error instanceof ApiFailure) throw new CliError(error.message, error.hint);
        throw error;
      }
    }
    let staticDir: string;
    try {
      staticDir = await rendererDir(log);
    } catch (error) {
      if (error instanceof RendererBuildError) throw new CliError(error.message, error.hint);
      throw error;
    }
    void host.pool.warm().catch(() => {});
    try {
      http = await startHttpHost({ host, port: opts.port, token: randomBytes(24).toString('base64url'), staticDir, log });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new CliError(`port ${opts.port} on 127.0.0.1 is in use`, 'choose another with --port, or leave it out to pick a free one');
      if (code === 'EACCES') throw new CliError(`port ${opts.port}: permission denied`, 'use a port above 1023');
      throw error;
    }
    process.stdout.write(`${http.url}\n`);
    log(`serving${file ? ` ${resolve(file)}` : ''} on 127.0.0.1:${http.port} (UI from ${staticDir}); open the URL above; Ctrl-C stops`);
    const signal = await untilSignal();
    log(`${signal}: stopping`);
  } finally {
    await http?.close();
    await host.close();
  }
}

/** The desktop shell's engine process (an Electron utility process). */
async function hostIpc(file: string | undefined): Promise<void> {
  const port = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  if (!port) throw new CliError('host-ipc runs inside the desktop app (an Electron utility process)', 'use "snapbench serve" for the browser');
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
      process.stderr.write(`snapbench host-ipc: ${(error as Error).message}\n`);
    }
  }
  void host.pool.warm().catch(() => {});
  await serveOverParentPort(port, host);
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('serve the workbench UI and its API on 127.0.0.1 for a browser; prints the URL (with its token) first')
    .argument('[file]', 'snapshot file to open at start')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', portOption, 0)
    .action((file: string | undefined, opts: { port: number }) => serve(file, opts));

  program
    .command('host-ipc', { hidden: true })
    .description("the desktop app's engine process")
    .argument('[file]', 'snapshot file to open at start')
    .action((file: string | undefined) => hostIpc(file));
}
