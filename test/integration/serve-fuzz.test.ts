// `snapbench serve` never crashes on input: the attacks that used to end the
// process (a malformed cookie, path or channel; a 5 MB body), then a few
// thousand random and malformed requests over raw sockets to the real serve
// process on 127.0.0.1 — after which it still runs and answers a valid call.
// Every answer is an HTTP status below 500 and, for the API, the JSON error
// shape { code, message, hint }.
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../shared/api/channels.ts';
import { startServe, type ServeProcess } from '../e2e/harness.ts';
import { writeLargeSnapshot } from '../e2e/fixtures.ts';
import { tempDir } from '../helpers/cli.ts';

const REQUESTS = 3000;
const CONCURRENCY = 16;
/** A bound on the whole random run, whatever the machine's load. */
const FUZZ_BUDGET_MS = 30_000;
const SEED = Number(process.env.SNAPBENCH_FUZZ_SEED ?? 20260906);

interface RawReply {
  status: number | null;
  head: string;
  body: string;
  /** The server did not answer within the per-request time limit. */
  timedOut: boolean;
}

let dir: string;
let serve: ServeProcess;
let port: number;
let token: string;
let snapshotPath: string;

/** The body of a chunked response (as latin1 text; the JSON read from it is ASCII or re-decoded below). */
function dechunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = text.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(text.slice(at, eol), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
  return Buffer.from(out, 'latin1').toString('utf8');
}

/** Sends raw bytes and reads until the server closes the connection (requests ask for `Connection: close`). */
function raw(bytes: Buffer | string, timeoutMs = 10_000): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split >= 0 ? text.slice(0, split) : text;
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      const body = split >= 0 ? text.slice(split + 4) : '';
      resolve({ status: status ? Number(status[1]) : null, head, body: /^transfer-encoding: chunked/im.test(head) ? dechunk(body) : body, timedOut });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('error', () => finish(false));
    socket.write(bytes);
  });
}

/** Characters HTTP does not allow in a request target or header, percent-encoded ('%' itself is left, malformed or not). */
function printable(text: string): string {
  return text.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c).replace(/%25/g, '%'));
}

function request(method: string, path: string, headers: Record<string, string>, body = ''): string {
  const lines = [`${method} ${printable(path)} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${printable(v)}`);
  if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

const authorised = () => ({ 'X-Snapbench-Token': token, 'Content-Type': 'application/json' });

function expectApiError(reply: RawReply, status: number, code: string): { code: string; message: string; hint: string | null } {
  expect(reply.status, reply.head + reply.body).toBe(status);
  const parsed = JSON.parse(reply.body) as { ok: boolean; error: { code: string; message: string; hint: string | null } };
  expect(parsed.ok).toBe(false);
  expect(parsed.error.code).toBe(code);
  expect(typeof parsed.error.message).toBe('string');
  expect(parsed.error.message).not.toMatch(/\n/);
  expect(parsed.error.hint === null || typeof parsed.error.hint === 'string').toBe(true);
  return parsed.error;
}

/** xorshift32: the same seed gives the same requests. */
function generator(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const text = (n: number) => Array.from({ length: n }, () => pick(['%', '%E0', '%A4', '%ZZ', '%00', '%C0%AF', '..', '/', '\\', 'a', 'é', '\u202e', '\u0000', '\u001b[2K', '?', '#', '&', '=', ';', '"', "'", '<', '>', ' ', '%2e%2e%2f'])).join('');
  const json = (depth = 0): unknown => {
    switch (int(depth > 3 ? 6 : 9)) {
      case 0:
        return null;
      case 1:
        return pick([0, -1, 1e308, 5, 1e3, Number.MAX_SAFE_INTEGER, 0.5]);
      case 2:
        return text(int(12));
      case 3:
        return pick([true, false]);
      case 4:
        return pick(['', 'x'.repeat(int(5000)), '../../etc/passwd', '/etc/passwd', snapshotPath, '/dev/zero']);
      case 5:
        return pick(['report-07', 'csv', 'arrow', 'table', 'sql', 'SELECT 1']);
      case 6:
        return Array.from({ length: int(4) }, () => json(depth + 1));
      default: {
        const keys = ['snapshotId', 'path', 'table', 'column', 'view', 'sql', 'offset', 'limit', 'source', 'kind', 'format', 'filters', 'sort', 'callId', 'resultId', 'runId', 'pack', 'store', 'fleetPath', 'out', 'scale', 'preset', 'decisions', '__proto__', 'constructor'];
        const o: Record<string, unknown> = {};
        for (let i = int(5); i > 0; i--) o[pick(keys)] = json(depth + 1);
        return o;
      }
    }
  };
  return { int, pick, bytes, text, json, next };
}

// Channels that would do long or lasting work with a request that happens to be valid are sent only malformed bodies.
const SLOW = new Set(['snapshot/demo', 'pull/start', 'dq/run', 'snapshot/verify', 'snapshot/close']);

function randomRequest(g: ReturnType<typeof generator>): Buffer | string {
  switch (g.int(10)) {
    case 0:
      // Garbage bytes where a request should be (ended, so the server is not left waiting for more).
      return Buffer.concat([g.bytes(1 + g.int(300)), Buffer.from('\r\n\r\n')]);
    case 1:
      // A request line of odd methods and targets, absolute-form URLs included.
      return `${g.pick(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'X', ''])} ${g.pick(['', '/', 'http://[', 'http://127.0.0.1:1/x', '*', '//x', '/api/call/', '/api/download/'])}${g.text(g.int(20))} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
    case 2:
      // Pages with malformed paths and cookies, without and with the token.
      return request('GET', `/${g.text(1 + g.int(20)).replace(/[#?]/g, '%')}`, { Cookie: `${g.pick(['foo', `snapbench_${port}`, ''])}=${g.text(g.int(10))}`, ...(g.int(2) ? { 'X-Snapbench-Token': token } : {}) });
    case 3:
      // Malformed channel names.
      return request('POST', `/api/call/${g.text(1 + g.int(12)).replace(/[#?]/g, '%')}`, authorised(), '{}');
    case 4:
      // Bodies that are not objects, or not JSON, or not UTF-8.
      return request('POST', `/api/call/${g.pick(CHANNELS)}`, authorised(), g.pick([JSON.stringify(g.json()), g.text(g.int(40)), '[', '{"a":', '\u0000', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]', g.bytes(40).toString('latin1')]));
    case 5:
      // Wrong types in every field of a channel's request.
      {
        const channel = g.pick(CHANNELS.filter((c) => !SLOW.has(c)));
        return request('POST', `/api/call/${channel}`, { ...authorised(), ...(g.int(3) === 0 ? { Accept: 'application/x-snapbench-frames' } : {}) }, JSON.stringify(g.json()));
      }
    case 6:
      // Headers that the token, Host and Origin checks read.
      return request('POST', '/api/call/app/info', {
        'Content-Type': g.pick(['application/json', 'text/plain', '', 'application/json; charset=%ZZ']),
        Origin: g.pick(['null', 'http://evil.example', `http://127.0.0.1:${port}`, g.text(8)]),
        'Sec-Fetch-Site': g.pick(['same-origin', 'cross-site', 'none', g.text(4)]),
        'X-Snapbench-Token': g.pick([token, '', g.text(10), token + 'x']),
        Authorization: g.pick(['Bearer ', `Bearer ${token}`, g.text(10)]),
        Cookie: `snapbench_${port}=${g.pick([encodeURIComponent(token), '%E0%A4%A', g.text(6)])}`,
        'X-Snapbench-Call': g.text(g.int(200)),
      }, '{}');
    case 7:
      // A Content-Length that is not a length, too large, or shorter than the body (a longer one only waits for the rest).
      return `POST /api/call/app/info HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\nX-Snapbench-Token: ${token}\r\nContent-Type: application/json\r\nContent-Length: ${g.pick(['-1', '99999999999', 'abc', '1', '1e3', '0x2'])}\r\n\r\n{}`;
    case 8:
      // Downloads that do not exist.
      return request('GET', `/api/download/${g.text(g.int(40)).replace(/[#?]/g, '%')}`, { 'X-Snapbench-Token': token });
    default:
      // Requests about the open snapshot with random views.
      return request('POST', `/api/call/${g.pick(['table/page', 'table/count', 'column/profile', 'table/describe', 'sql/run', 'export/start', 'catalog/tree'])}`, authorised(), JSON.stringify({ snapshotId: g.pick(['x', 'aaaaaaaaaaaa']), ...(g.json() as object) }));
  }
}

beforeAll(async () => {
  dir = tempDir('snapbench-fuzz-');
  snapshotPath = join(dir, 'fuzz.snapbench');
  await writeLargeSnapshot(snapshotPath, 300);
  serve = await startServe([snapshotPath], { SNAPBENCH_CONFIG_DIR: join(dir, 'config') });
  const url = new URL(serve.url);
  port = Number(url.port);
  token = url.searchParams.get('token')!;
}, 240_000);

afterAll(async () => {
  await serve?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function stillServes(): Promise<void> {
  expect(() => process.kill(serve.pid, 0)).not.toThrow();
  const info = await raw(request('POST', '/api/call/app/info', authorised(), '{}'));
  expect(info.status, info.body).toBe(200);
  const value = (JSON.parse(info.body) as { value: { open: { path: string }[] } }).value;
  expect(value.open.map((s) => s.path)).toContain(snapshotPath);
}

describe('serve on hostile input', () => {
  it('answers the inputs that used to crash it with 400 and the JSON error shape', async () => {
    // A malformed cookie, without any token.
    const cookie = await raw(request('GET', '/', { Cookie: 'foo=%E0%A4%A' }));
    expectApiError(cookie, 401, 'unauthorized');
    // A malformed cookie beside a valid token still lets the token through.
    const beside = await raw(request('POST', '/api/call/app/info', { ...authorised(), Cookie: 'foo=%E0%A4%A' }, '{}'));
    expect(beside.status).toBe(200);
    // A malformed path, with the token.
    const path = await raw(request('GET', '/%E0%A4%A', { 'X-Snapbench-Token': token }));
    expect(expectApiError(path, 400, 'bad-request').message).toMatch(/percent-encoding/);
    // The same path from a browser gets a page.
    const page = await raw(request('GET', '/%E0%A4%A', { 'X-Snapbench-Token': token, Accept: 'text/html' }));
    expect(page.status).toBe(400);
    expect(page.head).toMatch(/content-type: text\/html/i);
    // A malformed channel.
    const channel = await raw(request('POST', '/api/call/%ZZ', authorised(), '{}'));
    expect(expectApiError(channel, 400, 'bad-request').message).toMatch(/channel name .* not valid percent-encoding/);
    // An absolute-form request target the URL parser refuses.
    const absolute = await raw(`GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(absolute.status).toBe(400);
    // Bodies that are arrays, strings, numbers or null.
    for (const body of ['[1,2]', '"open"', '5', 'null', '{"path": 5}']) {
      const reply = await raw(request('POST', '/api/call/snapshot/open', authorised(), body));
      expect(expectApiError(reply, 400, 'bad-request').message, body).toMatch(/^snapshot\/open: /);
    }
    await stillServes();
  });

  it('answers a 5 MB body with 413 and the JSON error shape, on a connection it keeps', async () => {
    const body = JSON.stringify({ sql: 'x'.repeat(5 * 1024 * 1024), snapshotId: 'x' });
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/api/call/sql/run', method: 'POST', headers: { Host: `127.0.0.1:${port}`, ...authorised() } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(reply.status).toBe(413);
    const error = (JSON.parse(reply.body) as { error: { code: string; message: string; hint: string } }).error;
    expect(error).toEqual({ code: 'too-large', message: 'sql/run: the request body is larger than 4 MiB', hint: expect.stringMatching(/smaller request/) });
    // Declared too large up front: answered without reading it all.
    const declared = await raw(`POST /api/call/app/info HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\nX-Snapbench-Token: ${token}\r\nContent-Type: application/json\r\nContent-Length: 999999999999\r\n\r\n{}`);
    expect(declared.status).toBe(413);
    await stillServes();
  }, 60_000);

  it('a Content-Length larger than the body sent is answered within the body time limit, not after 300 s', async () => {
    const started = Date.now();
    const reply = await raw(`POST /api/call/app/info HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\nX-Snapbench-Token: ${token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{}`, 30_000);
    expect(reply.timedOut).toBe(false);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(reply.status).toBe(400);
    expect(reply.head).toMatch(/^connection: close/im);
    const error = (JSON.parse(reply.body) as { error: { code: string; message: string } }).error;
    expect(error).toMatchObject({ code: 'bad-request', message: 'app/info: the request body did not arrive: 2 of the 100 bytes its Content-Length announces came and then nothing for 10 s' });
    await stillServes();
  }, 60_000);

  it(`survives ${REQUESTS} random and malformed requests and still answers a valid call`, async () => {
    const g = generator(SEED);
    const statuses = new Map<number | null, number>();
    const problems: string[] = [];
    const started = Date.now();
    let sent = 0;
    const worker = async () => {
      while (sent < REQUESTS && Date.now() - started < FUZZ_BUDGET_MS) {
        const bytes = randomRequest(g);
        sent++;
        const reply = await raw(bytes, 5_000);
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        const shown = JSON.stringify(typeof bytes === 'string' ? bytes.slice(0, 200) : bytes.toString('latin1').slice(0, 200));
        if (reply.timedOut) problems.push(`no answer within 5 s to ${shown}`);
        else if (reply.status === null) problems.push(`connection closed without an HTTP answer to ${shown}`);
        else if (reply.status !== null && reply.status >= 500) problems.push(`${reply.status} ${reply.body.slice(0, 200)} for ${shown}`);
        else if (reply.status !== null && reply.status >= 400 && /application\/json/i.test(reply.head)) {
          let parsed: { ok: boolean; error: { code: string; message: string; hint: unknown } };
          try {
            parsed = JSON.parse(reply.body) as typeof parsed;
          } catch {
            if (/^HEAD /.test(String(bytes))) continue; // a HEAD answer has no body
            problems.push(`not JSON: ${JSON.stringify(reply.head + reply.body).slice(0, 300)} for ${shown}`);
            continue;
          }
          if (parsed.ok !== false || typeof parsed.error?.code !== 'string' || typeof parsed.error.message !== 'string' || !('hint' in parsed.error)) problems.push(`error without the JSON shape: ${reply.body.slice(0, 200)} for ${shown}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log(`serve fuzz (seed ${SEED}): ${sent} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(problems.slice(0, 10)).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(Math.min(REQUESTS, 1000));
    await stillServes();
    expect(serve.stderr()).not.toMatch(/URIError|TypeError|RangeError|at .*\.ts:\d+/);
  }, 90_000);
});
