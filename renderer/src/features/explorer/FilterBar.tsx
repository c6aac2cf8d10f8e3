// The filters on a table view: one chip per filter, and a small form to add one.
import { useEffect, useRef, useState } from 'react';
import { FILTER_OPS, UNARY_FILTER_OPS, type ColumnFilter, type FilterOp } from '../../../../shared/api/types.ts';
import type { GridColumn } from './rowCache.ts';

export const OP_LABELS: Record<FilterOp, string> = {
  contains: 'contains',
  equals: 'equals',
  'not-equals': 'is not',
  'starts-with': 'starts with',
  lt: '<',
  le: '≤',
  gt: '>',
  ge: '≥',
  'is-null': 'is NULL',
  'not-null': 'is not NULL',
  'is-blank': 'is blank (not NULL)',
  'not-blank': 'is not blank',
  'blank-or-null': 'is blank or NULL',
  'not-blank-or-null': 'has a value',
};

/** What each filter matches, exactly: which of NULL, empty and white space it counts. */
export const OP_MEANINGS: Partial<Record<FilterOp, string>> = {
  'is-null': 'NULL only (no value at all); empty text is not NULL',
  'not-null': 'every row with a value, empty text and white space included',
  'is-blank': 'text that is empty or only white space (spaces, tabs, U+3000, no-break space); NULL is not counted',
  'not-blank': 'every row except blank text; NULL rows are included',
  'blank-or-null': 'NULL, or text that is empty or only white space: the rows the data-quality rules count as blank',
  'not-blank-or-null': 'neither NULL nor blank text',
};

export function describeFilter(f: ColumnFilter): string {
  return `${f.column} ${OP_LABELS[f.op]}${UNARY_FILTER_OPS.includes(f.op) ? '' : ` “${f.value ?? ''}”`}`;
}

export function FilterBar({
  columns,
  filters,
  onChange,
  focusColumn,
}: {
  columns: GridColumn[];
  filters: ColumnFilter[];
  onChange: (filters: ColumnFilter[]) => void;
  /** Opens the form on this column (from a column header). */
  focusColumn: { name: string; nonce: number } | null;
}) {
  const [column, setColumn] = useState(columns[0]?.name ?? '');
  const [op, setOp] = useState<FilterOp>('contains');
  const [value, setValue] = useState('');
  const valueRef = useRef<HTMLInputElement>(null);
  const unary = UNARY_FILTER_OPS.includes(op);

  useEffect(() => {
    if (!focusColumn) return;
    setColumn(focusColumn.name);
    const storage = columns.find((c) => c.name === focusColumn.name)?.storage;
    setOp(storage === 'integer' || storage === 'decimal' || storage === 'float' ? 'equals' : 'contains');
    setTimeout(() => valueRef.current?.focus(), 0);
  }, [focusColumn, columns]);

  useEffect(() => {
    if (!columns.some((c) => c.name === column)) setColumn(columns[0]?.name ?? '');
  }, [columns, column]);

  return (
    <div className="filter-bar">
      {filters.map((f, i) => (
        <span key={`${f.column}-${f.op}-${f.value}-${i}`} className="chip" title={OP_MEANINGS[f.op] ? `${describeFilter(f)}: ${OP_MEANINGS[f.op]}` : undefined} data-op={f.op}>
          {describeFilter(f)}
          <button type="button" className="chip-remove" aria-label={`Remove filter ${describeFilter(f)}`} onClick={() => onChange(filters.filter((_, j) => j !== i))}>
            ✕
          </button>
        </span>
      ))}
      <form
        className="row gap filter-form"
        aria-label="Add a filter"
        onSubmit={(event) => {
          event.preventDefault();
          if (!column || (!unary && value === '')) return;
          onChange([...filters, unary ? { column, op } : { column, op, value }]);
          setValue('');
        }}
      >
        <select aria-label="Filter column" value={column} onChange={(e) => setColumn(e.target.value)}>
          {columns.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
        <select aria-label="Filter operator" value={op} onChange={(e) => setOp(e.target.value as FilterOp)} title={OP_MEANINGS[op]} aria-describedby="filter-meaning">
          {FILTER_OPS.map((o) => (
            <option key={o} value={o} title={OP_MEANINGS[o]}>
              {OP_LABELS[o]}
            </option>
          ))}
        </select>
        {!unary && <input ref={valueRef} aria-label="Filter value" value={value} onChange={(e) => setValue(e.target.value)} placeholder="value" />}
        <button type="submit" disabled={!unary && value === ''}>
          Add filter
        </button>
        {filters.length > 0 && (
          <button type="button" className="quiet" onClick={() => onChange([])}>
            Clear filters
          </button>
        )}
        <span id="filter-meaning" className="muted small filter-meaning">
          {OP_MEANINGS[op] ? `Matches ${OP_MEANINGS[op]}.` : ''}
        </span>
      </form>
    </div>
  );
}
