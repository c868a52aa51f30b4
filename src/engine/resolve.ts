/**
 * Settling a conflict recorded by pull, push or sync: keep the local file (pushed next), the remote version, or the
 * user's hand merge. `csync resolve` runs it under the workspace lock; while the daemon holds the lock, the command
 * sends it to the daemon, which runs it between two engine runs (src/daemon/control.ts).
 */
import { unlink } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { CsyncError } from '../core/errors.js';
import { parentFolderFile } from '../core/push-plan.js';
import { composeFile, parseFile } from '../format/front-matter.js';
import { inside, sha256, statOrUndefined, trashPath } from '../local/files.js';
import { hashFileSafe, lstatIn, moveSafe, readTextSafe, writeFileSafe } from '../local/safe-fs.js';
import { openStateStore, type BaseAttachment, type BasePage, type ConflictRecord, type StateStore } from '../state/index.js';
import { shellQuote } from './summary.js';

export type Keep = 'local' | 'remote' | 'merged';

export interface ResolveResult {
  /** One line for people. */
  message: string;
  /** The JSON result (--json). `trashed`: where the replaced local file was kept (workspace-relative). */
  data: { ok: true; path: string; keep: Keep; dryRun?: true; trashed?: string };
}

function result(dryRun: boolean, what: string, path: string, keep: Keep, trashed?: string): ResolveResult {
  if (dryRun) return { message: `Dry run: would ${what}.`, data: { ok: true, dryRun: true, path, keep } };
  // The run says where the replaced file went (its folder is named by the time, so the dry run cannot).
  return { message: `Resolved: ${what}.${trashed ? ` Your file is kept at ${shellQuote(trashed)}.` : ''}`, data: { ok: true, path, keep, ...(trashed ? { trashed } : {}) } };
}

/**
 * Moves the local file at `rel` to cache/trash/<time>/<rel> (recoverable; never through a link: a link there is
 * refused, not moved) and returns where it went, workspace-relative. Nothing csync replaces is lost.
 */
async function trashLocal(ws: string, rel: string): Promise<string> {
  const to = relative(ws, trashPath(ws, rel)).split(sep).join('/');
  await moveSafe(ws, rel, to);
  return to;
}

/** What `--keep local` drops is the remote version: it stays in the page's history in Confluence. */
const inHistory = (version: number) => ` (version ${version} stays in the page's history in Confluence)`;

/** An attachment changed on both sides: the local file, or the remote one saved beside it as a conflict copy. */
async function resolveAttachment(ws: string, state: StateStore, att: BaseAttachment, keep: Keep, dryRun: boolean): Promise<ResolveResult> {
  if (keep === 'merged') {
    throw new CsyncError('CSYNC_USAGE', `${att.path} is an attachment: its versions cannot be merged`, { hint: `choose one: csync resolve ${shellQuote(att.path)} --keep local (or --keep remote)` });
  }
  const abs = inside(ws, att.path);
  const copyAbs = att.copyPath ? inside(ws, att.copyPath) : undefined;
  const local = keep === 'remote' ? await lstatIn(ws, att.path) : undefined;
  const what =
    keep === 'local'
      ? `keep ${att.path}; the next csync push uploads it as a new version over the remote version ${att.version}${inHistory(att.version)}`
      : `replace ${att.path} with the remote version ${att.version}${att.copyPath ? ` from ${att.copyPath}` : ''}${local ? '; your file goes to cache/trash' : ''}`;
  if (dryRun) return result(true, what, att.path, keep);
  let trashed: string | undefined;
  if (keep === 'remote') {
    if (!att.copyPath || !(await lstatIn(ws, att.copyPath))) {
      throw new CsyncError('CSYNC_USAGE', `the remote copy ${att.copyPath ?? ''} of ${att.path} is gone`, { hint: 'use --keep local, or delete the file and run csync pull' });
    }
    // The local file goes to cache/trash (recoverable), the copy takes its place; never through a link.
    if (local) trashed = await trashLocal(ws, att.path);
    await moveSafe(ws, att.copyPath, att.path);
    const st = await statOrUndefined(abs);
    state.saveAttachment({ ...att, size: st?.size ?? att.size, mtimeMs: st?.mtimeMs ?? 0, status: 'synced', copyPath: null });
  } else {
    // The record holds the remote file's hash and version: the local file differs, so push sends it as version + 1.
    state.saveAttachment({ ...att, status: 'synced', copyPath: null });
    if (copyAbs) await unlink(copyAbs).catch(() => undefined);
  }
  return result(false, what, att.path, keep, trashed);
}

/**
 * A new remote page arrived where a new local file (no page tracks it) already was: pull kept the file and saved the
 * remote version beside it as a conflict copy, and recorded no page. Settling it makes the page's record from the copy
 * (its front matter gives id, title and labels; its folder's page is its parent): --keep remote puts the copy's text
 * in the file (the local file goes to cache/trash), --keep local or merged tracks the local file as that page at the
 * remote version, so the next push updates the page (version + 1) instead of creating another. Every check runs
 * before the dry run returns: a dry run fails where the run would.
 */
async function resolveClash(ws: string, state: StateStore, conflict: ConflictRecord, keep: Keep, dryRun: boolean): Promise<ResolveResult> {
  const { path, copyPath, pageId } = conflict;
  const retry = { hint: 'move your file elsewhere and run csync pull: the page takes its path' };
  if (!copyPath) throw new CsyncError('CSYNC_INTERNAL', `conflict for ${path} has no remote copy`);
  // Never through a link (safe-fs): a copy swapped for a link is refused, not read.
  const remoteText = await readTextSafe(ws, copyPath).catch(() => {
    throw new CsyncError('CSYNC_USAGE', `the remote copy ${copyPath} of ${path} is gone or unreadable`, retry);
  });
  const remote = parseFile(remoteText);
  if (!remote.ok || remote.meta.id !== pageId) throw new CsyncError('CSYNC_USAGE', `the remote copy ${copyPath} no longer holds page ${pageId}`, retry);
  const other = state.page(pageId);
  if (other) throw new CsyncError('CSYNC_USAGE', `page ${pageId} is already tracked at ${other.path}`, retry);
  // The parent is the page whose folder holds the file (where pull put it); content/SPACE/X has none here.
  const folder = parentFolderFile(path, extname(path));
  const parent = state.pageByPath(folder);
  if (!parent && path.split('/').length > 3) {
    const first = state.conflicts().some((c) => c.path === folder);
    throw new CsyncError('CSYNC_USAGE', `no page tracks ${folder}, the page of ${path}'s folder`, first ? { hint: `resolve ${shellQuote(folder)} first` } : retry);
  }
  const local = await lstatIn(ws, path);
  const labels = Array.isArray(remote.meta.labels) ? remote.meta.labels.map(String).sort() : [];
  const title = remote.meta.title !== undefined ? String(remote.meta.title) : path.slice(path.lastIndexOf('/') + 1, -extname(path).length || undefined);
  // keep local/merged: the file is the page's text as it is, front matter included; what it does not say yet (the
  // page's id; its title and labels if it names none) is added from the copy, as pull would have written them, so the
  // push neither takes the file for another page nor drops the page's labels.
  let kept: { text: string; withMeta: string; added: string[] } | undefined;
  if (keep !== 'remote') {
    const text = await readTextSafe(ws, path).catch(() => {
      throw new CsyncError('CSYNC_USAGE', `${path} is missing or unreadable: there is no local file to keep`, { hint: 'use --keep remote to take the Confluence version' });
    });
    const mine = parseFile(text);
    if (!mine.ok) throw new CsyncError('CSYNC_USAGE', `${path}: front matter unreadable (${mine.error}); nothing was changed`, { hint: 'fix or remove the front matter, then run resolve again' });
    if (mine.meta.id !== undefined && mine.meta.id !== pageId) {
      throw new CsyncError('CSYNC_USAGE', `${path} names page ${mine.meta.id} in its front matter, not ${pageId}; nothing was changed`, { hint: 'remove the id line to make it this page, then run resolve again' });
    }
    const added = [...(mine.meta.id === undefined ? ['id'] : []), ...(mine.meta.title === undefined ? ['title'] : []), ...(mine.meta.labels === undefined && labels.length ? ['labels'] : [])];
    const meta = { ...mine.meta, id: pageId, title: mine.meta.title ?? title, labels: mine.meta.labels ?? labels };
    kept = { text, withMeta: added.length ? composeFile(meta, mine.body) : text, added };
  }
  const addedNote = kept?.added.length ? `, with the page's ${kept.added.join(', ').replace(/, (?=[^,]*$)/, ' and ')} added to its front matter` : '';
  const what =
    keep === 'remote'
      ? `replace ${path} with the remote version ${conflict.remoteVersion} from ${copyPath}${local ? '; your file goes to cache/trash' : ''}`
      : `keep ${path}${addedNote}; the next csync push uploads it over the remote version ${conflict.remoteVersion}${inHistory(conflict.remoteVersion)}`;
  if (dryRun) return result(true, what, path, keep);
  let trashed: string | undefined;
  const page: BasePage = { id: pageId, spaceKey: path.split('/')[1]!, parentId: parent?.id ?? null, title, position: null, version: conflict.remoteVersion, path, hash: sha256(remoteText), size: -1, mtimeMs: 0, base: remoteText, labels, status: 'synced' };
  if (keep === 'remote') {
    // The local file goes to cache/trash (recoverable), then the remote text takes its place.
    if (local) trashed = await trashLocal(ws, path);
    const { size, mtimeMs } = await writeFileSafe(ws, path, remoteText, { absent: true });
    page.size = size;
    page.mtimeMs = mtimeMs;
  } else if (kept && kept.withMeta !== kept.text) {
    // Only over the file as read: a save since then is not written over (the run fails, the conflict stays).
    await writeFileSafe(ws, path, kept.withMeta, { hash: sha256(kept.text) });
  }
  // keep local: the remote text is the base, the file differs from it, so the next push sends it as remote + 1.
  state.transaction(() => {
    state.savePage(page);
    state.removeConflict(pageId);
  });
  await unlink(inside(ws, copyPath)).catch(() => undefined);
  return result(false, what, path, keep, trashed);
}

/** Resolves the conflict of `path` (the conflicted file or its copy, workspace-relative). The caller holds the lock (or dryRun). */
export async function resolveConflict(ws: string, path: string, keep: Keep, dryRun: boolean): Promise<ResolveResult> {
  const dbPath = join(ws, 'cache', 'state.db');
  if (!(await statOrUndefined(dbPath))) throw new CsyncError('CSYNC_USAGE', 'no conflicts: nothing has been synced in this workspace');
  const state = openStateStore(dbPath, dryRun ? { readonly: true } : undefined);
  try {
    const conflict = state.conflicts().find((c) => c.path === path || c.copyPath === path);
    const att = conflict ? undefined : state.attachmentConflicts().find((a) => a.path === path || a.copyPath === path);
    if (att) return await resolveAttachment(ws, state, att, keep, dryRun);
    if (!conflict) throw new CsyncError('CSYNC_USAGE', `no conflict recorded for ${path}`, { hint: 'csync status lists the conflicts' });
    const page = state.page(conflict.pageId);
    if (keep === 'merged') {
      const text = await readTextSafe(ws, conflict.path).catch(() => {
        throw new CsyncError('CSYNC_USAGE', `${conflict.path} is missing: there is no hand merge to keep`, { hint: 'use --keep remote to take the Confluence version' });
      });
      const marker = text.split('\n').findIndex((l) => /^(<{7}|>{7}|={7}|\|{7})( |$)/.test(l));
      if (marker >= 0) {
        // Not a usage error: the conflict remains (exit 6), nothing was changed.
        throw new CsyncError('CSYNC_CONFLICTS', `${conflict.path} still has a conflict marker at line ${marker + 1}; the conflict stays`, { hint: 'finish the merge in the file, then run resolve --keep merged again' });
      }
    }
    if (conflict.kind === 'untracked-local-file') return await resolveClash(ws, state, conflict, keep, dryRun);
    const deleted = conflict.kind === 'deleted-remote-modified-local' || !conflict.copyPath;
    // Never through a link (safe-fs): a copy swapped for a link is refused, not read. Read before a dry run returns,
    // so the dry run fails where the run would.
    const remoteText = deleted ? undefined : await readTextSafe(ws, conflict.copyPath!);
    if (!deleted && !page) throw new CsyncError('CSYNC_INTERNAL', `conflict for ${conflict.path} has no page record`);
    // --keep remote replaces the local file: unless it already holds the remote text, it goes to cache/trash first.
    const local = keep === 'remote' ? await lstatIn(ws, conflict.path) : undefined;
    const localHash = local?.isFile() ? (await hashFileSafe(ws, conflict.path)).sha256 : undefined;
    const toTrash = local !== undefined && (remoteText === undefined || localHash !== sha256(remoteText));
    const what =
      keep === 'local' || keep === 'merged'
        ? `keep ${conflict.path}; the next csync push uploads it ${deleted ? 'as a new page (the page was deleted in Confluence)' : `over the remote version ${conflict.remoteVersion}${inHistory(conflict.remoteVersion)}`}`
        : deleted
          ? `drop ${conflict.path} (the page was deleted in Confluence)${toTrash ? '; your file goes to cache/trash' : ''}`
          : `replace ${conflict.path} with the remote version ${conflict.remoteVersion} from ${conflict.copyPath}${toTrash ? '; your file goes to cache/trash' : ''}`;
    if (dryRun) return result(true, what, conflict.path, keep);
    let trashed: string | undefined;
    if (deleted) {
      if (keep === 'remote' && toTrash) trashed = await trashLocal(ws, conflict.path);
      // keep local: forget the deleted page; the file (with its old id) is pushed as a new page.
      state.transaction(() => {
        state.deletePage(conflict.pageId);
        state.removeConflict(conflict.pageId);
      });
    } else {
      const copyAbs = inside(ws, conflict.copyPath!);
      const text = remoteText!;
      if (keep !== 'remote') {
        // The remote text becomes the base: the file differs from it, so the next push sends it with version = remote + 1.
        state.transaction(() => {
          state.savePage({ ...page!, version: conflict.remoteVersion, base: text, hash: sha256(text), size: -1, status: 'synced' });
          state.removeConflict(conflict.pageId);
        });
      } else {
        // The local bytes go to cache/trash (recoverable) before the remote text takes the path; the write then
        // refuses a file saved there meanwhile (it is left for the next run, the conflict stays).
        if (toTrash) trashed = await trashLocal(ws, conflict.path);
        const { size, mtimeMs } = await writeFileSafe(ws, conflict.path, text, local && !toTrash ? { hash: localHash!, orAbsent: true } : { absent: true });
        state.transaction(() => {
          state.savePage({ ...page!, version: conflict.remoteVersion, base: text, hash: sha256(text), size, mtimeMs, status: 'synced' });
          state.removeConflict(conflict.pageId);
        });
      }
      await unlink(copyAbs).catch(() => undefined);
    }
    return result(false, what, conflict.path, keep, trashed);
  } finally {
    state.close();
  }
}
