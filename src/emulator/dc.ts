/**
 * Confluence Data Center's REST API at /rest/api (no /wiki, no v2): spaces by key, content CRUD with the version
 * rule, offset paging (start, limit, size, _links.next), CQL search with `expand`, child pages, attachments,
 * labels, the current user as DC shows it. Not validated against the Cloud v1 document (it is not DC's API); the
 * shared v1 content semantics are in v1-content.ts, uploads, label writes, moves and downloads in v1.ts.
 */
import { CqlError, parseCql } from './cql.js';
import { json, type Reply } from './http-util.js';
import { v1Attachment, v1Error } from './shapes.js';
import { ME } from './store.js';
import { cqlHits, handleV1, type CqlHit, type V1Request } from './v1.js';
import { childAttachments, childPages, content, createContent, deleteContent, getContent, labels, listContent, offsetPage, updateContent, user, type ContentRequest } from './v1-content.js';

function space(req: ContentRequest, key: string): Reply {
  const s = req.store.spaceByKey(key);
  if (!s) return json(404, v1Error(404, `No space with key : ${key}`));
  const expand = new Set((req.query.get('expand') ?? '').split(',').filter(Boolean));
  const home = s.homepageId ? req.store.pages.get(s.homepageId) : undefined;
  return json(200, {
    id: Number(s.id),
    key: s.key,
    name: s.name,
    type: 'global',
    status: 'current',
    ...(expand.has('homepage') && home ? { homepage: content(req, home, new Set()) } : {}),
    ...(expand.has('description') ? { description: { plain: { value: '', representation: 'plain' } } } : {}),
    _expandable: { homepage: home ? `/rest/api/content/${home.id}` : '', description: '', metadata: '', icon: '' },
    _links: { webui: `/display/${s.key}`, self: `${req.origin}${req.prefix}/rest/api/space/${s.key}`, base: `${req.origin}${req.prefix}`, context: req.prefix },
  });
}

/** CQL search with offset paging (DC's /content/search and /search page by start, not by cursor). */
export function offsetSearch(req: ContentRequest, wrap: boolean): Reply {
  const cql = req.query.get('cql');
  if (!cql) return json(400, v1Error(400, 'CQL query parameter is required'));
  let q;
  try {
    q = parseCql(cql);
  } catch (err) {
    if (err instanceof CqlError) return json(400, v1Error(400, `Could not parse cql : ${cql}`));
    throw err;
  }
  type Hit = CqlHit;
  const hits = cqlHits(req.store, q);
  const key = (h: Hit) => Number(h.rec.id.replace(/^att/, ''));
  const field = q.order?.field ?? 'id';
  const sign = q.order?.desc ? -1 : 1;
  const val = (h: Hit): number | string => (field === 'lastmodified' ? h.rec.lastModified : field === 'created' ? h.rec.created : field === 'title' ? h.rec.title : key(h));
  hits.sort((a, b) => {
    const x = val(a);
    const y = val(b);
    return sign * (x < y ? -1 : x > y ? 1 : key(a) - key(b));
  });
  const expand = new Set((req.query.get('expand') ?? '').split(',').filter(Boolean).map((e) => e.replace(/^content\./, '')));
  const reply = offsetPage(req, hits, (h) => {
    const c = h.page ? content(req, h.page, expand) : v1Attachment(req.store, h.att!);
    return wrap ? { content: c, title: h.rec.title, excerpt: '', url: (c._links as { webui: string }).webui, entityType: 'content', lastModified: new Date(h.rec.lastModified).toISOString() } : c;
  });
  if (wrap) Object.assign(reply.body as object, { totalSize: hits.length, cqlQuery: cql, searchDuration: 1 });
  return reply;
}

export function handleDc(base: V1Request): Reply | undefined {
  const req: ContentRequest = { ...base, flavour: 'dc' };
  const p = req.path;
  const m = p === '/content/search' ? null : /^\/content\/([^/]+)(\/.*)?$/.exec(p);
  const sub = m?.[2] ?? '';
  const id = m?.[1] ?? '';
  switch (`${req.method} ${m ? `/content/{id}${sub}` : p}`) {
    case 'GET /space':
      return offsetPage(req, [...req.store.spaces.values()].sort((a, b) => a.key.localeCompare(b.key)), (s) => ({ id: Number(s.id), key: s.key, name: s.name, type: 'global', status: 'current', _links: { webui: `/display/${s.key}` } }));
    case 'GET /content':
      return listContent(req);
    case 'POST /content':
      return createContent(req);
    case 'GET /content/search':
      return offsetSearch(req, false);
    case 'GET /search':
      return offsetSearch(req, true);
    case 'GET /user/current':
      return json(200, user('dc', ME));
    case 'GET /content/{id}':
      return getContent(req, id);
    case 'PUT /content/{id}':
      return updateContent(req, id);
    case 'DELETE /content/{id}':
      return deleteContent(req, id);
    case 'GET /content/{id}/child/page':
      return childPages(req, id);
    case 'GET /content/{id}/child/attachment':
      return childAttachments(req, id);
    case 'GET /content/{id}/label':
      return labels(req, id);
    default:
      break;
  }
  if (req.method === 'GET' && /^\/space\/[^/]+$/.test(p)) return space(req, decodeURIComponent(p.slice('/space/'.length)));
  return handleV1(req);
}
