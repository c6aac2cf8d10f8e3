// How a value reads wherever the workbench shows one (the grid, DQ evidence):
// NULL, empty text and white space each with their own marker, control
// characters as visible escapes; copying the value still copies it exactly.
import { inertText } from '../../../shared/text/inert.ts';
import type { Cell } from '../api/arrow.ts';
import { plural } from '../../../shared/text/layout.ts';
import { cellText } from './format.ts';

/** The marker of a blank text (empty, or white space only), else null. */
export function blankMarker(text: string): string | null {
  if (text.trim() !== '' || /[^\s\u3000\u00a0]/u.test(text)) return null;
  if (text.length === 0) return '(empty)';
  const spaces = [...text].length;
  return `(${spaces} ${plural(spaces, 'space', 'spaces')})`;
}

export function ValueView({ value }: { value: Cell | undefined }) {
  if (value === null) return <span className="null" title="NULL: no value">NULL</span>;
  if (value === undefined) return null;
  const text = cellText(value);
  if (typeof value === 'string') {
    const marker = blankMarker(text);
    if (marker) return <span className="blank" title="blank: empty text or white space only (not NULL)">{marker}</span>;
  }
  return <>{inertText(text)}</>;
}

/** A value from JSON (DQ evidence): the same markers as the grid. */
export function JsonValueView({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <ValueView value={null} />;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return <ValueView value={value} />;
  return <>{inertText(JSON.stringify(value))}</>;
}
