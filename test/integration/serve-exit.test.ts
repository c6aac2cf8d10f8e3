// `snapbench serve` ends as the contract says: exit 0 after SIGTERM (it served until
// told to stop), and a port in use is one line with exit 1, not a silent exit 13
// (a promise left unsettled while the idle worker it had started was stopped).
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SNAPBENCH_BIN, runCli } from '../helpers/cli.ts';

function serveUntilUrl(): Promise<{ code: Promise<number | null>; stop: () => void }> {
  const child = spawn(process.execPath, [SNAPBENCH_BIN, 'serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const code = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) resolve({ code, stop: () => child.kill('SIGTERM') });
    });
    void code.then((c) => reject(new Error(`serve exited (${c}) before printing its URL`)));
  });
}

describe('serve ends with the right exit code', () => {
  it('exits 0 on SIGTERM, after its worker was started', async () => {
    const serve = await serveUntilUrl();
    // Let the idle worker start, as it does at launch.
    await new Promise((r) => setTimeout(r, 1500));
    serve.stop();
    expect(await serve.code).toBe(0);
  }, 30_000);

  it('a port in use is one line and exit 1', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const port = (busy.address() as { port: number }).port;
    try {
      const result = await runCli(['serve', '--port', String(port)], { timeoutMs: 20_000 });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`snapbench: port ${port} on 127.0.0.1 is in use (choose another with --port, or leave it out to pick a free one)\n`);
    } finally {
      busy.close();
    }
  }, 30_000);
});
