// The one CSV writer of Snapbench: query results, exports, DQ reports and cost
// scenarios all write their cells here, so every CSV quotes the same way
// (RFC 4180, plus quotes around leading or trailing spaces so no reader trims
// them). Bytes are written as base64; NULL as an empty field. The cell rules
// themselves are pure (shared/text/csv.ts), so any other writer applies the same.
import { csvField } from '../../shared/text/csv.ts';

export type CsvValue = null | undefined | number | bigint | string | Uint8Array;

/** How cells are written: every writer passes one of these through. */
export interface CsvOptions {
  /**
   * Spreadsheet guard (OWASP): a text cell a spreadsheet would run as a formula
   * (=, +, -, @, tab or CR first; plain numbers excepted) gets a leading
   * apostrophe. Numbers and bytes (base64 cannot call a function) are never changed.
   */
  safe?: boolean;
}

export function csvCell(value: CsvValue, options: CsvOptions = {}): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Uint8Array) return csvField(Buffer.from(value).toString('base64'), false);
  if (typeof value !== 'string') return csvField(String(value), false);
  return csvField(value, options.safe === true);
}

/** One CSV row with its line ending. */
export function csvRow(values: readonly CsvValue[], options: CsvOptions = {}): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i === 0 ? '' : ',') + csvCell(values[i], options);
  return line + '\n';
}
