// Export buttons: CSV or Arrow of a table view or a query, streamed by the
// engine. The browser host hands back a same-origin download URL; the desktop
// shell asks where to save and writes the file itself.
import type { RequestInput } from '../../../../shared/api/contract.ts';
import { api } from '../../api/client.ts';
import { ErrorBox, ProgressBar, useJob } from '../../ui/components.tsx';
import { formatBytes, formatCount } from '../../ui/format.ts';

type ExportSource = RequestInput<'export/start'>['source'];

export function download(url: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function ExportButtons({ snapshotId, source, what }: { snapshotId: string; source: (format: 'csv' | 'arrow') => ExportSource; what: string }) {
  const job = useJob<string>();
  const start = (format: 'csv' | 'arrow') =>
    void job.run(async (signal, onProgress) => {
      const outcome = await api.invoke('export/start', { snapshotId, source: source(format) }, { signal, onProgress });
      if (outcome.kind === 'download') {
        download(outcome.url, outcome.fileName);
        return `Downloading ${outcome.fileName}`;
      }
      if (outcome.kind === 'file') return `Saved ${formatCount(outcome.rows)} rows (${formatBytes(outcome.bytes)}) to ${outcome.path}`;
      return '';
    });
  return (
    <div className="export-buttons row gap">
      <button type="button" onClick={() => start('csv')} disabled={job.running} aria-label={`Export ${what} as CSV`}>
        Export CSV
      </button>
      <button type="button" onClick={() => start('arrow')} disabled={job.running} aria-label={`Export ${what} as Arrow`}>
        Export Arrow
      </button>
      {job.running && <ProgressBar progress={job.progress} label="Preparing the export…" onCancel={job.cancel} />}
      {!job.running && job.result && (
        <span className="muted small" role="status">
          {job.result}
        </span>
      )}
      {job.error ? <ErrorBox error={job.error} onDismiss={job.clear} /> : null}
    </div>
  );
}
