// Cost scenarios: a preset, the decisions as sliders, and what the fleet costs
// per month and per store: by engine, the savings waterfall, the cost-per-store
// curve, and "why this number" for every figure. Scenarios save and load as
// JSON; the charts export as one PNG.
import { useEffect, useMemo, useRef, useState } from 'react';
import { DECISION_SPECS, TOGGLE_KEYS, type DecisionKey, type DecisionSpec } from '../../../../shared/cost/decisions.ts';
import type { Explanation, ScenarioResult } from '../../../../shared/cost/scenario.ts';
import { api } from '../../api/client.ts';
import { useWorkbench } from '../../app/workbench.tsx';
import { BarChart, chartsToPng, LineChart, saveBlob, useChartColors, Waterfall } from '../../ui/charts.tsx';
import { ErrorBox, ProgressBar, Stat, useJob } from '../../ui/components.tsx';
import { formatCount, formatMoney, formatPercent } from '../../ui/format.ts';
import { PresetComparison } from './PresetComparison.tsx';
import type { RecentSnapshot } from '../../../../shared/api/types.ts';
import { seriesGroups, seriesOf } from '../trends/groups.ts';

type Preset = 'report-07' | 'report-07-plan';
type Overrides = Partial<Record<DecisionKey, number | boolean | string>>;

interface SavedScenario {
  format: 'snapbench-scenario';
  version: 1;
  name: string;
  preset: Preset;
  fleet: 'reference' | 'snapshot';
  decisions: Overrides;
}

const GROUPS: { title: string; keys: DecisionKey[] }[] = [
  { title: 'Scale', keys: ['stores', 'ordersPerStorePerDay'] },
  { title: 'Report section 11 savings', keys: [...TOGGLE_KEYS] },
  { title: 'Redis', keys: ['redisClusters', 'redisPoolNodeClass', 'redisWorkloadsPerPool', 'redisReplicasPerShard', 'ttlEnforcement', 'redisEngineUpgrade'] },
  { title: 'MySQL', keys: ['mysqlRightSizing', 'mysqlRightSizeClass', 'mysqlConsolidation', 'mysqlTenantsPerHost', 'mysqlTenantHostClass', 'removeTestInstances', 'serverlessShare', 'archiveAfterDays', 'analyticsReadReplicas'] },
  { title: 'Commitments', keys: ['reservedCoverage', 'reservedTerm', 'reservedPayment'] },
];

function valueLabel(spec: DecisionSpec, value: unknown): string {
  if (spec.kind === 'number') {
    const n = Number(value);
    if (spec.unit === 'share') return formatPercent(n);
    return `${formatCount(n)} ${spec.unit}`;
  }
  if (spec.kind === 'boolean') return value ? 'on' : 'off';
  return String(value);
}

function Control({ name, spec, value, max, onChange }: { name: DecisionKey; spec: DecisionSpec; value: unknown; max?: number; onChange: (v: number | boolean | string) => void }) {
  const id = `decision-${name}`;
  if (spec.kind === 'boolean') {
    return (
      <div className="control" title={spec.description}>
        <label htmlFor={id}>
          <input id={id} type="checkbox" checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} /> {spec.label}
        </label>
        <div className="muted small">{spec.description}</div>
      </div>
    );
  }
  if (spec.kind === 'choice') {
    return (
      <div className="control" title={spec.description}>
        <label htmlFor={id}>{spec.label}</label>
        <select id={id} value={String(value)} onChange={(e) => onChange(e.target.value)}>
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

function Why({ explanation }: { explanation: Explanation }) {
  return (
    <details className="why">
      <summary>Why this number? ({explanation.label})</summary>
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

export function ScenarioView() {
  const wb = useWorkbench();
  const colors = useChartColors();
  const [preset, setPreset] = useState<Preset>('report-07');
  const [fleet, setFleet] = useState<'reference' | 'snapshot'>('reference');
  const [overrides, setOverrides] = useState<Overrides>({});
  const [name, setName] = useState('My scenario');
  const job = useJob<ScenarioResult, never>();
  const { run } = job;
  const engineRef = useRef<SVGSVGElement>(null);
  const waterfallRef = useRef<SVGSVGElement>(null);
  const curveRef = useRef<SVGSVGElement>(null);
  const [pngError, setPngError] = useState<unknown>(null);
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
    void run((signal) => api.invoke('scenario/compute', { preset, decisions: overrides, snapshotId, series: seriesPaths ? seriesPaths.split('\n') : null }, { signal }));
  }, [run, preset, overrides, snapshotId, seriesPaths]);

  const result = job.result;
  const engineColor = (engine: string) => (engine === 'mysql' ? colors.mysql : engine === 'redis' ? colors.redis : colors.postgres);
  const curve = useMemo(() => result?.curve.map((p) => ({ x: p.stores, y: p.perStore })) ?? [], [result]);

  const set = (key: DecisionKey, value: number | boolean | string) => setOverrides((o) => ({ ...o, [key]: value }));
  const save = () => {
    const saved: SavedScenario = { format: 'snapbench-scenario', version: 1, name, preset, fleet, decisions: overrides };
    saveBlob(new Blob([JSON.stringify(saved, null, 2)], { type: 'application/json' }), `${name.replace(/[^\p{L}\p{N}._-]+/gu, '_') || 'scenario'}.scenario.json`);
  };
  const load = async (file: File) => {
    try {
      const saved = JSON.parse(await file.text()) as SavedScenario;
      if (saved.format !== 'snapbench-scenario') throw new Error(`${file.name} is not a saved Snapbench scenario`);
      setPreset(saved.preset === 'report-07-plan' ? 'report-07-plan' : 'report-07');
      setFleet(saved.fleet === 'snapshot' && wb.current ? 'snapshot' : 'reference');
      setOverrides(saved.decisions ?? {});
      setName(saved.name ?? file.name);
    } catch (error) {
      setPngError(error);
    }
  };
  const exportPng = async () => {
    try {
      const svgs = [engineRef.current, waterfallRef.current, curveRef.current].filter((s): s is SVGSVGElement => s !== null);
      const blob = await chartsToPng(svgs, `${name} — ${preset}, ${result ? formatCount(result.stores) : ''} stores: ${result ? formatMoney(result.monthly.total) : ''}/month`, colors.background, colors.text);
      saveBlob(blob, `${name.replace(/[^\p{L}\p{N}._-]+/gu, '_') || 'scenario'}.png`);
    } catch (error) {
      setPngError(error);
    }
  };

  return (
    <div className="scenario" data-testid="scenario-view">
      <h1>Scenarios</h1>
      <section className="panel row gap wrap">
        <label>
          Preset{' '}
          <select value={preset} onChange={(e) => { setPreset(e.target.value as Preset); setOverrides({}); }} aria-label="Preset">
            <option value="report-07">report-07 (as found)</option>
            <option value="report-07-plan">report-07-plan (recommended decisions)</option>
          </select>
        </label>
        <label>
          Fleet{' '}
          <select value={fleet} onChange={(e) => setFleet(e.target.value as 'reference' | 'snapshot')} aria-label="Fleet">
            <option value="reference">the report’s fleet</option>
            <option value="snapshot" disabled={!wb.current}>
              {wb.current ? `measured in ${wb.current.fileName}` : 'a snapshot (open one first)'}
            </option>
          </select>
        </label>
        <label title={series ? `${series.snapshots.length} snapshots of ${series.fleetName ?? 'this fleet'}` : 'open two or more snapshots of this fleet to measure its growth'}>
          <input type="checkbox" checked={measuredGrowth && series !== null} disabled={!series} onChange={(e) => setMeasuredGrowth(e.target.checked)} data-testid="measured-growth-switch" /> Use measured growth
          {series ? ` (${series.snapshots.length} snapshots)` : ''}
        </label>
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Scenario name" />
        </label>
        <button type="button" onClick={save}>
          Save…
        </button>
        <label className="file-button">
          Load…
          <input type="file" accept=".json" className="visually-hidden" onChange={(e) => { const f = e.target.files?.[0]; if (f) void load(f); e.target.value = ''; }} />
        </label>
        <button type="button" onClick={() => setOverrides({})} disabled={Object.keys(overrides).length === 0}>
          Reset to preset
        </button>
        <button type="button" onClick={() => void exportPng()} disabled={!result}>
          Export PNG
        </button>
      </section>
      {job.error ? <ErrorBox error={job.error} onDismiss={job.clear} /> : null}
      {pngError ? <ErrorBox error={pngError} onDismiss={() => setPngError(null)} /> : null}
      <div className="scenario-body">
        <section className="panel controls" aria-label="Decisions">
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
        <section className="results" aria-label="Cost" aria-busy={job.running}>
          {!result ? (
            <ProgressBar progress={null} label="Computing…" />
          ) : (
            <>
              <div className="panel">
                <div className="stats big">
                  <Stat label="per month" value={<span data-testid="monthly-total">{formatMoney(result.monthly.total)}</span>} />
                  <Stat label="per store per month" value={<span data-testid="per-store">{formatMoney(result.monthly.perStore)}</span>} />
                  <Stat label="stores" value={formatCount(result.stores)} />
                  {Object.entries(result.monthly.byEngine).map(([engine, v]) => (
                    <Stat key={engine} label={`${engine} (${formatCount(result.instances[engine as 'mysql'])} instances)`} value={formatMoney(v)} />
                  ))}
                </div>
                <Why explanation={result.explanations.total} />
                <Why explanation={result.explanations.perStore} />
                <p className="muted small">{result.rounding}</p>
                <p className="muted small">Fleet: {result.fleet.source}; measured at {formatCount(result.fleet.measuredStores)} stores.</p>
                {result.assumptions.growth ? (
                  <p className="small" data-testid="growth-source">
                    {String(result.assumptions.growth.source)}
                  </p>
                ) : null}
              </div>
              {snapshotId && wb.current ? <PresetComparison snapshotId={snapshotId} fileName={wb.current.fileName} preset={preset} decisions={overrides as Record<string, number | boolean | string>} measured={result} /> : null}
              <div className="chart-grid">
                <div className="panel">
                  <BarChart svgRef={engineRef} title="Monthly cost by engine" bars={Object.entries(result.monthly.byEngine).map(([engine, v]) => ({ label: engine, value: v, color: engineColor(engine) }))} format={(n) => formatMoney(n)} width={460} />
                  {Object.entries(result.explanations.byEngine).map(([engine, e]) => (
                    <Why key={engine} explanation={e} />
                  ))}
                </div>
                <div className="panel">
                  <LineChart
                    svgRef={curveRef}
                    title="Cost per store by store count"
                    xLabel="stores (log scale)"
                    points={curve}
                    format={(n) => formatMoney(n)}
                    marker={result.stores}
                    band={preset === 'report-07-plan' || result.stores >= 100 ? { from: 250, to: 400, label: 'report target $250–$400/store' } : undefined}
                    width={460}
                  />
                </div>
              </div>
              <div className="panel">
                {result.savings.steps.length > 0 ? (
                  <Waterfall svgRef={waterfallRef} title={`Savings: ${formatMoney(result.savings.saved)}/month from the decisions`} start={result.savings.baseline} steps={result.savings.steps} end={result.monthly.total} format={(n) => formatMoney(n)} width={860} />
                ) : (
                  <p className="muted">No decision changes the cost yet: move a slider or pick the report-07-plan preset to see the savings waterfall.</p>
                )}
                <details>
                  <summary>Each step</summary>
                  <ul>
                    {result.savings.steps.map((s) => (
                      <li key={s.step}>
                        <strong>{s.label}</strong>: {formatMoney(s.before)} → {formatMoney(s.after)} ({formatMoney(s.saved)} saved)
                        <Why explanation={s.explanation} />
                      </li>
                    ))}
                  </ul>
                </details>
              </div>
              <div className="panel">
                <h3>Line items</h3>
                <div className="table-scroll tall">
                  <table className="plain" aria-label="Line items">
                    <thead>
                      <tr>
                        <th>engine</th>
                        <th>item</th>
                        <th className="num">per month</th>
                        <th>how</th>
                      </tr>
                    </thead>
                    <tbody>
                      {result.lineItems
                        .filter((l) => l.monthly !== 0)
                        .map((l) => (
                          <tr key={`${l.engine}-${l.item}`}>
                            <td>{l.engine}</td>
                            <td>{l.item}</td>
                            <td className="num">{formatMoney(l.monthly, true)}</td>
                            <td className="small mono">{l.explanation.worked}</td>
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
