// A facet (as in Datasette): the most frequent values of one column among the
// rows the filters leave, with their counts; a click narrows the view to one.
import { useEffect } from 'react';
import type { ColumnFilter, FacetResult } from '../../../../shared/api/types.ts';
import { plural } from '../../../../shared/text/layout.ts';
import { api } from '../../api/client.ts';
import { ErrorBox, ProgressBar, useJob } from '../../ui/components.tsx';
import { formatCount } from '../../ui/format.ts';
import { ValueBars } from './ProfilePanel.tsx';
import { SidePanel } from './SidePanel.tsx';

export function FacetPanel({ snapshotId, table, column, filters, onClose, onFilterValue }: { snapshotId: string; table: string; column: string; filters: ColumnFilter[]; onClose: () => void; onFilterValue: (value: string | null) => void }) {
  const job = useJob<FacetResult>();
  const { run } = job;
  useEffect(() => {
    void run((signal, onProgress) => api.invoke('table/facet', { snapshotId, view: { table, sort: null, filters }, column, limit: 15 }, { signal, onProgress }));
  }, [run, snapshotId, table, column, filters]);
  const f = job.result && job.result.column === column ? job.result : null;
  return (
    <SidePanel
      title={
        <>
          Values of <span className="mono">{column}</span>
        </>
      }
      label="Facet"
      testId="facet-panel"
      onClose={onClose}
    >
      {job.running && <ProgressBar progress={job.progress} label="Counting the values…" onCancel={job.cancel} />}
      {job.error ? <ErrorBox error={job.error} onDismiss={job.clear} /> : null}
      {f && (
        <>
          <p className="muted small">
            Among the {formatCount(f.rows)} {plural(f.rows, 'row', 'rows')} {filters.length > 0 ? 'the filters leave' : 'of the table'}; click a value to show only its rows.
          </p>
          <ValueBars column={column} values={f.values} onFilterValue={onFilterValue} />
          {f.others > 0 && <p className="muted small">and {formatCount(f.others)} {plural(f.others, 'row', 'rows')} with other values</p>}
        </>
      )}
    </SidePanel>
  );
}
