// A small time chart: one or more lines of values per snapshot over the
// snapshots' dates (gaps where a snapshot lacks the value), as plain SVG with
// a text alternative listing every point.
import { useChartColors } from '../../ui/charts.tsx';

export interface TrendLine {
  label: string;
  values: (number | null)[];
  color?: string;
}

const DAY = new Intl.DateTimeFormat(typeof navigator !== 'undefined' ? navigator.language : 'en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });

export function TrendChart({ title, times, lines, format, width = 360, height = 150 }: { title: string; times: string[]; lines: TrendLine[]; format: (n: number) => string; width?: number; height?: number }) {
  const c = useChartColors();
  const left = 58;
  const right = 10;
  const top = 22;
  const bottom = 24;
  const xs = times.map((t) => Date.parse(t));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const values = lines.flatMap((l) => l.values).filter((v): v is number => v !== null);
  const yMax = Math.max(1e-9, ...values) * 1.08;
  const yMin = Math.min(0, ...values);
  const px = (x: number) => left + (xMax === xMin ? 0.5 : (x - xMin) / (xMax - xMin)) * (width - left - right);
  const py = (v: number) => top + (1 - (v - yMin) / (yMax - yMin)) * (height - top - bottom);
  const palette = [c.accent, c.bad, c.good, c.postgres];
  // Days in the reader's locale, as every date in the workbench (UTC days: the snapshots' own).
  const day = (t: string) => DAY.format(new Date(t));
  const description = lines.map((l) => `${l.label}: ${l.values.map((v, i) => `${day(times[i]!)} ${v === null ? 'none' : format(v)}`).join(', ')}`).join('; ');
  return (
    <svg className="chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title}. ${description}`}>
      <rect width={width} height={height} fill={c.background} />
      <text x={0} y={14} fill={c.text} fontSize={12} fontWeight={600}>
        {title}
      </text>
      {[yMin, (yMin + yMax) / 2, yMax].map((t) => (
        <g key={t}>
          <line x1={left} x2={width - right} y1={py(t)} y2={py(t)} stroke={c.grid} strokeDasharray="2 3" />
          <text x={left - 4} y={py(t) + 4} fill={c.muted} fontSize={10} textAnchor="end">
            {format(t)}
          </text>
        </g>
      ))}
      <text x={left} y={height - 6} fill={c.muted} fontSize={10}>
        {day(times[0]!)}
      </text>
      <text x={width - right} y={height - 6} fill={c.muted} fontSize={10} textAnchor="end">
        {day(times[times.length - 1]!)}
      </text>
      {lines.map((l, index) => {
        const color = l.color ?? palette[index % palette.length]!;
        let d = '';
        l.values.forEach((v, i) => {
          if (v === null) return;
          d += `${d === '' || l.values[i - 1] === null ? 'M' : 'L'}${px(xs[i]!).toFixed(1)},${py(v).toFixed(1)} `;
        });
        return (
          <g key={l.label}>
            <path d={d} fill="none" stroke={color} strokeWidth={2} />
            {l.values.map((v, i) =>
              v === null ? null : (
                <circle key={i} cx={px(xs[i]!)} cy={py(v)} r={2.5} fill={color}>
                  <title>{`${l.label}, ${day(times[i]!)}: ${format(v)}`}</title>
                </circle>
              ),
            )}
            {lines.length > 1 && (
              <text x={width - right} y={top + 12 * index} fill={color} fontSize={10} textAnchor="end">
                {l.label}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
