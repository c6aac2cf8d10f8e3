// Text renderings of a scenario for the CLI: a table with the explanation under
// every figure, and CSV with one row per figure.
import { inertText } from '../../shared/text/inert.ts';
import {
  ENGINES,
  LINE_ITEMS,
  formatDollars,
  formatNumber,
  formatPercent,
  REPORT_DISCREPANCIES,
  type Explanation,
  type ScenarioResult,
} from '../../shared/cost/index.ts';
import { csvRow } from '../output/csv.ts';

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function explanationLines(explanation: Explanation, indent: string): string[] {
  const lines = [`${indent}why: ${explanation.formula}`, `${indent}     ${explanation.worked}`];
  const inputs = Object.entries(explanation.inputs)
    .map(([key, value]) => `${key}=${typeof value === 'number' ? formatNumber(value, 4) : String(value)}`)
    .join(', ');
  if (inputs) lines.push(`${indent}     inputs: ${inputs}`);
  if (explanation.assumptions.length > 0) lines.push(`${indent}     assumptions: ${explanation.assumptions.join(', ')}`);
  if (explanation.note) lines.push(`${indent}     note: ${explanation.note}`);
  return lines;
}

/** The human-readable breakdown: totals, line items with their formulas, savings, curve, Redis projection. */
export function scenarioTable(result: ScenarioResult, options: { items?: number } = {}): string {
  const out: string[] = [];
  const m = result.monthly;
  out.push(`Snapbench cost scenario: preset ${result.preset}, ${result.stores} stores`);
  out.push(`Fleet: ${result.fleet.source} (measured at ${result.fleet.measuredStores} stores: ${result.fleet.measured.mysql} MySQL, ${result.fleet.measured.redis} Redis, ${result.fleet.measured.postgres} PostgreSQL)`);
  out.push('');
  out.push(`Monthly total ${formatDollars(m.total)}   per store ${formatDollars(m.perStore)}`);
  out.push(...explanationLines(result.explanations.total, '  '));
  out.push(...explanationLines(result.explanations.perStore, '  '));
  out.push('');

  const widths = [10, 10, ...LINE_ITEMS.map(() => 12), 13];
  const header = ['engine', 'instances', ...LINE_ITEMS, 'total'];
  out.push(header.map((h, i) => pad(h, widths[i]!, i > 0)).join(' '));
  for (const engine of ENGINES) {
    const cells = [engine, String(result.instances[engine])];
    for (const item of LINE_ITEMS) cells.push(formatDollars(result.lineItems.find((l) => l.engine === engine && l.item === item)!.monthly));
    cells.push(formatDollars(m.byEngine[engine]));
    out.push(cells.map((c, i) => pad(c, widths[i]!, i > 0)).join(' '));
  }
  const totals = ['all', String(ENGINES.reduce((n, e) => n + result.instances[e], 0))];
  for (const item of LINE_ITEMS) totals.push(formatDollars(result.lineItems.filter((l) => l.item === item).reduce((n, l) => n + Math.round(l.monthly * 100), 0) / 100));
  totals.push(formatDollars(m.total));
  out.push(totals.map((c, i) => pad(c, widths[i]!, i > 0)).join(' '));
  out.push('');

  out.push('Instances');
  for (const engine of ENGINES) {
    const e = result.explanations.instances[engine];
    out.push(`  ${engine}: ${result.instances[engine]}  (${e.formula}: ${e.worked})`);
  }
  out.push('');

  out.push('Line items and why');
  for (const line of result.lineItems) {
    if (line.monthly === 0 && !(line.item === 'compute')) continue;
    out.push(`  ${line.engine} ${line.item}: ${formatDollars(line.monthly)} — ${line.explanation.label}`);
    out.push(...explanationLines(line.explanation, '    '));
  }
  out.push('');

  if (result.savings.steps.length > 0) {
    out.push(`Savings against the current state at ${result.stores} stores (${formatDollars(result.savings.baseline)}), applied in this order`);
    for (const step of result.savings.steps) {
      const applied = step.explanation.note === 'not applied in this scenario' ? '  (not applied)' : '';
      out.push(`  ${pad(step.label, 48)} ${pad(formatDollars(step.saved), 12, true)}   ${formatDollars(step.before)} → ${formatDollars(step.after)}${applied}`);
    }
    out.push(`  ${pad('Total saved', 48)} ${pad(formatDollars(result.savings.saved), 12, true)}`);
    out.push('');
    out.push(`Section 11 toggles, each alone against the current state at ${result.stores} stores (the report's figures are at 16 stores)`);
    for (const section of result.sectionSavings) {
      out.push(`  ${section.report.section} ${pad(section.label, 36)} ${pad(formatDollars(section.saved), 12, true)}   report: ${section.report.saved}`);
    }
    out.push(`  note: ${REPORT_DISCREPANCIES.savingsOverlap}`);
    out.push('');
  }

  const p = result.redisProjection;
  if (p.clusters.length > 0) {
    out.push(`Redis keys without TTL at ${p.stores} stores (${p.clusters.length === 1 ? p.clusters[0] : `${p.clusters.length} clusters`}; report ${p.report.section}: ${p.report.persistentKeys} keys, ${p.report.memory})`);
    out.push(`  without TTL: ${formatNumber(p.withoutTtl.persistentKeys, 0)} keys, ${formatNumber(p.withoutTtl.persistentGib, 2)} GiB; whole cluster ${formatNumber(p.withoutTtl.clusterUsedGib, 2)} GiB`);
    out.push(`  with TTL on ${formatPercent(p.withTtl.ttlEnforcement, 0)}: ${formatNumber(p.withTtl.persistentKeys, 0)} keys, ${formatNumber(p.withTtl.persistentGib, 2)} GiB; whole cluster ${formatNumber(p.withTtl.clusterUsedGib, 2)} GiB (${formatNumber(p.withTtl.keysStopped, 0)} keys of growth stopped)`);
    out.push(...explanationLines(p.explanation, '  '));
    out.push('');
  }

  if (result.curve.length > 0) {
    out.push('Cost per store by store count (same decisions)');
    out.push(`  ${pad('stores', 7, true)} ${pad('total', 14, true)} ${pad('per store', 12, true)}`);
    for (const point of result.curve) out.push(`  ${pad(String(point.stores), 7, true)} ${pad(formatDollars(point.total), 14, true)} ${pad(formatDollars(point.perStore), 12, true)}`);
    out.push('');
  }

  const itemCount = options.items ?? 12;
  if (result.items.length > 0 && itemCount > 0) {
    const top = [...result.items].sort((a, b) => b.monthly - a.monthly).slice(0, itemCount);
    out.push(`Largest items (on-demand, before reserved discounts; all ${result.items.length} are in --format json "items")`);
    for (const item of top) out.push(`  ${inertText(item.name)} [${item.treatment}] ${formatDollars(item.monthly)}: ${inertText(item.why)}`);
    out.push('');
  }

  out.push('Where the report does not add up (assumptions)');
  for (const [key, record] of Object.entries(result.assumptions)) if (key.startsWith('report.')) out.push(`  - ${record.note}`);
  out.push('');
  out.push(`Prices: ${result.assumptions.prices!.value}; ${result.assumptions.prices!.source}`);
  out.push(`Rounding: ${result.rounding}`);
  return out.join('\n') + '\n';
}

/** One row per figure: section, engine, item, stores, value, unit, formula, worked. */
export function scenarioCsv(result: ScenarioResult, safe = false): string {
  const rows: (string | number)[][] = [['section', 'engine', 'item', 'stores', 'value', 'unit', 'formula', 'worked']];
  const m = result.monthly;
  rows.push(['monthly', 'all', 'total', result.stores, m.total, 'USD/month', result.explanations.total.formula, result.explanations.total.worked]);
  rows.push(['monthly', 'all', 'perStore', result.stores, m.perStore, 'USD/store/month', result.explanations.perStore.formula, result.explanations.perStore.worked]);
  for (const engine of ENGINES) {
    const e = result.explanations.byEngine[engine];
    rows.push(['monthly', engine, 'total', result.stores, m.byEngine[engine], 'USD/month', e.formula, e.worked]);
    const i = result.explanations.instances[engine];
    rows.push(['instances', engine, 'count', result.stores, result.instances[engine], 'instances', i.formula, i.worked]);
  }
  for (const line of result.lineItems) rows.push(['lineItem', line.engine, line.item, result.stores, line.monthly, 'USD/month', line.explanation.formula, line.explanation.worked]);
  for (const step of result.savings.steps) rows.push(['savings', 'all', step.step, result.stores, step.saved, 'USD/month', step.explanation.formula, step.explanation.worked]);
  for (const section of result.sectionSavings) rows.push(['sectionSavings', 'all', section.toggle, result.stores, section.saved, 'USD/month', `alone against the current state; report ${section.report.section}`, section.report.saved]);
  for (const point of result.curve) rows.push(['curve', 'all', 'perStore', point.stores, point.perStore, 'USD/store/month', 'total / stores', `${point.total} / ${point.stores}`]);
  return rows.map((row) => csvRow(row, { safe })).join('');
}
