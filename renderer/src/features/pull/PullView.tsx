// Pull: pick a fleet manifest and instances, then watch each instance and
// table arrive; cancel at any time (nothing half-written is left); failures
// are per instance, with what to do.
import { useMemo, useState } from 'react';
import type { PullConnectionSettings, PullInspection, PullOutcome, PullProgress } from '../../../../shared/api/types.ts';
import type { ConnectCheck } from '../../../../shared/model/connectCheck.ts';
import { api } from '../../api/client.ts';
import { useWorkbench } from '../../app/workbench.tsx';
import { Badge, ErrorBox, ProgressBar, useJob } from '../../ui/components.tsx';
import { countOf, formatBytes, formatCount } from '../../ui/format.ts';
import { plural } from '../../../../shared/text/layout.ts';
import { CheckResult, ConnectionSettingsForm } from './ConnectionSettings.tsx';
import { ManifestEditor } from './ManifestEditor.tsx';

interface InstanceState {
  status: 'waiting' | 'running' | 'done' | 'failed';
  table: string | null;
  rows: number;
  bytes: number;
  tables: number;
  /** Incremental pulls: tables and rows carried from the base (not read from the server). */
  carriedTables: number;
  carriedRows: number;
  message: string | null;
  hint: string | null;
}

function apply(states: Record<string, InstanceState>, event: PullProgress): Record<string, InstanceState> {
  const prev = states[event.instance] ?? { status: 'waiting', table: null, rows: 0, bytes: 0, tables: 0, carriedTables: 0, carriedRows: 0, message: null, hint: null };
  let next: InstanceState = prev;
  switch (event.type) {
    case 'instance-start':
      next = { ...prev, status: 'running' };
      break;
    case 'table-start':
      next = { ...prev, table: event.table };
      break;
    case 'table-progress':
      next = { ...prev, table: event.table, bytes: event.bytes };
      break;
    case 'table-done':
      next = {
        ...prev,
        tables: prev.tables + 1,
        rows: prev.rows + event.rows,
        carriedTables: prev.carriedTables + (event.origin === 'carried' ? 1 : 0),
        carriedRows: prev.carriedRows + (event.carriedRows ?? 0),
        table: null,
      };
      break;
    case 'instance-done':
      next = { ...prev, status: 'done', tables: event.tables, rows: event.rows, table: null };
      break;
    case 'instance-failed':
      next = { ...prev, status: 'failed', message: event.message, hint: event.hint, table: null };
      break;
  }
  return { ...states, [event.instance]: next };
}

export function PullView() {
  const wb = useWorkbench();
  const [fleetPath, setFleetPath] = useState('');
  const [out, setOut] = useState('');
  const [maxRows, setMaxRows] = useState('');
  const [concurrency, setConcurrency] = useState(4);
  const [base, setBase] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [states, setStates] = useState<Record<string, InstanceState>>({});
  const inspect = useJob<PullInspection>();
  const pull = useJob<PullOutcome, PullProgress>();
  const check = useJob<ConnectCheck[]>();
  const save = useJob<PullInspection>();
  const [editing, setEditing] = useState<string | null>(null);
  const [writing, setWriting] = useState(false);
  const manifest = inspect.result;
  const checks = useMemo(() => new Map((check.result ?? []).map((c) => [c.instance, c])), [check.result]);

  const read = async (path: string) => {
    const result = await inspect.run((signal) => api.invoke('pull/inspect', { fleetPath: path.trim() }, { signal }));
    if (result) {
      setChosen(new Set(result.instances.filter((i) => i.endpoint).map((i) => i.name)));
      if (!out) setOut(result.path.replace(/\.(ya?ml)$/i, '') + '.snapbench');
    }
  };
  const browse = async () => {
    const picked = await api.invoke('dialog/open', { purpose: 'fleet' }).catch(() => null);
    if (picked?.path) {
      setFleetPath(picked.path);
      void read(picked.path);
    }
  };
  const checkConnections = async () => {
    if (!manifest) return;
    const all = manifest.instances.filter((i) => i.endpoint).length === chosen.size;
    await check.run((signal) => api.invoke('pull/check', { fleetPath: manifest.path, only: all ? null : [...chosen] }, { signal }));
  };
  const saveSettings = async (instance: string, settings: PullConnectionSettings) => {
    if (!manifest) return;
    const saved = await save.run((signal) => api.invoke('pull/configure', { fleetPath: manifest.path, instance, settings }, { signal }));
    if (saved) {
      setEditing(null);
      // The host answers with the manifest as now written: show that.
      await inspect.run(() => Promise.resolve(saved));
    }
  };
  const start = async () => {
    if (!manifest) return;
    setStates(Object.fromEntries([...chosen].map((n) => [n, { status: 'waiting', table: null, rows: 0, bytes: 0, tables: 0, carriedTables: 0, carriedRows: 0, message: null, hint: null } satisfies InstanceState])));
    const all = manifest.instances.filter((i) => i.endpoint).length === chosen.size;
    const outcome = await pull.run((signal) =>
      api.invoke(
        'pull/start',
        { fleetPath: manifest.path, out: out.trim(), only: all ? null : [...chosen], maxRows: maxRows.trim() ? Number(maxRows) : null, concurrency, base: base.trim() || null },
        { signal, onProgress: (event) => setStates((s) => apply(s, event)) },
      ),
    );
    if (outcome?.snapshot) wb.opened(outcome.snapshot);
  };

  const pullable = useMemo(() => manifest?.instances.filter((i) => i.endpoint) ?? [], [manifest]);
  const missing = manifest?.instances.filter((i) => chosen.has(i.name) && i.passwordMissing) ?? [];

  return (
    <div className="pull" data-testid="pull-view">
      <h1>Pull a snapshot</h1>
      <section className="panel">
        <form
          className="row gap wrap"
          onSubmit={(e) => {
            e.preventDefault();
            if (fleetPath.trim()) void read(fleetPath);
          }}
        >
          <input className="grow" value={fleetPath} onChange={(e) => setFleetPath(e.target.value)} placeholder="/path/to/fleet.yaml" aria-label="Fleet manifest path" spellCheck={false} />
          <button type="submit" disabled={!fleetPath.trim() || inspect.running}>
            Read manifest
          </button>
          {wb.info?.nativeDialogs && (
            <button type="button" onClick={() => void browse()}>
              Browse…
            </button>
          )}
          <button type="button" className="secondary" aria-expanded={writing} onClick={() => setWriting((w) => !w)}>
            {writing ? 'Close the template' : 'New manifest from a template…'}
          </button>
        </form>
        <p className="muted small">Passwords come from the environment variables the manifest names, in the environment that runs snapbench. They are never written to the snapshot.</p>
        {inspect.error ? <ErrorBox error={inspect.error} onDismiss={inspect.clear} /> : null}
      </section>
      {writing && (
        <ManifestEditor
          defaultPath={fleetPath.trim() && !manifest ? fleetPath.trim() : ''}
          onSaved={(saved) => {
            setWriting(false);
            setFleetPath(saved.path);
            void inspect.run(() => Promise.resolve(saved)).then((result) => {
              if (!result) return;
              setChosen(new Set(result.instances.filter((i) => i.endpoint).map((i) => i.name)));
              if (!out) setOut(result.path.replace(/\.(ya?ml)$/i, '') + '.snapbench');
            });
          }}
        />
      )}
      {manifest && (
        <section className="panel">
          <h2>
            {manifest.name ?? 'Fleet'}: {formatCount(manifest.instances.length)} {plural(manifest.instances.length, 'instance', 'instances')}, {formatCount(pullable.length)} with connection details
          </h2>
          {manifest.warnings.map((w) => (
            <p key={w} className="muted small">
              Warning: {w}
            </p>
          ))}
          <div className="row gap">
            <button type="button" className="quiet small" onClick={() => setChosen(new Set(pullable.map((i) => i.name)))}>
              Select all
            </button>
            <button type="button" className="quiet small" onClick={() => setChosen(new Set())}>
              Select none
            </button>
          </div>
          <div className="table-scroll tall" tabIndex={0} role="region" aria-label="Instances to pull (scrolls)">
            <table className="plain">
              <thead>
                <tr>
                  <th />
                  <th>instance</th>
                  <th>engine</th>
                  <th>domain</th>
                  <th>endpoint</th>
                  <th>connection</th>
                  <th>progress</th>
                </tr>
              </thead>
              <tbody>
                {manifest.instances.map((i) => {
                  const s = states[i.name];
                  return (
                    <tr key={i.name}>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Pull ${i.name}`}
                          disabled={!i.endpoint || pull.running}
                          checked={chosen.has(i.name)}
                          onChange={(e) =>
                            setChosen((set) => {
                              const next = new Set(set);
                              if (e.target.checked) next.add(i.name);
                              else next.delete(i.name);
                              return next;
                            })
                          }
                        />
                      </td>
                      <td className="mono">{i.name}</td>
                      <td>{i.engine}</td>
                      <td>{i.domain ?? '—'}</td>
                      <td className="mono small">
                        {i.endpoint ?? <span className="muted">inventory only</span>}
                        {i.passwordMissing && <div className="bad small">${i.passwordEnv} is not set</div>}
                        {i.connection && (
                          <div className="muted small">
                            {i.connection.ssh ? `via ${i.connection.ssh.user}@${i.connection.ssh.host}:${i.connection.ssh.port}` : 'direct'} · {i.connection.tls ? (i.connection.tls.insecure ? 'TLS, not verified' : 'TLS') : 'no TLS'} ·{' '}
                            {i.connection.passwordCommand ? 'password from a command' : i.connection.passwordEnv ? `password from $${i.connection.passwordEnv}` : 'no password'}
                          </div>
                        )}
                      </td>
                      <td>
                        {i.connection && (
                          <button type="button" className="quiet small" aria-label={`Connection settings of ${i.name}`} aria-expanded={editing === i.name} onClick={() => setEditing(editing === i.name ? null : i.name)} disabled={pull.running}>
                            Settings…
                          </button>
                        )}
                        {checks.get(i.name) && <CheckResult check={checks.get(i.name)!} />}
                      </td>
                      <td>
                        {s && (
                          <div className="small">
                            <Badge tone={s.status === 'done' ? 'ok' : s.status === 'failed' ? 'bad' : s.status === 'running' ? 'info' : 'muted'}>{s.status}</Badge> {formatCount(s.tables)}{' '}
                            {plural(s.tables, 'table', 'tables')}, {formatCount(s.rows)} {plural(s.rows, 'row', 'rows')}
                            {s.carriedRows > 0 || s.carriedTables > 0 ? (
                              <span data-testid="carried">
                                {' '}
                                ({formatCount(s.carriedTables)} {plural(s.carriedTables, 'table', 'tables')} carried, {formatCount(s.carriedRows)} {plural(s.carriedRows, 'row', 'rows')} from the base,{' '}
                                {formatCount(s.rows - s.carriedRows)} read)
                              </span>
                            ) : null}
                            {s.table && (
                              <span className="muted">
                                {' '}
                                · {s.table}
                                {s.bytes ? ` (${formatBytes(s.bytes)})` : ''}
                              </span>
                            )}
                            {s.message && (
                              <div className="bad">
                                {s.message}
                                {s.hint && <div className="muted">What to do: {s.hint}</div>}
                              </div>
                            )}
                          </div>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {editing && manifest.instances.find((i) => i.name === editing)?.connection && (
            <ConnectionSettingsForm
              key={editing}
              instance={editing}
              initial={manifest.instances.find((i) => i.name === editing)!.connection!}
              saving={save.running}
              onSave={(settings) => void saveSettings(editing, settings)}
              onCancel={() => setEditing(null)}
            />
          )}
          {save.error ? <ErrorBox error={save.error} onDismiss={save.clear} /> : null}
          <div className="row gap">
            <button type="button" onClick={() => void checkConnections()} disabled={check.running || pull.running || chosen.size === 0 || missing.length > 0}>
              Check connections
            </button>
            <span className="muted small">Connects to each selected instance (through its bastion and TLS), pulls nothing, and says whether its account could write and what it cannot read.</span>
          </div>
          {check.running && <ProgressBar progress={null} label="Checking connections…" onCancel={check.cancel} />}
          {check.error ? <ErrorBox error={check.error} onDismiss={check.clear} /> : null}
          <div className="row gap wrap">
            <label className="row gap grow">
              Write to <input className="grow" value={out} onChange={(e) => setOut(e.target.value)} aria-label="Output snapshot path" spellCheck={false} />
            </label>
            <label className="row gap grow" title="An earlier snapshot of this fleet: tables proven unchanged are carried from it; it is only read">
              Base (optional) <input className="grow" value={base} onChange={(e) => setBase(e.target.value)} aria-label="Base snapshot path" placeholder="an earlier snapshot" spellCheck={false} />
            </label>
            <label>
              Max rows per table <input type="number" min={1} value={maxRows} onChange={(e) => setMaxRows(e.target.value)} placeholder="all" aria-label="Max rows per table" style={{ width: '8em' }} />
            </label>
            <label>
              Instances at once <input type="number" min={1} max={32} value={concurrency} onChange={(e) => setConcurrency(Math.max(1, Math.min(32, Number(e.target.value) || 1)))} aria-label="Concurrency" style={{ width: '5em' }} />
            </label>
            <button type="button" onClick={() => void start()} disabled={pull.running || chosen.size === 0 || !out.trim() || missing.length > 0}>
              Start pull
            </button>
          </div>
          {missing.length > 0 && <p className="bad small">Set {missing.map((i) => `$${i.passwordEnv}`).join(', ')} in the environment of snapbench, or untick those instances.</p>}
          {pull.running && <ProgressBar progress={null} label={`Pulling: ${formatCount(Object.values(states).filter((s) => s.status === 'done').length)} of ${countOf(chosen.size, 'instance', 'instances')} done…`} onCancel={pull.cancel} />}
          {pull.error ? <ErrorBox error={pull.error} onDismiss={pull.clear} /> : null}
          {pull.result && (
            <div className="panel" role="status">
              {pull.result.file ? (
                <p>
                  Wrote <span className="mono">{pull.result.file}</span>: {formatCount(pull.result.pulled.length)} {plural(pull.result.pulled.length, 'instance', 'instances')}, {formatCount(pull.result.tables)}{' '}
                  {plural(pull.result.tables, 'table', 'tables')}, {formatCount(pull.result.rows)} {plural(pull.result.rows, 'row', 'rows')}
                  {pull.result.incremental
                    ? `: ${formatCount(pull.result.incremental.rowsRead)} read from the servers, ${formatCount(pull.result.incremental.rowsCarried)} carried from the base (${formatCount(pull.result.incremental.tables.carried)} carried, ${formatCount(pull.result.incremental.tables.appended)} appended)`
                    : ''}
                  .{' '}
                  <button type="button" onClick={() => wb.go('explorer')}>
                    Explore it
                  </button>
                </p>
              ) : (
                <p className="bad">No instance could be pulled; no file was written.</p>
              )}
              {pull.result.failed.map((f) => (
                <p key={f.instance} className="bad small">
                  {f.instance}: {f.message}
                  {f.hint ? ` — what to do: ${f.hint}` : ''}
                </p>
              ))}
            </div>
          )}
        </section>
      )}
    </div>
  );
}
