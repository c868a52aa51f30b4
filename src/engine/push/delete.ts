/** A tracked file deleted locally: its page goes to the Confluence trash, its attachments' files to cache/trash. */
import { trashAttachmentFile } from '../../local/files.js';
import { isSkipped } from '../../local/safe-fs.js';
import type { BasePage } from '../../state/index.js';
import { reportSkip } from '../scan.js';
import type { Ctx } from './context.js';
import { forget } from './record.js';

/**
 * A file deleted locally: trash its page, unless the page changed remotely since the base (someone else's edit
 * would go to the trash unseen; the next pull brings the page back instead) or is already gone.
 */
export async function pushDelete(ctx: Ctx, b: BasePage): Promise<void> {
  const { api } = ctx.options;
  const remote = await api.getPage(b.id);
  if (remote && remote.status === 'current' && remote.version.number !== b.version) {
    ctx.summary.warnings.push(`${b.path}: deleted here but changed in Confluence since the last sync; not deleted (the next pull restores it)`);
    return;
  }
  if (remote && remote.status === 'current') await api.deletePage(b.id);
  // The page took its attachments to the trash: their local files go to cache/trash too (recoverable).
  for (const a of ctx.state.attachmentsOfPage(b.id)) {
    await trashAttachmentFile(ctx.options.workspace, a.path, ctx.now()).catch((err: unknown) => {
      if (!isSkipped(err)) throw err;
      reportSkip(ctx.summary, err);
    });
  }
  forget(ctx, b.id);
  ctx.summary.pages.deleted++;
  ctx.log.info({ path: b.path, id: b.id }, 'page moved to the Confluence trash');
}
