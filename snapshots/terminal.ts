// Writes the CLI's text output so that nothing in it acts on the terminal:
// names and values from a snapshot, a manifest or a server may hold ESC, CR or
// bidi overrides, and each is shown as a visible escape (shared/text/inert.ts).
// JSON output is not written through here: it stays exact.
import { fstatSync } from 'node:fs';
import { inertLines, inertText } from '../shared/text/inert.ts';
import { TEXT_WIDTH, wrapLine } from '../shared/text/layout.ts';

interface Writable {
  write(text: string): unknown;
}

/** One line: every control character in it escaped, the line break included, then a newline. */
export function printLine(stream: Writable, text: string): void {
  stream.write(inertText(text) + '\n');
}

/** One line of prose, escaped, wrapped at 80 columns (continuation lines indented). */
export function printWrapped(stream: Writable, text: string, indent = '    '): void {
  stream.write(wrapLine(inertText(text), TEXT_WIDTH, indent).join('\n') + '\n');
}

/** Text laid out in lines and tab-separated columns: control characters escaped except the newline and the tab. */
export function printText(stream: Writable, text: string): void {
  stream.write(inertLines(text));
}

/** Fields joined by tabs on one line, each field escaped on its own (a tab in a name cannot make a column). */
export function printRow(stream: Writable, fields: (string | number)[]): void {
  stream.write(fields.map((f) => inertText(String(f))).join('\t') + '\n');
}

/** --csv-safe / --no-csv-safe when given; else on for a file (--out, or stdout redirected to a regular file), off for a terminal or a pipe. */
export function csvSafeFor(explicit: boolean | undefined, outFile?: string): boolean {
  if (explicit !== undefined) return explicit;
  if (outFile) return true;
  try {
    return fstatSync(1).isFile();
  } catch {
    return false;
  }
}
