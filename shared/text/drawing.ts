// A page drawn with text and boxes only, in points from the top left, that can
// be written as SVG (for a PNG) or as PDF (shared/text/pdf.ts) from the same
// description, so both exports of a summary show the same thing.

export interface DrawnText {
  kind: 'text';
  x: number;
  /** Baseline. */
  y: number;
  text: string;
  size: number;
  bold?: boolean;
  color?: string;
  anchor?: 'start' | 'end';
}

export interface DrawnBox {
  kind: 'box';
  x: number;
  y: number;
  width: number;
  height: number;
  color: string;
}

export interface Drawing {
  width: number;
  height: number;
  background: string;
  items: (DrawnText | DrawnBox)[];
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/** The drawing as one SVG document, with an explicit sans-serif font. */
export function drawingToSvg(drawing: Drawing, font: string): string {
  const parts = drawing.items.map((item) =>
    item.kind === 'box'
      ? `<rect x="${item.x}" y="${item.y}" width="${item.width}" height="${item.height}" fill="${item.color}"/>`
      : `<text x="${item.x}" y="${item.y}" font-size="${item.size}"${item.bold ? ' font-weight="700"' : ''} fill="${item.color ?? '#000000'}"${item.anchor === 'end' ? ' text-anchor="end"' : ''}>${escapeXml(item.text)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${drawing.width}" height="${drawing.height}" viewBox="0 0 ${drawing.width} ${drawing.height}" font-family="${escapeXml(font)}"><rect width="100%" height="100%" fill="${drawing.background}"/>${parts.join('')}</svg>`;
}
