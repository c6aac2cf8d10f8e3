// The scenario summary laid out as one page (the PNG and the PDF export):
// the three figures, the savings ranked with bars, and where they come from.
import type { ScenarioSummary } from '../../../../shared/cost/summary.ts';
import { formatWholeDollars } from '../../../../shared/cost/money.ts';
import type { Drawing, DrawnBox, DrawnText } from '../../../../shared/text/drawing.ts';
import { plural } from '../../../../shared/text/layout.ts';

export interface SummaryColors {
  background: string;
  text: string;
  muted: string;
  good: string;
  warn: string;
  accent: string;
  tile: string;
}

export const PRINT_COLORS: SummaryColors = { background: '#ffffff', text: '#1b1f24', muted: '#5b6470', good: '#15803d', warn: '#b45309', accent: '#2563eb', tile: '#f0f2f5' };

const SHOWN = 8;

export function summaryDrawing(summary: ScenarioSummary, context: { fleet: string; made: string; command: string }, colors: SummaryColors = PRINT_COLORS): Drawing {
  const width = 612;
  const margin = 36;
  const items: (DrawnText | DrawnBox)[] = [];
  const text = (x: number, y: number, value: string, size: number, options: Partial<DrawnText> = {}) => items.push({ kind: 'text', x, y, text: value, size, color: colors.text, ...options });
  let y = margin + 18;
  text(margin, y, `Fleet cost at ${summary.chosen.stores.toLocaleString('en-US')} ${plural(summary.chosen.stores, 'store', 'stores')}`, 20, { bold: true });
  y += 18;
  text(margin, y, `${context.fleet} · preset ${summary.preset} · ${context.made}`, 9, { color: colors.muted });
  y += 16;

  // Three tiles: today, as is, with the decisions.
  const gap = 10;
  const tileWidth = (width - 2 * margin - 2 * gap) / 3;
  const tileTop = y;
  const figures = [summary.today, summary.asIs, summary.chosen];
  figures.forEach((f, i) => {
    const x = margin + i * (tileWidth + gap);
    items.push({ kind: 'box', x, y: tileTop, width: tileWidth, height: 86, color: colors.tile });
    const label = f.label.charAt(0).toUpperCase() + f.label.slice(1);
    text(x + 10, tileTop + 18, label, 9.5, { color: colors.muted });
    text(x + 10, tileTop + 46, formatWholeDollars(f.total), 22, { bold: true, color: i === 2 ? colors.accent : colors.text });
    text(x + 10, tileTop + 60, 'per month', 8.5, { color: colors.muted });
    text(x + 10, tileTop + 78, `${formatWholeDollars(f.perStore)} per store`, 11, { bold: true });
  });
  y = tileTop + 86 + 18;
  if (summary.chosen.stores === summary.target.stores) {
    text(margin, y, `${summary.target.within ? 'Within' : 'Outside'} the report's target of $${summary.target.from}–$${summary.target.to} a store at ${summary.target.stores} stores.`, 10, {
      color: summary.target.within ? colors.good : colors.warn,
    });
    y += 22;
  }

  // The savings, largest first, with bars to scale.
  if (summary.savings.length > 0 || summary.costs.length > 0) {
    text(margin, y, `Savings at ${summary.chosen.stores.toLocaleString('en-US')} stores: ${formatWholeDollars(summary.saved)} a month, largest first`, 12, { bold: true });
    y += 8;
    const rows = [...summary.savings.slice(0, SHOWN).map((s, i) => ({ rank: `${i + 1}.`, label: s.label, value: s.saved })), ...summary.costs.map((c) => ({ rank: '', label: `${c.label} (adds cost)`, value: c.saved }))];
    const largest = Math.max(1, ...rows.map((r) => Math.abs(r.value)));
    const barLeft = margin + 250;
    const barWidth = width - margin - barLeft - 70;
    for (const row of rows) {
      y += 18;
      text(margin, y, row.rank, 10, { color: colors.muted });
      text(margin + 18, y, row.label, 10);
      items.push({ kind: 'box', x: barLeft, y: y - 9, width: Math.max(1, (Math.abs(row.value) / largest) * barWidth), height: 10, color: row.value >= 0 ? colors.good : colors.warn });
      text(width - margin, y, `${row.value >= 0 ? '' : '+'}${formatWholeDollars(Math.abs(row.value))}`, 10, { bold: true, anchor: 'end' });
    }
    if (summary.savings.length > SHOWN) {
      y += 16;
      text(margin + 18, y, `and ${summary.savings.length - SHOWN} smaller ${plural(summary.savings.length - SHOWN, 'saving', 'savings')}`, 9, { color: colors.muted });
    }
    y += 10;
  }
  y += 18;
  text(margin, y, 'Each figure is the monthly cost of a run of the same cost model; to see how it is made:', 8.5, { color: colors.muted });
  y += 12;
  text(margin, y, context.command, 8.5, { color: colors.muted });
  return { width, height: y + margin, background: colors.background, items };
}
