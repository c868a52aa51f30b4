/** Decisions on the push plan before anything is sent: title collisions, skipped files, placements, plan lines. */
import { titleCollisions, inPaths, type PushAction, type PushPlan, type TitleEntry } from '../../core/push-plan.js';
import { parseFile } from '../../format/front-matter.js';
import type { SkippedFile } from '../../local/safe-fs.js';
import { readFrontMatter } from './context.js';
import type { BasePageMeta } from '../../state/index.js';
import { reportSkip, type Skips } from '../scan.js';
import type { PlanLine } from '../types.js';
import type { PagePlacement } from './attachments.js';
import type { PushSummary } from '../push.js';

/** Where each tracked page will be after the page actions (moves applied, deletes gone). */
export function placementsAfter(base: readonly BasePageMeta[], actions: readonly PushAction[]): PagePlacement[] {
  const to = new Map<string, string | null>();
  for (const a of actions) {
    if (a.kind === 'move') to.set(a.id, a.path);
    else if (a.kind === 'delete') to.set(a.id, null);
  }
  const out: PagePlacement[] = [];
  for (const b of base) {
    const path = to.has(b.id) ? to.get(b.id) : b.path;
    if (path) out.push({ id: b.id, path, status: b.status });
  }
  return out;
}

/** The titles pages will have after the push, read from the front matter of the files it sends. */
export async function findTitleCollisions(workspace: string, base: readonly BasePageMeta[], actions: readonly PushAction[], ext: string): Promise<Map<string, string>> {
  const touched = new Map<string, PushAction>();
  for (const a of actions) if ((a.kind === 'update' || a.kind === 'move' || a.kind === 'delete') && a.id) touched.set(a.id, a);
  const entries: TitleEntry[] = [];
  const titleIn = async (path: string): Promise<string | undefined> => {
    const text = await readFrontMatter(workspace, path).catch(() => undefined);
    if (text === undefined) return undefined;
    const p = parseFile(text);
    return p.ok && p.meta.title !== undefined ? String(p.meta.title) : undefined;
  };
  for (const b of base) {
    const a = touched.get(b.id);
    // A page deleted in this run holds its title until the delete, which runs after every edit, move and create.
    if (!a || a.kind === 'delete') {
      entries.push({ path: b.path, title: b.title, changing: false });
      continue;
    }
    const title = (await titleIn(a.path)) ?? b.title;
    entries.push({ path: a.path, title, changing: title !== b.title, keeps: b.title });
    // Renames run side by side in any order: a page's old title is held until its own rename lands, so another
    // page cannot take it in the same run (a swap or a chain of renames goes over two pushes, never half-done).
    if (title !== b.title) entries.push({ path: b.path, title: b.title, changing: false });
  }
  if (!entries.some((e) => e.changing) && !actions.some((a) => a.kind === 'create')) return new Map();
  for (const a of actions) {
    if (a.kind !== 'create') continue;
    const name = a.path.slice(a.path.lastIndexOf('/') + 1, a.path.length - ext.length);
    entries.push({ path: a.path, title: (await titleIn(a.path)) ?? name, changing: true });
  }
  return titleCollisions(entries);
}

/** The dry run's line for an action; none for an edit that changes nothing in Confluence (only the record). */
export function planLine(a: PushAction): PlanLine | undefined {
  switch (a.kind) {
    case 'create':
      return { action: 'create', path: a.path, id: '' };
    case 'update':
      if (a.effect === 'none') return undefined;
      return { action: a.effect === 'labels' ? 'labels' : a.rename ? 'rename' : 'update', path: a.path, id: a.id };
    case 'move':
      if (a.effect === 'none') return undefined;
      return { action: a.effect === 'labels' ? 'labels' : 'move', path: a.path, from: a.from, id: a.id };
    case 'delete-skipped':
      return { action: 'keep', path: a.path, id: a.id };
    default:
      return { action: a.kind, path: a.path, id: a.id };
  }
}

/**
 * Files left alone (links, not text, too large) are reported, their pages' actions dropped. While an untracked file
 * is skipped, no missing file is taken for a delete: the skipped file may be that page, moved (its id unread).
 */
export function leaveSkipped(plan: PushPlan, obs: { skips: Skips; skippedUntracked: readonly SkippedFile[] }, summary: PushSummary, paths: readonly string[] | undefined): void {
  for (const err of [...obs.skips.values(), ...obs.skippedUntracked]) if (inPaths(err.path, paths)) reportSkip(summary, err);
  if (!obs.skips.size && !obs.skippedUntracked.length) return;
  plan.actions = plan.actions.filter((a) => {
    if ('id' in a && a.id && obs.skips.has(a.id)) return false;
    if (a.kind === 'delete' && obs.skippedUntracked.length) {
      summary.warnings.push(`${a.path}: missing, but not deleted while a file is skipped (it may be this page, moved); fix the skipped files and push again`);
      if (!summary.skipped.includes(a.path)) summary.skipped.push(a.path);
      return false;
    }
    return true;
  });
}
