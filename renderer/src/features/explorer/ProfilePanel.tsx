// A column's profile, computed on demand by the engine with progress: nulls,
// blanks, distinct values, min/max, the most frequent values and a histogram.
import { useEffect } from 'react';
import type { ColumnProfile } from '../../../../shared/api/types.ts';
import { api } from '../../api/client.ts';
import { ErrorBox, ProgressBar, Stat, useJob } from '../../ui/components.tsx';
import { formatCount, formatNumber, formatPercent, formatSeconds } from '../../ui/format.ts';

export function ProfilePanel({ snapshotId, table, column, onClose, onFilterValue }: { snapshotId: string; table: string; column: string; onClose: () => void; onFilterValue: (value: string | null) => void }) {
  const job = useJob<ColumnProfile>();
  const { run } = job;
  useEffect(() => {
    void run((signal, onProgress) => api.invoke('column/profile', { snapshotId, table, column }, { signal, onProgress }));
  }, [run, snapshotId, table, column]);
  const p = job.result && job.result.column === column && job.result.table === table ? job.result : null;
  const maxTop = Math.max(1, ...(p?.topValues.map((v) => v.count) ?? [1]));
  const maxBin = Math.max(1, ...(p?.histogram.map((b) => b.count) ?? [1]));
  return (
    <aside className="profile-panel" aria-label={`Profile of ${column}`} data-testid="profile-panel">
      <div className="row space-between">
        <h3>
          Profile: <span className="mono">{column}</span>
        </h3>
        <button type="button" className="quiet small" onClick={onClose} aria-label="Close the profile">
          ✕
        </button>
      </div>
      {job.running && <ProgressBar progress={job.progress} label="Profiling…" onCancel={job.cancel} />}
      {job.error ? <ErrorBox error={job.error} onRetry={() => void run((signal, onProgress) => api.invoke('column/profile', { snapshotId, table, column }, { signal, onProgress }))} /> : null}
      {!job.running && !p && !job.error && <p className="muted">Cancelled.</p>}
      {p && (
        <>
          <p className="muted small">
            {p.declaredType} · stored as {p.storage} · {formatSeconds(p.seconds)}
          </p>
          <div className="stats compact">
            <Stat label="rows" value={formatCount(p.rows)} />
            <Stat label="nulls" value={`${formatCount(p.nulls)} (${formatPercent(p.rows ? p.nulls / p.rows : 0)})`} />
            <Stat label="blanks" value={formatCount(p.blanks)} hint="text that is empty or only white space" />
            <Stat label="distinct" value={formatCount(p.distinct)} />
            <Stat label="min" value={<span className="mono">{p.min ?? '—'}</span>} />
            <Stat label="max" value={<span className="mono">{p.max ?? '—'}</span>} />
            {p.mean !== null && <Stat label="mean" value={formatNumber(p.mean)} />}
          </div>
          <p className="muted small">
            Storage classes:{' '}
            {Object.entries(p.types)
              .filter(([, n]) => n > 0)
              .map(([t, n]) => `${t} ${formatCount(n)}`)
              .join(' · ')}
          </p>
          <h4>Most frequent values</h4>
          <ul className="bars">
            {p.topValues.map((v) => (
              <li key={`${v.value}`}>
                <button type="button" className="bar-row" onClick={() => onFilterValue(v.value)} title="Filter the grid to this value">
                  <span className="bar-label mono">{v.value === null ? 'NULL' : v.value === '' ? '(empty)' : v.value}</span>
                  <span className="bar-track">
                    <span className="bar-fill" style={{ width: `${(v.count / maxTop) * 100}%` }} />
                  </span>
                  <span className="bar-value">{formatCount(v.count)}</span>
                </button>
              </li>
            ))}
          </ul>
          {p.histogram.length > 0 && (
            <>
              <h4>Histogram of {p.histogramOf === 'length' ? 'lengths' : p.histogramOf === 'date' ? 'dates' : 'values'}</h4>
              <div className="histogram" role="img" aria-label={`Histogram of ${column}`}>
                {p.histogram.map((b, i) => (
                  <div key={i} className="histogram-bin" title={`${b.from} – ${b.to}: ${formatCount(b.count)}`}>
                    <div className="histogram-fill" style={{ height: `${(b.count / maxBin) * 100}%` }} />
                  </div>
                ))}
              </div>
              <div className="row space-between muted small">
                <span>{p.histogram[0]!.from}</span>
                <span>{p.histogram[p.histogram.length - 1]!.to}</span>
              </div>
            </>
          )}
        </>
      )}
    </aside>
  );
}
