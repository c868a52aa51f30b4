/** What changed locally (no network): tracked files' states, untracked files with their ids, files left alone. */
import type { LocalState } from '../../core/plan.js';
import { planPush, type PushPlan, type UntrackedFile } from '../../core/push-plan.js';
import { parseFile } from '../../format/front-matter.js';
import type { Format } from '../../format/types.js';
import { sha256 } from '../../local/files.js';
import { isSkipped, linkRefused, lstatIn, readTextSafe, tooLarge, type SkippedFile } from '../../local/safe-fs.js';
import type { BasePageMeta, StateStore } from '../../state/index.js';
import { rememberHashed, rememberMtimes } from '../mtimes.js';
import { observeAll, recoverMovedAside, walkFiles, type Skips } from '../scan.js';
import { planAttachments } from './attachments.js';
import { readFrontMatter } from './context.js';
import { placementsAfter } from './plan.js';
import { refineActions } from './refine.js';
import { SpaceLinks } from '../resolver.js';

export interface LocalChanges {
  modified: BasePageMeta[];
  missing: BasePageMeta[];
  /** Untracked files: new pages, or tracked pages moved to a new path (front matter id of a missing page). */
  created: string[];
  moved: Array<{ page: BasePageMeta; to: string }>;
  unchanged: number;
  /** Attachment files under attachments/<SPACE>/ that a push would send. */
  attachments: { modified: string[]; new: string[]; deleted: string[]; moved: Array<{ from: string; to: string }>; conflicts: Array<{ path: string; copyPath: string | null }>; unchanged: number };
  /** Page files over sync.maxPageBytes (when given): left out of the changes above, never read, as push leaves them. */
  tooLarge: SkippedFile[];
}

/** The push plan's inputs for a space: base pages, their local state, untracked files with their front matter ids. */
export async function observeLocal(
  workspace: string,
  state: StateStore | undefined,
  spaceKey: string,
  format: Format,
  repair = false,
  limits: { maxPageBytes?: number | undefined } = {},
): Promise<{ base: BasePageMeta[]; all: BasePageMeta[]; local: Map<string, LocalState>; untracked: UntrackedFile[]; skips: Skips; skippedUntracked: SkippedFile[] }> {
  // Pages staged under cache/ by an interrupted pull are the pull's business.
  // Metadata only: base texts are read one page at a time, when a push needs one (memory stays flat on big spaces).
  const all = state?.pageMetasOfSpace(spaceKey) ?? [];
  const base = all.filter((b) => !b.path.startsWith('cache/'));
  // Tracked files that became links or stopped being text: 'modified', never 'missing'; their actions are dropped.
  const skips: Skips = new Map();
  // Files hashed by this scan and found unchanged: their mtimes are stored below without hashing them again.
  const hashed: Array<{ record: BasePageMeta; before: { size: number; mtimeMs: number; ino: number } }> = [];
  const local = await observeAll(workspace, base, 16, skips, true, (record, before) => hashed.push({ record, before }));
  await recoverMovedAside(workspace, base, local, format.extension, repair, skips);
  // An edited tracked file over the page size limit is refused before anything reads or converts it, as a new one is.
  if (limits.maxPageBytes !== undefined) {
    for (const b of base) {
      if (local.get(b.id) !== 'modified' || skips.has(b.id)) continue;
      const size = (await lstatIn(workspace, b.path))?.size ?? 0;
      if (size > limits.maxPageBytes) skips.set(b.id, tooLarge(b.path, size, limits.maxPageBytes));
    }
  }
  // Records saved right after their file was written have no mtime (hashed by this scan): remember it now.
  if (repair && state) {
    const save = (b: BasePageMeta, size: number, mtimeMs: number) => state.savePageMeta({ ...b, size, mtimeMs });
    await rememberHashed(workspace, hashed, save);
    // The rest (put back from cache/moving/ by recoverMovedAside, observed again there): stat, hash, stat.
    const done = new Set(hashed.map((h) => h.record.id));
    await rememberMtimes(workspace, base.filter((b) => local.get(b.id) === 'unchanged' && !done.has(b.id)), save);
  }
  const tracked = new Set(base.map((b) => b.path));
  const files: string[] = [];
  const links: string[] = [];
  await walkFiles(workspace, `content/${spaceKey}`, format.extension, files, links);
  // New links are never followed: reported and skipped, like tracked files that became links.
  const skippedUntracked = links.filter((l) => !tracked.has(l)).map((l) => linkRefused(l, l));
  const untracked: UntrackedFile[] = [];
  for (const f of files) {
    if (tracked.has(f)) continue;
    const size = (await lstatIn(workspace, f))?.size ?? 0;
    if (limits.maxPageBytes !== undefined && size > limits.maxPageBytes) {
      skippedUntracked.push(tooLarge(f, size, limits.maxPageBytes));
      continue;
    }
    let text: string;
    try {
      // Its front matter's id only: a big new page's body is not held (it is read when it is sent).
      text = await readFrontMatter(workspace, f);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // gone since the walk
      if (!isSkipped(err)) throw err;
      skippedUntracked.push(err);
      continue;
    }
    const meta = parseFile(text).meta;
    untracked.push({ path: f, id: meta.id ? String(meta.id) : undefined });
  }
  return { base, all, local, untracked, skips, skippedUntracked };
}

/**
 * For pull: base pages whose file is gone from its path but whose id is in the front matter of an untracked file
 * (moved or renamed by the user, not pushed yet). Sets their local state in `local` (by hash against the base) and
 * returns their current paths. Walks the space folder only when some base file is missing.
 */
export async function findLocalMoves(workspace: string, spaceKey: string, format: Format, base: ReadonlyArray<{ id: string; path: string; hash: string }>, local: Map<string, LocalState>, isTracked?: (path: string) => boolean): Promise<Map<string, string>> {
  const moves = new Map<string, string>();
  const missing = new Map(base.filter((b) => (local.get(b.id) ?? 'missing') === 'missing' && !b.path.startsWith('cache/')).map((b) => [b.id, b]));
  if (missing.size === 0) return moves;
  // `isTracked`: when `base` is only part of the space (a pull planning from the state database), which paths any record holds.
  const paths = isTracked ? undefined : new Set(base.map((b) => b.path));
  const tracked = isTracked ?? ((p: string) => paths!.has(p));
  const files: string[] = [];
  await walkFiles(workspace, `content/${spaceKey}`, format.extension, files);
  for (const f of files.sort()) {
    if (tracked(f)) continue;
    // A file that is not text is no page's (pull and push report it).
    const text = await readTextSafe(workspace, f).catch(() => undefined);
    if (text === undefined) continue;
    const id = parseFile(text).meta.id;
    const b = id !== undefined ? missing.get(String(id)) : undefined;
    if (!b) continue;
    missing.delete(b.id);
    moves.set(b.id, f);
    local.set(b.id, sha256(text) === b.hash ? 'unchanged' : 'modified');
  }
  return moves;
}

/** What changed locally in a space since the last sync (no network). */
export async function localChanges(workspace: string, state: StateStore | undefined, spaceKey: string, format: Format, paths?: readonly string[], limits: { maxPageBytes?: number | undefined } = {}): Promise<LocalChanges> {
  const obs = await observeLocal(workspace, state, spaceKey, format, false, limits);
  const plan = planPush({ base: obs.base, local: obs.local, untracked: obs.untracked, paths, maxDelete: { percent: 100 }, force: true });
  // Over the size limit: out of the plan before refinement reads and converts anything (push refuses them the same way).
  const tooLarge = [...obs.skips.values(), ...obs.skippedUntracked].filter((e) => e.reason === 'too-large');
  const bigIds = new Set([...obs.skips].flatMap(([id, e]) => (e.reason === 'too-large' ? [id] : [])));
  plan.actions = plan.actions.filter((a) => !('id' in a && a.id !== undefined && bigIds.has(a.id)));
  if (state) {
    // The push planner's refinement decides as push does: an edit that changes neither the page nor its labels (an
    // id-only front-matter edit, a body that converts to the same storage) is unchanged, not modified. Refused
    // actions stay listed (push reports them).
    const links = new SpaceLinks(spaceKey);
    for (const b of obs.all) links.add(b.title, b.path);
    const refined = await refineActions({ workspace, state, spaceKey, format, links, base: obs.base, actions: plan.actions, homepage: () => Promise.resolve(undefined) });
    const none = new Set(refined.actions.flatMap((a) => (a.kind === 'update' && a.effect === 'none' ? [a.id] : [])));
    plan.actions = plan.actions.filter((a) => !('id' in a && a.kind === 'update' && none.has(a.id)));
    plan.unchanged += none.size;
  }
  const changes = { ...changesOf(plan, obs.base, obs.local), tooLarge };
  if (!state) return changes;
  const created = new Set(plan.actions.flatMap((a) => (a.kind === 'create' ? [a.path] : [])));
  const { plan: att, base } = await planAttachments({ workspace, state, spaceKey, extension: format.extension, paths, maxDelete: { percent: 100 }, force: true }, placementsAfter(obs.base, plan.actions), created);
  const out = changes.attachments;
  out.unchanged = att.unchanged;
  for (const a of att.actions) {
    if (a.kind === 'upload' || a.kind === 'orphan') out.new.push(a.path);
    else if (a.kind === 'update') out.modified.push(a.path);
    else if (a.kind === 'delete') out.deleted.push(a.path);
    else if (a.kind === 'relocate') out.moved.push({ from: a.from, to: a.path });
    else if (a.kind === 'conflict') out.conflicts.push({ path: a.path, copyPath: base.get(a.id)?.copyPath ?? null });
  }
  return changes;
}

function changesOf(plan: PushPlan, base: readonly BasePageMeta[], local: ReadonlyMap<string, LocalState>): LocalChanges {
  const byId = new Map(base.map((b) => [b.id, b]));
  const out: LocalChanges = { modified: [], missing: [], created: [], moved: [], unchanged: plan.unchanged, attachments: { modified: [], new: [], deleted: [], moved: [], conflicts: [], unchanged: 0 }, tooLarge: [] };
  for (const a of plan.actions) {
    if (a.kind === 'create') out.created.push(a.path);
    else if (a.kind === 'move') out.moved.push({ page: byId.get(a.id)!, to: a.path });
    else if (a.kind === 'update') out.modified.push(byId.get(a.id)!);
    else if (a.kind === 'delete' || a.kind === 'delete-skipped') out.missing.push(byId.get(a.id)!);
    else {
      const b = byId.get(a.id)!;
      if (a.path !== b.path) out.moved.push({ page: b, to: a.path });
      else if ((local.get(a.id) ?? 'missing') === 'missing') out.missing.push(b);
      else out.modified.push(b);
    }
  }
  return out;
}
