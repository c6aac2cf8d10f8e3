// `npm run bench`, Redis fast paths: does the hand-written part of the Redis
// walk earn its place against its library alternative (issue 15, item 3)? On
// loopback and over a 20 ms round-trip link (bench/harness/link.ts), medians of
// BENCH_REDIS_PATHS_REPEAT runs, the two variants alternating:
//
//   RESP lane  the engine's key walk over the lane (engines/redis/resp.ts) against
//              a BENCH-ONLY walk issuing the same commands through ioredis
//              pipelines (bench/redis-walk.ts: same page size, overlap, records);
//              the engine has no ioredis walk to switch to, so the difference of
//              the two walks is set against the whole `snapbench pull`'s wall time.
//
// A hand-written path stays only where it wins by more than 20% of the whole
// pull in at least one setting: (ioredis walk - lane walk) / (lane pull + that
// difference), the whole pull as it would be with ioredis. The key HMAC's
// hand-written SHA-256 (engines/redis/sha256.ts) was measured here against
// createHmac and did not (16-19% of the pull, bench/README.md): it was replaced.
//
//   BENCH_REDIS_PATHS_KEYS    keys in Redis (default 1000000, the mix of bench/engines/redis.ts)
//   BENCH_REDIS_PATHS_REPEAT  runs of each variant per setting (default 3)
// Writes bench/results/redis-paths.json.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import type { Server } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startRedis, type ThrowawayServer } from '../test/helpers/servers.ts';
import { writeFleet } from '../test/helpers/cli.ts';
import { generateRedis } from './engines/redis.ts';
import { delayLine, delayWords, inNamespace, linkSpec, makeLink, q, removeLink, type Link } from './harness/link.ts';
import { int, log, ROOT, runSimple } from './harness/process.ts';
import { SNAPBENCH_BIN } from './harness/pull.ts';

const KEYS = Number(process.env.BENCH_REDIS_PATHS_KEYS || 1_000_000);
const REPEAT = Number(process.env.BENCH_REDIS_PATHS_REPEAT || 3);
const DELAY_MS = 10;
const KEEP_ABOVE = 0.2;
const SPEC = linkSpec('snapbench-rp', 78, DELAY_MS);

interface Run {
  wallMs: number;
  cpuMs: number | null;
}

interface Setting {
  name: string;
  /** Runs a shell command line in this setting (with `env`); wall time in ms and output. */
  run(command: string, env?: Record<string, string>): Promise<{ ms: number; stdout: string; stderr: string }>;
  fleet: string;
  host: string;
  port: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const medianRun = (runs: Run[]): Run => ({ wallMs: median(runs.map((r) => r.wallMs)), cpuMs: runs.every((r) => r.cpuMs !== null) ? median(runs.map((r) => r.cpuMs!)) : null });
const s = (ms: number): string => (ms / 1000).toFixed(2);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

async function here(command: string, env: Record<string, string> = {}): Promise<{ ms: number; stdout: string; stderr: string }> {
  const start = performance.now();
  const r = await runSimple('env', [...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'sh', '-c', command]);
  const ms = performance.now() - start;
  if (r.code !== 0) throw new Error(`${command.slice(0, 120)}: exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0]}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

/** A whole `snapbench pull` of the Redis instance; CPU from /usr/bin/time. */
async function pull(setting: Setting, dir: string): Promise<Run> {
  const out = join(dir, 'redis.snapbench');
  const command = `/usr/bin/time -f 'TIME %U %S' ${q(process.execPath)} ${q(SNAPBENCH_BIN)} pull --fleet ${q(setting.fleet)} --out ${q(out)} --only bench-redis --format json`;
  const r = await setting.run(command);
  rmSync(out, { force: true });
  const rows = (JSON.parse(r.stdout) as { rows: number }).rows;
  if (rows !== KEYS) throw new Error(`pull wrote ${rows} keys, expected ${KEYS}`);
  const time = /TIME ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { wallMs: r.ms, cpuMs: time ? Math.round((Number(time[1]) + Number(time[2])) * 1000) : null };
}

/** One walk (bench/redis-walk.ts) in a child: its own wall and CPU, without node's start-up. */
async function walk(setting: Setting, client: 'lane' | 'ioredis'): Promise<Run> {
  const r = await setting.run(`cd ${q(ROOT)} && ${q(process.execPath)} --import tsx bench/redis-walk.ts --client ${client} --host ${setting.host} --port ${setting.port} --keys ${KEYS}`);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { wallMs: number; cpuMs: number };
  return { wallMs: result.wallMs, cpuMs: result.cpuMs };
}

interface SettingResult {
  setting: string;
  pull: Run;
  walkLane: Run;
  walkIoredis: Run;
  /** (ioredis walk - lane walk) / (pull + that difference). */
  laneGain: number;
  runs: { pull: Run[]; walkLane: Run[]; walkIoredis: Run[] };
}

async function measureSetting(setting: Setting, dir: string): Promise<SettingResult> {
  const runs = { pull: [] as Run[], walkLane: [] as Run[], walkIoredis: [] as Run[] };
  for (let i = 0; i < REPEAT; i++) {
    const run = await pull(setting, dir);
    runs.pull.push(run);
    log(`redis paths: ${setting.name}: snapbench pull ${s(run.wallMs)} s wall, ${run.cpuMs === null ? '?' : s(run.cpuMs)} s CPU`);
    // Alternate which variant goes first, so a drift in the machine's load falls on both.
    for (const client of i % 2 === 0 ? (['lane', 'ioredis'] as const) : (['ioredis', 'lane'] as const)) {
      const walked = await walk(setting, client);
      (client === 'lane' ? runs.walkLane : runs.walkIoredis).push(walked);
      log(`redis paths: ${setting.name}: walk over ${client === 'lane' ? 'the lane' : 'ioredis pipelines'} ${s(walked.wallMs)} s wall, ${s(walked.cpuMs!)} s CPU`);
    }
  }
  const pulled = medianRun(runs.pull);
  const walkLane = medianRun(runs.walkLane);
  const walkIoredis = medianRun(runs.walkIoredis);
  const saved = walkIoredis.wallMs - walkLane.wallMs;
  return { setting: setting.name, pull: pulled, walkLane, walkIoredis, laneGain: saved / (pulled.wallMs + saved), runs };
}

function table(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}

async function main(): Promise<number> {
  const loadBefore = loadavg();
  let link: Link | null = null;
  let linkSkipped: string | null = null;
  try {
    link = await makeLink(SPEC);
  } catch (error) {
    await removeLink(SPEC);
    linkSkipped = `cannot make a network namespace with a delayed veth link here (${(error as Error).message})`;
    log(`redis paths: the 20 ms rows are skipped: ${linkSkipped}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'snapbench-redis-paths-'));
  let redis: ThrowawayServer | null = null;
  const lines: Server[] = [];
  try {
    redis = await startRedis(link?.how === 'netem' ? { extraListen: link.hostAddr } : {});
    log(`redis paths: loading ${int(KEYS)} keys; ${REPEAT} runs of each variant per setting; ${cpus().length} CPUs, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
    await generateRedis(redis, KEYS);
    const settings: Setting[] = [
      {
        name: 'loopback',
        run: here,
        fleet: writeFleet(dir, [{ name: 'bench-redis', engine: 'redis', host: redis.host, port: redis.port }], 'loopback.yaml'),
        host: redis.host,
        port: redis.port,
      },
    ];
    if (link) {
      let port = redis.port;
      if (link.how === 'delay-line') {
        const slow = await delayLine(link, redis.port, DELAY_MS);
        lines.push(slow.server);
        port = slow.port;
      }
      const l = link;
      settings.push({
        name: `${DELAY_MS * 2} ms link`,
        run: (command, env) => inNamespace(l, command, env),
        fleet: writeFleet(dir, [{ name: 'bench-redis', engine: 'redis', host: link.hostAddr, port }], 'link.yaml'),
        host: link.hostAddr,
        port,
      });
    }
    const results: SettingResult[] = [];
    for (const setting of settings) results.push(await measureSetting(setting, dir));
    const loadAfter = loadavg();

    const cell = (r: Run) => `${s(r.wallMs)} s (CPU ${r.cpuMs === null ? '?' : s(r.cpuMs)} s)`;
    const laneRows = results.map((r) => [r.setting, cell(r.walkLane), cell(r.walkIoredis), `${(r.walkIoredis.wallMs / r.walkLane.wallMs).toFixed(2)}x`, cell(r.pull), pct(r.laneGain), r.laneGain > KEEP_ABOVE ? 'WIN' : 'no']);
    const keepLane = results.some((r) => r.laneGain > KEEP_ABOVE);
    const delayBy = link ? delayWords(link) : null;
    process.stdout.write(
      [
        '',
        `Redis hand-written paths against their libraries, ${int(KEYS)} keys, medians of ${REPEAT} (load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after, ${cpus().length} CPUs)`,
        `settings: loopback; ${link ? `${DELAY_MS * 2} ms round trips (${delayBy})` : `no ${DELAY_MS * 2} ms link: ${linkSkipped}`}`,
        '',
        'RESP lane, key walk alone (wall, CPU of the walk); ioredis = BENCH-ONLY walk, same commands through ioredis pipelines:',
        ...table(['setting', 'lane (resp.ts)', 'ioredis pipelines', 'ratio', 'whole snapbench pull', 'gain of the pull', `> ${KEEP_ABOVE * 100}%`], laneRows),
        '',
        `resp.ts lane: ${keepLane ? 'KEEP' : 'REPLACE with ioredis pipelines'} (${keepLane ? 'wins' : 'does not win'} by more than ${KEEP_ABOVE * 100}% of the whole pull in ${keepLane ? 'at least one setting' : 'any setting'})`,
        'key HMAC: node:crypto createHmac (the hand-written sha256.ts did not win by 20%: bench/README.md)',
        '',
      ].join('\n'),
    );
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(
      join(ROOT, 'bench', 'results', 'redis-paths.json'),
      JSON.stringify({ keys: KEYS, repeat: REPEAT, keepAbove: KEEP_ABOVE, delayBy, linkSkipped, loadavgBefore: loadBefore, loadavgAfter: loadAfter, results, keep: { lane: keepLane } }, null, 2) + '\n',
    );
    return 0;
  } catch (error) {
    log(`redis paths bench failed: ${(error as Error).message}`);
    return 1;
  } finally {
    for (const line of lines) line.close();
    await redis?.stop();
    if (link) await removeLink(link);
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
