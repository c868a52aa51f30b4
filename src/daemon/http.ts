/**
 * The daemon's loopback HTTP endpoints: GET /healthz (JSON; 200 healthy, 503 unhealthy) and GET /metrics
 * (Prometheus text). Anything else is 404; methods other than GET are 405. Every body passes through `scrub`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CsyncError } from '../core/errors.js';
import { scrub } from '../obs/redact.js';
import { assertListenAllowed } from './listen.js';

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
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/healthz' && path !== '/metrics') {
    send(res, 404, 'application/json', JSON.stringify({ error: 'not found', endpoints: ['/healthz', '/metrics'] }) + '\n');
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
