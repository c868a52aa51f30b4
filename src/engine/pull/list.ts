/**
 * The remote side of a pull: one streamed listing of a space. Each page is kept as a small record (the planner's
 * fields and the position: no body, no timestamps, no author); bodies that come with the listing go straight to the
 * state store's staging table, 250 at a time, so memory does not grow with the size of the space's content.
 */
import type { RemoteMeta } from '../../core/plan.js';
import type { RemotePage } from '../../core/remote-types.js';
import type { ListedPage, RemoteListingTable, StateStore } from '../../state/index.js';
import type { PullOptions } from '../types.js';

/** Listing page size and bulk-fetch size (the API's maximum). */
export const BULK = 250;

/** What a pull keeps per remote page. */
export interface RemoteEntry extends RemoteMeta {
  position: number | null;
}

/** Shared by every unlabelled page (most of them): one array, not one per page. Never mutated. */
const NO_LABELS: string[] = Object.freeze([]) as unknown as string[];

export interface Listing {
  /** Every current page of the space, in listing order. */
  all: Map<string, RemoteEntry>;
  /** The pages inside the pull's scope (--root, --label, --cql); `all` when there is no filter. */
  scoped: RemoteEntry[];
  /** Whether a scope filter applies. */
  filtered: boolean;
  /** Pages the caller asked to keep whole (without bodies): the few that may be a pending create's. */
  kept: RemotePage[];
}

/**
 * Lists the space (with bodies when `stage` is true: they are staged in the state store as they arrive), its
 * labels, and applies the scope.
 */
export async function listRemote(options: PullOptions, state: StateStore | undefined, spaceKey: string, spaceId: string, stage: boolean, keep?: (p: RemotePage) => boolean): Promise<Listing> {
  const { api } = options;
  const all = new Map<string, RemoteEntry>();
  const kept: RemotePage[] = [];
  let batch: Array<{ id: string; version: number; body: string }> = [];
  options.progress?.({ phase: 'listing', done: 0, space: spaceKey });
  for await (const p of api.listPages(spaceId, { bodies: stage, limit: options.pageSize ?? BULK })) {
    if (p.status !== 'current') continue;
    if (keep?.(p)) kept.push({ ...p, body: undefined });
    all.set(p.id, { id: p.id, title: p.title, parentId: p.parentId, version: p.version.number, labels: NO_LABELS, position: p.position ?? null });
    if (stage && p.body !== undefined) {
      batch.push({ id: p.id, version: p.version.number, body: p.body });
      if (batch.length >= BULK) {
        state!.stageBodies(batch);
        batch = [];
      }
    }
    if (all.size % BULK === 0) options.progress?.({ phase: 'listing', done: all.size, space: spaceKey });
  }
  if (batch.length) state!.stageBodies(batch);
  if (api.listSpaceLabels) {
    for (const [id, labels] of await api.listSpaceLabels(spaceId)) {
      const entry = all.get(id);
      if (entry && labels.length) entry.labels = labels;
    }
  }
  const filtered = Boolean(options.rootPageId || options.labels?.length || options.cql);
  if (!filtered) return { all, scoped: [...all.values()], filtered, kept };
  let cqlIds: Set<string> | undefined;
  if (options.cql) {
    cqlIds = new Set();
    for await (const r of api.searchCql(`(${options.cql}) AND space = "${spaceKey}" AND type = page`)) cqlIds.add(r.id);
  }
  const scoped = [...all.values()].filter((p) => inScope(options, all, cqlIds, p));
  return { all, scoped, filtered, kept };
}

function inScope(options: PullOptions, pages: Map<string, RemoteEntry>, cqlIds: Set<string> | undefined, page: RemoteEntry): boolean {
  if (options.rootPageId) {
    let p: RemoteEntry | undefined = page;
    let hops = 0;
    while (p && p.id !== options.rootPageId && hops++ < 100) p = p.parentId ? pages.get(p.parentId) : undefined;
    if (!p) return false;
  }
  if (options.labels?.length && !page.labels.some((l) => options.labels!.includes(l))) return false;
  if (cqlIds && !cqlIds.has(page.id)) return false;
  return true;
}

/**
 * Lists the space into the state database's listing table (state/sqlite/listing.ts), 250 pages at a time, with its
 * labels: nothing per page stays in memory (bodies, when `stage` is true, are staged as in listRemote). For a pull
 * without a scope filter. Returns how many pages were listed and the pages `keep` asked for.
 */
export async function listRemoteInto(options: PullOptions, state: StateStore, table: RemoteListingTable, spaceKey: string, spaceId: string, stage: boolean, keep?: (p: RemotePage) => boolean): Promise<{ count: number; kept: RemotePage[] }> {
  const { api } = options;
  const kept: RemotePage[] = [];
  let pages: ListedPage[] = [];
  let bodies: Array<{ id: string; version: number; body: string }> = [];
  let count = 0;
  const flush = () => {
    table.add(pages);
    pages = [];
    if (bodies.length) state.stageBodies(bodies);
    bodies = [];
  };
  options.progress?.({ phase: 'listing', done: 0, space: spaceKey });
  for await (const p of api.listPages(spaceId, { bodies: stage, limit: options.pageSize ?? BULK })) {
    if (p.status !== 'current') continue;
    if (keep?.(p)) kept.push({ ...p, body: undefined });
    pages.push({ id: p.id, title: p.title, parentId: p.parentId, version: p.version.number, labels: NO_LABELS, position: p.position ?? null });
    if (stage && p.body !== undefined) bodies.push({ id: p.id, version: p.version.number, body: p.body });
    if (pages.length >= BULK) flush();
    if (++count % BULK === 0) options.progress?.({ phase: 'listing', done: count, space: spaceKey });
  }
  flush();
  if (api.listSpaceLabels) table.setLabels(await api.listSpaceLabels(spaceId));
  return { count: table.count(), kept };
}
