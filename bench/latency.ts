// `npm run bench`, latency part: pulls over a slow link against the stock tools
// over the same link. The link (bench/harness/link.ts) is made here and removed
// at the end: a network namespace with a veth pair to this machine and `tc netem
// delay 10ms` on each end (20 ms round trips), or where the kernel has no netem
// the same 10 ms each way from a delay line in this process, and the report says
// which. Servers run on this side; every client (snapbench pull, mariadb-dump,
// psql \copy, redis-cli --memkeys) runs inside the namespace. Where a namespace
// cannot be made at all (not root, no `ip`), the bench says why and is skipped.
// Goal (issue 15): the Redis walk >= 10x redis-cli --memkeys over this link.
//
//   BENCH_LATENCY_ROWS  rows in MariaDB and PostgreSQL `orders` (default 200000)
//   BENCH_LATENCY_KEYS  keys in Redis (default 30000: redis-cli --memkeys pays a round trip per key)
// Writes bench/results/latency.json.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { mariadbExec, startMariadb, startPostgres, startRedis, type ThrowawayServer } from '../test/helpers/servers.ts';
import { generateMariadb, MYSQL_DB } from './engines/mysql.ts';
import { generatePostgres, POSTGRES_DB } from './engines/postgres.ts';
import { generateRedis } from './engines/redis.ts';
import { int, log, ROOT, runSimple } from './harness/process.ts';
import { SNAPBENCH_BIN } from './harness/pull.ts';
import { delayLine as delayLineOf, delayWords, inNamespace as inLinkNamespace, linkSpec, makeLink, q, removeLink } from './harness/link.ts';

const ROWS = Number(process.env.BENCH_LATENCY_ROWS || 200_000);
const KEYS = Number(process.env.BENCH_LATENCY_KEYS || 30_000);
const DELAY_MS = 10;

const LINK = linkSpec('snapbench-lat', 77, DELAY_MS);
const { hostAddr: HOST_ADDR } = LINK;
const inNamespace = (command: string) => inLinkNamespace(LINK, command);

interface Row {
  engine: string;
  count: number;
  unit: string;
  /** snapbench over the same path without the delay. */
  snapbenchNoDelayPerSecond: number;
  snapbenchPerSecond: number;
  tool: string;
  toolPerSecond: number;
  ratio: number;
  goal: string;
  result: 'MET' | 'MISS' | '-';
}

/** The goals over the slow link, by engine. */
const GOALS: Record<string, number> = { Redis: 10 };

async function main(): Promise<number> {
  let how: 'netem' | 'delay-line';
  try {
    how = (await makeLink(LINK)).how;
  } catch (error) {
    await removeLink(LINK);
    log(`latency bench skipped: cannot make a network namespace with a delayed veth link here (${(error as Error).message})`);
    return 0;
  }
  const servers: ThrowawayServer[] = [];
  const lines: Server[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'snapbench-latency-'));
  try {
    const delayBy = delayWords({ ...LINK, how });
    log(`latency bench: namespace ${LINK.ns} over a veth pair, ${delayBy}; loading ${int(ROWS)} rows and ${int(KEYS)} keys`);
    const listen = how === 'netem' ? { extraListen: HOST_ADDR } : {};
    const [maria, pg, redis] = await Promise.all([startMariadb(listen), startPostgres(listen), startRedis(listen)]);
    servers.push(maria, pg, redis);
    // The port a client in the namespace uses for each server, over the slow link and
    // (for snapbench's own baseline) over the same path without the delay.
    const portOf = new Map<ThrowawayServer, number>();
    const fastPortOf = new Map<ThrowawayServer, number>();
    for (const server of [maria, pg, redis]) {
      if (how === 'netem') {
        portOf.set(server, server.port);
      } else {
        const slow = await delayLineOf(LINK, server.port, DELAY_MS);
        const fast = await delayLineOf(LINK, server.port, 0);
        lines.push(slow.server, fast.server);
        portOf.set(server, slow.port);
        fastPortOf.set(server, fast.port);
      }
    }
    await Promise.all([generateMariadb(maria, MYSQL_DB, ROWS), generatePostgres(pg, ROWS), generateRedis(redis, KEYS)]);
    await mariadbExec(maria, "CREATE USER 'bench'@'%'; GRANT ALL ON *.* TO 'bench'@'%';");
    const manifest = (file: string, host: string, ports: (s: ThrowawayServer) => number | undefined) => {
      writeFileSync(
        file,
        stringify({
          instances: [
            { name: 'lat-mariadb', engine: 'mysql', host, port: ports(maria), user: 'bench', databases: [MYSQL_DB] },
            { name: 'lat-postgres', engine: 'postgres', host, port: ports(pg), user: 'postgres', databases: [POSTGRES_DB] },
            { name: 'lat-redis', engine: 'redis', host, port: ports(redis) },
          ],
        }),
      );
      return file;
    };
    const fleet = manifest(join(dir, 'fleet.yaml'), HOST_ADDR, (s) => portOf.get(s));
    // Without the delay: netem delays only the veth link, so 127.0.0.1 from this side; a delay line, its 0 ms twin.
    const fastFleet = how === 'netem' ? manifest(join(dir, 'fast.yaml'), '127.0.0.1', (s) => s.port) : manifest(join(dir, 'fast.yaml'), HOST_ADDR, (s) => fastPortOf.get(s));
    const check = await inNamespace(`${q(process.execPath)} ${q(SNAPBENCH_BIN)} fleet check ${q(fleet)} --connect --format json`);
    const latency = (JSON.parse(check.stdout) as { instance: string; latencyMs: number }[]).map((c) => `${c.instance} ${c.latencyMs} ms`).join(', ');
    log(`latency bench: measured round trips (fleet check --connect): ${latency}`);

    const pull = async (instance: string, manifestFile = fleet) => {
      const out = join(dir, `${instance}.snapbench`);
      const command = `${q(process.execPath)} ${q(SNAPBENCH_BIN)} pull --fleet ${q(manifestFile)} --out ${q(out)} --only ${instance} --format json`;
      let ms: number;
      if (manifestFile === fastFleet && how === 'netem') {
        const start = performance.now();
        const r = await runSimple('sh', ['-c', command]);
        ms = performance.now() - start;
        if (r.code !== 0) throw new Error(`${command.slice(0, 120)}: exit ${r.code}`);
      } else ms = (await inNamespace(command)).ms;
      rmSync(out, { force: true });
      return ms;
    };
    const rows: Row[] = [];
    const measure = async (engine: string, unit: string, count: number, instance: string, tool: string, toolCommand: string) => {
      const toolMs = (await inNamespace(toolCommand)).ms;
      const pullMs = await pull(instance);
      const fastMs = await pull(instance, fastFleet);
      const row = {
        engine,
        count,
        unit,
        snapbenchNoDelayPerSecond: Math.round(count / (fastMs / 1000)),
        snapbenchPerSecond: Math.round(count / (pullMs / 1000)),
        tool,
        toolPerSecond: Math.round(count / (toolMs / 1000)),
        ratio: Math.round((toolMs / pullMs) * 100) / 100,
        goal: GOALS[engine] ? `>= ${GOALS[engine]}x` : '-',
        result: (GOALS[engine] ? (toolMs / pullMs >= GOALS[engine] ? 'MET' : 'MISS') : '-') as Row['result'],
      };
      rows.push(row);
      log(`latency bench: ${engine}: snapbench ${int(row.snapbenchPerSecond)} ${unit}/s (${int(row.snapbenchNoDelayPerSecond)} without the delay), ${tool} ${int(row.toolPerSecond)} ${unit}/s, ratio ${row.ratio}x${row.goal === '-' ? '' : ` (goal ${row.goal}: ${row.result})`}`);
    };
    await measure('Redis', 'keys', KEYS, 'lat-redis', 'redis-cli --memkeys', `redis-cli -h ${HOST_ADDR} -p ${portOf.get(redis)} --memkeys > /dev/null`);
    await measure('MySQL', 'rows', ROWS, 'lat-mariadb', 'mariadb-dump', `mariadb-dump --no-defaults --quick --single-transaction -h ${HOST_ADDR} -P ${portOf.get(maria)} -u bench ${MYSQL_DB} orders > /dev/null`);
    await measure('PostgreSQL', 'rows', ROWS, 'lat-postgres', 'psql \\copy', `psql -X -h ${HOST_ADDR} -p ${portOf.get(pg)} -U postgres -d ${POSTGRES_DB} -c ${q('\\copy orders to /dev/null')}`);

    const widths = [12, 18, 18, 22, 18, 8, 8, 6];
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' ');
    process.stdout.write(`\nOver a ${DELAY_MS * 2} ms round-trip link (${delayBy}):\n`);
    process.stdout.write(`${line(['engine', 'snapbench 20 ms', 'snapbench 0 ms', 'reference tool', 'tool 20 ms', 'ratio', 'goal', 'result'])}\n`);
    for (const r of rows) {
      process.stdout.write(`${line([r.engine, `${int(r.snapbenchPerSecond)} ${r.unit}/s`, `${int(r.snapbenchNoDelayPerSecond)} ${r.unit}/s`, r.tool, `${int(r.toolPerSecond)} ${r.unit}/s`, `${r.ratio}x`, r.goal, r.result]).trimEnd()}\n`);
    }
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'latency.json'), JSON.stringify({ delayMsEachWay: DELAY_MS, delayBy, measuredRoundTrips: latency, rows }, null, 2) + '\n');
    return 0;
  } catch (error) {
    log(`latency bench failed: ${(error as Error).message}`);
    return 1;
  } finally {
    for (const line of lines) line.close();
    await Promise.all(servers.map((s) => s.stop()));
    await removeLink(LINK);
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
