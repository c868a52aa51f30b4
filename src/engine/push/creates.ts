/**
 * New files become new pages, parents first and linked pages before the pages linking to them where the links
 * allow, side by side where neither needs the other; a create a stopped run left unrecorded is adopted, never
 * duplicated.
 */
import { unlink } from 'node:fs/promises';
import PQueue from 'p-queue';
import type { RemotePage } from '../../core/remote-types.js';
import { composeFile, parseFile, type FrontMatter } from '../../format/front-matter.js';
import { storageEquals } from '../../format/index.js';
import { inside, sha256 } from '../../local/files.js';
import { isSkipped, lstatIn, readTextSafe, writeFileSafe } from '../../local/safe-fs.js';
import type { BasePage } from '../../state/index.js';
import { createStartedAt, storageHash } from '../pending.js';
import { markSkipped, reportSkip } from '../scan.js';
import { checkSize, convert, normalisedBody, parentFolderFile, parentFor, readFrontMatter, readIfThere, sortedLabels, type Ctx } from './context.js';
import { LinkScanner, orderCreates, parentFile } from './link-order.js';
import { throwFailures, type TaskFailure } from '../failures.js';
import { throwIfRunAborted } from '../../core/run-signal.js';

/**
 * A create whose record was lost (stopped between create and record) is adopted. A pull that ran in between saw the
 * page arrive where this untracked file is and saved it beside the file as a conflict copy: that conflict is ours,
 * and the copy, when it holds the same body, is only a duplicate of the file.
 */
async function adoptOwnCreate(ctx: Ctx, id: string, path: string, title: string, storage: string): Promise<void> {
  const c = ctx.state.conflicts().find((x) => x.pageId === id && x.kind === 'untracked-local-file');
  if (!c) return;
  if (c.copyPath) {
    const abs = inside(ctx.options.workspace, c.copyPath);
    const copy = await readTextSafe(ctx.options.workspace, c.copyPath).catch(() => undefined);
    const copyStorage = copy === undefined ? undefined : ctx.format.toStorage(parseFile(copy).body, { spaceKey: ctx.spaceKey, title, resolver: ctx.links.resolverFor(path) }).text;
    if (copyStorage !== undefined && storageEquals(copyStorage, storage)) await unlink(abs);
  }
  ctx.state.removeConflict(id);
}

async function sameBody(ctx: Ctx, id: string, storage: string): Promise<boolean> {
  const p = await ctx.options.api.getPage(id, { body: true });
  return Boolean(p && p.body !== undefined && storageEquals(p.body, storage));
}

/**
 * A page file over this many bytes is big: big creates take turns (one at a time, small ones still side by side), so
 * a push holds at most one big page text (and its conversions) whatever concurrency.pages says.
 */
const BIG_PAGE_BYTES = 64 * 1024;

export async function pushCreates(ctx: Ctx, files: string[]): Promise<void> {
  const { api } = ctx.options;
  const space = await api.getSpaceByKey(ctx.spaceKey);
  // Titles already in the space: a rerun after a crash between create and record adopts its own page.
  const existing = new Map<string, RemotePage>();
  for await (const p of api.listPages(space.id, { bodies: false, limit: ctx.options.pageSize ?? 250 })) if (p.status === 'current') existing.set(p.title, p);
  let me: Promise<string | undefined> | undefined;
  const someoneElses = async (page: RemotePage): Promise<boolean> => {
    if (page.authorId === undefined || !api.currentUser) return false;
    const account = await (me ??= api.currentUser().then((u) => u.accountId));
    return account !== undefined && page.authorId !== account;
  };
  // Pages another new page links to are created before it where the links allow, by the link index planning made
  // (newPageTitles): each page's text is read when it is sent, so one text per create in flight is held, whatever
  // the number and size of new pages.
  const linked = new Map<string, readonly string[]>();
  for (const path of files) linked.set(path, ctx.createLinks?.get(path) ?? []);
  // One create per title at a time: a second new file with a title just created finds that page (existing, below)
  // as it did when creates ran one after the other, instead of racing the first to the server. A create takes its
  // title's turn once it has read the title, and gives it back when it ends (below), whatever the outcome.
  const turns = new Map<string, Promise<void>>();
  const held = new Map<string, () => void>();
  const titleTurn = async (title: string, path: string): Promise<void> => {
    const before = turns.get(title) ?? Promise.resolve();
    let release = () => {};
    const mine = before.then(() => new Promise<void>((r) => (release = r)));
    turns.set(title, mine);
    held.set(path, () => {
      release();
      if (turns.get(title) === mine) turns.delete(title);
    });
    await before;
  };
  const createOne = async (path: string): Promise<void> => {
    let text: string | undefined;
    try {
      await checkSize(ctx, path);
      text = await readIfThere(ctx.options.workspace, path);
    } catch (err) {
      if (!isSkipped(err)) throw err;
      reportSkip(ctx.summary, err);
      return;
    }
    if (text === undefined) return; // gone since the scan: nothing to create
    const parsed = parseFile(text);
    if (!parsed.ok) {
      ctx.summary.warnings.push(`${path}: front matter unreadable (${parsed.error}); not created`);
      return;
    }
    const name = path.slice(path.lastIndexOf('/') + 1, path.length - ctx.format.extension.length);
    const title = parsed.meta.title ? String(parsed.meta.title) : name;
    await titleTurn(title, path);
    const p = parentFor(ctx, path);
    if (p === null) {
      ctx.summary.warnings.push(`${path}: no page for its folder ${parentFolderFile(path, ctx.format.extension)}; not created`);
      return;
    }
    const parentId = p ?? space.homepageId;
    ctx.links.add(title, path);
    const { text: storage, unresolved } = convert(ctx, path, title, parsed.body);
    const labels = sortedLabels(parsed.meta.labels);
    let page = existing.get(title);
    // Adopt only our own page from a run that stopped between create and record without a pending record (an older
    // csync): same title, parent and body, made by our account. Anyone else's page with this title (or ours, edited
    // since) is a collision: adopting it would mark the file synced with a page that holds other text.
    if (page && (page.parentId !== parentId || ctx.state.page(page.id) || (await someoneElses(page)) || !(await sameBody(ctx, page.id, storage)))) {
      ctx.summary.warnings.push(`${path}: a page titled "${title}" already exists in ${ctx.spaceKey}; not created`);
      return;
    }
    if (page) await adoptOwnCreate(ctx, page.id, path, title, storage);
    else {
      // Recorded before the request, removed with the page's record: a run that stops in between leaves it, and the
      // next run finds the page by it (pending.ts), whatever happened to the page or the file since.
      ctx.state.addPendingCreate({ path, spaceKey: ctx.spaceKey, title, parentId, bodyHash: storageHash(storage), text, startedAt: createStartedAt(api) });
      try {
        // Its answer holds the body again: not kept (a big page's copies add up).
        page = { ...(await api.createPage({ spaceId: space.id, parentId, title, body: storage })), body: undefined };
      } catch (err) {
        // The folder's page was deleted in Confluence since the last pull: the next pull settles the folder.
        const code = (err as { code?: string }).code;
        if (code !== 'CSYNC_NOT_FOUND' && code !== 'CSYNC_BAD_REQUEST' && code !== 'CSYNC_TOO_LARGE') throw err;
        // Refused: nothing was created.
        ctx.state.removePendingCreate(path);
        ctx.summary.warnings.push(`${path}: not created: ${(err as Error).message}`);
        if (code === 'CSYNC_TOO_LARGE') markSkipped(ctx.summary, path);
        return;
      }
    }
    ctx.summary.written.push({ id: page.id, version: page.version.number });
    if (labels.length) await api.addLabels(page.id, labels);
    const meta: FrontMatter = { ...parsed.meta, id: page.id, title };
    const newText = composeFile(meta, normalisedBody(ctx, path, title, parsed.body, storage) ?? parsed.body);
    // The id goes into the file only if it still holds what was sent; a save since stays (size -1: the next push sends it).
    let written: { size: number; mtimeMs: number } = { size: -1, mtimeMs: 0 };
    try {
      written = await writeFileSafe(ctx.options.workspace, path, newText, { hash: sha256(text) });
    } catch (err) {
      if (!isSkipped(err)) throw err;
      reportSkip(ctx.summary, err);
    }
    const { size, mtimeMs } = written;
    const record: BasePage = { id: page.id, spaceKey: ctx.spaceKey, parentId, title, position: page.position ?? null, version: page.version.number, path, hash: sha256(newText), size, mtimeMs, base: newText, labels, status: 'synced' };
    ctx.state.transaction(() => {
      ctx.state.savePage(record);
      ctx.state.saveBaseBody(page.id, page.version.number, storage);
      ctx.state.setUnresolvedLinks(page.id, unresolved);
      ctx.state.removePendingCreate(path);
    });
    existing.set(title, page);
    ctx.summary.pages.created++;
  };
  // Creates run side by side (concurrency.pages), each as soon as what it needs exists: its folder's page (a child's
  // create names its parent's id) and the pages it links to that the order above puts first. Each still writes its
  // pending record before its request and its page record after it, as when they ran one after the other.
  const order = orderCreates([...files], linked, ctx.format.extension);
  const at = new Map(order.map((p, i) => [p, i]));
  const queue = new PQueue({ concurrency: Math.max(1, ctx.options.concurrency) });
  const bigTurns = new PQueue({ concurrency: 1 });
  const failures: TaskFailure[] = [];
  const settled = new Map<string, Promise<void>>();
  for (const [i, path] of order.entries()) {
    const needs = [parentFile(path, ctx.format.extension), ...(linked.get(path) ?? [])].filter((d) => d !== path && (at.get(d) ?? i) < i);
    const start = async (): Promise<void> => {
      await Promise.all(needs.map((d) => settled.get(d)));
      // A run that failed or was cancelled starts no further create (the ones in flight finish and are recorded).
      if (failures.length) return;
      const task = () =>
        queue.add(async () => {
          throwIfRunAborted(ctx.options.signal);
          if (failures.length) return;
          try {
            await createOne(path);
          } finally {
            held.get(path)?.();
            held.delete(path);
          }
        });
      const size = (await lstatIn(ctx.options.workspace, path).catch(() => undefined))?.size ?? 0;
      await (size > BIG_PAGE_BYTES ? bigTurns.add(task) : task());
    };
    settled.set(
      path,
      start().catch((error: unknown) => {
        failures.push({ what: path, error });
      }),
    );
  }
  await Promise.all(settled.values());
  throwFailures(failures, ctx.log);
}

/**
 * The titles the new pages will have (front matter, else the file name), known before any request: every body the
 * push sends, of an edit or a create, links to a page created later in the same run by its title. A file whose front
 * matter cannot be read is left out (it is not created). The same read (which streams the whole file to check it is
 * text) indexes the page files each one links to, for the order of creates; no text is kept.
 */
export async function newPageTitles(workspace: string, paths: readonly string[], ext: string): Promise<{ titles: Array<[title: string, path: string]>; links: Map<string, string[]> }> {
  const titles: Array<[string, string]> = [];
  const links = new Map<string, string[]>();
  for (const path of paths) {
    const scan = new LinkScanner(path, ext);
    const text = await readFrontMatter(workspace, path, (piece) => scan.push(piece)).catch(() => undefined);
    const parsed = text === undefined ? undefined : parseFile(text);
    if (!parsed?.ok) continue;
    links.set(path, scan.end());
    const name = path.slice(path.lastIndexOf('/') + 1, path.length - ext.length);
    titles.push([parsed.meta.title ? String(parsed.meta.title) : name, path]);
  }
  return { titles, links };
}
