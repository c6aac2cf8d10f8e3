// Page objects for the workbench's main screens: what a user sees and does,
// named as such, so the tests read as steps and survive markup changes.
import type { Download, Locator, Page } from 'playwright-core';

export class Workbench {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('nav[aria-label="Views"]').waitFor();
  }

  async go(view: 'home' | 'explorer' | 'fleet' | 'dq' | 'scenarios' | 'pull' | 'trends'): Promise<void> {
    await this.page.locator(`nav a[data-view="${view}"]`).click();
  }

  currentSnapshot(): Locator {
    return this.page.getByLabel('Current snapshot');
  }

  async toggleTheme(): Promise<void> {
    await this.page.locator('.sidebar-foot button').click();
  }
}

export class LibraryPage {
  constructor(readonly page: Page) {}

  get view(): Locator {
    return this.page.getByTestId('home-view');
  }

  provenance(fileName: string): Locator {
    return this.page.locator(`section.provenance[data-snapshot="${fileName}"]`);
  }

  async openPath(path: string): Promise<void> {
    await this.page.getByLabel('Snapshot file path').fill(path);
    await this.page.getByRole('button', { name: 'Open', exact: true }).click();
  }

  async openDemo(): Promise<void> {
    await this.page.getByRole('button', { name: 'Open the demo snapshot' }).click();
  }

  async verify(fileName: string): Promise<Locator> {
    const section = this.provenance(fileName);
    await section.getByRole('button', { name: 'Verify every table' }).click();
    return section.locator('.verify-row');
  }
}

export class ExplorerPage {
  constructor(readonly page: Page) {}

  get view(): Locator {
    return this.page.getByTestId('explorer-view');
  }

  async pickTable(table: string): Promise<void> {
    await this.page.locator(`.tree button[data-table="${table}"]`).click();
    await this.page.locator(`[data-testid="table-pane"][data-table="${table}"]`).waitFor();
  }

  /** The grid of the table pane or of the SQL console, whichever is showing. */
  grid(name: string): Locator {
    return this.page.getByRole('grid', { name });
  }

  rangeText(grid: Locator): Locator {
    return grid.locator('xpath=..').getByTestId('grid-range');
  }

  /** The cell texts of a rendered row (by its 0-based position in the view). */
  async rowCells(grid: Locator, index: number): Promise<string[]> {
    const row = grid.locator(`.grid-row[data-index="${index}"]`);
    await row.locator('[role="gridcell"]:not(.loading-cell)').first().waitFor({ timeout: 90_000 });
    return row.locator('[role="gridcell"]').allInnerTexts();
  }

  /** Columns of the rendered rows, read in one go. */
  async visibleColumn(grid: Locator, column: number): Promise<string[]> {
    return grid.locator('.grid-row').evaluateAll(
      (rows, c) =>
        rows
          .filter((r) => r.querySelector('[role="gridcell"]:not(.loading-cell)'))
          .map((r) => (r.querySelectorAll('[role="gridcell"]')[c] as { innerText: string } | undefined)?.innerText ?? ''),
      column,
    );
  }

  /** Drags the scrollbar to a fraction of its range. */
  async scrollTo(grid: Locator, fraction: number): Promise<void> {
    await grid.locator('.grid-scroll').evaluate((el, f) => {
      el.scrollTop = (el.scrollHeight - el.clientHeight) * f;
      el.dispatchEvent(new Event('scroll'));
    }, fraction);
  }

  async sortBy(grid: Locator, column: string): Promise<void> {
    await grid.getByRole('button', { name: `Sort by ${column}`, exact: true }).click();
  }

  /** The table's row count as its header says it (follows the filters). */
  tableCount(): Locator {
    return this.page.getByTestId('table-count');
  }

  async addFilter(column: string, op: string, value?: string): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Add a filter' });
    await form.getByLabel('Filter column').selectOption(column);
    await form.getByLabel('Filter operator').selectOption({ label: op });
    if (value !== undefined) await form.getByLabel('Filter value').fill(value);
    await form.getByRole('button', { name: 'Add filter' }).click();
  }

  async profile(grid: Locator, column: string): Promise<Locator> {
    await grid.getByRole('button', { name: `Profile ${column}`, exact: true }).click();
    return this.page.getByTestId('profile-panel');
  }

  async facet(grid: Locator, column: string): Promise<Locator> {
    await grid.getByRole('button', { name: `Facet ${column}`, exact: true }).click();
    return this.page.getByTestId('facet-panel');
  }

  async runSql(sql: string): Promise<void> {
    await this.page.getByRole('tab', { name: 'SQL console' }).click();
    await this.page.locator('#sql-editor').fill(sql);
    await this.page.getByRole('button', { name: 'Run (Ctrl+Enter)' }).click();
  }

  get sqlPane(): Locator {
    return this.page.getByTestId('sql-pane');
  }

  async exportCsv(what: string): Promise<Download> {
    const download = this.page.waitForEvent('download', { timeout: 120_000 });
    await this.page.getByRole('button', { name: `Export ${what} as CSV` }).click();
    return download;
  }
}

export class FleetPage {
  constructor(readonly page: Page) {}

  get view(): Locator {
    return this.page.getByTestId('fleet-view');
  }

  tiersChart(): Locator {
    return this.page.getByRole('img', { name: 'Redis clusters by memory utilisation' });
  }
}

export class DqPage {
  constructor(readonly page: Page) {}

  get view(): Locator {
    return this.page.getByTestId('dq-view');
  }

  async run(): Promise<void> {
    await this.view.getByRole('button', { name: /^Run / }).click();
  }

  finding(rule: string): Locator {
    return this.view.locator(`button.finding[data-rule="${rule}"]`);
  }

  /** A finding's count as the findings list shows it. */
  async listedCount(rule: string): Promise<number> {
    return Number((await this.finding(rule).getByTestId('finding-list-count').innerText()).replaceAll(',', ''));
  }

  detail(): Locator {
    return this.page.getByTestId('finding-detail');
  }
}

export type FigureId = 'today' | 'as-is' | 'chosen';

export class ScenarioPage {
  constructor(readonly page: Page) {}

  get view(): Locator {
    return this.page.getByTestId('scenario-view');
  }

  summary(): Locator {
    return this.page.getByTestId('scenario-summary');
  }

  figureLabel(id: FigureId): Locator {
    return this.page.getByTestId(`figure-${id}`).locator('.figure-label');
  }

  figureTotal(id: FigureId): Locator {
    return this.page.getByTestId(`figure-${id}-total`);
  }

  figurePerStore(id: FigureId): Locator {
    return this.page.getByTestId(`figure-${id}-per-store`);
  }

  /** The savings the summary lists, largest first: label and amount as shown. */
  async savings(): Promise<{ label: string; amount: string }[]> {
    return this.summary()
      .getByTestId('summary-saving')
      .evaluateAll((items) => items.map((li) => ({ label: li.querySelector('.saving-label')!.textContent!, amount: li.querySelector('.saving-amount')!.textContent! })));
  }

  /** Types a store count into the box beside the slider. */
  async setStores(stores: number): Promise<void> {
    await this.page.getByLabel('Stores', { exact: true }).fill(String(stores));
  }

  async preset(name: 'report-07' | 'report-07-plan'): Promise<void> {
    await this.view.getByRole('radio', { name: name === 'report-07' ? 'As found' : "The report's plan" }).click();
  }

  async exportPng(): Promise<Download> {
    const download = this.page.waitForEvent('download');
    await this.view.getByRole('button', { name: 'Export the charts as PNG' }).click();
    return download;
  }

  async exportSummary(format: 'PNG' | 'PDF'): Promise<Download> {
    const download = this.page.waitForEvent('download');
    await this.view.getByRole('button', { name: `Export the summary as ${format}` }).click();
    return download;
  }
}

export class PullPage {
  constructor(readonly page: Page) {}

  get view(): Locator {
    return this.page.getByTestId('pull-view');
  }

  async readManifest(path: string): Promise<void> {
    await this.page.getByLabel('Fleet manifest path').fill(path);
    await this.page.getByRole('button', { name: 'Read manifest' }).click();
  }

  async start(out: string): Promise<void> {
    await this.page.getByLabel('Output snapshot path').fill(out);
    await this.page.getByRole('button', { name: 'Start pull' }).click();
  }
}

export class TrendsPage {
  constructor(readonly page: Page) {}

  get view(): Locator {
    return this.page.getByTestId('trends-view');
  }

  summary(): Locator {
    return this.page.getByTestId('series-summary');
  }

  table(name: string): Locator {
    return this.page.locator(`[data-testid="trend-table"][data-table="${name}"]`);
  }

  rule(id: string): Locator {
    return this.page.locator(`[data-testid="trend-rule"][data-rule="${id}"]`);
  }

  cluster(name: string): Locator {
    return this.page.locator(`[data-testid="trend-cluster"][data-cluster="${name}"]`);
  }

  rate(card: Locator): Locator {
    return card.getByTestId('trend-rate');
  }
}

/** The trust state: the header's status on every view, a snapshot's trust panel, the trusted keys. */
export class TrustUi {
  constructor(readonly page: Page) {}

  /** The current snapshot's trust status in the header. */
  header(): Locator {
    return this.page.locator('header.topbar [data-testid="trust-status"]');
  }

  panel(fileName: string): Locator {
    return this.page.locator(`section.provenance[data-snapshot="${fileName}"] [data-testid="trust-panel"]`);
  }

  async trustKey(name: string, path: string): Promise<void> {
    const keys = this.page.getByTestId('trusted-keys');
    await keys.getByLabel('Name').fill(name);
    await keys.getByLabel('Public key file (.pub)').fill(path);
    await keys.getByRole('button', { name: 'Trust this key' }).click();
  }
}
