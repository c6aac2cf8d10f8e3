// The preset's answer beside a snapshot's, for the same decisions, and the
// inputs of the cost model on which the snapshot's fleet differs from the
// preset's: an executive who sees two numbers also sees why they differ.
import { useEffect, useState } from 'react';
import type { FleetComparison, FleetDifference } from '../../../../shared/cost/fleetDifferences.ts';
import type { ScenarioResult } from '../../../../shared/cost/scenario.ts';
import { api } from '../../api/client.ts';
import { ErrorBox } from '../../ui/components.tsx';
import { countOf, formatMoney, formatNumber, formatPercent } from '../../ui/format.ts';

type Decisions = Record<string, number | boolean | string>;

const ENGINE_NAMES = { mysql: 'MySQL', redis: 'Redis', postgres: 'PostgreSQL' } as const;

/** Rows shown before the rest are left to the JSON export of the comparison. */
const SHOWN_DIFFERENCES = 200;

function valueText(value: FleetDifference['preset']): string {
  if (value === null) return '—';
  if (typeof value === 'number') return formatNumber(value);
  return String(value);
}

export function PresetComparison({ snapshotId, fileName, preset, decisions, measured }: { snapshotId: string; fileName: string; preset: 'report-07' | 'report-07-plan'; decisions: Decisions; measured: ScenarioResult }) {
  const [reference, setReference] = useState<ScenarioResult | null>(null);
  const [comparison, setComparison] = useState<FleetComparison | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const controller = new AbortController();
    api
      .invoke('scenario/compute', { preset, decisions, snapshotId: null }, { signal: controller.signal })
      .then(setReference, (e: unknown) => !controller.signal.aborted && setError(e));
    return () => controller.abort();
  }, [preset, decisions]);

  useEffect(() => {
    const controller = new AbortController();
    api.invoke('scenario/compare', { snapshotId }, { signal: controller.signal }).then(setComparison, (e: unknown) => !controller.signal.aborted && setError(e));
    return () => controller.abort();
  }, [snapshotId]);

  if (error) return <ErrorBox error={error} onDismiss={() => setError(null)} />;
  if (!reference) return null;
  const rows: [string, number, number][] = [
    ['per month', reference.monthly.total, measured.monthly.total],
    ['per store per month', reference.monthly.perStore, measured.monthly.perStore],
    ...(['mysql', 'redis', 'postgres'] as const).map((e): [string, number, number] => [ENGINE_NAMES[e], reference.monthly.byEngine[e], measured.monthly.byEngine[e]]),
  ];
  const differences = comparison?.differences ?? [];
  return (
    <section className="panel" aria-label="Preset and snapshot side by side" data-testid="preset-comparison">
      <h3>Preset and snapshot side by side</h3>
      <table className="plain">
        <caption className="visually-hidden">Monthly cost of the report's fleet and of the fleet measured in {fileName}, with the same decisions</caption>
        <thead>
          <tr>
            <th scope="col" />
            <th scope="col" className="num">
              report’s fleet ({preset})
            </th>
            <th scope="col" className="num">
              measured in {fileName}
            </th>
            <th scope="col" className="num">
              difference
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, a, b]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td className="num">{formatMoney(a)}</td>
              <td className="num">{formatMoney(b)}</td>
              <td className="num">{a === 0 ? '—' : Math.abs(b - a) < 0.005 ? 'same' : formatPercent((b - a) / a)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {comparison && (
        <details>
          <summary data-testid="differing-inputs">
            {differences.length === 0 ? 'No input of the cost model differs from the preset' : `${differences.length} inputs differ from the preset`}
            {comparison.measuredStores.preset !== comparison.measuredStores.other ? `; measured at ${countOf(comparison.measuredStores.other, 'store', 'stores')} (preset ${comparison.measuredStores.preset})` : ''}
          </summary>
          {differences.length > 0 && (
            <div className="table-scroll">
              <table className="plain small" aria-label="Inputs that differ from the preset">
                <thead>
                  <tr>
                    <th scope="col">instance</th>
                    <th scope="col">input</th>
                    <th scope="col" className="num">
                      preset
                    </th>
                    <th scope="col" className="num">
                      snapshot
                    </th>
                    <th scope="col">from</th>
                  </tr>
                </thead>
                <tbody>
                  {differences.slice(0, SHOWN_DIFFERENCES).map((d) => (
                    <tr key={`${d.instance}/${d.input}`}>
                      <td>{d.instance}</td>
                      <td>{d.input}</td>
                      <td className="num">{valueText(d.preset)}</td>
                      <td className="num">{valueText(d.other)}</td>
                      <td>{d.source ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {differences.length > SHOWN_DIFFERENCES && <p className="muted small">and {differences.length - SHOWN_DIFFERENCES} more</p>}
            </div>
          )}
          {comparison.onlyInOther.length > 0 && <p className="muted small">Only in the snapshot: {comparison.onlyInOther.join(', ')}</p>}
          {comparison.onlyInPreset.length > 0 && <p className="muted small">Only in the preset: {countOf(comparison.onlyInPreset.length, 'instance', 'instances')}</p>}
        </details>
      )}
    </section>
  );
}
