/**
 * The v1 content API's semantics, shared by the Data Center routes (dc.ts, /rest/api at the root) and the deprecated
 * Cloud routes (v1-legacy.ts, /wiki/rest/api): content shapes with `expand`, offset paging (start, limit, size,
 * _links.next), create and update with the version rule (409) and title uniqueness (400), trash and purge, child
 * pages, attachment and label listings.
 */
import { json, type Reply } from './http-util.js';
import { ConversionError, fromStorage, toStorage } from './representations.js';
import { v1Attachment, v1Error, webui } from './shapes.js';
import { ConflictError, CycleError, ME, OTHER_USER, type Store, type StoredPage } from './store.js';
import type { V1Request } from './v1.js';

export type Flavour = 'cloud' | 'dc';

export interface ContentRequest extends V1Request {
  flavour: Flavour;
}

/** Listing sizes: Confluence's defaults (25) and caps (Cloud 250; DC clamps to 200, 100 with bodies expanded). */
function limits(req: ContentRequest, fallback = 25): number {
  const expand = req.query.get('expand') ?? '';
  const cap = req.flavour === 'cloud' ? 250 : expand.includes('body.') ? 100 : 200;
  const raw = Number(req.query.get('limit') ?? fallback);
  return Math.max(1, Math.min(cap, Number.isFinite(raw) && raw > 0 ? Math.floor(raw) : fallback));
}

export function user(flavour: Flavour, accountId: string) {
  const name = accountId === ME ? 'Demo User' : accountId === OTHER_USER ? 'Other User' : 'Unknown User';
  if (flavour === 'dc') {
    const username = accountId === ME ? 'demo' : accountId === OTHER_USER ? 'other' : accountId;
    return { type: 'known', username, userKey: `ff8080817a${accountId.slice(0, 22)}`, displayName: name, _links: { self: `/rest/api/user?key=ff8080817a${accountId.slice(0, 22)}` } };
  }
  return { type: 'known', accountId, accountType: 'atlassian', email: accountId === ME ? 'demo@example.com' : '', publicName: name, displayName: name };
}

function parseExpand(q: URLSearchParams): Set<string> {
  const out = new Set<string>();
  for (const v of q.getAll('expand')) for (const e of v.split(',')) if (e.trim()) out.add(e.trim());
  return out;
}

function ancestorsRootFirst(store: Store, p: StoredPage): StoredPage[] {
  const out: StoredPage[] = [];
  for (let a = p.parentId ? store.pages.get(p.parentId) : undefined; a; a = a.parentId ? store.pages.get(a.parentId) : undefined) out.unshift(a);
  return out;
}

function selfPath(req: ContentRequest): string {
  return `${req.origin}${req.prefix}/rest/api`;
}

/** A page as the v1 content API shows it: id, type, status, title, space, history, version always; the rest on expand. */
export function content(req: ContentRequest, p: StoredPage, expand = parseExpand(req.query), depth = 0): Record<string, unknown> {
  const { store } = req;
  const space = store.spaces.get(p.spaceId);
  const links = { webui: req.flavour === 'dc' ? `/pages/viewpage.action?pageId=${p.id}` : webui(store, p), edit: `/pages/resumedraft.action?draftId=${p.id}`, tinyui: `/x/${Buffer.from(p.id).toString('base64url')}`, self: `${selfPath(req)}/content/${p.id}` };
  const out: Record<string, unknown> = {
    id: p.id,
    type: 'page',
    status: p.status,
    title: p.title,
    space: space ? { ...(req.flavour === 'cloud' ? { id: Number(space.id) } : {}), key: space.key, name: space.name, type: 'global', status: 'current', _links: { webui: `/spaces/${space.key}`, self: `${selfPath(req)}/space/${space.key}` } } : undefined,
    history: { latest: p.status === 'current', createdBy: user(req.flavour, p.authorId), createdDate: p.createdAt },
    version: { by: user(req.flavour, p.version.authorId), when: p.version.createdAt, message: p.version.message, number: p.version.number, minorEdit: p.version.minorEdit, ...(req.flavour === 'dc' ? { hidden: false } : {}) },
    extensions: { position: p.position },
  };
  const expandable: Record<string, string> = {};
  if (expand.has('ancestors') && depth === 0) out.ancestors = ancestorsRootFirst(store, p).map((a) => content(req, a, new Set(), depth + 1));
  else expandable.ancestors = '';
  const bodyKeys = [...expand].filter((e) => e.startsWith('body.')).map((e) => e.slice(5));
  if (bodyKeys.length) {
    const body: Record<string, unknown> = {};
    for (const rep of bodyKeys) {
      try {
        body[rep] = { value: fromStorage(rep, store.bodyOf(p), req.flavour), representation: rep, _expandable: { content: `/rest/api/content/${p.id}` } };
      } catch (err) {
        if (!(err instanceof ConversionError)) throw err;
      }
    }
    store.bodiesServed++;
    out.body = body;
  } else expandable.body = '';
  if (expand.has('metadata.labels') || expand.has('metadata')) {
    const results = p.labels.map((name) => label(store, name));
    out.metadata = { labels: { results, start: 0, limit: 200, size: results.length, _links: { self: `${selfPath(req)}/content/${p.id}/label` } } };
  } else expandable.metadata = '';
  if (expand.has('container') && space) out.container = { key: space.key, name: space.name, type: 'global' };
  else expandable.container = '';
  if (expand.has('children.page')) {
    const kids = store.childrenOf(p.id);
    out.children = { page: { results: kids.slice(0, 25).map((k) => content(req, k, new Set(), depth + 1)), start: 0, limit: 25, size: Math.min(25, kids.length), _links: { self: `${selfPath(req)}/content/${p.id}/child/page` } } };
  } else expandable.children = `/rest/api/content/${p.id}/child`;
  out._expandable = expandable;
  out._links = links;
  return out;
}

function label(store: Store, name: string) {
  return { prefix: 'global', name, id: store.labelId(name), label: name };
}

/** Offset paging: results, start, limit, size, and _links.next while more remain. */
export function offsetPage<T>(req: ContentRequest, items: readonly T[], map: (t: T) => unknown, defaultLimit = 25): Reply {
  const start = Math.max(0, Math.floor(Number(req.query.get('start') ?? 0)) || 0);
  const limit = limits(req, defaultLimit);
  const slice = items.slice(start, start + limit);
  const q = new URLSearchParams(req.query);
  const links: Record<string, string> = { base: `${req.origin}${req.prefix}`, context: req.prefix, self: `${selfPath(req)}${req.path}${q.size ? `?${q.toString()}` : ''}` };
  if (start + limit < items.length) {
    q.set('start', String(start + limit));
    q.set('limit', String(limit));
    links.next = `/rest/api${req.path}?${q.toString()}`;
  }
  if (start > 0) {
    q.set('start', String(Math.max(0, start - limit)));
    links.prev = `/rest/api${req.path}?${q.toString()}`;
  }
  return json(200, { results: slice.map(map), start, limit, size: slice.length, _links: links });
}

export function notFound(req: ContentRequest, id: string): Reply {
  return json(404, v1Error(404, req.flavour === 'dc' ? `No content found with id: ContentId{id=${id}}` : `No content found with id: ${id}`));
}

function pageIn(req: ContentRequest, id: string, statuses: readonly string[]): StoredPage | undefined {
  const p = req.store.pages.get(id);
  return p && statuses.includes(p.status) ? p : undefined;
}

/** GET /content?spaceKey=&title=&type=&status= */
export function listContent(req: ContentRequest): Reply {
  const type = req.query.get('type') ?? 'page';
  if (type !== 'page' && type !== 'blogpost') return json(400, v1Error(400, `Type ${type} is not supported`));
  const spaceKey = req.query.get('spaceKey');
  const title = req.query.get('title');
  const statuses = (req.query.get('status') ?? 'current').split(',');
  if (type === 'blogpost') return offsetPage(req, [], (x) => x);
  let pages: StoredPage[];
  if (spaceKey) {
    const space = req.store.spaceByKey(spaceKey);
    if (!space) return json(200, { results: [], start: 0, limit: limits(req), size: 0, _links: { base: `${req.origin}${req.prefix}`, context: req.prefix } });
    if (title !== null && statuses.length === 1 && statuses[0] === 'current') {
      const hit = req.store.pageByTitle(space.id, title);
      pages = hit ? [hit] : [];
    } else pages = (req.store.spacePageIds.get(space.id) ?? []).map((id) => req.store.pages.get(id)!);
  } else pages = [...req.store.pages.values()].sort((a, b) => Number(a.id) - Number(b.id));
  pages = pages.filter((p) => statuses.includes(p.status) && (title === null || p.title === title));
  const expand = parseExpand(req.query);
  return offsetPage(req, pages, (p) => content(req, p, expand));
}

export function getContent(req: ContentRequest, id: string): Reply {
  const statuses = (req.query.get('status') ?? 'current').split(',');
  const p = pageIn(req, id, statuses.includes('any') ? ['current', 'trashed', 'draft'] : statuses);
  if (!p) return notFound(req, id);
  const version = req.query.get('version');
  if (version && Number(version) !== p.version.number) {
    const v = p.history.find((h) => h.number === Number(version));
    if (!v) return notFound(req, id);
    const shown = content(req, p);
    const body = shown.body as Record<string, { value: string }> | undefined;
    if (body?.storage) body.storage.value = v.body;
    return json(200, { ...shown, title: v.title, status: 'historical', version: { ...(shown.version as object), number: v.number, when: v.createdAt, message: v.message, minorEdit: v.minorEdit, by: user(req.flavour, v.authorId) } });
  }
  return json(200, content(req, p));
}

interface ContentInput {
  type?: string;
  title?: string;
  status?: string;
  space?: { key?: string };
  ancestors?: Array<{ id?: string | number }>;
  body?: Record<string, { value?: string; representation?: string } | undefined>;
  version?: { number?: number; message?: string; minorEdit?: boolean };
}

/** The body of a write in storage format: the one representation given, converted (400 when it cannot be). */
function bodyOf(req: ContentRequest, b: ContentInput): string | Reply | undefined {
  const entries = Object.entries(b.body ?? {}).filter(([, v]) => v && typeof v === 'object');
  if (!entries.length) return undefined;
  const [key, value] = entries[0]!;
  const rep = value!.representation ?? key;
  try {
    return toStorage(rep, value!.value ?? '');
  } catch (err) {
    if (err instanceof ConversionError) return json(400, v1Error(400, err.message));
    throw err;
  }
}

const isReply = (x: unknown): x is Reply => typeof x === 'object' && x !== null && 'status' in x && typeof (x as Reply).status === 'number';

export function createContent(req: ContentRequest): Reply {
  const b = (req.body ?? {}) as ContentInput;
  if (b.type && b.type !== 'page') return json(400, v1Error(400, `Content type ${b.type} is not supported by the emulator`));
  if (!b.title || !String(b.title).trim()) return json(400, v1Error(400, "Content title can't be blank"));
  const space = b.space?.key ? req.store.spaceByKey(b.space.key) : undefined;
  if (!space) return json(400, v1Error(400, b.space?.key ? `No space with key : ${b.space.key}` : 'Space must be specified'));
  const parentRef = b.ancestors?.length ? String(b.ancestors[b.ancestors.length - 1]!.id) : undefined;
  if (parentRef !== undefined) {
    const parent = pageIn(req, parentRef, ['current']);
    if (!parent || parent.spaceId !== space.id) return json(400, v1Error(400, `Could not find parent page with id ${parentRef} in space ${space.key}`));
  }
  const body = bodyOf(req, b);
  if (isReply(body)) return body;
  try {
    const page = req.store.createPage({ spaceId: space.id, title: b.title, parentId: parentRef ?? null, body: body ?? '', message: b.version?.message });
    return json(200, content(req, page, new Set(['body.storage', 'ancestors'])));
  } catch (err) {
    if (err instanceof ConflictError) return json(400, v1Error(400, `A page with this title already exists: A page already exists with the title ${b.title} in the space with key ${space.key}`));
    throw err;
  }
}

export function updateContent(req: ContentRequest, id: string): Reply {
  const p = pageIn(req, id, ['current', 'trashed']);
  if (!p) return notFound(req, id);
  const b = (req.body ?? {}) as ContentInput;
  const provided = Number(b.version?.number ?? 0);
  if (!b.version || !Number.isInteger(provided)) return json(400, v1Error(400, 'Must supply a version number'));
  if (p.status === 'trashed' && b.status === 'current') {
    // Restore from the trash: Confluence wants the trashed page's version + 1 and restores it as it was.
    if (provided !== p.version.number + 1) return json(409, v1Error(409, `Version must be incremented on update. Current version is: ${p.version.number}`));
    try {
      req.store.restorePage(p);
    } catch (err) {
      if (err instanceof ConflictError) return json(400, v1Error(400, err.message));
      throw err;
    }
    return json(200, content(req, p, new Set(['body.storage', 'ancestors'])));
  }
  if (p.status !== 'current') return notFound(req, id);
  if (provided !== p.version.number + 1) return json(409, v1Error(409, `Version must be incremented on update. Current version is: ${p.version.number}`));
  if (!b.title) return json(400, v1Error(400, "Content title can't be blank"));
  const body = bodyOf(req, b);
  if (isReply(body)) return body;
  const parentRef = b.ancestors?.length ? String(b.ancestors[b.ancestors.length - 1]!.id) : undefined;
  if (parentRef !== undefined && parentRef !== p.parentId) {
    const parent = pageIn(req, parentRef, ['current']);
    if (!parent || parent.spaceId !== p.spaceId) return json(400, v1Error(400, `Could not find parent page with id ${parentRef}`));
  }
  try {
    req.store.updatePage(p, { title: b.title, ...(body !== undefined ? { body } : {}), ...(parentRef !== undefined ? { parentId: parentRef } : {}), message: b.version.message ?? '', minorEdit: b.version.minorEdit ?? false });
  } catch (err) {
    if (err instanceof ConflictError || err instanceof CycleError) return json(400, v1Error(400, err.message));
    throw err;
  }
  return json(200, content(req, p, new Set(['body.storage', 'ancestors'])));
}

/** DELETE /content/{id}: a current page goes to the trash; `?status=trashed` on a trashed one purges it. */
export function deleteContent(req: ContentRequest, id: string): Reply {
  const att = req.store.attachments.get(id);
  if (att && att.status === 'current') {
    att.status = 'trashed';
    req.store.changes++;
    return { status: 204 };
  }
  const p = req.store.pages.get(id);
  if (!p) return notFound(req, id);
  if (req.query.get('status') === 'trashed') {
    if (p.status !== 'trashed') return json(400, v1Error(400, `Content with id ${id} is not in the trash`));
    req.store.purgePage(p);
    return { status: 204 };
  }
  if (p.status !== 'current') return notFound(req, id);
  req.store.trashPage(p);
  return { status: 204 };
}

export function childPages(req: ContentRequest, id: string): Reply {
  const p = pageIn(req, id, ['current']);
  if (!p) return notFound(req, id);
  const expand = parseExpand(req.query);
  return offsetPage(req, req.store.childrenOf(p.id), (k) => content(req, k, expand));
}

export function childAttachments(req: ContentRequest, id: string): Reply {
  const p = pageIn(req, id, ['current']);
  if (!p) return notFound(req, id);
  const filename = req.query.get('filename');
  const mediaType = req.query.get('mediaType');
  const list = req.store.attachmentsOf(p.id).filter((a) => (!filename || a.title === filename) && (!mediaType || a.mediaType === mediaType));
  return offsetPage(req, list, (a) => v1Attachment(req.store, a), 50);
}

export function labels(req: ContentRequest, id: string): Reply {
  const p = pageIn(req, id, ['current']);
  if (!p) return notFound(req, id);
  const prefix = req.query.get('prefix');
  const names = prefix && prefix !== 'global' ? [] : p.labels;
  return offsetPage(req, names, (n) => label(req.store, n), 200);
}
