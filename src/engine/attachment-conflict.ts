/**
 * An attachment changed on both sides (or a local file and a remote attachment that share a name): the remote file is
 * downloaded beside the local one as a conflict copy; identical bytes settle it at once. Shared by pull and push.
 */
import { unlink } from 'node:fs/promises';
import type { RemoteAttachment } from '../core/remote-types.js';
import { hashFile, inside, statOrUndefined } from '../local/files.js';
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
  const { sha256: remoteHash, bytes } = await io.api.downloadAttachment(remote, copyAbs);
  const abs = inside(io.workspace, localPath);
  const s = await statOrUndefined(abs);
  const local = s ? await hashFile(abs) : undefined;
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
