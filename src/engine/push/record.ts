/** Recording a pushed page: its new base and labels, or its removal from the state. */
import { inside, sha256, statOrUndefined } from '../../local/files.js';
import { isSkipped, writeFileSafe, type Expect, type SkippedFile } from '../../local/safe-fs.js';
import type { BasePage } from '../../state/index.js';
import type { Ctx } from './context.js';

/**
 * Records a pushed page. `rewrite`: the file gets `text` (a merge), only if it still holds what the push read
 * (`expect`); a save made since stays, and the record (size -1) makes the next push send it.
 */
export async function saveSynced(
  ctx: Ctx,
  b: BasePage,
  path: string,
  text: string,
  remote: { version: number; title: string; parentId: string | null },
  labels: string[],
  rewrite: boolean,
  expect?: Expect,
  seen?: { size: number; mtimeMs: number },
): Promise<void> {
  const abs = inside(ctx.options.workspace, path);
  let size: number;
  let mtimeMs: number;
  let left: SkippedFile | undefined;
  if (rewrite) {
    try {
      ({ size, mtimeMs } = await writeFileSafe(ctx.options.workspace, path, text, expect));
    } catch (err) {
      if (!isSkipped(err)) throw err;
      left = err;
      size = -1;
      mtimeMs = 0;
    }
  } else {
    // The stat taken before the file was read: a save made since (while the page was sent) must not look unchanged.
    const s = seen ?? (await statOrUndefined(abs));
    size = s?.size ?? -1;
    mtimeMs = s?.mtimeMs ?? 0;
  }
  const page: BasePage = { ...b, path, title: remote.title, parentId: remote.parentId, version: remote.version, base: text, hash: sha256(text), size, mtimeMs, labels, status: 'synced' };
  ctx.state.transaction(() => {
    ctx.state.savePage(page);
    ctx.state.removeConflict(b.id);
    ctx.state.clearStaged(b.id);
    ctx.state.removePendingUpdate(b.id);
  });
  if (left) throw left;
}

export async function syncLabels(ctx: Ctx, id: string, before: readonly string[], after: readonly string[]): Promise<void> {
  const add = after.filter((l) => !before.includes(l));
  const remove = before.filter((l) => !after.includes(l));
  if (add.length) await ctx.options.api.addLabels(id, add);
  for (const l of remove) await ctx.options.api.removeLabel(id, l);
}

export function forget(ctx: Ctx, id: string): void {
  ctx.state.transaction(() => {
    ctx.state.deletePage(id);
    ctx.state.removeConflict(id);
  });
}
