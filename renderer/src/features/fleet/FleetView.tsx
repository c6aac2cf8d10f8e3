// The fleet at a glance, computed from the snapshot's instances, server facts
// and catalog: instances by engine and domain, Redis memory utilisation tiers
// (the report's >20%, 5–20%, 1–5%, <1%), versions, eviction policies, hit
// rates, and table counts and sizes.
import { useEffect, useState } from 'react';
import type { FleetOverview } from '../../../../shared/api/types.ts';
import { api } from '../../api/client.ts';
import { useWorkbench } from '../../app/workbench.tsx';
import { BarChart, engineColor, useChartColors } from '../../ui/charts.tsx';
import { Badge, EmptyState, ErrorBox, ProgressBar, Stat } from '../../ui/components.tsx';
import { formatBytes, formatCount, formatPercent } from '../../ui/format.ts';

const ENGINE_NAMES: Record<string, string> = { mysql: 'MySQL', redis: 'Redis', postgres: 'PostgreSQL' };

/** Which colour is which engine, under the charts coloured by engine. */
function EngineKey() {
  return (
    <ul className="inline-list small legend" aria-label="Colours">
      {(['mysql', 'redis', 'postgres'] as const).map((engine) => (
        <li key={engine}>
          <span className={`engine-dot ${engine}`} aria-hidden="true" /> {ENGINE_NAMES[engine]}
        </li>
      ))}
    </ul>
  );
}

export function FleetView() {
  const wb = useWorkbench();
  const snapshot = wb.current;
  const colors = useChartColors();
  const [overview, setOverview] = useState<FleetOverview | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!snapshot) return;
    let live = true;
    setOverview(null);
    setError(null);
    api.invoke('fleet/overview', { snapshotId: snapshot.id }).then(
      (o) => live && setOverview(o),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [snapshot]);

  if (!snapshot) return <EmptyState title="No snapshot open">Open a snapshot in the Library to see its fleet.</EmptyState>;
  if (error) return <ErrorBox error={error} />;
  if (!overview) return <ProgressBar progress={null} label="Reading the fleet…" />;
  // Tiers read as a scale from bad (red, almost idle) to good (green, well used); engines have colours of their own.
  const tierColor = (tier: string) => (tier === '>20%' ? colors.good : tier === '<1%' ? colors.bad : tier === '1–5%' ? colors.warn : tier === 'unknown' ? colors.muted : colors.neutral);
  const count = (n: number) => formatCount(n);
  return (
    <div className="fleet" data-testid="fleet-view">
      <h1>Fleet</h1>
      <div className="stats">
        <Stat label="instances" value={formatCount(overview.instances)} />
        {Object.entries(overview.byEngine).map(([engine, n]) => (
          <Stat key={engine} label={ENGINE_NAMES[engine] ?? engine} value={formatCount(n)} />
        ))}
        <Stat label="tables" value={formatCount(overview.totals.tables)} />
        <Stat label="rows pulled" value={formatCount(overview.totals.rows)} />
        <Stat label="data (source)" value={formatBytes(overview.totals.dataBytes)} />
        <Stat label="indexes (source)" value={formatBytes(overview.totals.indexBytes)} />
      </div>
      <div className="row gap wrap">
        {Object.entries(overview.byStatus).map(([status, n]) => (
          <Badge key={status} tone={status === 'pulled' ? 'ok' : status === 'failed' ? 'bad' : 'muted'}>
            {formatCount(n)} {status}
          </Badge>
        ))}
      </div>
      <div className="chart-grid">
        <section className="panel" aria-label="Redis utilisation tiers">
          <BarChart
            title="Redis clusters by memory utilisation"
            unit="Redis clusters"
            bars={overview.redisTiers.map((t) => ({ label: t.tier === 'unknown' ? 'not known' : `${t.tier} used`, value: t.instances, color: tierColor(t.tier), note: t.names.slice(0, 8).join(', ') }))}
            format={count}
          />
          <p className="muted small">Memory used as a share of the memory allocated (the manifest’s allocation, else the server’s maxmemory). The report pooled the clusters below 1%.</p>
        </section>
        <section className="panel" aria-label="Instances by domain">
          <BarChart
            title="Instances by domain"
            unit="instances (colour: engine)"
            labelWidth={190}
            bars={overview.byDomain.slice(0, 14).map((d) => ({ label: `${d.domain} (${ENGINE_NAMES[d.engine] ?? d.engine})`, value: d.instances, color: engineColor(colors, d.engine) }))}
            format={count}
          />
          <EngineKey />
        </section>
        <section className="panel" aria-label="Versions">
          <BarChart title="Versions" unit="instances" bars={overview.versions.map((v) => ({ label: `${ENGINE_NAMES[v.engine] ?? v.engine} ${v.version}`, value: v.instances, color: engineColor(colors, v.engine) }))} format={count} />
          <h3>Eviction policies</h3>
          <ul className="inline-list">
            {overview.evictionPolicies.map((p) => (
              <li key={p.policy}>
                <span className="mono">{p.policy}</span>: {formatCount(p.instances)}
              </li>
            ))}
          </ul>
        </section>
        <section className="panel" aria-label="Largest instances">
          <BarChart
            title="Largest instances by data size"
            unit="data on the source server (colour: engine)"
            labelWidth={230}
            bars={overview.tables.slice(0, 12).map((t) => ({ label: t.instance, value: t.dataBytes, color: engineColor(colors, t.engine) }))}
            format={(n) => formatBytes(n)}
          />
        </section>
      </div>
      <section className="panel">
        <h2>Redis clusters ({overview.redis.length})</h2>
        <div className="table-scroll tall" tabIndex={0} role="region" aria-label="Redis clusters (scrolls)">
          <table className="plain">
            <thead>
              <tr>
                <th>cluster</th>
                <th>domain</th>
                <th>version</th>
                <th className="num">used</th>
                <th className="num">capacity</th>
                <th className="num">utilisation</th>
                <th>tier</th>
                <th>eviction</th>
                <th className="num">hit rate</th>
                <th className="num">keys</th>
                <th className="num">no TTL</th>
              </tr>
            </thead>
            <tbody>
              {overview.redis.map((r) => (
                <tr key={r.name}>
                  <td className="mono">{r.name}</td>
                  <td>{r.domain ?? '—'}</td>
                  <td>{r.version ?? '—'}</td>
                  <td className="num">{formatBytes(r.usedBytes)}</td>
                  <td className="num">{formatBytes(r.capacityBytes)}</td>
                  <td className="num">{formatPercent(r.utilisation)}</td>
                  <td>{r.tier}</td>
                  <td className="mono">{r.evictionPolicy ?? '—'}</td>
                  <td className="num">{formatPercent(r.hitRate)}</td>
                  <td className="num">{formatCount(r.keys)}</td>
                  <td className="num">{formatCount(r.persistentKeys)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="panel">
        <h2>Databases ({overview.databases.length})</h2>
        <div className="table-scroll tall" tabIndex={0} role="region" aria-label="Databases (scrolls)">
          <table className="plain">
            <thead>
              <tr>
                <th>instance</th>
                <th>engine</th>
                <th>domain</th>
                <th>class</th>
                <th>version</th>
                <th className="num">tables</th>
                <th className="num">empty tables</th>
                <th className="num">rows pulled</th>
                <th className="num">data</th>
                <th className="num">buffer hit rate</th>
              </tr>
            </thead>
            <tbody>
              {overview.databases.map((d) => (
                <tr key={d.name}>
                  <td className="mono">{d.name}</td>
                  <td>{d.engine}</td>
                  <td>{d.domain ?? '—'}</td>
                  <td>{d.instanceClass ?? '—'}</td>
                  <td>{d.version ?? '—'}</td>
                  <td className="num">{formatCount(d.tables)}</td>
                  <td className="num">{formatCount(d.emptyTables)}</td>
                  <td className="num">{formatCount(d.rows)}</td>
                  <td className="num">{formatBytes(d.dataBytes)}</td>
                  <td className="num">{formatPercent(d.hitRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
