// Pages of rows for the grid, fetched as the visible range moves: visible
// pages first, at most a few in flight, requests for pages scrolled far away
// cancelled, a bounded number of pages kept. Never counts a table to start:
// the total comes from the source (the catalog's row count) or is found by
// reading to the end or by a background count.
import { PAGE_ROWS, type JobProgress } from '../../../../shared/api/types.ts';
import { isCancelled } from '../../api/client.ts';
import type { Cell, DecodedPage } from '../../api/arrow.ts';
import type { StorageKind } from '../../../../shared/model/snapshot.ts';

export interface GridColumn {
  name: string;
  declaredType: string | null;
  storage: StorageKind | null;
  sortable: boolean;
}

export interface FetchedPage {
  page: DecodedPage;
  total: number | null;
  end: boolean;
}

/** Where the grid's rows come from: a table view or a SQL result. */
export interface RowSource {
  /** Changes whenever the rows would (table, sort, filters, result). */
  key: string;
  columns: GridColumn[];
  total: number | null;
  fetch(offset: number, limit: number, signal: AbortSignal, onProgress: (p: JobProgress) => void): Promise<FetchedPage>;
  /** Counts the rows when the total is unknown (a filtered view); optional. */
  count?(signal: AbortSignal, onProgress: (p: JobProgress) => void): Promise<number>;
}

const MAX_PAGES = 96;
const MAX_IN_FLIGHT = 3;
const KEEP_AROUND = 3;

export class RowCache {
  private pages = new Map<number, DecodedPage>();
  private inFlight = new Map<number, AbortController>();
  private wanted: number[] = [];
  private listeners = new Set<() => void>();
  private version = 0;
  private disposed = false;
  private endPage: number | null = null;
  private countController: AbortController | null = null;
  total: number | null;
  error: unknown = null;
  /** Progress of a slow page (sorting a large table) or of the count. */
  progress: JobProgress | null = null;
  counting = false;

  constructor(readonly source: RowSource) {
    this.total = source.total;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }

  /** Rows the grid should lay out: the total when known, else what is loaded plus one page. */
  count(): number {
    if (this.total !== null) return this.total;
    if (this.endPage !== null) return this.endPage * PAGE_ROWS + (this.pages.get(this.endPage)?.rows.length ?? 0);
    let highest = -1;
    for (const index of this.pages.keys()) highest = Math.max(highest, index);
    return (highest + 2) * PAGE_ROWS;
  }

  row(index: number): { cells: Cell[]; rowid: bigint | number | null } | null {
    const page = this.pages.get(Math.floor(index / PAGE_ROWS));
    if (!page) return null;
    const at = index % PAGE_ROWS;
    const cells = page.rows[at];
    return cells ? { cells, rowid: page.rowids?.[at] ?? null } : null;
  }

  get loading(): boolean {
    return this.inFlight.size > 0;
  }

  /** Asks for the rows first..last (inclusive); fetches what is missing. */
  ensure(first: number, last: number): void {
    if (this.disposed || this.error) return;
    const firstPage = Math.max(0, Math.floor(first / PAGE_ROWS));
    const lastPage = Math.max(firstPage, Math.floor(Math.max(first, last) / PAGE_ROWS));
    for (const [index, controller] of this.inFlight) {
      if (index < firstPage - KEEP_AROUND || index > lastPage + KEEP_AROUND) {
        controller.abort();
        this.inFlight.delete(index);
      }
    }
    const wanted: number[] = [];
    for (let p = firstPage; p <= lastPage + 1; p++) {
      if (this.endPage !== null && p > this.endPage) break;
      if (this.total !== null && p * PAGE_ROWS >= this.total) break;
      if (!this.pages.has(p) && !this.inFlight.has(p)) wanted.push(p);
    }
    this.wanted = wanted;
    this.pump(firstPage, lastPage);
  }

  private pump(firstPage: number, lastPage: number): void {
    while (this.inFlight.size < MAX_IN_FLIGHT && this.wanted.length > 0) {
      const index = this.wanted.shift()!;
      const controller = new AbortController();
      this.inFlight.set(index, controller);
      this.source
        .fetch(index * PAGE_ROWS, PAGE_ROWS, controller.signal, (p) => {
          this.progress = p;
          this.changed();
        })
        .then(
          (fetched) => {
            if (this.disposed || this.inFlight.get(index) !== controller) return;
            this.inFlight.delete(index);
            this.pages.set(index, fetched.page);
            if (fetched.total !== null) this.total = fetched.total;
            if (fetched.end) this.endPage = index;
            this.progress = null;
            this.evict(firstPage, lastPage);
            this.changed();
            this.pump(firstPage, lastPage);
          },
          (error: unknown) => {
            if (this.inFlight.get(index) === controller) this.inFlight.delete(index);
            if (this.disposed || isCancelled(error) || controller.signal.aborted) return;
            this.error = error;
            this.progress = null;
            this.changed();
          },
        );
    }
    this.changed();
  }

  private evict(firstPage: number, lastPage: number): void {
    if (this.pages.size <= MAX_PAGES) return;
    const middle = (firstPage + lastPage) / 2;
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - middle) - Math.abs(a - middle));
    for (const index of far.slice(0, this.pages.size - MAX_PAGES)) this.pages.delete(index);
  }

  /** Counts a filtered view in the background (with progress), so the scrollbar can show all of it. */
  startCount(): void {
    if (!this.source.count || this.total !== null || this.counting) return;
    this.counting = true;
    this.countController = new AbortController();
    this.source
      .count(this.countController.signal, (p) => {
        this.progress = p;
        this.changed();
      })
      .then(
        (rows) => {
          if (this.disposed) return;
          this.total = rows;
          this.counting = false;
          this.progress = null;
          this.changed();
        },
        () => {
          this.counting = false;
          this.progress = null;
          this.changed();
        },
      );
  }

  cancelCount(): void {
    this.countController?.abort();
    this.counting = false;
    this.progress = null;
    this.changed();
  }

  retry(): void {
    this.error = null;
    this.changed();
  }

  /** Undoes dispose(): React may unmount and mount the same grid again (StrictMode does). */
  revive(): void {
    this.disposed = false;
  }

  dispose(): void {
    this.disposed = true;
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
    this.countController?.abort();
    this.listeners.clear();
  }
}
