/**
 * The attachment push planner: the attachments base (what was synced) + local observations → actions. Pure: no fs,
 * no HTTP, no SQLite. The executor (engine/push/attachments.ts) checks each action against the remote listing of
 * its page just before it writes (someone else's new version or new file with the same name becomes a conflict,
 * never an overwrite).
 *
 * Layout: a page's attachments are the files directly in its folder under attachments/ (`attachments/DOC/Guide/`
 * for `content/DOC/Guide.md`); sub-folders belong to the child pages. Identity is the attachment id of the base
 * record; an untracked file takes the page of its folder and its file name as the attachment's name.
 */
import { checkGates, type LocalState } from './plan.js';
import { inPaths } from './push-plan.js';

export interface AttachmentBase {
  id: string;
  pageId: string;
  /** The attachment's name in Confluence. */
  fileName: string;
  /** Where the file was last synced (workspace-relative). */
  path: string;
  status?: 'synced' | 'conflict' | undefined;
}

export interface LocalAttachmentFile {
  /** Workspace-relative path of a file under attachments/ that no base record tracks. */
  path: string;
  /** The page of its folder, when that page is tracked. */
  pageId?: string | undefined;
  /** Its folder's page is a new file this push creates first (dry runs and status only). */
  pageCreated?: boolean | undefined;
}

export interface AttachmentPlanInput {
  base: readonly AttachmentBase[];
  /** Local state of each base record's file at its recorded path (absent = missing). */
  local: ReadonlyMap<string, LocalState>;
  untracked: readonly LocalAttachmentFile[];
  /** Pages whose attachments this push may change: tracked and not deleted on either side. */
  livePages: ReadonlySet<string>;
  /** The folder (attachments/…) each live page's attachments belong in now. */
  folderOf: ReadonlyMap<string, string>;
  paths?: readonly string[] | undefined;
  noDelete?: boolean | undefined;
  maxDelete: { percent: number; count?: number | undefined };
  force: boolean;
}

export type AttachmentAction =
  /** A new file: upload it to the page of its folder. */
  | { kind: 'upload'; pageId: string | undefined; path: string; fileName: string }
  /** A tracked file whose bytes changed (maybe also found at its page's new folder): upload a new version. */
  | { kind: 'update'; id: string; pageId: string; path: string; from: string }
  /** Same bytes at a new path (its page moved and the folder came along): record the path, no request. */
  | { kind: 'relocate'; id: string; path: string; from: string }
  /** A tracked file deleted locally: delete the attachment (Confluence keeps it in the trash). */
  | { kind: 'delete'; id: string; pageId: string; path: string }
  /** Its page is gone (deleted by this push or remotely): forget the record, the page took the attachment with it. */
  | { kind: 'forget'; id: string; path: string }
  /** Changed on both sides and not resolved yet: nothing is pushed (`csync resolve <path>`). */
  | { kind: 'conflict'; id: string; path: string }
  /** A file in a folder that belongs to no page: cannot be uploaded. */
  | { kind: 'orphan'; path: string };

export interface AttachmentPlan {
  actions: AttachmentAction[];
  unchanged: number;
  gate?: string | undefined;
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function planAttachmentPush(input: AttachmentPlanInput): AttachmentPlan {
  const actions: AttachmentAction[] = [];
  let unchanged = 0;
  // Untracked files by page and name: where a missing base file may have gone with its page's folder.
  const untrackedAt = new Map<string, LocalAttachmentFile>();
  for (const f of input.untracked) if (f.pageId !== undefined) untrackedAt.set(`${f.pageId}/${nameOf(f.path)}`, f);
  const claimed = new Set<string>();
  const deletes: AttachmentAction[] = [];
  for (const b of [...input.base].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))) {
    const state = input.local.get(b.id) ?? 'missing';
    if (!input.livePages.has(b.pageId)) {
      if (inPaths(b.path, input.paths)) actions.push({ kind: 'forget', id: b.id, path: b.path });
      continue;
    }
    if (state !== 'missing') {
      if (!inPaths(b.path, input.paths)) continue;
      if (b.status === 'conflict') actions.push({ kind: 'conflict', id: b.id, path: b.path });
      else if (state === 'unchanged') unchanged++;
      else actions.push({ kind: 'update', id: b.id, pageId: b.pageId, path: b.path, from: b.path });
      continue;
    }
    // Missing at its recorded path: moved along with its page's folder, or deleted.
    const folder = input.folderOf.get(b.pageId);
    const moved = folder !== undefined && folder !== dirOf(b.path) ? untrackedAt.get(`${b.pageId}/${nameOf(b.path)}`) : undefined;
    if (moved && dirOf(moved.path) === folder) {
      claimed.add(moved.path);
      if (!inPaths(moved.path, input.paths) && !inPaths(b.path, input.paths)) continue;
      if (b.status === 'conflict') actions.push({ kind: 'conflict', id: b.id, path: moved.path });
      // Whether the bytes changed is the executor's to check (it hashes the file against the record).
      else actions.push({ kind: 'relocate', id: b.id, path: moved.path, from: b.path });
      continue;
    }
    if (!inPaths(b.path, input.paths)) continue;
    if (b.status === 'conflict') actions.push({ kind: 'conflict', id: b.id, path: b.path });
    else if (!input.noDelete) deletes.push({ kind: 'delete', id: b.id, pageId: b.pageId, path: b.path });
  }
  for (const f of [...input.untracked].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))) {
    if (claimed.has(f.path) || !inPaths(f.path, input.paths)) continue;
    if (f.pageId !== undefined && input.livePages.has(f.pageId)) actions.push({ kind: 'upload', pageId: f.pageId, path: f.path, fileName: nameOf(f.path) });
    else if (f.pageCreated) actions.push({ kind: 'upload', pageId: undefined, path: f.path, fileName: nameOf(f.path) });
    else actions.push({ kind: 'orphan', path: f.path });
  }
  const live = input.base.filter((b) => input.livePages.has(b.pageId)).length;
  const gate = checkGates({ baseCount: live, remoteCount: live, deletes: deletes.length, maxDeletePercent: input.maxDelete.percent, maxDeleteCount: input.maxDelete.count, force: input.force, noun: 'attachment' });
  actions.push(...deletes);
  return { actions, unchanged, gate };
}
