/** The v1 API (/wiki/rest/api) that sync still needs: attachments, labels, CQL search, long tasks, move, user. */
import { CqlError, parseCql, type CqlRecord } from './cql.js';
import { decodeCursor, encodeCursor, json, type MultipartPart, type Reply } from './http-util.js';
import { downloadPath, v1Attachment, v1Content, v1Error } from './shapes.js';
import { ME, type Store, type StoredAttachment, type StoredPage } from './store.js';

export interface V1Request {
  store: Store;
  method: string;
  /** Path below /rest/api, e.g. /content/12/label */
  path: string;
  query: URLSearchParams;
  body: unknown;
  parts?: MultipartPart[] | undefined;
  prefix: string;
  origin: string;
}

const MAX_V1_LIMIT = 250;

function currentPage(store: Store, id: string): StoredPage | undefined {
  const p = store.pages.get(id);
  return p && p.status === 'current' ? p : undefined;
}

function ancestorsOf(store: Store, p: StoredPage): string[] {
  const out: string[] = [];
  for (let a = p.parentId ? store.pages.get(p.parentId) : undefined; a; a = a.parentId ? store.pages.get(a.parentId) : undefined) out.push(a.id);
  return out;
}

export function pageRecord(store: Store, p: StoredPage): CqlRecord {
  return {
    id: p.id,
    type: 'page',
    title: p.title,
    spaceKey: store.spaces.get(p.spaceId)?.key ?? '',
    parentId: p.parentId,
    ancestors: ancestorsOf(store, p),
    labels: p.labels,
    lastModified: Date.parse(p.version.createdAt),
    created: Date.parse(p.createdAt),
  };
}

export function attachmentRecord(store: Store, a: StoredAttachment): CqlRecord | undefined {
  const p = currentPage(store, a.pageId);
  if (!p) return undefined;
  return { id: a.id, type: 'attachment', title: a.title, spaceKey: store.spaces.get(p.spaceId)?.key ?? '', parentId: p.id, ancestors: [p.id, ...ancestorsOf(store, p)], labels: [], lastModified: Date.parse(a.createdAt), created: Date.parse(a.createdAt) };
}

/** A page or attachment a CQL query matched. */
export interface CqlHit {
  rec: CqlRecord;
  page?: StoredPage;
  att?: StoredAttachment;
}

/** The current pages and attachments `q` matches (Cloud's v1 search and Data Center's). */
export function cqlHits(store: Store, q: { test(rec: CqlRecord): boolean }): CqlHit[] {
  const hits: CqlHit[] = [];
  for (const p of store.pages.values()) {
    if (p.status !== 'current') continue;
    const rec = pageRecord(store, p);
    if (q.test(rec)) hits.push({ rec, page: p });
  }
  for (const a of store.attachments.values()) {
    if (a.status !== 'current') continue;
    const rec = attachmentRecord(store, a);
    if (rec && q.test(rec)) hits.push({ rec, att: a });
  }
  return hits;
}

function search(req: V1Request, wrap: boolean): Reply {
  const cql = req.query.get('cql');
  if (!cql) return json(400, v1Error(400, 'CQL query parameter is required'));
  let q;
  try {
    q = parseCql(cql);
  } catch (err) {
    if (err instanceof CqlError) return json(400, v1Error(400, `Could not parse cql : ${cql}: ${err.message}`));
    throw err;
  }
  const limit = Math.max(1, Math.min(MAX_V1_LIMIT, Number(req.query.get('limit') ?? 25) || 25));
  type Hit = CqlHit;
  const hits = cqlHits(req.store, q);
  const key = (h: Hit) => Number(h.rec.id.replace(/^att/, ''));
  const field = q.order?.field ?? 'id';
  const desc = q.order?.desc ?? false;
  const val = (h: Hit): number | string => (field === 'lastmodified' ? h.rec.lastModified : field === 'created' ? h.rec.created : field === 'title' ? h.rec.title : key(h));
  /** Order of (sort value, id) points; ties broken by id. */
  const compare = (x: number | string, kx: number, y: number | string, ky: number) => {
    const c = x < y ? -1 : x > y ? 1 : kx - ky;
    return desc ? -c : c;
  };
  hits.sort((a, b) => compare(val(a), key(a), val(b), key(b)));
  // The cursor is the position (sort value and id) of the last hit served: the next page starts strictly after it, so
  // a hit that changes (a newer lastmodified moves it) or disappears meanwhile cannot repeat or skip the others.
  const after = decodeCursor(req.query.get('cursor'));
  if (after === null) return json(400, v1Error(400, 'Invalid cursor'));
  let start = 0;
  if (after !== undefined) {
    let point: [number | string, number];
    try {
      point = JSON.parse(after) as [number | string, number];
    } catch {
      return json(400, v1Error(400, 'Invalid cursor'));
    }
    if (!Array.isArray(point) || point.length !== 2 || typeof point[1] !== 'number') return json(400, v1Error(400, 'Invalid cursor'));
    start = hits.findIndex((h) => compare(val(h), key(h), point[0], point[1]) > 0);
    if (start < 0) start = hits.length;
  }
  const slice = hits.slice(start, start + limit);
  const results = slice.map((h) => {
    const content = h.page ? v1Content(req.store, h.page) : v1Attachment(req.store, h.att!);
    return wrap ? { content, title: h.rec.title, excerpt: '', url: (content._links as { webui: string }).webui, lastModified: new Date(h.rec.lastModified).toISOString(), entityType: 'content' } : content;
  });
  const links: Record<string, string> = { base: `${req.origin}${req.prefix}`, context: req.prefix };
  if (start + limit < hits.length && slice.length) {
    const q2 = new URLSearchParams(req.query);
    const last = slice[slice.length - 1]!;
    q2.set('cursor', encodeCursor(JSON.stringify([val(last), key(last)])));
    q2.set('limit', String(limit));
    // /search declares `next` (Confluence puts next=true in its links); /content/search does not, and a next link
    // must pass the same validation as any other request.
    if (wrap) q2.set('next', 'true');
    links.next = `/rest/api${req.path}?${q2.toString()}`;
  }
  return json(200, { results, start, limit, size: results.length, ...(wrap ? { totalSize: hits.length, cqlQuery: cql, searchDuration: 1 } : {}), _links: links }, links.next ? { Link: `<${req.prefix}${links.next}>; rel="next"` } : undefined);
}

function upload(req: V1Request, pageId: string, mode: 'create' | 'createOrUpdate' | 'data', attachmentId?: string): Reply {
  const page = currentPage(req.store, pageId);
  if (!page) return json(404, v1Error(404, `No content found with id: ${pageId}`));
  const files = (req.parts ?? []).filter((p) => p.name === 'file');
  if (files.length === 0) return json(400, v1Error(400, 'No file part in the request'));
  const comment = (req.parts ?? []).find((p) => p.name === 'comment')?.data.toString('utf8');
  const results: unknown[] = [];
  for (const f of files) {
    const title = f.filename ?? 'file';
    if (mode === 'data') {
      const existing = req.store.attachments.get(attachmentId!);
      if (!existing || existing.pageId !== pageId) return json(404, v1Error(404, `No attachment ${attachmentId} on content ${pageId}`));
      results.push(v1Attachment(req.store, req.store.putAttachment({ pageId, title, mediaType: f.contentType ?? existing.mediaType, data: f.data, comment, id: existing.id })));
      continue;
    }
    if (mode === 'create' && req.store.attachmentByName(pageId, title)) {
      return json(400, v1Error(400, `Cannot add a new attachment with same file name as an existing attachment: ${title}`));
    }
    results.push(v1Attachment(req.store, req.store.putAttachment({ pageId, title, mediaType: f.contentType ?? 'application/octet-stream', data: f.data, comment })));
  }
  if (mode === 'data') return json(200, results[0]);
  return json(200, { results, start: 0, limit: results.length, size: results.length, _links: { base: `${req.origin}${req.prefix}`, context: req.prefix } });
}

export function handleV1(req: V1Request): Reply | undefined {
  const p = req.path;
  const { store } = req;
  let m: RegExpExecArray | null;
  if (req.method === 'GET' && p === '/content/search') return search(req, false);
  if (req.method === 'GET' && p === '/search') return search(req, true);
  if (req.method === 'GET' && p === '/user/current') return json(200, { type: 'known', accountId: ME, accountType: 'atlassian', email: 'demo@example.com', publicName: 'Demo User', displayName: 'Demo User' });
  if (req.method === 'GET' && p === '/longtask') return json(200, { results: [], start: 0, limit: 100, size: 0, _links: { base: `${req.origin}${req.prefix}` } });
  if (req.method === 'GET' && (m = /^\/longtask\/([^/]+)$/.exec(p))) return json(404, v1Error(404, `No long task with id ${m[1]}`));
  if ((m = /^\/content\/([^/]+)\/child\/attachment$/.exec(p))) {
    if (req.method === 'POST') return upload(req, m[1]!, 'create');
    if (req.method === 'PUT') return upload(req, m[1]!, 'createOrUpdate');
    if (req.method === 'GET') {
      const page = currentPage(store, m[1]!);
      if (!page) return json(404, v1Error(404, `No content found with id: ${m[1]}`));
      const filename = req.query.get('filename');
      const results = store.attachmentsOf(page.id).filter((a) => !filename || a.title === filename).map((a) => v1Attachment(store, a));
      return json(200, { results, start: 0, limit: results.length, size: results.length, _links: { base: `${req.origin}${req.prefix}` } });
    }
  }
  if (req.method === 'POST' && (m = /^\/content\/([^/]+)\/child\/attachment\/([^/]+)\/data$/.exec(p))) return upload(req, m[1]!, 'data', m[2]!);
  if (req.method === 'GET' && (m = /^\/content\/([^/]+)\/child\/attachment\/([^/]+)\/download$/.exec(p))) {
    const a = store.attachments.get(m[2]!);
    if (!a || a.pageId !== m[1] || a.status !== 'current') return json(404, v1Error(404, 'Attachment not found'));
    const version = req.query.get('version');
    if (version && !store.attachmentVersion(a, Number(version))) return json(404, v1Error(404, `Attachment ${a.id} has no version ${version}`));
    const location = `${req.origin}${req.prefix}${downloadPath(a)}`;
    return { status: 302, headers: { Location: version ? location.replace(/([?&])version=\d+/, `$1version=${Number(version)}`) : location } };
  }
  if ((m = /^\/content\/([^/]+)\/label$/.exec(p))) {
    const page = currentPage(store, m[1]!);
    if (!page) return json(404, v1Error(404, `No content found with id: ${m[1]}`));
    if (req.method === 'POST') {
      const items = (Array.isArray(req.body) ? req.body : [req.body]) as Array<{ prefix?: string; name?: string }>;
      for (const it of items) {
        const name = String(it.name ?? '').trim().toLowerCase();
        if (!name || /\s/.test(name)) return json(400, v1Error(400, `Invalid label name: '${it.name ?? ''}'`));
        if (!page.labels.includes(name)) page.labels.push(name);
        store.labelId(name);
      }
      store.changes++;
    } else if (req.method === 'DELETE') {
      const name = req.query.get('name');
      if (!name || !page.labels.includes(name)) return json(404, v1Error(404, `Label ${name ?? ''} not found`));
      page.labels = page.labels.filter((l) => l !== name);
      store.changes++;
      return { status: 204 };
    } else if (req.method !== 'GET') return undefined;
    const results = page.labels.map((name) => ({ prefix: 'global', name, id: store.labelId(name), label: name }));
    return json(200, { results, start: 0, limit: 200, size: results.length, _links: { base: `${req.origin}${req.prefix}` } });
  }
  if (req.method === 'DELETE' && (m = /^\/content\/([^/]+)\/label\/([^/]+)$/.exec(p))) {
    const page = currentPage(store, m[1]!);
    const name = decodeURIComponent(m[2]!);
    if (!page || !page.labels.includes(name)) return json(404, v1Error(404, `Label ${name} not found`));
    page.labels = page.labels.filter((l) => l !== name);
    store.changes++;
    return { status: 204 };
  }
  if (req.method === 'PUT' && (m = /^\/content\/([^/]+)\/move\/(append|before|after)\/([^/]+)$/.exec(p))) {
    const page = currentPage(store, m[1]!);
    const target = currentPage(store, m[3]!);
    if (!page || !target) return json(404, v1Error(404, 'Page not found'));
    const parentId = m[2] === 'append' ? target.id : target.parentId;
    if (store.wouldCycle(page.id, parentId)) return json(400, v1Error(400, 'Cannot add an existing ancestor as a child!'));
    store.updatePage(page, { parentId });
    return json(200, { pageId: page.id });
  }
  return undefined;
}
