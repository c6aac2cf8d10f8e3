// Text renderings of a scenario for the CLI: a table with the explanation under
// every figure, and CSV with one row per figure.
import { inertText } from '../../shared/text/inert.ts';
import {
  ENGINES,
  LINE_ITEMS,
  formatDollars,
  formatNumber,
  formatWholeDollars,
  formatPercent,
  REPORT_DISCREPANCIES,
  type Explanation,
  type ScenarioResult,
  type ScenarioSummary,
} from '../../shared/cost/index.ts';
import { csvRow } from '../output/csv.ts';
import { TEXT_WIDTH, textTable, wrapLine, wrapText } from '../../shared/text/layout.ts';

/** How many savings the summary lists before "and N more". */
const SUMMARY_SAVINGS = 6;

/**
 * The answer in under 25 lines of at most 80 columns: today, N stores as is,
 * N stores with the chosen decisions (per month and per store), and the
 * savings ranked. `next` says how to see more.
 */
export function scenarioSummaryText(summary: ScenarioSummary, next: string): string {
  const out: string[] = [];
  const s = summary;
  out.push(`Monthly cost of the fleet, preset ${s.preset}`);
  out.push(...wrapLine(`Fleet: ${s.fleetSource}`, TEXT_WIDTH, '  '));
  out.push('');
  const target = s.target;
  const rows = [s.today, s.asIs, s.chosen].map((f) => [f.label.replace(/^today/, 'Today'), formatWholeDollars(f.total), formatWholeDollars(f.perStore)]);
  out.push(...textTable([{ header: '' }, { header: 'per month', right: true }, { header: 'per store', right: true }], rows).map((line) => `  ${line}`.replace(/ +$/, '')));
  if (s.chosen.stores === target.stores) {
    out.push(`  ${s.target.within ? 'Within' : 'Outside'} the report's target of $${target.from}–$${target.to} a store at ${target.stores} stores.`);
  }
  out.push('');
  if (s.savings.length === 0 && s.costs.length === 0) {
    out.push(`No decision changes the cost at ${s.chosen.stores.toLocaleString('en-US')} stores (preset ${s.preset}).`);
  } else {
    out.push(`Savings at ${s.chosen.stores.toLocaleString('en-US')} stores: ${formatWholeDollars(s.saved)} a month, largest first`);
    const shown = s.savings.slice(0, SUMMARY_SAVINGS);
    const savingRows = shown.map((v, i) => [`${i + 1}.`, v.label, formatWholeDollars(v.saved)]);
    for (const cost of s.costs) savingRows.push(['', `${cost.label} (adds cost)`, `+${formatWholeDollars(-cost.saved)}`]);
    const table = textTable([{ header: '', right: true }, { header: '' }, { header: '', right: true }], savingRows).slice(1);
    out.push(...table.map((line) => `  ${line}`));
    if (s.savings.length > shown.length) out.push(`  and ${s.savings.length - shown.length} smaller savings (--detail lists every step)`);
  }
  out.push('');
  out.push(...wrapLine(`next: ${next}`, TEXT_WIDTH, '      '));
  return out.join('\n') + '\n';
}

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

/** The audit trail (`--detail`): totals, line items with their formulas, savings, curve, Redis projection; wrapped at 80 columns. */
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

  // Line items down, engines across: five columns fit 80 characters.
  const itemRows = LINE_ITEMS.map((item) => [
    item,
    ...ENGINES.map((engine) => formatDollars(result.lineItems.find((l) => l.engine === engine && l.item === item)!.monthly)),
    formatDollars(result.lineItems.filter((l) => l.item === item).reduce((n, l) => n + Math.round(l.monthly * 100), 0) / 100),
  ]);
  itemRows.push(['total', ...ENGINES.map((engine) => formatDollars(m.byEngine[engine])), formatDollars(m.total)]);
  itemRows.push(['instances', ...ENGINES.map((engine) => String(result.instances[engine])), String(ENGINES.reduce((n, e) => n + result.instances[e], 0))]);
  out.push(...textTable([{ header: 'per month' }, ...ENGINES.map((e) => ({ header: e, right: true })), { header: 'all', right: true }], itemRows));
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

  const applied = result.savings.steps.filter((step) => Math.round(step.saved * 100) !== 0);
  if (applied.length > 0) {
    out.push(`Savings against the current state at ${result.stores} stores (${formatDollars(result.savings.baseline)}), applied in this order`);
    for (const step of applied) {
      const amount = step.saved >= 0 ? formatDollars(step.saved) : `adds ${formatDollars(-step.saved)}`;
      out.push(`  ${pad(step.label, 46)} ${pad(amount, 14, true)}  ${formatDollars(step.before)} → ${formatDollars(step.after)}`);
    }
    out.push(`  ${pad('Total saved', 46)} ${pad(formatDollars(result.savings.saved), 14, true)}`);
    out.push('');
    out.push(`Section 11 toggles, each alone against the current state at ${result.stores} stores (the report's figures are at 16 stores)`);
    for (const section of result.sectionSavings) {
      out.push(`  ${section.report.section} ${pad(section.label, 36)} ${pad(formatDollars(section.saved), 12, true)}   report: ${section.report.saved}`);
    }
    out.push(`  note: ${REPORT_DISCREPANCIES.savingsOverlap}`);
    out.push('');
  } else {
    out.push(`Savings against the current state at ${result.stores} stores: none (no decision differs from the current state)`);
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
  return wrapText(out.join('\n') + '\n');
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
