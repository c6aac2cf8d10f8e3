// A column's profile, computed on demand by the engine with progress: NULLs,
// blanks, distinct values, min/max, the most frequent values and a histogram.
import { useEffect } from 'react';
import type { ColumnProfile, ProfileValue } from '../../../../shared/api/types.ts';
import { plural } from '../../../../shared/text/layout.ts';
import { api } from '../../api/client.ts';
import { Histogram } from '../../ui/charts.tsx';
import { ErrorBox, ProgressBar, Stat, useJob } from '../../ui/components.tsx';
import { formatCount, formatNumber, formatPercent, formatSeconds } from '../../ui/format.ts';
import { blankMarker } from '../../ui/cells.tsx';
import { SidePanel } from './SidePanel.tsx';

/** How a column's values are kept in the snapshot, in words. */
const STORAGE_WORDS: Record<string, string> = {
  integer: 'whole numbers',
  decimal: 'exact decimals, kept as text so no digit is lost',
  float: 'floating-point numbers, kept as the server printed them',
  temporal: 'dates and times, kept as the server printed them',
  json: 'JSON, kept as text',
  boolean: 'true/false as 1/0',
  bit: 'bits, as whole numbers',
  blob: 'bytes, unchanged',
  text: 'text',
};

export function valueLabel(value: string | null): string {
  if (value === null) return 'NULL';
  return blankMarker(value) ?? value;
}

/** Values with their counts as bars; a click shows only the rows holding that value (the profile's top values, a facet). */
export function ValueBars({ column, values, onFilterValue }: { column: string; values: ProfileValue[]; onFilterValue: (value: string | null) => void }) {
  const max = Math.max(1, ...values.map((v) => v.count));
  return (
    <ul className="bars">
      {values.map((v) => (
        <li key={`${v.value}`}>
          <button type="button" className="bar-row" onClick={() => onFilterValue(v.value)} title={`Show only the rows where ${column} is ${valueLabel(v.value)}`}>
            <span className="bar-label mono">{valueLabel(v.value)}</span>
            <span className="bar-track">
              <span className="bar-fill" style={{ width: `${(v.count / max) * 100}%` }} />
            </span>
            <span className="bar-value">{formatCount(v.count)}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

export function ProfilePanel({ snapshotId, table, column, onClose, onFilterValue }: { snapshotId: string; table: string; column: string; onClose: () => void; onFilterValue: (value: string | null) => void }) {
  const job = useJob<ColumnProfile>();
  const { run } = job;
  useEffect(() => {
    void run((signal, onProgress) => api.invoke('column/profile', { snapshotId, table, column }, { signal, onProgress }));
  }, [run, snapshotId, table, column]);
  const p = job.result && job.result.column === column && job.result.table === table ? job.result : null;
  const mixed = p ? Object.entries(p.types).filter(([t, n]) => t !== 'null' && n > 0) : [];
  return (
    <SidePanel
      title={
        <>
          Profile: <span className="mono">{column}</span>
        </>
      }
      label="Column profile"
      testId="profile-panel"
      onClose={onClose}
    >
      {job.running && <ProgressBar progress={job.progress} label="Profiling…" onCancel={job.cancel} />}
      {job.error ? <ErrorBox error={job.error} onRetry={() => void run((signal, onProgress) => api.invoke('column/profile', { snapshotId, table, column }, { signal, onProgress }))} /> : null}
      {!job.running && !p && !job.error && <p className="muted">Cancelled.</p>}
      {p && (
        <>
          <p className="muted small">
            <span className="mono">{p.declaredType}</span>: {STORAGE_WORDS[p.storage] ?? p.storage} · profiled in {formatSeconds(p.seconds)}
          </p>
          <div className="stats compact">
            <Stat label="rows" value={formatCount(p.rows)} />
            <Stat label="NULL" value={`${formatCount(p.nulls)} (${formatPercent(p.rows ? p.nulls / p.rows : 0)})`} hint="rows with no value" />
            <Stat label="blank" value={formatCount(p.blanks)} hint="text that is empty or only white space (NULL not included)" />
            <Stat label="distinct" value={formatCount(p.distinct)} hint="different values, NULL not counted" />
            <Stat label="lowest" value={<span className="mono">{p.min ?? '—'}</span>} />
            <Stat label="highest" value={<span className="mono">{p.max ?? '—'}</span>} />
            {p.mean !== null && <Stat label="mean" value={formatNumber(p.mean)} />}
          </div>
          {mixed.length > 1 && (
            <p className="warn-text small">
              Mixed value types: {mixed.map(([t, n]) => `${formatCount(n)} ${t}`).join(', ')} (one column holding values of several kinds).
            </p>
          )}
          <h4>Most frequent values</h4>
          <ValueBars column={column} values={p.topValues} onFilterValue={onFilterValue} />
          {p.histogram.length > 0 && (
            <Histogram
              title={`How the ${p.histogramOf === 'length' ? 'lengths' : p.histogramOf === 'date' ? 'dates' : 'values'} spread`}
              xLabel={p.histogramOf === 'length' ? 'length in characters' : p.histogramOf === 'date' ? 'date' : column}
              bins={p.histogram}
              format={(n) => formatCount(n)}
              width={300}
            />
          )}
          <p className="muted small">
            {formatCount(p.histogram.length)} {plural(p.histogram.length, 'bin', 'bins')}; hover a bar for its range and count.
          </p>
        </>
      )}
    </SidePanel>
  );
}
