// The one CSV writer's cell rules (RFC 4180 quoting), with the spreadsheet
// guard: a cell a spreadsheet would run as a formula is neutralised. Pure, so
// the CLI, the host's exports and the reports share it.

/**
 * OWASP's rule for CSV injection: a cell that starts with =, +, -, @, a tab or a
 * carriage return is read as a formula by Excel, LibreOffice and Google Sheets.
 * A plain number ("-5", "+1.5", "-2e3") is exempt: it is data, and a
 * spreadsheet reads it as the number it is.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** True when a spreadsheet would read the cell as a formula. */
export function isFormulaCell(text: string): boolean {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text);
}

/** The cell with a leading apostrophe when a spreadsheet would run it (the text is otherwise unchanged). */
export function neutraliseFormula(text: string): string {
  return isFormulaCell(text) ? `'${text}` : text;
}

/**
 * One CSV field from its text: quoted when it holds a quote, a comma, a line
 * break or leading/trailing white space; with `safe`, a formula cell is
 * neutralised first (and so always quoted).
 */
export function csvField(text: string, safe: boolean): string {
  const value = safe ? neutraliseFormula(text) : text;
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) || value !== text ? `"${value.replaceAll('"', '""')}"` : value;
}
