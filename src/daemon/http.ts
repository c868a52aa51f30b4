/**
 * The daemon's loopback HTTP endpoints: GET /healthz (JSON; 200 healthy, 503 unhealthy), GET /metrics
 * (Prometheus text) and GET /metrics.json (the same figures as JSON, with the last runs). Anything else is 404; methods other than GET are 405. Every body passes through `scrub`.
 * POST /control/<action> runs a one-shot command's request in the daemon (control.ts): loopback peers with the token only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { CsyncError, isCsyncError } from '../core/errors.js';
import { errorBody, TOKEN_HEADER } from './control.js';
import { scrub } from '../obs/redact.js';
import { assertListenAllowed } from './listen.js';
import type { ExportScheduler } from './exports.js';
import { handleExports } from './exports-http.js';

export interface HealthServerOptions {
  /** Default 127.0.0.1. */
  host?: string | undefined;
  /** Default 9464; 0 picks a free port (tests). */
  port?: number | undefined;
  /** Allow a non-loopback host (the endpoints have no authentication). */
  allowRemote?: boolean | undefined;
  /** The report to serve; `healthy` decides 200 or 503. */
  getHealth: () => { readonly healthy: boolean };
  /** A prom-client Registry (or anything with the same two members). */
  registry: { metrics(): Promise<string>; contentType: string };
  /** GET /metrics.json: the same figures as JSON, with the last runs (404 when absent). */
  metricsJson?: (() => Promise<unknown>) | undefined;
  /** POST /control/<action>: `handle` answers JSON (a throw becomes the error body, 409 for user errors). */
  control?: { token: string; handle(action: string, body: unknown, cancel: AbortSignal): Promise<unknown> } | undefined;
  /** The export job API under /exports (exports-http.ts). */
  exports?: ExportScheduler | undefined;
}

const MAX_CONTROL_BODY = 64 * 1024;

function isLoopbackPeer(req: IncomingMessage): boolean {
  const a = req.socket.remoteAddress ?? '';
  return a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    if (size > MAX_CONTROL_BODY) throw new CsyncError('CSYNC_USAGE', 'control request too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function handleControl(req: IncomingMessage, res: ServerResponse, path: string, control: NonNullable<HealthServerOptions['control']>): Promise<void> {
  if (req.method !== 'POST') {
    send(res, 405, 'application/json', JSON.stringify({ error: 'method not allowed' }) + '\n', { allow: 'POST' });
    return;
  }
  const token = req.headers[TOKEN_HEADER];
  if (!isLoopbackPeer(req) || typeof token !== 'string' || !safeEqual(token, control.token)) {
    send(res, 403, 'application/json', JSON.stringify(errorBody(new CsyncError('CSYNC_FORBIDDEN', 'control requests need the token in cache/daemon.json, from this machine'))) + '\n');
    return;
  }
  // A client that hangs up withdraws its request if it has not run yet (it was told nothing happened).
  const gone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  try {
    const body: unknown = JSON.parse((await readBody(req)) || '{}');
    const answer = await control.handle(path.slice('/control/'.length), body, gone.signal);
    send(res, 200, 'application/json', JSON.stringify(answer) + '\n');
  } catch (err) {
    send(res, isCsyncError(err) && err.code !== 'CSYNC_INTERNAL' ? 409 : 500, 'application/json', JSON.stringify(errorBody(err)) + '\n');
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface HealthServer {
  host: string;
  port: number;
  /** http://host:port */
  url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
  res.end(scrub(body));
}

async function handle(req: IncomingMessage, res: ServerResponse, options: HealthServerOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (options.control && path.startsWith('/control/')) {
    await handleControl(req, res, path, options.control);
    return;
  }
  if (options.exports && (await handleExports(req, res, path, options.exports))) return;
  if (path !== '/healthz' && path !== '/metrics' && !(path === '/metrics.json' && options.metricsJson)) {
    send(res, 404, 'application/json', JSON.stringify({ error: 'not found', endpoints: ['/healthz', '/metrics', ...(options.metricsJson ? ['/metrics.json'] : []), ...(options.exports ? ['/exports'] : [])] }) + '\n');
    return;
  }
  if (req.method !== 'GET') {
    send(res, 405, 'application/json', JSON.stringify({ error: 'method not allowed' }) + '\n', { allow: 'GET' });
    return;
  }
  if (path === '/healthz') {
    const report = options.getHealth();
    send(res, report.healthy ? 200 : 503, 'application/json', JSON.stringify(report) + '\n');
    return;
  }
  if (path === '/metrics.json' && options.metricsJson) {
    send(res, 200, 'application/json', JSON.stringify(await options.metricsJson()) + '\n');
    return;
  }
  send(res, 200, options.registry.contentType, await options.registry.metrics());
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const host = options.host ?? '127.0.0.1';
  assertListenAllowed(host, Boolean(options.allowRemote));
  const server = createServer((req, res) => {
    handle(req, res, options).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ error: err instanceof Error ? err.message : String(err) }) + '\n');
      else res.destroy();
    });
  });
  // A scrape or probe is one short request: no reason to hold idle sockets open across a shutdown.
  server.keepAliveTimeout = 1000;
  server.headersTimeout = 5000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new CsyncError('CSYNC_CONFIG', `cannot listen on ${host}:${options.port ?? 9464}: ${err.code ?? err.message}`, {
          hint: err.code === 'EADDRINUSE' ? 'another process (another csync watch?) uses that port: set watch.listen to another port' : 'check watch.listen',
          cause: err,
        }),
      ),
    );
    server.listen(options.port ?? 9464, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    host: addr.address,
    port: addr.port,
    url: `http://${urlHost}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
