/**
 * Page operations (v2, plus the v1 move). Listings page lazily; tree endpoints (children, descendants, ancestors)
 * carry no versions, so their ids are resolved with the bulk endpoint, 250 per request.
 */
import { RemoteError } from '../core/errors.js';
import type { CreatePageInput, ListOptions, RemotePage, RemoteSpace, RemoteVersion, UpdatePageInput } from '../core/remote-types.js';
import { getLabels } from './content.js';
import { chunk, MAX_LIMIT, paginate } from './paginate.js';
import { jsonOf, multi, toRemotePage, toRemoteSpace, toRemoteVersion, v2Page, v2Space, v2TreeNode, v2Version, type V2Page } from './schemas.js';
import type { HttpAnswer, Transport } from './transport.js';

export { MAX_LIMIT };

const enc = encodeURIComponent;
const limitOf = (o?: ListOptions): number => Math.max(1, Math.min(MAX_LIMIT, o?.limit ?? MAX_LIMIT));

export async function getSpaceByKey(t: Transport, key: string): Promise<RemoteSpace> {
  const page = await t.send(
    { op: 'spaces.getByKey', method: 'GET', url: `${t.site.v2}/spaces`, query: { keys: [key], limit: 1 }, idempotent: true },
    { parse: jsonOf(multi(v2Space)) },
  );
  const space = page.results.find((s) => s.key === key) ?? page.results[0];
  if (!space) {
    throw new RemoteError('CSYNC_NOT_FOUND', `space ${key} not found`, { method: 'GET', path: new URL(`${t.site.v2}/spaces`).pathname, status: 200 }, {
      hint: 'check the space key (it is case-sensitive, e.g. DOC) and that your account may view that space',
    });
  }
  return toRemoteSpace(space);
}

export async function* listSpaces(t: Transport): AsyncGenerator<RemoteSpace> {
  for await (const s of paginate(t, { op: 'spaces.list', method: 'GET', url: `${t.site.v2}/spaces`, query: { limit: MAX_LIMIT }, idempotent: true }, multi(v2Space))) {
    yield toRemoteSpace(s);
  }
}

export async function* listPages(t: Transport, spaceId: string, options?: ListOptions): AsyncGenerator<RemotePage> {
  const query = { limit: limitOf(options), 'body-format': options?.bodies ? 'storage' : undefined };
  for await (const p of paginate(t, { op: 'pages.list', method: 'GET', url: `${t.site.v2}/spaces/${enc(spaceId)}/pages`, query, idempotent: true }, multi(v2Page))) {
    yield toRemotePage(p);
  }
}

export async function* getPagesByIds(t: Transport, ids: readonly string[], options?: ListOptions): AsyncGenerator<RemotePage> {
  for (const group of chunk([...new Set(ids)], MAX_LIMIT)) {
    const query = { id: group, limit: MAX_LIMIT, 'body-format': options?.bodies ? 'storage' : undefined };
    const byId = new Map<string, RemotePage>();
    for await (const p of paginate(t, { op: 'pages.bulk', method: 'GET', url: `${t.site.v2}/pages`, query, idempotent: true }, multi(v2Page))) {
      byId.set(p.id, toRemotePage(p));
    }
    // The answer's order is the server's; give the caller's order back (missing ids are skipped).
    for (const pageId of group) {
      const page = byId.get(pageId);
      if (page) yield page;
    }
  }
}

export async function getPage(t: Transport, id: string, options?: { body?: boolean; labels?: boolean; status?: string }): Promise<RemotePage | null> {
  const query = {
    'body-format': options?.body ? 'storage' : undefined,
    'include-labels': options?.labels ? true : undefined,
    status: options?.status ? [options.status] : undefined,
  };
  const parse = jsonOf(v2Page);
  let moreLabels = false;
  const page = await t.send(
    { op: 'pages.get', method: 'GET', url: `${t.site.v2}/pages/${enc(id)}`, query, idempotent: true },
    {
      accept: [404],
      parse: (a) => {
        if (a.status === 404) return null;
        const p = parse(a);
        moreLabels = p.labels?.meta?.hasMore === true;
        return toRemotePage(p);
      },
    },
  );
  // include-labels carries only the first batch; a page with more gets the full list from its labels endpoint.
  if (page && moreLabels) page.labels = await getLabels(t, id);
  return page;
}

/** Resolves tree nodes (ids only) into full pages in bulk, keeping the tree's order, lazily 250 at a time. */
async function* resolveNodes(t: Transport, nodes: AsyncIterable<{ id: string; type?: string | undefined }>, bodies: boolean): AsyncGenerator<RemotePage> {
  let batch: string[] = [];
  for await (const n of nodes) {
    if (n.type !== undefined && n.type !== 'page') continue;
    batch.push(n.id);
    if (batch.length === MAX_LIMIT) {
      yield* getPagesByIds(t, batch, { bodies });
      batch = [];
    }
  }
  if (batch.length > 0) yield* getPagesByIds(t, batch, { bodies });
}

export function getChildren(t: Transport, id: string, options?: { bodies?: boolean }): AsyncGenerator<RemotePage> {
  const nodes = paginate(t, { op: 'pages.children', method: 'GET', url: `${t.site.v2}/pages/${enc(id)}/children`, query: { limit: MAX_LIMIT }, idempotent: true }, multi(v2TreeNode));
  return resolveNodes(t, nodes, options?.bodies ?? false);
}

export function getDescendants(t: Transport, id: string, options?: { depth?: number; bodies?: boolean }): AsyncGenerator<RemotePage> {
  const depth = options?.depth === undefined ? undefined : Math.max(1, Math.min(10, options.depth));
  const nodes = paginate(t, { op: 'pages.descendants', method: 'GET', url: `${t.site.v2}/pages/${enc(id)}/descendants`, query: { limit: MAX_LIMIT, depth }, idempotent: true }, multi(v2TreeNode));
  return resolveNodes(t, nodes, options?.bodies ?? false);
}

/** Top of the tree first (the API's order). */
export async function getAncestors(t: Transport, id: string): Promise<RemotePage[]> {
  const list = await t.send(
    { op: 'pages.ancestors', method: 'GET', url: `${t.site.v2}/pages/${enc(id)}/ancestors`, query: { limit: MAX_LIMIT }, idempotent: true },
    { parse: jsonOf(multi(v2TreeNode)) },
  );
  const out: RemotePage[] = [];
  for await (const p of resolveNodes(t, (async function* () { yield* list.results; })(), false)) out.push(p);
  return out;
}

/** Finds a page by exact title in a space (titles are unique per space in Confluence). */
export async function findPageByTitle(t: Transport, spaceId: string, title: string): Promise<RemotePage | undefined> {
  const query = { title, limit: MAX_LIMIT, 'body-format': 'storage' };
  for await (const p of paginate(t, { op: 'pages.findByTitle', method: 'GET', url: `${t.site.v2}/spaces/${enc(spaceId)}/pages`, query, idempotent: true }, multi(v2Page))) {
    if (p.title === title) return toRemotePage(p);
  }
  return undefined;
}

/**
 * One earlier version of a page, as it was then (title, parent, storage body): `GET /pages/{id}?version=N`.
 * null when the page or that version does not exist.
 */
export async function getPageVersion(t: Transport, id: string, version: number): Promise<RemotePage | null> {
  const parse = jsonOf(v2Page);
  return t.send(
    { op: 'pages.getVersion', method: 'GET', url: `${t.site.v2}/pages/${enc(id)}`, query: { version, 'body-format': 'storage' }, idempotent: true },
    { accept: [404], parse: (a) => (a.status === 404 ? null : toRemotePage(parse(a))) },
  );
}

/**
 * The page a create or update answers with. The answer repeats the body just sent: a long one (over 64 KiB) is read
 * past, not kept (the transport's dropLongStrings), and the page comes back without a body (as when none was asked).
 */
function written(parse: (a: HttpAnswer) => V2Page, a: HttpAnswer): RemotePage {
  const page = toRemotePage(parse(a));
  if (a.dropped) page.body = undefined;
  return page;
}

/**
 * POST is not idempotent: when an attempt fails without a clear answer (timeout, reset, 5xx), we look for the page
 * by title before sending it again, so a retry never makes a duplicate. It is ours only with the parent and the
 * body we sent, still at version 1: a page someone else made with that title in between is not (the resend then
 * meets "title exists" and the caller reports it). A page of ours renamed by someone else in between is not found
 * here; the caller's pending-create record finds it on the next run.
 */
export async function createPage(t: Transport, input: CreatePageInput): Promise<RemotePage> {
  const json = {
    spaceId: input.spaceId,
    status: 'current',
    title: input.title,
    ...(input.parentId ? { parentId: input.parentId } : {}),
    body: { representation: 'storage', value: input.body },
  };
  const parse = jsonOf(v2Page);
  return t.send(
    { op: 'pages.create', method: 'POST', url: `${t.site.v2}/pages`, json, idempotent: false, dropLongStrings: true },
    {
      parse: (a) => written(parse, a),
      verify: async () => {
        const found = await findPageByTitle(t, input.spaceId, input.title);
        if (!found || (input.parentId && found.parentId !== input.parentId)) return undefined;
        return found.version.number === 1 && found.body !== undefined && t.options.sameBody(found.body, input.body) ? found : undefined;
      },
    },
  );
}

/**
 * PUT with the next version number. A blind resend after a lost answer would earn a 409 against our own write, so
 * after an unclear failure we read the page: if it already has our version and title, the update happened.
 */
export async function updatePage(t: Transport, input: UpdatePageInput): Promise<RemotePage> {
  const page = await putPage(t, input);
  // A PUT with status "current" on a trashed page restores it and nothing else: "page contents will not be updated
  // and only the page status will be changed" (v2 PageUpdateRequest.status); the version stays. The content goes in
  // a second PUT, now that the page is current again.
  if ((input.status ?? 'current') === 'current' && page.version.number < input.version && page.status === 'current') return putPage(t, input);
  return page;
}

async function putPage(t: Transport, input: UpdatePageInput): Promise<RemotePage> {
  const json = {
    id: input.id,
    status: input.status ?? 'current',
    title: input.title,
    ...(input.parentId ? { parentId: input.parentId } : {}),
    body: { representation: 'storage', value: input.body },
    version: { number: input.version, ...(input.message !== undefined ? { message: input.message } : {}) },
  };
  const parse = jsonOf(v2Page);
  return t.send(
    { op: 'pages.update', method: 'PUT', url: `${t.site.v2}/pages/${enc(input.id)}`, json, idempotent: false, dropLongStrings: true },
    {
      parse: (a) => written(parse, a),
      verify: async () => {
        const now = await getPage(t, input.id, { body: true });
        // The version number and title alone do not make it ours: another user's edit in the meantime has them too
        // (then claiming success would drop both edits silently). The body must be the one sent.
        return now && now.version.number === input.version && now.title === input.title && now.body !== undefined && t.options.sameBody(now.body, input.body) ? now : undefined;
      },
    },
  );
}

/** Moves a page under another parent without a new body (v1 move; no version bump of the content). */
export async function movePage(t: Transport, id: string, targetId: string, position: 'append' | 'before' | 'after' = 'append'): Promise<void> {
  await t.send(
    { op: 'pages.move', method: 'PUT', url: `${t.site.v1}/content/${enc(id)}/move/${position}/${enc(targetId)}`, idempotent: true },
    { parse: () => undefined },
  );
}

export async function deletePage(t: Transport, id: string, purge = false): Promise<void> {
  await t.send(
    { op: purge ? 'pages.purge' : 'pages.delete', method: 'DELETE', url: `${t.site.v2}/pages/${enc(id)}`, query: { purge: purge ? true : undefined }, idempotent: true, notFoundMeansDone: true },
    { parse: () => undefined },
  );
}

/** Brings a trashed page back: a PUT with status current and the next version (content unchanged). */
export async function restorePage(t: Transport, id: string): Promise<RemotePage> {
  const trashed = await getPage(t, id, { body: true, status: 'trashed' });
  if (!trashed) {
    throw new RemoteError('CSYNC_NOT_FOUND', `page ${id} is not in the trash`, { method: 'GET', path: new URL(`${t.site.v2}/pages/${enc(id)}`).pathname, status: 404 }, {
      hint: 'it may have been purged or restored already; check the space trash in Confluence',
    });
  }
  if (trashed.status === 'current') return trashed;
  // Status only (the contents stay as they were in the trash).
  return putPage(t, { id, title: trashed.title, body: trashed.body ?? '', version: trashed.version.number + 1, status: 'current' });
}

export async function* getVersions(t: Transport, id: string): AsyncGenerator<RemoteVersion> {
  for await (const v of paginate(t, { op: 'pages.versions', method: 'GET', url: `${t.site.v2}/pages/${enc(id)}/versions`, query: { limit: MAX_LIMIT }, idempotent: true }, multi(v2Version))) {
    yield toRemoteVersion(v);
  }
}
