/**
 * Settling a conflict recorded by pull, push or sync: keep the local file (pushed next), the remote version, or the
 * user's hand merge. `csync resolve` runs it under the workspace lock; while the daemon holds the lock, the command
 * sends it to the daemon, which runs it between two engine runs (src/daemon/control.ts).
 */
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CsyncError } from '../core/errors.js';
import { inside, moveFile, sha256, statOrUndefined, trashPath } from '../local/files.js';
import { readTextSafe, writeFileSafe } from '../local/safe-fs.js';
import { openStateStore, type BaseAttachment, type StateStore } from '../state/index.js';
import { shellQuote } from './summary.js';

export type Keep = 'local' | 'remote' | 'merged';

export interface ResolveResult {
  /** One line for people. */
  message: string;
  /** The JSON result (--json). */
  data: { ok: true; path: string; keep: Keep; dryRun?: true };
}

function result(dryRun: boolean, what: string, path: string, keep: Keep): ResolveResult {
  return dryRun ? { message: `Dry run: would ${what}.`, data: { ok: true, dryRun: true, path, keep } } : { message: `Resolved: ${what}.`, data: { ok: true, path, keep } };
}

/** An attachment changed on both sides: the local file, or the remote one saved beside it as a conflict copy. */
async function resolveAttachment(ws: string, state: StateStore, att: BaseAttachment, keep: Keep, dryRun: boolean): Promise<ResolveResult> {
  if (keep === 'merged') {
    throw new CsyncError('CSYNC_USAGE', `${att.path} is an attachment: its versions cannot be merged`, { hint: `choose one: csync resolve ${shellQuote(att.path)} --keep local (or --keep remote)` });
  }
  const what =
    keep === 'local'
      ? `keep ${att.path}; the next csync push uploads it as a new version over the remote version ${att.version}`
      : `replace ${att.path} with the remote version ${att.version}${att.copyPath ? ` from ${att.copyPath}` : ''}`;
  if (dryRun) return result(true, what, att.path, keep);
  const abs = inside(ws, att.path);
  const copyAbs = att.copyPath ? inside(ws, att.copyPath) : undefined;
  if (keep === 'remote') {
    if (!copyAbs || !(await statOrUndefined(copyAbs))) {
      throw new CsyncError('CSYNC_USAGE', `the remote copy ${att.copyPath ?? ''} of ${att.path} is gone`, { hint: 'use --keep local, or delete the file and run csync pull' });
    }
    // The local file goes to cache/trash (recoverable), the copy takes its place.
    if (await statOrUndefined(abs)) await moveFile(abs, trashPath(ws, att.path));
    await moveFile(copyAbs, abs);
    const st = await statOrUndefined(abs);
    state.saveAttachment({ ...att, size: st?.size ?? att.size, mtimeMs: st?.mtimeMs ?? 0, status: 'synced', copyPath: null });
  } else {
    // The record holds the remote file's hash and version: the local file differs, so push sends it as version + 1.
    state.saveAttachment({ ...att, status: 'synced', copyPath: null });
    if (copyAbs) await unlink(copyAbs).catch(() => undefined);
  }
  return result(false, what, att.path, keep);
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
    const abs = inside(ws, conflict.path);
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
    const what =
      keep === 'local' || keep === 'merged'
        ? `keep ${conflict.path}; the next csync push uploads it over the remote version ${conflict.remoteVersion}`
        : `replace ${conflict.path} with the remote version${conflict.copyPath ? ` from ${conflict.copyPath}` : ' (page deleted remotely: the file goes to cache/trash)'}`;
    if (dryRun) return result(true, what, conflict.path, keep);
    if (conflict.kind === 'deleted-remote-modified-local' || !conflict.copyPath) {
      if (keep === 'remote' && (await statOrUndefined(abs))) await moveFile(abs, trashPath(ws, conflict.path));
      // keep local: forget the deleted page; the file (with its old id) is pushed as a new page.
      state.transaction(() => {
        state.deletePage(conflict.pageId);
        state.removeConflict(conflict.pageId);
      });
    } else {
      const copyAbs = inside(ws, conflict.copyPath);
      // Never through a link (safe-fs): a copy swapped for a link is refused, not read.
      const remoteText = await readTextSafe(ws, conflict.copyPath);
      if (!page) throw new CsyncError('CSYNC_INTERNAL', `conflict for ${conflict.path} has no page record`);
      if (keep !== 'remote') {
        // The remote text becomes the base: the file differs from it, so the next push sends it with version = remote + 1.
        state.transaction(() => {
          state.savePage({ ...page, version: conflict.remoteVersion, base: remoteText, hash: sha256(remoteText), size: -1, status: 'synced' });
          state.removeConflict(conflict.pageId);
        });
      } else {
        const { size, mtimeMs } = await writeFileSafe(ws, conflict.path, remoteText);
        state.transaction(() => {
          state.savePage({ ...page, version: conflict.remoteVersion, base: remoteText, hash: sha256(remoteText), size, mtimeMs, status: 'synced' });
          state.removeConflict(conflict.pageId);
        });
      }
      await unlink(copyAbs).catch(() => undefined);
    }
    return result(false, what, conflict.path, keep);
  } finally {
    state.close();
  }
}
