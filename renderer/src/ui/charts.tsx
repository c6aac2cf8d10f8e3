// Charts as plain SVG with literal colours (read from the theme once per
// render) and an explicit font, so any chart can be turned into a PNG without
// a library and without falling back to a serif font. Every chart has a title,
// axes with round ticks and a unit, and a <title> on every mark.
import { useCallback, useEffect, useState, type ReactNode, type Ref } from 'react';

export interface ChartColors {
  text: string;
  muted: string;
  grid: string;
  accent: string;
  good: string;
  warn: string;
  bad: string;
  neutral: string;
  mysql: string;
  redis: string;
  postgres: string;
  background: string;
}

/** The font the charts are drawn with, written into the SVG so a PNG made from it uses it too. */
export const CHART_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";

function readColors(): ChartColors {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1b1f24'),
    muted: v('--muted', '#5b6470'),
    grid: v('--border', '#d8dde3'),
    accent: v('--accent', '#2563eb'),
    good: v('--good', '#15803d'),
    warn: v('--warn', '#b45309'),
    bad: v('--bad', '#b91c1c'),
    neutral: v('--neutral', '#64748b'),
    mysql: v('--engine-mysql', '#2563eb'),
    redis: v('--engine-redis', '#0f766e'),
    postgres: v('--engine-postgres', '#7c3aed'),
    background: v('--surface', '#ffffff'),
  };
}

/** The theme's chart colours; re-read when the theme changes. */
export function useChartColors(): ChartColors {
  const [colors, setColors] = useState<ChartColors>(() => readColors());
  useEffect(() => {
    const observer = new MutationObserver(() => setColors(readColors()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return colors;
}

/**
 * The width a chart has to draw in (its container's content width, at least
 * `min`), so a chart is drawn at the size it is shown and its text stays
 * readable instead of being scaled down.
 */
export function useChartWidth(fallback: number, min = 280): [(element: HTMLElement | null) => void, number] {
  const [width, setWidth] = useState(fallback);
  const [element, setElement] = useState<HTMLElement | null>(null);
  const ref = useCallback((el: HTMLElement | null) => setElement(el), []);
  useEffect(() => {
    if (!element) return;
    const measure = () => {
      const style = getComputedStyle(element);
      const inner = element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (inner > 0) setWidth(Math.max(min, Math.floor(inner)));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [element, min]);
  return [ref, width];
}

/** The engine colours: MySQL blue, Redis teal, PostgreSQL violet (never the red or green of bad and good). */
export function engineColor(colors: ChartColors, engine: string): string {
  return engine === 'mysql' ? colors.mysql : engine === 'redis' ? colors.redis : colors.postgres;
}

/** Round ticks from 0 (or `min`) to at least `max`: steps of 1, 2, 2.5 or 5 × 10ⁿ. */
export function niceTicks(max: number, count = 5, min = 0): number[] {
  const span = Math.max(max - min, 1e-9);
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let t = first; t < max + step * 0.999; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks.length < 2) ticks.push(first + step);
  return ticks;
}

/** Cuts a label to about `width` pixels of 12px text (the full text goes in a <title>). */
function fit(label: string, width: number, fontSize = 12): string {
  const max = Math.max(3, Math.floor(width / (fontSize * 0.58)));
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

function Frame({ svgRef, width, height, title, colors, children }: { svgRef?: Ref<SVGSVGElement>; width: number; height: number; title: string; colors: ChartColors; children: ReactNode }) {
  return (
    <svg ref={svgRef} className="chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title} fontFamily={CHART_FONT}>
      <rect width={width} height={height} fill={colors.background} />
      <text x={0} y={16} fill={colors.text} fontSize={13} fontWeight={600}>
        {title}
      </text>
      {children}
    </svg>
  );
}

export interface Bar {
  label: string;
  value: number;
  color?: string;
  note?: string;
}

/** Horizontal bars with a value axis (round ticks) and its unit. */
export function BarChart({
  bars,
  format,
  title,
  unit,
  width = 520,
  labelWidth = 150,
  svgRef,
  tickFormat,
}: {
  bars: Bar[];
  format: (n: number) => string;
  title: string;
  /** The value axis' title, with its unit: "USD per month", "instances". */
  unit: string;
  width?: number;
  labelWidth?: number;
  svgRef?: Ref<SVGSVGElement>;
  tickFormat?: (n: number) => string;
}) {
  const c = useChartColors();
  const rowHeight = 24;
  const valueWidth = 78;
  const top = 28;
  const axis = 40;
  const height = top + bars.length * rowHeight + axis;
  const plot = width - labelWidth - valueWidth;
  const ticks = niceTicks(Math.max(0, ...bars.map((b) => b.value)), Math.max(2, Math.min(5, Math.floor(plot / 75))));
  const max = ticks[ticks.length - 1]!;
  const x = (v: number) => labelWidth + (v / max) * plot;
  const bottom = top + bars.length * rowHeight;
  return (
    <Frame svgRef={svgRef} width={width} height={height} title={title} colors={c}>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={top} y2={bottom} stroke={c.grid} strokeDasharray={t === 0 ? undefined : '2 3'} />
          <text x={x(t)} y={bottom + 14} fill={c.muted} fontSize={10} textAnchor="middle">
            {(tickFormat ?? format)(t)}
          </text>
        </g>
      ))}
      <text x={labelWidth + plot / 2} y={height - 6} fill={c.muted} fontSize={11} textAnchor="middle">
        {unit}
      </text>
      {bars.map((b, i) => {
        const y = top + i * rowHeight;
        const w = Math.max(b.value > 0 ? 2 : 0, x(b.value) - labelWidth);
        return (
          <g key={`${b.label}-${i}`}>
            <text x={labelWidth - 8} y={y + 16} fill={c.text} fontSize={12} textAnchor="end">
              {fit(b.label, labelWidth - 12)}
              <title>{b.label}</title>
            </text>
            <rect x={labelWidth} y={y + 4} width={w} height={rowHeight - 8} rx={2} fill={b.color ?? c.accent}>
              <title>{`${b.label}: ${format(b.value)}${b.note ? ` — ${b.note}` : ''}`}</title>
            </rect>
            <text x={labelWidth + w + 6} y={y + 16} fill={c.text} fontSize={11}>
              {format(b.value)}
            </text>
          </g>
        );
      })}
    </Frame>
  );
}

export interface BridgeStep {
  label: string;
  before: number;
  after: number;
}

/**
 * The savings bridge, one row per decision: the cost as is, each decision's
 * saving (a bar from the cost before it to the cost after it; green saves,
 * amber adds cost), and the cost with every decision. Labels are never rotated.
 */
export function Bridge({
  start,
  startLabel,
  steps,
  end,
  endLabel,
  format,
  title,
  width = 860,
  svgRef,
}: {
  start: number;
  startLabel: string;
  steps: BridgeStep[];
  end: number;
  endLabel: string;
  format: (n: number) => string;
  title: string;
  width?: number;
  svgRef?: Ref<SVGSVGElement>;
}) {
  const c = useChartColors();
  const rowHeight = 24;
  const top = 28;
  const labelWidth = Math.min(320, Math.round(width * 0.38));
  const valueWidth = 96;
  const rows = steps.length + 2;
  const bottom = top + rows * rowHeight;
  const height = bottom + 40;
  const plot = width - labelWidth - valueWidth;
  const ticks = niceTicks(Math.max(start, end, ...steps.map((s) => Math.max(s.before, s.after))), Math.max(2, Math.min(6, Math.floor(plot / 75))));
  const max = ticks[ticks.length - 1]!;
  const x = (v: number) => labelWidth + (v / max) * plot;
  const row = (i: number, from: number, to: number, color: string, label: string, value: string, strong: boolean) => {
    const y = top + i * rowHeight;
    const x1 = x(Math.min(from, to));
    const w = Math.max(1, Math.abs(x(to) - x(from)));
    return (
      <g key={`${label}-${i}`}>
        <text x={labelWidth - 8} y={y + 16} fill={c.text} fontSize={12} fontWeight={strong ? 600 : 400} textAnchor="end">
          {fit(label, labelWidth - 12)}
          <title>{label}</title>
        </text>
        <rect x={x1} y={y + 4} width={w} height={rowHeight - 8} rx={2} fill={color}>
          <title>{`${label}: ${value}`}</title>
        </rect>
        <text x={x1 + w + 6} y={y + 16} fill={c.text} fontSize={11} fontWeight={strong ? 600 : 400}>
          {value}
        </text>
      </g>
    );
  };
  return (
    <Frame svgRef={svgRef} width={width} height={height} title={title} colors={c}>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={top} y2={bottom} stroke={c.grid} strokeDasharray={t === 0 ? undefined : '2 3'} />
          <text x={x(t)} y={bottom + 14} fill={c.muted} fontSize={10} textAnchor="middle">
            {format(t)}
          </text>
        </g>
      ))}
      <text x={labelWidth + plot / 2} y={height - 6} fill={c.muted} fontSize={11} textAnchor="middle">
        USD per month
      </text>
      {row(0, 0, start, c.neutral, startLabel, format(start), true)}
      {steps.map((s, i) => {
        const saves = s.after <= s.before;
        return row(i + 1, s.before, s.after, saves ? c.good : c.warn, s.label, `${saves ? '−' : '+'}${format(Math.abs(s.before - s.after))}`, false);
      })}
      {row(rows - 1, 0, end, c.accent, endLabel, format(end), true)}
    </Frame>
  );
}

export interface LinePoint {
  x: number;
  y: number;
}

/** A line over a logarithmic x axis (store counts), round ticks on both axes, axis titles, an optional target band and marker. */
export function LineChart({
  points,
  format,
  title,
  xLabel,
  yLabel,
  marker,
  band,
  width = 520,
  svgRef,
}: {
  points: LinePoint[];
  format: (n: number) => string;
  title: string;
  xLabel: string;
  yLabel: string;
  marker?: number;
  band?: { from: number; to: number; label: string };
  width?: number;
  svgRef?: Ref<SVGSVGElement>;
}) {
  const c = useChartColors();
  const height = 270;
  const left = 70;
  const right = 16;
  const top = 40;
  const bottom = 44;
  if (points.length < 2) return null;
  const xs = points.map((p) => Math.log10(Math.max(1, p.x)));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yTicks = niceTicks(Math.max(...points.map((p) => p.y), band?.to ?? 0), 5);
  const yMax = yTicks[yTicks.length - 1]!;
  const px = (x: number) => left + ((Math.log10(Math.max(1, x)) - xMin) / Math.max(1e-9, xMax - xMin)) * (width - left - right);
  const py = (v: number) => top + (1 - v / yMax) * (height - top - bottom);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
  const xTicks = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].filter((t) => Math.log10(t) >= xMin - 1e-9 && Math.log10(t) <= xMax + 1e-9);
  const at = marker !== undefined ? points.reduce((best, p) => (Math.abs(p.x - marker) < Math.abs(best.x - marker) ? p : best), points[0]!) : null;
  // The marker's value sits on the side away from the band's label, so the two never overlap.
  const markerRight = at ? px(at.x) < (left + width - right) / 2 : true;
  return (
    <Frame svgRef={svgRef} width={width} height={height} title={title} colors={c}>
      {band && (
        <g>
          <rect x={left} width={width - left - right} y={py(band.to)} height={Math.max(1, py(band.from) - py(band.to))} fill={c.good} opacity={0.14}>
            <title>{band.label}</title>
          </rect>
          {/* The band's key sits above the plot, where no point or marker can cover it. */}
          <rect x={width - right - 10} y={20} width={10} height={10} fill={c.good} opacity={0.35} />
          <text x={width - right - 14} y={29} fill={c.text} fontSize={10} textAnchor="end">
            {band.label}
          </text>
        </g>
      )}
      {yTicks.map((t) => (
        <g key={t}>
          <line x1={left} x2={width - right} y1={py(t)} y2={py(t)} stroke={c.grid} strokeDasharray={t === 0 ? undefined : '2 3'} />
          <text x={left - 6} y={py(t) + 4} fill={c.muted} fontSize={10} textAnchor="end">
            {format(t)}
          </text>
        </g>
      ))}
      {xTicks.map((t) => (
        <g key={t}>
          <line x1={px(t)} x2={px(t)} y1={height - bottom} y2={height - bottom + 4} stroke={c.muted} />
          <text x={px(t)} y={height - bottom + 16} fill={c.muted} fontSize={10} textAnchor="middle">
            {t.toLocaleString('en-US')}
          </text>
        </g>
      ))}
      <text x={(left + width - right) / 2} y={height - 6} fill={c.muted} fontSize={11} textAnchor="middle">
        {xLabel}
      </text>
      <text transform={`translate(12, ${(top + height - bottom) / 2}) rotate(-90)`} fill={c.muted} fontSize={11} textAnchor="middle">
        {yLabel}
      </text>
      <path d={path} fill="none" stroke={c.accent} strokeWidth={2} />
      {points.map((p) => (
        <circle key={p.x} cx={px(p.x)} cy={py(p.y)} r={3} fill={c.accent}>
          <title>{`${p.x.toLocaleString('en-US')} ${p.x === 1 ? 'store' : 'stores'}: ${format(p.y)} per store`}</title>
        </circle>
      ))}
      {at && (
        <g>
          <line x1={px(at.x)} x2={px(at.x)} y1={top} y2={height - bottom} stroke={c.text} strokeDasharray="3 3" />
          <rect x={markerRight ? px(at.x) + 4 : px(at.x) - 4 - 62} y={Math.max(top, py(at.y) - 24)} width={62} height={17} rx={3} fill={c.background} opacity={0.9} />
          <text x={markerRight ? px(at.x) + 8 : px(at.x) - 8} y={Math.max(top, py(at.y) - 24) + 13} fill={c.text} fontSize={11} fontWeight={600} textAnchor={markerRight ? 'start' : 'end'}>
            {format(at.y)}
          </text>
        </g>
      )}
    </Frame>
  );
}

export interface HistogramBar {
  from: string;
  to: string;
  count: number;
}

/** Rows per bin, with a count axis and the bins' bounds under the first, middle and last bar. */
export function Histogram({ bins, title, xLabel, format, width = 300 }: { bins: HistogramBar[]; title: string; xLabel: string; format: (n: number) => string; width?: number }) {
  const c = useChartColors();
  const height = 170;
  const left = 46;
  const right = 8;
  const top = 26;
  const bottom = 46;
  const ticks = niceTicks(Math.max(1, ...bins.map((b) => b.count)), 3);
  const max = ticks[ticks.length - 1]!;
  const slot = (width - left - right) / Math.max(1, bins.length);
  const py = (v: number) => top + (1 - v / max) * (height - top - bottom);
  const labelled = new Set([0, Math.floor((bins.length - 1) / 2), bins.length - 1]);
  return (
    <Frame width={width} height={height} title={title} colors={c}>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={left} x2={width - right} y1={py(t)} y2={py(t)} stroke={c.grid} strokeDasharray={t === 0 ? undefined : '2 3'} />
          <text x={left - 4} y={py(t) + 3} fill={c.muted} fontSize={9} textAnchor="end">
            {format(t)}
          </text>
        </g>
      ))}
      {bins.map((b, i) => (
        <g key={i}>
          <rect x={left + i * slot + 1} y={py(b.count)} width={Math.max(1, slot - 2)} height={Math.max(b.count > 0 ? 1 : 0, py(0) - py(b.count))} fill={c.accent}>
            <title>{`${b.from} – ${b.to}: ${format(b.count)} ${b.count === 1 ? 'row' : 'rows'}`}</title>
          </rect>
          {labelled.has(i) && (
            <text x={left + i * slot + slot / 2} y={height - bottom + 12} fill={c.muted} fontSize={9} textAnchor={i === 0 ? 'start' : i === bins.length - 1 ? 'end' : 'middle'}>
              {fit(b.from === b.to ? b.from : `${b.from}–${b.to}`, Math.max(60, (width - left - right) / 3), 9)}
              <title>{`${b.from} – ${b.to}`}</title>
            </text>
          )}
        </g>
      ))}
      <text x={(left + width - right) / 2} y={height - 18} fill={c.muted} fontSize={10} textAnchor="middle">
        {xLabel}
      </text>
      <text x={(left + width - right) / 2} y={height - 5} fill={c.muted} fontSize={10} textAnchor="middle">
        bars: rows per bin
      </text>
    </Frame>
  );
}

/** Draws SVG charts (stacked, with a title) onto a canvas and returns a PNG. */
export async function chartsToPng(svgs: SVGSVGElement[], title: string, background: string, text: string): Promise<Blob> {
  const gap = 16;
  const width = Math.max(...svgs.map((s) => s.width.baseVal.value), 400) + 2 * gap;
  let y = 44;
  const parts: string[] = [];
  for (const svg of svgs) {
    const w = svg.width.baseVal.value;
    const h = svg.height.baseVal.value;
    const inner = new XMLSerializer().serializeToString(svg).replace(/^<svg[^>]*>/, '').replace(/<\/svg>$/, '');
    parts.push(`<svg x="${gap}" y="${y}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="${escapeXml(CHART_FONT)}">${inner}</svg>`);
    y += h + gap;
  }
  const document = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="${escapeXml(CHART_FONT)}"><rect width="100%" height="100%" fill="${background}"/><text x="${gap}" y="28" font-size="18" font-weight="600" fill="${text}">${escapeXml(title)}</text>${parts.join('')}</svg>`;
  return svgToPng(document, width, y);
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/** Rasterises an SVG document at twice its size. */
export async function svgToPng(svg: string, width: number, height: number): Promise<Blob> {
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await image.decode();
  const scale = 2;
  const canvas = window.document.createElement('canvas');
  canvas.width = width * scale;
  canvas.height = height * scale;
  const context = canvas.getContext('2d')!;
  context.scale(scale, scale);
  context.drawImage(image, 0, 0);
  return new Promise<Blob>((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the PNG could not be made'))), 'image/png'));
}

/** Saves bytes the page made itself (PNG, PDF, JSON) through the browser's download; returns the file name. */
export function saveBlob(blob: Blob, fileName: string): string {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
  return fileName;
}
