/**
 * Attachment push: files under attachments/<SPACE>/ → Confluence. New files are uploaded to the page of their folder,
 * changed ones as new versions, deleted ones deleted (Confluence keeps them in its trash), all behind the safety
 * gates. Each page's remote attachments are listed once just before its first write: a version someone else
 * uploaded since the last sync (or a new file of theirs with the same name) becomes a conflict copy, never an
 * overwrite. Each finished action updates its record in its own transaction, so a rerun after a crash converges
 * (an upload whose answer was lost is found by name and adopted when the bytes match).
 */
import PQueue from 'p-queue';
import { planAttachmentPush, type AttachmentAction, type AttachmentPlan, type LocalAttachmentFile } from '../../core/attachment-plan.js';
import type { RemoteAttachment } from '../../core/remote-types.js';
import { CsyncError } from '../../core/errors.js';
import { mkdir, rm } from 'node:fs/promises';
import { inside } from '../../local/files.js';
import { hashFileSafe, isSkipped, linkRefused, lstatIn, snapshotFileSafe, type SkippedFile } from '../../local/safe-fs.js';
import type { BaseAttachment, StateStore } from '../../state/index.js';
import { settleAttachmentConflict } from '../attachment-conflict.js';
import { throwFailures, type TaskFailure } from '../failures.js';
import { attachmentDir } from '../resolver.js';
import { rememberMtimes } from '../mtimes.js';
import { markSkipped, observeAll, reportSkip, walkFiles, type Skips } from '../scan.js';
import type { PlanLine, SyncApi } from '../types.js';
import type { Logger } from '../../obs/logger.js';
import { runSignal, throwIfRunAborted } from '../../core/run-signal.js';

export interface AttachmentPushSummary {
  uploaded: number;
  updated: number;
  deleted: number;
  relocated: number;
  unchanged: number;
  conflicted: number;
  bytes: number;
}

export function emptyAttachmentSummary(): AttachmentPushSummary {
  return { uploaded: 0, updated: 0, deleted: 0, relocated: 0, unchanged: 0, conflicted: 0, bytes: 0 };
}

export interface AttachmentPushIO {
  workspace: string;
  api: SyncApi;
  state: StateStore;
  spaceKey: string;
  extension: string;
  now: () => Date;
  log: Logger;
  paths?: readonly string[] | undefined;
  noDelete?: boolean | undefined;
  maxDelete: { percent: number; count?: number | undefined };
  force: boolean;
  concurrency: number;
  minorEdit?: boolean | undefined;
  comment?: string | undefined;
  summary: { attachments: AttachmentPushSummary; warnings: string[]; skipped: string[]; conflicts: Array<{ path: string; copyPath: string | null; kind: string }>; written: Array<{ id: string; version: number }> };
}

export interface PagePlacement {
  id: string;
  path: string;
  status: 'synced' | 'conflict' | 'deleted-remote';
}

/**
 * The attachment plan of a space. `pages` are the tracked pages where they are (or will be, for a dry run) after the
 * page actions; `created` are the page files this push creates (their folders' files wait for them).
 */
export async function planAttachments(
  io: Omit<AttachmentPushIO, 'summary' | 'api' | 'now' | 'log' | 'concurrency'> & { refreshMtimes?: boolean },
  pages: readonly PagePlacement[],
  created: ReadonlySet<string> = new Set(),
): Promise<{ plan: AttachmentPlan; base: Map<string, BaseAttachment>; skipped: SkippedFile[] }> {
  const base = io.state.attachmentsOfSpace(io.spaceKey);
  const live = pages.filter((p) => p.status !== 'deleted-remote');
  const livePages = new Set(live.map((p) => p.id));
  const folderOf = new Map(live.map((p) => [p.id, attachmentDir(p.path)]));
  const pageOfFolder = new Map(live.map((p) => [attachmentDir(p.path), p.id]));
  const createdFolders = new Set([...created].map((p) => attachmentDir(p)));
  // Links (the file, or a folder above it) are left alone: observed 'modified' (never a delete), actions dropped.
  const skips: Skips = new Map();
  const local = await observeAll(io.workspace, base, 16, skips);
  if (io.refreshMtimes) {
    // Records without an mtime (saved right after their file was written, by a conflict, or before the stat fast
    // path existed) were hashed just now: remember the mtime of the unchanged ones so the next scan is a stat.
    await rememberMtimes(io.workspace, base.filter((b) => local.get(b.id) === 'unchanged'), (b, size, mtimeMs) => io.state.saveAttachment({ ...b, size, mtimeMs }));
  }
  const tracked = new Set(base.map((b) => b.path));
  const files: string[] = [];
  const links: string[] = [];
  await walkFiles(io.workspace, `attachments/${io.spaceKey}`, '', files, links);
  const untracked: LocalAttachmentFile[] = [];
  for (const f of files) {
    if (tracked.has(f)) continue;
    const folder = f.slice(0, f.lastIndexOf('/'));
    untracked.push({ path: f, pageId: pageOfFolder.get(folder), pageCreated: createdFolders.has(folder) });
  }
  const plan = planAttachmentPush({ base, local, untracked, livePages, folderOf, paths: io.paths, noDelete: io.noDelete, maxDelete: io.maxDelete, force: io.force });
  if (skips.size) plan.actions = plan.actions.filter((a) => !('id' in a && skips.has(a.id)));
  const skipped = [...skips.values(), ...links.filter((l) => !tracked.has(l)).map((l) => linkRefused(l, l))];
  return { plan, base: new Map(base.map((b) => [b.id, b])), skipped };
}

export function attachmentGateError(spaceKey: string, gate: string, pagesPushed = false): CsyncError {
  const done = pagesPushed ? 'the page changes were pushed, no attachment was changed' : 'nothing was changed';
  return new CsyncError('CSYNC_SAFETY_GATE', `push of ${spaceKey} stopped: ${gate}; ${done}`, {
    hint: 'if the deletions are intended, run again with --force (or --no-delete to push the rest)',
  });
}

/** The plan lines of the actions that change something (orphans and forgotten records have none). */
export function attachmentPlanLines(plan: AttachmentPlan): PlanLine[] {
  return plan.actions.flatMap((a) => attachmentPlanLine(a) ?? []);
}

function attachmentPlanLine(a: AttachmentAction): PlanLine | undefined {
  switch (a.kind) {
    case 'upload':
      return { action: 'upload', path: a.path, id: '' };
    case 'update':
      return { action: 'upload', path: a.path, id: a.id, ...(a.from !== a.path ? { from: a.from } : {}) };
    case 'relocate':
      return { action: 'move', path: a.path, from: a.from, id: a.id };
    case 'delete':
      return { action: 'delete', path: a.path, id: a.id };
    case 'conflict':
      return { action: 'conflict', path: a.path, id: a.id };
    default:
      return undefined;
  }
}

/** Counts a dry run reports. */
export function countPlanned(plan: AttachmentPlan, s: AttachmentPushSummary): void {
  s.unchanged += plan.unchanged;
  for (const a of plan.actions) {
    if (a.kind === 'upload') s.uploaded++;
    else if (a.kind === 'update') s.updated++;
    else if (a.kind === 'delete') s.deleted++;
    else if (a.kind === 'relocate') s.relocated++;
  }
}

interface RemoteOfPage {
  byId: Map<string, RemoteAttachment>;
  byName: Map<string, RemoteAttachment>;
}

let snapshotCount = 0;

export async function executeAttachmentPlan(io: AttachmentPushIO, plan: AttachmentPlan, base: ReadonlyMap<string, BaseAttachment>): Promise<void> {
  const s = io.summary.attachments;
  s.unchanged += plan.unchanged;
  const listings = new Map<string, Promise<RemoteOfPage>>();
  const remoteOf = (pageId: string): Promise<RemoteOfPage> => {
    let p = listings.get(pageId);
    if (!p) {
      p = (async () => {
        const out: RemoteOfPage = { byId: new Map(), byName: new Map() };
        for await (const a of io.api.listAttachments(pageId)) {
          out.byId.set(a.id, a);
          out.byName.set(a.title, a);
        }
        return out;
      })();
      listings.set(pageId, p);
    }
    return p;
  };
  const conflict = async (remote: RemoteAttachment, path: string, previous?: BaseAttachment): Promise<void> => {
    const r = await settleAttachmentConflict(io, remote, path, previous);
    if (!r.conflict) {
      s.unchanged++;
      return;
    }
    s.conflicted++;
    io.summary.conflicts.push({ path, copyPath: r.copyPath, kind: 'attachment-both-modified' });
    io.log.warn({ path, copy: r.copyPath }, 'attachment changed on both sides: your file is kept, the remote one is saved beside it');
  };
  const upload = async (pageId: string, path: string, fileName: string, existing: RemoteAttachment | null, previous?: BaseAttachment): Promise<void> => {
    const st = await lstatIn(io.workspace, path);
    if (!st) return; // gone since the scan: the next run sees the delete
    // Never through a link (SkippedFile): the file is copied through an O_NOFOLLOW handle into a private snapshot,
    // hashed as it is copied, and the snapshot is what is sent: the bytes sent are the bytes hashed and recorded.
    const snapshots = inside(io.workspace, 'cache/uploading');
    await mkdir(snapshots, { recursive: true });
    // Named as leftovers.ts knows our temporaries (pid: one a stopped run left is removed by the next).
    const snapshot = `${snapshots}/.upload-${++snapshotCount}.${process.pid}.${Date.now()}.part`;
    let r: RemoteAttachment;
    let sha256: string;
    let size: number;
    try {
      ({ sha256, size } = await snapshotFileSafe(io.workspace, path, snapshot));
      // Loaded at the first upload: its type tables cost every `status` and push a few ms otherwise.
      const { default: mime } = await import('mime');
      const mediaType = mime.getType(fileName) ?? 'application/octet-stream';
      r = await io.api.uploadAttachment({ pageId, fileName, filePath: snapshot, mediaType, existing, ...(io.minorEdit !== undefined ? { minorEdit: io.minorEdit } : {}), ...(io.comment ? { comment: io.comment } : {}) });
    } catch (err) {
      if ((err as { code?: string }).code !== 'CSYNC_TOO_LARGE') throw err;
      // Refused for this file alone (over the site's attachment size limit): reported, the rest goes on.
      io.summary.warnings.push(`${path}: not uploaded: ${(err as Error).message}`);
      markSkipped(io.summary, path);
      return;
    } finally {
      await rm(snapshot, { force: true });
    }
    // Changed (or swapped for a link) while it was sent: recorded without its mtime, so the next run hashes it again.
    const after = await lstatIn(io.workspace, path);
    const steady = after?.isFile() && after.ino === st.ino && after.size === st.size && after.mtimeMs === st.mtimeMs;
    if (after?.isSymbolicLink()) reportSkip(io.summary, linkRefused(path, path));
    io.state.transaction(() => {
      if (previous && previous.id !== r.id) io.state.deleteAttachment(previous.id);
      io.state.saveAttachment({ id: r.id, pageId, fileName: r.title, version: r.version, size, mediaType: r.mediaType, path, hash: sha256, mtimeMs: steady ? st.mtimeMs : 0, status: 'synced', copyPath: null });
    });
    s.bytes += size;
    // The daemon's change check sees attachments too: what we uploaded is not someone else's change.
    io.summary.written.push({ id: r.id, version: r.version });
    if (existing) s.updated++;
    else s.uploaded++;
    io.log.info({ path, id: r.id, version: r.version }, existing ? 'attachment: new version uploaded' : 'attachment uploaded');
  };

  const run = async (a: AttachmentAction): Promise<void> => {
    switch (a.kind) {
      case 'orphan': {
        const page = `content/${a.path.slice('attachments/'.length, a.path.lastIndexOf('/'))}${io.extension}`;
        io.summary.warnings.push(`${a.path}: its folder belongs to no page (${page}); not uploaded`);
        return;
      }
      case 'conflict': {
        const b = base.get(a.id);
        io.summary.conflicts.push({ path: a.path, copyPath: b?.copyPath ?? null, kind: 'unresolved' });
        return;
      }
      case 'forget':
        io.state.deleteAttachment(a.id);
        return;
      case 'relocate': {
        const b = base.get(a.id)!;
        const st = await lstatIn(io.workspace, a.path);
        if (!st) return;
        const { sha256 } = await hashFileSafe(io.workspace, a.path);
        if (sha256 === b.hash) {
          io.state.saveAttachment({ ...b, path: a.path, size: st.size, mtimeMs: st.mtimeMs });
          s.relocated++;
          return;
        }
        return run({ kind: 'update', id: b.id, pageId: b.pageId, path: a.path, from: b.path });
      }
      case 'update': {
        const b = base.get(a.id)!;
        const remote = await remoteOf(b.pageId);
        const r = remote.byId.get(b.id);
        if (!r) {
          // Deleted in Confluence since the last sync, edited here: the edit wins, as a new attachment.
          const same = remote.byName.get(b.fileName);
          if (same) return conflict(same, a.path, b);
          return upload(b.pageId, a.path, b.fileName, null, b);
        }
        if (r.version !== b.version) return conflict(r, a.path, b);
        return upload(b.pageId, a.path, b.fileName, r, b);
      }
      case 'upload': {
        if (a.pageId === undefined) return;
        const remote = await remoteOf(a.pageId);
        const same = remote.byName.get(a.fileName);
        // Someone else's file with this name, or ours from a run that stopped before recording it: compare bytes.
        if (same) return conflict(same, a.path);
        return upload(a.pageId, a.path, a.fileName, null);
      }
      case 'delete': {
        const b = base.get(a.id)!;
        const remote = await remoteOf(b.pageId);
        const r = remote.byId.get(b.id);
        if (r && r.version !== b.version) {
          io.summary.warnings.push(`${a.path}: deleted here but changed in Confluence since the last sync; not deleted (the next pull restores it)`);
          return;
        }
        if (r) await io.api.deleteAttachment(b.id);
        io.state.deleteAttachment(b.id);
        s.deleted++;
        io.log.info({ path: a.path, id: b.id }, 'attachment deleted (Confluence keeps it in the trash)');
        return;
      }
    }
  };

  const queue = new PQueue({ concurrency: Math.max(1, io.concurrency) });
  const failures: TaskFailure[] = [];
  const leave = (err: unknown) => {
    if (!isSkipped(err)) throw err;
    reportSkip(io.summary, err);
  };
  // The run's signal (src/core/run-signal.ts): a cancelled push starts no further upload or delete. Checked as each
  // task starts (not p-queue's `signal` option, which lets onIdle() resolve while the tasks in flight still run).
  const signal = runSignal();
  const start = (a: AttachmentAction) => {
    throwIfRunAborted(signal);
    return run(a).catch(leave);
  };
  for (const a of plan.actions) void queue.add(() => start(a)).catch((error: unknown) => failures.push({ what: a.path, error }));
  await queue.onIdle();
  throwFailures(failures, io.log);
}
