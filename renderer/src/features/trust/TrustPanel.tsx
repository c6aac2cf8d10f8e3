// A snapshot's trust in the library: the verdict, every signature (signer, key
// fingerprint, trusted or not), the redaction of a shared copy (who shared it,
// what was masked, dropped or replaced), and the full check of every table.
import type { SnapshotSummary } from '../../../../shared/api/types.ts';
import { inertText } from '../../../../shared/text/inert.ts';
import { Badge, ProgressBar } from '../../ui/components.tsx';
import { countOf, formatCount, formatDate, formatSeconds } from '../../ui/format.ts';
import { useTrust } from './TrustProvider.tsx';
import { signerLine } from './verdict.ts';

export function TrustPanel({ snapshot }: { snapshot: SnapshotSummary }) {
  const trust = useTrust();
  const summary = trust.trustOf(snapshot);
  const verdict = trust.verdictOf(snapshot);
  const check = trust.check(snapshot.id);
  const headingId = `trust-${snapshot.id}`;
  return (
    <section className={`trust-panel tone-${verdict.tone}`} aria-labelledby={headingId} data-testid="trust-panel">
      <h3 id={headingId}>
        Trust: <span className="trust-headline">{verdict.headline}</span>
      </h3>
      {verdict.failed && (
        <div className="error-box" role="alert">
          <div className="error-message">Not intact: {verdict.problems.length} problem(s)</div>
          <ul>
            {verdict.problems.slice(0, 20).map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
          <div className="error-hint">What to do: ask the sender for a fresh copy, or pull again; do not rely on this file.</div>
        </div>
      )}
      {summary.signatures.length === 0 ? (
        <p className="small">Not signed: nothing says who made it. A sender signs with “snapbench share --sign KEY” and gives you the matching .pub file to trust below.</p>
      ) : (
        <ul className="signature-list">
          {summary.signatures.map((s, i) => (
            <li key={i} data-status={s.status}>
              {s.status === 'trusted' && verdict.failed ? (
                <>
                  <Badge tone="bad">NOT trusted</Badge> {signerLine(s)}, but the file no longer matches what was signed
                </>
              ) : (
                <>
                  <Badge tone={s.status === 'trusted' ? 'ok' : s.status === 'invalid' ? 'bad' : 'warn'}>{s.status === 'trusted' ? 'trusted' : s.status === 'invalid' ? 'invalid' : 'key not trusted'}</Badge> {signerLine(s)}
                </>
              )}
              <div className="small muted">
                signer “{inertText(s.signer)}”, signed {formatDate(s.signedAt)}; key fingerprint (sha256) <span className="mono fingerprint">{s.fingerprint}</span>
              </div>
              {s.reason && <div className="small">Why: {inertText(s.reason)}</div>}
              {s.status === 'unknown-key' && (
                <div className="small">To trust it, check this fingerprint with the sender (not through the file), then add their .pub key under Trusted keys.</div>
              )}
            </li>
          ))}
        </ul>
      )}
      {summary.dqRuns > 0 && (
        <p className="small" data-testid="dq-runs-unsigned">
          {countOf(summary.dqRuns, 'stored data-quality run', 'stored data-quality runs')} in this file: added after it was made, so no signature or manifest hash covers{' '}
          {summary.dqRuns === 1 ? 'it' : 'them'}. Rerun the pack (Data quality, or “snapbench dq FILE --no-store”) before relying on a stored finding.
        </p>
      )}
      {summary.redacted ? (
        <div className="redaction">
          <p className="small">
            <Badge tone="info">redacted copy</Badge> shared by {inertText(summary.redacted.sharedBy)}
            {summary.redacted.sharedOnHost ? ` on ${inertText(summary.redacted.sharedOnHost)}` : ''} {formatDate(summary.redacted.sharedAt)}
            {summary.redacted.sourceRootSha256 ? (
              <>
                {' '}
                from the snapshot with root <span className="mono">{summary.redacted.sourceRootSha256.slice(0, 16)}…</span>
              </>
            ) : null}
            : {summary.redacted.masked} column(s) masked, {summary.redacted.dropped} dropped, {summary.redacted.replaced} with secrets replaced.
          </p>
          {summary.redacted.redactions.length > 0 && (
            <details>
              <summary>What was redacted ({summary.redacted.redactions.length})</summary>
              <div className="table-scroll">
                <table className="plain">
                  <thead>
                    <tr>
                      <th scope="col">table</th>
                      <th scope="col">column</th>
                      <th scope="col">action</th>
                      <th scope="col">rule</th>
                      <th scope="col" className="num">
                        values
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {summary.redacted.redactions.map((r, i) => (
                      <tr key={i}>
                        <td className="mono">{inertText(r.table)}</td>
                        <td className="mono">{inertText(r.column)}</td>
                        <td>{r.action}</td>
                        <td>{inertText(r.rule)}</td>
                        <td className="num">{formatCount(r.values)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          )}
        </div>
      ) : (
        <p className="small muted">Not a redacted copy: the data is as pulled.</p>
      )}
      <div className="row gap wrap verify-row">
        <button type="button" onClick={() => trust.verify(snapshot.id)} disabled={check?.running}>
          Verify every table
        </button>
        {check?.running && <ProgressBar progress={check.progress} label="Checking every table…" onCancel={() => trust.cancel(snapshot.id)} />}
        {check?.result?.ok && (
          <Badge tone="ok">
            verified: {countOf(check.result.checkedTables, 'table', 'tables')} intact ({formatSeconds(check.result.seconds)})
          </Badge>
        )}
        {check?.error && !check.running && <span className="small muted">Tables not checked: {check.error}</span>}
      </div>
    </section>
  );
}
