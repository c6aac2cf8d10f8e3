// The bench's report: an aligned table of the result rows and where each pull's time goes.
import type { ResultRow, ToolRun } from './pull.ts';
import { int, secs } from './process.ts';

function rateCell(run: ToolRun | null, unit: string): string {
  if (!run) return '-';
  return `${int(run.rate)} ${unit}/s (${secs(run.wallMs)} s)`;
}

export function renderTable(rows: ResultRow[]): string {
  const header = ['what', 'snapbench', 'reference tool', 'ratio', 'target', 'result'];
  const body = rows.map((r) => {
    if (r.unit === 'MB') {
      return [r.what, r.value === null ? '-' : `${r.value.toFixed(1)} MiB`, '-', '-', r.target, r.status];
    }
    return [
      r.what,
      r.status === 'ERROR' && !r.snapbench ? 'ERROR' : rateCell(r.snapbench, r.unit),
      r.reference ? `${rateCell(r.reference, r.unit)} ${r.reference.tool}` : 'ERROR',
      r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
      r.target,
      r.status,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function whereTimeGoes(rows: ResultRow[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    if (r.unit === 'MB' || !r.snapbench) continue;
    const s = r.snapbench;
    const p = s.phases;
    const parts = [
      p.startupMs !== null ? `startup ${secs(p.startupMs)} s` : null,
      p.pullMs !== null ? `pull ${secs(p.pullMs)} s${p.tableMs !== null && r.count ? ` (table alone ${int(r.count / (p.tableMs / 1000))} ${r.unit}/s)` : ''}` : null,
      p.finishMs !== null ? `finish ${secs(p.finishMs)} s` : null,
      s.cpuSeconds !== null ? `node CPU ${s.cpuSeconds.toFixed(2)} s` : null,
      s.serverCpuSeconds !== null ? `server CPU ${s.serverCpuSeconds.toFixed(2)} s` : null,
      s.fileBytes !== null ? `file ${(s.fileBytes / 1024 / 1024).toFixed(1)} MB` : null,
    ].filter(Boolean);
    let line = `  ${r.what}: snapbench ${secs(s.wallMs)} s = ${parts.join(', ')}`;
    if (r.reference) {
      const ref = r.reference;
      const refParts = [
        ref.cpuSeconds !== null ? `client CPU ${ref.cpuSeconds.toFixed(2)} s` : null,
        ref.serverCpuSeconds !== null ? `server CPU ${ref.serverCpuSeconds.toFixed(2)} s` : null,
        ref.peakRssMb !== null ? `RSS ${ref.peakRssMb.toFixed(1)} MB` : null,
      ].filter(Boolean);
      line += `\n  ${' '.repeat(r.what.length)}  ${ref.tool} ${secs(ref.wallMs)} s = ${refParts.join(', ')}`;
    }
    out.push(line);
  }
  return out;
}
