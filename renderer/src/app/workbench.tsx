// The workbench's shared state: which snapshots are open and which is
// current, which view shows, the theme, and where "open in explorer" goes.
// Views read it through useWorkbench(); the URL hash keeps the view.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { AppInfo, ColumnFilter, ColumnSort, SnapshotSummary } from '../../../shared/api/types.ts';
import { api } from '../api/client.ts';
import { parseExplorerLink } from '../features/explorer/links.ts';

export const VIEWS = [
  { id: 'home', label: 'Library', key: '1' },
  { id: 'explorer', label: 'Explorer', key: '2' },
  { id: 'fleet', label: 'Fleet', key: '3' },
  { id: 'dq', label: 'Data quality', key: '4' },
  { id: 'scenarios', label: 'Scenarios', key: '5' },
  { id: 'pull', label: 'Pull', key: '6' },
  { id: 'trends', label: 'Trends', key: '7' },
] as const;
export type ViewId = (typeof VIEWS)[number]['id'];

/** Where "open in explorer" points: a table (optionally filtered) or a query. */
export type ExplorerTarget = { kind: 'table'; table: string; filters?: ColumnFilter[]; sort?: ColumnSort | null } | { kind: 'sql'; sql: string; title?: string };

interface WorkbenchState {
  info: AppInfo | null;
  /** Why the host could not be reached, if it could not. */
  hostError: unknown;
  /** Why a link to a view could not be followed (its snapshot would not open). */
  linkError: unknown;
  dismissLinkError(): void;
  snapshots: SnapshotSummary[];
  current: SnapshotSummary | null;
  view: ViewId;
  theme: 'light' | 'dark';
  explorerTarget: ExplorerTarget | null;
  go(view: ViewId): void;
  select(id: string): void;
  opened(summary: SnapshotSummary): void;
  closed(id: string): void;
  openInExplorer(target: ExplorerTarget): void;
  takeExplorerTarget(): ExplorerTarget | null;
  toggleTheme(): void;
  /** The snapshot files the Trends view shows (a series of one fleet), or null to pick one from the library. */
  seriesPaths: string[] | null;
  showTrends(paths: string[]): void;
  /** A DQ rule the DQ view should select when it shows (a Trends click-through). */
  dqTarget: string | null;
  openRule(rule: string): void;
  takeDqTarget(): string | null;
  /** Counts requests to open the demo snapshot (the desktop menu); the library acts on a change. */
  demoRequests: number;
  requestDemo(): void;
}

const Context = createContext<WorkbenchState | null>(null);

function viewFromHash(): ViewId {
  const id = window.location.hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return (VIEWS.find((v) => v.id === id)?.id ?? 'home') as ViewId;
}

function initialTheme(): 'light' | 'dark' {
  const stored = localStorage.getItem('snapbench-theme');
  if (stored === 'light' || stored === 'dark') return stored;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function WorkbenchProvider({ children }: { children: ReactNode }) {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [hostError, setHostError] = useState<unknown>(null);
  const [snapshots, setSnapshots] = useState<SnapshotSummary[]>([]);
  const [currentId, setCurrentId] = useState<string | null>(null);
  const [view, setView] = useState<ViewId>(viewFromHash);
  const [theme, setTheme] = useState<'light' | 'dark'>(initialTheme);
  const [explorerTarget, setExplorerTarget] = useState<ExplorerTarget | null>(null);
  const [demoRequests, setDemoRequests] = useState(0);
  const [linkError, setLinkError] = useState<unknown>(null);
  const [seriesPaths, setSeriesPaths] = useState<string[] | null>(null);
  const [dqTarget, setDqTarget] = useState<string | null>(null);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('snapbench-theme', theme);
  }, [theme]);

  const opened = useCallback((summary: SnapshotSummary) => {
    setSnapshots((list) => [...list.filter((s) => s.id !== summary.id), summary]);
    setCurrentId(summary.id);
  }, []);

  // A link to a view (#/explorer?snapshot=…&table=…): open its snapshot if needed, then show the view.
  const followLink = useCallback(() => {
    const link = parseExplorerLink(window.location.hash);
    if (!link) return;
    api.invoke('snapshot/open', { path: link.snapshot }).then(
      (summary) => {
        opened(summary);
        setExplorerTarget(link.kind === 'table' ? { kind: 'table', table: link.table, filters: link.filters, sort: link.sort } : { kind: 'sql', sql: link.sql });
        setView('explorer');
      },
      (error: unknown) => setLinkError(error),
    );
  }, [opened]);

  useEffect(() => {
    const onHash = () => {
      setView(viewFromHash());
      followLink();
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [followLink]);

  useEffect(() => {
    let live = true;
    api.invoke('app/info', {}).then(
      (appInfo) => {
        if (!live) return;
        setInfo(appInfo);
        setSnapshots(appInfo.open);
        const initial = appInfo.open.find((s) => s.path === appInfo.initial) ?? appInfo.open[appInfo.open.length - 1];
        if (initial) setCurrentId(initial.id);
        followLink();
      },
      (error: unknown) => live && setHostError(error),
    );
    const off = api.on('snapshot/opened', (summary) => opened(summary));
    return () => {
      live = false;
      off();
    };
  }, [opened, followLink]);

  const go = useCallback((next: ViewId) => {
    if (viewFromHash() !== next) window.location.hash = `#/${next}`;
    setView(next);
  }, []);

  const value = useMemo<WorkbenchState>(
    () => ({
      info,
      hostError,
      linkError,
      dismissLinkError: () => setLinkError(null),
      snapshots,
      current: snapshots.find((s) => s.id === currentId) ?? null,
      view,
      theme,
      explorerTarget,
      go,
      select: (id) => setCurrentId(id),
      opened,
      closed: (id) => {
        setSnapshots((list) => list.filter((s) => s.id !== id));
        setCurrentId((cur) => (cur === id ? null : cur));
      },
      openInExplorer: (target) => {
        setExplorerTarget(target);
        go('explorer');
      },
      takeExplorerTarget: () => {
        const target = explorerTarget;
        if (target) setExplorerTarget(null);
        return target;
      },
      seriesPaths,
      showTrends: (paths) => {
        setSeriesPaths(paths);
        go('trends');
      },
      dqTarget,
      openRule: (rule) => {
        setDqTarget(rule);
        go('dq');
      },
      takeDqTarget: () => {
        const rule = dqTarget;
        if (rule) setDqTarget(null);
        return rule;
      },
      toggleTheme: () => setTheme((t) => (t === 'dark' ? 'light' : 'dark')),
      demoRequests,
      requestDemo: () => {
        setDemoRequests((n) => n + 1);
        go('home');
      },
    }),
    [info, hostError, linkError, snapshots, currentId, view, theme, explorerTarget, go, opened, demoRequests, seriesPaths, dqTarget],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useWorkbench(): WorkbenchState {
  const state = useContext(Context);
  if (!state) throw new Error('useWorkbench outside WorkbenchProvider');
  return state;
}
