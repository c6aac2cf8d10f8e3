// The browser host's transport: the built UI and the same API over HTTP, on
// 127.0.0.1 only, for whoever holds this launch's token. The token arrives once
// in the URL (`/?token=...`), is turned into an HttpOnly SameSite=Strict cookie
// and is then required on every request; requests from other origins, other
// host names (DNS rebinding) and cross-site fetches are refused.
//
//   POST /api/call/<channel>   JSON request → frames (progress…, outcome) when the
//                              client accepts them, else JSON with an HTTP status
//   GET  /api/events           server-sent events (AppEvents)
//   GET  /api/download/<id>    an export prepared by export/start, streamed
//   GET  /…                    the UI (vite build output)
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { ENVELOPE_CONTENT_TYPE, encodeFrame, FRAME_OUTCOME, FRAME_PROGRESS } from '../../shared/api/codec.ts';
import { apiError, type ApiError, type ApiErrorCode } from '../../shared/api/errors.ts';
import { dispatch, type CallOutcome } from '../../shared/api/rpc.ts';
import type { AppEventName, AppEvents } from '../../shared/api/types.ts';
import type { WorkbenchHost } from './host.ts';

export interface HttpHostOptions {
  host: WorkbenchHost;
  /** 0 picks a free port. */
  port: number;
  token: string;
  /** The built UI (index.html and assets/). */
  staticDir: string;
  log?: (line: string) => void;
}

export interface HttpHost {
  url: string;
  port: number;
  server: Server;
  broadcast<E extends AppEventName>(event: E, payload: AppEvents[E]): void;
  close(): Promise<void>;
}

/** The largest request body an API call may send (a rule pack, a long SQL statement). */
export const MAX_BODY = 4 * 1024 * 1024;
/** Past this much, an oversized body is no longer read to the end (so its 413 can be answered cleanly): the connection is cut. */
const MAX_DRAINED = 64 * 1024 * 1024;

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const STATUS: Record<ApiErrorCode, number> = {
  'bad-request': 400,
  'too-large': 413,
  unauthorized: 401,
  'not-found': 404,
  refused: 403,
  cancelled: 409,
  unavailable: 501,
  failed: 422,
  internal: 500,
};

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

function securityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { $base64: Buffer.from(v).toString('base64') } : typeof v === 'bigint' ? v.toString() : v));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(body);
}

function sendError(res: ServerResponse, error: ApiError): void {
  sendJson(res, STATUS[error.code], { ok: false, error });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const PAGE_ERROR_CODES: Record<number, ApiErrorCode> = { 400: 'bad-request', 401: 'unauthorized', 403: 'refused', 404: 'not-found', 405: 'bad-request' };

/** A refused page request: an HTML page for a browser, the JSON error shape for anything else. */
function denyPage(req: IncomingMessage, res: ServerResponse, status: number, message: string, hint: string | null = null): void {
  if (!/\btext\/html\b/.test(String(req.headers.accept ?? ''))) return sendJson(res, status, { ok: false, error: apiError(PAGE_ERROR_CODES[status] ?? 'bad-request', message, hint) });
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(
    `<!doctype html><meta charset="utf-8"><title>Snapbench</title><body style="font-family:system-ui,sans-serif;padding:2rem;max-width:40rem"><h1>Snapbench</h1><p>${escapeHtml(message)}</p>${hint ? `<p>${escapeHtml(hint)}</p>` : ''}</body>`,
  );
}

/** decodeURIComponent that answers null for malformed percent-encoding instead of throwing. */
function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    // Another site's cookie on this host may be anything: a malformed one is skipped, never fatal.
    const value = decoded(part.slice(eq + 1).trim());
    if (value !== null) cookies.set(part.slice(0, eq).trim(), value);
  }
  return cookies;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * How long a request body may go without a byte arriving, and how long it may
 * take in all. A Content-Length larger than what is sent would otherwise hold
 * the call (and its connection) until Node's own request timeout, 300 s.
 */
export const BODY_IDLE_TIMEOUT_MS = 10_000;
export const BODY_TIMEOUT_MS = 60_000;

class BodyTimedOut extends Error {
  constructor(received: number, declared: number, idle: boolean) {
    super(
      `the request body did not arrive: ${received} of ${Number.isFinite(declared) ? `the ${declared} bytes its Content-Length announces` : 'its bytes'} came ${idle ? `and then nothing for ${BODY_IDLE_TIMEOUT_MS / 1000} s` : `in ${BODY_TIMEOUT_MS / 1000} s`}`,
    );
    this.name = 'BodyTimedOut';
  }
}

class BodyTooLarge extends Error {
  constructor() {
    super(`the request body is larger than ${MAX_BODY / 1048576} MiB`);
    this.name = 'BodyTooLarge';
  }
}

/**
 * Reads a request body of at most MAX_BODY bytes. A larger one is read on to its
 * end and dropped (so the client gets its 413 instead of a reset connection),
 * up to MAX_DRAINED bytes, past which the connection is cut.
 */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_DRAINED) {
      reject(new BodyTooLarge());
      return;
    }
    let chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > MAX_BODY;
    let idle: NodeJS.Timeout;
    const stop = (isIdle: boolean) => reject(new BodyTimedOut(size, declared, isIdle));
    const overall = setTimeout(() => stop(false), BODY_TIMEOUT_MS);
    const restartIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => stop(true), BODY_IDLE_TIMEOUT_MS);
    };
    const clear = () => {
      clearTimeout(idle);
      clearTimeout(overall);
    };
    restartIdle();
    req.on('data', (chunk: Buffer) => {
      restartIdle();
      size += chunk.length;
      if (size > MAX_DRAINED) {
        req.destroy();
        return;
      }
      if (size > MAX_BODY) {
        tooLarge = true;
        chunks = [];
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => {
      clear();
      if (tooLarge) reject(new BodyTooLarge());
      else resolveBody(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      clear();
      reject(error);
    });
    req.on('close', () => {
      clear();
      reject(new Error('the client closed the connection'));
    });
  });
}

export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const { host, token } = options;
  const staticRoot = resolve(options.staticDir);
  const events = new Set<ServerResponse>();
  const calls = new Map<string, AbortController>();
  let port = options.port;
  const cookieName = () => `snapbench_${port}`;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  function authorised(req: IncomingMessage): boolean {
    const fromCookie = parseCookies(req.headers.cookie).get(cookieName());
    const fromHeader = typeof req.headers['x-snapbench-token'] === 'string' ? req.headers['x-snapbench-token'] : undefined;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return [fromCookie, fromHeader, bearer].some((t) => t !== undefined && sameToken(t, token));
  }

  /** Same host name and origin as this server; no cross-site browser fetch. */
  function sameOrigin(req: IncomingMessage, api: boolean): string | null {
    if (!allowedHosts().has(String(req.headers.host ?? ''))) return `unexpected Host header "${String(req.headers.host ?? '')}"`;
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return `requests from ${origin} are not accepted`;
    const site = req.headers['sec-fetch-site'];
    if (api && site !== undefined && site !== 'same-origin') return `cross-site requests are not accepted (${String(site)})`;
    if (!api && site !== undefined && !['same-origin', 'none'].includes(String(site))) {
      // A page elsewhere may link here, but only the token's holder gets in; no sub-resource from another site.
      if (req.headers['sec-fetch-dest'] !== 'document') return `cross-site requests are not accepted (${String(site)})`;
    }
    return null;
  }

  async function handleCall(req: IncomingMessage, res: ServerResponse, channel: string): Promise<void> {
    if (req.method !== 'POST') return sendError(res, apiError('bad-request', 'use POST for API calls'));
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return sendError(res, apiError('bad-request', 'API calls send JSON (Content-Type: application/json)'));
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) return sendError(res, apiError('too-large', `${channel}: ${error.message}`, 'send a smaller request (a rule pack or SQL statement of a few MiB at most)'));
      if (error instanceof BodyTimedOut) {
        // The rest of the body is never read: answer, then close the connection.
        res.setHeader('Connection', 'close');
        res.once('finish', () => req.socket.destroy());
        return sendError(res, apiError('bad-request', `${channel}: ${error.message}`, 'send a Content-Length that matches the body'));
      }
      if (!res.destroyed) sendError(res, apiError('bad-request', `${channel}: the request body could not be read`));
      return;
    }
    let request: unknown;
    try {
      request = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (error) {
      return sendError(res, apiError('bad-request', `${channel}: the request body is not JSON: ${(error as Error).message.slice(0, 200)}`, 'send one JSON object'));
    }
    const callId = typeof req.headers['x-snapbench-call'] === 'string' && req.headers['x-snapbench-call'].length <= 100 ? req.headers['x-snapbench-call'] : `http-${Date.now()}-${Math.random()}`;
    if (channel === 'call/cancel') {
      const target = (request as { callId?: unknown })?.callId;
      const controller = typeof target === 'string' ? calls.get(target) : undefined;
      controller?.abort();
      return sendJson(res, 200, { ok: true, value: { cancelled: controller !== undefined } });
    }
    if (channel === 'export/start' && typeof request === 'object' && request !== null && 'savePath' in request) {
      return sendError(res, apiError('refused', 'the browser host does not write files where a request says', 'the export downloads through the browser instead'));
    }
    const streaming = (req.headers.accept ?? '').includes(ENVELOPE_CONTENT_TYPE);
    const controller = new AbortController();
    calls.set(callId, controller);
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    if (streaming) {
      res.writeHead(200, { 'Content-Type': ENVELOPE_CONTENT_TYPE, 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
    }
    let outcome: CallOutcome;
    try {
      outcome = await dispatch(host.handlers, channel, request, {
        callId,
        signal: controller.signal,
        progress: (progress) => {
          if (streaming && !res.writableEnded && !controller.signal.aborted) res.write(encodeFrame(FRAME_PROGRESS, progress));
        },
      });
    } finally {
      calls.delete(callId);
    }
    if (!outcome.ok && outcome.error.code === 'internal') options.log?.(`internal error in ${channel}: ${outcome.error.message}`);
    if (res.writableEnded || res.destroyed) return;
    if (streaming) res.end(encodeFrame(FRAME_OUTCOME, outcome));
    else if (outcome.ok) sendJson(res, 200, outcome);
    else sendError(res, outcome.error);
  }

  async function handleDownload(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const download = host.takeDownload(id);
    if (!download) return denyPage(req, res, 404, 'This download has expired or was already fetched.', 'export again from the workbench');
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const encoded = encodeURIComponent(download.fileName);
    res.writeHead(200, {
      'Content-Type': download.contentType,
      'Content-Disposition': `attachment; filename="${download.fileName.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encoded}`,
      'Cache-Control': 'no-store',
    });
    try {
      await download.run(
        (bytes) =>
          new Promise<void>((resolveWrite) => {
            if (res.destroyed) return resolveWrite();
            if (res.write(bytes)) resolveWrite();
            else res.once('drain', () => resolveWrite());
          }),
        controller.signal,
      );
      res.end();
    } catch (error) {
      options.log?.(`export ${download.fileName} stopped: ${(error as Error).message}`);
      res.destroy(error as Error);
    }
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(': connected\n\n');
    events.add(res);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    keepAlive.unref();
    req.on('close', () => {
      clearInterval(keepAlive);
      events.delete(res);
    });
  }

  function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return denyPage(req, res, 405, `method ${String(req.method).slice(0, 20)} not allowed here`, 'pages are read with GET');
    const path = decoded(pathname);
    if (path === null || path.includes('\0')) return denyPage(req, res, 400, 'the path is not valid percent-encoding', 'check the address');
    let file = normalize(join(staticRoot, path));
    if (file !== staticRoot && !file.startsWith(staticRoot + sep)) return denyPage(req, res, 404, 'not found');
    if (!existsSync(file) || statSync(file).isDirectory()) {
      // The UI routes in the page itself: any path that is not a file gets the app.
      if (pathname.startsWith('/assets/')) return denyPage(req, res, 404, 'not found');
      file = join(staticRoot, 'index.html');
    }
    const type = MIME[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': statSync(file).size,
      'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  }

  /** Answers one request. Everything that comes from the client is checked; nothing it sends can throw out of here. */
  function handle(req: IncomingMessage, res: ServerResponse): void {
    securityHeaders(res);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      return denyPage(req, res, 400, 'the URL cannot be read', 'check the address');
    }
    const api = url.pathname.startsWith('/api/');
    const problem = sameOrigin(req, api);
    if (problem) {
      if (api) return sendError(res, apiError('unauthorized', problem, 'open the URL that "snapbench serve" printed'));
      return denyPage(req, res, 403, problem, 'open the URL that "snapbench serve" printed');
    }
    if (req.method === 'OPTIONS') return sendError(res, apiError('unauthorized', 'cross-origin requests are not accepted'));
    const offered = url.searchParams.get('token');
    if (!api && offered !== null) {
      if (!sameToken(offered, token)) return denyPage(req, res, 401, 'this link’s token is not the one this snapbench serve printed', 'use the URL from its first line of output');
      url.searchParams.delete('token');
      res.writeHead(303, {
        'Set-Cookie': `${cookieName()}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        Location: `${url.pathname}${url.search}`,
        'Cache-Control': 'no-store',
      });
      return void res.end();
    }
    if (!authorised(req)) {
      if (api) return sendError(res, apiError('unauthorized', 'missing or wrong token', 'open the URL that "snapbench serve" printed; it carries the token'));
      return denyPage(req, res, 401, 'missing or wrong token', 'open the URL that "snapbench serve" printed on its first line: it carries this launch’s token');
    }
    if (url.pathname.startsWith('/api/call/')) {
      const channel = decoded(url.pathname.slice('/api/call/'.length));
      if (channel === null) return sendError(res, apiError('bad-request', 'the channel name in the path is not valid percent-encoding', 'call /api/call/<channel>, e.g. /api/call/app/info'));
      void handleCall(req, res, channel).catch((error: unknown) => failed(res, 'API call', error));
      return;
    }
    if (url.pathname === '/api/events') return handleEvents(req, res);
    if (url.pathname.startsWith('/api/download/')) {
      void handleDownload(req, res, url.pathname.slice('/api/download/'.length)).catch((error: unknown) => failed(res, 'download', error));
      return;
    }
    if (api) return sendError(res, apiError('not-found', `no API route ${url.pathname.slice(0, 200)}`));
    serveStatic(req, res, url.pathname);
  }

  /** A request the host could not answer: logged, answered with a JSON error if nothing was sent yet. */
  function failed(res: ServerResponse, what: string, error: unknown): void {
    options.log?.(`${what} failed: ${(error as Error)?.message ?? String(error)}`);
    if (!res.headersSent) sendError(res, apiError('internal', `${what} failed: ${(error as Error)?.message ?? String(error)}`));
    else res.destroy();
  }

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      failed(res, 'request', error);
    }
  });
  // A request line or header Node cannot parse: a plain 400, the connection closed, the server unharmed.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    server,
    broadcast(event, payload) {
      const data = `event: app\ndata: ${JSON.stringify({ event, payload })}\n\n`;
      for (const res of events) res.write(data);
    },
    close() {
      for (const res of events) res.end();
      events.clear();
      for (const controller of calls.values()) controller.abort();
      return new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
    },
  };
}
