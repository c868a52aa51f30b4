/**
 * Pending updates: what a push sent, recorded before each update request (as pending.ts does for creates) and
 * removed in the transaction that records the page's new version. A run that stops in between (kill -9, crash,
 * timeout, lost answer) leaves the record; the next push or pull settles it before it plans anything:
 *
 * - Landed: the page has the version the update made (now, or as an earlier version when someone edited since)
 *   with the title and the body sent. It is our write, not someone else's edit: the page is recorded at that
 *   version with the text sent as its base, and the labels the update was to set are set. The file is left as the
 *   user has it; a file still holding what was sent is synced, a file edited since is a local edit on top of it.
 *   A merge (push's 409 path) sends a text the file does not hold yet: it is written into the file only when the
 *   file is still what the merge was made from; otherwise the record is dropped and the next push merges again.
 * - Not landed (the version is not there, someone else made it, the page is gone): the record is dropped and the
 *   page is pushed, pulled or merged as usual.
 *
 * Without this, a rerun took the version it had made itself for a remote edit: a 409, a three-way merge of the
 * file against Confluence's rendering of it, and a false conflict whenever the rendering differs from the file.
 * No record, no work: a run without pending updates makes no extra request.
 */
import { sha256 } from '../local/files.js';
import { isSkipped, lstatIn, readTextSafe, writeFileSafe } from '../local/safe-fs.js';
import type { Logger } from '../obs/logger.js';
import type { BasePage, PendingUpdate, StateStore } from '../state/index.js';
import { storageHash } from './pending.js';
import type { SyncApi } from './types.js';

export interface SentContext {
  workspace: string;
  api: SyncApi;
  state: StateStore;
  log: Logger;
  /**
   * A dry run's settle: `state` is a scratch copy (see openStateStore's `scratch`); no file is written and no label
   * request sent. A merge the real run would write into the file is recorded as the file's own text, so the plan
   * made after it is the real run's (the file is in sync either way).
   */
  dryRun?: boolean;
  /** Pages whose labels a settle changes (or, in a dry run, would change): the caller reports them as plan lines. */
  labelled?: Array<{ path: string; id: string }>;
}

/** The record to write right before an update request. */
export function pendingUpdate(input: Omit<PendingUpdate, 'bodyHash' | 'fileHash' | 'startedAt'> & { storage: string; fileText: string; api: SyncApi }): PendingUpdate {
  const { storage, fileText, api, ...rest } = input;
  return { ...rest, bodyHash: storageHash(storage), fileHash: sha256(fileText), startedAt: new Date(Date.now() + (api.clockSkewMs?.() ?? 0)).toISOString() };
}

/** Settles every pending update of a space (see the module comment). Returns the versions recognised as ours. */
export async function settlePendingUpdates(ctx: SentContext, spaceKey: string): Promise<Array<{ id: string; version: number }>> {
  const out: Array<{ id: string; version: number }> = [];
  for (const r of ctx.state.pendingUpdates(spaceKey)) if (await settlePendingUpdate(ctx, r)) out.push({ id: r.pageId, version: r.version });
  return out;
}

/** Settles one pending update: true when Confluence holds it and the page is now recorded at its version. */
export async function settlePendingUpdate(ctx: SentContext, r: PendingUpdate): Promise<boolean> {
  const b = ctx.state.page(r.pageId);
  // Recorded since (or the page forgotten): nothing to settle.
  if (!b || b.version !== r.fromVersion) {
    ctx.state.removePendingUpdate(r.pageId);
    return false;
  }
  const remote = await ourVersion(ctx.api, r);
  if (!remote) {
    ctx.state.removePendingUpdate(r.pageId);
    ctx.log.info({ path: r.path, id: r.pageId }, 'an update that was stopped had not reached Confluence; pushed again as usual');
    return false;
  }
  // The file as the user has it now: stat, read, stat (an edit in between is not taken for the text read).
  // Recorded where the update was sent from (a move's new path), unless another page took that path since.
  const holder = ctx.state.pageByPath(r.path)?.id ?? r.pageId;
  const at = holder === r.pageId ? r.path : b.path;
  // Never through a link (safe-fs): a file that became one is read as no file.
  const before = await lstatIn(ctx.workspace, at);
  const now = before?.isFile() ? await readTextSafe(ctx.workspace, at).catch(() => undefined) : undefined;
  const after = now !== undefined ? await lstatIn(ctx.workspace, at) : undefined;
  let stat: { size: number; mtimeMs: number } | undefined = before && after && before.mtimeMs === after.mtimeMs && before.size === after.size ? after : undefined;
  const fileHash = now === undefined ? undefined : sha256(now);
  const merged = sha256(r.text) !== r.fileHash;
  if (merged) {
    if (fileHash !== r.fileHash) {
      // The file changed since the merge was made: the next push merges again (Confluence has the merge).
      ctx.state.removePendingUpdate(r.pageId);
      return false;
    }
    // A dry run writes no file: the file as it is stands for the merge the real run writes into it (both in sync).
    if (ctx.dryRun) return recordSettled(ctx, r, b, at, remote.labels, now!, true, stat);
    // Re-checked right before the rename (writeFileSafe): still what the merge was made from, and no link.
    try {
      stat = await writeFileSafe(ctx.workspace, at, r.text, { hash: r.fileHash });
    } catch (err) {
      if (!isSkipped(err)) throw err;
      ctx.state.removePendingUpdate(r.pageId);
      return false;
    }
  }
  const synced = merged || fileHash === sha256(r.text);
  return recordSettled(ctx, r, b, at, remote.labels, r.text, synced, stat);
}

/** Sets the labels and records the page at the version the update made, with `base` as its text. */
async function recordSettled(ctx: SentContext, r: PendingUpdate, b: BasePage, at: string, remoteLabels: string[] | undefined, base: string, synced: boolean, stat: { size: number; mtimeMs: number } | undefined): Promise<boolean> {
  await setLabels(ctx, r, at, remoteLabels);
  ctx.state.transaction(() => {
    ctx.state.savePage({
      ...b,
      path: at,
      title: r.title,
      parentId: r.parentId,
      version: r.version,
      base,
      hash: sha256(base),
      // A file edited since the update is hashed by the next scan (a local edit on top of what was sent).
      size: synced && stat ? stat.size : -1,
      mtimeMs: synced && stat ? stat.mtimeMs : 0,
      labels: r.labels,
      status: 'synced',
    });
    ctx.state.removeConflict(r.pageId);
    ctx.state.clearStaged(r.pageId);
    ctx.state.removePendingUpdate(r.pageId);
  });
  ctx.log.info({ path: at, id: r.pageId, version: r.version }, 'recorded an update that was stopped after it reached Confluence');
  return true;
}

/** The page, when the version the update made is ours (title and body as sent); its current labels with it. */
async function ourVersion(api: SyncApi, r: PendingUpdate): Promise<{ labels: string[] | undefined } | undefined> {
  const current = await api.getPage(r.pageId, { body: true, labels: true });
  if (!current || current.status !== 'current' || current.version.number < r.version) return undefined;
  const made = current.version.number === r.version ? current : await api.getPageVersion?.(r.pageId, r.version);
  if (!made || made.version.number !== r.version || made.title !== r.title || made.body === undefined) return undefined;
  return storageHash(made.body) === r.bodyHash ? { labels: current.labels } : undefined;
}

/** The labels the update was to set, changed from what it started from (someone else's label changes stay). */
async function setLabels(ctx: SentContext, r: PendingUpdate, at: string, remote: string[] | undefined): Promise<void> {
  const have = new Set(remote ?? r.labelsFrom);
  const add = r.labels.filter((l) => !r.labelsFrom.includes(l) && !have.has(l));
  const remove = r.labelsFrom.filter((l) => !r.labels.includes(l) && have.has(l));
  if (add.length || remove.length) ctx.labelled?.push({ path: at, id: r.pageId });
  if (ctx.dryRun) return;
  if (add.length) await ctx.api.addLabels(r.pageId, add);
  for (const l of remove) await ctx.api.removeLabel(r.pageId, l);
}
