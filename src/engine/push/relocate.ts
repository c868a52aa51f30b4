/**
 * The last step of a push: files whose page push renamed, re-parented or created go where the next pull would put
 * them (core/placement.ts), with their attachment folder, their children's files, and the state records of both, so
 * a push leaves paths converged like content.
 *
 * Crash safety without a journal: a page's attachments move first (each file, then its record), then the page's file,
 * then its record. Every state a crash can leave behind has the page's file at a path the next run walks, carrying its
 * id in the front matter, so the next push (or pull) finds it as a local move and this step finishes the job: no
 * duplicate file, no lost edit. Swaps (two siblings trading names) go through a visible staging name in the same
 * folder for the same reason. A target held by a file that is not moving is never overwritten: the page stays where
 * it is, with a warning.
 */
import { planRelocations, type Relocation } from '../../core/placement.js';
import { createOrder } from '../../core/push-plan.js';
import { hashFile, inside, moveFile, pruneEmptyDirs, statOrUndefined } from '../../local/files.js';
import { linkIn, lstatIn } from '../../local/safe-fs.js';
import type { Logger } from '../../obs/logger.js';
import type { BaseAttachment, BasePageMeta, StateStore } from '../../state/index.js';
import { attachmentPath } from '../resolver.js';

export interface RelocateContext {
  workspace: string;
  state: StateStore;
  spaceKey: string;
  ext: string;
  /** The workspace holds part of the space (a pull scope is configured). */
  scoped: boolean;
  warnings: string[];
  log: Logger;
}

const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/'));

/**
 * Tests only: CSYNC_TEST_CRASH_AFTER_MOVES=k kills the process (SIGKILL) right after the k-th file rename of this
 * step, before its record is written: the crash the design above must survive.
 */
let renames = 0;
async function rename(from: string, to: string): Promise<void> {
  await moveFile(from, to);
  const crashAt = Number(process.env.CSYNC_TEST_CRASH_AFTER_MOVES ?? 0);
  if (crashAt > 0 && ++renames === crashAt) process.kill(process.pid, 'SIGKILL');
}
const sameName = (a: string, b: string) => a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase();
const sameFile = async (abs: string, other: { dev: number; ino: number }) => {
  const s = await statOrUndefined(abs);
  return s !== undefined && s.dev === other.dev && s.ino === other.ino;
};

/** Moves the files of pages not at pull's path; returns how many pages moved. */
export async function relocatePages(ctx: RelocateContext, metas: readonly BasePageMeta[] = ctx.state.pageMetasOfSpace(ctx.spaceKey)): Promise<number> {
  const planned = planRelocations(ctx.spaceKey, ctx.ext, metas, ctx.scoped);
  if (planned.length === 0) return 0;
  const { workspace, state } = ctx;
  const byId = new Map(metas.map((m) => [m.id, m]));
  // Only files that are where the base says (a file the user moved or deleted is push's next business, not ours).
  // Parents first: a page's folder has its page recorded at its new path before any child moves into it, so a crash
  // between a child's move and its record leaves a move the next push recognises (its folder's page is known).
  planned.sort((a, b) => createOrder(a.to, b.to));
  let pending: Relocation[] = [];
  // Never through a link: a file or folder that is one stays where it is (scans report it).
  const noLink = async (...rels: string[]) => (await Promise.all(rels.map((p) => linkIn(workspace, p)))).every((l) => l === undefined);
  for (const r of planned) if ((await lstatIn(workspace, r.from))?.isFile() && (await noLink(r.from, r.to))) pending.push(r);
  let attachments: Map<string, BaseAttachment[]> | undefined;
  const attachmentsOf = (id: string) => {
    if (!attachments) {
      attachments = new Map();
      for (const a of state.attachmentsOfSpace(ctx.spaceKey)) {
        const list = attachments.get(a.pageId);
        if (list) list.push(a);
        else attachments.set(a.pageId, [a]);
      }
    }
    return attachments.get(id) ?? [];
  };
  let moved = 0;
  const moveOne = async (r: Relocation, to: string, final: boolean): Promise<void> => {
    const b = byId.get(r.id)!;
    if (final) {
      for (const a of attachmentsOf(r.id)) {
        const target = attachmentPath(to, a.fileName);
        if (a.path === target || !(await noLink(a.path, target))) continue;
        const from = inside(workspace, a.path);
        const at = inside(workspace, target);
        if (!(await statOrUndefined(from))) {
          // Moved by a run that stopped before recording it: the file at the target is this attachment, same bytes.
          // (Otherwise a missing file is left to pull, which downloads it again.)
          if ((await statOrUndefined(at)) && (await hashFile(at)).sha256 === a.hash) state.saveAttachment({ ...a, path: target });
          continue;
        }
        // An occupied target is never overwritten.
        if (await statOrUndefined(at)) continue;
        await rename(from, at);
        state.saveAttachment({ ...a, path: target });
        await pruneEmptyDirs(dirOf(from), inside(workspace, 'attachments'));
      }
    }
    const abs = inside(workspace, r.from);
    await rename(abs, inside(workspace, to));
    const s = await statOrUndefined(inside(workspace, to));
    const next: BasePageMeta = { ...b, path: to, mtimeMs: s?.mtimeMs ?? b.mtimeMs };
    state.savePageMeta(next);
    byId.set(r.id, next);
    await pruneEmptyDirs(dirOf(abs), inside(workspace, 'content'));
  };
  while (pending.length) {
    const sources = new Set(pending.map((r) => r.from));
    const blocked: Relocation[] = [];
    for (const r of pending) {
      // A case-only rename is the same file on case-insensitive file systems: not in its own way.
      const there = await statOrUndefined(inside(workspace, r.to));
      const itself = there !== undefined && sameName(r.from, r.to) && (await sameFile(inside(workspace, r.from), there));
      if (there && !itself) {
        blocked.push(r);
        continue;
      }
      await moveOne(r, r.to, true);
      moved++;
      ctx.log.info({ from: r.from, to: r.to }, 'file moved to the path of its page');
    }
    if (blocked.length === pending.length) {
      // No progress: either a cycle among the moving files (stage one aside and go on) or targets held by other files.
      const cyclic = blocked.find((r) => sources.has(r.to));
      if (!cyclic) {
        for (const r of blocked) ctx.warnings.push(`${r.from}: not moved to ${r.to} (the path of its page): a file is in the way`);
        break;
      }
      const staging = `${dirOf(cyclic.from)}/${cyclic.id}.csync-moving${ctx.ext}`;
      await moveOne(cyclic, staging, false);
      blocked[blocked.indexOf(cyclic)] = { ...cyclic, from: staging };
    }
    pending = blocked;
  }
  return moved;
}
