// The library: open a snapshot (path, native dialog, recent files, the demo)
// and see where each open snapshot came from: who made it, when, from which
// fleet, per-instance status and consistency, and whether it is intact.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { PullProgress, RecentSnapshot, SnapshotSummary } from '../../../../shared/api/types.ts';
import { api } from '../../api/client.ts';
import { useWorkbench } from '../../app/workbench.tsx';
import { Badge, EmptyState, ErrorBox, ProgressBar, Stat, useJob } from '../../ui/components.tsx';
import { formatBytes, formatCount, formatDate } from '../../ui/format.ts';
import { plural } from '../../../../shared/text/layout.ts';

/** The folder a file is in (what tells two "demo.snapbench" apart). */
export function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut > 0 ? path.slice(0, cut) : path.startsWith('/') ? '/' : '.';
}

import { seriesGroups } from '../trends/groups.ts';
import { TrustedKeysPanel } from '../trust/TrustedKeysPanel.tsx';
import { TrustPanel } from '../trust/TrustPanel.tsx';
import { useTrust } from '../trust/TrustProvider.tsx';
import { inertText } from '../../../../shared/text/inert.ts';

function OpenPanel() {
  const wb = useWorkbench();
  const [path, setPath] = useState('');
  const open = useJob<SnapshotSummary>();
  const demo = useJob<SnapshotSummary, PullProgress>();
  const [demoStep, setDemoStep] = useState<string | null>(null);
  const [recent, setRecent] = useState<RecentSnapshot[] | null>(null);

  const loadRecent = useCallback(() => {
    api.invoke('recent/list', {}).then(setRecent, () => setRecent([]));
  }, []);
  useEffect(loadRecent, [loadRecent, wb.snapshots.length]);
  const groups = useMemo(() => seriesGroups(recent ?? []), [recent]);

  const openPath = async (target: string) => {
    const summary = await open.run((signal) => api.invoke('snapshot/open', { path: target.trim() }, { signal }));
    if (summary) {
      wb.opened(summary);
      setPath('');
    }
  };

  const browse = async () => {
    const picked = await api.invoke('dialog/open', { purpose: 'snapshot' }).catch(() => null);
    if (picked?.path) void openPath(picked.path);
  };

  const openDemo = async () => {
    setDemoStep(null);
    const summary = await demo.run((signal) =>
      api.invoke('snapshot/demo', { scale: 0.02 }, { signal, onProgress: (p) => setDemoStep(p.type === 'instance-start' ? `writing ${p.instance}` : p.type === 'table-done' ? `${p.instance}: ${p.table}` : null) }),
    );
    if (summary) wb.opened(summary);
  };

  // The desktop menu's "Open the Demo Snapshot".
  const seenDemoRequests = useRef(wb.demoRequests);
  useEffect(() => {
    if (wb.demoRequests === seenDemoRequests.current) return;
    seenDemoRequests.current = wb.demoRequests;
    void openDemo();
  });

  return (
    <section className="panel" aria-labelledby="open-heading">
      <h2 id="open-heading">Open a snapshot</h2>
      <form
        className="row gap wrap"
        onSubmit={(event) => {
          event.preventDefault();
          if (path.trim()) void openPath(path);
        }}
      >
        <input
          className="grow"
          name="snapshot-path"
          type="text"
          placeholder="/path/to/fleet.snapbench"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          aria-label="Snapshot file path"
          spellCheck={false}
        />
        <button type="submit" disabled={!path.trim() || open.running}>
          Open
        </button>
        {wb.info?.nativeDialogs && (
          <button type="button" onClick={() => void browse()}>
            Browse…
          </button>
        )}
        <button type="button" className="secondary" onClick={() => void openDemo()} disabled={demo.running}>
          Open the demo snapshot
        </button>
      </form>
      {!wb.info?.nativeDialogs && <p className="muted small">Type the path of a snapshot file on the machine running snapbench serve. In the desktop app you can also drop a file on the window.</p>}
      {open.error ? <ErrorBox error={open.error} onDismiss={open.clear} /> : null}
      {demo.running && <ProgressBar progress={null} label={`Writing the demo snapshot${demoStep ? `: ${demoStep}` : ''}…`} onCancel={demo.cancel} />}
      {demo.error ? <ErrorBox error={demo.error} onDismiss={demo.clear} /> : null}
      <h3>Recent</h3>
      {recent === null ? (
        <p className="muted">Loading…</p>
      ) : recent.length === 0 ? (
        <p className="muted">No snapshot opened yet. Open one above, open the demo snapshot, or pull one from your fleet in the Pull view.</p>
      ) : (
        <ul className="recent-list" aria-label="Recent snapshots">
          {recent.map((r) => (
            <li key={r.path}>
              <span className="recent-name">
                <button type="button" className="link" disabled={!r.exists} onClick={() => void openPath(r.path)} title={`Open ${r.path}`}>
                  {r.fileName}
                </button>
                <span className="muted small">
                  in <span className="mono">{folderOf(r.path)}</span>
                </span>
              </span>
              <button type="button" className="quiet small" aria-label={`Forget ${r.path}`} title="Remove from this list (the file stays)" onClick={() => api.invoke('recent/forget', { path: r.path }).then(setRecent, () => {})}>
                Forget
              </button>
              <span className="muted small recent-where">{r.exists ? `made ${formatDate(r.createdAt)} · opened ${formatDate(r.openedAt)}` : 'The file is no longer there.'}</span>
            </li>
          ))}
        </ul>
      )}
      {groups.length > 0 && (
        <>
          <h3>Series</h3>
          <ul className="series-list" aria-label="Series of snapshots">
            {groups.map((g) => (
              <li key={g.key} data-testid="series-group">
                <strong>{g.fleetName ?? 'fleet'}</strong>{' '}
                <span className="muted small">
                  {g.snapshots.length} snapshots, {formatDate(g.from)} … {formatDate(g.to)}
                </span>{' '}
                <button type="button" onClick={() => wb.showTrends(g.paths)}>
                  Show trends
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Provenance({ snapshot }: { snapshot: SnapshotSummary }) {
  const wb = useWorkbench();
  const verdict = useTrust().verdictOf(snapshot);
  const pulled = snapshot.instances.filter((i) => i.status === 'pulled').length;
  const failed = snapshot.instances.filter((i) => i.status === 'failed');
  return (
    <section className="panel provenance" aria-label={`Provenance of ${snapshot.fileName}`} data-snapshot={snapshot.fileName}>
      <div className="row space-between wrap">
        <h2>{snapshot.fileName}</h2>
        <div className="row gap">
          {wb.current?.id !== snapshot.id && (
            <button type="button" onClick={() => wb.select(snapshot.id)}>
              Make current
            </button>
          )}
          <button type="button" onClick={() => wb.go('explorer')}>
            Explore
          </button>
          <button
            type="button"
            className="quiet"
            onClick={() =>
              void api.invoke('snapshot/close', { snapshotId: snapshot.id }).then(
                () => wb.closed(snapshot.id),
                () => wb.closed(snapshot.id),
              )
            }
          >
            Close
          </button>
        </div>
      </div>
      <p className="muted small mono" title="file path">
        {snapshot.path}
      </p>
      <div className="stats">
        <Stat label="made" value={formatDate(snapshot.createdAt)} />
        <Stat label="by (as recorded)" value={inertText(`${snapshot.createdBy} on ${snapshot.createdOnHost}`)} />
        <Stat label="fleet" value={snapshot.fleetName ?? '—'} hint={snapshot.fleetFile ?? undefined} />
        <Stat label="instances pulled" value={`${formatCount(pulled)} of ${formatCount(snapshot.instances.length)}`} />
        <Stat label="tables" value={formatCount(snapshot.tables)} />
        <Stat label="rows" value={formatCount(snapshot.rows)} />
        <Stat label="file size" value={formatBytes(snapshot.bytes)} />
        <Stat label="data-quality runs kept" value={formatCount(snapshot.dqRuns)} />
      </div>
      <div className="row gap wrap">
        {/* No green badge on a file a check found altered: the failure says it instead. */}
        {verdict.failed ? (
          <Badge tone="bad">not intact</Badge>
        ) : (
          <>
            {snapshot.complete ? <Badge tone="ok">complete</Badge> : <Badge tone="bad">incomplete pull</Badge>}
            {snapshot.manifestIntact ? <Badge tone="ok">manifest hash matches</Badge> : <Badge tone="bad">manifest changed</Badge>}
          </>
        )}
        {snapshot.synthetic && <Badge tone="info">synthetic data</Badge>}
        {snapshot.maxRows !== null && <Badge tone="warn">limited to {formatCount(snapshot.maxRows)} rows per table</Badge>}
        {failed.length > 0 && (
          <Badge tone="bad">
            {formatCount(failed.length)} {plural(failed.length, 'instance', 'instances')} failed
          </Badge>
        )}
        <span className="muted small">made with Snapbench {snapshot.toolVersion}</span>
      </div>
      <details className="small">
        <summary>Technical detail</summary>
        <ul className="plain-list">
          <li>
            Redis key names are stored as a pattern and a keyed hash, not as the names themselves ({snapshot.keyHashing}).
          </li>
          <li>
            Root hash (SHA-256 of the manifest): <span className="mono">{snapshot.rootSha256}</span>
          </li>
          <li>File: <span className="mono">{snapshot.path}</span></li>
        </ul>
      </details>
      <TrustPanel snapshot={snapshot} />
      <details>
        <summary>Instances ({snapshot.instances.length})</summary>
        <div className="table-scroll" tabIndex={0} role="region" aria-label={`Instances of ${snapshot.fileName} (scrolls)`}>
          <table className="plain">
            <thead>
              <tr>
                <th>instance</th>
                <th>engine</th>
                <th>domain</th>
                <th>status</th>
                <th>version</th>
                <th>consistency</th>
                <th className="num">tables</th>
                <th className="num">rows</th>
                <th>pulled</th>
              </tr>
            </thead>
            <tbody>
              {snapshot.instances.map((i) => (
                <tr key={i.name}>
                  <td className="mono">{i.name}</td>
                  <td>{i.engine}</td>
                  <td>{i.domain ?? '—'}</td>
                  <td>
                    <Badge tone={i.status === 'pulled' ? 'ok' : i.status === 'failed' ? 'bad' : 'muted'}>{i.status}</Badge>
                    {i.error && (
                      <div className="small">
                        {i.error}
                        {i.hint ? <div className="muted">What to do: {i.hint}</div> : null}
                      </div>
                    )}
                  </td>
                  <td>{i.version ?? '—'}</td>
                  <td title={i.consistencyNote ?? undefined}>{i.consistency ?? '—'}</td>
                  <td className="num">{formatCount(i.tables)}</td>
                  <td className="num">{formatCount(i.rows)}</td>
                  <td className="small">{formatDate(i.finishedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

export function HomeView() {
  const wb = useWorkbench();
  return (
    <div className="home" data-testid="home-view">
      <h1>Library</h1>
      <OpenPanel />
      {wb.snapshots.length === 0 ? (
        <EmptyState title="No snapshot open">Open a snapshot file, pick a recent one, or open the demo snapshot to look around.</EmptyState>
      ) : (
        [...wb.snapshots].reverse().map((s) => <Provenance key={s.id} snapshot={s} />)
      )}
      <TrustedKeysPanel />
    </div>
  );
}
