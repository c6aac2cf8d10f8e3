// Export buttons: CSV or Arrow of a table view, a query or a finding's rows,
// streamed by the engine. The browser host hands back a same-origin download
// URL; the desktop shell asks where to save and writes the file itself. Either
// way the user is told the file's name (and where it went).
import type { RequestInput } from '../../../../shared/api/contract.ts';
import type { ExportOutcome, JobProgress } from '../../../../shared/api/types.ts';
import { plural } from '../../../../shared/text/layout.ts';
import { api } from '../../api/client.ts';
import { ErrorBox, ProgressBar, useJob } from '../../ui/components.tsx';
import { formatBytes, formatCount } from '../../ui/format.ts';

export type ExportSource = RequestInput<'export/start'>['source'];

export function download(url: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** Starts an export and says what became of it: "Downloading t_order.csv (23 rows)", "Saved 23 rows … to /path". */
export async function runExport(snapshotId: string, source: ExportSource, rows: number | null, signal: AbortSignal, onProgress: (p: JobProgress) => void): Promise<string> {
  const outcome: ExportOutcome = await api.invoke('export/start', { snapshotId, source }, { signal, onProgress });
  if (outcome.kind === 'download') {
    download(outcome.url, outcome.fileName);
    return `Downloading ${outcome.fileName}${rows !== null ? ` (${formatCount(rows)} ${plural(rows, 'row', 'rows')})` : ''} to your browser's downloads folder`;
  }
  if (outcome.kind === 'file') return `Saved ${formatCount(outcome.rows)} ${plural(outcome.rows, 'row', 'rows')} (${formatBytes(outcome.bytes)}) to ${outcome.path}`;
  return 'Not saved: the save dialog was closed';
}

export function ExportButtons({ snapshotId, source, what, rows = null, labels }: { snapshotId: string; source: (format: 'csv' | 'arrow') => ExportSource; what: string; rows?: number | null; labels?: { csv: string; arrow: string } }) {
  const job = useJob<string>();
  const start = (format: 'csv' | 'arrow') => void job.run((signal, onProgress) => runExport(snapshotId, source(format), rows, signal, onProgress));
  return (
    <div className="export-buttons row gap wrap">
      <button type="button" className="secondary" onClick={() => start('csv')} disabled={job.running} aria-label={`Export ${what} as CSV`}>
        {labels?.csv ?? 'Export CSV'}
      </button>
      <button type="button" className="secondary" onClick={() => start('arrow')} disabled={job.running} aria-label={`Export ${what} as Arrow`}>
        {labels?.arrow ?? 'Export Arrow'}
      </button>
      {job.running && <ProgressBar progress={job.progress} label="Preparing the export…" onCancel={job.cancel} />}
      {!job.running && job.result && (
        <span className="muted small export-done" role="status">
          {job.result}
        </span>
      )}
      {job.error ? <ErrorBox error={job.error} onDismiss={job.clear} /> : null}
    </div>
  );
}
