// The grid: TanStack Table (v9) for columns, sorting, filter state and sizes;
// TanStack Virtual for which rows to render. Sorting and filtering run in the
// engine (manual mode); rows arrive page by page (rowCache.ts).
//
// Browsers cap an element's height (~33M px in Chromium), so at 10M rows the
// scroll area is scaled: the scrollbar maps onto the whole table, while the
// wheel and the keyboard move by real rows. The virtualizer works in the
// table's own (logical) pixels over blocks of rows, so its bookkeeping stays
// small at any row count.
import {
  columnFilteringFeature,
  columnResizingFeature,
  columnSizingFeature,
  createColumnHelper,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type ColumnFiltersState,
  type SortingState,
} from '@tanstack/react-table';
import { useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { ColumnFilter, ColumnSort } from '../../../../shared/api/types.ts';
import type { Cell } from '../../api/arrow.ts';
import { ErrorBox, ProgressBar } from '../../ui/components.tsx';
import { inertText } from '../../../../shared/text/inert.ts';
import { ValueView } from '../../ui/cells.tsx';
import { cellText, formatCount } from '../../ui/format.ts';
import { RowCache, type GridColumn, type RowSource } from './rowCache.ts';

export const ROW_HEIGHT = 28;
const HEADER_HEIGHT = 34;
const BLOCK_ROWS = 64;
/** The tallest scroll area the grid makes; beyond it the scrollbar is scaled. */
const MAX_SCROLL_PX = 8_000_000;
const OVERSCAN_ROWS = 8;
const NUMERIC = new Set(['integer', 'decimal', 'float', 'bit']);

interface GridRow {
  index: number;
  rowid: bigint | number | null;
  cells: Cell[] | null;
}

const features = tableFeatures({ rowSortingFeature, columnFilteringFeature, columnSizingFeature, columnResizingFeature });
const helper = createColumnHelper<typeof features, GridRow>();

export type ColumnAction = 'profile' | 'filter' | 'facet';

export interface DataGridProps {
  source: RowSource;
  label: string;
  sort?: ColumnSort | null;
  onSort?: (sort: ColumnSort | null) => void;
  filters?: ColumnFilter[];
  onColumnMenu?: (column: GridColumn, action: ColumnAction, trigger: HTMLElement) => void;
  /** Told the view's row count once it is known (a filtered view is counted in the background). */
  onTotal?: (total: number | null, counting: boolean) => void;
}

function initialWidth(column: GridColumn): number {
  const byType = column.storage === 'temporal' ? 180 : column.storage && NUMERIC.has(column.storage) ? 120 : 180;
  return Math.max(byType, Math.min(300, column.name.length * 8 + 84));
}

function FunnelIcon() {
  return (
    <svg width="11" height="11" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M1 2h14l-5.5 6.5V14l-3-1.5V8.5z" fill="currentColor" />
    </svg>
  );
}

export function DataGrid({ source, label, sort = null, onSort, filters = [], onColumnMenu, onTotal }: DataGridProps) {
  const cache = useMemo(() => new RowCache(source), [source]);
  useEffect(() => {
    cache.revive();
    // A filtered view is counted at once (in the background, cancellable), so every count on screen follows the filter.
    if (cache.total === null && source.count) cache.startCount();
    return () => cache.dispose();
  }, [cache, source]);
  useSyncExternalStore(cache.subscribe, cache.getVersion);
  const count = cache.count();
  useEffect(() => onTotal?.(cache.total, cache.counting), [onTotal, cache.total, cache.counting]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ width: 800, height: 480 });
  const rowsViewport = Math.max(ROW_HEIGHT, viewport.height - HEADER_HEIGHT);
  const logicalHeight = count * ROW_HEIGHT;
  const physicalHeight = Math.min(logicalHeight, MAX_SCROLL_PX);
  const maxLogical = Math.max(0, logicalHeight - rowsViewport);
  const ratio = physicalHeight > rowsViewport && logicalHeight > physicalHeight ? maxLogical / (physicalHeight - rowsViewport) : 1;

  // The logical scroll offset (px into the whole table) and who listens to it.
  const offsetRef = useRef(0);
  const [offset, setOffsetState] = useState(0);
  const offsetListeners = useRef(new Set<(offset: number) => void>());
  const programmatic = useRef<number | null>(null);
  const geometry = useRef({ ratio, maxLogical });
  geometry.current = { ratio, maxLogical };

  const setOffset = useCallback((next: number, syncScrollbar: boolean) => {
    const { ratio: r, maxLogical: max } = geometry.current;
    const value = Math.max(0, Math.min(max, next));
    offsetRef.current = value;
    setOffsetState(value);
    for (const listener of offsetListeners.current) listener(value);
    const el = scrollRef.current;
    if (syncScrollbar && el) {
      const physical = value / r;
      if (Math.abs(el.scrollTop - physical) >= 1) {
        programmatic.current = physical;
        el.scrollTop = physical;
      }
    }
  }, []);

  // New rows (another table, sort or filter): back to the top.
  useEffect(() => {
    setOffset(0, true);
  }, [source, setOffset]);

  // Keep the scrollbar where the offset is when the geometry changes (a total became known).
  useLayoutEffect(() => {
    if (offsetRef.current > maxLogical) setOffset(maxLogical, true);
    else setOffset(offsetRef.current, true);
  }, [ratio, maxLogical, setOffset]);

  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport({ width: el.clientWidth, height: el.clientHeight }));
    observer.observe(el);
    setViewport({ width: el.clientWidth, height: el.clientHeight });
    const onWheel = (event: WheelEvent) => {
      if (geometry.current.ratio <= 1 || event.ctrlKey) return;
      // Scaled: the wheel moves by real pixels of the table, not by scaled scrollbar pixels.
      event.preventDefault();
      const unit = event.deltaMode === 1 ? ROW_HEIGHT : event.deltaMode === 2 ? el.clientHeight : 1;
      if (event.deltaY !== 0) setOffset(offsetRef.current + event.deltaY * unit, true);
      if (event.deltaX !== 0) el.scrollLeft += event.deltaX * unit;
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      observer.disconnect();
      el.removeEventListener('wheel', onWheel);
    };
  }, [setOffset]);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    if (programmatic.current !== null && Math.abs(el.scrollTop - programmatic.current) < 2) {
      programmatic.current = null;
      return;
    }
    programmatic.current = null;
    setOffset(el.scrollTop * geometry.current.ratio, false);
  }, [setOffset]);

  const blockCount = Math.ceil(count / BLOCK_ROWS);
  const rownumWidth = Math.max(44, formatCount(count).length * 7.5 + 18);
  const virtualizer: Virtualizer<HTMLDivElement, Element> = useVirtualizer({
    count: blockCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => Math.max(0, Math.min(BLOCK_ROWS, count - i * BLOCK_ROWS)) * ROW_HEIGHT,
    overscan: 1,
    initialRect: { width: 800, height: 480 },
    observeElementOffset: (_instance, callback) => {
      const listener = (value: number) => callback(value, false);
      offsetListeners.current.add(listener);
      listener(offsetRef.current);
      return () => offsetListeners.current.delete(listener);
    },
    scrollToFn: (value) => setOffset(value, true),
  });

  // The rows to render: those of the virtualizer's blocks that meet the viewport.
  const blocks = virtualizer.getVirtualItems();
  const firstVisible = Math.floor(offset / ROW_HEIGHT);
  const lastVisible = Math.min(count - 1, Math.ceil((offset + rowsViewport) / ROW_HEIGHT));
  const first = Math.max(blocks.length ? blocks[0]!.index * BLOCK_ROWS : 0, firstVisible - OVERSCAN_ROWS, 0);
  const last = Math.min(blocks.length ? (blocks[blocks.length - 1]!.index + 1) * BLOCK_ROWS - 1 : count - 1, lastVisible + OVERSCAN_ROWS, count - 1);

  useEffect(() => {
    if (count > 0) cache.ensure(Math.max(0, firstVisible - OVERSCAN_ROWS), lastVisible + OVERSCAN_ROWS);
    else cache.ensure(0, 0);
  }, [cache, firstVisible, lastVisible, count, cache.error]);

  const version = cache.getVersion();
  const data = useMemo<GridRow[]>(() => {
    const rows: GridRow[] = [];
    for (let i = first; i <= last; i++) {
      const row = cache.row(i);
      rows.push({ index: i, rowid: row?.rowid ?? null, cells: row?.cells ?? null });
    }
    return rows;
    // version: the cache filled in more rows
  }, [cache, first, last, version]);

  const columns = useMemo(
    () =>
      source.columns.map((column, i) =>
        helper.accessor((row: GridRow): unknown => (row.cells ? (row.cells[i] ?? null) : undefined), {
          id: column.name,
          header: column.name,
          size: initialWidth(column),
          minSize: 60,
          maxSize: 1200,
          enableSorting: column.sortable,
        }),
      ),
    [source.columns],
  );

  const sorting = useMemo<SortingState>(() => (sort ? [{ id: sort.column, desc: sort.direction === 'desc' }] : []), [sort]);
  const columnFilters = useMemo<ColumnFiltersState>(() => filters.map((f) => ({ id: f.column, value: f })), [filters]);

  const table = useTable({
    features,
    columns,
    data,
    getRowId: (row) => String(row.index),
    manualSorting: true,
    manualFiltering: true,
    enableSortingRemoval: true,
    enableMultiSort: false,
    columnResizeMode: 'onChange',
    state: { sorting, columnFilters },
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      const first = next[0];
      onSort?.(first ? { column: first.id, direction: first.desc ? 'desc' : 'asc' } : null);
    },
  });

  // Keyboard: an active cell moved with arrows, PageUp/Down, Home/End, Ctrl+Home/End.
  const [active, setActive] = useState<{ row: number; col: number }>({ row: 0, col: 0 });
  useEffect(() => setActive({ row: 0, col: 0 }), [source]);
  const leaf = table.getHeaderGroups()[0]?.headers ?? [];
  const ensureVisible = useCallback(
    (row: number, col: number) => {
      const top = row * ROW_HEIGHT;
      if (top < offsetRef.current) setOffset(top, true);
      else if (top + ROW_HEIGHT > offsetRef.current + rowsViewport) setOffset(top + ROW_HEIGHT - rowsViewport, true);
      const el = scrollRef.current;
      if (el && leaf.length > 0) {
        let left = rownumWidth;
        for (let i = 0; i < col; i++) left += leaf[i]!.getSize();
        const width = leaf[col]?.getSize() ?? 0;
        if (left < el.scrollLeft + rownumWidth) el.scrollLeft = Math.max(0, left - rownumWidth);
        else if (left + width > el.scrollLeft + el.clientWidth) el.scrollLeft = left + width - el.clientWidth;
      }
    },
    [leaf, rowsViewport, setOffset, rownumWidth],
  );

  const onKeyDown = (event: ReactKeyboardEvent<HTMLDivElement>) => {
    if (event.target !== gridRef.current) return;
    const pageRows = Math.max(1, Math.floor(rowsViewport / ROW_HEIGHT) - 1);
    const lastRow = Math.max(0, count - 1);
    const lastCol = Math.max(0, source.columns.length - 1);
    let { row, col } = active;
    switch (event.key) {
      case 'ArrowDown':
        row++;
        break;
      case 'ArrowUp':
        row--;
        break;
      case 'ArrowRight':
        col++;
        break;
      case 'ArrowLeft':
        col--;
        break;
      case 'PageDown':
        row += pageRows;
        break;
      case 'PageUp':
        row -= pageRows;
        break;
      case 'Home':
        if (event.ctrlKey || event.metaKey) row = 0;
        else col = 0;
        break;
      case 'End':
        if (event.ctrlKey || event.metaKey) row = lastRow;
        else col = lastCol;
        break;
      case 'c':
        if (event.ctrlKey || event.metaKey) {
          const value = cache.row(active.row)?.cells[active.col];
          if (value !== undefined) void navigator.clipboard?.writeText(cellText(value)).catch(() => {});
        }
        return;
      default:
        return;
    }
    event.preventDefault();
    row = Math.max(0, Math.min(lastRow, row));
    col = Math.max(0, Math.min(lastCol, col));
    setActive({ row, col });
    ensureVisible(row, col);
  };

  const totalWidth = rownumWidth + table.getTotalSize();
  const visibleFrom = count === 0 ? 0 : firstVisible + 1;
  const visibleTo = Math.min(count, lastVisible + 1);
  const activeId = `cell-${active.row}-${active.col}`;
  const rows = table.getRowModel().rows;

  return (
    <div className="grid-wrap">
      <div
        ref={gridRef}
        className="grid"
        role="grid"
        aria-label={label}
        aria-rowcount={cache.total !== null ? cache.total + 1 : -1}
        aria-colcount={source.columns.length + 1}
        aria-activedescendant={activeId}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-rows={cache.total ?? ''}
      >
        <div ref={scrollRef} className="grid-scroll" onScroll={onScroll}>
          <div className="grid-canvas" style={{ height: HEADER_HEIGHT + Math.max(physicalHeight, 0), width: totalWidth }}>
            <div className="grid-header" role="row" aria-rowindex={1} style={{ height: HEADER_HEIGHT, width: totalWidth }}>
              <div className="grid-cell rownum" role="columnheader" style={{ width: rownumWidth }}>
                #
              </div>
              {leaf.map((header, ci) => {
                const column = source.columns[ci]!;
                const sorted = header.column.getIsSorted();
                const filtered = filters.some((f) => f.column === column.name);
                return (
                  <div
                    key={header.id}
                    className={`grid-cell head${column.storage && NUMERIC.has(column.storage) ? ' num' : ''}`}
                    role="columnheader"
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
                    style={{ width: header.getSize() }}
                    title={`${column.name}${column.declaredType ? ` — ${column.declaredType}` : ''}${column.storage ? ` (stored as ${column.storage})` : ''}`}
                  >
                    <button
                      type="button"
                      className="head-sort"
                      disabled={!column.sortable || !onSort}
                      aria-label={`Sort by ${column.name}`}
                      onClick={() => {
                        if (!onSort) return;
                        onSort(sorted === false ? { column: column.name, direction: 'asc' } : sorted === 'asc' ? { column: column.name, direction: 'desc' } : null);
                      }}
                    >
                      <span className="head-name">{column.name}</span>
                      <span className="head-mark" aria-hidden="true">
                        {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                        {filtered ? <FunnelIcon /> : null}
                      </span>
                    </button>
                    {onColumnMenu && (
                      <>
                        <button type="button" className="head-action" aria-label={`Filter ${column.name}`} title="Filter this column" onClick={(e) => onColumnMenu(column, 'filter', e.currentTarget)}>
                          <FunnelIcon />
                        </button>
                        <button type="button" className="head-action" aria-label={`Facet ${column.name}`} title="Count this column's values among the rows shown" onClick={(e) => onColumnMenu(column, 'facet', e.currentTarget)}>
                          ≡
                        </button>
                        <button type="button" className="head-action" aria-label={`Profile ${column.name}`} title="Profile this column (nulls, blanks, distinct values, histogram)" onClick={(e) => onColumnMenu(column, 'profile', e.currentTarget)}>
                          ∑
                        </button>
                      </>
                    )}
                    <div
                      className="resize-handle"
                      onMouseDown={header.getResizeHandler()}
                      onTouchStart={header.getResizeHandler()}
                      onDoubleClick={() => header.column.resetSize()}
                      role="separator"
                      aria-orientation="vertical"
                      aria-label={`Resize ${column.name}`}
                    />
                  </div>
                );
              })}
            </div>
            <div className="grid-rows" style={{ top: HEADER_HEIGHT, height: rowsViewport, width: totalWidth }}>
              {rows.map((row) => {
                const r = row.original;
                return (
                  <div
                    key={row.id}
                    className={`grid-row${r.index % 2 ? ' odd' : ''}${r.index === active.row ? ' active-row' : ''}`}
                    role="row"
                    aria-rowindex={r.index + 2}
                    data-index={r.index}
                    style={{ transform: `translateY(${r.index * ROW_HEIGHT - offset}px)`, width: totalWidth }}
                  >
                    <div className="grid-cell rownum" role="rowheader" style={{ width: rownumWidth }}>
                      {formatCount(r.index + 1)}
                    </div>
                    {r.cells === null ? (
                      <div className="grid-cell loading-cell" role="gridcell" style={{ width: totalWidth - rownumWidth }}>
                        loading…
                      </div>
                    ) : (
                      row.getAllCells().map((cell, ci) => {
                        const column = source.columns[ci]!;
                        const value = r.cells![ci];
                        const id = `cell-${r.index}-${ci}`;
                        return (
                          <div
                            key={cell.id}
                            id={id}
                            role="gridcell"
                            aria-selected={id === activeId}
                            className={`grid-cell${typeof value === 'number' || typeof value === 'bigint' || (column.storage && NUMERIC.has(column.storage)) ? ' num' : ''}${id === activeId ? ' active' : ''}`}
                            style={{ width: cell.column.getSize() }}
                            onMouseDown={() => setActive({ row: r.index, col: ci })}
                            title={typeof value === 'string' && value.length > 12 ? inertText(value.length > 2000 ? `${value.slice(0, 2000)}…` : value) : undefined}
                          >
                            <ValueView value={value} />
                          </div>
                        );
                      })
                    )}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
        {cache.error ? (
          <div className="grid-overlay">
            <ErrorBox error={cache.error} onRetry={() => cache.retry()} />
          </div>
        ) : null}
        {count === 0 && !cache.loading && !cache.error && cache.total === 0 && (
          <div className="grid-overlay">
            <p className="muted">{filters.length ? 'No row matches the filters. Remove a filter to see more.' : 'This table has no rows.'}</p>
          </div>
        )}
      </div>
      <div className="grid-status" aria-live="polite">
        <span data-testid="grid-range">
          {count === 0 ? 'no rows' : `rows ${formatCount(visibleFrom)}–${formatCount(visibleTo)} of ${cache.total !== null ? formatCount(cache.total) : `at least ${formatCount(count)}`}`}
        </span>
        {cache.total === null && source.count && !cache.counting && (
          <button type="button" className="quiet small" onClick={() => cache.startCount()}>
            Count rows
          </button>
        )}
        {(cache.loading || cache.counting) && cache.progress && <ProgressBar progress={cache.progress} onCancel={cache.counting ? () => cache.cancelCount() : undefined} />}
        {cache.loading && !cache.progress && <span className="muted small">loading…</span>}
      </div>
    </div>
  );
}
