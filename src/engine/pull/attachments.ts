/**
 * Attachments of the pulled pages: streamed to disk by the client (never whole in memory), skipped when the version
 * is unchanged, moved when their page moved, trashed when gone remotely. A file changed locally is never overwritten:
 * a remote change to it becomes a conflict copy beside it, a remote delete leaves it for the next push.
 */
import { unlink } from 'node:fs/promises';
import PQueue from 'p-queue';
import type { RemoteAttachment } from '../../core/remote-types.js';
import { inside, moveFile, statOrUndefined, trashAttachmentFile } from '../../local/files.js';
import { settleAttachmentConflict } from '../attachment-conflict.js';
import { attachmentPath } from '../resolver.js';
import { observe } from '../scan.js';
import { statusOf, type ExecContext } from './execute.js';

export async function pullAttachments(ctx: ExecContext, paths: ReadonlyMap<string, string>): Promise<void> {
  const api = ctx.options.api;
  const remoteAtts: RemoteAttachment[] = [];
  if (api.listSpaceAttachments) {
    for await (const a of api.listSpaceAttachments(ctx.spaceKey)) if (paths.has(a.pageId) && statusOf(ctx, a.pageId) !== undefined) remoteAtts.push(a);
  } else {
    for (const id of paths.keys()) for await (const a of api.listAttachments(id)) remoteAtts.push(a);
  }
  const base = new Map(ctx.state.attachmentsOfSpace(ctx.spaceKey).map((a) => [a.id, a]));
  const seen = new Set<string>();
  const queue = new PQueue({ concurrency: Math.max(1, Math.min(ctx.options.concurrency, 4)) });
  const signal = ctx.options.signal;
  let done = 0;
  const failures: unknown[] = [];
  const io = { workspace: ctx.options.workspace, api, state: ctx.state, now: ctx.now };
  for (const a of remoteAtts) {
    seen.add(a.id);
    if (statusOf(ctx, a.pageId) !== 'synced') continue;
    const path = attachmentPath(paths.get(a.pageId)!, a.title);
    const b = base.get(a.id);
    const task = queue.add(async () => {
      const abs = inside(ctx.options.workspace, path);
      // A conflict waits for `csync resolve`; its copy holds the remote file.
      if (b?.status === 'conflict') {
        ctx.summary.attachments.skipped++;
        return;
      }
      if (b && b.version === a.version && b.path === path) {
        ctx.summary.attachments.skipped++;
        return;
      }
      const local = b ? await observe(ctx.options.workspace, b) : (await statOrUndefined(abs)) ? 'untracked' : 'missing';
      if (b && b.version === a.version) {
        // Unchanged remotely: a local edit or delete is push's to send; only a page move carries the file along.
        if (b.path !== path && local !== 'missing' && !(await statOrUndefined(abs))) {
          await moveFile(inside(ctx.options.workspace, b.path), abs);
          const st = await statOrUndefined(abs);
          ctx.state.saveAttachment({ ...b, path, pageId: a.pageId, mtimeMs: st?.mtimeMs ?? 0 });
          ctx.summary.attachments.moved++;
        } else ctx.summary.attachments.skipped++;
        return;
      }
      if (local === 'modified' || local === 'untracked') {
        // Changed here and there (or a local file where a new remote one lands): never overwrite; keep both.
        const r = await settleAttachmentConflict(io, a, b ? b.path : path, b);
        if (r.conflict) {
          ctx.summary.attachments.conflicted++;
          ctx.summary.conflicts.push({ path: b ? b.path : path, copyPath: r.copyPath, kind: 'attachment-both-modified' });
        } else ctx.summary.attachments.skipped++;
        return;
      }
      const { bytes, sha256: hash } = await api.downloadAttachment(a, abs);
      if (b && b.path !== path && (await statOrUndefined(inside(ctx.options.workspace, b.path)))) await unlink(inside(ctx.options.workspace, b.path));
      const st = await statOrUndefined(abs);
      ctx.state.saveAttachment({ id: a.id, pageId: a.pageId, fileName: a.title, version: a.version, size: bytes, mediaType: a.mediaType, path, hash, mtimeMs: st?.mtimeMs ?? 0, status: 'synced', copyPath: null });
      ctx.summary.attachments.downloaded++;
      ctx.summary.bytes += bytes;
      done++;
      ctx.options.progress?.({ phase: 'attachments', done, total: remoteAtts.length, space: ctx.spaceKey });
    }, { signal });
    task.catch((err: unknown) => failures.push(err));
  }
  await queue.onIdle();
  if (failures.length) throw failures[0];
  for (const b of base.values()) {
    if (seen.has(b.id)) continue;
    // A page outside this pull's scope (--root, --label, --cql) keeps its attachments.
    if (!paths.has(b.pageId) && ctx.baseById.has(b.pageId)) continue;
    const status = statusOf(ctx, b.pageId);
    if (status !== undefined && status !== 'synced') continue;
    const local = await observe(ctx.options.workspace, b);
    if (local === 'modified' || b.status === 'conflict') {
      // Deleted in Confluence, changed here: the local edit wins; the file stays and the next push uploads it again.
      ctx.state.deleteAttachment(b.id);
      ctx.summary.warnings.push(`${b.path}: deleted in Confluence but changed here; kept (the next push uploads it again)`);
      continue;
    }
    await trashAttachmentFile(ctx.options.workspace, b.path, ctx.now());
    ctx.state.deleteAttachment(b.id);
    ctx.summary.attachments.deleted++;
  }
}
