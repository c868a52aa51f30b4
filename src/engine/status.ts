/** `csync status`: local changes (no network), remote changes by version (one listing without bodies), conflicts. */
import { join } from 'node:path';
import type { Format } from '../format/types.js';
import { statOrUndefined } from '../local/files.js';
import { silentLogger, type Logger } from '../obs/logger.js';
import { openStateStore, type StateStore } from '../state/index.js';
import { planPullOf } from './pull.js';
import { inPaths, localChanges } from './push.js';
import type { SyncApi } from './types.js';

export interface StatusOptions {
  workspace: string;
  api?: SyncApi | undefined;
  spaces: readonly string[];
  paths?: readonly string[] | undefined;
  formatFor: (spaceKey: string) => Format;
  /** The pull scope (config "scope"): remote changes are what a pull with this scope would do. */
  scope?: { rootPageId?: string | undefined; labels?: readonly string[] | undefined; cql?: string | undefined } | undefined;
  logger?: Logger | undefined;
  /** Pages per listing request (batch.pageSize). */
  pageSize?: number | undefined;
  /** Page files larger than this are reported and left out, never read (sync.maxPageBytes, as push). */
  maxPageBytes?: number | undefined;
}

export interface StatusEntry {
  path: string;
  id?: string | undefined;
  from?: string | undefined;
}

export interface StatusReport {
  spaces: string[];
  local: { modified: StatusEntry[]; new: StatusEntry[]; deleted: StatusEntry[]; moved: StatusEntry[] };
  /** Undefined when the remote side was not checked (--local). */
  remote?: { changed: StatusEntry[]; new: Array<{ id: string; title: string; path: string }>; deleted: StatusEntry[] } | undefined;
  conflicts: Array<{ path: string; copyPath: string | null; kind: string }>;
  unchanged: number;
  /** Attachment files unchanged since the last sync (remote attachment changes are not checked: csync pull does). */
  unchangedAttachments: number;
  requests: number | undefined;
  /** Page files a push leaves unsynced on purpose (over sync.maxPageBytes); `warnings` says why, one line each. */
  skipped: string[];
  warnings: string[];
}

export async function runStatus(options: StatusOptions): Promise<StatusReport> {
  const report: StatusReport = { spaces: [], local: { modified: [], new: [], deleted: [], moved: [] }, conflicts: [], unchanged: 0, unchangedAttachments: 0, requests: undefined, skipped: [], warnings: [] };
  const dbPath = join(options.workspace, 'cache', 'state.db');
  const state: StateStore | undefined = (await statOrUndefined(dbPath)) ? openStateStore(dbPath, { readonly: true }) : undefined;
  const before = options.api?.stats?.().requests;
  if (options.api) report.remote = { changed: [], new: [], deleted: [] };
  try {
    for (const key of options.spaces) {
      report.spaces.push(key);
      const format = options.formatFor(key);
      const c = await localChanges(options.workspace, state, key, format, options.paths, { maxPageBytes: options.maxPageBytes });
      for (const err of c.tooLarge) {
        if (!inPaths(err.path, options.paths) || report.skipped.includes(err.path)) continue;
        report.skipped.push(err.path);
        report.warnings.push(err.message);
      }
      report.unchanged += c.unchanged;
      report.local.modified.push(...c.modified.map((b) => ({ path: b.path, id: b.id })));
      report.local.new.push(...c.created.map((path) => ({ path })));
      report.local.deleted.push(...c.missing.map((b) => ({ path: b.path, id: b.id })));
      report.local.moved.push(...c.moved.map((m) => ({ path: m.to, from: m.page.path, id: m.page.id })));
      const att = c.attachments;
      report.unchangedAttachments += att.unchanged;
      report.local.modified.push(...att.modified.map((path) => ({ path })));
      report.local.new.push(...att.new.map((path) => ({ path })));
      report.local.deleted.push(...att.deleted.map((path) => ({ path })));
      report.local.moved.push(...att.moved.map((m) => ({ path: m.to, from: m.from })));
      report.conflicts.push(...att.conflicts.map((x) => ({ path: x.path, copyPath: x.copyPath, kind: 'attachment-both-modified' })));
      if (options.api && report.remote) {
        // The pull planner decides (scope, moves, restores, labels): status shows what `csync pull` would do.
        const pull = { workspace: options.workspace, api: options.api, spaces: [key], ...options.scope, formatFor: options.formatFor, maxDelete: { percent: 100 }, force: true, dryRun: true, concurrency: 1, pageSize: options.pageSize, logger: options.logger ?? silentLogger() };
        const { plan, titles } = await planPullOf(pull, state, key);
        for (const a of plan.actions) {
          if (options.paths?.length && !inPaths(a.path, options.paths) && !('from' in a && a.from !== undefined && inPaths(a.from, options.paths))) continue;
          if (a.kind === 'download' && a.reason === 'new') report.remote.new.push({ id: a.id, title: titles.get(a.id) ?? a.path, path: a.path });
          else if (a.kind === 'untracked-clash') report.remote.new.push({ id: a.id, title: titles.get(a.id) ?? a.path, path: a.path });
          else if (a.kind === 'trash' || a.kind === 'deleted-remote-modified-local') report.remote.deleted.push({ path: a.path, id: a.id });
          else report.remote.changed.push({ path: a.path, id: a.id, ...('from' in a && a.from !== undefined && a.from !== a.path ? { from: a.from } : {}) });
        }
      }
    }
    for (const c of state?.conflicts() ?? []) report.conflicts.push({ path: c.path, copyPath: c.copyPath, kind: c.kind });
  } finally {
    state?.close();
  }
  const after = options.api?.stats?.().requests;
  report.requests = before !== undefined && after !== undefined ? after - before : undefined;
  return report;
}

export function formatStatus(r: StatusReport): string {
  const lines: string[] = [];
  const section = (title: string, entries: string[]) => {
    if (!entries.length) return;
    lines.push(`${title}:`);
    for (const e of entries) lines.push(`  ${e}`);
  };
  section('Local changes (csync push)', [
    ...r.local.modified.map((e) => `modified:  ${e.path}`),
    ...r.local.new.map((e) => `new:       ${e.path}`),
    ...r.local.deleted.map((e) => `deleted:   ${e.path}`),
    ...r.local.moved.map((e) => `moved:     ${e.from} → ${e.path}`),
  ]);
  if (r.remote) {
    section('Remote changes (csync pull)', [
      ...r.remote.changed.map((e) => `changed:   ${e.from ? `${e.from} → ` : ''}${e.path}`),
      ...r.remote.new.map((e) => `new:       ${e.title} (${e.id})`),
      ...r.remote.deleted.map((e) => `deleted:   ${e.path}`),
    ]);
  }
  section('Conflicts (csync resolve <path> --keep local|remote|merged; attachments: local|remote)', r.conflicts.map((c) => `${c.kind}: ${c.path}${c.copyPath ? ` (remote version in ${c.copyPath})` : ''}`));
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  const clean = !r.skipped.length && !r.local.modified.length && !r.local.new.length && !r.local.deleted.length && !r.local.moved.length && !r.conflicts.length && (!r.remote || (!r.remote.changed.length && !r.remote.new.length && !r.remote.deleted.length));
  if (clean) lines.push(`Everything in sync: ${r.spaces.join(', ')} (${r.unchanged} pages${r.unchangedAttachments ? `, ${r.unchangedAttachments} attachments` : ''}).`);
  return lines.join('\n');
}
