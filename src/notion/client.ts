/**
 * The Notion client: the official `@notionhq/client` (typed endpoints, Notion-Version 2025-09-03) with its `fetch`
 * bound to the project's Transport (source 'notion': its own Bottleneck rate limiter, 429/Retry-After pauses,
 * retries with backoff, circuit breaker, timeouts, stable error codes). The SDK's own retries are off
 * (`retry: false`) so the transport alone paces and retries. Hosted files (S3-style presigned URLs) are downloaded
 * without the token: it must never travel to the file host.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Client, LogLevel } from '@notionhq/client';
import got from 'got';
import { RemoteError } from '../core/errors.js';
import { normalizeOptions, type ClientOptions } from '../remote/options.js';
import { resolveSiteUrls } from '../remote/site-url.js';
import type { ClientHooks } from '../remote/stats.js';
import { Transport, type Query } from '../remote/transport.js';

export const NOTION_API_URL = 'https://api.notion.com';
export const NOTION_VERSION = '2025-09-03';
export const NOTION_TOKEN_HINT = 'set NOTION_TOKEN (environment or the workspace .env) to an internal integration secret from https://www.notion.so/my-integrations, and share the pages with that integration';

export interface NotionClientOptions {
  baseUrl: string;
  token: string;
  requestsPerSecond: number;
  burst: number;
  maxConcurrent: number;
  retry: ClientOptions['retry'];
  timeouts: ClientOptions['timeouts'];
  breaker: ClientOptions['breaker'];
  logger?: ClientOptions['logger'];
  hooks?: Partial<ClientHooks>;
  rateLimit?: ClientOptions['rateLimit'];
}

export interface NotionApi {
  sdk: Client;
  transport: Transport;
  /** Streams a hosted file to `absPath`; returns its size. */
  download(url: string, absPath: string): Promise<number>;
  downloads: { count: number; bytes: number; errors: number };
  close(): Promise<void>;
}

/** Operation name of a Notion API path, for metrics, summaries and per-operation limits. */
export function notionOp(method: string, path: string): string {
  const p = path.replace(/^.*\/v1\//, '');
  if (p.startsWith('search')) return 'search';
  if (/^blocks\/[^/]+\/children/.test(p)) return 'blocks.children';
  if (p.startsWith('blocks/')) return 'blocks.get';
  if (p.startsWith('pages/')) return 'pages.get';
  if (/^data_sources\/[^/]+\/query/.test(p)) return 'dataSources.query';
  if (p.startsWith('data_sources/')) return 'dataSources.get';
  if (p.startsWith('databases/')) return 'databases.get';
  if (p.startsWith('users')) return 'users';
  if (p.startsWith('comments')) return 'comments';
  return `${method.toLowerCase()}.other`;
}

export function createNotionClient(o: NotionClientOptions): NotionApi {
  const base = o.baseUrl.replace(/\/+$/, '');
  const options = normalizeOptions({
    baseUrl: base,
    auth: { kind: 'bearer', token: o.token },
    rate: { requestsPerSecond: o.requestsPerSecond, burst: o.burst, maxConcurrent: o.maxConcurrent },
    ...(o.rateLimit ? { rateLimit: o.rateLimit } : {}),
    source: 'notion',
    retry: o.retry,
    timeouts: o.timeouts,
    breaker: o.breaker,
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.hooks ? { hooks: o.hooks } : {}),
  });
  const transport = new Transport(options, resolveSiteUrls(base));
  const fetchViaTransport = async (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string | FormData }) => {
    const u = new URL(url);
    const method = (init?.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'POST') throw new RemoteError('CSYNC_BAD_REQUEST', `${method} ${u.pathname}: the importer only reads from Notion`, { method, path: u.pathname });
    const query: Query = {};
    for (const [k, v] of u.searchParams) query[k] = v;
    const headers: Record<string, string> = {};
    // The transport sets Authorization and User-Agent itself; only Notion's own headers pass through.
    for (const [k, v] of Object.entries(init?.headers ?? {})) if (k.toLowerCase() === 'notion-version') headers['notion-version'] = v;
    let json: unknown;
    if (typeof init?.body === 'string' && init.body.length > 0) json = JSON.parse(init.body) as unknown;
    try {
      const answer = await transport.send(
        // Notion's POST endpoints the importer uses (search, data source query) only read: safe to resend.
        { op: notionOp(method, u.pathname), method, url: `${u.origin}${u.pathname}`, query, json, headers, idempotent: true },
        { parse: (a) => a },
      );
      const text = answer.body;
      return {
        ok: true,
        status: answer.status,
        headers: new Headers(Object.entries(answer.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v] as [string, string]]))),
        text: async () => text,
        body: null,
      };
    } catch (err) {
      if (err instanceof RemoteError && err.code === 'CSYNC_AUTH') {
        throw new RemoteError('CSYNC_AUTH', `${method} ${u.pathname}: Notion refused the integration token (401)`, { method, path: u.pathname, status: 401 }, { hint: NOTION_TOKEN_HINT });
      }
      if (err instanceof RemoteError && err.code === 'CSYNC_NOT_FOUND') {
        throw new RemoteError('CSYNC_NOT_FOUND', `${method} ${u.pathname}: not found in Notion (404)`, { method, path: u.pathname, status: 404 }, { hint: 'check the page id, and share the page with the integration (page menu → Connections)' });
      }
      throw err;
    }
  };
  const sdk = new Client({
    auth: o.token,
    baseUrl: base,
    notionVersion: NOTION_VERSION,
    fetch: fetchViaTransport as never,
    retry: false,
    // The transport has its own per-attempt timeouts; time spent waiting for the rate limiter is not a timeout.
    timeoutMs: 24 * 60 * 60 * 1000,
    logLevel: LogLevel.ERROR,
    logger: () => undefined,
  });
  const plain = got.extend({ retry: { limit: 3 }, timeout: { connect: o.timeouts.connectMs, response: o.timeouts.responseMs, socket: o.timeouts.responseMs }, followRedirect: true, throwHttpErrors: true });
  const downloads = { count: 0, bytes: 0, errors: 0 };
  return {
    sdk,
    transport,
    downloads,
    async download(url, absPath) {
      let size = 0;
      try {
        const stream = plain.stream(url);
        stream.on('data', (c: Buffer) => (size += c.length));
        await pipeline(stream, createWriteStream(absPath, { flags: 'wx' }));
      } catch (err) {
        downloads.errors++;
        const e = err as { response?: { statusCode?: number }; code?: string };
        // The URL carries a signature: never put it in a message.
        const where = (() => {
          try {
            const u = new URL(url);
            return `${u.host}${u.pathname}`;
          } catch {
            return '<invalid url>';
          }
        })();
        throw new RemoteError(e.response?.statusCode === 403 ? 'CSYNC_FORBIDDEN' : 'CSYNC_NETWORK', `GET ${where}: file download failed (${e.response?.statusCode ?? e.code ?? 'error'})`, { method: 'GET', path: where }, { hint: 'Notion file URLs expire after an hour; rerun the import to fetch a fresh one' });
      }
      downloads.count++;
      downloads.bytes += size;
      return size;
    },
    async close() {
      await transport.close();
    },
  };
}
