/**
 * The emulator's HTTP front: auth, rate limit, latency, faults, OpenAPI validation, routing to v2/v1 handlers,
 * downloads and the admin endpoints under /__emulator. Cloud is served under /wiki (/wiki/api/v2, /wiki/rest/api),
 * Data Center at the root (/rest/api, no v2: dc.ts); `flavour` picks one or both.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults} from './faults.js';
import { type FaultKind, type ScriptedFault } from './faults.js';
import { header, json, parseMultipart, type MultipartPart, type Reply } from './http-util.js';
import type { TokenBucket } from './rate-limit.js';
import { v1Error, v2Error } from './shapes.js';
import { ME, OTHER_USER, type Store } from './store.js';
import type { SpecValidator } from './validate.js';
import { handleDc } from './dc.js';
import { handleV1 } from './v1.js';
import { gone, handleV1Legacy, type DeprecatedV1 } from './v1-legacy.js';
import { handleV2 } from './v2.js';
import { handleJira } from './jira/routes.js';
import { jiraError } from './jira/shapes.js';
import type { JiraStore } from './jira/store.js';
import { handleNotion, notionError, serveNotionFile } from './notion/api.js';
import type { NotionStore } from './notion/store.js';

export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_TOKEN = 'demo-token';
export const DEMO_PAT = 'demo-pat';

export interface LoggedRequest {
  method: string;
  path: string;
  /** Path with ids replaced by {id}, for counting by endpoint. */
  route: string;
  /** The query string ('' or '?a=b...'), e.g. to tell a listing that carried bodies (body-format) from one that did not. */
  query: string;
  status: number;
  fault?: FaultKind | undefined;
  at: number;
  /** Requests of the same method and route in flight when this one arrived, itself included (1: none alongside). */
  alongside?: number;
}

export interface InvalidRequest {
  method: string;
  path: string;
  problems: string[];
}

/** Which Confluence the emulator is: Cloud under /wiki, Data Center at the root, or both side by side. */
export type EmulatorFlavour = 'cloud' | 'data-center' | 'both';

export interface ServerState {
  store: Store;
  /** Jira at the root: REST v3 (Cloud) under /rest/api/3, REST v2 (Data Center) under /rest/api/2. */
  jira: JiraStore;
  flavour: EmulatorFlavour;
  /** The deprecated Cloud v1 content routes: served (`live`) or 410 Gone (`gone`). */
  deprecatedV1: DeprecatedV1;
  faults: Faults;
  bucket: TokenBucket | undefined;
  latencyMs: number;
  strict: boolean;
  validator: SpecValidator;
  log: LoggedRequest[];
  invalid: InvalidRequest[];
  now: () => number;
  credentials: { email: string; token: string; pat: string };
  /** Called when a mutation happened (persistence). */
  onChange?: () => void;
  /** The Notion API under /notion (csync emulator --notion): its own store, token and rate limit. */
  notion?: NotionState | undefined;
}

export interface NotionState {
  store: NotionStore;
  token: string;
  bucket: TokenBucket | undefined;
}

const MAX_BODY = 20 * 1024 * 1024;

export function routeOf(path: string): string {
  // Jira: keep the API version, count issues by route ({key}).
  const jira = /^(\/rest\/api\/[23])(\/.*)$/.exec(path);
  if (jira) return jira[1]! + jira[2]!.replace(/\/issue\/[A-Za-z][A-Za-z0-9_]*-\d+(?=\/|$)/, '/issue/{key}').replace(/\/\d+(?=\/|$)/g, '/{id}');
  return path.replace(/\/att\d+/g, '/{attachmentId}').replace(/\/\d+(?=\/|$)/g, '/{id}');
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Over the limit the rest is read and dropped (not the socket destroyed), so the client gets its 413.
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
      else chunks.length = 0;
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function authOk(req: IncomingMessage, creds: { email: string; token: string; pat: string }): 'ok' | 'missing' | 'bad' {
  const h = header(req.headers, 'authorization');
  if (!h) return 'missing';
  const [scheme, value] = h.split(' ', 2);
  if (scheme?.toLowerCase() === 'basic' && value) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return decoded.slice(0, i) === creds.email && decoded.slice(i + 1) === creds.token ? 'ok' : 'bad';
  }
  if (scheme?.toLowerCase() === 'bearer' && value) return value === creds.pat ? 'ok' : 'bad';
  return 'bad';
}

function send(res: ServerResponse, reply: Reply, extra: Record<string, string>): void {
  const headers: Record<string, string> = { ...extra, ...(reply.headers ?? {}) };
  if (reply.raw) {
    res.writeHead(reply.status, { 'Content-Length': String(reply.raw.length), ...headers });
    res.end(reply.raw);
    return;
  }
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Splits a URL path into the API it belongs to. */
function classify(path: string): { api: 'v1' | 'v2' | 'download' | 'admin' | 'jira' | 'none'; prefix: string; rest: string } {
  if (path.startsWith('/__emulator')) return { api: 'admin', prefix: '', rest: path.slice('/__emulator'.length) };
  // Jira's REST API (Confluence has no /rest/api/2 or /rest/api/3): prefix holds the version.
  const jira = /^\/rest\/api\/([23])(\/.*)$/.exec(path);
  if (jira) return { api: 'jira', prefix: jira[1]!, rest: jira[2]! };
  for (const prefix of ['/wiki', '']) {
    if (path.startsWith(`${prefix}/api/v2/`)) return { api: 'v2', prefix, rest: path.slice(prefix.length + '/api/v2'.length) };
    if (path.startsWith(`${prefix}/rest/api/`)) return { api: 'v1', prefix, rest: path.slice(prefix.length + '/rest/api'.length) };
    if (path.startsWith(`${prefix}/download/attachments/`)) return { api: 'download', prefix, rest: path.slice(prefix.length + '/download/attachments'.length) };
  }
  return { api: 'none', prefix: '', rest: path };
}

export function createHandler(state: ServerState, admin: (req: IncomingMessage, rest: string, body: Buffer) => Promise<Reply>) {
  // Requests in flight by method and route, from the request's arrival to its answer (or dropped socket).
  const inFlight = new Map<string, number>();
  const handle = handler(state, admin);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const key = `${(req.method ?? 'GET').toUpperCase()} ${routeOf(url.pathname)}`;
    const n = (inFlight.get(key) ?? 0) + 1;
    inFlight.set(key, n);
    try {
      await handle(req, res, n);
    } finally {
      const left = (inFlight.get(key) ?? 1) - 1;
      if (left) inFlight.set(key, left);
      else inFlight.delete(key);
    }
  };
}

function handler(state: ServerState, admin: (req: IncomingMessage, rest: string, body: Buffer) => Promise<Reply>) {
  return async (req: IncomingMessage, res: ServerResponse, alongside: number): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = `http://${req.headers.host ?? 'localhost'}`;
    const where = classify(url.pathname);
    const body = await readBody(req);
    if (where.api === 'admin') {
      const reply = await admin(req, where.rest, body ?? Buffer.alloc(0));
      // Admin edits (pages, attachments) are changes too: --data files must get them without waiting for close().
      if (method !== 'GET' && reply.status < 400 && where.rest.startsWith('/pages')) state.onChange?.();
      send(res, reply, {});
      return;
    }
    const entry: LoggedRequest = { method, path: url.pathname, route: routeOf(url.pathname), query: url.search, status: 0, at: state.now(), alongside };
    state.log.push(entry);
    if (state.latencyMs > 0) await sleep(state.latencyMs);
    const fault = state.faults.pick(method, url.pathname);
    entry.fault = fault?.kind;
    if (fault) {
      switch (fault.kind) {
        case 'reset':
          entry.status = -1;
          req.socket.destroy();
          return;
        case 'stall':
          entry.status = -2;
          setTimeout(() => req.socket.destroy(), state.faults.settings.stallMs).unref();
          return;
        case 'http500':
        case 'http502':
        case 'http503':
        case 'http503-retry': {
          const status = fault.kind === 'http500' ? 500 : fault.kind === 'http502' ? 502 : 503;
          entry.status = status;
          const headers: Record<string, string> = fault.kind === 'http503-retry' ? { 'Retry-After': String(fault.retryAfter ?? 1) } : {};
          if (url.pathname.startsWith('/notion/')) {
            send(res, notionError(status, status === 503 ? 'service_unavailable' : 'internal_server_error', 'Injected fault'), headers);
            return;
          }
          send(res, json(status, where.api === 'v2' ? v2Error(status, 'SERVER_ERROR', 'Internal Server Error') : where.api === 'jira' ? jiraError(status, 'Internal Server Error') : v1Error(status, 'Internal Server Error')), headers);
          return;
        }
        case 'truncated': {
          entry.status = 200;
          const text = JSON.stringify({ results: [{ id: '1', status: 'current', title: 'partial' }], _links: {} });
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(text.length) });
          // Destroy only once the half body is flushed: destroying at once discards the pending write, and the
          // client would see a reset instead of a 200 with a cut body.
          res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
          return;
        }
        case 'malformed': {
          // A whole, well-formed JSON answer in a shape the API does not document: what a silent API change looks like.
          entry.status = 200;
          send(res, json(200, { results: [{ id: 1, status: 'current', version: 'one' }], size: 'many', _links: {} }), {});
          return;
        }
        default:
          break; // reset-after / stall-after: handled after the request is applied
      }
    }
    if (url.pathname.startsWith('/notion/')) {
      await serveNotion(state, req, res, method, url, origin, body, entry, fault?.kind);
      return;
    }
    const auth = authOk(req, state.credentials);
    if (auth !== 'ok') {
      entry.status = 401;
      const message = auth === 'missing' ? 'Unauthorized; scope does not match' : 'Basic authentication with passwords is deprecated. For more information, see: https://developer.atlassian.com/cloud/confluence/deprecation-notice-basic-auth/';
      send(res, json(401, where.api === 'v2' ? v2Error(401, 'UNAUTHORIZED', message) : where.api === 'jira' ? jiraError(401, 'Client must be authenticated to access this resource.') : v1Error(401, message)), { 'WWW-Authenticate': 'Basic realm="Confluence"' });
      return;
    }
    let rateHeaders: Record<string, string> = {};
    if (state.bucket) {
      const d = state.bucket.take();
      rateHeaders = d.headers;
      if (!d.allowed) {
        entry.status = 429;
        send(res, json(429, where.api === 'v2' ? v2Error(429, 'TOO_MANY_REQUESTS', 'Rate limit exceeded') : where.api === 'jira' ? jiraError(429, 'Rate limit exceeded.') : v1Error(429, 'Rate limit exceeded')), rateHeaders);
        return;
      }
    }
    let reply: Reply | undefined;
    try {
      reply = await dispatch(state, req, method, url, where, origin, body);
    } catch (err) {
      reply = json(500, v2Error(500, 'INTERNAL_SERVER_ERROR', `emulator bug: ${(err as Error).message}`));
    }
    entry.status = reply.status;
    if (reply.status < 400 && method !== 'GET') state.onChange?.();
    if (fault?.kind === 'reset-after') {
      entry.status = -1;
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'stall-after') {
      entry.status = -2;
      setTimeout(() => req.socket.destroy(), state.faults.settings.stallMs).unref();
      return;
    }
    send(res, reply, rateHeaders);
  };
}

/** The Notion side: hosted files (no auth), then Bearer auth, Notion-Version, the rate limit, the API. */
async function serveNotion(state: ServerState, req: IncomingMessage, res: ServerResponse, method: string, url: URL, origin: string, body: Buffer | undefined, entry: LoggedRequest, faultKind: FaultKind | undefined): Promise<void> {
  const notion = state.notion;
  const reply = (r: Reply, headers: Record<string, string> = {}) => {
    entry.status = r.status;
    send(res, r, headers);
  };
  if (!notion) return reply(notionError(404, 'invalid_request_url', 'this emulator runs without the Notion API (start it with --notion)'));
  if (url.pathname.startsWith('/notion/files/')) return reply(serveNotionFile(notion.store, url.pathname.slice('/notion/files'.length), url.searchParams, state.now));
  if (!url.pathname.startsWith('/notion/v1/')) return reply(notionError(400, 'invalid_request_url', `Invalid request URL: ${url.pathname}`));
  const auth = header(req.headers, 'authorization') ?? '';
  if (auth !== `Bearer ${notion.token}`) return reply(notionError(401, 'unauthorized', 'API token is invalid.'));
  const version = header(req.headers, 'notion-version');
  if (!version) return reply(notionError(400, 'missing_version', 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.'));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) return reply(notionError(400, 'validation_error', `Notion-Version header failed validation: Notion-Version header should be a valid version, instead was \`${version}\`.`));
  if (notion.bucket) {
    const d = notion.bucket.take();
    if (!d.allowed) return reply(notionError(429, 'rate_limited', 'You have been rate limited. Please try again in a few minutes.'), { 'Retry-After': d.headers['Retry-After'] ?? '1' });
  }
  let jsonBody: unknown;
  if (body === undefined) return reply(notionError(413, 'validation_error', 'Request body too large.'));
  if (body.length > 0) {
    try {
      jsonBody = JSON.parse(body.toString('utf8'));
    } catch {
      return reply(notionError(400, 'invalid_json', 'Error parsing JSON body.'));
    }
  }
  let r: Reply;
  try {
    r = handleNotion(notion.store, method, url.pathname.slice('/notion/v1'.length), url.searchParams, jsonBody, origin, state.now);
  } catch (err) {
    r = notionError(500, 'internal_server_error', `emulator bug: ${(err as Error).message}`);
  }
  entry.status = r.status;
  if (faultKind === 'reset-after') {
    entry.status = -1;
    req.socket.destroy();
    return;
  }
  if (faultKind === 'stall-after') {
    entry.status = -2;
    setTimeout(() => req.socket.destroy(), state.faults.settings.stallMs).unref();
    return;
  }
  send(res, r, {});
}

async function dispatch(
  state: ServerState,
  req: IncomingMessage,
  method: string,
  url: URL,
  where: ReturnType<typeof classify>,
  origin: string,
  body: Buffer | undefined,
): Promise<Reply> {
  if (body === undefined) return json(413, v2Error(413, 'REQUEST_ENTITY_TOO_LARGE', 'Request entity too large'));
  const contentType = header(req.headers, 'content-type') ?? '';
  if (where.api === 'jira') return dispatchJira(state, req, method, url, where, origin);
  const dc = where.prefix === '';
  if (where.api === 'none' || (dc ? state.flavour === 'cloud' || where.api === 'v2' : state.flavour === 'data-center')) {
    return json(404, where.api === 'v2' && !dc ? v2Error(404, 'NOT_FOUND', `No API at ${url.pathname}`) : v1Error(404, `No API at ${url.pathname}`));
  }
  if (where.api === 'download') {
    const m = /^\/(\d+)\/([^/?]+)$/.exec(where.rest);
    const att = m ? state.store.attachmentByName(m[1]!, decodeURIComponent(m[2]!)) : undefined;
    const version = url.searchParams.get('version');
    const bytes = att ? state.store.attachmentVersion(att, version ? Number(version) : undefined) : undefined;
    if (!att || !bytes) return json(404, v1Error(404, 'Attachment not found'));
    return { status: 200, raw: bytes.data, headers: { 'Content-Type': bytes.mediaType, 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(att.title)}` } };
  }
  if (where.api !== 'v1' && where.api !== 'v2') return json(404, v1Error(404, `No API at ${url.pathname}`));
  let jsonBody: unknown;
  let parts: MultipartPart[] | undefined;
  if (body.length > 0) {
    if (contentType.startsWith('application/json')) {
      try {
        jsonBody = JSON.parse(body.toString('utf8'));
      } catch {
        return json(400, where.api === 'v2' ? v2Error(400, 'INVALID_REQUEST_PARAMETER', 'Malformed JSON body') : v1Error(400, 'Malformed JSON body'));
      }
    } else if (contentType.startsWith('multipart/form-data')) {
      parts = parseMultipart(body, contentType);
      if (!parts) return json(400, v1Error(400, 'Malformed multipart body'));
    }
  }
  if (where.api === 'v1' && parts && !['nocheck', 'no-check'].includes(header(req.headers, 'x-atlassian-token') ?? '')) {
    state.invalid.push({ method, path: url.pathname, problems: ['header X-Atlassian-Token: nocheck is required for multipart requests'] });
    return json(403, v1Error(403, 'XSRF check failed'));
  }
  const v1Req = { store: state.store, method, path: where.rest, query: url.searchParams, body: jsonBody, parts, prefix: where.prefix, origin };
  // Data Center's API is not the Cloud v1 document's: its routes are dc.ts's own.
  if (dc) return handleDc(v1Req) ?? json(404, v1Error(404, `The emulator does not serve ${method} ${url.pathname}`));
  const apiPath = where.api === 'v2' ? where.rest : `/wiki/rest/api${where.rest}`;
  const legacy = where.api === 'v1' && !state.validator.find('v1', method, apiPath) && state.validator.find('v1-legacy', method, apiPath) !== undefined;
  if (legacy && state.deprecatedV1 === 'gone') return gone();
  const api = legacy ? 'v1-legacy' : where.api;
  const problems = state.validator.validate({
    method,
    api,
    apiPath,
    query: url.searchParams,
    headers: req.headers,
    contentType,
    ...(jsonBody !== undefined ? { jsonBody } : {}),
    ...(parts ? { multipartFields: parts.map((p) => p.name) } : {}),
  });
  const known = state.validator.find(api, method, apiPath);
  if (problems.length && state.strict) {
    state.invalid.push({ method, path: url.pathname, problems });
    if (!known) return json(where.api === 'v2' ? 404 : 404, where.api === 'v2' ? v2Error(404, 'NOT_FOUND', problems[0]!) : v1Error(404, problems[0]!));
    const message = problems.join('; ');
    return json(400, where.api === 'v2' ? v2Error(400, 'INVALID_REQUEST_PARAMETER', message) : v1Error(400, message));
  }
  const reply =
    where.api === 'v2'
      ? handleV2({ store: state.store, method, path: where.rest, query: url.searchParams, body: jsonBody, prefix: where.prefix, origin })
      : legacy
        ? handleV1Legacy(v1Req)
        : handleV1(v1Req);
  return reply ?? json(404, where.api === 'v2' ? v2Error(404, 'NOT_FOUND', `The emulator does not serve ${method} ${url.pathname}`) : v1Error(404, `The emulator does not serve ${method} ${url.pathname}`));
}

/** Jira: Cloud serves REST v3, Data Center REST v2 ('both': each on its own path); validated against the Jira document. */
function dispatchJira(state: ServerState, req: IncomingMessage, method: string, url: URL, where: ReturnType<typeof classify>, origin: string): Reply {
  const flavour = where.prefix === '3' ? 'cloud' : 'data-center';
  if ((flavour === 'cloud' && state.flavour === 'data-center') || (flavour === 'data-center' && state.flavour === 'cloud')) {
    return json(404, jiraError(404, `No API at ${url.pathname}`));
  }
  // v2 takes the same parameters as v3; the document describes v3 only.
  const apiPath = `/rest/api/3${where.rest}`;
  const problems = state.validator.validate({ method, api: 'jira', apiPath, query: url.searchParams, headers: req.headers, contentType: header(req.headers, 'content-type') ?? '' });
  if (problems.length && state.strict) {
    state.invalid.push({ method, path: url.pathname, problems });
    const known = state.validator.find('jira', method, apiPath);
    return json(known ? 400 : 404, jiraError(known ? 400 : 404, problems.join('; ')));
  }
  const reply = handleJira({ jira: state.jira, method, path: where.rest, query: url.searchParams, origin, flavour, me: ME });
  return reply ?? json(404, jiraError(404, `The emulator does not serve ${method} ${url.pathname}`));
}

export { OTHER_USER };
export type { ScriptedFault };
