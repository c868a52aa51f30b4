/** A 409 on an edit: the page is fetched and merged three-way; overlapping edits leave a conflict copy. */
import { decideConflict } from '../../core/push-plan.js';
import type { RemotePage } from '../../core/remote-types.js';
import { composeFile, parseFile } from '../../format/front-matter.js';
import { sha256 } from '../../local/files.js';
import { writeFileSafe } from '../../local/safe-fs.js';
import type { BasePage } from '../../state/index.js';
import { conflictCopyPath } from '../../merge/conflict-name.js';
import { merge3 } from '../merge.js';
import { pendingUpdate } from '../sent.js';
import { sortedLabels, toStorage, versionMeta, type Ctx } from './context.js';
import { saveSynced, syncLabels } from './record.js';

function remoteLocalText(ctx: Ctx, page: RemotePage, path: string): string {
  const converted = ctx.format.toLocal(page.body ?? '', { spaceKey: ctx.spaceKey, title: page.title, resolver: ctx.links.resolverFor(path) });
  return composeFile({ id: page.id, title: page.title, labels: page.labels ?? [] }, converted.text);
}

/** 409: someone else changed the page since our base. Merge three-way; overlapping edits become a conflict copy. */
export async function resolveConflict(ctx: Ctx, b: BasePage, path: string, localText: string, parentId: string | null, seen?: { size: number; mtimeMs: number }): Promise<void> {
  const { api } = ctx.options;
  const { summary } = ctx;
  const remote = await api.getPage(b.id, { body: true, labels: true });
  if (!remote || remote.status !== 'current') {
    ctx.state.transaction(() => {
      // Recorded where the file is (a move sent just now): the conflict names that path, and so must the page.
      ctx.state.savePage({ ...b, path, status: 'deleted-remote' });
      ctx.state.addConflict({ pageId: b.id, path, copyPath: null, remoteVersion: b.version, kind: 'deleted-remote-modified-local', createdAt: ctx.now().toISOString() });
    });
    summary.pages.conflicted++;
    summary.conflicts.push({ path, copyPath: null, kind: 'deleted-remote-modified-local' });
    return;
  }
  const remoteText = remoteLocalText(ctx, remote, path);
  const remoteLabels = sortedLabels(remote.labels);
  const decision = decideConflict(b.base, localText, remoteText, merge3);
  if (decision.kind === 'same') {
    await saveSynced(ctx, b, path, localText, { version: remote.version.number, title: remote.title, parentId: remote.parentId }, remoteLabels, false, undefined, seen);
    summary.pages.falseConflicts++;
    return;
  }
  if (decision.kind === 'conflict') {
    const copy = conflictCopyPath(path, ctx.now());
    await writeFileSafe(ctx.options.workspace, copy, remoteText, { absent: true });
    ctx.state.transaction(() => {
      ctx.state.savePage({ ...b, path, status: 'conflict', title: remote.title, parentId: remote.parentId });
      ctx.state.addConflict({ pageId: b.id, path, copyPath: copy, remoteVersion: remote.version.number, kind: 'both-modified', createdAt: ctx.now().toISOString() });
    });
    summary.pages.conflicted++;
    summary.conflicts.push({ path, copyPath: copy, kind: 'both-modified' });
    ctx.log.warn({ path, copy }, 'changed on both sides: your file is kept, the remote version is saved beside it');
    return;
  }
  const m = { text: decision.text };
  const merged = parseFile(m.text);
  const title = merged.meta.title ? String(merged.meta.title) : remote.title;
  const labels = sortedLabels(merged.meta.labels);
  let version = remote.version.number;
  if (m.text !== remoteText) {
    const storage = toStorage(ctx, path, title, merged.body, remote.body);
    const from = remote.version.number;
    ctx.state.addPendingUpdate(pendingUpdate({ api, pageId: b.id, spaceKey: ctx.spaceKey, path, fromVersion: b.version, version: from + 1, title, parentId: parentId ?? remote.parentId, storage, text: m.text, fileText: localText, labelsFrom: remoteLabels, labels }));
    const r = await api.updatePage({ id: b.id, title, parentId: parentId ?? remote.parentId, body: storage, version: remote.version.number + 1, ...versionMeta(ctx) });
    version = r.version.number;
    ctx.state.saveBaseBody(b.id, version, storage);
    summary.written.push({ id: b.id, version });
    if (JSON.stringify(labels) !== JSON.stringify(remoteLabels)) await syncLabels(ctx, b.id, remoteLabels, labels);
  }
  await saveSynced(ctx, b, path, m.text, { version, title, parentId: parentId ?? remote.parentId }, labels, m.text !== localText, { hash: sha256(localText) }, seen);
  summary.pages.merged++;
}
