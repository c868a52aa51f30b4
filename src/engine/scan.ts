/** Local observations for the planner: stat fast path (size + mtime unchanged → unchanged), hash otherwise. */
import type { LocalState } from '../core/plan.js';
import { hashFile, inside, statOrUndefined } from '../local/files.js';
import type { BasePageMeta } from '../state/types.js';

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
  let i = 0;
  const worker = async () => {
    while (i < pages.length) {
      const p = pages[i++]!;
      out.set(p.id, await observe(workspace, p));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pages.length) }, worker));
  return out;
}
