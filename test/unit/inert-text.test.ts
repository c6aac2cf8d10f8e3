// The escaping every text output uses (shared/text/inert.ts) and the
// spreadsheet guard of the CSV writer (shared/text/csv.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, isFormulaCell } from '../../shared/text/csv.ts';
import { hasControlCharacters, inertLines, inertText } from '../../shared/text/inert.ts';

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe('inertText', () => {
  it('escapes C0, DEL, C1, line separators and bidi controls visibly', () => {
    expect(inertText('x\r\u001b[2K…: intact\u001b[8m')).toBe('x\\r\\x1b[2K…: intact\\x1b[8m');
    expect(inertText('a\nb\tc\u0000d\u007fe\u0085f\u009bg')).toBe('a\\nb\\tc\\0d\\x7fe\\x85f\\x9bg');
    expect(inertText('file\u202egnp.exe \u2066x\u2069 \u200f \u2028')).toBe('file\\u{202e}gnp.exe \\u{2066}x\\u{2069} \\u{200f} \\u{2028}');
    expect(inertText('plain: é 日本 😀 "quoted" \\ back')).toBe('plain: é 日本 😀 "quoted" \\ back');
  });

  it('leaves no control character in any string, and changes none that has none', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const shown = inertText(text);
        expect(shown).not.toMatch(CONTROL);
        if (!hasControlCharacters(text)) expect(shown).toBe(text);
      }),
    );
  });

  it('inertLines keeps the newline and the tab, escapes the rest', () => {
    expect(inertLines('a\tb\nc\rd\u001b')).toBe('a\tb\nc\\rd\\x1b');
  });
});

describe('CSV cells', () => {
  it("neutralises OWASP's formula starts, not plain numbers", () => {
    for (const cell of ['=1+1', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x","y")', '-', '+']) expect(isFormulaCell(cell), cell).toBe(true);
    for (const cell of ['-5', '+1.5', '-2e3', '.5', '12.50', 'text', '', ' =x', 'a=b']) expect(isFormulaCell(cell), cell).toBe(false);
    expect(csvField('=1+1', true)).toBe(`"'=1+1"`);
    expect(csvField('@x,"y"', true)).toBe(`"'@x,""y"""`);
    expect(csvField('=1+1', false)).toBe('=1+1');
    expect(csvField('-5', true)).toBe('-5');
    expect(csvField(' padded ', false)).toBe('" padded "');
  });
});
