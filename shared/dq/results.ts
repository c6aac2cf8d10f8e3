// What a DQ run produces: one result per rule, the report shape of
// `snapbench dq --format json` (cli-contract.md), and how two runs compare.
import type { Severity } from './pack.ts';
import { SEVERITIES } from './pack.ts';

export const STATUSES = ['pass', 'fail', 'warn', 'error', 'skipped'] as const;
export type Status = (typeof STATUSES)[number];

/** One item of evidence: an offending row (table + primary key + the values checked), table, column, key or instance. */
export type Evidence = Record<string, unknown>;

export interface DqResult {
  id: string;
  title: string;
  severity: Severity;
  status: Status;
  /** Exact on the pulled data unless `limited`; null when the rule was skipped or failed to run. */
  count: number | null;
  total: number | null;
  /** Extra measurements; `reason` (skipped) or `error` (error) say why there is no count. */
  metrics: Record<string, unknown>;
  /** True when a table the rule read was cut by --max-rows. */
  limited: boolean;
  /** The first offending items (capped by the pack's evidence_limit). */
  evidence: Evidence[];
  /** SQL for `snapbench query` that lists the full offending set; null when there is none. */
  evidenceQuery: string | null;
}

export interface DqReport {
  snapshot: { file: string; createdAt: string; sha256: string };
  pack: string;
  results: DqResult[];
}

export type StatusCounts = Record<Status, number>;

export interface DqSummary extends StatusCounts {
  rules: number;
  /** Findings (fail or warn) per severity. */
  findingsBySeverity: Record<Severity, number>;
}

export function summarize(results: readonly Pick<DqResult, 'status' | 'severity'>[]): DqSummary {
  const summary: DqSummary = {
    rules: results.length,
    pass: 0,
    fail: 0,
    warn: 0,
    error: 0,
    skipped: 0,
    findingsBySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>,
  };
  for (const r of results) {
    summary[r.status]++;
    if (r.status === 'fail' || r.status === 'warn') summary.findingsBySeverity[r.severity]++;
  }
  return summary;
}

export function isFinding(status: Status | undefined): boolean {
  return status === 'fail' || status === 'warn';
}

export interface FindingState {
  status: Status;
  count: number | null;
  total: number | null;
}

export interface FindingChange {
  id: string;
  title: string;
  severity: Severity;
  before: FindingState | null;
  after: FindingState | null;
  /** after.count - before.count when both are known. */
  countChange: number | null;
  /** One line: "fail, count 1200 → 1500 (+300)". */
  note: string;
}

export interface FindingsComparison {
  /** A finding (fail/warn) now that was not one before. */
  new: FindingChange[];
  /** A finding before that passes now. */
  fixed: FindingChange[];
  /** Still a finding with another status or count, or a rule that errored or was skipped on one side. */
  changed: FindingChange[];
  unchanged: number;
}

function describeState(state: FindingState | null): string {
  if (!state) return 'absent';
  return state.count === null ? state.status : `${state.status} ${state.count}`;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

/** Compares two runs rule by rule (by id). */
export function compareFindings(before: readonly DqResult[], after: readonly DqResult[]): FindingsComparison {
  const out: FindingsComparison = { new: [], fixed: [], changed: [], unchanged: 0 };
  const earlier = new Map(before.map((r) => [r.id, r]));
  const ids = [...new Set([...before.map((r) => r.id), ...after.map((r) => r.id)])];
  const later = new Map(after.map((r) => [r.id, r]));
  for (const id of ids) {
    const a = earlier.get(id);
    const b = later.get(id);
    const state = (r: DqResult | undefined): FindingState | null => (r ? { status: r.status, count: r.count, total: r.total } : null);
    const countChange = a && b && a.count !== null && b.count !== null ? b.count - a.count : null;
    const ref = (b ?? a)!;
    const change: FindingChange = {
      id,
      title: ref.title,
      severity: ref.severity,
      before: state(a),
      after: state(b),
      countChange,
      note:
        a && b && a.status === b.status && countChange !== null
          ? `${b.status}, count ${a.count} → ${b.count} (${signed(countChange)})`
          : `${describeState(state(a))} → ${describeState(state(b))}${countChange ? ` (${signed(countChange)})` : ''}`,
    };
    if (isFinding(b?.status) && !isFinding(a?.status) && (!a || a.status === 'pass')) out.new.push(change);
    else if (isFinding(a?.status) && b?.status === 'pass') out.fixed.push(change);
    else if (a && b && a.status === b.status && a.count === b.count) out.unchanged++;
    else out.changed.push(change);
  }
  return out;
}
