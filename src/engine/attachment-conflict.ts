/**
 * An attachment changed on both sides (or a local file and a remote attachment that share a name): the remote file is
 * downloaded beside the local one as a conflict copy; identical bytes settle it at once. Shared by pull and push.
 */
import { copyFile, constants, mkdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RemoteAttachment } from '../core/remote-types.js';
import { inside } from '../local/files.js';
import { hashFileSafe, lstatIn, mkdirSafe, replaceWith, tmpNameFor, type Expect } from '../local/safe-fs.js';
import type { BaseAttachment, StateStore } from '../state/index.js';
import { conflictCopyPath } from '../merge/conflict-name.js';
import type { SyncApi } from './types.js';

export interface AttachmentConflictResult {
  /** false: both sides hold the same bytes; the record is now synced at the remote version. */
  conflict: boolean;
  copyPath: string | null;
}

export async function settleAttachmentConflict(
  io: { workspace: string; api: SyncApi; state: StateStore; now: () => Date },
  remote: RemoteAttachment,
  localPath: string,
  previous?: BaseAttachment,
): Promise<AttachmentConflictResult> {
  const copyPath = conflictCopyPath(localPath, io.now());
  const copyAbs = inside(io.workspace, copyPath);
  const { sha256: remoteHash, bytes } = await downloadTo(io, remote, copyPath, { absent: true });
  const s = await lstatIn(io.workspace, localPath);
  const local = s ? await hashFileSafe(io.workspace, localPath) : undefined;
  const record: BaseAttachment = {
    id: remote.id,
    pageId: remote.pageId,
    fileName: remote.title,
    version: remote.version,
    mediaType: remote.mediaType,
    path: localPath,
    hash: remoteHash,
    size: bytes,
    mtimeMs: 0,
    status: 'synced',
    copyPath: null,
  };
  if (local && local.sha256 === remoteHash) {
    await unlink(copyAbs);
    io.state.transaction(() => {
      if (previous && previous.id !== remote.id) io.state.deleteAttachment(previous.id);
      io.state.saveAttachment({ ...record, size: local.size, mtimeMs: s!.mtimeMs });
    });
    return { conflict: false, copyPath: null };
  }
  // The record holds the remote file's hash: the local file differs from it, so once resolved in its favour the next
  // push uploads it as a new version of the remote one.
  io.state.transaction(() => {
    if (previous && previous.id !== remote.id) io.state.deleteAttachment(previous.id);
    io.state.saveAttachment({ ...record, status: 'conflict', copyPath });
  });
  return { conflict: true, copyPath };
}

/**
 * Downloads an attachment into a workspace file, never through a link: the bytes go to cache/incoming first, then
 * replace the file only if it is still what the caller saw (`expect`), with no link on the way (safe-fs.ts).
 */
export async function downloadTo(io: { workspace: string; api: SyncApi }, remote: RemoteAttachment, rel: string, expect: Expect): Promise<{ bytes: number; sha256: string }> {
  const incoming = join(io.workspace, 'cache', 'incoming');
  await mkdir(incoming, { recursive: true });
  let tmp = join(incoming, tmpNameFor(remote.id));
  try {
    const r = await io.api.downloadAttachment(remote, tmp);
    await mkdirSafe(io.workspace, rel.slice(0, rel.lastIndexOf('/')));
    try {
      await replaceWith(io.workspace, rel, tmp, expect);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      // cache/ is on another disk: copy beside the file first (a new name: never through a link), then rename.
      const near = join(dirname(inside(io.workspace, rel)), tmpNameFor(remote.id));
      await copyFile(tmp, near, constants.COPYFILE_EXCL);
      await unlink(tmp);
      tmp = near;
      await replaceWith(io.workspace, rel, tmp, expect);
    }
    return r;
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
