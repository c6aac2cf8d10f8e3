// Data quality: run the built-in report-07 pack (or a pack file) on the
// snapshot, offline; findings by severity with their definition, status,
// counts and evidence; all offending rows in the grid; open a row in the
// explorer; the run history kept in the snapshot, a diff between two runs,
// and the HTML report.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DqHistoryEntry, DqPackInfo, DqRowQueries, DqRunView, SqlResult } from '../../../../shared/api/types.ts';
import { plural } from '../../../../shared/text/layout.ts';
import { SEVERITIES } from '../../../../shared/dq/pack.ts';
import { compareFindings, summarize, type DqResult, type FindingsComparison } from '../../../../shared/dq/results.ts';
import { api } from '../../api/client.ts';
import { decodePage } from '../../api/arrow.ts';
import { useWorkbench } from '../../app/workbench.tsx';
import { JsonValueView } from '../../ui/cells.tsx';
import { Badge, EmptyState, ErrorBox, FileButton, ProgressBar, Stat, useJob } from '../../ui/components.tsx';
import { countOf, formatCount, formatDate } from '../../ui/format.ts';
import { DataGrid } from '../explorer/DataGrid.tsx';
import { download, ExportButtons } from '../explorer/exporting.tsx';
import type { RowSource } from '../explorer/rowCache.ts';

const STATUS_TONE = { pass: 'ok', fail: 'bad', warn: 'warn', error: 'bad', skipped: 'muted' } as const;
const STATUS_WORDS = { pass: 'passed', fail: 'failed', warn: 'warning', error: 'could not run', skipped: 'skipped' } as const;

interface Shown {
  runId: number | null;
  pack: string;
  finishedAt: string;
  results: DqResult[];
  definitions: DqRunView['definitions'] | null;
  stored: boolean;
  notStoredReason: string | null;
}

function evidenceSource(result: SqlResult): RowSource {
  const seen = new Map<string, number>();
  return {
    key: result.resultId,
    columns: result.columns.map((c) => {
      const n = (seen.get(c.name) ?? 0) + 1;
      seen.set(c.name, n);
      return { name: n === 1 ? c.name : `${c.name}_${n}`, declaredType: c.declaredType, storage: null, sortable: false };
    }),
    total: result.rows,
    async fetch(offset, limit, signal) {
      const page = await api.invoke('result/page', { resultId: result.resultId, offset, limit }, { signal });
      return { page: decodePage(page.arrow), total: page.total, end: page.end };
    },
  };
}

/** A count as a sentence part: "23 of 9,740". */
function countText(result: DqResult): string {
  if (result.count === null) return '';
  return `${formatCount(result.count)}${result.total !== null ? ` of ${formatCount(result.total)}` : ''}`;
}

/**
 * "Export these rows (all columns)": the finding's offending rows with every
 * column of their table, one export per table; for a finding that names
 * tables, instances or key patterns instead of rows, its list.
 */
function FindingExports({ result, snapshotId }: { result: DqResult; snapshotId: string }) {
  const wb = useWorkbench();
  const [queries, setQueries] = useState<DqRowQueries | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setQueries(null);
    if (!result.evidenceQuery) return;
    api.invoke('dq/rows', { snapshotId, evidenceQuery: result.evidenceQuery }).then(
      (q) => live && setQueries(q),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [result.evidenceQuery, snapshotId]);
  if (!result.evidenceQuery) return null;
  if (error) return <ErrorBox error={error} onDismiss={() => setError(null)} />;
  if (!queries) return null;
  const rows = result.count !== null && !result.limited ? result.count : null;
  if (queries.tables.length === 0) {
    return (
      <div className="finding-exports" data-testid="finding-exports">
        <h4>Export the list</h4>
        <ExportButtons snapshotId={snapshotId} what={`the list of ${result.id}`} source={(format) => ({ kind: 'sql', sql: result.evidenceQuery!, format, name: result.id })} />
      </div>
    );
  }
  return (
    <div className="finding-exports" data-testid="finding-exports">
      <h4>Export these rows (all columns)</h4>
      {queries.tables.map((t) => (
        <div key={t.table} className="row gap wrap">
          {queries.tables.length > 1 && <span className="mono small">{t.source}</span>}
          <ExportButtons
            snapshotId={snapshotId}
            what={`the rows of ${result.id}${queries.tables.length > 1 ? ` in ${t.source}` : ''} with all columns`}
            rows={queries.tables.length === 1 ? rows : null}
            labels={{ csv: 'CSV', arrow: 'Arrow' }}
            source={(format) => ({ kind: 'sql', sql: t.sql, format, name: `${result.id}-${t.source}` })}
          />
          <button type="button" className="quiet small" onClick={() => wb.openInExplorer({ kind: 'sql', sql: t.sql, title: result.id })}>
            Open them in the SQL console
          </button>
        </div>
      ))}
    </div>
  );
}

function Finding({ result, definition, snapshotId }: { result: DqResult; definition: DqRunView['definitions'][string] | undefined; snapshotId: string }) {
  const wb = useWorkbench();
  const evidence = useJob<SqlResult>();
  const heading = useRef<HTMLHeadingElement>(null);
  const source = useMemo(() => (evidence.result ? evidenceSource(evidence.result) : null), [evidence.result]);
  const keys = [...new Set(result.evidence.flatMap((e) => Object.keys(e)))];
  // Checked on the servers (dq --pushdown): its evidence rows were read there and are not in the file.
  const checkedInPlace = result.metrics.pushdown === true;
  // A newly picked finding shows its title: scrolled into view (only as far as needed), not past it.
  useEffect(() => {
    heading.current?.scrollIntoView({ block: 'nearest' });
  }, [result.id]);
  const openRow = (row: Record<string, unknown>) => {
    const table = typeof row.table === 'string' ? row.table : null;
    if (!table) return;
    const key = ['id', 'key_hash'].find((k) => row[k] !== undefined && row[k] !== null);
    wb.openInExplorer({ kind: 'table', table, filters: key ? [{ column: key, op: 'equals', value: String(row[key]) }] : [] });
  };
  return (
    <div className="finding-detail" data-testid="finding-detail" data-rule={result.id}>
      <h3 ref={heading}>
        {result.id}: {result.title}
      </h3>
      <div className="row gap wrap">
        <Badge tone={STATUS_TONE[result.status]}>{STATUS_WORDS[result.status]}</Badge>
        <Badge tone="info">{result.severity} severity</Badge>
        {result.count !== null && (
          <span data-testid="finding-count">
            {countText(result)}
            {result.limited ? ' (on a pull limited by --max-rows: at least this many)' : ''}
          </span>
        )}
      </div>
      {definition?.description && <p className="definition">{definition.description}</p>}
      {result.status === 'error' && <ErrorBox error={new Error(String(result.metrics.error ?? 'the rule failed to run'))} />}
      {result.status === 'skipped' && <p className="muted">Skipped: {String(result.metrics.reason ?? '')}</p>}
      <FindingExports result={result} snapshotId={snapshotId} />
      {result.evidence.length > 0 && (
        <>
          <h4>
            Evidence: the first {formatCount(result.evidence.length)} {plural(result.evidence.length, 'item', 'items')}
          </h4>
          {checkedInPlace && <p className="muted small">Read on the server by dq --pushdown: these rows are not in this snapshot, so there is nothing to open in the explorer.</p>}
          <div className="table-scroll" tabIndex={0} role="region" aria-label={`Evidence of ${result.id} (scrolls)`}>
            <table className="plain">
              <thead>
                <tr>
                  {keys.map((k) => (
                    <th key={k} scope="col">
                      {k}
                    </th>
                  ))}
                  <th scope="col">
                    <span className="visually-hidden">Open</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.evidence.slice(0, 50).map((row, i) => (
                  <tr key={i}>
                    {keys.map((k) => (
                      <td key={k} className="mono small">
                        <JsonValueView value={row[k]} />
                      </td>
                    ))}
                    <td>
                      {typeof row.table === 'string' && !checkedInPlace && (
                        <button type="button" className="quiet small" onClick={() => openRow(row)}>
                          Open in explorer
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {result.evidenceQuery && (
        <div className="row gap wrap">
          <button type="button" className="secondary" onClick={() => void evidence.run((signal, onProgress) => api.invoke('dq/evidence', { snapshotId, evidenceQuery: result.evidenceQuery! }, { signal, onProgress }))}>
            Show all offending rows
          </button>
          <button type="button" className="quiet" onClick={() => wb.openInExplorer({ kind: 'sql', sql: result.evidenceQuery!, title: result.id })}>
            Open the rule's query in the SQL console
          </button>
        </div>
      )}
      {evidence.running && <ProgressBar progress={evidence.progress} onCancel={evidence.cancel} />}
      {evidence.error ? <ErrorBox error={evidence.error} onDismiss={evidence.clear} /> : null}
      {source && evidence.result && (
        <>
          <p className="small">
            {formatCount(evidence.result.rows)} offending {plural(evidence.result.rows, 'row', 'rows')}
            {evidence.result.limited ? ' (the first ones are shown)' : ''}
          </p>
          <div className="grid-and-panel short">
            <DataGrid source={source} label={`Offending rows of ${result.id}`} />
          </div>
        </>
      )}
      <details>
        <summary>Technical detail: the rule as written and what it measured</summary>
        <pre className="mono small pre">{JSON.stringify({ check: definition?.check, rule: definition?.rule, metrics: result.metrics }, null, 2)}</pre>
      </details>
    </div>
  );
}

function Diff({ comparison, against }: { comparison: FindingsComparison; against: number }) {
  const section = (title: string, list: FindingsComparison['new']) =>
    list.length > 0 && (
      <>
        <h4>{title}</h4>
        <ul>
          {list.map((c) => (
            <li key={c.id}>
              <strong>{c.id}</strong> {c.title}: {c.note}
            </li>
          ))}
        </ul>
      </>
    );
  return (
    <div className="panel" data-testid="dq-diff">
      <h3>Compared with run {against}</h3>
      {section('New findings', comparison.new)}
      {section('Fixed', comparison.fixed)}
      {section('Changed', comparison.changed)}
      <p className="muted small">
        {formatCount(comparison.unchanged)} {plural(comparison.unchanged, 'rule', 'rules')} unchanged.
      </p>
    </div>
  );
}

export function DqView() {
  const wb = useWorkbench();
  const snapshot = wb.current;
  const [packs, setPacks] = useState<DqPackInfo[]>([]);
  const [pack, setPack] = useState('report-07');
  const [packFile, setPackFile] = useState<{ name: string; yaml: string } | null>(null);
  const [store, setStore] = useState(true);
  const [history, setHistory] = useState<DqHistoryEntry[]>([]);
  const [shown, setShown] = useState<Shown | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [statusFilter, setStatusFilter] = useState<'findings' | 'all'>('findings');
  const [compare, setCompare] = useState<{ runId: number; results: DqResult[] } | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const run = useJob<DqRunView>();
  const report = useJob<string>();

  const loadHistory = useCallback(() => {
    if (!snapshot) return;
    api.invoke('dq/history', { snapshotId: snapshot.id }).then(setHistory, setLoadError);
  }, [snapshot]);

  useEffect(() => {
    api.invoke('dq/packs', {}).then(setPacks, setLoadError);
  }, []);

  useEffect(() => {
    setShown(null);
    setSelected(null);
    setCompare(null);
    setHistory([]);
    if (!snapshot) return;
    let live = true;
    api.invoke('dq/history', { snapshotId: snapshot.id }).then(
      (h) => {
        if (!live) return;
        setHistory(h);
        const latest = h[h.length - 1];
        if (latest)
          api.invoke('dq/results', { snapshotId: snapshot.id, runId: latest.runId }).then(
            (r) => live && setShown({ runId: r.runId, pack: r.pack, finishedAt: r.finishedAt, results: r.results, definitions: null, stored: true, notStoredReason: null }),
            (e: unknown) => live && setLoadError(e),
          );
      },
      (e: unknown) => live && setLoadError(e),
    );
    return () => {
      live = false;
    };
  }, [snapshot]);

  // A rule picked in the Trends view: select it, with every status shown.
  const { dqTarget, takeDqTarget } = wb;
  useEffect(() => {
    if (!dqTarget) return;
    const rule = takeDqTarget();
    if (!rule) return;
    setSelected(rule);
    setStatusFilter('all');
  }, [dqTarget, takeDqTarget]);

  if (!snapshot) return <EmptyState title="No snapshot open">Open a snapshot in the Library to check its data quality.</EmptyState>;

  const start = async () => {
    const view = await run.run((signal, onProgress) =>
      api.invoke('dq/run', packFile ? { snapshotId: snapshot.id, packYaml: packFile.yaml, store } : { snapshotId: snapshot.id, pack, store }, { signal, onProgress }),
    );
    if (!view) return;
    setShown({ runId: view.runId, pack: view.pack, finishedAt: view.finishedAt, results: view.results, definitions: view.definitions, stored: view.stored, notStoredReason: view.notStoredReason });
    setSelected(view.results.find((r) => r.status === 'fail' || r.status === 'warn')?.id ?? null);
    setCompare(null);
    loadHistory();
  };

  const showRun = (runId: number) =>
    api.invoke('dq/results', { snapshotId: snapshot.id, runId }).then(
      (r) => {
        setShown({ runId: r.runId, pack: r.pack, finishedAt: r.finishedAt, results: r.results, definitions: shown?.definitions ?? null, stored: true, notStoredReason: null });
        setCompare(null);
      },
      setLoadError,
    );

  const compareWith = (runId: number) => api.invoke('dq/results', { snapshotId: snapshot.id, runId }).then((r) => setCompare({ runId, results: r.results }), setLoadError);

  const summary = shown ? summarize(shown.results) : null;
  const visible = shown ? shown.results.filter((r) => statusFilter === 'all' || r.status === 'fail' || r.status === 'warn' || r.status === 'error') : [];
  const bySeverity = SEVERITIES.map((severity) => ({ severity, results: visible.filter((r) => r.severity === severity) })).filter((g) => g.results.length > 0);
  const current = shown?.results.find((r) => r.id === selected) ?? null;

  return (
    <div className="dq" data-testid="dq-view">
      <h1>Data quality</h1>
      <section className="panel">
        <div className="row gap wrap">
          <label>
            Pack{' '}
            <select value={packFile ? '' : pack} onChange={(e) => { setPack(e.target.value); setPackFile(null); }} aria-label="Rule pack">
              {packs.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name} ({countOf(p.rules, 'rule', 'rules')})
                </option>
              ))}
              {packFile && <option value="">{packFile.name}</option>}
            </select>
          </label>
          <FileButton label="Load a pack file…" accept=".yaml,.yml" onFile={(file) => void file.text().then((yaml) => setPackFile({ name: file.name, yaml }))} />
          <label>
            <input type="checkbox" checked={store} onChange={(e) => setStore(e.target.checked)} /> Keep the results in the snapshot (history)
          </label>
          <button type="button" onClick={() => void start()} disabled={run.running}>
            Run {packFile ? packFile.name : pack}
          </button>
        </div>
        {run.running && <ProgressBar progress={run.progress} label="Running the rules…" onCancel={run.cancel} />}
        {run.error ? <ErrorBox error={run.error} onDismiss={run.clear} /> : null}
        {loadError ? <ErrorBox error={loadError} onDismiss={() => setLoadError(null)} /> : null}
      </section>
      {!shown ? (
        <EmptyState title="No results yet">
          Run the {pack} pack to check this snapshot{selected ? ` and see ${selected}` : ''}. It runs offline, on the file alone, and keeps its results in the snapshot unless you untick the box.
        </EmptyState>
      ) : (
        <>
          <section className="panel">
            <div className="row space-between wrap">
              <h2>
                {shown.pack} · {shown.runId !== null ? `run ${shown.runId}` : 'not kept in the snapshot'} · {formatDate(shown.finishedAt)}
              </h2>
              <div className="row gap">
                <button
                  type="button"
                  disabled={shown.runId === null || report.running}
                  title={shown.runId === null ? 'Only runs kept in the snapshot can be exported' : undefined}
                  onClick={() =>
                    void report.run(async (signal) => {
                      const outcome = await api.invoke('export/start', { snapshotId: snapshot.id, source: { kind: 'dq-report', runId: shown.runId!, format: 'html' } }, { signal });
                      if (outcome.kind === 'download') download(outcome.url, outcome.fileName);
                      return outcome.kind === 'file' ? `Saved to ${outcome.path}` : outcome.kind === 'download' ? `Downloading ${outcome.fileName} to your browser's downloads folder` : 'Not saved: the save dialog was closed';
                    })
                  }
                >
                  Export HTML report
                </button>
                {report.result && <span className="muted small">{report.result}</span>}
              </div>
            </div>
            {!shown.stored && shown.notStoredReason && <p className="muted small">Results were not kept in the snapshot: {shown.notStoredReason}.</p>}
            {report.error ? <ErrorBox error={report.error} onDismiss={report.clear} /> : null}
            {summary && (
              <div className="stats">
                <Stat label={plural(summary.rules, 'rule', 'rules')} value={formatCount(summary.rules)} />
                <Stat label="failed" value={formatCount(summary.fail)} />
                <Stat label={plural(summary.warn, 'warning', 'warnings')} value={formatCount(summary.warn)} />
                <Stat label="passed" value={formatCount(summary.pass)} />
                <Stat label="could not run" value={formatCount(summary.error)} />
                <Stat label="skipped" value={formatCount(summary.skipped)} />
                {SEVERITIES.map((s) => (
                  <Stat key={s} label={`${s} severity`} value={formatCount(summary.findingsBySeverity[s])} hint={`findings (failed or warning) of ${s} severity`} />
                ))}
              </div>
            )}
          </section>
          <div className="dq-body">
            <section className="panel findings" aria-label="Findings">
              <div className="row space-between">
                <h2>Findings</h2>
                <select value={statusFilter} onChange={(e) => setStatusFilter(e.target.value as 'findings' | 'all')} aria-label="Which rules to list">
                  <option value="findings">failed, warnings, could not run</option>
                  <option value="all">every rule</option>
                </select>
              </div>
              {bySeverity.length === 0 && <p className="muted">No findings: every rule passed.</p>}
              {bySeverity.map((g) => (
                <div key={g.severity}>
                  <h3 className="severity-head">{g.severity}</h3>
                  <ul className="finding-list">
                    {g.results.map((r) => (
                      <li key={r.id}>
                        <button
                          type="button"
                          className={`finding${selected === r.id ? ' selected' : ''}`}
                          onClick={() => setSelected(r.id)}
                          data-rule={r.id}
                          aria-pressed={selected === r.id}
                          title={`${r.id}: ${r.title} (${STATUS_WORDS[r.status]}${r.count !== null ? `, ${countText(r)}` : ''})`}
                        >
                          <Badge tone={STATUS_TONE[r.status]}>{r.status}</Badge>
                          <span className="finding-id mono">{r.id}</span>
                          <span className="finding-title">{r.title}</span>
                          <span className="finding-count" data-testid="finding-list-count">
                            {r.count !== null ? formatCount(r.count) : ''}
                          </span>
                        </button>
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </section>
            <section className="panel detail" aria-label="Finding">
              {current ? <Finding key={`${shown.runId}-${current.id}`} result={current} definition={shown.definitions?.[current.id]} snapshotId={snapshot.id} /> : <p className="muted">Pick a finding to see its definition and evidence.</p>}
            </section>
          </div>
          <section className="panel">
            <h2>History</h2>
            {history.length === 0 ? (
              <p className="muted">No run kept in this snapshot yet.</p>
            ) : (
              <table className="plain" aria-label="Data-quality runs kept in the snapshot">
                <thead>
                  <tr>
                    <th>run</th>
                    <th>pack</th>
                    <th>finished</th>
                    <th className="num">fail</th>
                    <th className="num">warn</th>
                    <th className="num">pass</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {[...history].reverse().map((h) => (
                    <tr key={h.runId} className={h.runId === shown.runId ? 'selected' : undefined}>
                      <td>{h.runId}</td>
                      <td>{h.pack}</td>
                      <td>{formatDate(h.finishedAt)}</td>
                      <td className="num">{h.fail}</td>
                      <td className="num">{h.warn}</td>
                      <td className="num">{h.pass}</td>
                      <td className="row gap">
                        <button type="button" className="quiet small" onClick={() => void showRun(h.runId)}>
                          Show
                        </button>
                        {shown.runId !== h.runId && (
                          <button type="button" className="quiet small" onClick={() => void compareWith(h.runId)}>
                            Compare
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {compare && <Diff comparison={compareFindings(compare.results, shown.results)} against={compare.runId} />}
          </section>
        </>
      )}
    </div>
  );
}
