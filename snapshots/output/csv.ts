// The one CSV writer of Snapbench: query results, exports, DQ reports and cost
// scenarios all write their cells here, so every CSV quotes the same way
// (RFC 4180, plus quotes around leading or trailing spaces so no reader trims
// them). Bytes are written as base64; NULL as an empty field.

export type CsvValue = null | undefined | number | bigint | string | Uint8Array;

/**
 * How cells are written: every writer passes one of these through, so a new
 * rule (e.g. neutralising spreadsheet formulas) is one field here.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- its fields come with the first rule that needs one
export interface CsvOptions {}

export function csvCell(value: CsvValue, _options: CsvOptions = {}): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Uint8Array ? Buffer.from(value).toString('base64') : String(value);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV row with its line ending. */
export function csvRow(values: readonly CsvValue[], options: CsvOptions = {}): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i === 0 ? '' : ',') + csvCell(values[i], options);
  return line + '\n';
}
