// Trust checks of every open snapshot, kept while the file is open: on open the
// full check of every table starts in the background (snapshot/verify, with
// progress); the quick checks come with the snapshot and are refreshed when the
// trusted keys change. A failed check stays until the file is closed.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { SnapshotSummary, TrustSummary } from '../../../../shared/api/types.ts';
import { api, isCancelled } from '../../api/client.ts';
import { useWorkbench } from '../../app/workbench.tsx';
import { trustVerdict, type FullCheck, type TrustVerdict } from './verdict.ts';

interface TrustState {
  check(id: string): FullCheck | undefined;
  trustOf(snapshot: SnapshotSummary): TrustSummary;
  verdictOf(snapshot: SnapshotSummary): TrustVerdict;
  /** Runs the full check again. */
  verify(id: string): void;
  cancel(id: string): void;
  /** Reads the quick checks of every open snapshot again (after the trusted keys changed). */
  refresh(): Promise<void>;
}

const Context = createContext<TrustState | null>(null);

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function TrustProvider({ children }: { children: ReactNode }) {
  const wb = useWorkbench();
  const [checks, setChecks] = useState<Record<string, FullCheck>>({});
  const [trust, setTrust] = useState<Record<string, TrustSummary>>({});
  const controllers = useRef(new Map<string, AbortController>());
  /** Snapshots whose full check was started once (a cancelled check is not restarted by itself). */
  const started = useRef(new Set<string>());

  const verify = useCallback((id: string) => {
    controllers.current.get(id)?.abort();
    const controller = new AbortController();
    controllers.current.set(id, controller);
    setChecks((all) => ({ ...all, [id]: { running: true, progress: null, result: null, error: null } }));
    api
      .invoke('snapshot/verify', { snapshotId: id }, { signal: controller.signal, onProgress: (progress) => setChecks((all) => (all[id]?.running ? { ...all, [id]: { ...all[id], progress } } : all)) })
      .then(
        (result) => {
          if (controllers.current.get(id) === controller) setChecks((all) => ({ ...all, [id]: { running: false, progress: null, result, error: null } }));
        },
        (error: unknown) => {
          if (controllers.current.get(id) !== controller) return;
          setChecks((all) => ({ ...all, [id]: { running: false, progress: null, result: null, error: isCancelled(error) ? 'cancelled' : message(error) } }));
        },
      );
  }, []);

  const cancel = useCallback((id: string) => {
    controllers.current.get(id)?.abort();
    controllers.current.delete(id);
    setChecks((all) => (all[id]?.running ? { ...all, [id]: { running: false, progress: null, result: null, error: 'cancelled' } } : all));
  }, []);

  // Start the full check for every snapshot that opens; forget it when the snapshot closes.
  const ids = wb.snapshots.map((s) => s.id).join('\n');
  useEffect(() => {
    const open = new Set(ids ? ids.split('\n') : []);
    for (const id of open) {
      if (started.current.has(id)) continue;
      started.current.add(id);
      verify(id);
    }
    for (const [id, controller] of controllers.current) {
      if (open.has(id)) continue;
      controller.abort();
      controllers.current.delete(id);
    }
    for (const id of started.current) if (!open.has(id)) started.current.delete(id);
    setChecks((all) => Object.fromEntries(Object.entries(all).filter(([id]) => open.has(id))));
    setTrust((all) => Object.fromEntries(Object.entries(all).filter(([id]) => open.has(id))));
  }, [ids, verify]);

  useEffect(() => {
    const running = controllers.current;
    return () => {
      for (const controller of running.values()) controller.abort();
    };
  }, []);

  const snapshots = wb.snapshots;
  const refresh = useCallback(async () => {
    const updated = await Promise.all(snapshots.map(async (s) => [s.id, await api.invoke('snapshot/trust', { snapshotId: s.id }).catch(() => null)] as const));
    setTrust((all) => {
      const next = { ...all };
      for (const [id, summary] of updated) if (summary) next[id] = summary;
      return next;
    });
  }, [snapshots]);

  const value = useMemo<TrustState>(() => {
    const trustOf = (snapshot: SnapshotSummary) => trust[snapshot.id] ?? snapshot.trust;
    return {
      check: (id) => checks[id],
      trustOf,
      verdictOf: (snapshot) => trustVerdict(trustOf(snapshot), checks[snapshot.id]),
      verify,
      cancel,
      refresh,
    };
  }, [checks, trust, verify, cancel, refresh]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useTrust(): TrustState {
  const state = useContext(Context);
  if (!state) throw new Error('useTrust outside TrustProvider');
  return state;
}
