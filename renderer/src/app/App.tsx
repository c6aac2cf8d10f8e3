// The workbench window: navigation, the current snapshot, and one view.
// Alt+1…6 switch views; every view is reachable by keyboard.
import { useEffect, useRef } from 'react';
import { api } from '../api/client.ts';
import { ErrorBox } from '../ui/components.tsx';
import { formatDate } from '../ui/format.ts';
import { DqView } from '../features/dq/DqView.tsx';
import { ExplorerView } from '../features/explorer/ExplorerView.tsx';
import { FleetView } from '../features/fleet/FleetView.tsx';
import { HomeView } from '../features/home/HomeView.tsx';
import { PullView } from '../features/pull/PullView.tsx';
import { ScenarioView } from '../features/scenario/ScenarioView.tsx';
import { TrendsView } from '../features/trends/TrendsView.tsx';
import { TrustStatus } from '../features/trust/TrustStatus.tsx';
import { VIEWS, useWorkbench, type ViewId } from './workbench.tsx';

function CurrentView({ view }: { view: ViewId }) {
  switch (view) {
    case 'home':
      return <HomeView />;
    case 'explorer':
      return <ExplorerView />;
    case 'fleet':
      return <FleetView />;
    case 'dq':
      return <DqView />;
    case 'scenarios':
      return <ScenarioView />;
    case 'pull':
      return <PullView />;
    case 'trends':
      return <TrendsView />;
  }
}

export function App() {
  const wb = useWorkbench();
  const main = useRef<HTMLElement>(null);

  // Each view opens at its top: the scroll position of the last view does not carry over.
  useEffect(() => {
    main.current?.scrollTo({ top: 0 });
  }, [wb.view]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const view = VIEWS.find((v) => v.key === event.key);
      if (view) {
        event.preventDefault();
        wb.go(view.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [wb]);

  useEffect(
    () =>
      api.on('menu/command', ({ command, view }) => {
        if (command === 'toggle-theme') wb.toggleTheme();
        else if (command === 'show-view' && view) wb.go(view as ViewId);
        else if (command === 'open-demo') wb.requestDemo();
        else if (command === 'open') wb.go('home');
      }),
    [wb],
  );

  // In the browser a dropped file has no path; keep it from replacing the app.
  useEffect(() => {
    if (api.transport === 'ipc') return; // the desktop shell opens dropped snapshot files itself
    const stop = (event: DragEvent) => event.preventDefault();
    window.addEventListener('dragover', stop);
    window.addEventListener('drop', stop);
    return () => {
      window.removeEventListener('dragover', stop);
      window.removeEventListener('drop', stop);
    };
  }, []);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Views">
        <div className="brand">Snapbench</div>
        <ul>
          {VIEWS.map((v) => (
            <li key={v.id}>
              <a
                href={`#/${v.id}`}
                className={wb.view === v.id ? 'active' : undefined}
                aria-current={wb.view === v.id ? 'page' : undefined}
                data-view={v.id}
                title={`${v.label} (Alt+${v.key})`}
                onClick={(event) => {
                  event.preventDefault();
                  wb.go(v.id);
                }}
              >
                {v.label}
              </a>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot">
          <button type="button" className="quiet small" onClick={wb.toggleTheme} aria-label={`Switch to ${wb.theme === 'dark' ? 'light' : 'dark'} theme`}>
            {wb.theme === 'dark' ? 'Light theme' : 'Dark theme'}
          </button>
          {wb.info && <div className="muted small">v{wb.info.version}</div>}
        </div>
      </nav>
      <div className="main-column">
        <header className="topbar">
          <label className="snapshot-picker">
            <span className="muted">Snapshot</span>
            <select value={wb.current?.id ?? ''} onChange={(e) => wb.select(e.target.value)} aria-label="Current snapshot" disabled={wb.snapshots.length === 0}>
              {wb.snapshots.length === 0 && <option value="">none open</option>}
              {wb.snapshots.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.fileName}
                </option>
              ))}
            </select>
          </label>
          {wb.current && <TrustStatus snapshot={wb.current} />}
          {wb.current && (
            <span className="muted small" title={wb.current.path}>
              {wb.current.fleetName ?? 'fleet'} · made {formatDate(wb.current.createdAt)} by {wb.current.createdBy}
              {wb.current.synthetic ? ' · synthetic data' : ''}
            </span>
          )}
        </header>
        <main id="main" className="view" tabIndex={-1} ref={main}>
          {wb.hostError ? <ErrorBox error={wb.hostError} onRetry={() => window.location.reload()} /> : null}
          {wb.linkError ? <ErrorBox error={wb.linkError} onDismiss={wb.dismissLinkError} /> : null}
          <CurrentView view={wb.view} />
        </main>
      </div>
    </div>
  );
}
