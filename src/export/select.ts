/**
 * Select: resolves a selection into the items to export. Bodies come with the listing where the API allows it, and
 * go straight to the export cache (never held in memory), so the fetch step sends no request for them:
 * - a space, with or without --root / --cql / --since: the space's pages with their storage bodies, 250 per request
 *   (`GET /spaces/{id}/pages?body-format=storage`); the whole space is listed anyway (the tree, for --root and the
 *   paths), so its bodies cost no extra request, whatever the filters keep;
 * - labels only (no --root, no --cql): the space is not listed at all; the labelled pages come whole, with their
 *   bodies, from the listings of the chosen labels (`GET /labels/{id}/pages?space-id=...&body-format=storage`), which
 *   listing every page's labels reads anyway (Data Center: by id, `getPagesByIds`, 250 per request).
 * A re-export of unchanged pages costs the same listing requests and no body request (the cache is keyed by
 * id + version). Listing without bodies first when a cache exists would cost as many listing requests plus a body
 * request per 250 changed pages: never fewer requests, only fewer bytes.
 * Paths come from the page tree of the selected pages (core/file-names: safe, unique among siblings).
 */
import { assignPaths, safeName } from '../core/file-names.js';
import { UsageError } from '../core/errors.js';
import type { RemotePage } from '../core/remote-types.js';
import type { ConfluenceClient } from '../remote/index.js';
import type { ExportCache } from './cache.js';
import type { ConfluenceSelection, ExportItem } from './types.js';

/** The export cache, and whether a cached body of the same version may stand for the one the listing brings. */
export interface SelectBodies {
  cache: ExportCache;
  useCache: boolean;
}

interface Listed {
  page: RemotePage;
  labels: string[];
}

/** Where space ids come from without a request (the workspace's state, earlier exports), and where a looked-up one goes. */
export interface SpaceIds {
  known(key: string): string | undefined;
  remember(key: string, id: string): void;
}

export interface SelectOptions {
  spaceIds?: SpaceIds | undefined;
  /**
   * Whether the items need their labels (pages.jsonl has them; no other output does). The v2 page listings cannot
   * include labels, so they cost the space's label listing (`/spaces/{id}/content/labels`, then each label's pages):
   * without a label filter and without JSON output they are not listed.
   */
  labels?: boolean | undefined;
}

export async function selectConfluence(api: ConfluenceClient, sel: ConfluenceSelection, siteUrl: string, firstOrder = 0, bodies?: SelectBodies, options: SelectOptions = {}): Promise<ExportItem[]> {
  if (sel.spaces.length === 0) {
    throw new UsageError('no space to export', { hint: 'pass --space KEY, or set "spaces": ["KEY"] in config/csync.json' });
  }
  const since = sel.since ? Date.parse(sel.since) : undefined;
  const items: ExportItem[] = [];
  /** Pages whose body (of the listed version) is in the cache now. */
  const cached = new Set<string>();
  // The body goes to the cache and off the page: the selection keeps metadata only.
  const take = (p: RemotePage): RemotePage => {
    if (bodies && p.body !== undefined && p.status === 'current') {
      if (!(bodies.useCache && bodies.cache.hasBody(p.id, p.version.number))) bodies.cache.putBody({ id: p.id, version: p.version.number, title: p.title, body: p.body });
      cached.add(p.id);
    }
    return { ...p, body: undefined };
  };
  const needLabels = options.labels ?? true;
  let order = firstOrder;
  for (const key of sel.spaces) {
    // The space's id: known (the workspace's state, an earlier export) or looked up once (`GET /spaces?keys=`). A
    // known id that is gone (the space was deleted and made again under its key) answers 404 on the first request,
    // before anything was listed: then the key is looked up and the space listed again.
    const listSpace = (spaceId: string) => listSpacePages(api, sel, spaceId, bodies !== undefined, needLabels, take);
    const known = options.spaceIds?.known(key);
    let all = known ? await listSpace(known).catch(notFoundAsUndefined) : undefined;
    if (!all) {
      const space = await api.getSpaceByKey(key);
      options.spaceIds?.remember(key, space.id);
      all = await listSpace(space.id);
    }
    const spacePages = all;
    let cqlIds: Set<string> | undefined;
    if (sel.cql) {
      cqlIds = new Set();
      for await (const r of api.searchCql(`(${sel.cql}) AND space = "${key}" AND type = page`)) cqlIds.add(r.id);
    }
    if (sel.rootPageId && !spacePages.has(sel.rootPageId)) {
      throw new UsageError(`page ${sel.rootPageId} (--root) is not a current page of space ${key}`, { hint: 'check the page id (the number in the page URL) and the space' });
    }
    const chosen = [...spacePages.values()].filter((e) => {
      if (sel.rootPageId && !underRoot(spacePages, e.page, sel.rootPageId)) return false;
      if (sel.labels.length && !e.labels.some((l) => sel.labels.includes(l))) return false;
      if (cqlIds && !cqlIds.has(e.page.id)) return false;
      if (since !== undefined) {
        const at = Date.parse(e.page.version.createdAt ?? '');
        if (!(at >= since)) return false;
      }
      return true;
    });
    const paths = assignPaths(chosen.map((e) => ({ id: e.page.id, title: e.page.title, parentId: e.page.parentId })));
    for (const e of treeOrder(chosen)) {
      const p = e.page;
      items.push({
        id: p.id,
        kind: 'page',
        title: p.title,
        version: p.version.number,
        spaceKey: key,
        parentId: p.parentId,
        path: `${safeName(key)}/${paths.get(p.id)!}`,
        labels: e.labels,
        authorId: p.version.authorId ?? p.authorId,
        createdAt: p.createdAt,
        updatedAt: p.version.createdAt,
        url: `${siteUrl.replace(/\/+$/, '')}/pages/viewpage.action?pageId=${encodeURIComponent(p.id)}`,
        order: order++,
        status: cached.has(p.id) ? 'fetched' : 'pending',
      });
    }
  }
  return items;
}

function notFoundAsUndefined(err: unknown): undefined {
  if ((err as { code?: string }).code === 'CSYNC_NOT_FOUND') return undefined;
  throw err;
}

/** The space's current pages (with their labels when asked for or filtered on), keyed by id. */
async function listSpacePages(api: ConfluenceClient, sel: ConfluenceSelection, spaceId: string, bodies: boolean, needLabels: boolean, take: (p: RemotePage) => RemotePage): Promise<Map<string, Listed>> {
  const all = new Map<string, Listed>();
  if (sel.labels.length > 0 && !sel.rootPageId && !sel.cql) {
    // Labels only: the space is not listed; the chosen labels' pages come whole (with bodies) from their listings.
    const listed = new Map<string, RemotePage>();
    const onPage = (p: RemotePage) => {
      if (p.status === 'current' && p.spaceId === spaceId && !listed.has(p.id)) listed.set(p.id, take(p));
    };
    const spaceLabels = await api.listSpaceLabels(spaceId, { labels: sel.labels, bodies, onPage });
    // A client that gives no pages with the labels (Data Center): the labelled pages by id, 250 per request.
    const rest = [...spaceLabels].filter(([id, labels]) => !listed.has(id) && labels.some((l) => sel.labels.includes(l))).map(([id]) => id);
    if (rest.length) for await (const p of api.getPagesByIds(rest, { bodies })) onPage(p);
    for (const [id, page] of listed) all.set(id, { page, labels: spaceLabels.get(id) ?? [] });
    return all;
  }
  for await (const p of api.listPages(spaceId, { bodies })) {
    if (p.status === 'current') all.set(p.id, { page: take(p), labels: [] });
  }
  if (needLabels || sel.labels.length > 0) {
    for (const [id, labels] of await api.listSpaceLabels(spaceId)) {
      const entry = all.get(id);
      if (entry) entry.labels = labels;
    }
  }
  return all;
}

function underRoot(all: Map<string, Listed>, page: RemotePage, rootId: string): boolean {
  let p: RemotePage | undefined = page;
  for (let hops = 0; p && hops < 200; hops++) {
    if (p.id === rootId) return true;
    p = p.parentId ? all.get(p.parentId)?.page : undefined;
  }
  return false;
}

/** Depth first, siblings by position then id: the order of the page tree. */
function treeOrder(entries: Listed[]): Listed[] {
  const ids = new Set(entries.map((e) => e.page.id));
  const kids = new Map<string | null, Listed[]>();
  for (const e of entries) {
    const parent = e.page.parentId && ids.has(e.page.parentId) ? e.page.parentId : null;
    let list = kids.get(parent);
    if (!list) kids.set(parent, (list = []));
    list.push(e);
  }
  const cmp = (a: Listed, b: Listed) => (a.page.position ?? 0) - (b.page.position ?? 0) || Number(a.page.id) - Number(b.page.id) || a.page.id.localeCompare(b.page.id);
  const out: Listed[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null) => {
    for (const e of (kids.get(parent) ?? []).sort(cmp)) {
      if (seen.has(e.page.id)) continue;
      seen.add(e.page.id);
      out.push(e);
      walk(e.page.id);
    }
  };
  walk(null);
  return out;
}
