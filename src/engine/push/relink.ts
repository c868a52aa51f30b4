/**
 * Pages whose relative links named files that were no pages when they were sent (written as plain links for now,
 * recorded in the state) are written again once those files are pages: by the push that creates them, or the first
 * push after a pull brought them. One version per page, only when its storage changes; no listing is needed.
 */
import type { Ctx } from './context.js';
import { pushEdit } from './edit.js';

export async function relinkPages(ctx: Ctx, sentThisRun: ReadonlySet<string>): Promise<void> {
  for (const id of ctx.state.relinkable(ctx.spaceKey)) {
    if (sentThisRun.has(id)) continue;
    const page = ctx.state.page(id);
    if (!page || page.status !== 'synced') continue;
    await pushEdit(ctx, page, page.path, true);
  }
}
