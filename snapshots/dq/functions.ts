// SQL functions the rules use, registered on a snapshot connection. All are
// deterministic and read-only; regular expressions run under RE2 (linear time). `snapbench query` needs them too for the
// evidence queries of regex, script, PII and secret rules.
import type Database from 'better-sqlite3';
import { DecimalSum } from '../../shared/dq/decimal.ts';
import { hasScript, isBlank, maskSecret, piiKind, versionBelow } from '../../shared/dq/definitions.ts';
import { evidenceValue } from './engine.ts';
import { linearRegex, type LinearRegex } from '../../shared/dq/regex.ts';

/** Patterns run under RE2 (shared/dq/regex.ts): linear time whatever the pattern and the value. */
function compiled(pattern: string, flags: string): LinearRegex {
  return linearRegex(pattern, flags);
}

type Cell = string | number | bigint | Buffer | null;

function asText(value: Cell): string | null {
  if (value === null || Buffer.isBuffer(value)) return null;
  return typeof value === 'string' ? value : String(value);
}

/** Distinct values tracked by dq_value_counts; past this, new values are only counted as "others". */
export const VALUE_COUNTS_DISTINCT_LIMIT = 100_000;

/** What dq_value_counts returns (as JSON): how often each value occurred, most frequent first. */
export interface ValueCounts {
  values: { value: unknown; rows: number }[];
  distinct: number;
  /** Rows whose value came after the distinct limit was reached. */
  others: number;
}

class ValueCounter {
  readonly counts = new Map<string, { value: unknown; rows: number }>();
  others = 0;

  add(value: Cell): void {
    const shown = evidenceValue(value as Exclude<Cell, Buffer>);
    const key = JSON.stringify(shown);
    const entry = this.counts.get(key);
    if (entry) entry.rows++;
    else if (this.counts.size < VALUE_COUNTS_DISTINCT_LIMIT) this.counts.set(key, { value: shown, rows: 1 });
    else this.others++;
  }

  result(top: number): ValueCounts {
    const values = [...this.counts.values()].sort((a, b) => b.rows - a.rows || JSON.stringify(a.value).localeCompare(JSON.stringify(b.value))).slice(0, top);
    return { values, distinct: this.counts.size, others: this.others };
  }
}

/** Registers the dq_* functions; safe to call more than once on a connection. */
export function registerDqFunctions(db: Database.Database): void {
  // directOnly: callable from the statements we (or the user) run, never from a file's schema
  // (a view, trigger, generated column or index expression planted in a snapshot).
  const deterministic = { deterministic: true, directOnly: true } as const;
  db.function('dq_regexp', deterministic, (value: Cell, pattern: string, flags: string | null) => {
    const text = asText(value);
    return text === null ? null : compiled(pattern, flags ?? '').test(text) ? 1 : 0;
  });
  // REGEXP operator (`x REGEXP 'p'` calls regexp('p', x)), JavaScript syntax.
  db.function('regexp', deterministic, (pattern: string, value: Cell) => {
    const text = asText(value);
    return text === null ? null : compiled(pattern, '').test(text) ? 1 : 0;
  });
  db.function('dq_script', deterministic, (value: Cell, script: string) => {
    const text = asText(value);
    return text === null ? null : hasScript(text, script) ? 1 : 0;
  });
  db.function('dq_blank', deterministic, (value: Cell) => (isBlank(value) ? 1 : 0));
  db.function('dq_mask_secret', deterministic, (value: Cell, pattern: string, flags: string | null) => {
    const text = asText(value);
    const match = text === null ? null : compiled(pattern, flags ?? '').firstMatch(text);
    return match === null ? null : maskSecret(match);
  });
  db.function('dq_pii_kind', deterministic, (value: Cell, columnName: string) => piiKind(asText(value), columnName ?? ''));
  db.function('dq_version_below', deterministic, (version: Cell, minimum: string) => {
    const below = versionBelow(asText(version), minimum);
    return below === null ? null : below ? 1 : 0;
  });
  // The offending values of a rule and how often each occurs, counted in the same scan as the rule.
  db.aggregate('dq_value_counts', {
    deterministic: true,
    directOnly: true,
    safeIntegers: true,
    start: () => new ValueCounter(),
    step: (counter: ValueCounter, value: unknown) => {
      counter.add(value as Cell);
      return counter;
    },
    result: (counter: ValueCounter) => JSON.stringify(counter.result(20)),
  });
  db.aggregate('dq_decimal_sum', {
    deterministic: true,
    directOnly: true,
    safeIntegers: true,
    start: () => new DecimalSum(),
    step: (sum: DecimalSum, value: unknown) => {
      if (Buffer.isBuffer(value)) throw new Error('dq_decimal_sum: a BLOB is not a decimal number');
      sum.add(value as Exclude<Cell, Buffer>);
      return sum;
    },
    result: (sum: DecimalSum) => sum.toString(),
  });
}
