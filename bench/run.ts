// `npm run bench`: snapbench pull throughput and memory against the stock
// command-line tools, on throwaway servers, in one run.
//
//   MySQL       snapbench pull (MariaDB only)   vs  mariadb-dump --quick --single-transaction > /dev/null
//   PostgreSQL  snapbench pull (PostgreSQL only) vs psql -c "\copy orders to /dev/null"
//   Redis       snapbench pull (key inventory)  vs  redis-cli --memkeys > /dev/null
//   + peak RSS of every snapbench pull child (node), and optionally of a 5M-row pull.
//
// Options (env in brackets):
//   --rows N      rows in `orders` in MariaDB and PostgreSQL   [BENCH_ROWS, default 1000000]
//   --keys N      keys in Redis                                  [BENCH_KEYS, default 1000000]
//   --repeat N    run every measurement N times, keep the best   [BENCH_REPEAT, default 1]
//   --big         also pull a 5,000,000-row MariaDB table, peak RSS only
//   --rss-rows N  same as --big with N rows                      [BENCH_RSS_ROWS]
//   BENCH_RSS_METHOD=proc  poll VmHWM in /proc instead of using /usr/bin/time
//   BENCH_SNAPBENCH_BIN=/other/checkout/bin/snapbench.js  bench another build
//
// Prints an aligned table and writes the same as JSON to bench/results/latest.json.
// Exit code: 0 when the report is complete (MISS is a result, not a failure);
// 2 when some measurement could not be taken (a pull or a reference tool failed:
// ERROR rows); 1 when the bench itself broke (servers, data generation).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mariadbExec, psqlExec, startMariadb, startPostgres, startRedis, type ThrowawayServer } from '../test/helpers/servers.ts';
import { SNAPBENCH_BIN as CHECKOUT_BIN, writeFleet } from '../test/helpers/cli.ts';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
/** bin/snapbench.js of this checkout; BENCH_SNAPBENCH_BIN points at another build (say, a baseline commit). */
const SNAPBENCH_BIN = process.env.BENCH_SNAPBENCH_BIN || CHECKOUT_BIN;
const RESULTS_FILE = join(ROOT, 'bench', 'results', 'latest.json');
const TIME_BIN = '/usr/bin/time';
const CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat times are in these ticks
const RSS_POLL_MS = 50;
const PROCESS_TIMEOUT_MS = 30 * 60_000;
const MARIADB_CHUNK_ROWS = 500_000; // one INSERT ... SELECT per chunk keeps each statement well under the helper's 60 s
const PG_CHUNK_ROWS = 1_000_000;
const DB = 'bench';
const BIG_DB = 'benchbig';

const TARGETS = {
  mysql: { min: 0.5, label: '>= 0.5x' },
  postgres: { min: 0.5, label: '>= 0.5x' },
  redis: { min: 2, label: '>= 2x' },
  rssMb: { max: 250, label: '< 250 MB' },
} as const;

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
  const rssRowsRaw = values['rss-rows'] ?? process.env.BENCH_RSS_ROWS;
  return {
    rows: count('--rows / BENCH_ROWS', values.rows ?? process.env.BENCH_ROWS, 1_000_000),
    keys: count('--keys / BENCH_KEYS', values.keys ?? process.env.BENCH_KEYS, 1_000_000),
    repeat: count('--repeat / BENCH_REPEAT', values.repeat ?? process.env.BENCH_REPEAT, 1),
    bigRows: rssRowsRaw !== undefined && rssRowsRaw !== '' ? count('--rss-rows / BENCH_RSS_ROWS', rssRowsRaw, 0) : values.big ? 5_000_000 : 0,
  };
}

// ---------------------------------------------------------------- small utilities

const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const secs = (ms: number): string => (ms / 1000).toFixed(2);
const mb = (kb: number): number => Math.round((kb / 1024) * 10) / 10;

function commandExists(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, cmd)));
}

/** utime+stime+cutime+cstime of a process in seconds (children count once reaped: PostgreSQL backends). */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return Number.isFinite(ticks) ? ticks / CLK_TCK : null;
  } catch {
    return null;
  }
}

function vmHwmKb(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- child processes

/** Process groups of measured children still running: killed if the bench is interrupted. */
const activeGroups = new Set<number>();
function killActiveGroups(): void {
  for (const pgid of activeGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  activeGroups.clear();
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    killActiveGroups();
    // The servers helper kills its servers in its 'exit' handler.
    process.exit(130);
  });
}

interface Line {
  atMs: number;
  text: string;
}

interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  wallMs: number;
  peakRssKb: number | null;
  cpuSeconds: number | null;
  stdout: string;
  stderr: string;
  lines: Line[];
}

let rssMethod: 'gnu-time' | 'proc-vmhwm' = existsSync(TIME_BIN) && process.env.BENCH_RSS_METHOD !== 'proc' ? 'gnu-time' : 'proc-vmhwm';
let statCounter = 0;

/**
 * Runs one command and measures its wall time (spawn to exit, as a user sees it),
 * its peak RSS and its CPU time: through `/usr/bin/time -f '%M %U %S'` when present,
 * else by polling /proc/<pid>/status (VmHWM) every 50 ms.
 */
async function runMeasured(cmd: string, args: string[], options: { workDir: string; stdout: 'devnull' | 'capture' }): Promise<RunOutcome> {
  const statFile = join(options.workDir, `time-${++statCounter}.txt`);
  const [file, argv] = rssMethod === 'gnu-time' ? [TIME_BIN, ['-f', '%M %U %S', '-o', statFile, cmd, ...args]] : [cmd, args];
  const devnull = options.stdout === 'devnull' ? openSync('/dev/null', 'w') : null;
  let child: ChildProcess;
  const started = performance.now();
  try {
    child = spawn(file, argv, { cwd: ROOT, stdio: ['ignore', devnull ?? 'pipe', 'pipe'], detached: true });
  } finally {
    if (devnull !== null) closeSync(devnull);
  }
  const pid = child.pid;
  if (pid !== undefined) activeGroups.add(pid);

  let peak: number | null = null;
  let cpu: number | null = null;
  let poller: NodeJS.Timeout | undefined;
  if (rssMethod === 'proc-vmhwm' && pid !== undefined) {
    const sample = (): void => {
      const hwm = vmHwmKb(pid);
      if (hwm !== null) peak = Math.max(peak ?? 0, hwm);
      const c = processCpuSeconds(pid);
      if (c !== null) cpu = c;
    };
    sample();
    poller = setInterval(sample, RSS_POLL_MS);
  }

  let stdout = '';
  let stderr = '';
  const lines: Line[] = [];
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    if (stdout.length < 4_000_000) stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    const at = performance.now() - started;
    if (stderr.length < 4_000_000) stderr += d;
    const parts = (partial + d).split('\n');
    partial = parts.pop()!;
    for (const text of parts) if (lines.length < 100_000) lines.push({ atMs: at, text });
  });

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }, PROCESS_TIMEOUT_MS);

  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve({ code: c, signal: s }));
  }).finally(() => {
    clearTimeout(timer);
    if (poller) clearInterval(poller);
    if (pid !== undefined) activeGroups.delete(pid);
  });
  const wallMs = performance.now() - started;
  if (partial) lines.push({ atMs: wallMs, text: partial });

  if (rssMethod === 'gnu-time') {
    try {
      // "Command exited with non-zero status N" may precede the format line.
      const last = readFileSync(statFile, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^\d+ [\d.]+ [\d.]+$/.test(l))
        .pop();
      if (last) {
        const [m, u, s] = last.split(' ').map(Number);
        peak = m!;
        cpu = u! + s!;
      }
      rmSync(statFile, { force: true });
    } catch {
      // no stat file: the command could not be run at all
    }
  }
  return { code, signal, timedOut, wallMs, peakRssKb: peak, cpuSeconds: cpu, stdout, stderr, lines };
}

/** Spawns a helper command (not measured), feeding stdin from an async generator. */
function runFeeding(cmd: string, args: string[], input: () => AsyncGenerator<string | Buffer>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    void (async () => {
      for await (const chunk of input()) {
        if (!child.stdin.write(chunk)) await new Promise<void>((r) => child.stdin.once('drain', r));
      }
      child.stdin.end();
    })().catch((error: unknown) => {
      child.kill('SIGKILL');
      reject(error instanceof Error ? error : new Error(String(error)));
    });
  });
}

function runSimple(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runFeeding(cmd, args, async function* () {});
}

// ---------------------------------------------------------------- data generation

/** Shop names: consistent per shop, some Chinese, some NULL (handled by the caller). */
const ZH_AREAS = ['国贸', '中关村', '陆家嘴', '天河城'];
const EN_AREAS = ['Broadway', 'Union Square', 'Times Square', 'Wall St', 'Madison Ave', 'Brooklyn Heights'];
const quoteList = (items: string[]): string => items.map((s) => `'${s}'`).join(', ');

function mariadbOrdersDdl(db: string): string {
  return `SET NAMES utf8mb4;
CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE TABLE \`${db}\`.orders (
  id BIGINT NOT NULL,
  order_no VARCHAR(32) NOT NULL,
  user_id BIGINT NOT NULL,
  shop_id INT NOT NULL,
  shop_name VARCHAR(64) NULL,
  currency_code CHAR(3) NULL,
  country_code CHAR(2) NOT NULL,
  total_amount DECIMAL(12,2) NOT NULL,
  discount_amount DECIMAL(12,2) NOT NULL DEFAULT 0.00,
  pay_amount DECIMAL(12,2) NOT NULL,
  coupon_id BIGINT NULL,
  pay_channel TINYINT NOT NULL,
  status TINYINT NOT NULL,
  create_time DATETIME NOT NULL,
  pay_time DATETIME NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;`;
}

/** Rows from..to of `orders`, computed server-side from the sequence engine. Same values as the PostgreSQL version. */
function mariadbOrdersInsert(db: string, from: number, to: number, total: number): string {
  return `SET NAMES utf8mb4;
SET SESSION unique_checks = 0, foreign_key_checks = 0;
INSERT INTO \`${db}\`.orders
SELECT id,
  CONCAT('LK', DATE_FORMAT(create_time, '%Y%m%d'), LPAD(id, 12, '0')),
  user_id, shop_id,
  CASE WHEN id % 53 = 0 THEN NULL
       WHEN shop_id % 9 = 0 THEN CONCAT('瑞幸咖啡（', ELT(1 + shop_id % ${ZH_AREAS.length}, ${quoteList(ZH_AREAS)}), '）', shop_id, '号店')
       ELSE CONCAT('Lucky ', ELT(1 + shop_id % ${EN_AREAS.length}, ${quoteList(EN_AREAS)}), ' #', shop_id) END,
  currency_code, country_code, total, discount, total - discount, coupon_id, pay_channel, status, create_time,
  CASE WHEN status IN (0, 4) THEN NULL ELSE create_time + INTERVAL (3 + id % 120) SECOND END
FROM (
  SELECT seq AS id,
    1 + (seq * 2654435761) % 250000 AS user_id,
    1 + (seq * 40507) % 1200 AS shop_id,
    CASE WHEN seq % 101 = 0 THEN NULL WHEN seq % 17 = 0 THEN 'CAD' WHEN seq % 29 = 0 THEN 'CNY' WHEN seq % 43 = 0 THEN 'EUR' ELSE 'USD' END AS currency_code,
    CASE WHEN seq % 17 = 0 THEN 'CA' WHEN seq % 29 = 0 THEN 'CN' WHEN seq % 43 = 0 THEN 'DE' ELSE 'US' END AS country_code,
    ROUND(2.5 + ((seq * 7919) % 4500) / 100.0, 2) AS total,
    CASE WHEN seq % 4 = 0 THEN ROUND((2.5 + ((seq * 7919) % 4500) / 100.0) * 0.2, 2) ELSE 0 END AS discount,
    CASE WHEN seq % 4 = 0 THEN 500000 + (seq * 31) % 20000 END AS coupon_id,
    1 + (seq * 13) % 4 AS pay_channel,
    CASE WHEN seq % 50 = 0 THEN 0 WHEN seq % 50 IN (1, 2) THEN 4 ELSE 3 END AS status,
    TIMESTAMP'2024-01-01 00:00:00' + INTERVAL (seq * 31536000 DIV ${total}) SECOND AS create_time
  FROM seq_${from}_to_${to}
) g;`;
}

async function generateMariadb(server: ThrowawayServer, db: string, rows: number): Promise<void> {
  await mariadbExec(server, mariadbOrdersDdl(db));
  for (let from = 1; from <= rows; from += MARIADB_CHUNK_ROWS) {
    const to = Math.min(rows, from + MARIADB_CHUNK_ROWS - 1);
    await mariadbExec(server, mariadbOrdersInsert(db, from, to, rows), db);
  }
  await mariadbExec(server, `ANALYZE TABLE \`${db}\`.orders;`);
  const got = Number(await mariadbExec(server, `SELECT COUNT(*) FROM \`${db}\`.orders;`));
  if (got !== rows) throw new Error(`MariaDB ${db}.orders has ${got} rows, expected ${rows}`);
}

function pgOrdersInsert(from: number, to: number, total: number): string {
  return `SET client_encoding = 'UTF8';
INSERT INTO orders
SELECT id,
  'LK' || to_char(create_time, 'YYYYMMDD') || lpad(id::text, 12, '0'),
  user_id, shop_id,
  CASE WHEN id % 53 = 0 THEN NULL
       WHEN shop_id % 9 = 0 THEN '瑞幸咖啡（' || (ARRAY[${quoteList(ZH_AREAS)}])[1 + shop_id % ${ZH_AREAS.length}] || '）' || shop_id || '号店'
       ELSE 'Lucky ' || (ARRAY[${quoteList(EN_AREAS)}])[1 + shop_id % ${EN_AREAS.length}] || ' #' || shop_id END,
  currency_code, country_code, total, discount, total - discount, coupon_id, pay_channel, status, create_time,
  CASE WHEN status IN (0, 4) THEN NULL ELSE create_time + (3 + id % 120) * interval '1 second' END
FROM (
  SELECT s AS id,
    1 + (s * 2654435761) % 250000 AS user_id,
    (1 + (s * 40507) % 1200)::int AS shop_id,
    CASE WHEN s % 101 = 0 THEN NULL WHEN s % 17 = 0 THEN 'CAD' WHEN s % 29 = 0 THEN 'CNY' WHEN s % 43 = 0 THEN 'EUR' ELSE 'USD' END AS currency_code,
    CASE WHEN s % 17 = 0 THEN 'CA' WHEN s % 29 = 0 THEN 'CN' WHEN s % 43 = 0 THEN 'DE' ELSE 'US' END AS country_code,
    round(2.5 + ((s * 7919) % 4500) / 100.0, 2) AS total,
    CASE WHEN s % 4 = 0 THEN round((2.5 + ((s * 7919) % 4500) / 100.0) * 0.2, 2) ELSE 0 END AS discount,
    CASE WHEN s % 4 = 0 THEN 500000 + (s * 31) % 20000 END AS coupon_id,
    (1 + (s * 13) % 4)::smallint AS pay_channel,
    (CASE WHEN s % 50 = 0 THEN 0 WHEN s % 50 IN (1, 2) THEN 4 ELSE 3 END)::smallint AS status,
    timestamp '2024-01-01 00:00:00' + (s * 31536000 / ${total}) * interval '1 second' AS create_time
  FROM generate_series(${from}::bigint, ${to}::bigint) AS s
) g;`;
}

async function generatePostgres(server: ThrowawayServer, rows: number): Promise<void> {
  await psqlExec(server, `CREATE DATABASE ${DB}`);
  await psqlExec(
    server,
    `CREATE TABLE orders (
      id bigint NOT NULL,
      order_no varchar(32) NOT NULL,
      user_id bigint NOT NULL,
      shop_id integer NOT NULL,
      shop_name varchar(64),
      currency_code char(3),
      country_code char(2) NOT NULL,
      total_amount numeric(12,2) NOT NULL,
      discount_amount numeric(12,2) NOT NULL DEFAULT 0.00,
      pay_amount numeric(12,2) NOT NULL,
      coupon_id bigint,
      pay_channel smallint NOT NULL,
      status smallint NOT NULL,
      create_time timestamp NOT NULL,
      pay_time timestamp
    );`,
    DB,
  );
  for (let from = 1; from <= rows; from += PG_CHUNK_ROWS) {
    const to = Math.min(rows, from + PG_CHUNK_ROWS - 1);
    await psqlExec(server, pgOrdersInsert(from, to, rows), DB);
  }
  // PK after the load (faster); VACUUM FREEZE sets hint bits so no reader pays for them.
  await psqlExec(server, 'ALTER TABLE orders ADD PRIMARY KEY (id);', DB);
  await psqlExec(server, 'VACUUM (FREEZE, ANALYZE) orders;', DB);
  const got = Number(await psqlExec(server, 'SELECT count(*) FROM orders;', DB));
  if (got !== rows) throw new Error(`PostgreSQL orders has ${got} rows, expected ${rows}`);
}

function resp(args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return out;
}

/**
 * `keys` keys through `redis-cli --pipe`, a mix like the reference fleet's caches:
 * 50% CONTACT_day:<id> strings without TTL, 30% session:<token> strings with a TTL,
 * 10% cart:<id> hashes, 5% shop:<id>:queue lists, 5% user:<id>:coupons sets.
 */
async function generateRedis(server: ThrowawayServer, keys: number): Promise<void> {
  const CHUNK = 10_000;
  const commands = async function* (): AsyncGenerator<string> {
    for (let start = 0; start < keys; start += CHUNK) {
      let chunk = '';
      const end = Math.min(keys, start + CHUNK);
      for (let i = start; i < end; i++) {
        const bucket = i % 100;
        if (bucket < 50) chunk += resp(['SET', `CONTACT_day:${10_000_000 + i}`, String(i % 7)]);
        else if (bucket < 80) chunk += resp(['SET', `session:${randomBytes(16).toString('hex')}`, String(1 + ((i * 2654435761) % 250_000)), 'EX', String(3600 + (i % 86_400))]);
        else if (bucket < 90) chunk += resp(['HSET', `cart:${i}`, `sku_${i % 300}`, String(1 + (i % 3)), `sku_${(i * 7) % 300}`, '1', 'updated_at', String(1_704_067_200 + i)]);
        else if (bucket < 95) chunk += resp(['RPUSH', `shop:${i}:queue`, `LK${i}01`, `LK${i}02`, `LK${i}03`]);
        else chunk += resp(['SADD', `user:${i}:coupons`, `C${i % 97}`, `C${i % 89}`, `C${i % 83}`]);
      }
      yield chunk;
    }
  };
  const r = await runFeeding('redis-cli', ['-h', server.host, '-p', String(server.port), '--pipe'], commands);
  if (r.code !== 0 || !/errors: 0,/.test(r.stdout)) throw new Error(`redis-cli --pipe failed (code ${r.code}): ${(r.stdout + r.stderr).trim().slice(-500)}`);
  const size = Number((await runSimple('redis-cli', ['-h', server.host, '-p', String(server.port), 'DBSIZE'])).stdout.trim());
  if (size !== keys) throw new Error(`Redis has ${size} keys after loading, expected ${keys} (a set/sadd collapsed duplicates?)`);
}

/** A profile of the generated table, the same text for both engines when the data is the same. */
const PROFILE_COLUMNS = ['rows', 'shop_name NULL', 'Chinese shop_name', 'currency NULL', 'non-USD', 'coupon NULL', 'pay_time NULL', 'sum(pay_amount)', 'first create_time', 'last create_time', 'sample shop_name'];

async function profileMariadb(server: ThrowawayServer, db: string): Promise<string> {
  return mariadbExec(
    server,
    `SET NAMES utf8mb4;
SELECT COUNT(*), SUM(shop_name IS NULL), SUM(shop_name LIKE '瑞幸%'), SUM(currency_code IS NULL), SUM(currency_code <> 'USD'), SUM(coupon_id IS NULL), SUM(pay_time IS NULL),
  SUM(pay_amount), MIN(create_time), MAX(create_time), (SELECT shop_name FROM orders WHERE id = 5) FROM orders;`,
    db,
  );
}

async function profilePostgres(server: ThrowawayServer): Promise<string> {
  const out = await psqlExec(
    server,
    `SET client_encoding = 'UTF8';
SELECT count(*), sum((shop_name IS NULL)::int), sum((shop_name LIKE '瑞幸%')::int), sum((currency_code IS NULL)::int), sum((currency_code <> 'USD')::int), sum((coupon_id IS NULL)::int), sum((pay_time IS NULL)::int),
  sum(pay_amount), min(create_time), max(create_time), (SELECT shop_name FROM orders WHERE id = 5) FROM orders;`,
    DB,
  );
  return out.split('|').join('\t');
}

// ---------------------------------------------------------------- measurements

type Status = 'PASS' | 'MISS' | 'ERROR';

interface ToolRun {
  wallMs: number;
  rate: number;
  peakRssMb: number | null;
  cpuSeconds: number | null;
  serverCpuSeconds: number | null;
}

interface SnapbenchRun extends ToolRun {
  pulledRows: number | null;
  fileBytes: number | null;
  phases: { startupMs: number | null; pullMs: number | null; finishMs: number | null; tableMs: number | null };
}

interface ResultRow {
  id: string;
  what: string;
  unit: 'rows' | 'keys' | 'MB';
  count: number | null;
  status: Status;
  /** Best run (lowest wall time) of snapbench and of the reference tool. */
  snapbench: SnapbenchRun | null;
  reference: (ToolRun & { tool: string }) | null;
  /** snapbench rate / reference rate; for RSS rows, the peak in MB. */
  ratio: number | null;
  value: number | null;
  target: string;
  message: string | null;
  runs: { snapbench: SnapbenchRun[]; reference: ToolRun[] };
}

interface Context {
  workDir: string;
  fleetFile: string;
  repeat: number;
}

function failureLine(outcome: RunOutcome, tool: string): string {
  if (outcome.timedOut) return `${tool} timed out after ${PROCESS_TIMEOUT_MS / 60_000} min`;
  const lines = outcome.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const pullLine = lines.find((l) => l.startsWith('snapbench pull:')) ?? lines.find((l) => /FAILED|error/i.test(l)) ?? lines.at(-1);
  const how = outcome.signal ? `signal ${outcome.signal}` : `exit ${outcome.code}`;
  return `${tool} ${how}${pullLine ? `: ${pullLine}` : ''}`.slice(0, 600);
}

function phasesOf(lines: Line[], wallMs: number): SnapbenchRun['phases'] {
  const at = (re: RegExp): number | null => lines.find((l) => re.test(l.text))?.atMs ?? null;
  const connect = at(/: connecting \(/);
  const done = at(/: pulled \d+ tables?, /) ?? at(/: FAILED /);
  // table-start lines are "<instance>: <table> (~N rows)" or "<instance>: <table>"; take the first after connect.
  const tableStart = lines.find((l) => connect !== null && l.atMs >= connect && !/connecting|done,|pulled|FAILED|rows\/s/.test(l.text) && /^[^:]+: \S+( \(~[\d,]+ rows\))?$/.test(l.text))?.atMs ?? null;
  const tableDone = lines.filter((l) => / done, [\d,]+ rows/.test(l.text)).at(-1)?.atMs ?? null;
  return {
    startupMs: connect,
    pullMs: connect !== null && done !== null ? done - connect : null,
    finishMs: done !== null ? wallMs - done : null,
    tableMs: tableStart !== null && tableDone !== null ? tableDone - tableStart : null,
  };
}

async function snapbenchPull(ctx: Context, instance: string, expected: number, serverPid: number | null): Promise<{ run: SnapbenchRun | null; error: string | null }> {
  const out = join(ctx.workDir, `${instance}.snapbench`);
  rmSync(out, { force: true });
  const cpuBefore = serverPid !== null ? processCpuSeconds(serverPid) : null;
  const outcome = await runMeasured(process.execPath, [SNAPBENCH_BIN, 'pull', '--fleet', ctx.fleetFile, '--out', out, '--only', instance, '--format', 'json', '--progress'], {
    workDir: ctx.workDir,
    stdout: 'capture',
  });
  await sleep(200); // let PostgreSQL reap the backend so its CPU shows in the postmaster's cutime
  const cpuAfter = serverPid !== null ? processCpuSeconds(serverPid) : null;
  let fileBytes: number | null = null;
  try {
    fileBytes = statSync(out).size;
  } catch {
    // no file
  }
  rmSync(out, { force: true });
  const base = {
    wallMs: outcome.wallMs,
    rate: expected / (outcome.wallMs / 1000),
    peakRssMb: outcome.peakRssKb === null ? null : mb(outcome.peakRssKb),
    cpuSeconds: outcome.cpuSeconds,
    serverCpuSeconds: cpuBefore !== null && cpuAfter !== null ? Math.round((cpuAfter - cpuBefore) * 100) / 100 : null,
    fileBytes,
    phases: phasesOf(outcome.lines, outcome.wallMs),
  };
  if (outcome.code !== 0) return { run: { ...base, pulledRows: null }, error: failureLine(outcome, 'snapbench pull') };
  let pulledRows: number | null = null;
  try {
    pulledRows = (JSON.parse(outcome.stdout) as { rows?: number }).rows ?? null;
  } catch {
    return { run: { ...base, pulledRows }, error: `snapbench pull: stdout is not the JSON summary: ${outcome.stdout.slice(0, 200)}` };
  }
  return { run: { ...base, pulledRows }, error: null };
}

async function referenceRun(ctx: Context, tool: string, cmd: string, args: string[], expected: number, serverPid: number | null): Promise<{ run: ToolRun | null; error: string | null }> {
  const cpuBefore = serverPid !== null ? processCpuSeconds(serverPid) : null;
  const outcome = await runMeasured(cmd, args, { workDir: ctx.workDir, stdout: 'devnull' });
  await sleep(200);
  const cpuAfter = serverPid !== null ? processCpuSeconds(serverPid) : null;
  if (outcome.code !== 0) return { run: null, error: failureLine(outcome, tool) };
  return {
    run: {
      wallMs: outcome.wallMs,
      rate: expected / (outcome.wallMs / 1000),
      peakRssMb: outcome.peakRssKb === null ? null : mb(outcome.peakRssKb),
      cpuSeconds: outcome.cpuSeconds,
      serverCpuSeconds: cpuBefore !== null && cpuAfter !== null ? Math.round((cpuAfter - cpuBefore) * 100) / 100 : null,
    },
    error: null,
  };
}

const best = <T extends { wallMs: number }>(runs: T[]): T | null => (runs.length ? runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a)) : null);

interface PairSpec {
  id: 'mysql' | 'postgres' | 'redis';
  what: string;
  unit: 'rows' | 'keys';
  count: number;
  instance: string;
  serverPid: number;
  tool: string;
  cmd: string;
  args: string[];
}

/** Reference tool, then snapbench, `repeat` times; returns the throughput row and the RSS row. */
async function measurePair(ctx: Context, spec: PairSpec): Promise<ResultRow[]> {
  const snapRuns: SnapbenchRun[] = [];
  const refRuns: ToolRun[] = [];
  let snapError: string | null = null;
  let refError: string | null = null;
  let anySnapRun: SnapbenchRun | null = null;
  for (let i = 1; i <= ctx.repeat; i++) {
    const tag = ctx.repeat > 1 ? ` (${i}/${ctx.repeat})` : '';
    log(`${spec.what}: ${spec.tool}${tag}`);
    const ref = await referenceRun(ctx, spec.tool, spec.cmd, spec.args, spec.count, spec.serverPid);
    if (ref.run) {
      refRuns.push(ref.run);
      log(`  ${secs(ref.run.wallMs)} s, ${int(ref.run.rate)} ${spec.unit}/s`);
    } else {
      refError ??= ref.error;
      log(`  ERROR ${ref.error}`);
    }
    log(`${spec.what}: snapbench pull --only ${spec.instance}${tag}`);
    const snap = await snapbenchPull(ctx, spec.instance, spec.count, spec.serverPid);
    anySnapRun ??= snap.run;
    if (snap.error === null && snap.run) {
      snapRuns.push(snap.run);
      const mismatch = snap.run.pulledRows !== null && snap.run.pulledRows !== spec.count ? ` (pulled ${int(snap.run.pulledRows)} ${spec.unit}, expected ${int(spec.count)})` : '';
      log(`  ${secs(snap.run.wallMs)} s, ${int(snap.run.rate)} ${spec.unit}/s, peak RSS ${snap.run.peakRssMb ?? '?'} MB${mismatch}`);
    } else {
      snapError ??= snap.error;
      log(`  ERROR ${snap.error}`);
    }
  }
  const snap = best(snapRuns);
  const ref = best(refRuns);
  const ratio = snap && ref ? snap.rate / ref.rate : null;
  const target = TARGETS[spec.id];
  const notes: string[] = [];
  if (snap?.pulledRows !== null && snap?.pulledRows !== undefined && snap.pulledRows !== spec.count) notes.push(`snapbench reported ${int(snap.pulledRows)} ${spec.unit}, expected ${int(spec.count)}`);
  const errors = [snapError, refError].filter((e): e is string => e !== null);
  const throughput: ResultRow = {
    id: spec.id,
    what: spec.what,
    unit: spec.unit,
    count: spec.count,
    status: ratio === null ? 'ERROR' : ratio >= target.min ? 'PASS' : 'MISS',
    snapbench: snap,
    reference: ref ? { ...ref, tool: spec.tool } : null,
    ratio,
    value: ratio,
    target: target.label,
    message: [...errors, ...notes].join('; ') || null,
    runs: { snapbench: snapRuns, reference: refRuns },
  };
  // RSS: the highest peak over all successful runs (conservative for --repeat).
  const peaks = snapRuns.map((r) => r.peakRssMb).filter((p): p is number => p !== null);
  const peak = peaks.length ? Math.max(...peaks) : null;
  const rss: ResultRow = {
    id: `${spec.id}-rss`,
    what: `${spec.what.split(' ')[0]} pull peak RSS`,
    unit: 'MB',
    count: spec.count,
    status: peak === null ? 'ERROR' : peak < TARGETS.rssMb.max ? 'PASS' : 'MISS',
    snapbench: snap ?? anySnapRun,
    reference: null,
    ratio: null,
    value: peak,
    target: TARGETS.rssMb.label,
    message: peak === null ? (snapError ? 'no successful pull to measure (see above)' : 'peak RSS could not be read') : null,
    runs: { snapbench: snapRuns, reference: [] },
  };
  return [throughput, rss];
}

async function measureBigRss(ctx: Context, instance: string, rows: number, serverPid: number): Promise<ResultRow> {
  log(`MySQL ${int(rows)}-row pull, peak RSS only: snapbench pull --only ${instance}`);
  const { run, error } = await snapbenchPull(ctx, instance, rows, serverPid);
  if (run && !error) log(`  ${secs(run.wallMs)} s, ${int(run.rate)} rows/s, peak RSS ${run.peakRssMb ?? '?'} MB`);
  else log(`  ERROR ${error}`);
  const peak = error === null ? (run?.peakRssMb ?? null) : null;
  return {
    id: 'mysql-big-rss',
    what: `MySQL ${compact(rows)}-row pull peak RSS`,
    unit: 'MB',
    count: rows,
    status: peak === null ? 'ERROR' : peak < TARGETS.rssMb.max ? 'PASS' : 'MISS',
    snapbench: run,
    reference: null,
    ratio: null,
    value: peak,
    target: TARGETS.rssMb.label,
    message: error ?? (peak === null ? 'peak RSS could not be read' : null),
    runs: { snapbench: run ? [run] : [], reference: [] },
  };
}

function compact(n: number): string {
  if (n >= 1_000_000 && n % 100_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 100 === 0) return `${n / 1_000}k`;
  return int(n);
}

// ---------------------------------------------------------------- report

function rateCell(run: ToolRun | null, unit: string): string {
  if (!run) return '-';
  return `${int(run.rate)} ${unit}/s (${secs(run.wallMs)} s)`;
}

function renderTable(rows: ResultRow[]): string {
  const header = ['what', 'snapbench', 'reference tool', 'ratio', 'target', 'result'];
  const body = rows.map((r) => {
    if (r.unit === 'MB') {
      return [r.what, r.value === null ? '-' : `${r.value.toFixed(1)} MB`, '-', '-', r.target, r.status];
    }
    return [
      r.what,
      r.status === 'ERROR' && !r.snapbench ? 'ERROR' : rateCell(r.snapbench, r.unit),
      r.reference ? `${rateCell(r.reference, r.unit)} ${r.reference.tool}` : 'ERROR',
      r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
      r.target,
      r.status,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function whereTimeGoes(rows: ResultRow[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    if (r.unit === 'MB' || !r.snapbench) continue;
    const s = r.snapbench;
    const p = s.phases;
    const parts = [
      p.startupMs !== null ? `startup ${secs(p.startupMs)} s` : null,
      p.pullMs !== null ? `pull ${secs(p.pullMs)} s${p.tableMs !== null && r.count ? ` (table alone ${int(r.count / (p.tableMs / 1000))} ${r.unit}/s)` : ''}` : null,
      p.finishMs !== null ? `finish ${secs(p.finishMs)} s` : null,
      s.cpuSeconds !== null ? `node CPU ${s.cpuSeconds.toFixed(2)} s` : null,
      s.serverCpuSeconds !== null ? `server CPU ${s.serverCpuSeconds.toFixed(2)} s` : null,
      s.fileBytes !== null ? `file ${(s.fileBytes / 1024 / 1024).toFixed(1)} MB` : null,
    ].filter(Boolean);
    let line = `  ${r.what}: snapbench ${secs(s.wallMs)} s = ${parts.join(', ')}`;
    if (r.reference) {
      const ref = r.reference;
      const refParts = [
        ref.cpuSeconds !== null ? `client CPU ${ref.cpuSeconds.toFixed(2)} s` : null,
        ref.serverCpuSeconds !== null ? `server CPU ${ref.serverCpuSeconds.toFixed(2)} s` : null,
        ref.peakRssMb !== null ? `RSS ${ref.peakRssMb.toFixed(1)} MB` : null,
      ].filter(Boolean);
      line += `\n  ${' '.repeat(r.what.length)}  ${ref.tool} ${secs(ref.wallMs)} s = ${refParts.join(', ')}`;
    }
    out.push(line);
  }
  return out;
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
  if (rssMethod === 'gnu-time') {
    // An old or broken `time` must not cost the RSS figures.
    const probe = await runSimple(TIME_BIN, ['-f', '%M', 'true']).catch(() => null);
    if (!probe || probe.code !== 0 || !/^\d+$/m.test(probe.stderr)) rssMethod = 'proc-vmhwm';
  }
  const startedAt = new Date();
  const loadBefore = loadavg();
  log(`rows ${int(options.rows)}, keys ${int(options.keys)}, repeat ${options.repeat}${options.bigRows ? `, RSS-only pull of ${int(options.bigRows)} rows` : ''}; peak RSS via ${rssMethod}`);
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
      timed('MariaDB orders', () => generateMariadb(maria, DB, options.rows)),
      timed('PostgreSQL orders', () => generatePostgres(pg, options.rows)),
      timed('Redis keys', () => generateRedis(redis, options.keys)),
    ]);
    const sizes = {
      mariadbOrdersBytes: Number(await mariadbExec(maria, `SELECT data_length + index_length FROM information_schema.tables WHERE table_schema = '${DB}' AND table_name = 'orders';`)),
      postgresOrdersBytes: Number(await psqlExec(pg, `SELECT pg_total_relation_size('orders');`, DB)),
      redisUsedMemoryBytes: Number(/used_memory:(\d+)/.exec((await runSimple('redis-cli', ['-h', redis.host, '-p', String(redis.port), 'INFO', 'memory'])).stdout)?.[1] ?? NaN),
    };
    const versions = await serverVersions(maria, pg, redis);
    const [mariaProfile, pgProfile] = await Promise.all([profileMariadb(maria, DB), profilePostgres(pg)]);
    const profile = Object.fromEntries(PROFILE_COLUMNS.map((name, i) => [name, mariaProfile.split('\t')[i] ?? null]));
    log(`data: ${PROFILE_COLUMNS.map((name) => `${name} ${profile[name]}`).join(', ')}`);
    if (mariaProfile !== pgProfile) log(`warning: PostgreSQL's orders differ from MariaDB's:\n  MariaDB    ${mariaProfile}\n  PostgreSQL ${pgProfile}`);

    const instances: Record<string, unknown>[] = [
      { name: 'bench-mariadb', engine: 'mysql', host: maria.host, port: maria.port, user: 'root', databases: [DB] },
      { name: 'bench-postgres', engine: 'postgres', host: pg.host, port: pg.port, user: 'postgres', databases: [DB] },
      { name: 'bench-redis', engine: 'redis', host: redis.host, port: redis.port },
    ];
    if (options.bigRows) instances.push({ name: 'bench-mariadb-big', engine: 'mysql', host: maria.host, port: maria.port, user: 'root', databases: [BIG_DB] });
    const ctx: Context = { workDir, fleetFile: writeFleet(workDir, instances), repeat: options.repeat };

    // CLI start-up alone (node + tsx + the CLI's imports), part of every pull's wall time.
    const startup = await runMeasured(process.execPath, [SNAPBENCH_BIN, '--version'], { workDir, stdout: 'capture' });
    log(`snapbench --version: ${secs(startup.wallMs)} s (CLI start-up, included in every pull's wall time)`);

    const rows: ResultRow[] = [];
    rows.push(
      ...(await measurePair(ctx, {
        id: 'mysql',
        what: `MySQL ${compact(options.rows)} rows`,
        unit: 'rows',
        count: options.rows,
        instance: 'bench-mariadb',
        serverPid: maria.pid,
        tool: 'mariadb-dump',
        cmd: 'mariadb-dump',
        args: ['--no-defaults', '--quick', '--single-transaction', '-h', maria.host, '-P', String(maria.port), '-u', 'root', DB, 'orders'],
      })),
    );
    rows.push(
      ...(await measurePair(ctx, {
        id: 'postgres',
        what: `PostgreSQL ${compact(options.rows)} rows`,
        unit: 'rows',
        count: options.rows,
        instance: 'bench-postgres',
        serverPid: pg.pid,
        tool: 'psql \\copy',
        cmd: 'psql',
        args: ['-X', '-h', pg.host, '-p', String(pg.port), '-U', 'postgres', '-d', DB, '-c', '\\copy orders to /dev/null'],
      })),
    );
    rows.push(
      ...(await measurePair(ctx, {
        id: 'redis',
        what: `Redis ${compact(options.keys)} keys`,
        unit: 'keys',
        count: options.keys,
        instance: 'bench-redis',
        serverPid: redis.pid,
        tool: 'redis-cli --memkeys',
        cmd: 'redis-cli',
        args: ['-h', redis.host, '-p', String(redis.port), '--memkeys'],
      })),
    );
    // Throughput rows first, then the memory rows.
    rows.sort((a, b) => Number(a.unit === 'MB') - Number(b.unit === 'MB'));

    let bigGenMs: number | null = null;
    if (options.bigRows) {
      log(`generating ${int(options.bigRows)} orders in MariaDB database ${BIG_DB}`);
      bigGenMs = await timed(`MariaDB ${BIG_DB}.orders`, () => generateMariadb(maria, BIG_DB, options.bigRows));
      rows.push(await measureBigRss(ctx, 'bench-mariadb-big', options.bigRows, maria.pid));
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
      generationMs: { mariadb: Math.round(mariaGenMs), postgres: Math.round(pgGenMs), redis: Math.round(redisGenMs), mariadbBig: bigGenMs === null ? null : Math.round(bigGenMs) },
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
