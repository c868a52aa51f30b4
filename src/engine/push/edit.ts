/** An edited, renamed or moved tracked file: one PUT at base + 1 (no GET first), labels, then its record. */
import { parseFile } from '../../format/front-matter.js';
import { storageEquals } from '../../format/index.js';
import { sha256 } from '../../local/files.js';
import type { BasePage } from '../../state/index.js';
import { pendingUpdate, settlePendingUpdate } from '../sent.js';
import { baseStorageOf, convert, normalisedBody, pageText, parentFor, sortedLabels, versionMeta, withBaseAttrs, withBody, type Ctx } from './context.js';
import { resolveConflict } from './conflict.js';
import { saveSynced, syncLabels } from './record.js';
import { markSkipped } from '../scan.js';

/**
 * `relink`: the page is unchanged here but holds links to files that are pages now (relink.ts): it is compared with
 * the storage Confluence holds (its base body), not with its base file converted today, and sent when they differ.
 */
export async function pushEdit(ctx: Ctx, b: BasePage, path: string, relink = false): Promise<void> {
  const { api } = ctx.options;
  const { summary } = ctx;
  if (b.status !== 'synced') {
    summary.pages.skippedConflicts++;
    summary.conflicts.push({ path: b.path, copyPath: ctx.state.conflicts().find((c) => c.pageId === b.id)?.copyPath ?? null, kind: 'unresolved' });
    return;
  }
  const read = await pageText(ctx, path);
  // Deleted or moved since the scan (someone is editing meanwhile): the next run sees it as it is then.
  if (read === undefined) return;
  const { text, seen } = read;
  const local = parseFile(text);
  if (!local.ok) {
    summary.warnings.push(`${path}: front matter unreadable (${local.error}); not pushed`);
    return;
  }
  // Relinking sends a page unchanged here; one edited since is not this run's to send (out of its paths, or changed
  // while the push runs): its own push writes its links.
  if (relink && text !== b.base) return;
  const title = local.meta.title ? String(local.meta.title) : b.title;
  const moved = path !== b.path;
  const parentId = moved ? parentFor(ctx, path) : b.parentId;
  if (moved && parentId === null) {
    summary.warnings.push(`${path}: no page for its folder; not moved`);
    return;
  }
  const newParent = moved ? (parentId === undefined ? (await api.getSpaceByKey(ctx.spaceKey)).homepageId : parentId) : b.parentId;
  if (moved && newParent !== b.parentId && isInside(ctx, newParent, b.id)) {
    summary.warnings.push(`${path}: its folder's page is inside this page; a page cannot be moved under itself; not moved`);
    return;
  }
  const labels = sortedLabels(local.meta.labels);
  const baseLabels = sortedLabels(b.labels);
  const { text: storage, unresolved } = convert(ctx, path, title, local.body);
  // Compared with the base file as converted today (planning converted it: the memo gives it back); the base file's
  // text is not held past this (a big page's copies add up: BENCHMARKS.md, push-huge-page).
  const sameAsBaseFile = !relink && storageEquals(storage, baseStorageOf(ctx, b, parseFile(b.base).body));
  b = { ...b, base: '' };
  let baseBody = ctx.state.baseBody(b.id, b.version);
  // The file leaves out what Confluence adds (local ids, macro ids): the base's storage body gives them back, put on
  // the storage converted above (the body is converted once).
  const restored = () => (baseBody === undefined ? storage : withBaseAttrs(ctx, storage, baseBody));
  let body: string | undefined;
  const bodySame = relink ? baseBody !== undefined && storageEquals((body = restored()), baseBody) : sameAsBaseFile;
  const contentSame = bodySame && title === b.title && newParent === b.parentId;
  let version = b.version;
  let remoteTitle = b.title;
  let saved = text;
  if (!contentSame) {
    // Recorded before the request, removed with the page's new record (sent.ts): a rerun after a stop in between
    // recognises this version as its own.
    body ??= restored();
    const sent = pendingUpdate({ api, pageId: b.id, spaceKey: ctx.spaceKey, path, fromVersion: b.version, version: b.version + 1, title, parentId: newParent ?? null, storage: body, text, fileText: text, labelsFrom: baseLabels, labels });
    ctx.state.addPendingUpdate(sent);
    baseBody = undefined;
    try {
      // Only the version and title of the answer are kept (it holds the body again).
      ({ version: { number: version }, title: remoteTitle } = await api.updatePage({ id: b.id, title, parentId: newParent, body, version: b.version + 1, ...versionMeta(ctx) }));
      ctx.state.saveBaseBody(b.id, version, body);
      ctx.state.setUnresolvedLinks(b.id, unresolved);
      const normalised = normalisedBody(ctx, path, title, local.body, body);
      if (normalised !== undefined) saved = withBody(text, local.body, normalised);
      summary.written.push({ id: b.id, version });
      summary.pages.updated++;
      if (moved) summary.pages.moved++;
      if (title !== b.title) summary.pages.renamed++;
    } catch (err) {
      const code = (err as { code?: string }).code;
      // A 409 against the version this update makes: our own write when it holds what we sent (an earlier attempt
      // whose answer was lost).
      if (code === 'CSYNC_VERSION_CONFLICT' && (await settlePendingUpdate({ workspace: ctx.options.workspace, api, state: ctx.state, log: ctx.log }, sent))) {
        summary.written.push({ id: b.id, version: sent.version });
        summary.pages.updated++;
        return;
      }
      if (relink && code === 'CSYNC_VERSION_CONFLICT') {
        // Changed in Confluence since the last pull: the next push after a pull writes its links.
        ctx.state.removePendingUpdate(b.id);
        summary.warnings.push(`${path}: changed in Confluence since the last pull; its links to new pages are written by the next push after a pull`);
        return;
      }
      // Refused: nothing was written.
      if (code === 'CSYNC_BAD_REQUEST' || code === 'CSYNC_NOT_FOUND' || code === 'CSYNC_VERSION_CONFLICT' || code === 'CSYNC_TOO_LARGE') ctx.state.removePendingUpdate(b.id);
      if (code === 'CSYNC_BAD_REQUEST' || code === 'CSYNC_TOO_LARGE' || (code === 'CSYNC_NOT_FOUND' && moved && newParent !== b.parentId)) {
        // Refused for this page alone (the new parent deleted since the last pull, a title taken, too large, ...):
        // reported, and the rest of the run goes on. The file stays as it is, unpushed.
        summary.warnings.push(`${path}: not pushed: ${(err as Error).message}`);
        if (code === 'CSYNC_TOO_LARGE') markSkipped(summary, path);
        return;
      }
      if (code !== 'CSYNC_VERSION_CONFLICT' && code !== 'CSYNC_NOT_FOUND') throw err;
      await resolveConflict(ctx, { ...b, base: ctx.state.pageBase(b.id) ?? '' }, path, text, newParent ?? null, seen);
      return;
    }
  }
  if (relink && contentSame) {
    ctx.state.setUnresolvedLinks(b.id, unresolved);
    return;
  }
  if (JSON.stringify(labels) !== JSON.stringify(baseLabels)) await syncLabels(ctx, b.id, baseLabels, labels);
  if (contentSame && JSON.stringify(labels) === JSON.stringify(baseLabels)) summary.pages.unchanged++;
  // A body the converter writes differently is written back once, as every later pull gives it (only if the file
  // still holds what was sent).
  await saveSynced(ctx, b, path, saved, { version, title: remoteTitle, parentId: newParent ?? null }, labels, saved !== text, saved !== text ? { hash: sha256(text) } : undefined, seen);
}

/** Whether page `id` is `ancestor` or below it, by the parents in the state. */
function isInside(ctx: Ctx, id: string | null, ancestor: string): boolean {
  for (let hops = 0; id && hops < 1000; hops++) {
    if (id === ancestor) return true;
    id = ctx.state.page(id)?.parentId ?? null;
  }
  return false;
}
