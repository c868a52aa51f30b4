/**
 * Where a pull would put each page, computed from the state base alone (no listing): what push uses to leave the
 * files it renamed, re-parented or created at the path the next pull computes, so paths converge in the same sync
 * as the content. Pure: no fs, no SQLite.
 *
 * Unscoped workspaces hold every page of the space, so this is pull's computation (assignPaths over titles and
 * parents; sibling collisions by id order) as long as the base matches the remote side. A scoped workspace (--root,
 * --label, --cql) holds part of the space while pull names pages against the whole space (a sibling outside the
 * scope may have taken a name): there a page keeps its folder when its parent is not in the base, and keeps its file
 * name whenever that name is one pull could have given its title (the plain name or the collision-suffixed one).
 */
import { assignPaths, safeName } from './file-names.js';
import { pagePath } from './plan.js';

export interface PlacedPage {
  id: string;
  title: string;
  parentId: string | null;
  /** Workspace-relative path of the page's file as recorded in the base. */
  path: string;
  status: 'synced' | 'conflict' | 'deleted-remote';
}

export interface Relocation {
  id: string;
  from: string;
  to: string;
}

const stripExt = (path: string, ext: string) => (path.endsWith(ext) ? path.slice(0, -ext.length) : path);

/** Whether `name` (no extension) is a name pull could give this page: its title's, or that with the collision suffix. */
export function nameFits(name: string, page: { id: string; title: string }): boolean {
  const plain = safeName(page.title);
  if (name === plain) return true;
  const suffixed = `${plain} (${page.id.slice(-6)})`;
  return name.startsWith(suffixed) && /^_*$/.test(name.slice(suffixed.length));
}

/**
 * The path pull would compute for each page of the base that exists remotely (pages marked deleted-remote take no
 * name). `scoped`: the base holds only part of the space (see above).
 */
export function placePages(spaceKey: string, ext: string, pages: readonly PlacedPage[], scoped: boolean): Map<string, string> {
  const live = pages.filter((p) => p.status !== 'deleted-remote');
  const rels = assignPaths(live);
  const byId = new Map(live.map((p) => [p.id, p]));
  const out = new Map<string, string>();
  // The folder a page's children go in (the page's path without extension); undefined: each child keeps its own.
  const folderOf = (p: PlacedPage, depth: number): string | undefined => {
    // A page staged by an interrupted pull: that pull puts it (and so its folder) at the computed path.
    if (p.path.startsWith('cache/')) return scoped ? undefined : stripExt(pagePath(spaceKey, rels.get(p.id) ?? p.id, ext), ext);
    const path = depth < 64 ? visit(p, depth) : undefined;
    return path === undefined ? undefined : stripExt(path, ext);
  };
  const visit = (p: PlacedPage, depth: number): string | undefined => {
    const known = out.get(p.id);
    if (known !== undefined) return known;
    const rel = rels.get(p.id);
    // Staged pages are the pull's; pages in a parent cycle have no name. (A page in conflict is named like the
    // others, its record holds the remote title and parent, but planRelocations leaves its file where it is.)
    let path: string;
    if (p.path.startsWith('cache/') || rel === undefined) path = p.path;
    else {
      const parent = p.parentId !== null ? byId.get(p.parentId) : undefined;
      const parentFolder = parent ? folderOf(parent, depth + 1) : undefined;
      const computedName = rel.slice(rel.lastIndexOf('/') + 1);
      const currentName = stripExt(p.path.slice(p.path.lastIndexOf('/') + 1), ext);
      const name = scoped && nameFits(currentName, p) ? currentName : computedName;
      const dir = parentFolder ?? (scoped ? p.path.slice(0, p.path.lastIndexOf('/')) : `content/${spaceKey}`);
      path = `${dir}/${name}${ext}`;
    }
    out.set(p.id, path);
    return path;
  };
  for (const p of live) visit(p, 0);
  return out;
}

/**
 * The synced pages whose recorded path is not where pull would put them. Pages in conflict keep their path (their
 * conflict record names it) and pages staged under cache/ belong to an interrupted pull.
 */
export function planRelocations(spaceKey: string, ext: string, pages: readonly PlacedPage[], scoped: boolean): Relocation[] {
  const desired = placePages(spaceKey, ext, pages, scoped);
  const out: Relocation[] = [];
  for (const p of pages) {
    if (p.status !== 'synced' || p.path.startsWith('cache/')) continue;
    const to = desired.get(p.id);
    if (to !== undefined && to !== p.path) out.push({ id: p.id, from: p.path, to });
  }
  return out;
}
