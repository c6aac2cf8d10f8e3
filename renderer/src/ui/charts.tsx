// Charts as plain SVG with literal colours (read from the theme once per
// render), so any chart can be turned into a PNG without a library.
import { useEffect, useState, type Ref } from 'react';

export interface ChartColors {
  text: string;
  muted: string;
  grid: string;
  accent: string;
  good: string;
  bad: string;
  mysql: string;
  redis: string;
  postgres: string;
  background: string;
}

function readColors(): ChartColors {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1b1f24'),
    muted: v('--muted', '#5b6470'),
    grid: v('--border', '#d8dde3'),
    accent: v('--accent', '#2563eb'),
    good: v('--good', '#15803d'),
    bad: v('--bad', '#b91c1c'),
    mysql: v('--engine-mysql', '#2563eb'),
    redis: v('--engine-redis', '#dc2626'),
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

export interface Bar {
  label: string;
  value: number;
  color?: string;
  note?: string;
}

export function BarChart({ bars, format, title, width = 520, labelWidth = 150, svgRef }: { bars: Bar[]; format: (n: number) => string; title: string; width?: number; labelWidth?: number; svgRef?: Ref<SVGSVGElement> }) {
  const c = useChartColors();
  const rowHeight = 26;
  const valueWidth = 90;
  const maxChars = Math.max(4, Math.floor((labelWidth - 10) / 6.8));
  const height = bars.length * rowHeight + 34;
  const max = Math.max(1e-9, ...bars.map((b) => b.value));
  const plot = width - labelWidth - valueWidth - 16;
  return (
    <svg ref={svgRef} className="chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
      <rect width={width} height={height} fill={c.background} />
      <text x={0} y={16} fill={c.text} fontSize={13} fontWeight={600}>
        {title}
      </text>
      {bars.map((b, i) => {
        const y = 28 + i * rowHeight;
        const w = Math.max(b.value > 0 ? 2 : 0, (b.value / max) * plot);
        return (
          <g key={`${b.label}-${i}`}>
            <text x={labelWidth - 8} y={y + 15} fill={c.text} fontSize={12} textAnchor="end">
              {b.label.length > maxChars ? `${b.label.slice(0, maxChars - 1)}…` : b.label}
              <title>{b.label}</title>
            </text>
            <rect x={labelWidth} y={y + 3} width={w} height={rowHeight - 8} rx={3} fill={b.color ?? c.accent}>
              <title>{`${b.label}: ${format(b.value)}${b.note ? ` — ${b.note}` : ''}`}</title>
            </rect>
            <text x={labelWidth + w + 6} y={y + 15} fill={c.muted} fontSize={12}>
              {format(b.value)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export interface WaterfallStep {
  label: string;
  before: number;
  after: number;
}

/** Start total, each step's saving (down) or cost (up), end total. */
export function Waterfall({ start, steps, end, format, title, width = 640, svgRef }: { start: number; steps: WaterfallStep[]; end: number; format: (n: number) => string; title: string; width?: number; svgRef?: Ref<SVGSVGElement> }) {
  const c = useChartColors();
  const height = 260;
  const top = 30;
  const bottom = 70;
  const columns = steps.length + 2;
  const slot = (width - 40) / columns;
  const max = Math.max(start, end, ...steps.map((s) => Math.max(s.before, s.after)), 1);
  const y = (v: number) => top + (1 - v / max) * (height - top - bottom);
  const bar = (i: number, from: number, to: number, color: string, label: string, value: string) => {
    const x = 30 + i * slot + slot * 0.15;
    const y1 = y(Math.max(from, to));
    const h = Math.max(1, Math.abs(y(from) - y(to)));
    return (
      <g key={`${label}-${i}`}>
        <rect x={x} y={y1} width={slot * 0.7} height={h} fill={color} rx={2}>
          <title>{`${label}: ${value}`}</title>
        </rect>
        <text x={x + slot * 0.35} y={y1 - 4} fill={c.muted} fontSize={10} textAnchor="middle">
          {value}
        </text>
        <text transform={`translate(${x + slot * 0.35}, ${height - bottom + 12}) rotate(35)`} fill={c.text} fontSize={10}>
          {label.length > 24 ? `${label.slice(0, 23)}…` : label}
        </text>
      </g>
    );
  };
  return (
    <svg ref={svgRef} className="chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
      <rect width={width} height={height} fill={c.background} />
      <text x={0} y={16} fill={c.text} fontSize={13} fontWeight={600}>
        {title}
      </text>
      <line x1={24} x2={width - 8} y1={y(0)} y2={y(0)} stroke={c.grid} />
      {bar(0, 0, start, c.muted, 'Before', format(start))}
      {steps.map((s, i) => bar(i + 1, s.before, s.after, s.after <= s.before ? c.good : c.bad, s.label, `${s.after <= s.before ? '−' : '+'}${format(Math.abs(s.before - s.after))}`))}
      {bar(columns - 1, 0, end, c.accent, 'After', format(end))}
    </svg>
  );
}

export interface LinePoint {
  x: number;
  y: number;
}

/** A line over a logarithmic x axis (store counts from 1 to 1000). */
export function LineChart({
  points,
  format,
  title,
  xLabel,
  marker,
  band,
  width = 520,
  svgRef,
}: {
  points: LinePoint[];
  format: (n: number) => string;
  title: string;
  xLabel: string;
  marker?: number;
  band?: { from: number; to: number; label: string };
  width?: number;
  svgRef?: Ref<SVGSVGElement>;
}) {
  const c = useChartColors();
  const height = 240;
  const left = 64;
  const right = 12;
  const top = 30;
  const bottom = 40;
  if (points.length < 2) return null;
  const xs = points.map((p) => Math.log10(Math.max(1, p.x)));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yMax = Math.max(...points.map((p) => p.y), band?.to ?? 0) * 1.08 || 1;
  const px = (x: number) => left + ((Math.log10(Math.max(1, x)) - xMin) / Math.max(1e-9, xMax - xMin)) * (width - left - right);
  const py = (v: number) => top + (1 - v / yMax) * (height - top - bottom);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
  const ticks = [1, 10, 100, 1000].filter((t) => t >= 10 ** xMin && t <= 10 ** xMax);
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax);
  const at = marker !== undefined ? points.reduce((best, p) => (Math.abs(p.x - marker) < Math.abs(best.x - marker) ? p : best), points[0]!) : null;
  return (
    <svg ref={svgRef} className="chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
      <rect width={width} height={height} fill={c.background} />
      <text x={0} y={16} fill={c.text} fontSize={13} fontWeight={600}>
        {title}
      </text>
      {band && (
        <g>
          <rect x={left} width={width - left - right} y={py(band.to)} height={Math.max(1, py(band.from) - py(band.to))} fill={c.good} opacity={0.12} />
          <text x={width - right - 4} y={py(band.to) - 4} fill={c.good} fontSize={10} textAnchor="end">
            {band.label}
          </text>
        </g>
      )}
      {yTicks.map((t) => (
        <g key={t}>
          <line x1={left} x2={width - right} y1={py(t)} y2={py(t)} stroke={c.grid} strokeDasharray="2 3" />
          <text x={left - 6} y={py(t) + 4} fill={c.muted} fontSize={10} textAnchor="end">
            {format(t)}
          </text>
        </g>
      ))}
      {ticks.map((t) => (
        <text key={t} x={px(t)} y={height - bottom + 16} fill={c.muted} fontSize={10} textAnchor="middle">
          {t}
        </text>
      ))}
      <text x={(left + width) / 2} y={height - 6} fill={c.muted} fontSize={11} textAnchor="middle">
        {xLabel}
      </text>
      <path d={path} fill="none" stroke={c.accent} strokeWidth={2} />
      {points.map((p) => (
        <circle key={p.x} cx={px(p.x)} cy={py(p.y)} r={2.5} fill={c.accent}>
          <title>{`${p.x}: ${format(p.y)}`}</title>
        </circle>
      ))}
      {at && (
        <g>
          <line x1={px(at.x)} x2={px(at.x)} y1={top} y2={height - bottom} stroke={c.text} strokeDasharray="3 3" />
          <text x={px(at.x) + 4} y={py(at.y) - 6} fill={c.text} fontSize={11} fontWeight={600}>
            {format(at.y)}
          </text>
        </g>
      )}
    </svg>
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
    parts.push(`<svg x="${gap}" y="${y}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${inner}</svg>`);
    y += h + gap;
  }
  const height = y;
  const escaped = title.replace(/[<>&"]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[ch]!);
  const document = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="100%" height="100%" fill="${background}"/><text x="${gap}" y="28" font-family="system-ui, sans-serif" font-size="18" font-weight="600" fill="${text}">${escaped}</text>${parts.join('')}</svg>`;
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(document)}`;
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

/** Saves bytes the page made itself (PNG, JSON) through the browser's download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
