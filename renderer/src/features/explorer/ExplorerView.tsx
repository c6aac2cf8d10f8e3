// The explorer: the snapshot's tree, a table in the virtualised grid (sort,
// filter, profile a column, export), and the read-only SQL console whose
// results show in the same grid.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { CatalogTree as Tree, ColumnFilter, ColumnSort, SqlResult, TableDescription } from '../../../../shared/api/types.ts';
import { api } from '../../api/client.ts';
import { decodePage } from '../../api/arrow.ts';
import { useWorkbench } from '../../app/workbench.tsx';
import { EmptyState, ErrorBox, ProgressBar, useJob } from '../../ui/components.tsx';
import { formatBytes, formatCount, formatSeconds } from '../../ui/format.ts';
import { CatalogTree, type TreeSelection } from './CatalogTree.tsx';
import { DataGrid } from './DataGrid.tsx';
import { ExportButtons } from './exporting.tsx';
import { FilterBar } from './FilterBar.tsx';
import { ProfilePanel } from './ProfilePanel.tsx';
import type { GridColumn, RowSource } from './rowCache.ts';

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

function TablePane({ snapshotId, tableName, initialFilters }: { snapshotId: string; tableName: string; initialFilters: ColumnFilter[] }) {
  const wb = useWorkbench();
  const [description, setDescription] = useState<TableDescription | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [sort, setSort] = useState<ColumnSort | null>(null);
  const [filters, setFilters] = useState<ColumnFilter[]>(initialFilters);
  const [profile, setProfile] = useState<string | null>(null);
  const [filterFocus, setFilterFocus] = useState<{ name: string; nonce: number } | null>(null);

  useEffect(() => {
    let live = true;
    setDescription(null);
    setError(null);
    setSort(null);
    setProfile(null);
    setFilters(initialFilters);
    api.invoke('table/describe', { snapshotId, table: tableName }).then(
      (d) => live && setDescription(d),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [snapshotId, tableName, initialFilters]);

  const source = useMemo(() => (description ? tableSource(snapshotId, description, sort, filters) : null), [snapshotId, description, sort, filters]);
  const onColumnMenu = useCallback((column: GridColumn, action: 'profile' | 'filter') => {
    if (action === 'profile') setProfile(column.name);
    else setFilterFocus({ name: column.name, nonce: Date.now() });
  }, []);

  if (error) return <ErrorBox error={error} />;
  if (!description || !source) return <ProgressBar progress={null} label="Reading the table’s columns…" />;
  const t = description.table;
  const pk = description.columns.filter((c) => c.primaryKeyOrdinal !== null).map((c) => c.name);
  return (
    <div className="table-pane" data-testid="table-pane" data-table={t.name}>
      <div className="pane-head row space-between wrap">
        <div>
          <h2 className="table-title">
            {t.instance} / {t.database} / <strong>{t.source}</strong>
          </h2>
          <div className="muted small">
            {formatCount(t.rows)} rows{t.limited ? ' (limited by --max-rows)' : ''} · {t.engine}
            {t.engineTableType ? ` ${t.engineTableType}` : ''} · data {formatBytes(t.dataBytes)} · indexes {formatBytes(t.indexBytes)}
            {pk.length ? ` · primary key (${pk.join(', ')})` : ''}
            {t.comment ? ` · ${t.comment}` : ''}
          </div>
          <div className="small">
            SQL name: <code className="mono">{t.sqlName}</code>{' '}
            <button type="button" className="quiet small" onClick={() => void navigator.clipboard?.writeText(t.sqlName).catch(() => {})}>
              Copy
            </button>
            <button type="button" className="quiet small" onClick={() => wb.openInExplorer({ kind: 'sql', sql: `SELECT * FROM ${t.sqlName} LIMIT 100` })}>
              Query this table
            </button>
          </div>
        </div>
        <ExportButtons snapshotId={snapshotId} what={`table ${t.source}`} source={(format) => ({ kind: 'table', view: { table: t.name, sort, filters }, format })} />
      </div>
      <FilterBar columns={source.columns} filters={filters} onChange={setFilters} focusColumn={filterFocus} />
      <div className="grid-and-panel">
        <DataGrid source={source} label={`Rows of ${t.source}`} sort={sort} onSort={setSort} filters={filters} onColumnMenu={onColumnMenu} />
        {profile && (
          <ProfilePanel
            snapshotId={snapshotId}
            table={t.name}
            column={profile}
            onClose={() => setProfile(null)}
            onFilterValue={(value) => setFilters((f) => [...f, value === null ? { column: profile, op: 'is-null' } : { column: profile, op: 'equals', value }])}
          />
        )}
      </div>
    </div>
  );
}

const HISTORY_KEY = 'snapbench-sql-history';

function SqlPane({ snapshotId, request }: { snapshotId: string; request: { sql: string; nonce: number } | null }) {
  const [sql, setSql] = useState(() => request?.sql ?? localStorage.getItem(HISTORY_KEY)?.split('\u0000')[0] ?? 'SELECT name, type FROM sqlite_master LIMIT 50');
  const job = useJob<SqlResult>();
  const { run } = job;
  const [history, setHistory] = useState<string[]>(() => (localStorage.getItem(HISTORY_KEY) ?? '').split('\u0000').filter(Boolean));
  const editor = useRef<HTMLTextAreaElement>(null);

  const execute = useCallback(
    (text: string) => {
      if (!text.trim()) return;
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
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      execute(sql);
    }
  };
  return (
    <div className="sql-pane" data-testid="sql-pane">
      <label className="visually-hidden" htmlFor="sql-editor">
        SQL (read-only; Ctrl+Enter runs)
      </label>
      <textarea id="sql-editor" ref={editor} className="sql-editor mono" value={sql} onChange={(e) => setSql(e.target.value)} onKeyDown={onKeyDown} spellCheck={false} rows={5} />
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
        <span className="muted small">Read-only: statements that would change the snapshot are refused. Tables are named by their SQL name (see the tree).</span>
      </div>
      {job.running && <ProgressBar progress={job.progress} label="Running the query…" onCancel={job.cancel} />}
      {job.error ? <ErrorBox error={job.error} onDismiss={job.clear} /> : null}
      {job.result && source && (
        <>
          <div className="row space-between wrap result-head">
            <span className="small" data-testid="sql-summary">
              {formatCount(job.result.rows)} row(s) in {formatSeconds(job.result.seconds)}
              {job.result.limited ? ` — only the first ${formatCount(job.result.rows)} are shown; export the query for all rows` : ''}
            </span>
            <ExportButtons snapshotId={snapshotId} what="the query result" source={(format) => ({ kind: 'sql', sql: job.result!.sql, format })} />
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
  const [selection, setSelection] = useState<{ table: string; filters: ColumnFilter[] } | null>(null);
  const [tab, setTab] = useState<'table' | 'sql'>('table');
  const [sqlRequest, setSqlRequest] = useState<{ sql: string; nonce: number } | null>(null);

  useEffect(() => {
    if (!snapshot) return;
    let live = true;
    setTree(null);
    setTreeError(null);
    setSelection(null);
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
    if (!explorerTarget) return;
    const target = takeExplorerTarget();
    if (!target) return;
    if (target.kind === 'table') {
      setSelection({ table: target.table, filters: target.filters ?? [] });
      setTab('table');
    } else {
      setSqlRequest({ sql: target.sql, nonce: Date.now() });
      setTab('sql');
    }
  }, [explorerTarget, takeExplorerTarget]);

  const onSelect = useCallback((s: TreeSelection) => {
    setSelection({ table: s.table, filters: s.pattern ? [{ column: 'pattern', op: 'equals', value: s.pattern.pattern }] : [] });
    setTab('table');
  }, []);

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
        <div hidden={tab !== 'table'} className="tab-panel">
          {selection ? (
            <TablePane snapshotId={snapshot.id} tableName={selection.table} initialFilters={selection.filters} />
          ) : (
            <EmptyState title="Pick a table">Choose a table or a Redis key pattern in the tree on the left, or open the SQL console.</EmptyState>
          )}
        </div>
        <div hidden={tab !== 'sql'} className="tab-panel">
          <SqlPane snapshotId={snapshot.id} request={sqlRequest} />
        </div>
      </div>
    </div>
  );
}
