// The command line's text for a person at an 80-column terminal: every line of
// every text output and every help fits 80 columns; numbers carry separators;
// tables have a header; dates are written one way, with the time zone; demo
// and verify say what their table counts count; demo and dq say what to run
// next; a missing argument shows that command's usage. JSON is untouched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, runCli, type CliResult } from '../helpers/cli.ts';

const WIDTH = 80;
const DATE = /\d{4}-\d\d-\d\d \d\d:\d\d UTC/;

function expectFits(result: CliResult, what: string): void {
  for (const line of `${result.stdout}${result.stderr}`.split('\n')) expect([...line].length, `${what}: ${line}`).toBeLessThanOrEqual(WIDTH);
}

describe('CLI text at 80 columns', () => {
  let dir: string;
  const cli = (args: string[]) => runCli(args, { cwd: dir, env: { COLUMNS: String(WIDTH) } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snapbench-text-'));
    const demo = await cli(['demo', '--out', 'demo.snapbench']);
    expect(demo.code, demo.stderr).toBe(0);
    expectFits(demo, 'demo');
    // What demo counts, and what to run next.
    expect(demo.stderr).toMatch(/35\s+data\s+tables\s+\(\d+\s+with\s+Snapbench's\s+own\s+catalog\s+tables,\s+which\s+verify\s+counts\s+too\)/);
    expect(demo.stderr).toMatch(/^next: snapbench verify demo\.snapbench/m);
    expect(demo.stderr).toContain('148,828 rows');
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('verify says what its table count counts, and the date with its time zone', async () => {
    const result = await cli(['verify', 'demo.snapbench']);
    expect(result.code).toBe(0);
    expectFits(result, 'verify');
    expect(result.stdout).toMatch(/^demo\.snapbench: intact\. (\d+) tables verified \(35 data tables and \d+ of\s+Snapbench's\s+own/m);
    expect(result.stdout).toMatch(new RegExp(`made ${DATE.source} by `));
  });

  it('tables: a header, rows with separators, grouped by instance and database; TSV with a header for scripts', async () => {
    const text = await cli(['tables', 'demo.snapbench']);
    expect(text.code).toBe(0);
    expectFits(text, 'tables');
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^ +rows {2}status {2}table$/);
    expect(text.stdout).toMatch(/^aws-luckyus-salesorder-rw \(mysql\), database luckyus_sales_order$/m);
    expect(text.stdout).toMatch(/^ +9,740 +t_order$/m);
    const tsv = await cli(['tables', 'demo.snapbench', '--format', 'tsv']);
    expect(tsv.stdout.split('\n')[0]).toBe('sql_name\tengine\trows\tstatus\tstatus_reason');
    expect(tsv.stdout).toContain('"aws-luckyus-salesorder-rw/luckyus_sales_order/t_order"\tmysql\t9740\tpulled\t');
  });

  it('query: a table with a header for a person, JSON unchanged for a program', async () => {
    const sql = `SELECT id, shop_name FROM "aws-luckyus-salesorder-rw/luckyus_sales_order/t_order" WHERE shop_name IS NULL OR trim(shop_name) = '' ORDER BY id LIMIT 4`;
    const table = await cli(['query', 'demo.snapbench', sql, '--format', 'table']);
    expect(table.code, table.stderr).toBe(0);
    expectFits(table, 'query table');
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ +id {2}shop_name$/);
    expect(lines[1]).toMatch(/^-+ {2}-+$/);
    expect(lines.slice(2, 6).map((l) => l.replace(/^ *\d+ {2}/, '').trim())).toEqual(expect.arrayContaining([expect.stringMatching(/^(NULL|\(empty\)|\(\d spaces?\))$/)]));
    expect(lines[lines.length - 1]).toBe('(4 rows)');
    // Not a terminal and no --format: the JSON of the contract.
    const json = parseJson<{ id: number; shop_name: string | null }[]>(await cli(['query', 'demo.snapbench', sql]));
    expect(json).toHaveLength(4);
  });

  it('dq: numbers with separators and units, a header, and what to run next', async () => {
    const result = await cli(['dq', 'demo.snapbench']);
    expect(result.code, result.stderr).toBe(0);
    expectFits(result, 'dq');
    expect(result.stdout).toMatch(new RegExp(`snapshot made ${DATE.source}`));
    expect(result.stdout).toMatch(/^rule +status +severity +found +what$/m);
    expect(result.stdout).toMatch(/^RDS-001 +FAIL +high +12,768 of 12,768 +Marketing counters without TTL;/m);
    expect(result.stdout).toMatch(/revenue 46,997\.58/);
    expect(result.stdout).toMatch(/persistent memory 893 KiB/);
    expect(result.stdout).not.toMatch(/count \d|=\d/);
    expect(result.stdout).toMatch(/^next: snapbench dq evidence demo\.snapbench RULE/m);
    const history = await cli(['dq', 'history', 'demo.snapbench']);
    expectFits(history, 'dq history');
    expect(history.stdout).toMatch(new RegExp(`^ +1 +${DATE.source} +report-07 +11 +1 +0$`, 'm'));
  }, 60_000);

  it('scenario: the summary by default and the audit trail with --detail, both in 80 columns', async () => {
    const summary = await cli(['scenario', '--snapshot', 'demo.snapbench', '--stores', '100', '--preset', 'report-07-plan']);
    expect(summary.code, summary.stderr).toBe(0);
    expectFits(summary, 'scenario');
    expect(summary.stdout.trimEnd().split('\n').length).toBeLessThan(25);
    const detail = await cli(['scenario', '--stores', '100', '--preset', 'report-07-plan', '--detail']);
    expectFits(detail, 'scenario --detail');
    expect(detail.stdout.split('\n').length).toBeGreaterThan(50);
  });

  it('diff: dates with their time zone, in 80 columns', async () => {
    const result = await cli(['diff', 'demo.snapbench', 'demo.snapbench', '--format', 'text']);
    expect(result.code, result.stderr).toBe(0);
    expectFits(result, 'diff');
    expect(result.stdout).toMatch(new RegExp(`^A: \\S*demo\\.snapbench \\(made ${DATE.source}`, 'm'));
  });

  it('help: examples at the top, every command and subcommand in 80 columns', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    expectFits(top, 'help');
    expect(top.stdout).toMatch(/^Examples:$/m);
    expect(top.stdout).toContain('snapbench scenario --snapshot demo.snapbench --stores 100');
    const commands = [...top.stdout.split('Commands:')[1]!.split('Examples:')[0]!.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['pull', 'tables', 'query', 'verify', 'scenario', 'demo', 'dq', 'serve', 'share']));
    const helps = await Promise.all(commands.map(async (command) => ({ command, result: await cli([command, '--help']) })));
    const subcommands: string[][] = [];
    for (const { command, result } of helps) {
      expectFits(result, `${command} --help`);
      const section = result.stdout.split('Commands:')[1];
      if (section) for (const m of section.matchAll(/^ {2}([a-z]+)\b/gm)) if (m[1] !== 'help') subcommands.push([command, m[1]!]);
    }
    expect(subcommands.length).toBeGreaterThan(2);
    for (const [command, sub] of subcommands) expectFits(await cli([command!, sub!, '--help']), `${command} ${sub} --help`);
  }, 120_000);

  it("a missing argument shows that command's usage, not a pointer to the general help", async () => {
    const query = await cli(['query']);
    expect(query.code).not.toBe(0);
    expect(query.stderr).toContain("error: missing required argument 'file'");
    expect(query.stderr).toContain('usage: snapbench query [options] <file> <sql>');
    expect(query.stderr).toContain('(run "snapbench query --help" for its options)');
    const history = await cli(['dq', 'history']);
    expect(history.stderr).toContain('usage: snapbench dq history [options] <file>');
    expectFits(history, 'dq history without a file');
  });
});
