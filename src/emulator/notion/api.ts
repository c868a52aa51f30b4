/**
 * The Notion API (version 2025-09-03 shapes) over the emulator's NotionStore, under `/notion/v1`:
 * POST /search, GET /pages/{id}, GET /blocks/{id}, GET /blocks/{id}/children, GET /databases/{id},
 * GET /data_sources/{id}, POST /data_sources/{id}/query, GET /users, GET /users/me, GET /users/{id};
 * hosted files at /notion/files/{key}/{name}?expires=… (no auth, like a presigned URL).
 * Auth (Bearer), the Notion-Version header and the rate limit are checked by server.ts before `handleNotion`.
 */
import type { Reply } from '../http-util.js';
import type { NBlock, NDatabase, NDataSource, NPage, NotionStore } from './store.js';

export const NOTION_TOKEN = 'ntn_demo_emulator_token';
/** How long a hosted file URL stays valid (Notion: one hour). */
const FILE_TTL_MS = 60 * 60 * 1000;

export function notionError(status: number, code: string, message: string): Reply {
  return { status, body: { object: 'error', status, code, message, request_id: '00000000-0000-4000-8000-000000000000' } };
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const compact = (id: string) => id.replace(/-/g, '');
const notionUrl = (id: string) => `https://www.notion.so/${compact(id)}`;

/** Accepts ids with or without dashes. */
function normId(raw: string): string {
  const hex = decodeURIComponent(raw).replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return '';
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface Ctx {
  store: NotionStore;
  origin: string;
  now: () => number;
}

function materialize(value: unknown, ctx: Ctx): unknown {
  if (typeof value === 'string' && value.startsWith('@file:')) {
    const key = value.slice(6);
    const f = ctx.store.files.get(key);
    const expires = ctx.now() + FILE_TTL_MS;
    return `${ctx.origin}/notion/files/${key}/${encodeURIComponent(f?.name ?? 'file')}?expires=${expires}`;
  }
  if (Array.isArray(value)) return value.map((v) => materialize(v, ctx));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = materialize(v, ctx);
    // A hosted file carries its expiry next to the URL.
    if (k(out, 'url') && typeof out.url === 'string' && out.url.includes('/notion/files/') && !('expiry_time' in out)) {
      out.expiry_time = new Date(ctx.now() + FILE_TTL_MS).toISOString();
    }
    return out;
  }
  return value;
}

function k(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

const user = (id: string) => ({ object: 'user', id });

export function pageJson(p: NPage, ctx: Ctx): Record<string, unknown> {
  return {
    object: 'page',
    id: p.id,
    created_time: p.created_time,
    last_edited_time: p.last_edited_time,
    created_by: user(ctx.store.botId),
    last_edited_by: user(ctx.store.botId),
    cover: null,
    icon: p.icon,
    parent: p.parent,
    archived: p.in_trash,
    in_trash: p.in_trash,
    is_locked: false,
    properties: materialize(p.properties, ctx),
    url: notionUrl(p.id),
    public_url: null,
  };
}

export function blockJson(b: NBlock, ctx: Ctx): Record<string, unknown> {
  return {
    object: 'block',
    id: b.id,
    parent: b.parent,
    created_time: b.created_time,
    last_edited_time: b.last_edited_time,
    created_by: user(ctx.store.botId),
    last_edited_by: user(ctx.store.botId),
    has_children: (ctx.store.children.get(b.id)?.length ?? 0) > 0 && b.type !== 'child_page' && b.type !== 'child_database',
    archived: b.in_trash,
    in_trash: b.in_trash,
    type: b.type,
    [b.type]: materialize(b.payload, ctx),
  };
}

function databaseJson(d: NDatabase, ds: NDataSource | undefined): Record<string, unknown> {
  return {
    object: 'database',
    id: d.id,
    title: d.title,
    description: [],
    parent: d.parent,
    is_inline: d.is_inline,
    in_trash: false,
    is_locked: false,
    created_time: d.created_time,
    last_edited_time: d.last_edited_time,
    data_sources: ds ? [{ id: ds.id, name: ds.name }] : [],
    icon: null,
    cover: null,
    url: notionUrl(d.id),
    public_url: null,
  };
}

function dataSourceJson(ds: NDataSource, ctx: Ctx): Record<string, unknown> {
  const db = ctx.store.databases.get(ds.databaseId);
  return {
    object: 'data_source',
    id: ds.id,
    created_time: ds.created_time,
    last_edited_time: ds.last_edited_time,
    created_by: user(ctx.store.botId),
    last_edited_by: user(ctx.store.botId),
    properties: ds.properties,
    parent: { type: 'database_id', database_id: ds.databaseId },
    database_parent: db?.parent ?? null,
    archived: false,
    in_trash: false,
    is_inline: db?.is_inline ?? false,
    title: [{ type: 'text', text: { content: ds.name, link: null }, annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' }, plain_text: ds.name, href: null }],
    description: [],
    icon: null,
    cover: null,
    url: notionUrl(ds.id),
    public_url: null,
  };
}

/** Cursor pagination as Notion does it: the cursor is the id of the next item. */
function paginate<T>(ids: readonly string[], startCursor: string | null | undefined, pageSizeRaw: unknown, render: (id: string) => T | undefined, kind: string): Reply {
  let pageSize = 100;
  if (pageSizeRaw !== undefined && pageSizeRaw !== null && pageSizeRaw !== '') {
    const n = Number(pageSizeRaw);
    if (!Number.isInteger(n) || n < 1 || n > 100) return notionError(400, 'validation_error', `body failed validation: body.page_size should be a number between 1 and 100, instead was \`${String(pageSizeRaw)}\`.`);
    pageSize = n;
  }
  let start = 0;
  if (startCursor) {
    const id = normId(startCursor);
    start = ids.indexOf(id);
    if (start < 0) return notionError(400, 'validation_error', `start_cursor should be a valid cursor, instead was \`${startCursor}\`.`);
  }
  const results: T[] = [];
  let i = start;
  for (; i < ids.length && results.length < pageSize; i++) {
    const r = render(ids[i]!);
    if (r !== undefined) results.push(r);
  }
  const hasMore = i < ids.length;
  return ok({ object: 'list', results, next_cursor: hasMore ? ids[i] : null, has_more: hasMore, type: kind, [kind]: {} });
}

export function handleNotion(store: NotionStore, method: string, rest: string, query: URLSearchParams, body: unknown, origin: string, now: () => number): Reply {
  const ctx: Ctx = { store, origin, now };
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const seg = rest.split('/').filter(Boolean);
  const notFound = (what: string, id: string) =>
    notionError(404, 'object_not_found', `Could not find ${what} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`);

  if (method === 'POST' && rest === '/search') {
    const filter = b.filter as { property?: string; value?: string } | undefined;
    if (filter && (filter.property !== 'object' || (filter.value !== 'page' && filter.value !== 'data_source'))) {
      return notionError(400, 'validation_error', 'body failed validation: body.filter.value should be `"page"` or `"data_source"`.');
    }
    const q = typeof b.query === 'string' ? b.query.toLowerCase() : '';
    const ids = store.searchOrder.filter((id) => {
      const isPage = store.pages.has(id);
      if (filter?.value === 'page' && !isPage) return false;
      if (filter?.value === 'data_source' && isPage) return false;
      if (!q) return true;
      const title = isPage ? store.titleOf(id) : (store.dataSources.get(id)?.name ?? '');
      return title.toLowerCase().includes(q);
    });
    return paginate(ids, b.start_cursor as string | undefined, b.page_size, (id) => {
      if (!store.canRead(id)) return undefined;
      const page = store.pages.get(id);
      if (page) return page.in_trash ? undefined : pageJson(page, ctx);
      const ds = store.dataSources.get(id);
      return ds ? dataSourceJson(ds, ctx) : undefined;
    }, 'page_or_data_source');
  }
  if (method === 'GET' && seg[0] === 'comments' && seg.length === 1) {
    if (store.commentsForbidden) return notionError(403, 'restricted_resource', 'Insufficient permissions for this endpoint.');
    const blockId = normId(query.get('block_id') ?? '');
    if (!blockId) return notionError(400, 'validation_error', 'body failed validation: query.block_id should be defined.');
    if ((!store.pages.has(blockId) && !store.blocks.has(blockId)) || !store.canRead(blockId)) return notFound('block', query.get('block_id')!);
    const list = store.comments.get(blockId) ?? [];
    const byId = new Map(list.map((c) => [c.id, c]));
    return paginate(list.map((c) => c.id), query.get('start_cursor'), query.get('page_size') ?? undefined, (id) => {
      const c = byId.get(id)!;
      return { object: 'comment', id: c.id, parent: { type: 'page_id', page_id: c.pageId }, discussion_id: c.discussionId, created_time: c.created_time, last_edited_time: c.created_time, created_by: user(c.authorId), rich_text: c.rich_text };
    }, 'comment');
  }
  if (method === 'GET' && seg[0] === 'users') {
    if (seg.length === 1) return paginate(store.users.map((u) => u.id), query.get('start_cursor'), query.get('page_size') ?? undefined, (id) => store.users.find((u) => u.id === id), 'user');
    if (seg[1] === 'me') return ok(store.users[0]);
    const u = store.users.find((x) => x.id === normId(seg[1]!));
    return u ? ok(u) : notFound('user', seg[1]!);
  }
  if (method === 'GET' && seg[0] === 'pages' && seg.length === 2) {
    const id = normId(seg[1]!);
    const page = store.canRead(id) ? store.pages.get(id) : undefined;
    return page ? ok(pageJson(page, ctx)) : notFound('page', seg[1]!);
  }
  if (method === 'GET' && seg[0] === 'blocks' && (seg.length === 2 || (seg.length === 3 && seg[2] === 'children'))) {
    const id = normId(seg[1]!);
    if (seg.length === 2) {
      const block = store.canRead(id) ? store.blocks.get(id) : undefined;
      return block ? ok(blockJson(block, ctx)) : notFound('block', seg[1]!);
    }
    if ((!store.blocks.has(id) && !store.pages.has(id)) || !store.canRead(id)) return notFound('block', seg[1]!);
    const ids = store.children.get(id) ?? [];
    return paginate(ids, query.get('start_cursor'), query.get('page_size') ?? undefined, (cid) => {
      const c = store.blocks.get(cid);
      return c && !c.in_trash ? blockJson(c, ctx) : undefined;
    }, 'block');
  }
  if (method === 'GET' && seg[0] === 'databases' && seg.length === 2) {
    const dbId = normId(seg[1]!);
    const d = store.canRead(dbId) ? store.databases.get(dbId) : undefined;
    return d ? ok(databaseJson(d, store.dataSources.get(d.dataSourceId))) : notFound('database', seg[1]!);
  }
  if (seg[0] === 'data_sources' && seg.length >= 2) {
    const dsId = normId(seg[1]!);
    const ds = store.canRead(dsId) ? store.dataSources.get(dsId) : undefined;
    if (!ds) return notFound('data source', seg[1]!);
    if (method === 'GET' && seg.length === 2) return ok(dataSourceJson(ds, ctx));
    if (method === 'POST' && seg.length === 3 && seg[2] === 'query') {
      if (b.filter !== undefined || b.sorts !== undefined) return notionError(400, 'validation_error', 'the emulator does not evaluate filter or sorts on data source queries');
      return paginate(ds.rows, b.start_cursor as string | undefined, b.page_size, (id) => {
        const page = store.pages.get(id);
        return page && !page.in_trash ? pageJson(page, ctx) : undefined;
      }, 'page_or_data_source');
    }
  }
  return notionError(400, 'invalid_request_url', `Invalid request URL: ${method} /v1${rest}`);
}

/** A hosted file: /notion/files/{key}/{name}?expires=ms. Expired → 403 like an S3 presigned URL. */
export function serveNotionFile(store: NotionStore, rest: string, query: URLSearchParams, now: () => number): Reply {
  const m = /^\/([^/]+)\/[^/]+$/.exec(rest);
  const f = m ? store.files.get(m[1]!) : undefined;
  if (!f) return { status: 404, raw: Buffer.from('NoSuchKey'), headers: { 'Content-Type': 'text/plain' } };
  const expires = Number(query.get('expires'));
  if (!Number.isFinite(expires) || expires < now()) return { status: 403, raw: Buffer.from('Request has expired'), headers: { 'Content-Type': 'text/plain' } };
  return { status: 200, raw: f.data, headers: { 'Content-Type': f.mediaType } };
}
