// A new fleet manifest from a template, checked as it is typed with the same
// messages `snapbench pull` would print (the host parses it as the CLI does),
// and saved only when it is valid; then read like any manifest.
import { useEffect, useState } from 'react';
import type { ManifestCheck, PullInspection } from '../../../../shared/api/types.ts';
import { plural } from '../../../../shared/text/layout.ts';
import { api } from '../../api/client.ts';
import { ErrorBox, useJob } from '../../ui/components.tsx';
import { formatCount } from '../../ui/format.ts';

/** The manifest a new fleet starts from: one instance of each engine, and one without connection details. */
export const MANIFEST_TEMPLATE = `# A Snapbench fleet manifest. Every instance with a host is pulled read-only;
# an instance without one is inventory only (it still counts in the cost model).
name: my-fleet
instances:
  - name: orders-db
    engine: mysql             # mysql | postgres | redis
    domain: sales
    host: 127.0.0.1
    port: 3306
    user: reader
    password_env: ORDERS_PW   # the environment variable that holds the password
    databases: [orders]       # leave out for every user database
    instance_class: db.r6g.large
  - name: reporting-pg
    engine: postgres
    host: 127.0.0.1
    port: 5432
    user: reader
    password_env: REPORTING_PW
  - name: sessions-cache
    engine: redis
    host: 127.0.0.1
    port: 6379
    allocated_memory_mb: 1024
  - name: devops-db           # no host: inventory only
    engine: mysql
    instance_class: db.t4g.medium
`;

export function ManifestEditor({ defaultPath, onSaved }: { defaultPath: string; onSaved: (inspection: PullInspection) => void }) {
  const [text, setText] = useState(MANIFEST_TEMPLATE);
  const [path, setPath] = useState(defaultPath);
  const [replace, setReplace] = useState(false);
  const [check, setCheck] = useState<ManifestCheck | null>(null);
  const save = useJob<PullInspection>();

  // Checked a moment after the typing stops; an older answer never replaces a newer one.
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.invoke('pull/validate', { yaml: text, ...(path.trim() ? { path: path.trim() } : {}) }, { signal: controller.signal }).then(
        (result) => !controller.signal.aborted && setCheck(result),
        () => {},
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [text, path]);

  const submit = async () => {
    const saved = await save.run((signal) => api.invoke('pull/save-manifest', { path: path.trim(), yaml: text, replace }, { signal }));
    if (saved) onSaved(saved);
  };

  return (
    <section className="panel manifest-editor" aria-labelledby="manifest-editor-heading" data-testid="manifest-editor">
      <h2 id="manifest-editor-heading">Write a new manifest</h2>
      <label htmlFor="manifest-text" className="small muted">
        Fleet manifest (YAML). It is checked as you type, as snapbench pull would check it.
      </label>
      <textarea id="manifest-text" className="mono manifest-text" value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} rows={16} aria-describedby="manifest-check" />
      <div id="manifest-check" aria-live="polite" data-testid="manifest-check">
        {check === null ? (
          <p className="muted small">Checking…</p>
        ) : check.ok ? (
          <p className="good small">
            Valid: {formatCount(check.instances)} {plural(check.instances, 'instance', 'instances')}, {formatCount(check.pullable)} with connection details.
            {check.warnings.map((w) => ` Warning: ${w}`).join('')}
          </p>
        ) : (
          <ul className="bad small problems" aria-label="Problems in the manifest">
            {check.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
      </div>
      <form
        className="row gap wrap"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="row gap grow">
          Save as <input className="grow" value={path} onChange={(e) => setPath(e.target.value)} aria-label="New manifest path" spellCheck={false} placeholder="/path/to/fleet.yaml" />
        </label>
        <label className="small">
          <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> Replace it if it exists
        </label>
        <button type="submit" disabled={!check?.ok || !path.trim() || save.running}>
          Save and read it
        </button>
      </form>
      {save.error ? <ErrorBox error={save.error} onDismiss={save.clear} /> : null}
    </section>
  );
}
