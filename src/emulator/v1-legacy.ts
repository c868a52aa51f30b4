/**
 * The deprecated Confluence Cloud v1 content endpoints that Atlassian's current v1 document dropped but that Cloud
 * sites still answer (with Basic auth; 410 Gone on others, and over OAuth): GET|PUT|DELETE /content/{id},
 * GET|POST /content, child pages, attachment and label listings, GET /space[/{key}], POST contentbody/convert/{to}.
 * Their request schemas are the emulator's own (spec/confluence-v1-legacy.openapi.json). `deprecatedV1: 'gone'`
 * answers every one of them 410 with Confluence's GoneException message, as removed sites do.
 */
import { json, type Reply } from './http-util.js';
import { convert, ConversionError } from './representations.js';
import { v1Error } from './shapes.js';
import type { V1Request } from './v1.js';
import { childAttachments, childPages, createContent, deleteContent, getContent, labels, listContent, offsetPage, updateContent, type ContentRequest } from './v1-content.js';

export type DeprecatedV1 = 'live' | 'gone';

export const GONE_MESSAGE = 'com.atlassian.confluence.api.service.exceptions.GoneException: This deprecated endpoint has been removed.';

export function gone(): Reply {
  return json(410, { ...v1Error(410, GONE_MESSAGE), reason: 'Gone' });
}

function space(req: ContentRequest, key: string): Reply {
  const s = req.store.spaceByKey(key);
  if (!s) return json(404, v1Error(404, `No space found with key : ${key}`));
  const home = s.homepageId ? req.store.pages.get(s.homepageId) : undefined;
  return json(200, {
    id: Number(s.id),
    key: s.key,
    name: s.name,
    type: 'global',
    status: 'current',
    ...(home ? { homepage: { id: home.id, type: 'page', status: home.status, title: home.title } } : {}),
    _expandable: { settings: '', metadata: '', operations: '', lookAndFeel: '', identifiers: '', permissions: '', icon: '', description: '', theme: '', history: '' },
    _links: { webui: `/spaces/${s.key}`, self: `${req.origin}${req.prefix}/rest/api/space/${s.key}` },
  });
}

function convertBody(req: ContentRequest, to: string): Reply {
  const b = (req.body ?? {}) as { value?: string; representation?: string };
  try {
    const value = convert(b.representation ?? 'storage', to, String(b.value ?? ''));
    return json(200, { value, representation: to, embeddedContent: [], webresource: { _expandable: { uris: '' } }, _expandable: { content: '', embeddedContent: '', webresource: '', mediaToken: '' }, _links: { base: `${req.origin}${req.prefix}` } });
  } catch (err) {
    if (err instanceof ConversionError) return json(400, v1Error(400, err.message));
    throw err;
  }
}

/** A deprecated v1 route, or undefined when the path is not one of them. */
export function handleV1Legacy(base: V1Request): Reply | undefined {
  const req: ContentRequest = { ...base, flavour: 'cloud' };
  const p = req.path;
  let m: RegExpExecArray | null;
  if (p === '/content') {
    if (req.method === 'GET') return listContent(req);
    if (req.method === 'POST') return createContent(req);
    return undefined;
  }
  if (req.method === 'GET' && p === '/space') {
    const keys = req.query.getAll('spaceKey').flatMap((k) => k.split(','));
    const spaces = [...req.store.spaces.values()].filter((s) => !keys.length || keys.includes(s.key)).sort((a, b) => a.key.localeCompare(b.key));
    return offsetPage(req, spaces, (s) => ({ id: Number(s.id), key: s.key, name: s.name, type: 'global', status: 'current', _links: { webui: `/spaces/${s.key}` } }));
  }
  if (req.method === 'GET' && (m = /^\/space\/([^/]+)$/.exec(p))) return space(req, decodeURIComponent(m[1]!));
  if (req.method === 'POST' && (m = /^\/contentbody\/convert\/([^/]+)$/.exec(p))) return convertBody(req, m[1]!);
  if ((m = /^\/content\/([^/]+)$/.exec(p)) && m[1] !== 'search') {
    if (req.method === 'GET') return getContent(req, m[1]!);
    if (req.method === 'PUT') return updateContent(req, m[1]!);
    if (req.method === 'DELETE') return deleteContent(req, m[1]!);
    return undefined;
  }
  if (req.method !== 'GET') return undefined;
  if ((m = /^\/content\/([^/]+)\/child\/page$/.exec(p))) return childPages(req, m[1]!);
  if ((m = /^\/content\/([^/]+)\/child\/attachment$/.exec(p))) return childAttachments(req, m[1]!);
  if ((m = /^\/content\/([^/]+)\/label$/.exec(p))) return labels(req, m[1]!);
  return undefined;
}
