/**
 * Attachments of the pulled pages: streamed to disk by the client (never whole in memory), skipped when the version
 * is unchanged, moved when their page moved, trashed when gone remotely. A file changed locally is never overwritten:
 * a remote change to it becomes a conflict copy beside it, a remote delete leaves it for the next push.
 */
import { unlink } from 'node:fs/promises';
import PQueue from 'p-queue';
import { throwIfRunAborted } from '../../core/run-signal.js';
import type { RemoteAttachment } from '../../core/remote-types.js';
import { inside, statOrUndefined, trashAttachmentFile } from '../../local/files.js';
import { changedRefused, isSkipped, lstatIn, moveSafe, stillAsSeen, type Expect } from '../../local/safe-fs.js';
import { downloadTo, settleAttachmentConflict } from '../attachment-conflict.js';
import { attachmentPath } from '../resolver.js';
import { observe, reportSkip, type Skips } from '../scan.js';
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
  const queue = new PQueue({ concurrency: ctx.options.attachmentConcurrency ?? Math.max(1, Math.min(ctx.options.concurrency, 4)) });
  const signal = ctx.options.signal;
  let done = 0;
  const failures: unknown[] = [];
  const io = { workspace: ctx.options.workspace, api, state: ctx.state, now: ctx.now };
  const ws = ctx.options.workspace;
  // Links (the file or a folder above it) are left alone and reported, like a file changed while this ran.
  const skips: Skips = new Map();
  const skip = (err: unknown) => {
    if (!isSkipped(err)) throw err;
    reportSkip(ctx.summary, err);
  };
  for (const a of remoteAtts) {
    seen.add(a.id);
    if (statusOf(ctx, a.pageId) !== 'synced') continue;
    const path = attachmentPath(paths.get(a.pageId)!, a.title);
    const b = base.get(a.id);
    const pullOne = async () => {
      const abs = inside(ws, path);
      // A conflict waits for `csync resolve`; its copy holds the remote file.
      if (b?.status === 'conflict') {
        ctx.summary.attachments.skipped++;
        return;
      }
      if (b && b.version === a.version && b.path === path) {
        ctx.summary.attachments.skipped++;
        return;
      }
      const local = b ? await observe(ws, b, skips) : (await lstatIn(ws, path)) ? 'untracked' : 'missing';
      const skipped = b && skips.get(b.id);
      if (skipped) throw skipped;
      if (b && b.version === a.version) {
        // Unchanged remotely: a local edit or delete is push's to send; only a page move carries the file along.
        if (b.path !== path && local !== 'missing' && !(await lstatIn(ws, path))) {
          await moveSafe(ws, b.path, path);
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
      // Replaces only what the scan saw: the unchanged file (or nothing) here; a save since then stays.
      const expect: Expect = b && b.path === path ? { hash: b.hash, size: b.size, mtimeMs: b.mtimeMs, orAbsent: true } : { absent: true };
      const { bytes, sha256: hash } = await downloadTo(io, a, path, expect);
      if (b && b.path !== path && (await lstatIn(ws, b.path))) {
        if (!(await stillAsSeen(ws, b.path, { hash: b.hash, size: b.size, mtimeMs: b.mtimeMs }))) throw changedRefused(b.path);
        await unlink(inside(ws, b.path));
      }
      const st = await statOrUndefined(abs);
      ctx.state.saveAttachment({ id: a.id, pageId: a.pageId, fileName: a.title, version: a.version, size: bytes, mediaType: a.mediaType, path, hash, mtimeMs: st?.mtimeMs ?? 0, status: 'synced', copyPath: null });
      ctx.summary.attachments.downloaded++;
      ctx.summary.bytes += bytes;
      done++;
      ctx.options.progress?.({ phase: 'attachments', done, total: remoteAtts.length, space: ctx.spaceKey });
    };
    // Checked as the task starts (p-queue's `signal` option lets onIdle() resolve while the tasks in flight still run).
    const start = () => {
      throwIfRunAborted(signal);
      return pullOne().catch(skip);
    };
    queue.add(start).catch((err: unknown) => failures.push(err));
  }
  await queue.onIdle();
  throwIfRunAborted(signal);
  if (failures.length) throw failures[0];
  for (const b of base.values()) {
    if (seen.has(b.id)) continue;
    // A page outside this pull's scope (--root, --label, --cql) keeps its attachments.
    if (!paths.has(b.pageId) && ctx.baseById.has(b.pageId)) continue;
    const status = statusOf(ctx, b.pageId);
    if (status !== undefined && status !== 'synced') continue;
    const local = await observe(ws, b, skips);
    const skipped = skips.get(b.id);
    if (skipped) {
      reportSkip(ctx.summary, skipped);
      continue;
    }
    if (local === 'modified' || b.status === 'conflict') {
      // Deleted in Confluence, changed here: the local edit wins; the file stays and the next push uploads it again.
      ctx.state.deleteAttachment(b.id);
      ctx.summary.warnings.push(`${b.path}: deleted in Confluence but changed here; kept (the next push uploads it again)`);
      continue;
    }
    if (!(await stillAsSeen(ws, b.path, { hash: b.hash, size: b.size, mtimeMs: b.mtimeMs, orAbsent: true }))) {
      reportSkip(ctx.summary, changedRefused(b.path));
      continue;
    }
    try {
      await trashAttachmentFile(ws, b.path, ctx.now());
    } catch (err) {
      skip(err);
      continue;
    }
    ctx.state.deleteAttachment(b.id);
    ctx.summary.attachments.deleted++;
  }
}
