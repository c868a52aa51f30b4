/**
 * Pages whose relative links named files that were no pages when they were sent (written as plain links for now,
 * recorded in the state) are written again once those files are pages: by the push that creates them, or the first
 * push after a pull brought them. One version per page, only when its storage changes; no listing is needed.
 */
import { parseFile } from '../../format/front-matter.js';
import { storageEquals } from '../../format/index.js';
import { readTextSafe } from '../../local/safe-fs.js';
import type { BasePage } from '../../state/index.js';
import { convertFile, type Ctx } from './context.js';
import { pushEdit } from './edit.js';

export async function relinkPages(ctx: Ctx, sentThisRun: ReadonlySet<string>): Promise<void> {
  for (const id of ctx.state.relinkable(ctx.spaceKey)) {
    if (sentThisRun.has(id)) continue;
    const page = ctx.state.page(id);
    if (!page || page.status !== 'synced') continue;
    await pushEdit(ctx, page, page.path, true);
  }
}

/**
 * The dry run's share: the pages the real run would write again, decided as pushEdit decides in relink mode (the
 * file unchanged, its storage today different from the storage Confluence holds), with the files the run would
 * create counted as pages.
 */
export async function planRelinks(ctx: Ctx, sentThisRun: ReadonlySet<string>, creates: readonly string[]): Promise<void> {
  const willBe = new Set(creates);
  const ids = new Set<string>();
  for (const u of ctx.state.unresolvedLinks(ctx.spaceKey)) if (!sentThisRun.has(u.pageId) && (willBe.has(u.target) || ctx.state.pageByPath(u.target))) ids.add(u.pageId);
  for (const id of ids) {
    const page = ctx.state.page(id);
    if (!page || page.status !== 'synced' || !(await changes(ctx, page))) continue;
    ctx.summary.plan.push({ action: 'update', path: page.path, id });
    ctx.summary.pages.updated++;
  }
}

async function changes(ctx: Ctx, page: BasePage): Promise<boolean> {
  const text = await readTextSafe(ctx.options.workspace, page.path).catch(() => undefined);
  if (text === undefined || text !== page.base) return false;
  const local = parseFile(text);
  if (!local.ok) return false;
  const baseBody = ctx.state.baseBody(page.id, page.version);
  if (baseBody === undefined) return true;
  const title = local.meta.title ? String(local.meta.title) : page.title;
  return !storageEquals(convertFile(ctx.format, ctx.spaceKey, ctx.links, page.path, title, local.body, baseBody).text, baseBody);
}
