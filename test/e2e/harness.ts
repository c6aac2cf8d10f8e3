// Runs the real browser host and a real Chromium for the workbench tests:
// `snapbench serve` as a child process (its URL read from its first line of
// stdout, stopped by PID), and Debian's Chromium through playwright-core with
// a fresh profile.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { SNAPBENCH_BIN } from '../helpers/cli.ts';

export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

export interface ServeProcess {
  url: string;
  origin: string;
  pid: number;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `snapbench serve [file]` and resolves with the URL it prints first. */
export function startServe(args: string[], env: Record<string, string>, timeoutMs = 240_000): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [SNAPBENCH_BIN, 'serve', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(child.pid!, 'SIGTERM');
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
    }, 15_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`snapbench serve printed no URL within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      const url = stdout.slice(0, newline).trim();
      if (!/^http:\/\/127\.0\.0\.1:\d+\/\?token=/.test(url)) {
        void stop();
        reject(new Error(`the first line of stdout is not the URL: ${url}; stderr: ${stderr}`));
        return;
      }
      resolve({ url, origin: new URL(url).origin, pid: child.pid!, stderr: () => stderr, stop });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`snapbench serve exited (${code}) before printing its URL; stderr: ${stderr}`));
    });
  });
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/** Debian Chromium, headless, with a profile of its own. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'snapbench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    locale: 'en-US',
  });
  context.setDefaultTimeout(60_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}
