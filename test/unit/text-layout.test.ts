// Text for a reader: lines that fit 80 columns, tables with a header, plurals
// by the locale's rules, and a PDF whose structure a reader can follow.
import { describe, expect, it } from 'vitest';
import { drawingToPdf, textWidth, winAnsi } from '../../shared/text/pdf.ts';
import { countText, formatBytesText, plural, textTable, wrapLine, wrapText } from '../../shared/text/layout.ts';

describe('text layout', () => {
  it('wraps a line at the width on spaces, continuing under an indent, and cuts a word longer than a line', () => {
    const long = 'savings '.repeat(30).trim();
    const lines = wrapLine(`  note: ${long}`, 40, '        ');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(40);
    expect(lines[0]!.startsWith('  note: savings')).toBe(true);
    expect(lines[1]!.startsWith('        savings')).toBe(true);
    const word = wrapLine('x'.repeat(100), 30);
    expect(word.join('')).toBe('x'.repeat(100));
    for (const line of word) expect(line.length).toBeLessThanOrEqual(30);
    expect(wrapText('short\n\nlines stay\n')).toBe('short\n\nlines stay\n');
  });

  it('lays a table out with a header, right-aligned numbers and a last column that wraps under itself', () => {
    const lines = textTable(
      [{ header: 'rows', right: true }, { header: 'engine' }, { header: 'table', wrap: true }],
      [
        ['12,768', 'redis', 'luckyus-isales-market/db0/keys'],
        ['5', 'mysql', `${'t_order_'.repeat(12)}x`],
      ],
      60,
    );
    expect(lines[0]).toBe('  rows  engine  table');
    expect(lines[1]).toBe('12,768  redis   luckyus-isales-market/db0/keys');
    expect(lines[2]!.startsWith('     5  mysql   t_order_')).toBe(true);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    expect(lines[3]!.startsWith('                ')).toBe(true);
  });

  it('chooses the noun by the plural rules and writes numbers with separators', () => {
    expect(plural(1, 'replica', 'replicas')).toBe('replica');
    expect(plural(0, 'replica', 'replicas')).toBe('replicas');
    expect(countText(12768, 'key', 'keys')).toBe('12,768 keys');
    expect(countText(1, 'table', 'tables')).toBe('1 table');
    expect(formatBytesText(914_040)).toBe('893 KiB');
    expect(formatBytesText(512)).toBe('512 bytes');
  });
});

describe('one-page PDF', () => {
  it('writes text in WinAnsi with a cross-reference table whose offsets point at the objects', () => {
    const bytes = drawingToPdf(
      { width: 200, height: 100, background: '#ffffff', items: [{ kind: 'text', x: 10, y: 20, text: 'Fleet cost — $30,506 (plan)', size: 12 }, { kind: 'box', x: 10, y: 30, width: 50, height: 10, color: '#15803d' }, { kind: 'text', x: 190, y: 60, text: '$1,124', size: 10, anchor: 'end' }] },
      { title: 'Summary', creator: 'Snapbench' },
    );
    const text = Buffer.from(bytes).toString('latin1');
    expect(text.startsWith('%PDF-1.4\n')).toBe(true);
    expect(text.endsWith('%%EOF\n')).toBe(true);
    expect(text).toContain('(Fleet cost \x97 $30,506 \\(plan\\)) Tj');
    const xref = Number(/startxref\n(\d+)\n/.exec(text)![1]);
    expect(text.slice(xref, xref + 4)).toBe('xref');
    const offsets = [...text.slice(xref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets).toHaveLength(7);
    offsets.forEach((offset, i) => expect(text.slice(offset).startsWith(`${i + 1} 0 obj`)).toBe(true));
    const stream = /\/Length (\d+) >>\nstream\n/.exec(text)!;
    const start = stream.index + stream[0].length;
    expect(text.slice(start + Number(stream[1]), start + Number(stream[1]) + 10)).toBe('\nendstream');
    // Right-aligned text ends at its x.
    expect(text).toContain(`${(190 - textWidth('$1,124', 10)).toFixed(2).replace(/\.?0+$/, '')} 40 Td ($1,124) Tj`);
  });

  it('keeps the characters WinAnsi has and marks the rest', () => {
    expect(winAnsi('$250–$400 · −5')).toBe('$250\x96$400 \xb7 -5');
    expect(winAnsi('东')).toBe('?');
  });
});
