// Runs the real `snapbench` command as a user would, in a child process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** The compiled CLI: the test run's build of the current sources (test/globalSetup.ts), else `npm run build`'s dist/. */
export const SNAPBENCH_BIN = process.env.SNAPBENCH_BUILD_DIR ? join(process.env.SNAPBENCH_BUILD_DIR, 'cli', 'snapbench.js') : fileURLToPath(new URL('../../dist/cli/snapbench.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SNAPBENCH_BIN, ...args], {
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function tempDir(prefix = 'snapbench-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a fleet manifest YAML file and returns its path. */
export function writeFleet(dir: string, instances: Record<string, unknown>[], name = 'fleet.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, stringify({ instances }));
  return path;
}

export function parseJson<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\nstdout: ${result.stdout.slice(0, 2000)}\nstderr: ${result.stderr.slice(0, 2000)}`);
  }
}
