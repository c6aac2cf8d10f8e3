// The CLI's text tables for a person at a terminal: the snapshot's tables
// grouped by instance and database, and a query's rows with a header. Every
// name and value is inert (shared/text/inert.ts); numbers carry separators.
import { inertText } from '../../shared/text/inert.ts';
import { countText, formatNumberText, TEXT_WIDTH, wrapLine } from '../../shared/text/layout.ts';
import type { TableListing } from '../../shared/model/snapshot.ts';
import type { CellValue } from './cells.ts';

/** `snapbench tables`: one line per table under its instance and database, rows and status first. */
export function tablesText(tables: readonly TableListing[]): string {
  const cells = tables.map((t) => ({
    rows: formatNumberText(t.rows),
    status: t.status === 'pulled' ? '' : inertText(t.status),
    name: `${inertText(t.table)}${t.statusReason ? ` (${inertText(t.statusReason)})` : ''}`,
  }));
  const rowsWidth = Math.max(4, ...cells.map((c) => c.rows.length));
  const statusWidth = Math.max(6, ...cells.map((c) => [...c.status].length));
  const indent = ' '.repeat(2 + rowsWidth + 2 + statusWidth + 2);
  const out = [`  ${'rows'.padStart(rowsWidth)}  ${'status'.padEnd(statusWidth)}  table`];
  let group = '';
  tables.forEach((t, i) => {
    const key = `${t.instance}\u0000${t.database}`;
    if (key !== group) out.push(...wrapLine(`${inertText(t.instance)} (${t.engine}), database ${inertText(t.database)}`, TEXT_WIDTH, '    '));
    group = key;
    const c = cells[i]!;
    const lines = wrapLine(`${indent}${c.name}`, TEXT_WIDTH, indent);
    out.push(`  ${c.rows.padStart(rowsWidth)}  ${c.status.padEnd(statusWidth)}  ${lines[0]!.slice(indent.length)}`.replace(/ +$/, ''), ...lines.slice(1));
  });
  out.push('');
  out.push(`${countText(tables.length, 'table', 'tables')}. A table's SQL name is "instance/database/table", e.g.`);
  out.push('SELECT * FROM "<instance>/<database>/<table>"; --format tsv lists every name.');
  return out.join('\n') + '\n';
}

/** `snapbench tables --format tsv`: a header, then one tab-separated line per table (for scripts). */
export function tablesTsv(tables: readonly TableListing[]): string {
  const lines = ['sql_name\tengine\trows\tstatus\tstatus_reason'];
  for (const t of tables) lines.push([t.sqlName, t.engine, String(t.rows), t.status, t.statusReason ?? ''].map((f) => inertText(String(f))).join('\t'));
  return lines.join('\n') + '\n';
}

const CELL_WIDTH = 40;

function cellText(value: CellValue): string {
  if (value === null) return 'NULL';
  if (value instanceof Uint8Array) return `0x${Buffer.from(value.subarray(0, 16)).toString('hex')}${value.length > 16 ? '…' : ''}`;
  const text = inertText(String(value));
  if (typeof value === 'string' && text.trim() === '') return text === '' ? '(empty)' : `(${[...text].length} spaces)`;
  const chars = [...text];
  return chars.length > CELL_WIDTH ? `${chars.slice(0, CELL_WIDTH - 1).join('')}…` : text;
}

/**
 * A query's rows as a table for a terminal (`snapbench query` on a TTY, or
 * --format table): column widths from the first rows, values cut at 40
 * characters, numbers to the right, NULL and blank text marked.
 */
export function queryTable(names: readonly string[], rows: Iterable<CellValue[]>, write: (chunk: string) => void): number {
  const sample: CellValue[][] = [];
  const iterator = rows[Symbol.iterator]();
  for (let next = iterator.next(); !next.done && sample.length < 500; next = iterator.next()) sample.push(next.value);
  const numeric = names.map((_, i) => sample.length > 0 && sample.every((r) => r[i] === null || typeof r[i] === 'number' || typeof r[i] === 'bigint'));
  const widths = names.map((name, i) => Math.min(CELL_WIDTH, Math.max([...inertText(name)].length, ...sample.map((r) => [...cellText(r[i]!)].length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const chars = [...c];
        const fitted = chars.length > widths[i]! ? `${chars.slice(0, widths[i]! - 1).join('')}…` : c;
        const pad = ' '.repeat(Math.max(0, widths[i]! - [...fitted].length));
        return numeric[i] ? pad + fitted : fitted + pad;
      })
      .join('  ')
      .replace(/ +$/, '');
  let out = `${line(names.map((n) => inertText(n)))}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`;
  let count = 0;
  const emit = (row: CellValue[]) => {
    out += `${line(row.map(cellText))}\n`;
    count++;
    if (out.length > 1 << 16) {
      write(out);
      out = '';
    }
  };
  for (const row of sample) emit(row);
  for (let next = iterator.next(); !next.done; next = iterator.next()) emit(next.value);
  write(`${out}(${countText(count, 'row', 'rows')})\n`);
  return count;
}
