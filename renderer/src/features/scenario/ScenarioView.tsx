// Cost scenarios. At the top, the executive's answer: what the fleet costs
// today, at N stores as is, and at N stores with the chosen decisions (per
// month and per store), the savings ranked, exportable as PNG and PDF; the
// store count typed or slid, kept when the preset changes. Below: every
// decision as a control, the charts, the line items, and "why this number"
// for every figure. Scenarios save and load as JSON.
import { useEffect, useMemo, useRef, useState } from 'react';
import { DECISION_SPECS, TOGGLE_KEYS, type DecisionKey, type DecisionSpec } from '../../../../shared/cost/decisions.ts';
import type { Explanation, ScenarioResult } from '../../../../shared/cost/scenario.ts';
import type { ScenarioSummary } from '../../../../shared/cost/summary.ts';
import { drawingToSvg } from '../../../../shared/text/drawing.ts';
import { plural } from '../../../../shared/text/layout.ts';
import { drawingToPdf } from '../../../../shared/text/pdf.ts';
import { api } from '../../api/client.ts';
import { useWorkbench } from '../../app/workbench.tsx';
import { BarChart, Bridge, CHART_FONT, chartsToPng, engineColor, LineChart, saveBlob, svgToPng, useChartColors, useChartWidth } from '../../ui/charts.tsx';
import { downloadedText, ErrorBox, FileButton, Notice, ProgressBar, useJob, useNotice } from '../../ui/components.tsx';
import { countOf, formatCount, formatDate, formatMoney, formatPercent } from '../../ui/format.ts';
import { PresetComparison } from './PresetComparison.tsx';
import { summaryDrawing } from './summaryDrawing.ts';
import type { RecentSnapshot } from '../../../../shared/api/types.ts';
import { seriesGroups, seriesOf } from '../trends/groups.ts';

type Preset = 'report-07' | 'report-07-plan';
type Overrides = Partial<Record<DecisionKey, number | boolean | string>>;
type FleetChoice = 'reference' | 'snapshot';

interface SavedScenario {
  format: 'snapbench-scenario';
  version: 1;
  name: string;
  preset: Preset;
  fleet: FleetChoice;
  decisions: Overrides;
}

/** Decisions a preset change keeps: the scale is the user's question, not the preset's. */
const SCALE_KEYS: DecisionKey[] = ['stores', 'ordersPerStorePerDay'];

const GROUPS: { title: string; keys: DecisionKey[] }[] = [
  { title: 'Scale', keys: ['ordersPerStorePerDay'] },
  { title: "The report's savings (section 11)", keys: [...TOGGLE_KEYS] },
  { title: 'Redis', keys: ['redisClusters', 'redisPoolNodeClass', 'redisWorkloadsPerPool', 'redisReplicasPerShard', 'ttlEnforcement', 'redisEngineUpgrade'] },
  { title: 'MySQL', keys: ['mysqlRightSizing', 'mysqlRightSizeClass', 'mysqlConsolidation', 'mysqlTenantsPerHost', 'mysqlTenantHostClass', 'removeTestInstances', 'serverlessShare', 'archiveAfterDays', 'analyticsReadReplicas'] },
  { title: 'Commitments', keys: ['reservedCoverage', 'reservedTerm', 'reservedPayment'] },
];

const PRESET_LABELS: Record<Preset, string> = { 'report-07': 'As found', 'report-07-plan': "The report's plan" };
const ENGINE_NAMES: Record<string, string> = { mysql: 'MySQL', redis: 'Redis', postgres: 'PostgreSQL' };

function fileStem(name: string): string {
  return name.replace(/[^\p{L}\p{N}._-]+/gu, '_') || 'scenario';
}

/** Units as the decisions name them, with their singular (the plural rules pick one). */
const UNIT_ONE: Record<string, string> = { replicas: 'replica', clusters: 'cluster', workloads: 'workload', stores: 'store', 'databases/host': 'database/host' };

function valueLabel(spec: DecisionSpec, value: unknown): string {
  if (spec.kind === 'number') {
    const n = Number(value);
    if (spec.unit === 'share') return formatPercent(n);
    return `${formatCount(n)} ${plural(n, UNIT_ONE[spec.unit] ?? spec.unit, spec.unit)}`;
  }
  if (spec.kind === 'boolean') return value ? 'on' : 'off';
  return String(value);
}

function Control({ name, spec, value, max, onChange }: { name: DecisionKey; spec: DecisionSpec; value: unknown; max?: number; onChange: (v: number | boolean | string) => void }) {
  const id = `decision-${name}`;
  if (spec.kind === 'boolean') {
    return (
      <div className="control">
        <label htmlFor={id}>
          <input id={id} type="checkbox" checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} /> {spec.label}
        </label>
        <div className="muted small">{spec.description}</div>
      </div>
    );
  }
  if (spec.kind === 'choice') {
    return (
      <div className="control">
        <label htmlFor={id}>{spec.label}</label>
        <select id={id} value={String(value)} onChange={(e) => onChange(e.target.value)} title={spec.description}>
          {spec.choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </div>
    );
  }
  const top = max ?? spec.max;
  const step = spec.integer ? 1 : (top - spec.min) / 100;
  const numeric = Math.min(top, Number(value));
  return (
    <div className="control" title={spec.description}>
      <label htmlFor={id}>
        {spec.label}: <strong data-testid={`value-${name}`}>{valueLabel(spec, numeric)}</strong>
      </label>
      <input id={id} type="range" min={spec.min} max={top} step={step} value={numeric} onChange={(e) => onChange(spec.integer ? Math.round(Number(e.target.value)) : Number(e.target.value))} aria-valuetext={valueLabel(spec, numeric)} />
    </div>
  );
}

/** The store count: typed in a number box, or slid; a value outside 1–1000 is named, not applied. */
function StoreCount({ value, onChange }: { value: number; onChange: (stores: number) => void }) {
  const spec = DECISION_SPECS.stores as Extract<DecisionSpec, { kind: 'number' }>;
  const [text, setText] = useState(String(value));
  const focused = useRef(false);
  useEffect(() => {
    if (!focused.current) setText(String(value));
  }, [value]);
  const parsed = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  const valid = Number.isInteger(parsed) && parsed >= spec.min && parsed <= spec.max;
  return (
    <div className="store-count">
      <label htmlFor="store-count">Stores</label>
      <input
        id="store-count"
        className="store-count-box"
        type="number"
        inputMode="numeric"
        min={spec.min}
        max={spec.max}
        step={1}
        value={text}
        aria-invalid={!valid}
        aria-describedby={valid ? undefined : 'store-count-problem'}
        onFocus={() => (focused.current = true)}
        onBlur={() => {
          focused.current = false;
          setText(String(value));
        }}
        onChange={(e) => {
          setText(e.target.value);
          const n = Number(e.target.value);
          if (/^\d+$/.test(e.target.value) && n >= spec.min && n <= spec.max) onChange(n);
        }}
      />
      <input id="decision-stores" type="range" min={spec.min} max={spec.max} step={1} value={value} onChange={(e) => onChange(Math.round(Number(e.target.value)))} aria-label="Stores (slider)" aria-valuetext={countOf(value, 'store', 'stores')} />
      {!valid && (
        <span id="store-count-problem" className="bad small" role="alert">
          Type a whole number from {spec.min} to {formatCount(spec.max)}.
        </span>
      )}
    </div>
  );
}

function Why({ explanation, label }: { explanation: Explanation; label?: string }) {
  return (
    <details className="why">
      <summary>Why this number? ({label ?? explanation.label})</summary>
      <div className="small">
        <div>
          <strong>{explanation.label}</strong>
        </div>
        <div className="mono">{explanation.formula}</div>
        <div className="mono">{explanation.worked}</div>
        {explanation.note && <div className="muted">{explanation.note}</div>}
        {explanation.assumptions.length > 0 && <div className="muted">Rests on: {explanation.assumptions.join(', ')}</div>}
      </div>
    </details>
  );
}

/** The `snapbench scenario` command that prints the same figures. */
function cliCommand(preset: Preset, stores: number, fileName: string | null): string {
  return `snapbench scenario --preset ${preset} --stores ${stores}${fileName ? ` --snapshot ${fileName}` : ''} --format json`;
}

function Figure({ id, figure, reference, emphasis }: { id: string; figure: ScenarioSummary['today']; reference: ScenarioSummary['today'] | null; emphasis?: boolean }) {
  const label = figure.label.charAt(0).toUpperCase() + figure.label.slice(1);
  return (
    <div className={`figure${emphasis ? ' emphasis' : ''}`} data-testid={`figure-${id}`}>
      <div className="figure-label">{label}</div>
      <div className="figure-total">
        <span data-testid={`figure-${id}-total`}>{formatMoney(figure.total)}</span> <span className="figure-unit">a month</span>
      </div>
      <div className="figure-per-store">
        <span data-testid={`figure-${id}-per-store`}>{formatMoney(figure.perStore)}</span> <span className="figure-unit">per store</span>
      </div>
      {reference && (
        <div className="figure-reference small muted" title="The same question on the report's fleet (the preset), for comparison">
          Report's fleet: {formatMoney(reference.total)} · {formatMoney(reference.perStore)} per store
        </div>
      )}
    </div>
  );
}

function SummaryCard({
  summary,
  reference,
  busy,
  onPng,
  onPdf,
}: {
  summary: ScenarioSummary;
  reference: ScenarioSummary | null;
  busy: boolean;
  onPng: () => void;
  onPdf: () => void;
}) {
  const [showAll, setShowAll] = useState(false);
  const shown = showAll ? summary.savings : summary.savings.slice(0, 3);
  const largest = Math.max(1, ...summary.savings.map((s) => s.saved), ...summary.costs.map((c) => -c.saved));
  const stores = summary.chosen.stores;
  return (
    <section className="panel summary-card" aria-labelledby="summary-heading" aria-busy={busy} data-testid="scenario-summary">
      <div className="row space-between wrap gap">
        <h2 id="summary-heading">
          What the fleet costs at {formatCount(stores)} {plural(stores, 'store', 'stores')}
        </h2>
        <div className="row gap">
          <button type="button" className="secondary" onClick={onPng} aria-label="Export the summary as PNG">
            PNG
          </button>
          <button type="button" className="secondary" onClick={onPdf} aria-label="Export the summary as PDF">
            PDF
          </button>
        </div>
      </div>
      <div className="figures">
        <Figure id="today" figure={summary.today} reference={reference?.today ?? null} />
        <Figure id="as-is" figure={summary.asIs} reference={reference?.asIs ?? null} />
        <Figure id="chosen" figure={summary.chosen} reference={reference?.chosen ?? null} emphasis />
      </div>
      {stores === summary.target.stores && (
        <p className={summary.target.within ? 'good small' : 'warn-text small'} data-testid="summary-target">
          {summary.target.within ? 'Within' : 'Outside'} the report's target of ${summary.target.from}–${summary.target.to} a store at {summary.target.stores} stores.
        </p>
      )}
      {summary.savings.length === 0 && summary.costs.length === 0 ? (
        <p className="muted">No decision changes the cost yet: pick “The report's plan”, or turn on a decision below.</p>
      ) : (
        <>
          <h3>
            Savings at {formatCount(stores)} {plural(stores, 'store', 'stores')}: <span data-testid="summary-saved">{formatMoney(summary.saved)}</span> a month
            {summary.asIs.total > 0 ? ` (${formatPercent(summary.saved / summary.asIs.total)} of the cost as is)` : ''}
          </h3>
          <ol className="savings" aria-label="Savings, largest first">
            {shown.map((s, i) => (
              <li key={s.step} data-testid="summary-saving">
                <span className="saving-rank" aria-hidden="true">
                  {i + 1}.
                </span>
                <span className="saving-label">{s.label}</span>
                <span className="saving-track" aria-hidden="true">
                  <span className="saving-fill good" style={{ width: `${(s.saved / largest) * 100}%` }} />
                </span>
                <span className="saving-amount" data-testid="summary-saving-amount">
                  {formatMoney(s.saved)}
                </span>
              </li>
            ))}
          </ol>
          {summary.costs.map((c) => (
            <div key={c.step} className="saving-cost" data-testid="summary-cost">
              <span className="saving-rank" aria-hidden="true" />
              <span className="saving-label">{c.label} (adds cost)</span>
              <span className="saving-track" aria-hidden="true">
                <span className="saving-fill warn" style={{ width: `${(-c.saved / largest) * 100}%` }} />
              </span>
              <span className="saving-amount">+{formatMoney(-c.saved)}</span>
            </div>
          ))}
          {summary.savings.length > 3 && (
            <button type="button" className="quiet small" aria-expanded={showAll} onClick={() => setShowAll((v) => !v)}>
              {showAll ? 'Show the top 3' : `Show all ${summary.savings.length} savings`}
            </button>
          )}
        </>
      )}
    </section>
  );
}

interface KeptState {
  preset: Preset;
  overrides: Overrides;
  fleetPick: { snapshotId: string | null; choice: FleetChoice } | null;
  name: string;
}

const KEPT_KEY = 'snapbench-scenario';

/** The scenario as the user left it, for this tab: leaving the view and coming back keeps the question. */
function keptState(): KeptState {
  try {
    const kept = JSON.parse(sessionStorage.getItem(KEPT_KEY) ?? 'null') as Partial<KeptState> | null;
    if (kept && (kept.preset === 'report-07' || kept.preset === 'report-07-plan') && typeof kept.overrides === 'object' && kept.overrides !== null) {
      return { preset: kept.preset, overrides: kept.overrides, fleetPick: kept.fleetPick ?? null, name: typeof kept.name === 'string' ? kept.name : 'My scenario' };
    }
  } catch {
    // A malformed entry is ignored.
  }
  return { preset: 'report-07', overrides: {}, fleetPick: null, name: 'My scenario' };
}

export function ScenarioView() {
  const wb = useWorkbench();
  const colors = useChartColors();
  const [kept] = useState(keptState);
  const [preset, setPreset] = useState<Preset>(kept.preset);
  // The open snapshot's fleet unless the user picked the report's (remembered per snapshot).
  const [fleetPick, setFleetPick] = useState<{ snapshotId: string | null; choice: FleetChoice } | null>(kept.fleetPick);
  const fleet: FleetChoice = fleetPick && fleetPick.snapshotId === (wb.current?.id ?? null) ? fleetPick.choice : wb.current ? 'snapshot' : 'reference';
  const [overrides, setOverrides] = useState<Overrides>(kept.overrides);
  const [name, setName] = useState(kept.name);
  useEffect(() => {
    sessionStorage.setItem(KEPT_KEY, JSON.stringify({ preset, overrides, fleetPick, name } satisfies KeptState));
  }, [preset, overrides, fleetPick, name]);
  const [fromTen, setFromTen] = useState(true);
  const job = useJob<ScenarioResult, never>();
  const summaryJob = useJob<{ summary: ScenarioSummary; reference: ScenarioSummary | null }, never>();
  const { run } = job;
  const runSummary = summaryJob.run;
  const engineRef = useRef<SVGSVGElement>(null);
  const waterfallRef = useRef<SVGSVGElement>(null);
  const curveRef = useRef<SVGSVGElement>(null);
  const [exportError, setExportError] = useState<unknown>(null);
  const notice = useNotice();
  const [enginePanel, engineWidth] = useChartWidth(480);
  const [curvePanel, curveWidth] = useChartWidth(480);
  const [bridgePanel, bridgeWidth] = useChartWidth(860, 420);
  const snapshotId = fleet === 'snapshot' ? (wb.current?.id ?? null) : null;
  // The series the current snapshot belongs to (recent snapshots of its fleet), for "use measured growth".
  const [recent, setRecent] = useState<RecentSnapshot[]>([]);
  useEffect(() => {
    api.invoke('recent/list', {}).then(setRecent, () => setRecent([]));
  }, [wb.snapshots.length]);
  const series = useMemo(() => seriesOf(seriesGroups(recent), wb.current?.path), [recent, wb.current?.path]);
  const [measuredGrowth, setMeasuredGrowth] = useState(false);
  const seriesPaths = measuredGrowth && series ? series.paths.join('\n') : null;

  useEffect(() => {
    const series = seriesPaths ? seriesPaths.split('\n') : null;
    void run((signal) => api.invoke('scenario/compute', { preset, decisions: overrides, snapshotId, series }, { signal }));
    void runSummary((signal) => api.invoke('scenario/summary', { preset, decisions: overrides, snapshotId, series }, { signal }));
  }, [run, runSummary, preset, overrides, snapshotId, seriesPaths]);

  const result = job.result;
  const summary = summaryJob.result?.summary ?? null;
  const reference = summaryJob.result?.reference ?? null;
  const stores = Number(overrides.stores ?? result?.decisions.stores ?? DECISION_SPECS.stores.fallback);
  const curve = useMemo(() => (result?.curve ?? []).filter((p) => !fromTen || p.stores >= 10 || p.stores === result?.stores).map((p) => ({ x: p.stores, y: p.perStore })), [result, fromTen]);

  const set = (key: DecisionKey, value: number | boolean | string) => setOverrides((o) => ({ ...o, [key]: value }));
  const choosePreset = (next: Preset) => {
    setPreset(next);
    // Keep the user's scale (stores, orders); drop decisions made for the other preset.
    setOverrides((o) => Object.fromEntries(Object.entries(o).filter(([key]) => SCALE_KEYS.includes(key as DecisionKey))) as Overrides);
  };
  const fleetLabel = snapshotId && wb.current ? `the fleet measured in ${wb.current.fileName}` : "the report's fleet";
  const save = () => {
    const saved: SavedScenario = { format: 'snapbench-scenario', version: 1, name, preset, fleet, decisions: overrides };
    notice.show(downloadedText(saveBlob(new Blob([JSON.stringify(saved, null, 2)], { type: 'application/json' }), `${fileStem(name)}.scenario.json`)));
  };
  const load = async (file: File) => {
    try {
      const saved = JSON.parse(await file.text()) as SavedScenario;
      if (saved.format !== 'snapbench-scenario') throw new Error(`${file.name} is not a saved Snapbench scenario`);
      setPreset(saved.preset === 'report-07-plan' ? 'report-07-plan' : 'report-07');
      setFleetPick({ snapshotId: wb.current?.id ?? null, choice: saved.fleet === 'snapshot' && wb.current ? 'snapshot' : 'reference' });
      setOverrides(saved.decisions ?? {});
      setName(saved.name ?? file.name);
      notice.show(`Loaded ${file.name}`);
    } catch (error) {
      setExportError(error);
    }
  };
  const drawing = () =>
    summaryDrawing(summary!, {
      fleet: snapshotId && wb.current ? `Fleet measured in ${wb.current.fileName}` : "The report's fleet (preset)",
      made: `made ${formatDate(new Date().toISOString())}`,
      command: cliCommand(preset, stores, snapshotId && wb.current ? wb.current.fileName : null),
    });
  const exportSummaryPng = async () => {
    try {
      const d = drawing();
      const blob = await svgToPng(drawingToSvg(d, CHART_FONT), d.width, d.height);
      notice.show(downloadedText(saveBlob(blob, `${fileStem(name)}-summary.png`)));
    } catch (error) {
      setExportError(error);
    }
  };
  const exportSummaryPdf = () => {
    try {
      const bytes = drawingToPdf(drawing(), { title: `${name}: fleet cost at ${countOf(stores, 'store', 'stores')}`, creator: `Snapbench ${wb.info?.version ?? ''}`.trim() });
      notice.show(downloadedText(saveBlob(new Blob([bytes], { type: 'application/pdf' }), `${fileStem(name)}-summary.pdf`)));
    } catch (error) {
      setExportError(error);
    }
  };
  const exportChartsPng = async () => {
    try {
      const svgs = [engineRef.current, waterfallRef.current, curveRef.current].filter((s): s is SVGSVGElement => s !== null);
      const blob = await chartsToPng(svgs, `${name}: ${PRESET_LABELS[preset].toLowerCase()}, ${result ? countOf(result.stores, 'store', 'stores') : ''}, ${result ? formatMoney(result.monthly.total) : ''} a month`, colors.background, colors.text);
      notice.show(downloadedText(saveBlob(blob, `${fileStem(name)}-charts.png`)));
    } catch (error) {
      setExportError(error);
    }
  };

  return (
    <div className="scenario" data-testid="scenario-view">
      <h1>Scenarios</h1>
      <section className="panel scenario-bar" aria-label="The question">
        <StoreCount value={stores} onChange={(n) => set('stores', n)} />
        <div className="segmented" role="radiogroup" aria-label="Decisions">
          {(['report-07', 'report-07-plan'] as const).map((p) => (
            <button key={p} type="button" role="radio" aria-checked={preset === p} className={preset === p ? 'segment active' : 'segment'} onClick={() => choosePreset(p)} title={p}>
              {PRESET_LABELS[p]}
            </button>
          ))}
        </div>
        <label className="row gap">
          Fleet
          <select value={fleet} onChange={(e) => setFleetPick({ snapshotId: wb.current?.id ?? null, choice: e.target.value as FleetChoice })} aria-label="Fleet">
            <option value="snapshot" disabled={!wb.current}>
              {wb.current ? `measured in ${wb.current.fileName}` : 'a snapshot (open one first)'}
            </option>
            <option value="reference">the report's fleet (preset)</option>
          </select>
        </label>
        <label title={series ? `${series.snapshots.length} snapshots of ${series.fleetName ?? 'this fleet'}` : 'open two or more snapshots of this fleet to measure its growth'}>
          <input type="checkbox" checked={measuredGrowth && series !== null} disabled={!series} onChange={(e) => setMeasuredGrowth(e.target.checked)} data-testid="measured-growth-switch" /> Use measured growth
          {series ? ` (${series.snapshots.length} snapshots)` : ''}
        </label>
        <Notice text={notice.notice} />
      </section>
      {job.error ? <ErrorBox error={job.error} onDismiss={job.clear} /> : null}
      {summaryJob.error && !job.error ? <ErrorBox error={summaryJob.error} onDismiss={summaryJob.clear} /> : null}
      {exportError ? <ErrorBox error={exportError} onDismiss={() => setExportError(null)} /> : null}
      {summary ? (
        <SummaryCard summary={summary} reference={reference} busy={summaryJob.running} onPng={() => void exportSummaryPng()} onPdf={exportSummaryPdf} />
      ) : (
        <ProgressBar progress={null} label="Computing…" />
      )}
      {snapshotId && wb.current && result ? <PresetComparison snapshotId={snapshotId} fileName={wb.current.fileName} preset={preset} decisions={overrides as Record<string, number | boolean | string>} measured={result} /> : null}
      <div className="scenario-body">
        <section className="panel controls" aria-label="Decisions" tabIndex={0}>
          <div className="row gap wrap controls-head">
            <label className="grow">
              Name <input className="scenario-name" value={name} onChange={(e) => setName(e.target.value)} aria-label="Scenario name" />
            </label>
            <button type="button" className="secondary" onClick={save}>
              Save…
            </button>
            <FileButton label="Load…" accept=".json" onFile={(f) => void load(f)} />
            <button type="button" className="quiet" onClick={() => setOverrides((o) => Object.fromEntries(Object.entries(o).filter(([key]) => SCALE_KEYS.includes(key as DecisionKey))) as Overrides)} disabled={Object.keys(overrides).every((k) => SCALE_KEYS.includes(k as DecisionKey))}>
              Undo my changes
            </button>
          </div>
          {GROUPS.map((g) => (
            <fieldset key={g.title}>
              <legend>{g.title}</legend>
              {g.keys.map((key) => (
                <Control
                  key={key}
                  name={key}
                  spec={DECISION_SPECS[key]}
                  value={overrides[key] ?? result?.decisions[key] ?? DECISION_SPECS[key].fallback}
                  max={key === 'redisClusters' ? Math.max(1, result?.fleet.measured.redis ?? 78) : undefined}
                  onChange={(v) => set(key, v)}
                />
              ))}
            </fieldset>
          ))}
        </section>
        <section className="results" aria-label="Cost in detail" aria-busy={job.running}>
          {!result ? (
            <ProgressBar progress={null} label="Computing…" />
          ) : (
            <>
              <div className="panel">
                <div className="row space-between wrap gap">
                  <h2>
                    {formatMoney(result.monthly.total)} a month · {formatMoney(result.monthly.perStore)} per store
                  </h2>
                  <button type="button" className="secondary" onClick={() => void exportChartsPng()}>
                    Export the charts as PNG
                  </button>
                </div>
                <p className="muted small">
                  {PRESET_LABELS[preset]} with your changes, {formatCount(result.stores)} {plural(result.stores, 'store', 'stores')}, on {fleetLabel} (measured at {formatCount(result.fleet.measuredStores)}{' '}
                  {plural(result.fleet.measuredStores, 'store', 'stores')}).
                </p>
                {result.assumptions.growth ? (
                  <p className="small" data-testid="growth-source">
                    {String(result.assumptions.growth.source)}
                  </p>
                ) : null}
                <Why explanation={result.explanations.total} label="the monthly cost" />
                <Why explanation={result.explanations.perStore} label="the cost per store" />
                <details className="why">
                  <summary>How the figures are rounded</summary>
                  <div className="small">{result.rounding}</div>
                </details>
              </div>
              <div className="chart-grid">
                <div className="panel" ref={enginePanel}>
                  <BarChart
                    svgRef={engineRef}
                    title="Monthly cost by engine"
                    unit="USD per month"
                    bars={Object.entries(result.monthly.byEngine).map(([engine, v]) => ({
                      label: `${ENGINE_NAMES[engine] ?? engine} (${formatCount(result.instances[engine as 'mysql'])} ${plural(result.instances[engine as 'mysql'], 'instance', 'instances')})`,
                      value: v,
                      color: engineColor(colors, engine),
                    }))}
                    labelWidth={170}
                    format={(n) => formatMoney(n)}
                    width={engineWidth}
                  />
                  {Object.entries(result.explanations.byEngine).map(([engine, e]) => (
                    <Why key={engine} explanation={e} />
                  ))}
                </div>
                <div className="panel" ref={curvePanel}>
                  <LineChart
                    svgRef={curveRef}
                    title="Cost per store by store count"
                    xLabel="stores (logarithmic scale)"
                    yLabel="USD per store per month"
                    points={curve}
                    format={(n) => formatMoney(n)}
                    marker={result.stores}
                    band={preset === 'report-07-plan' || result.stores >= 100 ? { from: 250, to: 400, label: "report's target: $250–$400 a store" } : undefined}
                    width={curveWidth}
                  />
                  <label className="small">
                    <input type="checkbox" checked={!fromTen} onChange={(e) => setFromTen(!e.target.checked)} /> Include 1 and 8 stores (their high cost per store flattens the rest)
                  </label>
                </div>
              </div>
              <div className="panel" ref={bridgePanel}>
                {summary && summary.savings.length + summary.costs.length > 0 ? (
                  <Bridge
                    svgRef={waterfallRef}
                    title={`From ${formatMoney(result.savings.baseline)} as is to ${formatMoney(result.monthly.total)}: each decision's saving`}
                    start={result.savings.baseline}
                    startLabel={`${countOf(result.stores, 'store', 'stores')} as is`}
                    steps={result.savings.steps.filter((s) => Math.round(s.saved * 100) !== 0)}
                    end={result.monthly.total}
                    endLabel="With the decisions"
                    format={(n) => formatMoney(n)}
                    width={bridgeWidth}
                  />
                ) : (
                  <p className="muted">No decision changes the cost yet, so there is no saving to chart.</p>
                )}
                <details>
                  <summary>Each decision, and why it saves what it saves</summary>
                  <ul>
                    {result.savings.steps
                      .filter((s) => Math.round(s.saved * 100) !== 0)
                      .map((s) => (
                        <li key={s.step}>
                          <strong>{s.label}</strong>: {formatMoney(s.before)} → {formatMoney(s.after)} ({s.saved >= 0 ? `saves ${formatMoney(s.saved)}` : `adds ${formatMoney(-s.saved)}`})
                          <Why explanation={s.explanation} />
                        </li>
                      ))}
                  </ul>
                </details>
              </div>
              <div className="panel">
                <h3>Line items</h3>
                <div className="table-scroll tall" tabIndex={0} role="region" aria-label="Line items">
                  <table className="plain">
                    <thead>
                      <tr>
                        <th scope="col">engine</th>
                        <th scope="col">item</th>
                        <th scope="col" className="num">
                          per month
                        </th>
                        <th scope="col">how it is computed</th>
                      </tr>
                    </thead>
                    <tbody>
                      {result.lineItems
                        .filter((l) => l.monthly !== 0)
                        .map((l) => (
                          <tr key={`${l.engine}-${l.item}`}>
                            <td>{ENGINE_NAMES[l.engine] ?? l.engine}</td>
                            <td>{l.explanation.label}</td>
                            <td className="num">{formatMoney(l.monthly, true)}</td>
                            <td className="small">
                              <details>
                                <summary>formula</summary>
                                <span className="mono">{l.explanation.worked}</span>
                              </details>
                            </td>
                          </tr>
                        ))}
                    </tbody>
                  </table>
                </div>
              </div>
            </>
          )}
        </section>
      </div>
    </div>
  );
}
