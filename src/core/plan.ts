/**
 * The pull planner: base (what was synced) + local observations + remote listing → actions. Pure: no fs, no HTTP,
 * no SQLite, no clock. Remote changes are detected by version number (and label sets, which Confluence changes
 * without a version bump), never by comparing bodies. Identity is the page id; paths come from assignPaths.
 */
import { assignPaths } from './file-names.js';

export interface RemoteMeta {
  id: string;
  title: string;
  parentId: string | null;
  version: number;
  labels: string[];
}

export interface BaseMeta {
  id: string;
  path: string;
  version: number;
  labels: string[];
}

export type LocalState = 'unchanged' | 'modified' | 'missing';

export interface PlanInput {
  spaceKey: string;
  /** File extension of the space's format, with the dot. */
  ext: string;
  base: readonly BaseMeta[];
  /** Local state of every base page's file. */
  local: ReadonlyMap<string, LocalState>;
  remote: readonly RemoteMeta[];
  /** Workspace-relative paths of files that exist but are not tracked (never overwritten). */
  untracked: ReadonlySet<string>;
  /**
   * Pages whose file the user moved or renamed (found by the id in its front matter at another path), not pushed
   * yet: their local state (in `local`) is the state of the file at that path. Without this the file would look
   * deleted, and a remote change would restore the page beside the moved file: two files with one id.
   */
  localPaths?: ReadonlyMap<string, string> | undefined;
  /**
   * Workspace paths of the remote pages, already assigned (the pull plans from the state database: paths come from
   * SQL, and `remote` and `base` hold only the pages that may need an action). Without it, paths are assigned here
   * from `remote`, which must then be the whole space.
   */
  paths?: ReadonlyMap<string, string> | undefined;
}

export type PullAction =
  /** Write the remote page to `path` (new page, or remote change with the local file unchanged or gone). */
  | { kind: 'download'; id: string; path: string; from?: string | undefined; reason: 'new' | 'changed' | 'restore' }
  /** The path changed but the content did not: move the file (local edits travel with it). */
  | { kind: 'move'; id: string; from: string; path: string }
  /** Only the labels changed and the file is unedited: rewrite its front matter. */
  | { kind: 'relabel'; id: string; path: string; from?: string | undefined }
  /** Both sides changed: the executor compares texts (false conflict → synced), else writes a conflict copy. */
  | { kind: 'both-changed'; id: string; path: string; from: string }
  /** A remote page arrives where an untracked local file already is: the local file stays, the remote goes beside it. */
  | { kind: 'untracked-clash'; id: string; path: string }
  /** Gone remotely, unchanged locally: the file goes to cache/trash. */
  | { kind: 'trash'; id: string; path: string }
  /** Gone remotely but edited locally: keep the file, record a conflict. */
  | { kind: 'deleted-remote-modified-local'; id: string; path: string };

export interface Plan {
  actions: PullAction[];
  /** Workspace-relative path (with extension) of every remote page after the pull. */
  paths: Map<string, string>;
  unchanged: number;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

export function pagePath(spaceKey: string, rel: string, ext: string): string {
  // join() makes one flat string: a template literal over the tree-built `rel` keeps a rope of ~10 small strings
  // per path, ~3x the memory for the whole-space path map (100k pages: ~20 MB more).
  return ['content/', spaceKey, '/', rel, ext].join('');
}

export function planPull(input: PlanInput): Plan {
  const base = new Map<string, BaseMeta>();
  for (const b of input.base) base.set(b.id, b);
  // The relative paths become the workspace paths in the same map (no second whole-space map), and a page whose path
  // does not change keeps the base's string (one copy of each path in memory, not two: ~6 MB at 100k pages).
  // Given paths are the plan's (never changed here: avoidOccupied copies before it changes any).
  const paths = input.paths ? (input.paths as Map<string, string>) : assignPaths(input.remote);
  if (!input.paths) {
    for (const [id, rel] of paths) {
      const path = pagePath(input.spaceKey, rel, input.ext);
      const was = base.get(id)?.path;
      paths.set(id, was === path ? was : path);
    }
  }
  const actions: PullAction[] = [];
  let unchanged = 0;
  const remoteIds = new Set<string>();
  for (const r of input.remote) {
    remoteIds.add(r.id);
    const path = paths.get(r.id)!;
    const b = base.get(r.id);
    if (!b) {
      if (input.untracked.has(path)) actions.push({ kind: 'untracked-clash', id: r.id, path });
      else actions.push({ kind: 'download', id: r.id, path, reason: 'new' });
      continue;
    }
    const local = input.local.get(r.id) ?? 'missing';
    const localPath = input.localPaths?.get(r.id);
    const versionChanged = r.version !== b.version;
    if (localPath !== undefined && local !== 'missing') {
      // Moved locally: an unchanged remote side leaves it to push (which moves the page); a remote change takes the
      // file from where the user put it (to the remote path, merged or as a conflict, like any edit).
      if (!versionChanged) unchanged++;
      else if (local === 'unchanged') actions.push({ kind: 'download', id: r.id, path, from: localPath, reason: 'changed' });
      else actions.push({ kind: 'both-changed', id: r.id, path, from: localPath });
      continue;
    }
    const moved = path !== b.path;
    const labelsChanged = !sameSet(r.labels, b.labels);
    if (!versionChanged && !moved && !labelsChanged) {
      unchanged++;
      continue;
    }
    if (local === 'missing') {
      // Deleted locally. A remote edit wins over a local delete (nothing is lost); otherwise leave it for push.
      if (versionChanged) actions.push({ kind: 'download', id: r.id, path, reason: 'restore' });
      else unchanged++;
      continue;
    }
    if (versionChanged) {
      if (local === 'unchanged') actions.push({ kind: 'download', id: r.id, path, from: b.path, reason: 'changed' });
      else actions.push({ kind: 'both-changed', id: r.id, path, from: b.path });
      continue;
    }
    if (labelsChanged && local === 'unchanged') {
      actions.push({ kind: 'relabel', id: r.id, path, from: moved ? b.path : undefined });
      continue;
    }
    if (moved) actions.push({ kind: 'move', id: r.id, from: b.path, path });
    else unchanged++;
  }
  for (const b of input.base) {
    if (remoteIds.has(b.id)) continue;
    const local = input.local.get(b.id) ?? 'missing';
    const path = input.localPaths?.get(b.id) ?? b.path;
    if (local === 'missing') actions.push({ kind: 'trash', id: b.id, path });
    else if (local === 'unchanged') actions.push({ kind: 'trash', id: b.id, path });
    else actions.push({ kind: 'deleted-remote-modified-local', id: b.id, path });
  }
  return { actions, paths, unchanged };
}

export interface GateInput {
  baseCount: number;
  remoteCount: number;
  deletes: number;
  maxDeletePercent: number;
  maxDeleteCount?: number | undefined;
  force: boolean;
  /** What is counted (default 'page'). */
  noun?: string;
}

/** The safety gates between plan and execute (rclone bisync's): an empty listing, or too many deletes. */
export function checkGates(g: GateInput): string | undefined {
  if (g.force) return undefined;
  const noun = g.noun ?? 'page';
  if (g.baseCount > 0 && g.remoteCount === 0) {
    return `the remote listing is empty but ${g.baseCount} ${noun}(s) were synced before; refusing to delete them all`;
  }
  const limit = g.maxDeleteCount ?? Math.floor((g.baseCount * g.maxDeletePercent) / 100);
  if (g.deletes > limit && g.deletes > 0) {
    const what = g.maxDeleteCount !== undefined ? `sync.maxDeleteCount ${g.maxDeleteCount}` : `${g.maxDeletePercent}% of ${g.baseCount} ${noun}(s)`;
    return `this run would delete ${g.deletes} ${noun}(s), more than the limit (${what})`;
  }
  return undefined;
}

/**
 * The paths a pull would place an existing page's file at that are not where that file is now (moves, renames,
 * restores). Any of them that holds a file no page tracks is someone's work the pull must not write over.
 */
export function placementTargets(plan: Plan): string[] {
  const out: string[] = [];
  for (const a of plan.actions) {
    if (a.kind === 'download' && a.reason === 'restore') out.push(a.path);
    else if ((a.kind === 'download' || a.kind === 'move' || a.kind === 'relabel' || a.kind === 'both-changed') && a.from !== undefined && a.from !== a.path) out.push(a.path);
  }
  return out;
}

/** A page the pull keeps off its new path: `by` is the page whose file stays there (undefined: a file no page tracks). */
export interface KeptPage {
  id: string;
  /** Where the page now belongs. */
  path: string;
  /** Where its file stays. */
  at: string;
  by?: string | undefined;
}

/** A page without a file here (new, or to restore) that waits for the path another page's file keeps (`by`). */
export interface WaitingPage {
  id: string;
  path: string;
  by: string;
}

/**
 * Keeps a pull off files it must not write over. `occupied`: targets from `placementTargets` that hold a file no page
 * tracks. A page whose new path is taken stays where its file is (content changes are applied there); a
 * page to restore onto an untracked file arrives beside it as an untracked-clash copy. A path where another page's
 * file stays (it is kept off its own new path, or it was deleted remotely but edited here) is
 * taken the same way: a page with a file stays where it is, a new page or one to restore waits (no action). The next
 * pull tries again, so once the user moves their file (or the other page has moved) the page takes its path.
 */
export function avoidOccupied(plan: Plan, occupied: ReadonlySet<string>): { plan: Plan; kept: KeptPage[]; waiting: WaitingPage[] } {
  // Paths where a page's file stays after this pull (→ that page's id).
  const held = new Map<string, string>();
  for (const a of plan.actions) if (a.kind === 'deleted-remote-modified-local') held.set(a.path, a.id);
  const heldBy = (a: PullAction) => {
    const by = held.get(a.path);
    return by !== undefined && by !== a.id ? by : undefined;
  };
  if (occupied.size === 0 && !plan.actions.some((a) => heldBy(a) !== undefined)) return { plan, kept: [], waiting: [] };
  // A page kept at its old path holds that path, which may be another page's new one: repeated until nothing more is
  // kept (each round keeps at least one more page, or ends).
  for (;;) {
    const out = avoidOnce(plan, occupied, heldBy);
    let more = false;
    for (const k of out.kept) {
      if (held.get(k.at) === undefined) {
        held.set(k.at, k.id);
        more = true;
      }
    }
    if (!more) return out;
  }
}

function avoidOnce(plan: Plan, occupied: ReadonlySet<string>, heldBy: (a: PullAction) => string | undefined): { plan: Plan; kept: KeptPage[]; waiting: WaitingPage[] } {
  const kept: KeptPage[] = [];
  const waiting: WaitingPage[] = [];
  const paths = new Map(plan.paths);
  let unchanged = plan.unchanged;
  const actions: PullAction[] = [];
  for (const a of plan.actions) {
    if (a.kind === 'trash' || a.kind === 'deleted-remote-modified-local') {
      actions.push(a);
      continue;
    }
    const by = heldBy(a);
    if (by === undefined && (!occupied.has(a.path) || a.kind === 'untracked-clash')) {
      actions.push(a);
      continue;
    }
    const from = 'from' in a && a.from !== undefined && a.from !== a.path ? a.from : undefined;
    if (by !== undefined && from === undefined) {
      // No file of its own to keep it in: it waits for the path.
      waiting.push({ id: a.id, path: a.path, by });
      paths.delete(a.id);
      unchanged++;
      continue;
    }
    if (a.kind === 'download' && a.reason === 'restore') {
      actions.push({ kind: 'untracked-clash', id: a.id, path: a.path });
      continue;
    }
    if (from === undefined) {
      actions.push(a);
      continue;
    }
    kept.push({ id: a.id, path: a.path, at: from, by });
    paths.set(a.id, from);
    if (a.kind === 'move') unchanged++;
    else actions.push({ ...a, path: from });
  }
  return { plan: { actions, paths, unchanged }, kept, waiting };
}
