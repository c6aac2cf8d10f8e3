// The work of `snapbench demo`, `fleet seed`, `fleet check` and `fleet manifest`
// (their options are in ../commands/fleet.ts), loaded when one of them runs.
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ENGINES, missingPasswordVariables, type Fleet } from '../../../shared/model/fleet.ts';
import type { ConnectCheck } from '../../check/types.ts';
import type { PullEvent } from '../../engines/types.ts';
import { DEMO_FLEET_NAME, fleetManifestText } from '../../fleet/manifest.ts';
import { referenceFleet, type PlantedCounts } from '../../fleet/reference/index.ts';
import { parseHostPort, SeedError, type Endpoint } from '../../fleet/seed/endpoint.ts';
import { refuseOutputOverInput } from '../../file/outputPath.ts';
import { CliError } from '../../errors.ts';
import { EXIT_CANCELLED } from '../../exitCodes.ts';
import { checkOutputDirectory, checkOutputFile } from '../../output/outputFile.ts';
import { loadFleetFile } from '../fleetFile.ts';
import { printLine, printText, printWrapped } from '../../terminal.ts';
import { inertText } from '../../../shared/text/inert.ts';
import { formatTimeText, TEXT_WIDTH, wrapLine } from '../../../shared/text/layout.ts';

/** Writes next to the target and renames, so a reader never sees half a manifest. */
function writeFileAtomically(path: string, text: string): void {
  const temp = `${path}.partial-${process.pid}`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

function number(n: number): string {
  return n.toLocaleString('en-US');
}

/** Lines of prose at 80 columns, each continued under an indent. */
function wrapLines(lines: string[]): string {
  return lines.flatMap((line) => wrapLine(line, TEXT_WIDTH, line.startsWith(' ') ? '        ' : '    ')).join('\n') + '\n';
}

function plantedSummary(counts: PlantedCounts): string {
  const r = counts.rules;
  return [
    `orders ${number(counts.orders.total)} (${number(counts.orders.nullOrNonUsd)} NULL/non-USD, ${number(counts.orders.blankShopName)} blank shop_name, ${number(counts.orders.atTestShops)} at test shops)`,
    `USD revenue ${counts.orders.revenueUsd}`,
    `Han commodity names ${r['DQ-004']!.count}`,
    `persistent CONTACT_* keys ${number(r['RDS-001']!.count)}`,
    `sk- secrets ${r['SEC-002']!.count}`,
  ].join('; ');
}

/** `demo --series N --out DIR`: N snapshots a week apart, each a complete demo snapshot. */
async function demoSeries(count: number, dir: string, opts: { scale: number; seed: number; progress?: boolean; format: string }): Promise<void> {
  const full = resolve(dir);
  if (existsSync(full) && !statSync(full).isDirectory()) throw new CliError(`--out ${dir}: is a file; with --series it names a directory`, 'give a directory (it is created when missing)');
  checkOutputDirectory('--out', dir);
  const { DemoCancelled, demoSeriesFileName, writeDemoSeries } = await import('../../fleet/demo.ts');
  // Every file the series writes may replace only an earlier snapshot.
  for (let week = 0; week < count; week++) refuseOutputOverInput(resolve(full, demoSeriesFileName(week)), [], { label: '--out', replaces: 'snapshot' });
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  try {
    const series = await writeDemoSeries({
      dir: full,
      count,
      seed: opts.seed,
      scale: opts.scale,
      signal: controller.signal,
      onSnapshot: (result, file) => {
        if (opts.progress || opts.format !== 'json') printWrapped(process.stderr, `snapbench demo: wrote ${file}: ${number(result.rows)} rows in ${result.seconds.toFixed(1)} s (made ${formatTimeText(result.manifest.createdAt)})`);
      },
    });
    const p = series.planted;
    printLine(
      process.stderr,
      `snapbench demo: ${count} snapshots a week apart in ${full}; planted growth per week: ${number(p.ordersPerWeek)} orders (t_order), ${number(p.noTtlKeysPerWeek)} no-TTL keys (CONTACT_* on luckyus-isales-market), ${p.storesPerWeek} store (t_shop_info)`,
    );
    if (opts.format === 'json') process.stdout.write(JSON.stringify({ directory: full, files: series.files, planted: p, counts: series.results.map((r) => r.counts) }, null, 2) + '\n');
  } catch (error) {
    if (error instanceof DemoCancelled || controller.signal.aborted) throw new CliError('demo cancelled; the snapshots already written are complete, the one in progress was not written', null, 130);
    throw error;
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
}

function tableProgress(stream: NodeJS.WriteStream): (event: PullEvent) => void {
  return (event) => {
    if (event.type === 'table-done') stream.write(`${event.instance}: ${event.table}: ${number(event.rows)} rows\n`);
  };
}

function endpoint(flag: string, text: string, defaultPort: number, user: string | undefined, passwordEnv: string | undefined, passwordFlag: string): Endpoint {
  let password: string | undefined;
  if (passwordEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(passwordEnv)) throw new CliError(`${passwordFlag} ${passwordEnv}: not an environment variable name`, `give the name of the variable that holds the password, e.g. ${passwordFlag} DB_PW`);
    password = process.env[passwordEnv];
    if (password === undefined) throw new CliError(`${passwordFlag} ${passwordEnv}: the environment variable is not set`, `export ${passwordEnv}=... first`);
  }
  try {
    return { flag, ...parseHostPort(flag, text, defaultPort), user, password, passwordEnv };
  } catch (error) {
    if (error instanceof SeedError) throw new CliError(error.message, error.hint);
    throw error;
  }
}

export interface SeedCliOptions {
  scale: number;
  seed: number;
  mysql?: string;
  mysqlUser?: string;
  mysqlPasswordEnv?: string;
  postgres?: string;
  postgresUser?: string;
  postgresPasswordEnv?: string;
  redis?: string;
  redisPasswordEnv?: string;
  out: string;
  replace?: boolean;
  format: string;
}

interface EngineSummary {
  instances: number;
  connected: number;
  inventoryOnly: number;
  domains: Record<string, number>;
  allocatedMemoryMb?: number;
  withAllocation?: number;
}

export function summariseFleet(fleet: Fleet): Record<string, EngineSummary> {
  const out: Record<string, EngineSummary> = {};
  for (const engine of ENGINES) {
    const instances = fleet.instances.filter((i) => i.engine === engine);
    const domains: Record<string, number> = {};
    for (const i of instances) domains[i.domain ?? '(none)'] = (domains[i.domain ?? '(none)'] ?? 0) + 1;
    const connected = instances.filter((i) => i.connection).length;
    const summary: EngineSummary = { instances: instances.length, connected, inventoryOnly: instances.length - connected, domains };
    if (engine === 'redis') {
      const allocated = instances.filter((i) => i.allocatedMemoryMb !== undefined);
      summary.withAllocation = allocated.length;
      summary.allocatedMemoryMb = allocated.reduce((n, i) => n + i.allocatedMemoryMb!, 0);
    }
    out[engine] = summary;
  }
  return out;
}

/** At most this many detail lines per instance in the text form; JSON has them all. */
const DETAIL_LINES = 20;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The text form of `fleet check --connect`: one line per instance, then what its account cannot read, indented. */
function checkLines(c: ConnectCheck): string[] {
  if (!c.ok) return [`FAIL ${c.instance} (${c.engine}): ${c.error}${c.hint ? ` (${c.hint})` : ''}`];
  const tls = c.tls ? `${c.tls.protocol} ${c.tls.cipher}${c.tls.verified ? ', verified' : ', NOT verified'}` : 'no TLS';
  const account = c.canWrite === true ? `CAN WRITE: ${c.writePrivileges.join('; ')}` : c.canWrite === false ? 'read-only' : `write access unknown${c.auditNote ? ` (${c.auditNote})` : ''}`;
  const reads = [
    ...(c.notReadable.length > 0 ? [`cannot read ${plural(c.notReadable.length, 'table')}`] : []),
    ...(c.readWarnings.length > 0 ? [plural(c.readWarnings.length, 'read warning')] : []),
  ];
  const details = [...c.notReadable.map((t) => `cannot read ${t.database}: ${t.table}: ${t.reason}`), ...c.readWarnings.map((w) => `read warning: ${w}`)];
  const shown = details.length > DETAIL_LINES ? [...details.slice(0, DETAIL_LINES - 1), `... and ${details.length - DETAIL_LINES + 1} more (--format json lists them all)`] : details;
  return [
    `ok   ${c.instance} (${c.engine} ${c.version}): ${c.ssh ? `via ${c.ssh}` : 'direct'}, ${tls}, ${c.latencyMs} ms; ${account}${reads.length > 0 ? `; ${reads.join(', ')}` : ''}`,
    ...shown.map((line) => `     ${line}`),
  ];
}

/** One stderr warning per instance whose account cannot read everything a pull would read. */
function readabilityWarnings(c: ConnectCheck): string[] {
  const out: string[] = [];
  if (c.notReadable.length > 0) {
    const names = c.notReadable.map((t) => `${t.database}.${t.table}`);
    const listed = names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
    out.push(`instance "${c.instance}": the account cannot read ${plural(names.length, 'table')} (${listed}); a pull leaves ${names.length === 1 ? 'it' : 'them'} out`);
  }
  if (c.readWarnings.length > 0) out.push(`instance "${c.instance}": ${c.readWarnings[0]}${c.readWarnings.length > 1 ? ` (and ${plural(c.readWarnings.length - 1, 'more read warning')})` : ''}`);
  return out;
}

async function connectCheck(fleet: Fleet, opts: { format: string; only?: string }): Promise<void> {
  const only = opts.only ? opts.only.split(',').map((s) => s.trim()).filter(Boolean) : null;
  const { selectInstances } = await import('../../pull/pullFleet.ts');
  const instances = selectInstances(fleet, only);
  const missing = missingPasswordVariables(instances, process.env);
  if (missing.length > 0) throw new CliError(missing[0]!, missing.length > 1 ? `and ${missing.length - 1} more; export them first` : null);
  const inventoryOnly = instances.filter((i) => !i.connection).length;
  const { checkConnections } = await import('../../check/connectCheck.ts');
  const results = await checkConnections(instances, process.env);
  for (const c of results) {
    if (c.ok && c.canWrite) printLine(process.stderr, `snapbench: warning: instance "${c.instance}": the account can write (${c.writePrivileges.join('; ')}); a snapshot needs read-only access only`);
    for (const warning of readabilityWarnings(c)) printLine(process.stderr, `snapbench: warning: ${warning}`);
  }
  if (opts.format === 'json') process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  else for (const c of results) for (const line of checkLines(c)) printLine(process.stdout, line);
  const failed = results.filter((c) => !c.ok).length;
  process.stderr.write(`snapbench fleet check: ${results.length - failed} of ${results.length} reachable${inventoryOnly ? `; ${inventoryOnly} inventory-only not checked` : ''}\n`);
  if (failed > 0) process.exitCode = 3;
}

export interface DemoOptions {
  scale: number;
  seed: number;
  series?: number;
  out?: string;
  progress?: boolean;
  format: string;
}

export async function runDemo(opts: DemoOptions): Promise<void> {
  if (opts.series !== undefined) return demoSeries(opts.series, opts.out ?? 'demo-series', opts);
  const out = checkOutputFile('--out', opts.out ?? 'demo.snapbench');
  refuseOutputOverInput(out, [], { label: '--out', replaces: 'snapshot' });
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  // Loaded on use: the generator and the writer are not needed to parse the command line.
  const { DemoCancelled, writeDemoSnapshot } = await import('../../fleet/demo.ts');
  try {
    const result = await writeDemoSnapshot({
      out,
      seed: opts.seed,
      scale: opts.scale,
      signal: controller.signal,
      onEvent: opts.progress ? tableProgress(process.stderr) : undefined,
    });
    const data = result.tables;
    const all = Object.keys(result.manifest.hashes).length;
    // The path as the user gave it: the commands to run next are the ones they would type.
    const shown = inertText(opts.out ?? 'demo.snapbench');
    printText(
      process.stderr,
      wrapLines(
        [
          `snapbench demo: wrote ${shown}: ${number(result.instances)} instances, ${number(data)} data tables (${number(all)} with Snapbench's own catalog tables, which verify counts too), ${number(result.rows)} rows in ${result.seconds.toFixed(1)} s (seed ${opts.seed}, scale ${opts.scale})`,
          `snapbench demo: planted: ${plantedSummary(result.counts)}`,
          `snapbench demo: capped below the report's volumes: ${result.fleet.capped.join('; ')}`,
          `next: snapbench verify ${shown}    (check every hash)`,
          `      snapbench dq ${shown}    (the report-07 data-quality checks)`,
          `      snapbench scenario --snapshot ${shown} --stores 100`,
        ],
      ),
    );
    if (opts.format === 'json') process.stdout.write(JSON.stringify(result.counts, null, 2) + '\n');
  } catch (error) {
    if (error instanceof DemoCancelled || controller.signal.aborted) throw new CliError('demo cancelled; no file was written', null, EXIT_CANCELLED);
    throw error;
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
}

export async function runSeed(opts: SeedCliOptions): Promise<void> {
  const out = checkOutputFile('--out', opts.out);
  refuseOutputOverInput(opts.out, [], { label: '--out', replaces: 'not-database' });
  const mysql = opts.mysql === undefined ? undefined : endpoint('--mysql', opts.mysql, 3306, opts.mysqlUser ?? 'root', opts.mysqlPasswordEnv, '--mysql-password-env');
  const postgres = opts.postgres === undefined ? undefined : endpoint('--postgres', opts.postgres, 5432, opts.postgresUser ?? 'postgres', opts.postgresPasswordEnv, '--postgres-password-env');
  const redis = (opts.redis ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((text) => endpoint('--redis', text, 6379, undefined, opts.redisPasswordEnv, '--redis-password-env'));
  for (const [flag, given] of [['--mysql-user', opts.mysqlUser], ['--mysql-password-env', opts.mysqlPasswordEnv], ['--postgres-user', opts.postgresUser], ['--postgres-password-env', opts.postgresPasswordEnv]] as const) {
    const server = flag.startsWith('--mysql') ? opts.mysql : opts.postgres;
    if (given !== undefined && server === undefined) throw new CliError(`${flag} is given without ${flag.startsWith('--mysql') ? '--mysql' : '--postgres'}`, 'add the server HOST:PORT, or leave the flag out');
  }
  try {
    const { seedReferenceFleet } = await import('../../fleet/seed/index.ts');
    const result = await seedReferenceFleet({
      seed: opts.seed,
      scale: opts.scale,
      mysql,
      postgres,
      redis,
      replace: opts.replace === true,
      onProgress: (line) => process.stderr.write(`snapbench fleet seed: ${line}\n`),
    });
    writeFileAtomically(out, result.manifestText);
    const seeded = result.connections.size;
    process.stderr.write(
      `snapbench fleet seed: wrote ${out}: ${result.fleet.inventory.length} instances, ${seeded} seeded, ${result.fleet.inventory.length - seeded} inventory-only; ${result.seconds.toFixed(1)} s (seed ${opts.seed}, scale ${opts.scale})\n` +
        `snapbench fleet seed: planted: ${plantedSummary(result.counts)}\n` +
        (redis.length >= 3 ? 'snapbench fleet seed: note: order:detail keys expire 60\u201396 s after seeding; pull soon to see them\n' : ''),
    );
    if (opts.format === 'json') process.stdout.write(JSON.stringify(result.counts, null, 2) + '\n');
  } catch (error) {
    if (error instanceof SeedError) throw new CliError(error.message, error.hint);
    throw error;
  }
}

export async function runCheck(file: string, opts: { format: string; connect?: boolean; only?: string }): Promise<void> {
  const { fleet: parsed } = loadFleetFile(file);
  for (const warning of parsed.warnings) printLine(process.stderr, `snapbench: warning: ${warning}`);
  if (opts.connect) {
    await connectCheck(parsed, opts);
    return;
  }
  if (opts.only) throw new CliError('--only is for fleet check --connect', 'add --connect, or leave --only out');
  for (const missing of missingPasswordVariables(parsed.instances, process.env)) printLine(process.stderr, `snapbench: warning: ${missing}`);
  const engines = summariseFleet(parsed);
  if (opts.format === 'json') {
    process.stdout.write(JSON.stringify({ file: resolve(file), name: parsed.name ?? null, synthetic: parsed.synthetic, instances: parsed.instances.length, engines, warnings: parsed.warnings }, null, 2) + '\n');
    return;
  }
  for (const [engine, s] of Object.entries(engines)) {
    const domains = Object.entries(s.domains)
      .map(([d, n]) => `${d} ${n}`)
      .join(', ');
    const memory = s.withAllocation ? `; allocated memory ${number(s.allocatedMemoryMb!)} MB on ${s.withAllocation}` : '';
    printLine(process.stdout, `${engine}: ${s.instances} instances, ${s.connected} with connection details, ${s.inventoryOnly} inventory-only${domains ? `; domains: ${domains}` : ''}${memory}`);
  }
}

export function runManifest(opts: { out?: string }): void {
  const text = fleetManifestText(referenceFleet(), new Map(), DEMO_FLEET_NAME);
  if (opts.out) {
    const out = checkOutputFile('--out', opts.out);
    refuseOutputOverInput(opts.out, [], { label: '--out', replaces: 'not-database' });
    writeFileAtomically(out, text);
  }
  else process.stdout.write(text);
}
