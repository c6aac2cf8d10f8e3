// The explorer: the snapshot's tree, a table in the virtualised grid (sort,
// filter, facet and profile a column, export), and the read-only SQL console
// (with completion) whose results show in the same grid. Every view has a
// link that opens it again.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { CatalogColumns, CatalogTree as Tree, ColumnFilter, ColumnSort, SqlResult, TableDescription } from '../../../../shared/api/types.ts';
import { plural } from '../../../../shared/text/layout.ts';
import { inertText } from '../../../../shared/text/inert.ts';
import { api, ApiFailure } from '../../api/client.ts';
import { decodePage } from '../../api/arrow.ts';
import { useWorkbench } from '../../app/workbench.tsx';
import { EmptyState, ErrorBox, Notice, ProgressBar, useJob, useNotice } from '../../ui/components.tsx';
import { formatBytes, formatCount, formatSeconds } from '../../ui/format.ts';
import { CatalogTree, type TreeSelection } from './CatalogTree.tsx';
import { DataGrid, type ColumnAction } from './DataGrid.tsx';
import { ExportButtons } from './exporting.tsx';
import { FacetPanel } from './FacetPanel.tsx';
import { FilterBar } from './FilterBar.tsx';
import { explorerLinkUrl, type ExplorerLink } from './links.ts';
import { ProfilePanel } from './ProfilePanel.tsx';
import type { GridColumn, RowSource } from './rowCache.ts';
import { completions, didYouMean, wordAt, type Completion } from './sqlCompletion.ts';

function tableSource(snapshotId: string, description: TableDescription, sort: ColumnSort | null, filters: ColumnFilter[]): RowSource {
  const table = description.table;
  const view = { table: table.name, sort, filters };
  return {
    key: JSON.stringify([snapshotId, view]),
    columns: description.columns.map((c) => ({ name: c.name, declaredType: c.declaredType, storage: c.storage, sortable: true })),
    total: filters.length === 0 ? table.rows : null,
    async fetch(offset, limit, signal, onProgress) {
      const page = await api.invoke('table/page', { snapshotId, view, offset, limit }, { signal, onProgress });
      return { page: decodePage(page.arrow), total: page.total, end: page.end };
    },
    async count(signal, onProgress) {
      return (await api.invoke('table/count', { snapshotId, view }, { signal, onProgress })).rows;
    },
  };
}

function resultSource(result: SqlResult): RowSource {
  const seen = new Map<string, number>();
  const columns: GridColumn[] = result.columns.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    return { name: n === 1 ? c.name : `${c.name}_${n}`, declaredType: c.declaredType, storage: null, sortable: false };
  });
  return {
    key: result.resultId,
    columns,
    total: result.rows,
    async fetch(offset, limit, signal) {
      const page = await api.invoke('result/page', { resultId: result.resultId, offset, limit }, { signal });
      return { page: decodePage(page.arrow), total: page.total, end: page.end };
    },
  };
}

/** Copies a link to this view; says so (or says why not). */
function CopyLink({ link }: { link: ExplorerLink }) {
  const notice = useNotice();
  return (
    <>
      <button
        type="button"
        className="quiet small"
        title="A link that opens this view again, in any tab of this browser"
        onClick={() => {
          const url = explorerLinkUrl(link);
          if (!navigator.clipboard) return notice.show(`Copy this link: ${url}`);
          void navigator.clipboard.writeText(url).then(
            () => notice.show('Link copied: paste it into the address bar of this browser to open this view.'),
            () => notice.show(`Copy this link: ${url}`),
          );
        }}
      >
        Copy link
      </button>
      <Notice text={notice.notice} />
    </>
  );
}

/** What the explorer showed for each snapshot, so leaving the view and coming back finds it as it was (for this page's life). */
const lastViews = new Map<string, { table: string; filters: ColumnFilter[]; sort: ColumnSort | null; tab: 'table' | 'sql' }>();

function TablePane({
  snapshotId,
  snapshotPath,
  tableName,
  initialFilters,
  initialSort,
}: {
  snapshotId: string;
  snapshotPath: string;
  tableName: string;
  initialFilters: ColumnFilter[];
  initialSort: ColumnSort | null;
}) {
  const wb = useWorkbench();
  const [description, setDescription] = useState<TableDescription | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [sort, setSort] = useState<ColumnSort | null>(initialSort);
  const [filters, setFilters] = useState<ColumnFilter[]>(initialFilters);
  const [panel, setPanel] = useState<{ kind: 'profile' | 'facet'; column: string } | null>(null);
  const [filterFocus, setFilterFocus] = useState<{ name: string; nonce: number } | null>(null);
  const [matching, setMatching] = useState<{ total: number | null; counting: boolean }>({ total: null, counting: false });
  const trigger = useRef<HTMLElement | null>(null);
  const gridBox = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    setDescription(null);
    setError(null);
    setSort(initialSort);
    setPanel(null);
    setFilters(initialFilters);
    api.invoke('table/describe', { snapshotId, table: tableName }).then(
      (d) => live && setDescription(d),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [snapshotId, tableName, initialFilters, initialSort]);

  const source = useMemo(() => (description ? tableSource(snapshotId, description, sort, filters) : null), [snapshotId, description, sort, filters]);
  useEffect(() => {
    const last = lastViews.get(snapshotId);
    lastViews.set(snapshotId, { table: tableName, filters, sort, tab: last?.tab ?? 'table' });
  }, [snapshotId, tableName, filters, sort]);
  const onColumnMenu = useCallback((column: GridColumn, action: ColumnAction, from: HTMLElement) => {
    trigger.current = from;
    if (action === 'filter') setFilterFocus({ name: column.name, nonce: Date.now() });
    else setPanel({ kind: action, column: column.name });
  }, []);
  const onTotal = useCallback((total: number | null, counting: boolean) => setMatching({ total, counting }), []);
  const closePanel = useCallback(() => {
    setPanel(null);
    // Back to the button that opened the panel (or the grid, if that header is gone).
    const back = trigger.current;
    setTimeout(() => (back?.isConnected ? back : gridBox.current?.querySelector<HTMLElement>('[role="grid"]'))?.focus(), 0);
  }, []);
  const filterValue = (column: string) => (value: string | null) => setFilters((f) => [...f, value === null ? { column, op: 'is-null' } : { column, op: 'equals', value }]);

  if (error) return <ErrorBox error={error} />;
  if (!description || !source) return <ProgressBar progress={null} label="Reading the table’s columns…" />;
  const t = description.table;
  if (t.kind === 'pushdown') return <CheckedInPlacePane description={description} />;
  const pk = description.columns.filter((c) => c.primaryKeyOrdinal !== null).map((c) => c.name);
  const rowsText =
    filters.length === 0
      ? `${formatCount(t.rows)} ${plural(t.rows, 'row', 'rows')}`
      : matching.total !== null
        ? `${formatCount(matching.total)} of ${formatCount(t.rows)} ${plural(t.rows, 'row', 'rows')} match the ${plural(filters.length, 'filter', 'filters')}`
        : `counting the rows that match the ${plural(filters.length, 'filter', 'filters')} (of ${formatCount(t.rows)})…`;
  return (
    <div className="table-pane" data-testid="table-pane" data-table={t.name}>
      <div className="pane-head row space-between wrap gap">
        <div className="pane-title">
          <h2 className="table-title">
            {t.instance} / {t.database} / <strong>{t.source}</strong>
          </h2>
          <div className="muted small">
            <span data-testid="table-count">{rowsText}</span>
            {t.limited ? ' (the pull kept only the first rows: --max-rows)' : ''} · {t.engine}
            {t.engineTableType ? ` ${t.engineTableType}` : ''} · data {formatBytes(t.dataBytes)} · indexes {formatBytes(t.indexBytes)}
            {pk.length ? ` · primary key (${pk.join(', ')})` : ''}
            {t.comment ? ` · ${t.comment}` : ''}
          </div>
          <div className="small row gap wrap">
            <span>
              SQL name: <code className="mono">{t.sqlName}</code>
            </span>
            <button type="button" className="quiet small" onClick={() => void navigator.clipboard?.writeText(t.sqlName).catch(() => {})}>
              Copy the SQL name
            </button>
            <button type="button" className="quiet small" onClick={() => wb.openInExplorer({ kind: 'sql', sql: `SELECT * FROM ${t.sqlName} LIMIT 100` })}>
              Query this table
            </button>
            <CopyLink link={{ snapshot: snapshotPath, kind: 'table', table: t.name, filters, sort }} />
          </div>
        </div>
        <ExportButtons snapshotId={snapshotId} what={`table ${t.source}`} rows={filters.length === 0 ? t.rows : matching.total} source={(format) => ({ kind: 'table', view: { table: t.name, sort, filters }, format })} />
      </div>
      <FilterBar columns={source.columns} filters={filters} onChange={setFilters} focusColumn={filterFocus} />
      <div className="grid-and-panel" ref={gridBox}>
        <DataGrid source={source} label={`Rows of ${t.source}`} sort={sort} onSort={setSort} filters={filters} onColumnMenu={onColumnMenu} onTotal={onTotal} />
        {panel?.kind === 'profile' && <ProfilePanel snapshotId={snapshotId} table={t.name} column={panel.column} onClose={closePanel} onFilterValue={filterValue(panel.column)} />}
        {panel?.kind === 'facet' && <FacetPanel snapshotId={snapshotId} table={t.name} column={panel.column} filters={filters} onClose={closePanel} onFilterValue={filterValue(panel.column)} />}
      </div>
    </div>
  );
}

/**
 * A table checked in place (pull: pushdown, dq --pushdown): the file holds its
 * columns and its exact row count, counted on the server, and no rows, so
 * there is no grid, filter, profile, export or query to offer.
 */
function CheckedInPlacePane({ description }: { description: TableDescription }) {
  const wb = useWorkbench();
  const t = description.table;
  return (
    <div className="table-pane" data-testid="table-pane" data-table={t.name} data-kind="pushdown">
      <div className="pane-head">
        <div className="pane-title">
          <h2 className="table-title">
            {inertText(t.instance)} / {inertText(t.database)} / <strong>{inertText(t.source)}</strong> <span className="badge muted">checked in place</span>
          </h2>
          <div className="muted small">
            <span data-testid="table-count">
              {formatCount(t.rows)} {plural(t.rows, 'row', 'rows')}
            </span>
            , counted on the server · {t.engine}
            {t.engineTableType ? ` ${t.engineTableType}` : ''} · data {formatBytes(t.dataBytes)} · indexes {formatBytes(t.indexBytes)}
          </div>
        </div>
      </div>
      <p data-testid="pushdown-note">
        This table was checked where it lives (<code>pull: pushdown</code>): the snapshot holds its columns and its exact row count, not its rows, so there is nothing to browse, filter or export here. Its data-quality results
        are in the Data quality view; pull the instance with <code>pull: full</code> (or <code>sample</code>) to browse its rows.
      </p>
      <p>
        <button type="button" onClick={() => wb.go('dq')}>
          Open the data-quality results
        </button>
      </p>
      <table className="plain small" aria-label={`Columns of ${t.source}`}>
        <thead>
          <tr>
            <th>column</th>
            <th>type</th>
            <th>nullable</th>
            <th>primary key</th>
          </tr>
        </thead>
        <tbody>
          {description.columns.map((c) => (
            <tr key={c.name}>
              <td className="mono">{inertText(c.sourceName)}</td>
              <td className="mono">{inertText(c.declaredType)}</td>
              <td>{c.nullable ? 'yes' : 'no'}</td>
              <td>{c.primaryKeyOrdinal ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const HISTORY_KEY = 'snapbench-sql-history';

function SqlPane({ snapshotId, snapshotPath, request }: { snapshotId: string; snapshotPath: string; request: { sql: string; nonce: number } | null }) {
  const [sql, setSql] = useState(() => request?.sql ?? localStorage.getItem(HISTORY_KEY)?.split('\u0000')[0] ?? 'SELECT name, type FROM sqlite_master LIMIT 50');
  const job = useJob<SqlResult>();
  const { run } = job;
  const [history, setHistory] = useState<string[]>(() => (localStorage.getItem(HISTORY_KEY) ?? '').split('\u0000').filter(Boolean));
  const [catalog, setCatalog] = useState<CatalogColumns>([]);
  const [menu, setMenu] = useState<{ items: Completion[]; start: number; end: number; active: number } | null>(null);
  const editor = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    let live = true;
    api.invoke('catalog/columns', { snapshotId }).then(
      (c) => live && setCatalog(c),
      () => live && setCatalog([]),
    );
    return () => {
      live = false;
    };
  }, [snapshotId]);

  const execute = useCallback(
    (text: string) => {
      if (!text.trim()) return;
      setMenu(null);
      setHistory((h) => {
        const next = [text, ...h.filter((x) => x !== text)].slice(0, 20);
        localStorage.setItem(HISTORY_KEY, next.join('\u0000'));
        return next;
      });
      void run((signal, onProgress) => api.invoke('sql/run', { snapshotId, sql: text }, { signal, onProgress }));
    },
    [run, snapshotId],
  );

  useEffect(() => {
    if (!request) return;
    setSql(request.sql);
    execute(request.sql);
  }, [request, execute]);

  const source = useMemo(() => (job.result ? resultSource(job.result) : null), [job.result]);
  const suggest = (text: string, cursor: number) => {
    const { start, word } = wordAt(text, cursor);
    const items = word.replace(/^"/, '').length >= 2 ? completions(word, catalog) : [];
    setMenu(items.length > 0 ? { items, start, end: cursor, active: 0 } : null);
  };
  const accept = (item: Completion) => {
    if (!menu) return;
    const next = sql.slice(0, menu.start) + item.text + sql.slice(menu.end);
    setSql(next);
    setMenu(null);
    const at = menu.start + item.text.length;
    setTimeout(() => {
      editor.current?.focus();
      editor.current?.setSelectionRange(at, at);
    }, 0);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      execute(sql);
      return;
    }
    if (event.key === ' ' && event.ctrlKey) {
      event.preventDefault();
      suggest(sql, event.currentTarget.selectionStart);
      return;
    }
    if (!menu) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setMenu({ ...menu, active: (menu.active + step + menu.items.length) % menu.items.length });
    } else if (event.key === 'Tab' || event.key === 'Enter') {
      event.preventDefault();
      accept(menu.items[menu.active]!);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      setMenu(null);
    }
  };
  const failure = job.error instanceof ApiFailure || job.error instanceof Error ? (job.error as Error).message : '';
  const suggestion = failure ? didYouMean(failure, catalog) : null;
  const replaceMissing = () => {
    const missing = /no such (?:table|column): ([^\s,)]+)/i.exec(failure)?.[1];
    if (!missing || !suggestion) return;
    const next = sql.replace(missing, suggestion);
    setSql(next);
    execute(next);
  };
  return (
    <div className="sql-pane" data-testid="sql-pane">
      <label className="visually-hidden" htmlFor="sql-editor">
        SQL (read-only; Ctrl+Enter runs, Ctrl+Space completes names)
      </label>
      <div className="sql-editor-box">
        <textarea
          id="sql-editor"
          ref={editor}
          className="sql-editor mono"
          value={sql}
          onChange={(e) => {
            setSql(e.target.value);
            suggest(e.target.value, e.target.selectionStart);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setTimeout(() => setMenu(null), 150)}
          spellCheck={false}
          rows={5}
          role="combobox"
          aria-expanded={menu !== null}
          aria-controls="sql-completions"
          aria-autocomplete="list"
          aria-activedescendant={menu ? `sql-completion-${menu.active}` : undefined}
        />
        {menu && (
          <ul id="sql-completions" className="completions" role="listbox" aria-label="Table and column names">
            {menu.items.map((item, i) => (
              <li
                key={`${item.text}-${item.detail}`}
                id={`sql-completion-${i}`}
                role="option"
                aria-selected={i === menu.active}
                className={i === menu.active ? 'active' : undefined}
                onMouseDown={(e) => {
                  e.preventDefault();
                  accept(item);
                }}
              >
                <span className="mono">{item.text}</span> <span className="muted small">{item.detail}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="row gap wrap">
        <button type="button" onClick={() => execute(sql)} disabled={job.running}>
          Run (Ctrl+Enter)
        </button>
        {history.length > 0 && (
          <select aria-label="Recent queries" value="" onChange={(e) => e.target.value && setSql(e.target.value)}>
            <option value="">Recent queries…</option>
            {history.map((h) => (
              <option key={h} value={h}>
                {h.length > 80 ? `${h.slice(0, 80)}…` : h}
              </option>
            ))}
          </select>
        )}
        <span className="muted small">Read-only: a statement that would change the snapshot is refused. Type two letters of a table or column for suggestions (Tab accepts).</span>
      </div>
      {job.running && <ProgressBar progress={job.progress} label="Running the query…" onCancel={job.cancel} />}
      {job.error ? <ErrorBox error={job.error} onDismiss={job.clear} /> : null}
      {suggestion && (
        <p className="small" data-testid="did-you-mean">
          Did you mean <code className="mono">{suggestion}</code>?{' '}
          <button type="button" className="quiet small" onClick={replaceMissing}>
            Use it and run again
          </button>
        </p>
      )}
      {job.result && source && (
        <>
          <div className="row space-between wrap result-head">
            <span className="small" data-testid="sql-summary">
              {formatCount(job.result.rows)} {plural(job.result.rows, 'row', 'rows')} in {formatSeconds(job.result.seconds)}
              {job.result.limited ? ` — only the first ${formatCount(job.result.rows)} are shown; export the query for all of them` : ''}
            </span>
            <div className="row gap wrap">
              <CopyLink link={{ snapshot: snapshotPath, kind: 'sql', sql: job.result.sql }} />
              <ExportButtons snapshotId={snapshotId} what="the query result" rows={job.result.limited ? null : job.result.rows} source={(format) => ({ kind: 'sql', sql: job.result!.sql, format })} />
            </div>
          </div>
          <div className="grid-and-panel">
            <DataGrid source={source} label="Query result" />
          </div>
        </>
      )}
    </div>
  );
}

export function ExplorerView() {
  const wb = useWorkbench();
  const snapshot = wb.current;
  const [tree, setTree] = useState<Tree | null>(null);
  const [treeError, setTreeError] = useState<unknown>(null);
  const [selection, setSelection] = useState<{ table: string; filters: ColumnFilter[]; sort: ColumnSort | null } | null>(() => {
    const last = snapshot ? lastViews.get(snapshot.id) : undefined;
    return last ? { table: last.table, filters: last.filters, sort: last.sort } : null;
  });
  const [tab, setTabState] = useState<'table' | 'sql'>(() => (snapshot ? (lastViews.get(snapshot.id)?.tab ?? 'table') : 'table'));
  const setTab = useCallback(
    (next: 'table' | 'sql') => {
      setTabState(next);
      const last = snapshot ? lastViews.get(snapshot.id) : undefined;
      if (snapshot && last) lastViews.set(snapshot.id, { ...last, tab: next });
    },
    [snapshot],
  );
  const shownFor = useRef<string | null>(snapshot?.id ?? null);
  const [sqlRequest, setSqlRequest] = useState<{ sql: string; nonce: number } | null>(null);

  useEffect(() => {
    if (!snapshot) return;
    let live = true;
    setTree(null);
    setTreeError(null);
    // Another snapshot: what the explorer last showed of it, else nothing picked.
    if (shownFor.current !== snapshot.id) {
      const last = lastViews.get(snapshot.id);
      setSelection(last ? { table: last.table, filters: last.filters, sort: last.sort } : null);
      shownFor.current = snapshot.id;
    }
    api.invoke('catalog/tree', { snapshotId: snapshot.id }).then(
      (t) => live && setTree(t),
      (e: unknown) => live && setTreeError(e),
    );
    return () => {
      live = false;
    };
  }, [snapshot]);

  const { explorerTarget, takeExplorerTarget } = wb;
  useEffect(() => {
    if (!explorerTarget || !tree) return;
    const target = takeExplorerTarget();
    if (!target) return;
    if (target.kind === 'table') {
      setSelection({ table: target.table, filters: target.filters ?? [], sort: target.sort ?? null });
      setTab('table');
    } else {
      setSqlRequest({ sql: target.sql, nonce: Date.now() });
      setTab('sql');
    }
  }, [explorerTarget, takeExplorerTarget, tree, setTab]);

  const onSelect = useCallback(
    (s: TreeSelection) => {
      setSelection({ table: s.table, filters: s.pattern ? [{ column: 'pattern', op: 'equals', value: s.pattern.pattern }] : [], sort: null });
      setTab('table');
    },
    [setTab],
  );

  if (!snapshot) {
    return (
      <EmptyState title="No snapshot open">
        <p>Open a snapshot in the Library first.</p>
        <button type="button" onClick={() => wb.go('home')}>
          Go to the library
        </button>
      </EmptyState>
    );
  }
  return (
    <div className="explorer" data-testid="explorer-view">
      <div className="explorer-tree">
        {treeError ? <ErrorBox error={treeError} /> : tree ? <CatalogTree tree={tree} selected={selection?.table ?? null} onSelect={onSelect} /> : <ProgressBar progress={null} label="Reading the catalog…" />}
      </div>
      <div className="explorer-main">
        <div className="tabs" role="tablist" aria-label="Explorer">
          <button type="button" role="tab" aria-selected={tab === 'table'} className={tab === 'table' ? 'tab active' : 'tab'} onClick={() => setTab('table')}>
            Table
          </button>
          <button type="button" role="tab" aria-selected={tab === 'sql'} className={tab === 'sql' ? 'tab active' : 'tab'} onClick={() => setTab('sql')}>
            SQL console
          </button>
        </div>
        <div hidden={tab !== 'table'} className="tab-panel" role="tabpanel" aria-label="Table">
          {selection ? (
            <TablePane snapshotId={snapshot.id} snapshotPath={snapshot.path} tableName={selection.table} initialFilters={selection.filters} initialSort={selection.sort} />
          ) : (
            <EmptyState title="Pick a table">Choose a table or a Redis key pattern in the tree on the left, or open the SQL console.</EmptyState>
          )}
        </div>
        <div hidden={tab !== 'sql'} className="tab-panel" role="tabpanel" aria-label="SQL console">
          <SqlPane snapshotId={snapshot.id} snapshotPath={snapshot.path} request={sqlRequest} />
        </div>
      </div>
    </div>
  );
}
