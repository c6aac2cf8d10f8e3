// `npm run bench`: snapbench pull throughput and memory against the stock
// command-line tools, on throwaway servers, in one run.
//
//   MySQL       snapbench pull (MariaDB only)   vs  mariadb-dump --quick --single-transaction > /dev/null
//   PostgreSQL  snapbench pull (PostgreSQL only) vs psql -c "\copy orders to /dev/null"
//   Redis       snapbench pull (key inventory)  vs  redis-cli --memkeys > /dev/null
//   + peak RSS of every snapbench pull child (node).
//   --big: the MySQL and PostgreSQL pairs again on 5,000,000-row tables (ratio, rate, peak RSS).
//
// Options (env in brackets):
//   --rows N      rows in `orders` in MariaDB and PostgreSQL   [BENCH_ROWS, default 1000000]
//   --keys N      keys in Redis                                  [BENCH_KEYS, default 1000000]
//   --repeat N    run every measurement N times, keep the best   [BENCH_REPEAT, default 1]
//   --big         also pull 5,000,000-row tables (MySQL and PostgreSQL, about 3 more minutes)
//   --big-rows N  same as --big with N rows                      [BENCH_BIG_ROWS; --rss-rows, BENCH_RSS_ROWS]
//   BENCH_RSS_METHOD=proc  poll VmHWM in /proc instead of using /usr/bin/time
//   BENCH_SNAPBENCH_BIN=/other/checkout/dist/cli/snapbench.js  bench another build
//
// Prints an aligned table and writes the same as JSON to bench/results/latest.json.
// Exit code: 0 when the report is complete (MISS is a result, not a failure);
// 2 when some measurement could not be taken (a pull or a reference tool failed:
// ERROR rows); 1 when the bench itself broke (servers, data generation).
//
// The harness (process measurement, the pull-vs-tool pair, the report) is in
// bench/harness/; each engine's data and reference tool in bench/engines/.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mariadbExec, psqlExec, startMariadb, startPostgres, startRedis, type ThrowawayServer } from '../test/helpers/servers.ts';
import { writeFleet } from '../test/helpers/cli.ts';
import { generateMariadb, MYSQL_BIG_DB, MYSQL_DB, mysqlPair, profileMariadb } from './engines/mysql.ts';
import { PROFILE_COLUMNS } from './engines/orders.ts';
import { generatePostgres, POSTGRES_BIG_DB, POSTGRES_DB, postgresPair, profilePostgres } from './engines/postgres.ts';
import { generateRedis, redisPair } from './engines/redis.ts';
import { commandExists, int, killActiveGroups, log, probeRssMethod, ROOT, RSS_POLL_MS, runMeasured, runSimple, secs } from './harness/process.ts';
import { compact, measurePair, SNAPBENCH_BIN, type Context, type ResultRow } from './harness/pull.ts';
import { renderTable, whereTimeGoes } from './harness/report.ts';

const RESULTS_FILE = join(ROOT, 'bench', 'results', 'latest.json');

// ---------------------------------------------------------------- options

interface Options {
  rows: number;
  keys: number;
  repeat: number;
  bigRows: number;
}

function count(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const cleaned = raw.replace(/[_,]/g, '');
  const value = /^\d+$/.test(cleaned) ? Number(cleaned) : /^\d+(\.\d+)?e\d+$/i.test(cleaned) ? Number(cleaned) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`${name}: expected a positive whole number, got "${raw}"`);
  return value;
}

class UsageError extends Error {}

function parseOptions(argv: string[]): Options | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        rows: { type: 'string' },
        keys: { type: 'string' },
        repeat: { type: 'string' },
        big: { type: 'boolean' },
        'big-rows': { type: 'string' },
        'rss-rows': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    const header = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
    const end = header.findIndex((l) => !l.startsWith('//'));
    process.stdout.write(header.slice(0, end).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
    return null;
  }
  const bigRowsRaw = values['big-rows'] ?? values['rss-rows'] ?? process.env.BENCH_BIG_ROWS ?? process.env.BENCH_RSS_ROWS;
  return {
    rows: count('--rows / BENCH_ROWS', values.rows ?? process.env.BENCH_ROWS, 1_000_000),
    keys: count('--keys / BENCH_KEYS', values.keys ?? process.env.BENCH_KEYS, 1_000_000),
    repeat: count('--repeat / BENCH_REPEAT', values.repeat ?? process.env.BENCH_REPEAT, 1),
    bigRows: bigRowsRaw !== undefined && bigRowsRaw !== '' ? count('--big-rows / BENCH_BIG_ROWS', bigRowsRaw, 0) : values.big ? 5_000_000 : 0,
  };
}
// ---------------------------------------------------------------- main

async function serverVersions(maria: ThrowawayServer, pg: ThrowawayServer, redis: ThrowawayServer): Promise<Record<string, string>> {
  const [m, p, r] = await Promise.all([
    mariadbExec(maria, 'SELECT VERSION();').catch((e: Error) => `? (${e.message})`),
    psqlExec(pg, 'SHOW server_version;').catch((e: Error) => `? (${e.message})`),
    runSimple('redis-cli', ['-h', redis.host, '-p', String(redis.port), 'INFO', 'server']).then((x) => /redis_version:(\S+)/.exec(x.stdout)?.[1] ?? '?'),
  ]);
  return { mariadb: m, postgres: p, redis: r };
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (!options) return 0;
  for (const cmd of ['mariadb', 'mariadb-dump', 'psql', 'redis-cli']) {
    if (!commandExists(cmd)) throw new Error(`${cmd} is not on PATH (install the MariaDB, PostgreSQL and Redis client packages)`);
  }
  const rssMethod = await probeRssMethod();
  const startedAt = new Date();
  const loadBefore = loadavg();
  log(`rows ${int(options.rows)}, keys ${int(options.keys)}, repeat ${options.repeat}${options.bigRows ? `, and ${int(options.bigRows)}-row MySQL and PostgreSQL pulls` : ''}; peak RSS via ${rssMethod}`);
  log(`${cpus().length} CPUs, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}: other work on this machine makes the figures noisy`);

  const workDir = await mkdtemp(join(tmpdir(), 'snapbench-bench-'));
  const servers: ThrowawayServer[] = [];
  let exitCode = 1;
  try {
    log('starting MariaDB, PostgreSQL and Redis');
    const started = await Promise.allSettled([startMariadb(), startPostgres(), startRedis()]);
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    const [maria, pg, redis] = servers as [ThrowawayServer, ThrowawayServer, ThrowawayServer];

    // A buffer pool that holds the table, as on a production server: both tools then
    // read from memory and the comparison is about the client, not the disk.
    const bufferPoolMb = options.bigRows ? 1536 : 768;
    await mariadbExec(maria, `SET GLOBAL innodb_buffer_pool_size = ${bufferPoolMb} * 1024 * 1024;`).catch((e: Error) => log(`could not resize the buffer pool: ${e.message}`));

    log(`generating ${int(options.rows)} orders in MariaDB and PostgreSQL and ${int(options.keys)} Redis keys (server-side)`);
    const timed = async (what: string, work: () => Promise<void>): Promise<number> => {
      const t = performance.now();
      await work();
      const ms = performance.now() - t;
      log(`  ${what} ready in ${secs(ms)} s`);
      return ms;
    };
    const [mariaGenMs, pgGenMs, redisGenMs] = await Promise.all([
      timed('MariaDB orders', () => generateMariadb(maria, MYSQL_DB, options.rows)),
      timed('PostgreSQL orders', () => generatePostgres(pg, options.rows)),
      timed('Redis keys', () => generateRedis(redis, options.keys)),
    ]);
    const sizes = {
      mariadbOrdersBytes: Number(await mariadbExec(maria, `SELECT data_length + index_length FROM information_schema.tables WHERE table_schema = '${MYSQL_DB}' AND table_name = 'orders';`)),
      postgresOrdersBytes: Number(await psqlExec(pg, `SELECT pg_total_relation_size('orders');`, POSTGRES_DB)),
      redisUsedMemoryBytes: Number(/used_memory:(\d+)/.exec((await runSimple('redis-cli', ['-h', redis.host, '-p', String(redis.port), 'INFO', 'memory'])).stdout)?.[1] ?? NaN),
    };
    const versions = await serverVersions(maria, pg, redis);
    const [mariaProfile, pgProfile] = await Promise.all([profileMariadb(maria, MYSQL_DB), profilePostgres(pg)]);
    const profile = Object.fromEntries(PROFILE_COLUMNS.map((name, i) => [name, mariaProfile.split('\t')[i] ?? null]));
    log(`data: ${PROFILE_COLUMNS.map((name) => `${name} ${profile[name]}`).join(', ')}`);
    if (mariaProfile !== pgProfile) log(`warning: PostgreSQL's orders differ from MariaDB's:\n  MariaDB    ${mariaProfile}\n  PostgreSQL ${pgProfile}`);

    const instances: Record<string, unknown>[] = [
      { name: 'bench-mariadb', engine: 'mysql', host: maria.host, port: maria.port, user: 'root', databases: [MYSQL_DB] },
      { name: 'bench-postgres', engine: 'postgres', host: pg.host, port: pg.port, user: 'postgres', databases: [POSTGRES_DB] },
      { name: 'bench-redis', engine: 'redis', host: redis.host, port: redis.port },
    ];
    if (options.bigRows) {
      instances.push({ name: 'bench-mariadb-big', engine: 'mysql', host: maria.host, port: maria.port, user: 'root', databases: [MYSQL_BIG_DB] });
      instances.push({ name: 'bench-postgres-big', engine: 'postgres', host: pg.host, port: pg.port, user: 'postgres', databases: [POSTGRES_BIG_DB] });
    }
    const ctx: Context = { workDir, fleetFile: writeFleet(workDir, instances), repeat: options.repeat };

    // CLI start-up alone (node + the compiled CLI's imports), part of every pull's wall time.
    const startup = await runMeasured(process.execPath, [SNAPBENCH_BIN, '--version'], { workDir, stdout: 'capture' });
    log(`snapbench --version: ${secs(startup.wallMs)} s (CLI start-up, included in every pull's wall time)`);

    const rows: ResultRow[] = [];
    for (const pair of [mysqlPair(maria, options.rows), postgresPair(pg, options.rows), redisPair(redis, options.keys)]) rows.push(...(await measurePair(ctx, pair)));
    // Throughput rows first, then the memory rows.
    rows.sort((a, b) => Number(a.unit === 'MB') - Number(b.unit === 'MB'));

    let bigGenMs: { mariadb: number; postgres: number } | null = null;
    if (options.bigRows) {
      // The same table, bigger, in a database of its own: the ratio and the peak RSS at this size.
      log(`generating ${int(options.bigRows)} orders in MariaDB and PostgreSQL databases ${MYSQL_BIG_DB}`);
      const [mariaBigMs, pgBigMs] = await Promise.all([
        timed(`MariaDB ${MYSQL_BIG_DB}.orders`, () => generateMariadb(maria, MYSQL_BIG_DB, options.bigRows)),
        timed(`PostgreSQL ${POSTGRES_BIG_DB}.orders`, () => generatePostgres(pg, options.bigRows, POSTGRES_BIG_DB)),
      ]);
      bigGenMs = { mariadb: mariaBigMs, postgres: pgBigMs };
      const big = compact(options.bigRows);
      const bigRows: ResultRow[] = [];
      bigRows.push(...(await measurePair(ctx, mysqlPair(maria, options.bigRows, MYSQL_BIG_DB, 'bench-mariadb-big', `mysql-${big}`))));
      bigRows.push(...(await measurePair(ctx, postgresPair(pg, options.bigRows, POSTGRES_BIG_DB, 'bench-postgres-big', `postgres-${big}`))));
      // After the 1M rows of each kind: throughput rows first, then memory rows.
      const firstRss = rows.findIndex((r) => r.unit === 'MB');
      rows.splice(firstRss < 0 ? rows.length : firstRss, 0, ...bigRows.filter((r) => r.unit !== 'MB'));
      rows.push(...bigRows.filter((r) => r.unit === 'MB'));
    }

    const loadAfter = loadavg();
    const table = renderTable(rows);
    const timeLines = whereTimeGoes(rows);
    const errors = rows.filter((r) => r.message).map((r) => `  ${r.what}: ${r.message}`);
    const notes = [
      `${cpus().length} CPUs, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after: figures are noisy; --repeat N keeps the best of N`,
      `rates are ${options.repeat > 1 ? `best of ${options.repeat}, ` : ''}wall time from spawn to exit; snapbench's include its CLI start-up (${secs(startup.wallMs)} s for --version)`,
      `peak RSS is the snapbench child's (node), via ${rssMethod === 'gnu-time' ? '/usr/bin/time %M' : `VmHWM polled every ${RSS_POLL_MS} ms`}`,
      `servers: MariaDB ${versions.mariadb} (buffer pool ${bufferPoolMb} MB), PostgreSQL ${versions.postgres}, Redis ${versions.redis}; table sizes MariaDB ${(sizes.mariadbOrdersBytes / 1048576).toFixed(0)} MB, PostgreSQL ${(sizes.postgresOrdersBytes / 1048576).toFixed(0)} MB, Redis used_memory ${(sizes.redisUsedMemoryBytes / 1048576).toFixed(0)} MB`,
    ];
    const report = [
      '',
      `snapbench bench: ${int(options.rows)} rows, ${int(options.keys)} keys${options.repeat > 1 ? `, best of ${options.repeat}` : ''}`,
      '',
      table,
      '',
      ...(errors.length ? ['Errors and warnings:', ...errors, ''] : []),
      'Where the time goes:',
      ...timeLines,
      '',
      'Notes:',
      ...notes.map((n) => `  ${n}`),
      '',
    ].join('\n');
    process.stdout.write(report);

    const json = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options,
      machine: { cpus: cpus().length, totalMemMb: Math.round(totalmem() / 1048576), loadavgBefore: loadBefore, loadavgAfter: loadAfter, node: process.version },
      rssMethod,
      servers: { versions, mariadbBufferPoolMb: bufferPoolMb, ...sizes },
      data: { profile, sameInBothEngines: mariaProfile === pgProfile, redisMix: '50% CONTACT_day:<id> (no TTL), 30% session:<token> (TTL), 10% cart:<id> hash, 5% shop:<id>:queue list, 5% user:<id>:coupons set' },
      generationMs: { mariadb: Math.round(mariaGenMs), postgres: Math.round(pgGenMs), redis: Math.round(redisGenMs), mariadbBig: bigGenMs === null ? null : Math.round(bigGenMs.mariadb), postgresBig: bigGenMs === null ? null : Math.round(bigGenMs.postgres) },
      cliStartupMs: Math.round(startup.wallMs),
      results: rows,
      table,
      notes,
    };
    mkdirSync(dirname(RESULTS_FILE), { recursive: true });
    writeFileSync(RESULTS_FILE, JSON.stringify(json, (_key, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v), 2) + '\n');
    log(`wrote ${RESULTS_FILE}`);
    exitCode = rows.some((r) => r.status === 'ERROR') ? 2 : 0;
  } finally {
    log('stopping servers');
    killActiveGroups();
    await Promise.allSettled(servers.map((s) => s.stop()));
    rmSync(workDir, { recursive: true, force: true });
  }
  return exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`bench: ${error.message} (run "npm run bench -- --help")\n`);
      process.exitCode = 64;
      return;
    }
    process.stderr.write(`bench: failed: ${error instanceof Error ? (process.env.BENCH_DEBUG ? error.stack : error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
