// A one-page PDF (1.4) from a drawing: text in the standard Helvetica fonts
// (every PDF reader has them, nothing is embedded) and filled boxes. Text is
// written uncompressed in WinAnsi encoding, so the figures can be searched and
// copied. Pure: no DOM, no Node.
import type { Drawing } from './drawing.ts';

/** Helvetica's advance widths (per 1000 em) for printable ASCII, from its AFM. */
const HELVETICA_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722,
  667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222,
  500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/** Characters outside ASCII that WinAnsi holds, by their byte. */
const WIN_ANSI: Record<string, number> = {
  '€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '™': 0x99, '×': 0xd7, '·': 0xb7, '°': 0xb0, '±': 0xb1,
};

/** Text as WinAnsi bytes (one char per byte); a minus sign becomes a hyphen, anything else unknown becomes "?". */
export function winAnsi(text: string): string {
  let out = '';
  for (const ch of text.replaceAll('−', '-').replaceAll('≤', '<=').replaceAll('≥', '>=')) {
    const code = ch.codePointAt(0)!;
    if ((code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff)) out += ch;
    else if (WIN_ANSI[ch] !== undefined) out += String.fromCharCode(WIN_ANSI[ch]);
    else out += '?';
  }
  return out;
}

/** The width of a text in Helvetica at `size` points (bold is about 5% wider). */
export function textWidth(text: string, size: number, bold = false): number {
  let units = 0;
  for (const ch of winAnsi(text)) {
    const code = ch.charCodeAt(0);
    units += code >= 0x20 && code < 0x7f ? HELVETICA_WIDTHS[code - 0x20]! : 556;
  }
  return (units / 1000) * size * (bold ? 1.05 : 1);
}

function pdfString(text: string): string {
  return `(${winAnsi(text).replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

function rgb(color: string): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color.trim())?.[1] ?? '000000';
  return [0, 2, 4].map((i) => (parseInt(hex.slice(i, i + 2), 16) / 255).toFixed(3)).join(' ');
}

const n = (v: number) => (Math.round(v * 100) / 100).toString();

/** The drawing as the bytes of a PDF file (one page of the drawing's size, in points). */
export function drawingToPdf(drawing: Drawing, info: { title: string; creator: string }): Uint8Array<ArrayBuffer> {
  const h = drawing.height;
  const ops: string[] = [`${rgb(drawing.background)} rg 0 0 ${n(drawing.width)} ${n(h)} re f`];
  for (const item of drawing.items) {
    if (item.kind === 'box') {
      ops.push(`${rgb(item.color)} rg ${n(item.x)} ${n(h - item.y - item.height)} ${n(item.width)} ${n(item.height)} re f`);
    } else {
      const x = item.anchor === 'end' ? item.x - textWidth(item.text, item.size, item.bold) : item.x;
      ops.push(`BT /${item.bold ? 'F2' : 'F1'} ${n(item.size)} Tf ${rgb(item.color ?? '#000000')} rg ${n(x)} ${n(h - item.y)} Td ${pdfString(item.text)} Tj ET`);
    }
  }
  const content = ops.join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${n(drawing.width)} ${n(h)}] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    `<< /Title ${pdfString(info.title)} /Creator ${pdfString(info.creator)} >>`,
  ];
  let out = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  const bytes = new Uint8Array(out.length);
  for (let i = 0; i < out.length; i++) bytes[i] = out.charCodeAt(i) & 0xff;
  return bytes;
}
