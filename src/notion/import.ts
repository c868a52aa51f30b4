/**
 * `csync import notion`: Notion pages, databases and blocks → `content/<SPACE>/…` in the workspace's format, files
 * and images → `attachments/…`, page tree kept. Two phases, both checkpointed in cache/notion-import.db:
 *
 * 1. fetch: items (pages, databases, rows) are taken from the SQLite queue a few at a time; each is fetched (blocks
 *    streamed through cursors, children on demand), rendered to storage, its files downloaded, and finished in one
 *    transaction that also queues the child pages and databases it contains. Memory holds only the items in flight.
 *    A page whose last_edited_time is the one already imported costs its one GET; its known children are queued.
 * 2. write: every item of the run is converted with the workspace's format (links between imported pages become
 *    relative links) and written unless the file holds exactly that; a file edited since the last import keeps the
 *    edit and the Notion version is saved beside it as a conflict copy.
 *
 * A run killed at any point resumes: finished items are not requested again.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import Database from 'better-sqlite3';
import PQueue from 'p-queue';
import { safeName } from '../core/file-names.js';
import { CsyncError } from '../core/errors.js';
import { attachmentPath, SpaceLinks } from '../engine/resolver.js';
import { composeFile, parseFile, type FrontMatter } from '../format/front-matter.js';
import type { Format, LinkResolver } from '../format/types.js';
import { removeLeftovers } from '../local/leftovers.js';
import { inside, moveFile, pruneEmptyDirs, trashAttachmentFile, trashPath } from '../local/files.js';
import { isSkipped, linkIn, linkRefused, lstatIn, mkdirSafe, moveSafe, readTextSafe, replaceWith, tmpNameFor, writeFileSafe } from '../local/safe-fs.js';
import { conflictCopyPath } from '../merge/conflict-name.js';
import { Checkpoints, type ItemKind, type ItemRow } from './checkpoint.js';
import type { NotionApi } from './client.js';
import { esc, inline, normId, pageLink, plainText, propertyValue, Renderer, titleOf, type Json, type NBlock } from './render.js';

export type OpKind = 'pages' | 'blocks' | 'databases' | 'files' | 'search' | 'users' | 'comments';
export const OP_KINDS: readonly OpKind[] = ['pages', 'blocks', 'databases', 'files', 'search', 'users', 'comments'];
export const DEFAULT_OP_CONCURRENCY: Record<OpKind, number> = { pages: 3, blocks: 4, databases: 2, files: 2, search: 1, users: 1, comments: 2 };

export interface ImportProgress {
  phase: 'fetch' | 'write';
  done: number;
  total: number;
}

export interface NotionImportOptions {
  workspace: string;
  space: string;
  root?: string | undefined;
  all?: boolean | undefined;
  under?: string | undefined;
  format: Format;
  api: NotionApi;
  /** Items (pages, databases, rows) in flight at once. */
  items?: number;
  concurrency?: Partial<Record<OpKind, number>>;
  dbFile?: string;
  now?: () => Date;
  progress?: (p: ImportProgress) => void;
  logger?: { info(o: object, m?: string): void; warn(o: object, m?: string): void; debug(o: object, m?: string): void };
  /** Called once per item finished in the fetch phase (tests stop the process from here). */
  onCheckpoint?: (id: string) => void;
}

export interface NotionImportSummary {
  resumed: boolean;
  run: number;
  items: { pages: number; databases: number; rows: number; unchanged: number };
  files: {
    written: number;
    unchanged: number;
    conflicts: string[];
    attachments: number;
    skipped: string[];
    /** Files of pages trashed (or no longer shared / reachable) in Notion, moved to cache/trash. */
    removed: string[];
    /** Files moved after their page moved in Notion: "from → to". */
    moved: string[];
    /** Files kept although their page was removed or moved in Notion, because they were edited here. */
    kept: string[];
  };
  api: { calls: number; byOperation: Record<string, number>; rateLimited: number; retries: number; errorsByKind: Record<string, number>; lastErrors: string[]; limiterWaitMs: number };
  concurrency: Record<OpKind, number>;
  durationMs: number;
  /** Time until every item was fetched (the write phase sends no request). */
  fetchMs: number;
  requestsPerSecond: number;
  itemsPerSecond: number;
  peakRssMb: number;
}

const shortId = (id: string) => id.replace(/-/g, '').slice(-6);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Lowers every queue's concurrency when the share of throttled or failed attempts rises; raises it back slowly. */
export class AdaptiveConcurrency {
  private window: boolean[] = [];
  private sinceChange = 0;
  constructor(
    private readonly queues: Map<OpKind, PQueue>,
    private readonly max: Record<OpKind, number>,
    private readonly size = 50,
  ) {}

  record(bad: boolean): void {
    this.window.push(bad);
    if (this.window.length > this.size) this.window.shift();
    this.sinceChange++;
    const badShare = this.window.filter(Boolean).length / this.window.length;
    if (this.window.length >= 10 && badShare > 0.1 && this.sinceChange >= 10) {
      for (const q of this.queues.values()) q.concurrency = Math.max(1, Math.floor(q.concurrency / 2));
      this.sinceChange = 0;
      this.window = [];
    } else if (badShare === 0 && this.sinceChange >= this.size * 2) {
      for (const [k, q] of this.queues) if (q.concurrency < this.max[k]) q.concurrency += 1;
      this.sinceChange = 0;
    }
  }
}

export async function runNotionImport(o: NotionImportOptions): Promise<NotionImportSummary> {
  const started = Date.now();
  const now = o.now ?? (() => new Date());
  const space = o.space;
  if (!/^[A-Za-z0-9_~-]+$/.test(space)) throw new CsyncError('CSYNC_USAGE', `--space ${JSON.stringify(space)} is not a space key`, { hint: 'pass the key of the Confluence space to import into, e.g. --space DOCS' });
  if (!o.root === !o.all) throw new CsyncError('CSYNC_USAGE', 'pass either --root PAGE_ID or --all', { hint: 'csync import notion --root <page id> --space KEY, or --all --space KEY' });
  const rootId = o.root ? parseNotionId(o.root) : undefined;
  const baseDir = o.under ? await findUnder(o.workspace, space, o.under) : `content/${space}`;
  // Temporaries of a run stopped while writing files (kill -9): removed before anything is written (the caller holds
  // the workspace lock).
  await removeLeftovers({ workspace: o.workspace, spaces: [space], logger: { info: (obj, msg) => o.logger?.info({ module: 'import', ...obj }, msg) } });
  const db = new Checkpoints(o.dbFile ?? join(o.workspace, 'cache', 'notion-import.db'));
  const closeSynced = openSyncedTitles(o.workspace);
  const scope = JSON.stringify({ space, root: rootId ?? null, all: Boolean(o.all), base: baseDir });
  const { run, resumed } = db.openRun(scope, now().toISOString());
  const max: Record<OpKind, number> = { ...DEFAULT_OP_CONCURRENCY, ...(o.concurrency ?? {}) };
  const queues = new Map<OpKind, PQueue>(OP_KINDS.map((k) => [k, new PQueue({ concurrency: max[k] })]));
  const adaptive = new AdaptiveConcurrency(queues, max);
  const q = (k: OpKind) => queues.get(k)!;
  const sdk = o.api.sdk;
  const counts = { pages: 0, databases: 0, rows: 0, unchanged: 0, attachments: 0 };
  const errorsByKind: Record<string, number> = {};
  const lastErrors: string[] = [];
  const noteError = (err: unknown) => {
    const code = err instanceof CsyncError ? err.code : 'CSYNC_INTERNAL';
    errorsByKind[code] = (errorsByKind[code] ?? 0) + 1;
    lastErrors.push((err as Error).message);
    if (lastErrors.length > 5) lastErrors.shift();
  };
  let peakRss = process.memoryUsage().rss;
  const memTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  memTimer.unref();
  const statsNow = () => snapshot(o.api, counts, errorsByKind, lastErrors, queues, started, peakRss);
  const statsTimer = setInterval(() => db.saveStats(run.id, statsNow()), 30_000);
  statsTimer.unref();
  // Each attempt's outcome (the transport's hook) feeds the adaptive limits.
  o.api.transport.stats.request = wrapRequest(o.api.transport.stats.request.bind(o.api.transport.stats), (status) => adaptive.record(status === 429 || status === 0 || status >= 500));

  const fresh = !resumed;
  let fetchMs = 0;
  try {
    // Roots.
    if (rootId) db.enqueue(run.id, { id: rootId, kind: 'page', space, parent: null });
    else if (!run.search_done) {
      let cursor: string | undefined;
      do {
        const res = (await q('search').add(() => sdk.search({ page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) }))) as unknown as { results: Json[]; next_cursor: string | null; has_more: boolean };
        // Search lists every page and database shared with the integration, at any depth: each is noted with its
        // parent; those whose parent is not listed are the roots, the rest are reached through their parents.
        for (const r of res.results) {
          const parent = (r.parent ?? {}) as Json;
          if (r.object === 'page') db.addVisible(run.id, normId(String(r.id)), 'page', parentKey(parent));
          if (r.object === 'data_source') db.addVisible(run.id, normId(String(parent.database_id ?? '')), 'database', parentKey((r.database_parent ?? {}) as Json));
        }
        cursor = res.has_more && res.next_cursor ? res.next_cursor : undefined;
      } while (cursor);
      db.db.transaction(() => {
        for (let batch = db.visibleRoots(run.id, 0, 500); batch.length > 0; batch = db.visibleRoots(run.id, batch[batch.length - 1]!.rowid, 500)) {
          for (const r of batch) db.enqueue(run.id, { id: r.id, kind: r.kind, space, parent: null });
        }
        db.searchDone(run.id);
      })();
    }

    // Phase 1: fetch.
    const itemLimit = Math.max(1, o.items ?? 6);
    const busy = new Set<string>();
    let failure: unknown;
    let done = db.doneCount(run.id);
    let lastProgress = 0;
    const report = (force = false) => {
      const t = Date.now();
      if (!o.progress || (!force && t - lastProgress < 1000)) return;
      lastProgress = t;
      o.progress({ phase: 'fetch', done, total: done + db.pendingCount(run.id) });
    };
    const kept: string[] = [];
    const ctx: ItemCtx = { db, run: run.id, space, baseDir, sdk, q, o, fresh, counts, kept, users: new Map(), comments: { allowed: true } };
    const drain = () => new Promise<void>((resolve) => {
      const pump = () => {
        if (failure) {
          if (busy.size === 0) resolve();
          return;
        }
        const room = itemLimit - busy.size;
        const next = room > 0 ? db.frontier(run.id, room, busy) : [];
        if (next.length === 0 && busy.size === 0) return resolve();
        for (const item of next) {
          busy.add(item.id);
          processItem(ctx, item)
            .then(() => {
              done++;
              o.onCheckpoint?.(item.id);
              report();
            })
            .catch((err: unknown) => {
              noteError(err);
              failure ??= err;
            })
            .finally(() => {
              busy.delete(item.id);
              pump();
            });
        }
      };
      pump();
    });
    await drain();
    // --all: a listed page the walk did not reach (its parent is a block of a page not shared) is a root too.
    for (let left = rootId ? [] : db.visibleUnreached(run.id, 500); !failure && left.length > 0; left = db.visibleUnreached(run.id, 500)) {
      for (const r of left) db.enqueue(run.id, { id: r.id, kind: r.kind, space, parent: null });
      await drain();
    }
    if (failure) throw failure;
    report(true);
    fetchMs = Date.now() - started;

    // Pages gone from Notion (trashed, no longer shared, out of the imported tree): their unedited files go.
    const removed = await removeGone(db, run.id, scope, o, now, kept);
    // Phase 2: write.
    const fileStats = await writePhase(db, run.id, o, baseDir, now, (d, t) => o.progress?.({ phase: 'write', done: d, total: t }), kept);
    const summary: NotionImportSummary = { ...statsNow(), fetchMs, resumed, run: run.id, files: { ...fileStats, attachments: counts.attachments, removed, kept } };
    db.finishRun(run.id, now().toISOString(), summary);
    return summary;
  } catch (err) {
    db.saveStats(run.id, statsNow());
    throw err;
  } finally {
    clearInterval(memTimer);
    clearInterval(statsTimer);
    closeSynced();
    db.close();
  }
}

/** A page's page-level comments, oldest first, as a closing "Comments from Notion" section ('' when none). */
async function commentsSection(ctx: ItemCtx, pageId: string): Promise<string> {
  if (!ctx.comments.allowed) return '';
  const items: string[] = [];
  let cursor: string | undefined;
  try {
    do {
      const c = cursor;
      const res = (await ctx.q('comments').add(() => ctx.sdk.comments.list({ block_id: pageId, page_size: 100, ...(c ? { start_cursor: c } : {}) }))) as unknown as { results: Json[]; next_cursor: string | null; has_more: boolean };
      for (const r of res.results) {
        const author = String(((r.created_by ?? {}) as Json).id ?? '');
        const name = await userName(ctx, author);
        const when = String(r.created_time ?? '').slice(0, 10);
        items.push(`<li><strong>${esc(name)}</strong>${when ? ` (${esc(when)})` : ''}: ${inline(r.rich_text)}</li>`);
      }
      cursor = res.has_more && res.next_cursor ? res.next_cursor : undefined;
    } while (cursor);
  } catch (err) {
    // An integration without the "Read comments" capability gets 403: the import goes on without comments.
    if (err instanceof CsyncError && err.code === 'CSYNC_FORBIDDEN') {
      if (ctx.comments.allowed) ctx.o.logger?.warn({ module: 'import' }, 'Notion comments are not imported: the integration lacks the "Read comments" capability');
      ctx.comments.allowed = false;
      return '';
    }
    throw err;
  }
  return items.length ? `<h2>Comments from Notion</h2><ul>${items.join('')}</ul>` : '';
}

const USER_CACHE = 1000;

function userName(ctx: ItemCtx, id: string): Promise<string> {
  let p = ctx.users.get(id);
  if (!p) {
    p = (ctx.q('users').add(() => ctx.sdk.users.retrieve({ user_id: id })) as Promise<unknown>).then(
      (u) => String((u as Json).name ?? '') || 'Notion user',
      () => 'Notion user',
    );
    ctx.users.set(id, p);
    // Bounded: a workspace's comment authors are few, but the cache must not grow with a huge one.
    if (ctx.users.size > USER_CACHE) ctx.users.delete(ctx.users.keys().next().value!);
  }
  return p;
}

/** The id of a search result's parent (`block:<id>` for a block), or null for the workspace. */
function parentKey(parent: Json): string | null {
  switch (parent.type) {
    case 'page_id':
      return normId(String(parent.page_id));
    case 'database_id':
      return normId(String(parent.database_id));
    case 'data_source_id':
      return normId(String(parent.database_id ?? parent.data_source_id));
    case 'block_id':
      return `block:${normId(String(parent.block_id))}`;
    default:
      return null;
  }
}

function wrapRequest<E extends { status: number }>(orig: (e: E) => void, after: (status: number) => void): (e: E) => void {
  return (e) => {
    orig(e);
    after(e.status);
  };
}

function snapshot(api: NotionApi, counts: { pages: number; databases: number; rows: number; unchanged: number }, errorsByKind: Record<string, number>, lastErrors: string[], queues: Map<OpKind, PQueue>, started: number, peakRss: number) {
  const s = api.transport.stats.snapshot({ state: api.transport.breaker.state(), opens: 0, consecutiveFailures: 0 });
  const byOperation: Record<string, number> = {};
  const kinds: Record<string, number> = { ...errorsByKind };
  for (const [k, v] of Object.entries(s.byOperation)) byOperation[k] = v.count;
  for (const [status, n] of Object.entries(s.byStatus)) {
    const st = Number(status);
    if (st === 429) kinds.rate_limited = (kinds.rate_limited ?? 0) + n;
    else if (st === 0) kinds.network = (kinds.network ?? 0) + n;
    else if (st >= 500) kinds.server = (kinds.server ?? 0) + n;
    else if (st >= 400) kinds[`http_${st}`] = (kinds[`http_${st}`] ?? 0) + n;
  }
  const ms = Math.max(1, Date.now() - started);
  const items = counts.pages + counts.databases + counts.rows;
  return {
    items: { ...counts },
    api: { calls: s.requests + api.downloads.count, byOperation: { ...byOperation, 'files.download': api.downloads.count }, rateLimited: s.rateLimited, retries: s.retries, errorsByKind: kinds, lastErrors: [...lastErrors], limiterWaitMs: s.limiterWaitMs },
    concurrency: Object.fromEntries([...queues].map(([k, q]) => [k, q.concurrency])) as Record<OpKind, number>,
    durationMs: ms,
    requestsPerSecond: Math.round((s.requests / ms) * 1000 * 100) / 100,
    itemsPerSecond: Math.round((items / ms) * 1000 * 100) / 100,
    peakRssMb: Math.round((Math.max(peakRss, process.memoryUsage().rss) / 1024 / 1024) * 10) / 10,
  };
}

interface ItemCtx {
  db: Checkpoints;
  run: number;
  space: string;
  baseDir: string;
  sdk: NotionApi['sdk'];
  q: (k: OpKind) => PQueue;
  o: NotionImportOptions;
  fresh: boolean;
  counts: { pages: number; databases: number; rows: number; unchanged: number; attachments: number };
  kept: string[];
  /** User names by id (comment authors), and whether the integration may read comments (403 turns them off). */
  users: Map<string, Promise<string>>;
  comments: { allowed: boolean };
}

/** A Notion id from a bare id, a dashed id or a notion.so URL. */
export function parseNotionId(raw: string): string {
  const m = /([0-9a-f]{32})(?:[?#].*)?$/i.exec(raw.replace(/-/g, ''));
  if (!m) throw new CsyncError('CSYNC_USAGE', `--root ${JSON.stringify(raw)} is not a Notion page id`, { hint: 'pass the 32-character id at the end of the page URL (with or without dashes), or the URL itself' });
  return normId(m[1]!);
}

/** The folder of the existing page titled `title` in the space (its children's folder). */
async function findUnder(workspace: string, space: string, title: string): Promise<string> {
  const root = `content/${space}`;
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = await readdir(inside(workspace, dir), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) stack.push(rel);
      else if (e.isFile() && e.name.endsWith('.md')) {
        if (safeName(title) !== e.name.slice(0, -3) && !e.name.startsWith(`${safeName(title)} (`)) continue;
        const meta = parseFile(await readTextSafe(workspace, rel)).meta;
        if ((meta.title ?? e.name.slice(0, -3)) === title) return rel.slice(0, -3);
      }
    }
  }
  throw new CsyncError('CSYNC_USAGE', `--under: no page titled ${JSON.stringify(title)} in ${root}`, { hint: `run \`csync pull --space ${space}\` first, or give the title of an existing page (its front matter title)` });
}

/** Titles of the space's pages csync already syncs (cache/state.db), so an imported page never takes one. */
let syncedTitle: ((space: string, title: string) => string | undefined) | undefined;

function openSyncedTitles(workspace: string): () => void {
  const file = join(workspace, 'cache', 'state.db');
  if (!existsSync(file)) {
    syncedTitle = undefined;
    return () => undefined;
  }
  const state = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const stmt = state.prepare('SELECT path FROM pages WHERE space_key = ? AND title = ? COLLATE NOCASE LIMIT 1');
    syncedTitle = (space, title) => (stmt.get(space, title) as { path: string } | undefined)?.path;
  } catch {
    syncedTitle = undefined; // an older or foreign state file: the import's own titles still stay unique
  }
  return () => {
    syncedTitle = undefined;
    state.close();
  };
}

function uniqueTitle(db: Checkpoints, space: string, id: string, title: string): string {
  const t = (title.trim() || 'Untitled').slice(0, 240);
  const synced = syncedTitle?.(space, t);
  // A synced page with this title that is not one of ours (pushed earlier from this import) takes it.
  const takenBySynced = synced !== undefined && !db.pathOwned(synced);
  return takenBySynced || db.titleTaken(space, t, id) ? `${t} (${shortId(id)})` : t;
}

async function childPath(ctx: ItemCtx, parentPath: string | null, id: string, title: string): Promise<string> {
  const dir = parentPath ? parentPath.replace(/\.md$/, '') : ctx.baseDir;
  let name = safeName(title);
  let path = `${dir}/${name}.md`;
  if (ctx.db.pathTaken(path, id) || (await lstatIn(ctx.o.workspace, path).catch(() => undefined)) !== undefined && !ctx.db.get(id)?.path) {
    name = `${name} (${shortId(id)})`;
    path = `${dir}/${name}.md`;
  }
  return path;
}

async function* listChildren(ctx: ItemCtx, blockId: string): AsyncIterable<NBlock> {
  let cursor: string | undefined;
  do {
    const c = cursor;
    const res = (await ctx.q('blocks').add(() => ctx.sdk.blocks.children.list({ block_id: blockId, page_size: 100, ...(c ? { start_cursor: c } : {}) }))) as unknown as { results: NBlock[]; next_cursor: string | null; has_more: boolean };
    for (const b of res.results) yield b;
    cursor = res.has_more && res.next_cursor ? res.next_cursor : undefined;
  } while (cursor);
}

async function processItem(ctx: ItemCtx, item: ItemRow): Promise<void> {
  if (item.kind === 'database') return processDatabase(ctx, item);
  return processPage(ctx, item);
}

async function processPage(ctx: ItemCtx, item: ItemRow): Promise<void> {
  const { db, run } = ctx;
  const extra = item.extra ? (JSON.parse(item.extra) as { listedEdited?: string; props?: string; listedTitle?: string }) : {};
  let edited: string | undefined;
  let title: string;
  let page: Json | undefined;
  if (item.kind !== 'row') {
    try {
      page = (await ctx.q('pages').add(() => ctx.sdk.pages.retrieve({ page_id: item.id }))) as unknown as Json;
    } catch (err) {
      // A page below a root that Notion no longer shows (deleted, or unshared): gone, not a failed import.
      if (err instanceof CsyncError && err.code === 'CSYNC_NOT_FOUND' && (item.parent !== null || item.seen_run > 0)) return db.finishGone(run, item.id);
      throw err;
    }
    if (page.in_trash === true || page.archived === true) return db.finishGone(run, item.id);
  }
  if (page) {
    edited = String(page.last_edited_time ?? '');
    title = titleOf(page);
  } else {
    edited = extra.listedEdited;
    title = extra.listedTitle ?? item.title ?? '';
  }
  const unique = item.title && (item.title === title || item.title.startsWith(`${title.trim() || 'Untitled'} (`)) ? item.title : uniqueTitle(db, ctx.space, item.id, title);
  let path = item.path ?? (await childPath(ctx, null, item.id, unique));
  if (page && item.path && item.written_hash !== null) path = await followMove(ctx, item, page, unique);
  db.setPlace(item.id, unique, path);
  if (item.storage !== null && item.edited === edited && item.seen_run > 0) {
    db.finishUnchanged(run, item.id);
    ctx.counts.unchanged++;
    return;
  }
  const found: Array<{ kind: 'page' | 'database'; id: string; title: string }> = [];
  const files: Array<{ block: string; name: string }> = [];
  const renderer = new Renderer({
    children: (id) => listChildren(ctx, id),
    found: (kind, id, t) => found.push({ kind, id: normId(id), title: t }),
    blockUrl: (id) => `https://www.notion.so/${item.id.replace(/-/g, '')}#${id.replace(/-/g, '')}`,
    file: async (blockId, url, nameHint) => {
      let name = db.fileName(item.id, blockId) ?? files.find((f) => f.block === blockId)?.name;
      if (!name) {
        name = safeName(nameHint);
        if (db.fileNameTaken(item.id, name, blockId) || files.some((f) => f.name.toLowerCase() === name!.toLowerCase())) {
          const dot = name.lastIndexOf('.');
          name = dot > 0 ? `${name.slice(0, dot)}-${shortId(blockId)}${name.slice(dot)}` : `${name}-${shortId(blockId)}`;
        }
      }
      files.push({ block: blockId, name });
      const rel = attachmentPath(path, name);
      await mkdirSafe(ctx.o.workspace, posix.dirname(rel));
      const tmp = join(inside(ctx.o.workspace, posix.dirname(rel)), tmpNameFor(posix.basename(rel)));
      await ctx.q('files').add(() => ctx.o.api.download(url, tmp));
      await replaceWith(ctx.o.workspace, rel, tmp);
      ctx.counts.attachments++;
      return name;
    },
  });
  let content = await renderer.blocks(listChildren(ctx, item.id), true);
  if (item.kind === 'page') content += await commentsSection(ctx, item.id);
  let hasFile = true;
  if (item.kind === 'row') {
    hasFile = content.length > 0;
    content = (extra.props ?? '') + content;
    ctx.counts.rows++;
  } else ctx.counts.pages++;
  const storage = content;
  // Children's places need this page's path; titles are made unique across the space.
  const kids: Array<{ id: string; kind: ItemKind; title: string; path: string }> = [];
  for (const f of found) {
    const known = db.get(f.id);
    const t = known?.title ?? uniqueTitle(db, ctx.space, f.id, f.title);
    kids.push({ id: f.id, kind: f.kind, title: t, path: known?.path ?? (await childPath(ctx, path, f.id, t)) });
  }
  db.finish(run, item.id, {
    edited: edited ?? null,
    storage,
    hasFile,
    files,
    children: () => {
      for (const k of kids) db.enqueue(run, { id: k.id, kind: k.kind, space: ctx.space, parent: item.id, title: k.title, path: k.path });
    },
  });
}

async function processDatabase(ctx: ItemCtx, item: ItemRow): Promise<void> {
  const { db, run, sdk } = ctx;
  const d = (await ctx.q('databases').add(() => sdk.databases.retrieve({ database_id: item.id }))) as unknown as Json;
  const title = plainText(d.title) || 'Untitled database';
  const unique = item.title && (item.title === title || item.title.startsWith(`${title} (`)) ? item.title : uniqueTitle(db, ctx.space, item.id, title);
  const path = item.path ?? (await childPath(ctx, null, item.id, unique));
  db.setPlace(item.id, unique, path);
  let storage = '';
  const description = inline(d.description);
  if (description) storage += `<p>${description}</p>`;
  const rows: Array<{ id: string; title: string; path: string; edited: string; props: string }> = [];
  for (const source of (d.data_sources as Json[] | undefined) ?? []) {
    const dsId = String(source.id);
    const ds = (await ctx.q('databases').add(() => sdk.dataSources.retrieve({ data_source_id: dsId }))) as unknown as Json;
    const schema = Object.entries((ds.properties ?? {}) as Record<string, Json>);
    schema.sort((a, b) => Number(b[1].type === 'title') - Number(a[1].type === 'title'));
    const names = schema.map(([n]) => n);
    if (((d.data_sources as Json[]).length ?? 0) > 1) storage += `<h2>${esc(String(source.name ?? ''))}</h2>`;
    storage += `<table><tbody><tr>${names.map((n) => `<th>${esc(n)}</th>`).join('')}</tr>`;
    let cursor: string | undefined;
    do {
      const c = cursor;
      const res = (await ctx.q('databases').add(() => sdk.dataSources.query({ data_source_id: dsId, page_size: 100, ...(c ? { start_cursor: c } : {}) }))) as unknown as { results: Json[]; next_cursor: string | null; has_more: boolean };
      for (const r of res.results) {
        if (r.object !== 'page') continue;
        const props = (r.properties ?? {}) as Record<string, Json>;
        const rowId = normId(String(r.id));
        const rowTitle = titleOf(r) || 'Untitled';
        storage += '<tr>';
        for (const n of names) {
          const p = props[n];
          storage += `<td>${p ? (p.type === 'title' ? pageLink(rowId, rowTitle) : propertyValue(p)) : ''}</td>`;
        }
        storage += '</tr>';
        const known = db.get(rowId);
        const t = known?.title ?? uniqueTitle(db, ctx.space, rowId, rowTitle);
        const propsTable = `<table><tbody><tr><th>Property</th><th>Value</th></tr>${names
          .filter((n) => props[n] && props[n]!.type !== 'title')
          .map((n) => `<tr><td>${esc(n)}</td><td>${propertyValue(props[n]!)}</td></tr>`)
          .join('')}</tbody></table>`;
        rows.push({ id: rowId, title: t, path: known?.path ?? (await childPath(ctx, path, rowId, t)), edited: String(r.last_edited_time ?? ''), props: propsTable });
        // Rows are queued in batches so a large database never sits whole in memory.
        if (rows.length >= 100) flushRows(ctx, item, rows, title);
      }
      cursor = res.has_more && res.next_cursor ? res.next_cursor : undefined;
    } while (cursor);
    storage += '</tbody></table>';
  }
  flushRows(ctx, item, rows, title);
  ctx.counts.databases++;
  db.finish(run, item.id, { edited: String(d.last_edited_time ?? ''), storage, hasFile: true, files: [], children: () => undefined });
}

function flushRows(ctx: ItemCtx, item: ItemRow, rows: Array<{ id: string; title: string; path: string; edited: string; props: string }>, _dbTitle: string): void {
  ctx.db.db.transaction(() => {
    for (const r of rows) {
      const known = ctx.db.get(r.id);
      // An unchanged row keeps its stored storage; a changed one is fetched again.
      const extra = JSON.stringify({ listedEdited: r.edited, listedTitle: r.title, props: r.props });
      ctx.db.enqueue(ctx.run, { id: r.id, kind: 'row', space: ctx.space, parent: item.id, title: r.title, path: r.path, extra });
      if (known && known.edited !== r.edited) ctx.db.db.prepare('UPDATE items SET storage = NULL WHERE id = ?').run(r.id);
    }
  })();
  rows.length = 0;
}

const LINK_RE = /<ac:link><ri:page ri:content-title="notion-page:([0-9a-f-]{36})" \/>(?:<ac:plain-text-link-body><!\[CDATA\[([\s\S]*?)\]\]><\/ac:plain-text-link-body>)?<\/ac:link>/g;

/** Replaces the placeholders with links to the imported pages (or text / a Notion link when there is no page). */
export function resolveLinks(storage: string, lookup: (id: string) => { title: string; hasFile: boolean } | undefined): string {
  return storage.replace(LINK_RE, (_m, id: string, body: string | undefined) => {
    const text = (body ?? '').replace(/]]]]><!\[CDATA\[>/g, ']]>');
    const target = lookup(id);
    if (target?.hasFile) {
      const b = text && text !== target.title ? `<ac:plain-text-link-body><![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]></ac:plain-text-link-body>` : '';
      return `<ac:link><ri:page ri:content-title="${esc(target.title)}" />${b}</ac:link>`;
    }
    if (target) return esc(text || target.title);
    return `<a href="https://www.notion.so/${id.replace(/-/g, '')}">${esc(text || 'Notion page')}</a>`;
  });
}

/** The file of an item against what the import last wrote there: unchanged, edited here, missing, or unreadable. */
async function localState(workspace: string, item: Pick<ItemRow, 'path' | 'written_hash'>): Promise<'same' | 'edited' | 'missing' | 'skipped'> {
  if (item.path === null) return 'missing';
  let text: string;
  try {
    text = await readTextSafe(workspace, item.path);
  } catch (err) {
    if (isSkipped(err)) return 'skipped';
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  const parsed = parseFile(text);
  return sha(`${parsed.meta.title ?? ''}\0${parsed.body}`) === item.written_hash ? 'same' : 'edited';
}

/** Moves a page file to cache/trash (never through a link) and drops the folders it empties. */
async function trashContentFile(workspace: string, rel: string, when: Date): Promise<void> {
  const link = await linkIn(workspace, rel);
  if (link !== undefined) throw linkRefused(rel, link);
  const abs = inside(workspace, rel);
  await moveFile(abs, trashPath(workspace, rel, when));
  await pruneEmptyDirs(abs.slice(0, abs.lastIndexOf('/')), inside(workspace, 'content'));
}

/**
 * A page whose parent in Notion is not the one its file lies under: its new place (the file moves in the write
 * phase), or its old one when the file was edited here (kept, with a warning) or the new parent is not imported.
 */
async function followMove(ctx: ItemCtx, item: ItemRow, page: Json, title: string): Promise<string> {
  const old = item.path!;
  const pk = parentKey((page.parent ?? {}) as Json);
  const parentId = pk === null ? null : pk.startsWith('block:') ? item.parent : pk;
  // Only a parent this run imported counts (one left from another import, or gone, is not where the page lives now).
  const found = parentId ? ctx.db.get(parentId) : undefined;
  const parentRow = found && found.seen_run === ctx.run && found.gone === 0 ? found : undefined;
  let dir: string | undefined = parentRow?.path ? parentRow.path.replace(/\.md$/, '') : undefined;
  // Under --all a page whose parent is not imported (the workspace, a page not shared) is a root.
  if (dir === undefined && ctx.o.all && !parentRow) dir = ctx.baseDir;
  if (dir === undefined || posix.dirname(old) === dir) return old;
  const state = await localState(ctx.o.workspace, item);
  if (state === 'edited' || state === 'skipped') {
    ctx.kept.push(`${old}: edited here, and the page moved in Notion (under ${dir}) — kept where it is; move it by hand if you want`);
    return old;
  }
  let next = `${dir}/${safeName(title)}.md`;
  if (ctx.db.pathTaken(next, item.id) || (await lstatIn(ctx.o.workspace, next).catch(() => undefined)) !== undefined) next = `${dir}/${safeName(title)} (${shortId(item.id)}).md`;
  ctx.db.relocate(item.id, parentRow ? parentRow.id : null, next);
  return next;
}

/** Removes the files of items gone from Notion (unedited ones to cache/trash; edited ones are kept, with a warning). */
async function removeGone(db: Checkpoints, run: number, scope: string, o: NotionImportOptions, now: () => Date, kept: string[]): Promise<string[]> {
  const removed: string[] = [];
  for (let batch = db.goneItems(run, scope, o.space, 0, 200); batch.length > 0; batch = db.goneItems(run, scope, o.space, batch[batch.length - 1]!.seq, 200)) {
    for (const it of batch) {
      if (it.path !== null && it.has_file === 1 && it.written_hash !== null) {
        const state = await localState(o.workspace, it);
        if (state === 'same') {
          await trashContentFile(o.workspace, it.path, now());
          for (const name of db.files(it.id)) await trashAttachmentFile(o.workspace, attachmentPath(it.path, name), now());
          removed.push(it.path);
        } else if (state !== 'missing') {
          kept.push(`${it.path}: edited here, and the page is gone from Notion (trashed, deleted or no longer shared) — kept, no longer imported`);
        }
      }
      db.forget(it.id);
    }
  }
  return removed;
}

/** The write phase's half of a move: the file and its attachments go to the new place (or stay, when edited). */
async function applyMove(db: Checkpoints, o: NotionImportOptions, item: ItemRow, now: () => Date, kept: string[], moved: string[]): Promise<void> {
  const from = item.moved_from!;
  const to = item.path!;
  const state = await localState(o.workspace, { path: from, written_hash: item.written_hash });
  if (state === 'edited' || state === 'skipped') {
    kept.push(`${from}: edited here, and the page moved in Notion (to ${to}) — kept where it is; move it by hand if you want`);
    db.settleMove(item.id, from);
    item.path = from;
    return;
  }
  if (state === 'same') await moveSafe(o.workspace, from, to);
  for (const name of db.files(item.id)) {
    const a = attachmentPath(from, name);
    const b = attachmentPath(to, name);
    if (!(await lstatIn(o.workspace, a).catch(() => undefined))) continue;
    if (await lstatIn(o.workspace, b).catch(() => undefined)) await trashAttachmentFile(o.workspace, a, now());
    else {
      await moveSafe(o.workspace, a, b);
      await pruneEmptyDirs(posix.dirname(inside(o.workspace, a)), inside(o.workspace, 'attachments'));
    }
  }
  await pruneEmptyDirs(posix.dirname(inside(o.workspace, from)), inside(o.workspace, 'content'));
  moved.push(`${from} → ${to}`);
  db.settleMove(item.id, to);
}

/** A link resolver over the checkpoint file: page ⇄ file by SQL lookups, attachments as SpaceLinks resolves them. */
function checkpointLinks(db: Checkpoints, space: string): { resolverFor(pagePath: string): LinkResolver } {
  const plain = new SpaceLinks(space);
  return {
    resolverFor(pagePath) {
      const dir = posix.dirname(pagePath);
      return {
        ...plain.resolverFor(pagePath),
        pathForPage: (ref) => {
          if (ref.spaceKey && ref.spaceKey !== space) return undefined;
          const p = db.pathOfTitle(space, ref.title);
          return p === undefined ? undefined : encodeURI(posix.relative(dir, p));
        },
        pageForPath: (relative) => {
          let decoded: string;
          try {
            decoded = decodeURI(relative);
          } catch {
            return undefined;
          }
          const title = db.titleOfPath(space, posix.normalize(posix.join(dir, decoded)));
          return title === undefined ? undefined : { spaceKey: space, title };
        },
      };
    },
  };
}

async function writePhase(db: Checkpoints, run: number, o: NotionImportOptions, _baseDir: string, now: () => Date, progress: (done: number, total: number) => void, kept: string[]) {
  const out = { written: 0, unchanged: 0, conflicts: [] as string[], skipped: [] as string[], moved: [] as string[] };
  // Links between imported pages are looked up in the checkpoint file (by index), never loaded whole.
  const links = checkpointLinks(db, o.space);
  const lookupStmt = db.db.prepare('SELECT title, has_file FROM items WHERE id = ?');
  const lookup = (id: string) => {
    const r = lookupStmt.get(id) as { title: string | null; has_file: number } | undefined;
    return r && r.title !== null ? { title: r.title, hasFile: r.has_file === 1 } : undefined;
  };
  const total = (db.db.prepare('SELECT COUNT(*) AS n FROM items WHERE seen_run = ?').get(run) as { n: number }).n;
  let done = total - (db.db.prepare('SELECT COUNT(*) AS n FROM items WHERE seen_run = ? AND written_run < ?').get(run, run) as { n: number }).n;
  let after = 0;
  for (;;) {
    const batch = db.toWrite(run, after, 20);
    if (batch.length === 0) break;
    for (const item of batch) {
      after = item.seq;
      done++;
      if (!item.has_file || item.path === null || item.storage === null || item.title === null) {
        db.written(run, item.id, null, item.conflict_hash);
        continue;
      }
      if (item.moved_from !== null) await applyMove(db, o, item, now, kept, out.moved);
      const storage = resolveLinks(item.storage, lookup);
      const body = o.format.toLocal(storage, { spaceKey: o.space, title: item.title, resolver: links.resolverFor(item.path) }).text;
      const bodyHash = sha(`${item.title}\0${body}`);
      let current: string | undefined;
      try {
        current = await readTextSafe(o.workspace, item.path);
      } catch (err) {
        if (isSkipped(err)) {
          out.skipped.push(err.message);
          db.written(run, item.id, null, item.conflict_hash);
          continue;
        }
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      if (current === undefined) {
        await writeFileSafe(o.workspace, item.path, composeFile({ title: item.title }, body), { absent: true });
        out.written++;
        db.written(run, item.id, bodyHash, null);
      } else {
        const parsed = parseFile(current);
        const localHash = sha(`${parsed.meta.title ?? ''}\0${parsed.body}`);
        const editedLocally = item.written_hash !== null && localHash !== item.written_hash;
        if (localHash === bodyHash) {
          out.unchanged++;
          db.written(run, item.id, bodyHash, null);
        } else if (!editedLocally || item.written_hash === null) {
          const meta: FrontMatter = { ...parsed.meta, title: item.title };
          await writeFileSafe(o.workspace, item.path, composeFile(meta, body), { hash: sha(current) });
          out.written++;
          db.written(run, item.id, bodyHash, null);
        } else if (bodyHash === item.written_hash || bodyHash === item.conflict_hash) {
          // Edited here, unchanged in Notion since (or its version already saved beside it): nothing to do.
          out.unchanged++;
          db.written(run, item.id, null, item.conflict_hash);
        } else {
          const copy = conflictCopyPath(item.path, now(), 'notion');
          await writeFileSafe(o.workspace, copy, composeFile({ ...parsed.meta, title: item.title }, body), { absent: true });
          out.conflicts.push(item.path);
          db.written(run, item.id, null, bodyHash);
        }
      }
      if (done % 50 === 0) progress(done, total);
    }
  }
  progress(done, total);
  return out;
}

