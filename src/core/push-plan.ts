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

export type PushAction =
  /** The tracked file was edited in place: PUT with version = base + 1 (the executor skips an unchanged body). */
  | { kind: 'update'; id: string; path: string }
  /** The tracked file is at a new path (moved or renamed; maybe also edited): re-parent and/or retitle. */
  | { kind: 'move'; id: string; from: string; path: string }
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
}

/**
 * Titles are unique in a space. Among the titles the pages will have after a push, the files that would give a page
 * a title another page holds (or is given) in the same run, each with one of the files it collides with. Checked
 * before any write, so a collision refuses those files alone and leaves nothing half-done.
 */
export function titleCollisions(entries: readonly TitleEntry[]): Map<string, string> {
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
