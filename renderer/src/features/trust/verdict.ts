// What the workbench says about a snapshot's trust, from the quick checks made
// on open (manifest, signatures, share record) and the full check of every
// table running in the background. Pure: the header and the library both show it.
import type { JobProgress, SignatureView, TrustSummary, VerifyResult } from '../../../../shared/api/types.ts';
import { inertText } from '../../../../shared/text/inert.ts';

/** The background check of every table of one open snapshot. */
export interface FullCheck {
  running: boolean;
  progress: JobProgress | null;
  result: VerifyResult | null;
  /** Why the check could not run (not a finding about the file). */
  error: string | null;
}

export interface TrustVerdict {
  /** A check failed: the file is not what was signed or made; shown in the header on every view until it is closed. */
  failed: boolean;
  tone: 'bad' | 'warn' | 'ok' | 'info';
  /** One short line: "NOT INTACT", "Signed by … (trusted)", "Signed with an untrusted key", "Not signed". */
  headline: string;
  /** What failed, one line each, names escaped. */
  problems: string[];
  /** The state of the full check: "checking every table: 12 of 41", "every table verified", … */
  tables: string;
}

export function shortFingerprint(fingerprint: string): string {
  return `${fingerprint.slice(0, 8)}…${fingerprint.slice(-8)}`;
}

export function signerLine(s: SignatureView): string {
  const who = inertText(s.signer);
  switch (s.status) {
    case 'trusted':
      return `Signed by ${who} with trusted key “${inertText(s.keyLabel ?? '')}” (${shortFingerprint(s.fingerprint)})`;
    case 'invalid':
      return `Signature claiming trusted key “${inertText(s.keyLabel ?? '')}” is INVALID`;
    default:
      return `Signed by “${who}” (claimed) with key ${shortFingerprint(s.fingerprint)}, which you do not trust`;
  }
}

export function trustVerdict(trust: TrustSummary, check: FullCheck | undefined): TrustVerdict {
  const problems = [...trust.problems];
  if (check?.result && !check.result.ok) problems.push(...check.result.problems);
  const failed = problems.length > 0;
  const tables = check?.running
    ? `checking every table${check.progress?.total ? `: ${check.progress.done} of ${check.progress.total}` : '…'}`
    : check?.result
      ? check.result.ok
        ? `every table verified (${check.result.checkedTables})`
        : `${check.result.problems.length} problem(s) in the tables`
      : check?.error
        ? `tables not checked: ${check.error}`
        : 'tables not checked yet';
  let headline: string;
  let tone: TrustVerdict['tone'];
  if (failed) {
    headline = 'NOT INTACT';
    tone = 'bad';
  } else if (trust.trustedBy) {
    headline = signerLine(trust.trustedBy);
    tone = 'ok';
  } else if (trust.signatures.length > 0) {
    headline = signerLine(trust.signatures[0]!);
    tone = 'warn';
  } else {
    headline = 'Not signed: nothing says who made it';
    tone = 'info';
  }
  return { failed, tone, headline, problems: problems.map((p) => inertText(p)), tables };
}
