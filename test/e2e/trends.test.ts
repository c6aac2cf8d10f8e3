// The Trends view in a real Chromium against `snapbench serve`: the library
// groups the demo series into one series, Trends charts its largest tables, DQ
// counts and Redis clusters with the growth beside each (the planted rates),
// click-through lands on the table and the rule in the latest snapshot, and
// the scenarios use the measured growth and show the preset beside the snapshot.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoSeries, type DemoSeriesResult } from '../../snapshots/fleet/demo.ts';
import { tempDir } from '../helpers/cli.ts';
import { launchBrowser, screenshot, startServe, type Browser, type ServeProcess } from './harness.ts';
import { layoutProblems, seriousAccessibilityViolations } from './layout.ts';
import { ExplorerPage, LibraryPage, ScenarioPage, TrendsPage, Workbench } from './pages.ts';

const WAIT = { timeout: 90_000 };
const ORDERS = 'aws-luckyus-salesorder-rw/luckyus_sales_order/t_order';

describe('trends over a series of snapshots', () => {
  let dir: string;
  let series: DemoSeriesResult;
  let serve: ServeProcess;
  let browser: Browser;
  let wb: Workbench;

  beforeAll(async () => {
    dir = tempDir('snapbench-e2e-trends-');
    series = await writeDemoSeries({ dir: join(dir, 'series'), count: 4, scale: 0.002, env: {} });
    serve = await startServe([], { SNAPBENCH_CONFIG_DIR: join(dir, 'config') });
    browser = await launchBrowser();
    wb = new Workbench(browser.page);
    await wb.open(serve.url);
    const library = new LibraryPage(browser.page);
    for (const file of series.files) {
      await library.openPath(file);
      await library.provenance(file.split('/').pop()!).waitFor(WAIT);
    }
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('groups the snapshots of one fleet into a series in the library and charts it with the planted growth', async () => {
    const group = browser.page.getByTestId('series-group');
    await expect.poll(() => group.count(), WAIT).toBe(1);
    await expect(group.textContent()).resolves.toContain('4 snapshots');
    await group.getByRole('button', { name: 'Show trends' }).click();
    const trends = new TrendsPage(browser.page);
    await trends.summary().waitFor(WAIT);
    await expect(trends.summary().textContent()).resolves.toMatch(/^4 snapshots of .*; stores 16 → 17 → 18 → 19$/);
    const orders = trends.table(ORDERS);
    await orders.waitFor(WAIT);
    await expect(trends.rate(orders).textContent()).resolves.toContain(`+${series.planted.ordersPerWeek} rows a week`);
    await expect(trends.rate(trends.cluster('luckyus-isales-market')).textContent()).resolves.toContain(`+${series.planted.noTtlKeysPerWeek} keys a week`);
    await expect(trends.rate(trends.rule('RDS-001')).textContent()).resolves.toContain(`+${series.planted.noTtlKeysPerWeek} findings a week`);
    await expect(browser.page.getByTestId('measured-growth').textContent()).resolves.toContain('measured from 4 snapshots, 2026-02-14 … 2026-03-07');
    // Each chart says its points in words too.
    await expect(orders.getByRole('img').getAttribute('aria-label')).resolves.toMatch(/^t_order\. rows: Feb 14, 2026 /);
    await screenshot(browser.page, 'trends-01-series');
  }, 180_000);

  it('clicks through to the table in the latest snapshot', async () => {
    const trends = new TrendsPage(browser.page);
    await trends.table(ORDERS).getByRole('button', { name: 'Open t_order in the explorer' }).click();
    const explorer = new ExplorerPage(browser.page);
    await browser.page.locator(`[data-testid="table-pane"][data-table="${ORDERS}"]`).waitFor(WAIT);
    await expect(wb.currentSnapshot().inputValue()).resolves.not.toBe('');
    await expect(browser.page.getByLabel('Current snapshot').locator('option:checked').textContent()).resolves.toBe('demo-2026-03-07.snapbench');
    const grid = explorer.grid(`Rows of t_order`);
    await expect(explorer.rangeText(grid).textContent()).resolves.toMatch(/of \d/);
  }, 120_000);

  it('clicks through to the rule in data quality', async () => {
    await wb.go('trends');
    const trends = new TrendsPage(browser.page);
    await trends.rule('RDS-001').getByRole('button', { name: 'Open RDS-001 in data quality' }).click();
    await browser.page.getByTestId('dq-view').waitFor(WAIT);
    await expect(browser.page.getByTestId('dq-view').textContent()).resolves.toContain('and see RDS-001');
  }, 120_000);

  it('uses the measured growth in the scenarios and shows the preset beside the snapshot', async () => {
    await wb.go('scenarios');
    const scenario = new ScenarioPage(browser.page);
    await scenario.figureTotal('chosen').waitFor(WAIT);
    await scenario.view.getByLabel('Fleet', { exact: true }).selectOption('snapshot');
    await browser.page.getByTestId('preset-comparison').waitFor(WAIT);
    await browser.page.getByTestId('measured-growth-switch').check();
    await expect.poll(async () => (await browser.page.getByTestId('growth-source').textContent()) ?? '', WAIT).toContain('Growth measured from 4 snapshots, 2026-02-14 … 2026-03-07');
    await expect(browser.page.getByTestId('differing-inputs').textContent()).resolves.toMatch(/inputs differ from the preset|No input of the cost model differs/);
    await screenshot(browser.page, 'trends-02-scenarios-measured');
    expect(browser.errors).toEqual([]);
  }, 120_000);

  it('charts a series that fits 1440×900, 1280×720 and 1024×640 and passes axe-core (WCAG 2 A/AA) in both themes', async () => {
    const page = browser.page;
    await wb.go('trends');
    await new TrendsPage(page).summary().waitFor(WAIT);
    const problems: string[] = [];
    for (const size of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }, { width: 1024, height: 640 }]) {
      await page.setViewportSize(size);
      await screenshot(page, `trends-view-${size.width}x${size.height}`);
      for (const p of await layoutProblems(page)) problems.push(`${size.width}×${size.height}: ${p.kind}: ${p.element} (${p.detail})`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    for (const theme of ['light', 'dark']) {
      for (const v of await seriousAccessibilityViolations(page)) problems.push(`${theme}: axe ${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(' ')}`);
      await wb.toggleTheme();
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
