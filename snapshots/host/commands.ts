// The work of `snapbench serve`, loaded only when it runs.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ApiFailure } from '../../shared/api/errors.ts';
import { configDir } from './config.ts';
import { WorkbenchHost } from './host.ts';
import { startHttpHost, type HttpHost } from './http.ts';
import { RendererBuildError, rendererDir } from './renderer.ts';
import { CliError } from '../errors.ts';
import { printLine } from '../terminal.ts';
import { STATEMENT_TIMEOUT_ENV } from '../file/timeLimit.ts';

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

/** After a stop signal, the host gets this long to close before the process ends regardless. */
const STOP_GRACE_MS = 5000;

export async function serve(file: string | undefined, opts: { port: number; timeout?: number }): Promise<void> {
  const log = (line: string) => printLine(process.stderr, `snapbench serve: ${line}`);
  // The worker pool reads the statement time limit from the environment (its default).
  if (opts.timeout !== undefined) process.env[STATEMENT_TIMEOUT_ENV] = String(opts.timeout);
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
      staticDir = rendererDir();
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
    // The first signal stops the host: running work is cancelled (its worker processes are killed), and
    // should closing still take longer, the process ends anyway.
    setTimeout(() => process.exit(process.exitCode ?? 0), STOP_GRACE_MS).unref();
  } finally {
    await http?.close();
    await host.close();
  }
}
