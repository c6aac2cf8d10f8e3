// The workbench shows trust, not just the CLI: a signed, redacted copy opens
// with its signer, key fingerprint and trust state and what was redacted; once
// its key is trusted the header says so. A tampered copy shows NOT INTACT in
// the header on every view until it is closed, and no green badge says
// otherwise. Real files made by the real CLI, `snapbench serve`, Chromium.
import Database from 'better-sqlite3';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.ts';
import { launchBrowser, screenshot, startServe, type Browser, type ServeProcess } from './harness.ts';
import { LibraryPage, TrustUi, Workbench } from './pages.ts';

const WAIT = { timeout: 60_000 };
const T_USER = 'aws-luckyus-igers-rw/luckyus_igers/t_user';

describe('trust in the workbench', () => {
  let dir: string;
  let shared: string;
  let tampered: string;
  let fingerprint: string;
  let serve: ServeProcess;
  let browser: Browser;
  let wb: Workbench;
  let library: LibraryPage;
  let trust: TrustUi;

  beforeAll(async () => {
    dir = tempDir('snapbench-e2e-trust-');
    const env = { SNAPBENCH_CONFIG_DIR: join(dir, 'sender-config') };
    const demo = join(dir, 'demo.snapbench');
    expect((await runCli(['demo', '--scale', '0.001', '--out', demo], { env })).code).toBe(0);
    const keys = await runCli(['keys', 'generate', '--out', join(dir, 'alice')], { env });
    fingerprint = /fingerprint sha256 ([0-9a-f]{64})/.exec(keys.stdout)![1]!;
    shared = join(dir, 'shared.snapbench');
    const share = await runCli(['share', demo, '--out', shared, '--sign', join(dir, 'alice.key'), '--signer', 'Alice Example', '--fresh-key'], { env });
    expect(share.code, share.stderr).toBe(0);
    // The same signed copy with one value changed: the manifest and signature still match, the table does not.
    tampered = join(dir, 'tampered.snapbench');
    copyFileSync(shared, tampered);
    const db = new Database(tampered);
    db.prepare(`UPDATE "${T_USER}" SET country_code = 'XX' WHERE rowid = 1`).run();
    db.close();
    serve = await startServe([], { SNAPBENCH_CONFIG_DIR: join(dir, 'auditor-config') });
    browser = await launchBrowser();
    wb = new Workbench(browser.page);
    library = new LibraryPage(browser.page);
    trust = new TrustUi(browser.page);
    await wb.open(serve.url);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('a signed redacted copy shows its signer, key and what was redacted; trusting the key makes it trusted', async () => {
    await library.openPath(shared);
    const header = trust.header();
    await header.getByText(/Signed by “Alice Example” \(claimed\) with key [0-9a-f]{8}…[0-9a-f]{8}, which you do not trust/).waitFor(WAIT);
    await expect(header.textContent()).resolves.toContain('redacted copy');
    const panel = trust.panel('shared.snapbench');
    await expect(panel.textContent()).resolves.toContain(fingerprint);
    await expect(panel.getByText(/^key not trusted$/).count()).resolves.toBe(1);
    await panel.getByText(/redacted copy/).first().waitFor();
    await expect(panel.textContent()).resolves.toMatch(/shared by .* column\(s\) masked, 0 dropped, \d+ with secrets replaced/);
    await panel.getByText(/What was redacted \(\d+\)/).click();
    await expect(panel.locator('table').textContent()).resolves.toMatch(/t_user.*email.*mask/s);

    await trust.trustKey('Alice', join(dir, 'alice.pub'));
    await header.getByText(/Signed by Alice Example with trusted key “Alice” \([0-9a-f]{8}…[0-9a-f]{8}\)/).waitFor(WAIT);
    await header.getByText(/every table verified \(\d+\)/).waitFor(WAIT);
    await expect(panel.getByText(/^trusted$/).count()).resolves.toBe(1);
    await expect(browser.page.getByTestId('trusted-keys').textContent()).resolves.toContain(fingerprint);
    await screenshot(browser.page, 'trust-01-signed-redacted');
  }, 180_000);

  it('a tampered copy shows NOT INTACT in the header on every view until it is closed', async () => {
    await wb.go('home');
    await library.openPath(tampered);
    const header = trust.header();
    const failed = header.and(browser.page.locator('[data-state="failed"]'));
    await failed.waitFor(WAIT);
    await expect(header.getAttribute('role')).resolves.toBe('alert');
    await expect(header.textContent()).resolves.toMatch(/NOT INTACT.*t_user.*content changed/);
    const card = library.provenance('tampered.snapbench');
    await expect(card.locator('.badge', { hasText: /^complete$/ }).count()).resolves.toBe(0);
    await expect(card.locator('.badge', { hasText: 'manifest hash matches' }).count()).resolves.toBe(0);
    await expect(card.locator('.badge', { hasText: 'not intact' }).count()).resolves.toBe(1);
    // The signature still matches the manifest, but it vouches for a file that is no longer there.
    await expect(trust.panel('tampered.snapbench').textContent()).resolves.toMatch(/NOT trusted.*Signed by Alice Example.*but the file no longer matches what was signed/);
    await expect(trust.panel('tampered.snapbench').locator('.badge', { hasText: /^trusted$/ }).count()).resolves.toBe(0);
    await screenshot(browser.page, 'trust-02-tampered-library');
    for (const view of ['explorer', 'fleet', 'dq', 'scenarios', 'pull', 'home'] as const) {
      await wb.go(view);
      await failed.waitFor({ timeout: 10_000 });
      await expect(header.textContent(), view).resolves.toMatch(/NOT INTACT/);
    }
    await screenshot(browser.page, 'trust-03-tampered-header');
    // Closing the file ends it; the trusted copy is still trusted.
    await card.getByRole('button', { name: 'Close' }).click();
    await card.waitFor({ state: 'detached' });
    await wb.currentSnapshot().selectOption({ label: 'shared.snapbench' });
    await header.getByText(/Signed by Alice Example with trusted key/).waitFor(WAIT);
    await expect(browser.page.locator('[data-state="failed"]').count()).resolves.toBe(0);
    expect(browser.errors).toEqual([]);
  }, 180_000);
});
