// The workbench in a real Chromium against `snapbench serve`: open a snapshot,
// browse, scroll far down a 1.5M-row table, sort, filter, profile, SQL, CSV
// export; the demo snapshot's fleet overview, DQ run and evidence; scenario
// sliders and PNG export; a pull with a failing instance, and the connection
// check's read audit of a real PostgreSQL account. Screenshots of each
// view go to test-results/screenshots/ (artifacts, not assertions).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITIES, LARGE_TABLE_NAME, writeLargeSnapshot } from './fixtures.ts';
import { launchBrowser, screenshot, startServe, type Browser, type ServeProcess } from './harness.ts';
import { DqPage, ExplorerPage, FleetPage, LibraryPage, PullPage, ScenarioPage, Workbench } from './pages.ts';
import { psqlExec, startPostgres } from '../helpers/servers.ts';

const ROWS = 1_500_000;
/** Generous: the suite must pass on a loaded 2-core machine. */
const WAIT = { timeout: 90_000 };

function dollars(text: string): number {
  return Number(text.replace(/[^0-9.]/g, ''));
}

describe('workbench in the browser host', () => {
  let dir: string;
  let snapshot: string;
  let serve: ServeProcess;
  let browser: Browser;
  let wb: Workbench;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snapbench-e2e-'));
    snapshot = join(dir, 'large.snapbench');
    await writeLargeSnapshot(snapshot, ROWS);
    serve = await startServe([snapshot], { SNAPBENCH_CONFIG_DIR: join(dir, 'config') });
    browser = await launchBrowser();
    wb = new Workbench(browser.page);
    await wb.open(serve.url);
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('shows the snapshot given to serve in the library, with its provenance', async () => {
    const library = new LibraryPage(browser.page);
    const card = library.provenance('large.snapbench');
    await card.waitFor(WAIT);
    await expect(card.textContent()).resolves.toContain('e2e-fixture on localhost');
    await expect(card.locator('.badge', { hasText: 'manifest hash matches' }).count()).resolves.toBe(1);
    const verified = await library.verify('large.snapbench');
    await verified.getByText(/verified: \d+ tables intact/).waitFor(WAIT);
    await screenshot(browser.page, '01-library');
  }, 180_000);

  it('browses a table in the explorer grid', async () => {
    const explorer = new ExplorerPage(browser.page);
    await wb.go('explorer');
    await explorer.pickTable(LARGE_TABLE_NAME);
    const grid = explorer.grid('Rows of t_event');
    expect((await explorer.rowCells(grid, 0))[0]).toBe('1');
    await expect(explorer.rangeText(grid).textContent()).resolves.toMatch(/of 1,500,000/);
    await screenshot(browser.page, '02-explorer-table');
  }, 120_000);

  it('scrolls far down the 1.5M-row table without counting it', async () => {
    const explorer = new ExplorerPage(browser.page);
    const grid = explorer.grid('Rows of t_event');
    await explorer.scrollTo(grid, 0.5);
    expect((await explorer.rowCells(grid, 750_001))[0]).toBe('750002');
    await grid.focus();
    await browser.page.keyboard.press('Control+End');
    expect((await explorer.rowCells(grid, ROWS - 1))[0]).toBe(String(ROWS));
    await expect(explorer.rangeText(grid).textContent()).resolves.toMatch(/–1,500,000 of 1,500,000/);
    await screenshot(browser.page, '03-explorer-scrolled-to-end');
    await browser.page.keyboard.press('Control+Home');
    expect((await explorer.rowCells(grid, 0))[0]).toBe('1');
  }, 180_000);

  it('sorts and filters by column in the engine', async () => {
    const explorer = new ExplorerPage(browser.page);
    const grid = explorer.grid('Rows of t_event');
    await explorer.sortBy(grid, 'amount');
    await explorer.sortBy(grid, 'amount');
    await expect.poll(async () => (await explorer.rowCells(grid, 0))[2], WAIT).toBe('99.99');
    await explorer.addFilter('city', 'equals', 'Austin');
    await expect.poll(async () => new Set(await explorer.visibleColumn(grid, 1)), WAIT).toEqual(new Set(['Austin']));
    expect((await explorer.rowCells(grid, 0))[2]).toBe('99.99');
    let austin = 0;
    for (let i = 0; i < ROWS; i++) if (i % CITIES.length === 0 && i % 97 !== 0) austin++;
    // A filtered view is counted at once: the range and the header both say how many rows match.
    await expect.poll(() => explorer.rangeText(grid).textContent(), WAIT).toMatch(new RegExp(`of ${austin.toLocaleString('en-US')}$`));
    await expect.poll(() => explorer.tableCount().textContent(), WAIT).toBe(`${austin.toLocaleString('en-US')} of 1,500,000 rows match the filter`);
    await screenshot(browser.page, '04-explorer-sorted-filtered');
    await browser.page.getByRole('button', { name: 'Clear filters' }).click();
    await explorer.sortBy(grid, 'amount');
  }, 240_000);

  it('profiles a column on demand', async () => {
    const explorer = new ExplorerPage(browser.page);
    const grid = explorer.grid('Rows of t_event');
    const panel = await explorer.profile(grid, 'city');
    const distinct = panel.locator('.stat', { hasText: 'distinct' }).locator('.stat-value');
    await distinct.waitFor(WAIT);
    await expect(distinct.innerText()).resolves.toBe('7');
    await expect(panel.locator('.stat', { hasText: 'NULL' }).locator('.stat-value').innerText()).resolves.toMatch(/^15,464 /);
    await expect(panel.locator('.bars li').count()).resolves.toBe(8);
    await screenshot(browser.page, '05-explorer-profile');
    // Escape closes the profile, and the focus goes back to the button that opened it.
    await browser.page.keyboard.press('Escape');
    await expect(panel.count()).resolves.toBe(0);
    await expect(browser.page.locator(':focus').getAttribute('aria-label')).resolves.toBe('Profile city');
  }, 240_000);

  it('runs read-only SQL with results in the grid, and refuses a write', async () => {
    const explorer = new ExplorerPage(browser.page);
    await explorer.runSql(`SELECT city, count(*) AS n FROM "${LARGE_TABLE_NAME}" GROUP BY city ORDER BY city`);
    await explorer.sqlPane.getByTestId('sql-summary').getByText(/^8 rows/).waitFor(WAIT);
    const grid = explorer.grid('Query result');
    expect(await explorer.rowCells(grid, 1)).toEqual(['Austin', String(Math.ceil(ROWS / 7) - Math.ceil(ROWS / (7 * 97)))]);
    await screenshot(browser.page, '06-explorer-sql');
    await explorer.runSql(`DELETE FROM "${LARGE_TABLE_NAME}"`);
    await explorer.sqlPane.getByRole('alert').getByText(/query refused/).waitFor(WAIT);
    await screenshot(browser.page, '07-explorer-sql-refused');
  }, 180_000);

  it('exports a table as CSV, streamed as a download', async () => {
    const explorer = new ExplorerPage(browser.page);
    await browser.page.getByRole('tab', { name: 'Table' }).click();
    await explorer.pickTable('bench-mysql/shop/t_city');
    const download = await explorer.exportCsv('table t_city');
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('name,state');
    expect(lines).toHaveLength(1 + CITIES.length);
    expect(lines[1]).toBe('Austin,TX');
  }, 120_000);

  it('opens the demo snapshot and shows its fleet overview', async () => {
    await wb.go('home');
    const library = new LibraryPage(browser.page);
    await library.openDemo();
    await library.provenance('demo-0.02.snapbench').waitFor({ timeout: 240_000 });
    await expect(wb.currentSnapshot().locator('option:checked').innerText()).resolves.toBe('demo-0.02.snapbench');
    await screenshot(browser.page, '08-library-demo');
    await wb.go('fleet');
    const fleet = new FleetPage(browser.page);
    await fleet.view.waitFor(WAIT);
    const tiers = fleet.tiersChart();
    await tiers.waitFor(WAIT);
    await expect(tiers.textContent()).resolves.toMatch(/<1%.*58/);
    await expect(fleet.view.locator('.stat', { hasText: 'instances' }).first().locator('.stat-value').innerText()).resolves.toBe('143');
    await screenshot(browser.page, '09-fleet');
  }, 300_000);

  it('runs the report-07 pack and shows findings with their evidence', async () => {
    await wb.go('dq');
    const dq = new DqPage(browser.page);
    await dq.run();
    await dq.finding('DQ-002').waitFor(WAIT);
    await dq.finding('DQ-002').click();
    const detail = dq.detail();
    await expect(detail.locator('h3').innerText()).resolves.toMatch(/^DQ-002/);
    await detail.getByRole('button', { name: 'Show all offending rows' }).click();
    const grid = browser.page.getByRole('grid', { name: 'Offending rows of DQ-002' });
    await grid.waitFor(WAIT);
    await expect.poll(() => grid.locator('xpath=..').getByTestId('grid-range').textContent(), WAIT).toMatch(/of 426$/);
    await screenshot(browser.page, '10-dq-findings');
    await detail.getByRole('button', { name: 'Open in explorer' }).first().click();
    const explorer = new ExplorerPage(browser.page);
    await browser.page.locator('[data-testid="table-pane"][data-table="aws-luckyus-salesorder-rw/luckyus_sales_order/t_order"]').waitFor(WAIT);
    await browser.page.locator('.chip', { hasText: 'id equals' }).waitFor(WAIT);
    const orders = explorer.grid('Rows of t_order');
    await screenshot(browser.page, '11-dq-open-in-explorer');
    await expect.poll(async () => (await explorer.visibleColumn(orders, 5)).join(','), WAIT).toBe('NZD');
    await screenshot(browser.page, '11-dq-open-in-explorer');
  }, 240_000);

  it('moves scenario sliders and exports the charts as PNG', async () => {
    await wb.go('scenarios');
    const scenario = new ScenarioPage(browser.page);
    await scenario.figureTotal('chosen').waitFor(WAIT);
    const before = dollars(await scenario.figureTotal('chosen').innerText());
    expect(before).toBeGreaterThan(0);
    await scenario.setStores(100);
    await expect.poll(async () => scenario.figureLabel('chosen').innerText(), WAIT).toMatch(/^100 stores/);
    await expect.poll(async () => dollars(await scenario.figureTotal('chosen').innerText()), WAIT).not.toBe(before);
    const total = dollars(await scenario.figureTotal('chosen').innerText());
    const perStore = dollars(await scenario.figurePerStore('chosen').innerText());
    expect(Math.abs(perStore * 100 - total)).toBeLessThan(100);
    await scenario.preset('report-07-plan');
    await expect.poll(async () => dollars(await scenario.figureTotal('chosen').innerText()), WAIT).toBeLessThan(total);
    // The store count stays when the preset changes.
    await expect(browser.page.getByLabel('Stores', { exact: true }).inputValue()).resolves.toBe('100');
    await screenshot(browser.page, '12-scenarios');
    const png = await scenario.exportPng();
    const file = join(dir, 'scenario.png');
    await png.saveAs(file);
    expect([...readFileSync(file).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    await scenario.view.getByRole('status').getByText(/Downloaded My_scenario-charts\.png/).waitFor(WAIT);
  }, 180_000);

  it('reads a fleet manifest and reports a failing instance with what to do', async () => {
    const fleetFile = join(dir, 'fleet.yaml');
    writeFileSync(
      fleetFile,
      ['name: e2e-fleet', 'instances:', '  - name: unreachable-mysql', '    engine: mysql', '    host: 127.0.0.1', '    port: 1', '    user: reader', '    connect_timeout_ms: 2000', '  - name: cache-inventory', '    engine: redis', '    allocated_memory_mb: 1024', ''].join(
        '\n',
      ),
    );
    await wb.go('pull');
    const pull = new PullPage(browser.page);
    await pull.readManifest(fleetFile);
    await pull.view.getByText('inventory only').waitFor(WAIT);
    await pull.start(join(dir, 'pulled.snapbench'));
    await pull.view.getByText('No instance could be pulled; no file was written.').waitFor(WAIT);
    await expect(pull.view.locator('.bad', { hasText: 'unreachable-mysql' }).count()).resolves.toBeGreaterThan(0);
    await screenshot(browser.page, '13-pull');

    // Connection settings: edited, checked field by field, written into the manifest.
    await pull.view.getByRole('button', { name: 'Connection settings of unreachable-mysql' }).click();
    const form = pull.view.getByRole('form', { name: 'Connection settings of unreachable-mysql' });
    await form.getByLabel('from a command').check();
    await form.getByLabel('Password command').fill('printenv E2E_TOKEN');
    await form.getByLabel('TLS', { exact: true }).check();
    await form.getByLabel('Server name').fill('db.example.internal');
    await form.getByLabel('Through an SSH bastion').check();
    await form.getByLabel('SSH host').fill('bastion.example.internal');
    await form.getByRole('alert', { name: 'Problems' }).getByText('SSH user: required.').waitFor(WAIT);
    await expect(form.getByRole('button', { name: 'Save to manifest' }).isDisabled()).resolves.toBe(true);
    await form.getByLabel('Through an SSH bastion').uncheck();
    await form.getByRole('button', { name: 'Save to manifest' }).click();
    await pull.view.getByText('password from a command').waitFor(WAIT);
    const written = readFileSync(fleetFile, 'utf8');
    expect(written).toMatch(/password_command: printenv E2E_TOKEN/);
    expect(written).toMatch(/server_name: db\.example\.internal/);
    expect(written).toMatch(/name: cache-inventory/);

    // The connection check: one verdict per instance, with what to do.
    await pull.view.getByRole('button', { name: 'Check connections' }).click();
    await pull.view.getByText('unreachable', { exact: true }).waitFor(WAIT);
    await screenshot(browser.page, '14-pull-check');

    // A reachable PostgreSQL whose account may not read one table: the check names it, and the missing privilege.
    const pg = await startPostgres();
    try {
      await psqlExec(pg, 'CREATE TABLE t_public (id int); CREATE TABLE t_salary (id int, amount int); CREATE ROLE partial LOGIN; GRANT SELECT ON t_public TO partial;');
      const readable = join(dir, 'readable.yaml');
      writeFileSync(readable, ['instances:', '  - name: pg-partial', '    engine: postgres', '    host: 127.0.0.1', `    port: ${pg.port}`, '    user: partial', '    databases: [postgres]', ''].join('\n'));
      await pull.readManifest(readable);
      await pull.view.getByRole('button', { name: 'Check connections' }).click();
      const audit = pull.view.getByRole('group', { name: 'Read audit of pg-partial' });
      await audit.getByText('cannot read 1 table').waitFor(WAIT);
      await expect(audit.getByRole('list', { name: 'Tables pg-partial cannot read' }).getByRole('listitem').allInnerTexts()).resolves.toEqual([
        'postgres: public.t_salary — missing privilege: SELECT on public.t_salary (GRANT SELECT ON public.t_salary, or the pg_read_all_data role)',
      ]);
      await screenshot(browser.page, '14-pull-check-read-audit');
    } finally {
      await pg.stop();
    }
  }, 180_000);

  it('switches to the dark theme', async () => {
    await wb.go('explorer');
    await wb.toggleTheme();
    await expect(browser.page.locator('html').getAttribute('data-theme')).resolves.toBe('dark');
    const explorer = new ExplorerPage(browser.page);
    await explorer.pickTable('aws-luckyus-salesorder-rw/luckyus_sales_order/t_order');
    await explorer.rowCells(explorer.grid('Rows of t_order'), 0);
    await screenshot(browser.page, '14-explorer-dark');
    await wb.go('scenarios');
    await screenshot(browser.page, '15-scenarios-dark');
    expect(browser.errors).toEqual([]);
  }, 120_000);
});
