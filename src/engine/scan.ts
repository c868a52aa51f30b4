/** Local observations for the planner: stat fast path (size + mtime unchanged → unchanged), hash otherwise. */
import { readdir } from 'node:fs/promises';
import PQueue from 'p-queue';
import type { LocalState } from '../core/plan.js';
import { hashFile, inside, moveFile, statOrUndefined } from '../local/files.js';
import type { BasePageMeta } from '../state/types.js';
import { isIgnoredName } from '../local/ignore.js';

/** Workspace-relative paths of the files under `rel` whose names end with `ext` ('' = every file), ignored names left out. */
export async function walkFiles(workspace: string, rel: string, ext: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(inside(workspace, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    // Editor temporaries and backups, dotfiles, OS litter, conflict copies: the watcher's list.
    if (isIgnoredName(e.name)) continue;
    const p = `${rel}/${e.name}`;
    if (e.isDirectory()) await walkFiles(workspace, p, ext, out);
    else if (e.isFile() && e.name.endsWith(ext)) out.push(p);
  }
}

/** What observing a file needs to know about its base (no base text: a scan of a large space stays small). */
export type ObservedPage = Pick<BasePageMeta, 'id' | 'path' | 'size' | 'mtimeMs' | 'hash'>;

export async function observe(workspace: string, page: ObservedPage): Promise<LocalState> {
  const abs = inside(workspace, page.path);
  const s = await statOrUndefined(abs);
  if (!s || !s.isFile()) return 'missing';
  if (s.size === page.size && Math.abs(s.mtimeMs - page.mtimeMs) < 1) return 'unchanged';
  const { sha256 } = await hashFile(abs);
  return sha256 === page.hash ? 'unchanged' : 'modified';
}

export async function observeAll(workspace: string, pages: readonly ObservedPage[], concurrency = 16): Promise<Map<string, LocalState>> {
  const out = new Map<string, LocalState>();
  const queue = new PQueue({ concurrency });
  await queue.addAll(
    pages.map((p) => async () => {
      out.set(p.id, await observe(workspace, p));
    }),
  );
  return out;
}

/**
 * A pull moves a file whose path changes aside to `cache/moving/<id><ext>` and then records that. A pull stopped
 * between the two leaves the record at the old path and the file aside: without this, the next push would take the
 * file for deleted and trash its page. Missing files found there are put back (`repair`) or observed where they are
 * (dry runs and status write nothing). Returns how many were found.
 */
export async function recoverMovedAside(workspace: string, pages: readonly ObservedPage[], local: Map<string, LocalState>, ext: string, repair: boolean): Promise<number> {
  let found = 0;
  for (const p of pages) {
    if ((local.get(p.id) ?? 'missing') !== 'missing' || p.path.startsWith('cache/')) continue;
    const aside = `cache/moving/${p.id}${ext}`;
    if (!(await statOrUndefined(inside(workspace, aside)))) continue;
    found++;
    if (repair) {
      await moveFile(inside(workspace, aside), inside(workspace, p.path));
      local.set(p.id, await observe(workspace, p));
    } else local.set(p.id, await observe(workspace, { ...p, path: aside }));
  }
  return found;
}
