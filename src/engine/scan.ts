/** Local observations for the planner: stat fast path (size + mtime unchanged → unchanged), hash otherwise. */
import { readdir, unlink } from 'node:fs/promises';
import { CsyncError } from '../core/errors.js';
import { eachBounded } from '../core/each-bounded.js';
import type { LocalState } from '../core/plan.js';
import { inside, statOrUndefined } from '../local/files.js';
import { folderLinks, hashFileSafe, isSkipped, linkIn, linkRefused, lstatIn, moveNoClobber, notUtf8, SkippedFile } from '../local/safe-fs.js';
import type { BasePageMeta } from '../state/types.js';
import { isIgnoredName } from '../local/ignore.js';

/**
 * Workspace-relative paths of the files under `rel` whose names end with `ext` ('' = every file), ignored names left
 * out. Symbolic links (to files or folders) are never followed: their paths go to `links` when given.
 */
export async function walkFiles(workspace: string, rel: string, ext: string, out: string[], links?: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(inside(workspace, rel), { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    // A folder that cannot be listed would hide its files: push would take its pages for deleted, status would
    // call them missing. Stop instead, naming the folder.
    throw new CsyncError('CSYNC_WORKSPACE', `cannot list the folder ${rel}: ${code ?? (err as Error).message}`, {
      hint: `fix its permissions (e.g. chmod u+rx "${rel}") and run again`,
      cause: err,
    });
  }
  for (const e of entries) {
    // Editor temporaries and backups, dotfiles, OS litter, conflict copies: the watcher's list.
    if (isIgnoredName(e.name)) continue;
    const p = `${rel}/${e.name}`;
    if (e.isSymbolicLink()) links?.push(p);
    else if (e.isDirectory()) await walkFiles(workspace, p, ext, out, links);
    else if (e.isFile() && e.name.endsWith(ext)) out.push(p);
  }
}


/** What observing a file needs to know about its base (no base text: a scan of a large space stays small). */
export type ObservedPage = Pick<BasePageMeta, 'id' | 'path' | 'size' | 'mtimeMs' | 'hash'>;

/**
 * Files the run must leave alone, by page (or attachment) id: a link where the file or one of its folders was, a page
 * file that is no longer UTF-8 text. Their local state is 'modified' (never 'missing': a link is never taken for a
 * delete; never 'unchanged': status does not call them in sync); runs drop their actions and report the warning.
 */
export type Skips = Map<string, SkippedFile>;

/**
 * The local state of a tracked file. `text`: a page file, whose changed content must be valid UTF-8. A link
 * (the file or a folder above it) or a page file that is not text is recorded in `skips` and observed 'modified'.
 */
export async function observe<T extends ObservedPage>(workspace: string, page: T, skips?: Skips, text = false, hashed?: Hashed<T>, folders?: (rel: string) => Promise<string | undefined>): Promise<LocalState> {
  const s = await lstatIn(workspace, page.path);
  // The file itself is lstat'ed: with `folders` (a scan's cache, safe-fs.ts) only its folders are left to check.
  const link = s?.isSymbolicLink() ? page.path : folders ? await folders(page.path) : await linkIn(workspace, page.path);
  if (link !== undefined) {
    skips?.set(page.id, linkRefused(page.path, link));
    return 'modified';
  }
  if (!s || !s.isFile()) return 'missing';
  if (s.size === page.size && Math.abs(s.mtimeMs - page.mtimeMs) < 1) return 'unchanged';
  let facts;
  try {
    facts = await hashFileSafe(workspace, page.path, text);
  } catch (err) {
    // Deleted or renamed between the stat and the read (someone is editing meanwhile).
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    if (!isSkipped(err)) throw err;
    skips?.set(page.id, err);
    return 'modified';
  }
  if (facts.sha256 === page.hash) {
    hashed?.(page, s);
    return 'unchanged';
  }
  if (facts.text === false) skips?.set(page.id, notUtf8(page.path));
  return 'modified';
}

/** Told of each file a scan hashed and found unchanged, with the stat taken before the hash (mtimes.ts stores it). */
export type Hashed<T> = (page: T, before: { size: number; mtimeMs: number; ino: number }) => void;

export async function observeAll<T extends ObservedPage>(workspace: string, pages: readonly T[], concurrency = 16, skips?: Skips, text = false, hashed?: Hashed<T>): Promise<Map<string, LocalState>> {
  const out = new Map<string, LocalState>();
  const folders = folderLinks(workspace);
  // Tasks added as places free up (eachBounded), not one queued closure per page up front.
  await eachBounded(pages, concurrency, async (p) => {
    out.set(p.id, await observe(workspace, p, skips, text, hashed, folders));
  });
  return out;
}

/**
 * A pull moves a file whose path changes aside to `cache/moving/<id><ext>` and then records that. A pull stopped
 * between the two leaves the record at the old path and the file aside: without this, the next push would take the
 * file for deleted and trash its page. Missing files found there are put back (`repair`) or observed where they are
 * (dry runs and status write nothing). Returns how many were found.
 *
 * Putting back never overwrites: a file the user created at the page's path after the scan stays, the page's file
 * stays in cache/moving, and the page is left alone by this run (in `skips`, with a warning naming both paths; the
 * next run takes it from there).
 */
export async function recoverMovedAside(workspace: string, pages: readonly ObservedPage[], local: Map<string, LocalState>, ext: string, repair: boolean, skips?: Skips): Promise<number> {
  let found = 0;
  // One listing of cache/moving (empty or absent unless a pull stopped while moving files), not a stat per page.
  let moving: Set<string>;
  try {
    moving = new Set((await readdir(inside(workspace, 'cache/moving'), { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name));
  } catch {
    return 0;
  }
  if (!moving.size) return 0;
  for (const p of pages) {
    if (p.path.startsWith('cache/') || !moving.has(`${p.id}${ext}`)) continue;
    const aside = `cache/moving/${p.id}${ext}`;
    if ((local.get(p.id) ?? 'missing') !== 'missing') {
      // A file is at the page's path again (the user's, made after the pull stopped): the copy set aside is the
      // page's earlier file. The same bytes: only a duplicate, dropped. Other bytes: both kept and the page left
      // alone, every run saying so, until the user picks (never a silent copy that no run looks at again).
      found++;
      await settleAside(workspace, p, aside, repair, skips);
      continue;
    }
    if (!(await statOrUndefined(inside(workspace, aside)))) continue;
    found++;
    if (repair && (await linkIn(workspace, p.path)) === undefined) {
      if (await moveNoClobber(workspace, aside, p.path)) {
        local.set(p.id, await observe(workspace, p));
        continue;
      }
      skips?.set(p.id, occupied(p.path, aside));
      local.set(p.id, 'modified');
    } else local.set(p.id, await observe(workspace, { ...p, path: aside }));
  }
  return found;
}

async function settleAside(workspace: string, p: ObservedPage, aside: string, repair: boolean, skips?: Skips): Promise<void> {
  let same = false;
  try {
    same = (await hashFileSafe(workspace, aside)).sha256 === (await hashFileSafe(workspace, p.path)).sha256;
  } catch {
    // A link, a file gone or unreadable: not settled here (the page's own observation reports a link).
  }
  if (same) {
    if (repair) await unlink(inside(workspace, aside)).catch(() => {});
    return;
  }
  skips?.set(
    p.id,
    new SkippedFile(p.path, 'changed', `${p.path}: an earlier copy of this page's file, set aside by a pull that stopped, is at ${aside} and differs from the file there now; keep what you need in ${p.path}, delete ${aside}, and run again`),
  );
}

function occupied(path: string, aside: string): SkippedFile {
  return new SkippedFile(path, 'changed', `${path}: a file appeared here while csync was putting the page's file back from ${aside}; both left as they are (the next run takes it)`);
}

/** Reports a file the run left alone: one warning naming it, and its path among the skipped (exit 10). */
export function reportSkip(summary: { warnings: string[]; skipped: string[] }, err: SkippedFile): void {
  if (summary.skipped.includes(err.path)) return;
  summary.skipped.push(err.path);
  summary.warnings.push(err.message);
}

/** A path Confluence refused (413: too large) joins the paths left unsynced on purpose; its warning is the caller's. */
export function markSkipped(summary: { skipped: string[] }, path: string): void {
  if (!summary.skipped.includes(path)) summary.skipped.push(path);
}
