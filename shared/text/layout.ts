// Text laid out for a reader: lines wrapped at a terminal's width, tables with
// a header and aligned columns, counts with the right plural, numbers with
// separators. Pure, so the CLI and the UI word things the same way.

/** Terminal width the CLI lays text out for (an 80-column terminal). */
export const TEXT_WIDTH = 80;

const pluralRules = new Map<string, Intl.PluralRules>();

/** "1 replica", "3 replicas": the noun chosen by the locale's plural rules (English unless given). */
export function plural(count: number, one: string, other: string, locale = 'en-US'): string {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  return rules.select(count) === 'one' ? one : other;
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** A number with thousands separators and at most two decimals: 12,768 and 46,997.58. */
export function formatNumberText(value: number | bigint): string {
  return grouped.format(value);
}

/** "12,768 keys", "1 table": the count with separators and the right noun. */
export function countText(count: number, one: string, other: string): string {
  return `${formatNumberText(count)} ${plural(count, one, other)}`;
}

/** Bytes in binary units: 914,040 → "893 KiB". */
export function formatBytesText(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits).replace(/\.0$/, '')} ${units[unit]}`;
}

/** Characters a line shows (code points; a terminal shows most as one column). */
export function displayWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Wraps one line at `width` columns on spaces, keeping the spacing inside a
 * line; continuation lines start with `indent` (default: the line's own
 * leading spaces). A word longer than the width is cut, so no line is ever
 * wider than `width`.
 */
export function wrapLine(line: string, width = TEXT_WIDTH, indent?: string): string[] {
  if (displayWidth(line) <= width) return [line];
  const lead = /^ */.exec(line)![0];
  const next = indent ?? lead;
  const tokens = line.slice(lead.length).match(/\S+|\s+/g) ?? [];
  const lines: string[] = [];
  let current = lead;
  let pendingSpace = '';
  let fresh = true;
  const push = () => {
    lines.push(current.replace(/ +$/, ''));
    current = next;
    pendingSpace = '';
    fresh = true;
  };
  for (const token of tokens) {
    if (/^\s/.test(token)) {
      pendingSpace = token;
      continue;
    }
    let word = token;
    if (!fresh && displayWidth(current) + displayWidth(pendingSpace) + displayWidth(word) > width) push();
    if (!fresh) current += pendingSpace;
    pendingSpace = '';
    while (displayWidth(current) + displayWidth(word) > width) {
      const room = Math.max(1, width - displayWidth(current));
      const chars = [...word];
      current += chars.slice(0, room).join('');
      word = chars.slice(room).join('');
      push();
    }
    if (word === '') continue;
    current += word;
    fresh = false;
  }
  if (!fresh || lines.length === 0) lines.push(current.replace(/ +$/, ''));
  return lines;
}

/** Every line of a text wrapped at `width` (line breaks kept). */
export function wrapText(text: string, width = TEXT_WIDTH): string {
  const end = text.endsWith('\n') ? '\n' : '';
  const body = end ? text.slice(0, -1) : text;
  return body
    .split('\n')
    .flatMap((line) => wrapLine(line, width))
    .join('\n') + end;
}

export interface TextColumn {
  header: string;
  /** Right-aligned (numbers). */
  right?: boolean;
  /** The last column may wrap: its continuation lines start under it. */
  wrap?: boolean;
}

/**
 * A table with a header row and aligned columns, two spaces apart. Only the
 * last column wraps (at `width`), so a long name or title stays readable in 80
 * columns; the other columns are as wide as their widest cell.
 */
export function textTable(columns: TextColumn[], rows: string[][], width = TEXT_WIDTH): string[] {
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const last = columns.length - 1;
  const format = (cells: string[]) => {
    const parts = cells.map((cell, i) => {
      if (i === last && !columns[i]!.right) return cell;
      const pad = ' '.repeat(Math.max(0, widths[i]! - displayWidth(cell)));
      return columns[i]!.right ? pad + cell : cell + pad;
    });
    const line = parts.join('  ').replace(/ +$/, '');
    if (!columns[last]?.wrap) return [line];
    // Only the last cell wraps, under itself; the cells before it keep their places.
    const indent = ' '.repeat(widths.slice(0, last).reduce((a, b) => a + b + 2, 0));
    const prefix = parts.slice(0, last).join('  ') + '  ';
    const cell = wrapLine(`${indent}${cells[last] ?? ''}`, width, indent);
    return cell.map((text, i) => (i === 0 ? prefix + text.slice(indent.length) : text));
  };
  return [...format(columns.map((c) => c.header)), ...rows.flatMap(format)];
}

/**
 * A moment as the CLI's text writes every date: "2026-12-06 14:33 UTC"
 * (machine output keeps ISO 8601; the workbench uses the reader's locale).
 * Text that is not a date is returned as it is.
 */
export function formatTimeText(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
