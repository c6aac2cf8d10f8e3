// The reference fleet on the command line:
//   snapbench demo          the demo snapshot, written without any server
//   snapbench fleet seed    load the reference fleet into real servers, write its manifest
//   snapbench fleet check   validate a fleet manifest and summarise it per engine
//   snapbench fleet manifest  the reference fleet's manifest, every instance inventory-only
// The options are defined here; the work is in ../actions/fleet.ts, loaded when one of them runs.
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_SCALE, DEFAULT_SEED, MAX_WEEKS, validateScale, validateSeed } from '../../fleet/reference/limits.ts';
import type { DemoOptions, SeedCliOptions } from '../actions/fleet.ts';
import { formatOption } from '../options.ts';

const actions = () => import('../actions/fleet.ts');

function scaleOption(value: string): number {
  const scale = Number(value);
  const problem = value.trim() === '' ? 'must be a number above 0' : validateScale(scale);
  if (problem) throw new InvalidArgumentError(`--scale ${problem} (e.g. 0.02; 1 is the report's volume)`);
  return scale;
}

function seedOption(value: string): number {
  const seed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  const problem = validateSeed(seed);
  if (problem) throw new InvalidArgumentError(`--seed ${problem}`);
  return seed;
}

function seriesOption(value: string): number {
  const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(count >= 2 && count <= MAX_WEEKS + 1)) throw new InvalidArgumentError(`--series ${value}: must be a whole number from 2 to ${MAX_WEEKS + 1} (snapshots a week apart)`);
  return count;
}

export function registerFleetCommands(program: Command): void {
  program
    .command('demo')
    .description('write the reference-fleet demo snapshot, without any server')
    .option('--scale <x>', `row counts relative to the report's volumes (1 = 487K orders)`, scaleOption, DEFAULT_SCALE)
    .option('--seed <n>', 'random seed: the same seed and scale give the same data', seedOption, DEFAULT_SEED)
    .option('--series <n>', `write N snapshots a week apart with planted growth (orders, stores, no-TTL keys) into the --out directory (2 to ${MAX_WEEKS + 1})`, seriesOption)
    .option('--out <path>', 'snapshot file to write (replaced only when complete); with --series, the directory (default demo-series)')
    .option('--progress', 'print each table on stderr as it is written')
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(async (opts: DemoOptions) => (await actions()).runDemo(opts));

  const fleet = program.command('fleet').description('the reference fleet in real servers, and fleet manifests');

  fleet
    .command('seed')
    .description('load the reference fleet into real servers and write the fleet manifest that pulls it')
    .option('--scale <x>', `row counts relative to the report's volumes (1 = 487K orders)`, scaleOption, DEFAULT_SCALE)
    .option('--seed <n>', 'random seed: the same seed and scale give the same data', seedOption, DEFAULT_SEED)
    .option('--mysql <host:port>', 'MySQL/MariaDB server: one database per MySQL instance with data')
    .option('--mysql-user <user>', 'MySQL user allowed to create databases (default root)')
    .option('--mysql-password-env <var>', 'environment variable holding the MySQL password (named in the manifest)')
    .option('--postgres <host:port>', 'PostgreSQL server: databases dify and ilkmap')
    .option('--postgres-user <user>', 'PostgreSQL user allowed to create databases (default postgres)')
    .option('--postgres-password-env <var>', 'environment variable holding the PostgreSQL password')
    .option('--redis <host:port,...>', 'Redis servers, one per instance, in this order: luckyus-isales-market, -session, -order, -commodity, luckyus-iotplatform, luckyus-apigateway')
    .option('--redis-password-env <var>', 'environment variable holding the Redis password (AUTH)')
    .requiredOption('--out <fleet.yaml>', 'fleet manifest to write')
    .option('--replace', 'drop and recreate the fleet\u2019s own databases when they are not empty (Redis: empty database 0)')
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(async (opts: SeedCliOptions) => (await actions()).runSeed(opts));

  fleet
    .command('check')
    .description('validate a fleet manifest and summarise it per engine; --connect also connects to every instance')
    .argument('<fleet.yaml>', 'fleet manifest')
    .option('--connect', 'connect to every instance with connection details (through its bastion and TLS), pull nothing, and audit its account')
    .option('--only <names>', 'with --connect: comma-separated instance names to check')
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(async (file: string, opts: { format: string; connect?: boolean; only?: string }) => (await actions()).runCheck(file, opts));

  fleet
    .command('manifest')
    .description('print (or write) the reference fleet\u2019s manifest: all 143 instances, inventory-only')
    .option('--out <fleet.yaml>', 'write it to this file instead of stdout')
    .action(async (opts: { out?: string }) => (await actions()).runManifest(opts));
}
