// One fleet, one answer: the demo snapshot of the reference fleet costs what the
// report-07 presets cost, at 16 and at 100 stores, because the demo's synthetic
// server facts (query rates, data sizes, Redis memory) are the preset's inputs
// written the way servers report them. A change to either side that breaks
// this shows up here.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareFleets, reportFleet, runScenario, type CostFleet, type PresetName } from '../../shared/cost/index.ts';
import { costFleetFromSnapshot } from '../../snapshots/cost/snapshotFleet.ts';
import { writeDemoSnapshot } from '../../snapshots/fleet/demo.ts';
import { tempDir } from '../helpers/cli.ts';

const dir = tempDir('snapbench-calibration-');
let demo: CostFleet;

beforeAll(async () => {
  const file = join(dir, 'demo.snapbench');
  await writeDemoSnapshot({ out: file, scale: 0.004, env: {} });
  demo = costFleetFromSnapshot(file);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the demo snapshot and the report-07 presets', () => {
  for (const preset of ['report-07', 'report-07-plan'] as PresetName[]) {
    for (const stores of [16, 100]) {
      it(`${preset} at ${stores} stores costs the same from the demo snapshot as from the preset (within 3%)`, () => {
        const fromPreset = runScenario({ preset, settings: { decisions: { stores }, prices: [], assumptions: {} } });
        const fromDemo = runScenario({ preset, fleet: demo, settings: { decisions: { stores }, prices: [], assumptions: {} } });
        expect(Math.abs(fromDemo.monthly.total - fromPreset.monthly.total) / fromPreset.monthly.total).toBeLessThan(0.03);
        for (const engine of ['mysql', 'redis', 'postgres'] as const) {
          expect(Math.abs(fromDemo.monthly.byEngine[engine] - fromPreset.monthly.byEngine[engine]), engine).toBeLessThanOrEqual(0.03 * fromPreset.monthly.total);
        }
        expect(fromDemo.instances).toEqual(fromPreset.instances);
      });
    }
  }

  it('measures the preset\u2019s inputs from the demo\u2019s facts; only the sampled key inventory differs', () => {
    const comparison = compareFleets(reportFleet(), demo);
    expect(comparison.onlyInPreset).toEqual([]);
    expect(comparison.onlyInOther).toEqual([]);
    expect(comparison.measuredStores).toEqual({ preset: 16, other: 16 });
    // The demo holds a scaled sample of keys (and a few no-TTL keys on near-empty clusters); every other input is the preset's.
    const other = comparison.differences.filter((d) => !['keys', 'persistentKeys', 'persistentMib'].includes(d.input));
    expect(other).toEqual([]);
    const market = demo.caches.find((c) => c.name === 'luckyus-isales-market')!;
    const presetMarket = reportFleet().caches.find((c) => c.name === 'luckyus-isales-market')!;
    expect(market.persistentMib / presetMarket.persistentMib).toBeGreaterThan(0.97);
    expect(market.persistentMib / presetMarket.persistentMib).toBeLessThan(1.03);
    // Measured, not copied: the loads come from Questions / Uptime and the sizes from the database facts.
    const order = demo.databases.find((d) => d.name === 'aws-luckyus-salesorder-rw')!;
    expect(order.sources).toMatchObject({ load: 'measured', dataGb: 'measured', role: 'measured' });
  });
});
