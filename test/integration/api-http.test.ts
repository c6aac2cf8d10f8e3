// The workbench API through its HTTP transport, as a browser (or anyone else
// on this machine) would call it: the token is required on every request,
// other origins and host names are refused, requests are validated at the
// edge, rows come back as Arrow IPC in frames, SQL that would write is
// refused and leaves the file unchanged, exports stream once.
import { tableFromIPC } from 'apache-arrow';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVELOPE_CONTENT_TYPE, FRAME_OUTCOME, FRAME_PROGRESS, FrameReader } from '../../shared/api/codec.ts';
import { PAGE_ROWS } from '../../shared/api/types.ts';
import { WorkbenchHost } from '../../snapshots/host/host.ts';
import { startHttpHost, type HttpHost } from '../../snapshots/host/http.ts';
import { LARGE_TABLE_NAME, writeLargeSnapshot } from '../e2e/fixtures.ts';
import { runCli } from '../helpers/cli.ts';

const ROWS = 5000;
const TOKEN = 'test-token-0123456789';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP request, so the test controls every header (fetch would add its own Origin rules). */
function send(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { Host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

describe('workbench API over HTTP', () => {
  let dir: string;
  let snapshot: string;
  let host: WorkbenchHost;
  let http: HttpHost;
  let snapshotId: string;

  const call = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
    send(http.port, `/api/call/${channel}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Snapbench-Token': TOKEN, ...headers }, body: JSON.stringify(body) });
  const json = (reply: Reply) => JSON.parse(reply.body.toString('utf8')) as { ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string; hint: string | null } };
  const framed = async (channel: string, body: unknown) => {
    const reply = await call(channel, body, { Accept: ENVELOPE_CONTENT_TYPE });
    expect(reply.headers['content-type']).toBe(ENVELOPE_CONTENT_TYPE);
    const frames = new FrameReader().push(new Uint8Array(reply.body));
    const outcome = frames.find((f) => f.type === FRAME_OUTCOME)!.value as { ok: boolean; value: Record<string, unknown> };
    return { outcome, progress: frames.filter((f) => f.type === FRAME_PROGRESS).map((f) => f.value) };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snapbench-api-'));
    snapshot = join(dir, 'small.snapbench');
    await writeLargeSnapshot(snapshot, ROWS);
    const ui = join(dir, 'ui');
    mkdirSync(ui);
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>test UI</title>');
    host = new WorkbenchHost({ transport: 'http', configDir: join(dir, 'config') });
    http = await startHttpHost({ host, port: 0, token: TOKEN, staticDir: ui });
  });

  afterAll(async () => {
    await http?.close();
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses API calls and pages without the token', async () => {
    const noToken = await send(http.port, '/api/call/app/info', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(noToken.status).toBe(401);
    expect(json(noToken).error?.code).toBe('unauthorized');
    const wrong = await call('app/info', {}, { 'X-Snapbench-Token': 'not-the-token' });
    expect(wrong.status).toBe(401);
    expect((await send(http.port, '/')).status).toBe(401);
    expect((await send(http.port, '/?token=wrong')).status).toBe(401);
  });

  it('turns the URL token into an HttpOnly, SameSite=Strict cookie that then works', async () => {
    const landing = await send(http.port, `/?token=${TOKEN}`);
    expect(landing.status).toBe(303);
    expect(landing.headers.location).toBe('/');
    const cookie = String(landing.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const pair = cookie.split(';')[0]!;
    const page = await send(http.port, '/', { headers: { Cookie: pair } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    const info = await send(http.port, '/api/call/app/info', { method: 'POST', headers: { Cookie: pair, 'Content-Type': 'application/json' }, body: '{}' });
    expect(info.status).toBe(200);
    expect(json(info).value?.transport).toBe('http');
  });

  it('refuses other origins, cross-site fetches and other host names even with the token', async () => {
    expect((await call('app/info', {}, { Origin: 'http://evil.example' })).status).toBe(401);
    expect((await call('app/info', {}, { Origin: 'http://127.0.0.1:1' })).status).toBe(401);
    expect((await call('app/info', {}, { 'Sec-Fetch-Site': 'same-site' })).status).toBe(401);
    expect((await call('app/info', {}, { Host: 'rebound.example:80' })).status).toBe(401);
    const preflight = await send(http.port, '/api/call/app/info', { method: 'OPTIONS', headers: { Origin: `http://127.0.0.1:${http.port}`, 'X-Snapbench-Token': TOKEN } });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect((await call('app/info', {}, { Origin: `http://127.0.0.1:${http.port}`, 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
  });

  it('validates requests at the edge with the contract schemas', async () => {
    const unknown = await call('nope/nothing', {});
    expect(unknown.status).toBe(400);
    expect(json(unknown).error?.message).toMatch(/unknown channel/);
    const bad = await call('table/page', { snapshotId: 'x', view: { table: 't' }, offset: -1, limit: 99999 });
    expect(bad.status).toBe(400);
    expect(json(bad).error?.message).toMatch(/offset/);
    const extra = await call('app/info', { surprise: true });
    expect(extra.status).toBe(400);
    const notJson = await send(http.port, '/api/call/app/info', { method: 'POST', headers: { 'Content-Type': 'text/plain', 'X-Snapbench-Token': TOKEN }, body: '{}' });
    expect(notJson.status).toBe(400);
  });

  it('opens a snapshot, lists its catalog and pages rows as Arrow IPC', async () => {
    const missing = await call('snapshot/open', { path: join(dir, 'absent.snapbench') });
    expect(missing.status).toBe(404);
    expect(json(missing).error?.hint).toBeTruthy();
    const opened = json(await call('snapshot/open', { path: snapshot }));
    snapshotId = String(opened.value!.id);
    expect(opened.value!.rows).toBe(ROWS + 7);
    const tree = json(await call('catalog/tree', { snapshotId }));
    expect(JSON.stringify(tree.value)).toContain(LARGE_TABLE_NAME);
    const { outcome } = await framed('table/page', { snapshotId, view: { table: LARGE_TABLE_NAME }, offset: 256, limit: PAGE_ROWS });
    expect(outcome.ok).toBe(true);
    expect(outcome.value.total).toBe(ROWS);
    const table = tableFromIPC(outcome.value.arrow as Uint8Array);
    expect(table.numRows).toBe(PAGE_ROWS);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['__rowid', 'id', 'city', 'amount', 'status', 'note', 'created_at']);
    expect(table.getChildAt(1)!.get(0)).toBe(257n);
    const sorted = await framed('table/page', { snapshotId, view: { table: LARGE_TABLE_NAME, sort: { column: 'amount', direction: 'desc' }, filters: [{ column: 'city', op: 'equals', value: 'Boston' }] }, offset: 0, limit: 10 });
    const rows = tableFromIPC(sorted.outcome.value.arrow as Uint8Array);
    expect(rows.getChildAt(2)!.toArray()).toEqual(Array(10).fill('Boston'));
  });

  it('reports progress of long calls in frames before the outcome', async () => {
    const { outcome, progress } = await framed('column/profile', { snapshotId, table: LARGE_TABLE_NAME, column: 'amount' });
    expect(outcome.ok).toBe(true);
    expect(outcome.value.rows).toBe(ROWS);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toHaveProperty('phase');
  });

  it('refuses SQL that would write, and the file is unchanged', async () => {
    const before = createHash('sha256').update(readFileSync(snapshot)).digest('hex');
    for (const sql of [`DELETE FROM "${LARGE_TABLE_NAME}"`, `UPDATE "${LARGE_TABLE_NAME}" SET city = 'x'`, 'CREATE TABLE t (a)', `DROP TABLE "${LARGE_TABLE_NAME}"`, 'PRAGMA query_only = 0']) {
      const reply = await call('sql/run', { snapshotId, sql });
      expect(reply.status, sql).toBe(403);
      expect(json(reply).error?.code, sql).toBe('refused');
    }
    const two = await call('sql/run', { snapshotId, sql: 'SELECT 1; DELETE FROM t' });
    expect(json(two).error?.code).toBe('refused');
    expect(createHash('sha256').update(readFileSync(snapshot)).digest('hex')).toBe(before);
    const ok = json(await call('sql/run', { snapshotId, sql: `SELECT count(*) AS n FROM "${LARGE_TABLE_NAME}"` }));
    expect(ok.value!.rows).toBe(1);
    const page = await framed('result/page', { resultId: ok.value!.resultId, offset: 0, limit: PAGE_ROWS });
    expect(tableFromIPC(page.outcome.value.arrow as Uint8Array).getChildAt(0)!.get(0)).toBe(BigInt(ROWS));
  });

  it('streams an export once as a download, and never writes where a request says', async () => {
    const refused = await call('export/start', { snapshotId, source: { kind: 'table', view: { table: LARGE_TABLE_NAME }, format: 'csv' }, savePath: join(dir, 'x.csv') });
    expect(refused.status).toBe(403);
    const started = json(await call('export/start', { snapshotId, source: { kind: 'table', view: { table: LARGE_TABLE_NAME, filters: [{ column: 'status', op: 'equals', value: '3' }] }, format: 'csv' } }));
    const url = String(started.value!.url);
    expect(url).toMatch(/^\/api\/download\/[0-9a-f]{32}$/);
    const withoutToken = await send(http.port, url);
    expect(withoutToken.status).toBe(401);
    const download = await send(http.port, url, { headers: { 'X-Snapbench-Token': TOKEN } });
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toMatch(/attachment; filename="bench-mysql-shop-t_event\.csv"/);
    const lines = download.body.toString('utf8').trim().split('\n');
    expect(lines[0]).toBe('id,city,amount,status,note,created_at');
    expect(lines).toHaveLength(1 + ROWS / 5);
    expect((await send(http.port, url, { headers: { 'X-Snapbench-Token': TOKEN } })).status).toBe(404);
    const badSql = await call('export/start', { snapshotId, source: { kind: 'sql', sql: 'SELECT nope FROM nowhere', format: 'csv' } });
    expect(badSql.status).toBe(422);
  });

  it('serve: a missing file or a bad port is one line on stderr and nothing on stdout', async () => {
    const missing = await runCli(['serve', join(dir, 'absent.snapbench')], { env: { SNAPBENCH_CONFIG_DIR: join(dir, 'config') } });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/absent\.snapbench: no such file/);
    const port = await runCli(['serve', '--port', 'http']);
    expect(port.code).not.toBe(0);
    expect(port.stderr).toMatch(/--port must be a whole number/);
  });
});
