// The trust state of the current snapshot in the header, on every view: who
// signed it and whether that key is trusted, whether it is a redacted copy, the
// full check's progress — and, once any check failed, "NOT INTACT" with what
// failed, until the file is closed.
import type { SnapshotSummary } from '../../../../shared/api/types.ts';
import { useWorkbench } from '../../app/workbench.tsx';
import { useTrust } from './TrustProvider.tsx';

export function TrustStatus({ snapshot }: { snapshot: SnapshotSummary }) {
  const wb = useWorkbench();
  const trust = useTrust();
  const verdict = trust.verdictOf(snapshot);
  const summary = trust.trustOf(snapshot);
  if (verdict.failed) {
    return (
      <div className="trust-status tone-bad" role="alert" data-testid="trust-status" data-state="failed" title={verdict.problems.join('\n')}>
        <strong>NOT INTACT</strong>
        <span className="trust-detail">
          {verdict.problems[0]}
          {verdict.problems.length > 1 ? ` (and ${verdict.problems.length - 1} more)` : ''}
        </span>
        <button type="button" className="quiet small" onClick={() => wb.go('home')}>
          Details
        </button>
      </div>
    );
  }
  return (
    <div className={`trust-status tone-${verdict.tone}`} role="status" aria-live="polite" data-testid="trust-status" data-state={verdict.tone} title={verdict.headline}>
      <strong>{verdict.headline}</strong>
      {summary.redacted && <span className="trust-chip">redacted copy</span>}
      <span className="trust-detail muted">{verdict.tables}</span>
    </div>
  );
}
