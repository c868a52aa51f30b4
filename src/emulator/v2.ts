/** The v2 API (/wiki/api/v2): spaces, pages, tree, versions, labels, attachments. */
import { ConflictError, CycleError, type Store, type StoredPage } from './store.js';
import { decodeCursor, encodeCursor, json, type Reply } from './http-util.js';
import { v2Attachment, v2Body, v2Error, v2Page, v2Space, v2Version } from './shapes.js';
import { bodyFormat, writtenBody } from './v2-bodies.js';
import { firstAfter } from './store.js';

export interface ApiRequest {
  store: Store;
  method: string;
  /** Path relative to the API root, e.g. /pages/12 */
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** "/wiki" for Cloud paths, "" for Data Center style paths. */
  prefix: string;
  origin: string;
}

const MAX_LIMIT = 250;

function limitOf(q: URLSearchParams, def = 25): number {
  const l = Number(q.get('limit') ?? def);
  return Math.max(1, Math.min(MAX_LIMIT, Number.isFinite(l) ? l : def));
}

/** A page of `items` (sorted by id) after the cursor, with the next link and Link header. */
function paged<T extends { id: string }>(req: ApiRequest, items: T[] | { ids: readonly string[]; get: (id: string) => T | undefined }, map: (t: T) => unknown, def = 25): Reply {
  const after = decodeCursor(req.query.get('cursor'));
  if (after === null) return json(400, v2Error(400, 'INVALID_REQUEST_PARAMETER', 'Invalid cursor'));
  const limit = limitOf(req.query, def);
  const results: unknown[] = [];
  let last: string | undefined;
  let more = false;
  if (Array.isArray(items)) {
    const sorted = items;
    let i = after === undefined ? 0 : sorted.findIndex((t) => Number(t.id) > Number(after));
    if (i < 0) i = sorted.length;
    for (; i < sorted.length; i++) {
      if (results.length === limit) {
        more = true;
        break;
      }
      results.push(map(sorted[i]!));
      last = sorted[i]!.id;
    }
  } else {
    for (let i = firstAfter(items.ids, after); i < items.ids.length; i++) {
      const t = items.get(items.ids[i]!);
      if (!t) continue;
      if (results.length === limit) {
        more = true;
        break;
      }
      results.push(map(t));
      last = t.id;
    }
  }
  const links: Record<string, string> = { base: `${req.origin}${req.prefix}` };
  const headers: Record<string, string> = {};
  if (more && last) {
    const q = new URLSearchParams(req.query);
    q.set('cursor', encodeCursor(last));
    q.set('limit', String(limit));
    links.next = `${req.prefix}/api/v2${req.path}?${q.toString()}`;
    headers.Link = `<${links.next}>; rel="next", <${links.base}>; rel="base"`;
  }
  return json(200, { results, _links: links }, headers);
}

function pageOr404(req: ApiRequest, id: string, statuses: readonly string[] = ['current']): StoredPage | Reply {
  const p = req.store.pages.get(id);
  if (!p || !statuses.includes(p.status)) return json(404, v2Error(404, 'NOT_FOUND', 'Not Found', `No content found with id: ${id}`));
  return p;
}

const isReply = (x: unknown): x is Reply => typeof x === 'object' && x !== null && 'status' in x && typeof (x as Reply).status === 'number' && !('spaceId' in x);

function statusFilter(q: URLSearchParams): string[] {
  const s = q.getAll('status').flatMap((v) => v.split(','));
  return s.length ? s : ['current'];
}

type Handler = (req: ApiRequest, m: RegExpExecArray) => Reply;
const routes: Array<[string, RegExp, Handler]> = [];
const route = (method: string, re: RegExp, h: Handler) => routes.push([method, re, h]);

route('GET', /^\/spaces$/, (req) => {
  const keys = req.query.getAll('keys').flatMap((k) => k.split(','));
  const ids = req.query.getAll('ids').flatMap((k) => k.split(','));
  const spaces = [...req.store.spaces.values()].filter((s) => (!keys.length || keys.includes(s.key)) && (!ids.length || ids.includes(s.id)));
  return paged(req, spaces.sort((a, b) => Number(a.id) - Number(b.id)), v2Space);
});

route('GET', /^\/spaces\/([^/]+)$/, (req, m) => {
  const s = req.store.spaces.get(m[1]!);
  return s ? json(200, v2Space(s)) : json(404, v2Error(404, 'NOT_FOUND', 'Not Found'));
});

route('GET', /^\/spaces\/([^/]+)\/operations$/, (req, m) => {
  if (!req.store.spaces.get(m[1]!)) return json(404, v2Error(404, 'NOT_FOUND', 'Not Found'));
  return json(200, { operations: ['read', 'create', 'update', 'delete', 'administer'].map((operation) => ({ operation, targetType: operation === 'read' || operation === 'administer' ? 'space' : 'page' })), _links: { base: `${req.origin}${req.prefix}` } });
});

route('GET', /^\/spaces\/([^/]+)\/pages$/, (req, m) => {
  const space = req.store.spaces.get(m[1]!);
  if (!space) return json(404, v2Error(404, 'NOT_FOUND', 'Not Found'));
  const statuses = statusFilter(req.query);
  const title = req.query.get('title');
  const rootOnly = req.query.get('depth') === 'root';
  const body = bodyFormat(req.query);
  const ids = req.store.spacePageIds.get(space.id) ?? [];
  return paged(
    req,
    {
      ids,
      get: (id) => {
        const p = req.store.pages.get(id)!;
        if (!statuses.includes(p.status)) return undefined;
        if (title !== null && p.title !== title) return undefined;
        if (rootOnly && p.parentId !== null) return undefined;
        return p;
      },
    },
    (p) => v2Page(req.store, p, { body }),
  );
});

route('GET', /^\/spaces\/([^/]+)\/content\/labels$/, (req, m) => {
  const space = req.store.spaces.get(m[1]!);
  if (!space) return json(404, v2Error(404, 'NOT_FOUND', 'Not Found'));
  const names = new Set<string>();
  for (const id of req.store.spacePageIds.get(space.id) ?? []) {
    const p = req.store.pages.get(id)!;
    if (p.status === 'current') for (const l of p.labels) names.add(l);
  }
  const labels = [...names].map((name) => ({ id: req.store.labelId(name), name, prefix: 'global' })).sort((a, b) => Number(a.id) - Number(b.id));
  return paged(req, labels, (l) => l);
});

route('GET', /^\/labels\/([^/]+)\/pages$/, (req, m) => {
  const name = req.store.labelById(m[1]!);
  if (!name) return json(404, v2Error(404, 'NOT_FOUND', 'Not Found'));
  const spaceIds = req.query.getAll('space-id').flatMap((s) => s.split(','));
  const body = bodyFormat(req.query);
  const pages = [...req.store.pages.values()]
    .filter((p) => p.status === 'current' && p.labels.includes(name) && (!spaceIds.length || spaceIds.includes(p.spaceId)))
    .sort((a, b) => Number(a.id) - Number(b.id));
  return paged(req, pages, (p) => v2Page(req.store, p, { body }));
});

route('GET', /^\/pages$/, (req) => {
  const ids = req.query.getAll('id').flatMap((s) => s.split(','));
  if (ids.length > 250) return json(400, v2Error(400, 'INVALID_REQUEST_PARAMETER', 'Too many ids: at most 250'));
  const spaceIds = req.query.getAll('space-id').flatMap((s) => s.split(','));
  const statuses = statusFilter(req.query);
  const title = req.query.get('title');
  const body = bodyFormat(req.query);
  const pages = (ids.length ? ids.map((id) => req.store.pages.get(id)).filter((p): p is StoredPage => !!p) : [...req.store.pages.values()])
    .filter((p) => statuses.includes(p.status) && (!spaceIds.length || spaceIds.includes(p.spaceId)) && (title === null || p.title === title))
    .sort((a, b) => Number(a.id) - Number(b.id));
  return paged(req, pages, (p) => v2Page(req.store, p, { body }));
});

route('POST', /^\/pages$/, (req) => {
  const b = req.body as { spaceId: string; status?: string; title?: string; parentId?: string; body?: { representation?: string; value?: string } };
  const space = req.store.spaces.get(String(b.spaceId));
  if (!space) return json(404, v2Error(404, 'NOT_FOUND', 'Space not found'));
  if (!b.title) return json(400, v2Error(400, 'INVALID_REQUEST_PARAMETER', 'Title is required'));
  if (b.parentId) {
    const parent = req.store.pages.get(b.parentId);
    if (parent?.spaceId !== space.id || parent.status !== 'current') return json(404, v2Error(404, 'NOT_FOUND', 'Parent page not found'));
  }
  if ((b.body?.value ?? '').length > req.store.maxPageBodyBytes) return json(413, v2Error(413, 'REQUEST_ENTITY_TOO_LARGE', 'Request entity too large'));
  try {
    const written = writtenBody(b.body);
    if (typeof written !== 'string') return written;
    const page = req.store.createPage({ spaceId: space.id, title: b.title, parentId: b.parentId ?? null, body: written });
    return json(200, v2Page(req.store, page, { body: true }));
  } catch (err) {
    if (err instanceof ConflictError) return json(400, v2Error(400, 'INVALID_REQUEST_PARAMETER', err.message));
    throw err;
  }
});

route('GET', /^\/pages\/([^/]+)$/, (req, m) => {
  const p = pageOr404(req, m[1]!, ['current', 'trashed', ...statusFilter(req.query)]);
  if (isReply(p)) return p;
  const requested = req.query.get('version');
  if (requested) {
    const v = p.history.find((h) => h.number === Number(requested));
    if (!v) return json(404, v2Error(404, 'NOT_FOUND', 'Not Found'));
    const { parentId: _p, parentType: _t, ...rest } = v2Page(req.store, p);
    const view = { ...rest, title: v.title, version: v2Version(v), ...(v.parentId ? { parentId: v.parentId, parentType: 'page' } : {}) };
    const format = bodyFormat(req.query);
    return json(200, format ? { ...view, body: v2Body(format, v.body || req.store.bodyOf(p)) } : view);
  }
  return json(200, v2Page(req.store, p, { body: bodyFormat(req.query), labels: req.query.get('include-labels') === 'true' }));
});

route('PUT', /^\/pages\/([^/]+)$/, (req, m) => {
  const p = pageOr404(req, m[1]!, ['current', 'trashed']);
  if (isReply(p)) return p;
  const b = req.body as { id: string; status: string; title: string; parentId?: string; body?: { value?: string }; version?: { number?: number; message?: string; minorEdit?: boolean } };
  const provided = b.version?.number ?? 0;
  if (provided !== p.version.number + 1) {
    return json(409, v2Error(409, 'CONFLICT', `Version must be incremented when updating a page. Current Version: [${p.version.number}]. Provided version: [${provided}]`));
  }
  if (p.status === 'trashed' && b.status === 'current') {
    // Restore: "page contents will not be updated and only the page status will be changed" (PageUpdateRequest.status
    // in the v2 spec). Title, body and parent stay as they were in the trash, and so does the version number.
    try {
      return json(200, v2Page(req.store, req.store.restorePage(p), { body: true }));
    } catch (err) {
      if (err instanceof ConflictError) return json(400, v2Error(400, 'INVALID_REQUEST_PARAMETER', err.message));
      throw err;
    }
  }
  if (b.parentId && b.parentId !== p.parentId) {
    const parent = req.store.pages.get(b.parentId);
    if (!parent || parent.spaceId !== p.spaceId || parent.status !== 'current') return json(400, v2Error(400, 'INVALID_REQUEST_PARAMETER', 'Parent page not found in this space'));
    // Confluence Cloud's answer to a parent cycle (a page moved below itself or one of its descendants).
    if (req.store.wouldCycle(p.id, parent.id)) return json(400, v2Error(400, 'INVALID_REQUEST_PARAMETER', 'Cannot add an existing ancestor as a child!'));
  }
  if ((b.body?.value ?? '').length > req.store.maxPageBodyBytes) return json(413, v2Error(413, 'REQUEST_ENTITY_TOO_LARGE', 'Request entity too large'));
  try {
    const written = writtenBody(b.body);
    if (typeof written !== 'string') return written;
    req.store.updatePage(p, { title: b.title, body: written, parentId: b.parentId ?? p.parentId, message: b.version?.message ?? '', minorEdit: b.version?.minorEdit ?? false, status: 'current' });
    return json(200, v2Page(req.store, p, { body: true }));
  } catch (err) {
    if (err instanceof ConflictError || err instanceof CycleError) return json(400, v2Error(400, 'INVALID_REQUEST_PARAMETER', err.message));
    throw err;
  }
});

route('DELETE', /^\/pages\/([^/]+)$/, (req, m) => {
  const p = pageOr404(req, m[1]!, ['current', 'trashed']);
  if (isReply(p)) return p;
  if (req.query.get('purge') === 'true') {
    if (p.status !== 'trashed') return json(400, v2Error(400, 'INVALID_REQUEST_PARAMETER', 'Only trashed pages can be purged'));
    req.store.purgePage(p);
    return { status: 204 };
  }
  if (p.status === 'trashed') return json(404, v2Error(404, 'NOT_FOUND', 'Not Found'));
  req.store.trashPage(p);
  return { status: 204 };
});

route('GET', /^\/pages\/([^/]+)\/children$/, (req, m) => {
  const p = pageOr404(req, m[1]!);
  if (isReply(p)) return p;
  const kids = req.store.childrenOf(p.id).sort((a, b) => Number(a.id) - Number(b.id));
  return paged(req, kids, (c) => ({ id: c.id, status: c.status, title: c.title, spaceId: c.spaceId, childPosition: c.position }));
});

route('GET', /^\/pages\/([^/]+)\/descendants$/, (req, m) => {
  const p = pageOr404(req, m[1]!);
  if (isReply(p)) return p;
  const maxDepth = Number(req.query.get('depth') ?? 5);
  const out: Array<{ id: string; status: string; title: string; type: string; parentId: string | null; depth: number; childPosition: number }> = [];
  const walk = (id: string, depth: number) => {
    if (depth > maxDepth) return;
    for (const c of req.store.childrenOf(id)) {
      out.push({ id: c.id, status: c.status, title: c.title, type: 'page', parentId: c.parentId, depth, childPosition: c.position });
      walk(c.id, depth + 1);
    }
  };
  walk(p.id, 1);
  return paged(req, out.sort((a, b) => Number(a.id) - Number(b.id)), (d) => d);
});

route('GET', /^\/pages\/([^/]+)\/ancestors$/, (req, m) => {
  const p = pageOr404(req, m[1]!);
  if (isReply(p)) return p;
  const chain: Array<{ id: string; type: string }> = [];
  for (let a = p.parentId ? req.store.pages.get(p.parentId) : undefined; a; a = a.parentId ? req.store.pages.get(a.parentId) : undefined) chain.unshift({ id: a.id, type: 'page' });
  return json(200, { results: chain, _links: { base: `${req.origin}${req.prefix}` } });
});

route('GET', /^\/pages\/([^/]+)\/versions$/, (req, m) => {
  const p = pageOr404(req, m[1]!, ['current', 'trashed']);
  if (isReply(p)) return p;
  const versions = [...p.history].reverse().map((v) => ({ ...v2Version(v), id: String(v.number), page: { id: p.id, title: v.title } }));
  return paged(req, versions.map((v) => ({ ...v, id: String(1e9 - v.number) })), ({ id: _id, ...v }) => v);
});

route('GET', /^\/pages\/([^/]+)\/labels$/, (req, m) => {
  const p = pageOr404(req, m[1]!);
  if (isReply(p)) return p;
  const labels = p.labels.map((name) => ({ id: req.store.labelId(name), name, prefix: 'global' })).sort((a, b) => Number(a.id) - Number(b.id));
  return paged(req, labels, (l) => l);
});

route('GET', /^\/pages\/([^/]+)\/attachments$/, (req, m) => {
  const p = pageOr404(req, m[1]!);
  if (isReply(p)) return p;
  const filename = req.query.get('filename');
  const atts = req.store.attachmentsOf(p.id).filter((a) => filename === null || a.title === filename).map((a) => ({ ...a, id: a.id.slice(3), realId: a.id }));
  return paged(req, atts, (a) => v2Attachment(req.store.attachments.get(a.realId)!));
});

function attachmentId(raw: string): string {
  return raw.startsWith('att') ? raw : `att${raw}`;
}

route('GET', /^\/attachments\/([^/]+)$/, (req, m) => {
  const a = req.store.attachments.get(attachmentId(m[1]!));
  return a && a.status === 'current' ? json(200, v2Attachment(a)) : json(404, v2Error(404, 'NOT_FOUND', 'Not Found'));
});

route('DELETE', /^\/attachments\/([^/]+)$/, (req, m) => {
  const a = req.store.attachments.get(attachmentId(m[1]!));
  if (!a) return json(404, v2Error(404, 'NOT_FOUND', 'Not Found'));
  if (req.query.get('purge') === 'true') {
    // As for pages: only a trashed attachment can be purged.
    if (a.status !== 'trashed') return json(400, v2Error(400, 'INVALID_REQUEST_PARAMETER', 'Only trashed attachments can be purged'));
    req.store.attachments.delete(a.id);
  } else if (a.status === 'current') a.status = 'trashed';
  else return json(404, v2Error(404, 'NOT_FOUND', 'Not Found'));
  req.store.changes++;
  return { status: 204 };
});

export function handleV2(req: ApiRequest): Reply | undefined {
  for (const [method, re, h] of routes) {
    if (method !== req.method) continue;
    const m = re.exec(req.path);
    if (m) return h(req, m);
  }
  return undefined;
}
