// Printed text is inert: a name or value read from a file or a server is shown
// as characters, never as terminal commands. Control characters that move the
// cursor, erase a line, hide text (ESC sequences, CR, BS), start a new line, or
// reorder what is displayed (bidirectional overrides) are written as visible
// escapes instead. Pure: the CLI, the host and the UI use the same function.

/**
 * C0 controls (U+0000–U+001F), DEL (U+007F), C1 controls (U+0080–U+009F), the
 * line and paragraph separators (U+2028, U+2029), and the bidirectional
 * formatting characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u0000': '\\0' };

/** The visible escape of one control character: \n, \r, \t, \0, else \xHH (below U+0100) or \u{HHHH}. */
export function escapeControl(character: string): string {
  const named = NAMED[character];
  if (named) return named;
  const code = character.codePointAt(0)!;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** True when the text holds a character that `inertText` would escape. */
export function hasControlCharacters(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

/** One value on one line: every control character escaped, the line break and tab included. */
export function inertText(text: string): string {
  return text.replace(CONTROL, escapeControl);
}

/**
 * Text already laid out in lines and columns (a report, a table): every control
 * character escaped except the line feed and the tab it is laid out with. The
 * names and values inside should have gone through `inertText` first, or one of
 * them could still start a line of its own.
 */
export function inertLines(text: string): string {
  return text.replace(CONTROL_BUT_LINES, escapeControl);
}
