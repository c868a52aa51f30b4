/**
 * The pure and small pieces of `csync watch` (src/cli/commands/watch.ts): the remote change check, what a run
 * changed, the state the daemon reads between runs (conflicts, tracked paths), the human lines on a terminal.
 */
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { PushSummary } from '../engine/push.js';
import type { Keep } from '../engine/resolve.js';
import type { PullSummary } from '../engine/types.js';
import { openStateStore } from '../state/index.js';
import type { RunEvent } from './loop.js';

/** Every this many polls, a pull even if the most recent change looks the same (deletes, moves, labels). */
export const FULL_PULL_EVERY = 10;

/** CQL for "the most recently changed page or attachment in these spaces" (no date window: no time-zone trap). */
export function latestChangeCql(spaces: readonly string[]): string {
  return `space in (${spaces.map((k) => JSON.stringify(k)).join(',')}) and type in (page, attachment) order by lastmodified desc`;
}

/** How many of its own writes (page id → version) the daemon remembers to tell them from other people's changes. */
export const OWN_WRITES_MAX = 50;

/**
 * The change check's answer from the newest results of latestChangeCql: the most recent change this daemon did not
 * write itself (`id:version:lastModified`), 'empty' when there is none, or undefined when it cannot tell (every one of
 * the `limit` results asked for is one of its own writes). A result is ours when its id and version are a version our
 * push created: after a push, our pages top the list, and the first one after them is what the previous poll saw
 * unless someone else changed something since.
 */
export function latestForeignChange(results: ReadonlyArray<{ id: string; version?: number | undefined; lastModified?: string | number | undefined }>, own: ReadonlyMap<string, number>, limit: number): string | undefined {
  for (const r of results) {
    if (r.version !== undefined && own.get(r.id) === r.version) continue;
    return `${r.id}:${r.version ?? ''}:${r.lastModified ?? ''}`;
  }
  return results.length >= limit ? undefined : 'empty';
}

function count(pages: object, keys: readonly string[]): number {
  const p = pages as Record<string, unknown>;
  return keys.reduce((n, k) => n + (typeof p[k] === 'number' ? (p[k] as number) : 0), 0);
}

/** Pages a push changed in Confluence (a move or rename is also an update). */
export function pagesPushed(s: PushSummary): number {
  return count(s.pages, ['updated', 'created', 'deleted', 'merged']);
}

/** Pages a pull changed locally. */
export function pagesPulled(s: PullSummary): number {
  return count(s.pages, ['new', 'updated', 'deleted', 'merged']);
}

/** The paths a push acted on (both ends of a move); unresolved conflicts it skipped are not among them. */
export function pushedPathsOf(s: PushSummary): string[] {
  return s.plan.filter((l) => l.action !== 'conflict').flatMap((l) => (l.from ? [l.path, l.from] : [l.path]));
}

/**
 * From cache/state.db: unresolved conflicts (pageId:remoteVersion → path) and the tracked page and attachment paths
 * (the watcher reports those even when their names look like editor temporaries). Empty before the first pull.
 */
export function readState(workspace: string, spaces: readonly string[]): { conflicts: Map<string, { path: string; copyPath: string | null }>; tracked: Set<string> } {
  const conflicts = new Map<string, { path: string; copyPath: string | null }>();
  const tracked = new Set<string>();
  let store;
  try {
    store = openStateStore(join(workspace, 'cache', 'state.db'), { readonly: true });
    for (const c of store.conflicts()) conflicts.set(`${c.pageId}:${c.remoteVersion}`, { path: c.path, copyPath: c.copyPath });
    for (const a of store.attachmentConflicts()) conflicts.set(`${a.id}:${a.version}`, { path: a.path, copyPath: a.copyPath });
    for (const key of spaces) {
      for (const p of store.pageMetasOfSpace(key)) tracked.add(p.path);
      for (const a of store.attachmentsOfSpace(key)) tracked.add(a.path);
    }
  } catch {
    // no state.db yet (nothing pulled): no conflicts, nothing tracked
  } finally {
    store?.close();
  }
  return { conflicts, tracked };
}

/** `csync resolve` sent to the daemon: { path, keep }. */
export function resolveRequest(body: unknown): { path: string; keep: Keep } {
  const b = (body ?? {}) as { path?: unknown; keep?: unknown };
  if (typeof b.path !== 'string' || !['local', 'remote', 'merged'].includes(String(b.keep))) {
    throw new ConfigError('a resolve request needs "path" and "keep" (local, remote or merged)');
  }
  return { path: b.path, keep: b.keep as Keep };
}

function hhmmss(): string {
  return new Date().toTimeString().slice(0, 8);
}

export function printRun(print: (line: string) => void, e: RunEvent): void {
  if (!e.ok) {
    const msg = e.error instanceof Error ? e.error.message : String(e.error);
    print(`${hhmmss()} ${e.kind} failed: ${msg}${e.retryInMs !== undefined ? `; retrying in ${Math.ceil(e.retryInMs / 1000)} s` : ''}`);
    return;
  }
  const o = e.outcome ?? {};
  const parts: string[] = [];
  if (o.pagesPulled) parts.push(`pulled ${o.pagesPulled} page(s)`);
  if (o.pagesPushed) parts.push(`pushed ${o.pagesPushed} page(s)${o.pushedPaths?.length && o.pushedPaths.length <= 3 ? ` (${o.pushedPaths.join(', ')})` : ''}`);
  if (parts.length) print(`${hhmmss()} ${parts.join(', ')} in ${(e.durationMs / 1000).toFixed(1)} s`);
}
