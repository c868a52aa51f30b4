/**
 * The push planner: base (what was synced) + local observations (+ optionally what the remote side holds) →
 * actions. Pure: no fs, no HTTP, no SQLite, no clock. The executor (engine/push.ts) reads the files it is told to
 * and carries the actions out; content decisions that need the texts (a 409 → merge or conflict) are in
 * `decideConflict`, also pure.
 *
 * Identity is the page id. A tracked file that is gone from its path but whose id (front matter) turns up in an
 * untracked file was moved or renamed; a tracked file that is gone and nowhere else was deleted (a delete, behind
 * the safety gates); an untracked file without a known id is a new page.
 */
import { checkGates } from './plan.js';
import type { LocalState } from './plan.js';

export interface PushBase {
  id: string;
  path: string;
  status: 'synced' | 'conflict' | 'deleted-remote';
  /** The remote version the base reflects. */
  version: number;
}

export interface UntrackedFile {
  path: string;
  /** The page id in the file's front matter, if any. */
  id?: string | undefined;
}

export interface PushPlanInput {
  base: readonly PushBase[];
  /** Local state of every base page's file (absent = missing). */
  local: ReadonlyMap<string, LocalState>;
  /** Files under the space folder that no base page tracks, sorted or not (the plan sorts). */
  untracked: readonly UntrackedFile[];
  /** Limit to these workspace-relative files or folders (default: everything). */
  paths?: readonly string[] | undefined;
  /** Never delete pages of missing files. */
  noDelete?: boolean | undefined;
  maxDelete: { percent: number; count?: number | undefined };
  force: boolean;
  /**
   * Remote versions by id, when the caller knows them (the sync pass, status, tests). A delete of a page whose
   * remote version moved on is not a delete but a conflict: someone else's edit would go to the trash unseen.
   * Absent: the executor checks the version itself just before deleting.
   */
  remoteVersions?: ReadonlyMap<string, number | null> | undefined;
}

/**
 * What an update or move sends, once `refinePushPlan` has compared the file with its base: the page (a PUT), only its
 * labels, or nothing at all (the bytes changed, the page would not: only the record is refreshed). Absent: not
 * refined yet (the raw plan), taken as 'page'.
 */
export type EditEffect = 'page' | 'labels' | 'none';

export type PushAction =
  /** The tracked file was edited in place: PUT with version = base + 1 (the executor skips an unchanged body). */
  | { kind: 'update'; id: string; path: string; effect?: EditEffect | undefined; rename?: boolean | undefined }
  /** The tracked file is at a new path (moved or renamed; maybe also edited): re-parent and/or retitle. */
  | { kind: 'move'; id: string; from: string; path: string; effect?: EditEffect | undefined; rename?: boolean | undefined }
  /** A new file: create a page under the page of its folder. Parents come before their children. */
  | { kind: 'create'; path: string }
  /** A tracked file deleted locally: trash the page. */
  | { kind: 'delete'; id: string; path: string }
  /** Deleted locally but changed remotely since the base: not deleted (the next pull restores it). */
  | { kind: 'delete-skipped'; id: string; path: string; reason: 'remote-changed' | 'remote-gone' }
  /** The page has an unresolved conflict: not pushed until `csync resolve`. */
  | { kind: 'conflict'; id: string; path: string };

export interface PushPlan {
  actions: PushAction[];
  /** Tracked files unchanged since the base. */
  unchanged: number;
  /** Set when a safety gate stops the run: nothing may be executed. */
  gate?: string | undefined;
}

/** Whether a workspace-relative path is inside one of `paths` (files or folders; none = everything). */
export function inPaths(path: string, paths: readonly string[] | undefined): boolean {
  if (!paths || paths.length === 0) return true;
  return paths.some((p) => {
    const n = normalizePath(p);
    return n === '.' || n === '' || path === n || path.startsWith(`${n}/`);
  });
}

function normalizePath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('\\').join('/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.length ? parts.join('/') : '.';
}

/** Depth first (parents before children), then by name: the order creates must run in. */
export function createOrder(a: string, b: string): number {
  return a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0);
}

export function planPush(input: PushPlanInput): PushPlan {
  const actions: PushAction[] = [];
  const missingById = new Map<string, PushBase>();
  let unchanged = 0;
  for (const b of input.base) {
    const state = input.local.get(b.id) ?? 'missing';
    if (state === 'missing') missingById.set(b.id, b);
    else if (state === 'unchanged') unchanged++;
    else if (inPaths(b.path, input.paths)) actions.push(b.status === 'synced' ? { kind: 'update', id: b.id, path: b.path } : { kind: 'conflict', id: b.id, path: b.path });
  }
  const creates: string[] = [];
  for (const f of [...input.untracked].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))) {
    const page = f.id ? missingById.get(f.id) : undefined;
    if (page) {
      // The first file carrying the id is the moved page; any later copy is a new page (ids are unique).
      missingById.delete(page.id);
      if (!inPaths(f.path, input.paths) && !inPaths(page.path, input.paths)) continue;
      actions.push(page.status === 'synced' ? { kind: 'move', id: page.id, from: page.path, path: f.path } : { kind: 'conflict', id: page.id, path: f.path });
    } else if (inPaths(f.path, input.paths)) creates.push(f.path);
  }
  creates.sort(createOrder);
  for (const path of creates) actions.push({ kind: 'create', path });
  const deletes: PushAction[] = [];
  for (const b of missingById.values()) {
    if (!inPaths(b.path, input.paths)) continue;
    // A conflicted page is not pushed until resolved, a delete included: the remote version is only in the copy.
    if (b.status === 'conflict') actions.push({ kind: 'conflict', id: b.id, path: b.path });
    else if (!input.noDelete) {
      const remote = input.remoteVersions?.get(b.id);
      if (b.status === 'deleted-remote' || remote === null) deletes.push({ kind: 'delete-skipped', id: b.id, path: b.path, reason: 'remote-gone' });
      else if (remote !== undefined && remote !== b.version) deletes.push({ kind: 'delete-skipped', id: b.id, path: b.path, reason: 'remote-changed' });
      else deletes.push({ kind: 'delete', id: b.id, path: b.path });
    }
  }
  const deleteCount = deletes.filter((a) => a.kind === 'delete').length;
  const gate = checkGates({ baseCount: input.base.length, remoteCount: input.base.length, deletes: deleteCount, maxDeletePercent: input.maxDelete.percent, maxDeleteCount: input.maxDelete.count, force: input.force });
  actions.push(...deletes);
  return { actions, unchanged, gate };
}

export type ConflictDecision =
  /** Both sides hold the same text: mark it synced at the remote version, push nothing. */
  | { kind: 'same' }
  /** A clean three-way merge: push `text` (unless it equals the remote text) and write it locally (unless it equals the local text). */
  | { kind: 'merged'; text: string }
  /** Overlapping changes: keep the local file, save the remote text beside it, push nothing. */
  | { kind: 'conflict' };

/**
 * What to do after a 409 (someone else changed the page since our base), given the three local texts. `merge` is
 * the line merge (injected: the core stays free of the merge module's dependencies).
 */
export function decideConflict(base: string, local: string, remote: string, merge: (base: string, local: string, remote: string) => { clean: boolean; text: string }): ConflictDecision {
  if (local === remote) return { kind: 'same' };
  const m = merge(base, local, remote);
  if (!m.clean) return { kind: 'conflict' };
  return { kind: 'merged', text: m.text };
}

export interface TitleEntry {
  path: string;
  title: string;
  /** This push gives the page this title (a create or a rename); false: the page already has it. */
  changing: boolean;
  /** The title the page keeps when its change is refused (a rename's old title); undefined for a create. */
  keeps?: string | undefined;
}

/**
 * Titles are unique in a space. Among the titles the pages will have after a push, the files that would give a page
 * a title another page holds (or is given) in the same run, each with one of the files it collides with. Checked
 * before any write, so a collision refuses those files alone and leaves nothing half-done.
 */
export function titleCollisions(entries: readonly TitleEntry[]): Map<string, string> {
  // A refused rename keeps its old title, which may collide in turn with another rename: repeat until nothing changes.
  const out = new Map<string, string>();
  let current = [...entries];
  for (let round = 0; round <= entries.length; round++) {
    const found = collisionsOnce(current);
    let added = false;
    for (const [path, other] of found) {
      if (out.has(path)) continue;
      out.set(path, other);
      added = true;
    }
    if (!added) break;
    current = current.flatMap((e) => (!out.has(e.path) ? [e] : e.keeps === undefined ? [] : [{ path: e.path, title: e.keeps, changing: false }]));
  }
  return out;
}

function collisionsOnce(entries: readonly TitleEntry[]): Map<string, string> {
  const byTitle = new Map<string, TitleEntry[]>();
  for (const e of entries) {
    const k = e.title.normalize('NFC');
    const list = byTitle.get(k);
    if (list) list.push(e);
    else byTitle.set(k, [e]);
  }
  const out = new Map<string, string>();
  for (const list of byTitle.values()) {
    if (list.length < 2) continue;
    for (const e of list) if (e.changing) out.set(e.path, list.find((o) => o !== e)!.path);
  }
  return out;
}

/** What the file of an update or move says, read by the engine for `refinePushPlan`. */
export interface EditFacts {
  /** The front matter cannot be parsed: the file is not pushed (the reason). */
  unreadable?: string | undefined;
  /** The title the file gives the page (its front matter, else the base title). */
  title: string;
  /** The body converts to the storage the base converts to. */
  bodySame: boolean;
  /** The label set equals the base's. */
  labelsSame: boolean;
}

export interface TreePage {
  id: string;
  path: string;
  parentId: string | null;
  title: string;
}

export interface RefinedPushPlan {
  actions: PushAction[];
  /** Files the run leaves alone, each with the reason (printed as warnings by dry and real runs alike). */
  refused: Array<{ path: string; reason: string }>;
}

/** content/SPACE/X<ext> → content/SPACE/<folder of X><ext>: the file of the page a file's folder belongs to. */
export function parentFolderFile(path: string, ext: string): string {
  return `${path.slice(0, path.lastIndexOf('/'))}${ext}`;
}

/**
 * Decides, before anything is sent, what each update, move and create of a plan will do, exactly as the executor
 * then does it: whether an edit changes the page, its labels only, or nothing; whether it renames; and which
 * moves and creates are refused (unreadable front matter, a folder with no page, a page moved under itself).
 * Moves are checked in order against the tree as the moves before them leave it, creates parents first, as the
 * executor runs them. `homepage` is the id a top-level file gets as its parent (undefined: not known, taken as fine).
 */
export function refinePushPlan(actions: readonly PushAction[], facts: ReadonlyMap<string, EditFacts>, createFacts: ReadonlyMap<string, { unreadable?: string | undefined }>, tree: readonly TreePage[], ext: string, homepage: string | null | undefined): RefinedPushPlan {
  const refused: RefinedPushPlan['refused'] = [];
  const byId = new Map(tree.map((p) => [p.id, { ...p }]));
  const idAt = new Map(tree.map((p) => [p.path, p.id]));
  const parentOf = (path: string): string | null | undefined => {
    const folder = parentFolderFile(path, ext);
    const page = idAt.get(folder);
    if (page !== undefined) return page;
    if (folder.split('/').length <= 3) return homepage === undefined ? undefined : homepage; // content/SPACE/X.md
    return null;
  };
  const inside = (id: string | null | undefined, ancestor: string): boolean => {
    for (let hops = 0; id && hops < 1000; hops++) {
      if (id === ancestor) return true;
      id = byId.get(id)?.parentId ?? null;
    }
    return false;
  };
  const out: PushAction[] = [];
  const edit = (a: Extract<PushAction, { kind: 'update' | 'move' }>, parentChanges: boolean): PushAction | undefined => {
    const f = facts.get(a.id);
    const b = byId.get(a.id);
    if (!f || !b) return a;
    if (f.unreadable !== undefined) {
      refused.push({ path: a.path, reason: `front matter unreadable (${f.unreadable}); not pushed` });
      return undefined;
    }
    const rename = f.title !== b.title;
    const effect: EditEffect = !f.bodySame || rename || parentChanges ? 'page' : f.labelsSame ? 'none' : 'labels';
    return { ...a, effect, rename };
  };
  // Edits in place run first (side by side), then moves one at a time, then creates, then deletes.
  for (const a of actions) {
    if (a.kind !== 'update') continue;
    const r = edit(a, false);
    if (r) out.push(r);
  }
  for (const a of actions) {
    if (a.kind !== 'move') continue;
    const b = byId.get(a.id);
    const parent = parentOf(a.path);
    if (parent === null) {
      refused.push({ path: a.path, reason: 'no page for its folder; not moved' });
      continue;
    }
    const newParent = parent === undefined ? (b?.parentId ?? null) : parent;
    if (b && newParent !== b.parentId && inside(newParent, b.id)) {
      refused.push({ path: a.path, reason: "its folder's page is inside this page; a page cannot be moved under itself; not moved" });
      continue;
    }
    const refinedMove = edit(a, b !== undefined && parent !== undefined && newParent !== b.parentId);
    if (!refinedMove) continue;
    out.push(refinedMove);
    if (b) {
      idAt.delete(b.path);
      idAt.set(a.path, b.id);
      b.path = a.path;
      if (parent !== undefined) b.parentId = newParent;
    }
  }
  const creates = actions.filter((a): a is Extract<PushAction, { kind: 'create' }> => a.kind === 'create').sort((x, y) => createOrder(x.path, y.path));
  for (const a of creates) {
    const unreadable = createFacts.get(a.path)?.unreadable;
    if (unreadable !== undefined) {
      refused.push({ path: a.path, reason: `front matter unreadable (${unreadable}); not created` });
      continue;
    }
    if (parentOf(a.path) === null) {
      refused.push({ path: a.path, reason: `no page for its folder ${parentFolderFile(a.path, ext)}; not created` });
      continue;
    }
    out.push(a);
    idAt.set(a.path, `new:${a.path}`);
  }
  for (const a of actions) if (a.kind !== 'update' && a.kind !== 'move' && a.kind !== 'create') out.push(a);
  return { actions: out, refused };
}
