/**
 * A push run: lock → observe tracked files (stat fast path, then hash) and find new files → safety gate →
 * updates (no GET first: version = base + 1; a 409 fetches the page and merges three-way), creates, deletes.
 * Every finished action advances the state base in its own transaction, so a rerun converges.
 */
import { join } from 'node:path';
import PQueue from 'p-queue';
import { CsyncError } from '../core/errors.js';
import { checkGates, type LocalState } from '../core/plan.js';
import { inPaths, planPush, titleCollisions, type PushAction, type PushPlan, type TitleEntry, type UntrackedFile } from '../core/push-plan.js';
import { parseFile } from '../format/front-matter.js';
import type { Format } from '../format/types.js';
import { sha256, statOrUndefined } from '../local/files.js';
import { isSkipped, linkRefused, lstatIn, readTextSafe, tooLarge, type SkippedFile } from '../local/safe-fs.js';
import { acquireWorkspaceLock } from '../local/lock.js';
import { openStateStore, type BasePageMeta, type StateStore } from '../state/index.js';
import { throwFailures, type TaskFailure } from './failures.js';
import { rememberMtimes } from './mtimes.js';
import { settleWithListing } from './pending.js';
import { settlePendingUpdates } from './sent.js';
import { SpaceLinks } from './resolver.js';
import { attachmentGateError, attachmentPlanLines, countPlanned, emptyAttachmentSummary, executeAttachmentPlan, planAttachments, type AttachmentPushSummary, type PagePlacement } from './push/attachments.js';
import { readIfThere, withBase, type Ctx } from './push/context.js';
import { pushCreates } from './push/creates.js';
import { pushDelete } from './push/delete.js';
import { pushEdit } from './push/edit.js';
import { forget } from './push/record.js';
import { refineActions } from './push/refine.js';
import { relocatePages } from './push/relocate.js';
import { removeLeftovers } from '../local/leftovers.js';
import { observeAll, recoverMovedAside, reportSkip, walkFiles, type Skips } from './scan.js';
import type { PlanLine, ProgressEvent, SyncApi } from './types.js';
import type { Logger } from '../obs/logger.js';
import { abortError, throwIfRunAborted, withRunSignal } from '../core/run-signal.js';

export interface PushOptions {
  workspace: string;
  api: SyncApi;
  spaces: readonly string[];
  /** Limit to these workspace-relative files or folders (default: everything). */
  paths?: readonly string[] | undefined;
  formatFor: (spaceKey: string) => Format;
  maxDelete: { percent: number; count?: number | undefined };
  force: boolean;
  dryRun: boolean;
  /** Never delete pages of missing files. */
  noDelete?: boolean | undefined;
  concurrency: number;
  logger: Logger;
  progress?: ((e: ProgressEvent) => void) | undefined;
  now?: () => Date;
  /** Use this lock holder instead of taking the lock (sync already holds it). */
  lockHeld?: boolean;
  /** Version comment on updated pages and uploaded attachments (sync.versionMessage). */
  versionMessage?: string | undefined;
  /** Attachment uploads as minor edits: no notification e-mails (sync.minorEdit; v2 page updates have no such flag). */
  minorEdit?: boolean | undefined;
  /** A pull scope is configured (--root, --label, --cql): the workspace holds part of the space (see core/placement.ts). */
  scoped?: boolean | undefined;
  /** Attachment uploads run in parallel (concurrency.attachments; default min(concurrency, 4)). */
  attachmentConcurrency?: number | undefined;
  /** Pages per listing request (batch.pageSize; default and API maximum 250). */
  pageSize?: number | undefined;
  /** Page files larger than this are skipped before they are read (sync.maxPageBytes). */
  maxPageBytes?: number | undefined;
  /** Cancels the run: no request, queued task or file write starts after it fires (src/core/run-signal.ts). */
  signal?: AbortSignal | undefined;
}

export interface PushSummary {
  dryRun: boolean;
  spaces: string[];
  pages: { updated: number; created: number; deleted: number; moved: number; renamed: number; merged: number; conflicted: number; unchanged: number; falseConflicts: number; skippedConflicts: number; relocated: number };
  attachments: AttachmentPushSummary;
  requests: number | undefined;
  durationMs: number;
  conflicts: Array<{ path: string; copyPath: string | null; kind: string }>;
  warnings: string[];
  /** Paths left alone on purpose (a link, not UTF-8, too large, changed while running): the run exits 10. */
  skipped: string[];
  plan: PlanLine[];
  /** The page versions this push created (updates, merges, creates): the daemon's poll knows them for its own. */
  written: Array<{ id: string; version: number }>;
  /** Paths left unsynced on purpose (Confluence refused them as too large); a warning names each (exit 10). */
  incomplete: string[];
}

export interface LocalChanges {
  modified: BasePageMeta[];
  missing: BasePageMeta[];
  /** Untracked files: new pages, or tracked pages moved to a new path (front matter id of a missing page). */
  created: string[];
  moved: Array<{ page: BasePageMeta; to: string }>;
  unchanged: number;
  /** Attachment files under attachments/<SPACE>/ that a push would send. */
  attachments: { modified: string[]; new: string[]; deleted: string[]; moved: Array<{ from: string; to: string }>; conflicts: Array<{ path: string; copyPath: string | null }>; unchanged: number };
}


function emptySummary(dryRun: boolean): PushSummary {
  return {
    dryRun,
    spaces: [],
    pages: { updated: 0, created: 0, deleted: 0, moved: 0, renamed: 0, merged: 0, conflicted: 0, unchanged: 0, falseConflicts: 0, skippedConflicts: 0, relocated: 0 },
    attachments: emptyAttachmentSummary(),
    requests: undefined,
    durationMs: 0,
    conflicts: [],
    warnings: [],
    skipped: [],
    plan: [],
    written: [],
    incomplete: [],
  };
}

export { inPaths };

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
  const local = await observeAll(workspace, base, 16, skips, true);
  await recoverMovedAside(workspace, base, local, format.extension, repair);
  // Records saved right after their file was written have no mtime (hashed by this scan): remember it now.
  if (repair && state) await rememberMtimes(workspace, base.filter((b) => local.get(b.id) === 'unchanged'), (b, size, mtimeMs) => state.savePageMeta({ ...b, size, mtimeMs }));
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
      const t = await readIfThere(workspace, f);
      if (t === undefined) continue; // gone since the walk
      text = t;
    } catch (err) {
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
export async function findLocalMoves(workspace: string, spaceKey: string, format: Format, base: ReadonlyArray<{ id: string; path: string; hash: string }>, local: Map<string, LocalState>): Promise<Map<string, string>> {
  const moves = new Map<string, string>();
  const missing = new Map(base.filter((b) => (local.get(b.id) ?? 'missing') === 'missing' && !b.path.startsWith('cache/')).map((b) => [b.id, b]));
  if (missing.size === 0) return moves;
  const tracked = new Set(base.map((b) => b.path));
  const files: string[] = [];
  await walkFiles(workspace, `content/${spaceKey}`, format.extension, files);
  for (const f of files.sort()) {
    if (tracked.has(f)) continue;
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
export async function localChanges(workspace: string, state: StateStore | undefined, spaceKey: string, format: Format, paths?: readonly string[]): Promise<LocalChanges> {
  const obs = await observeLocal(workspace, state, spaceKey, format);
  const plan = planPush({ base: obs.base, local: obs.local, untracked: obs.untracked, paths, maxDelete: { percent: 100 }, force: true });
  const changes = changesOf(plan, obs.base, obs.local);
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
  const out: LocalChanges = { modified: [], missing: [], created: [], moved: [], unchanged: plan.unchanged, attachments: { modified: [], new: [], deleted: [], moved: [], conflicts: [], unchanged: 0 } };
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

export async function runPush(options: PushOptions): Promise<PushSummary> {
  return withRunSignal(options.signal, () => pushRun(options));
}

async function pushRun(options: PushOptions): Promise<PushSummary> {
  throwIfRunAborted(options.signal);
  const started = Date.now();
  const summary = emptySummary(options.dryRun);
  const requestsBefore = options.api.stats?.().requests;
  const release = options.dryRun || options.lockHeld ? () => {} : acquireWorkspaceLock(options.workspace, 'push');
  const dbPath = join(options.workspace, 'cache', 'state.db');
  let state: StateStore | undefined;
  try {
    // A workspace nothing was pulled into yet (docs as code: publishing first) pushes its files as new pages, checked
    // against the space's own listing (titles taken are refused). A dry run plans against an empty in-memory state.
    const exists = await statOrUndefined(dbPath);
    state = !exists && options.dryRun ? openStateStore(':memory:') : openStateStore(dbPath, options.dryRun ? { readonly: true } : undefined);
    const runId = options.dryRun ? undefined : state.startRun('push');
    if (!options.dryRun) await removeLeftovers(options);
    try {
      for (const key of options.spaces) {
        throwIfRunAborted(options.signal);
        await pushSpace(options, state, key, summary);
      }
      if (runId !== undefined) state.finishRun(runId, 'ok', { ...summary.pages });
    } catch (caught) {
      // A cancelled run reports the cancellation, not whichever task noticed it first.
      const err = options.signal?.aborted ? abortError(options.signal) : caught;
      if (runId !== undefined) state.finishRun(runId, 'error', { ...summary.pages }, err instanceof Error ? err.message : String(err));
      throw err;
    }
  } finally {
    state?.close();
    release();
  }
  const after = options.api.stats?.().requests;
  summary.requests = requestsBefore !== undefined && after !== undefined ? after - requestsBefore : undefined;
  summary.durationMs = Date.now() - started;
  return summary;
}

async function pushSpace(options: PushOptions, state: StateStore, spaceKey: string, summary: PushSummary): Promise<void> {
  const format = options.formatFor(spaceKey);
  const log = options.logger.child({ module: 'push', space: spaceKey });
  summary.spaces.push(spaceKey);
  // A first push into a workspace nothing was pulled into: the space's record comes first (pages refer to it).
  if (!options.dryRun && state.spaceId(spaceKey) === undefined) {
    const space = await options.api.getSpaceByKey(spaceKey);
    state.upsertSpace(spaceKey, space.id, space.homepageId);
  }
  // Creates a stopped run left unrecorded come first (no request when there are none).
  // Updates a stopped run sent but did not record (sent.ts): its own versions, not someone else's edits.
  if (!options.dryRun) summary.written.push(...(await settlePendingUpdates({ workspace: options.workspace, api: options.api, state, log }, spaceKey)));
  // Creates a stopped run left unrecorded come first (no request when there are none).
  const adopted = options.dryRun ? 0 : await settleWithListing({ workspace: options.workspace, api: options.api, state, spaceKey, format, log });
  const obs = await observeLocal(options.workspace, state, spaceKey, format, !options.dryRun, { maxPageBytes: options.maxPageBytes });
  const plan = planPush({ base: obs.base, local: obs.local, untracked: obs.untracked, paths: options.paths, noDelete: options.noDelete, maxDelete: options.maxDelete, force: options.force });
  // The gate counts the pages synced before this run, not the pages of stopped creates adopted just now.
  if (adopted && !plan.gate) {
    const before = Math.max(0, obs.base.length - adopted);
    plan.gate = checkGates({ baseCount: before, remoteCount: before, deletes: plan.actions.filter((a) => a.kind === 'delete').length, maxDeletePercent: options.maxDelete.percent, maxDeleteCount: options.maxDelete.count, force: options.force });
  }
  leaveSkipped(plan, obs, summary, options.paths);
  if (plan.gate) {
    throw new CsyncError('CSYNC_SAFETY_GATE', `push of ${spaceKey} stopped: ${plan.gate}; nothing was changed`, {
      hint: 'if the deletions are intended, run again with --force (or --no-delete to push the rest)',
    });
  }
  const baseById = new Map(obs.base.map((b) => [b.id, b]));
  // Titles are unique in a space: a create or rename onto a title another page keeps or takes is refused before any write.
  const collisions = await findTitleCollisions(options.workspace, obs.base, plan.actions, format.extension);
  if (collisions.size) {
    for (const [path, other] of collisions) summary.warnings.push(`${path}: its title is also the title of ${other}; titles are unique in a space; not pushed`);
    plan.actions = plan.actions.filter((a) => !collisions.has(a.path));
  }
  // What each edit, move and create will do (a PUT, labels only, nothing; refused) is decided here, before
  // anything is sent, so a dry run prints what the real run does.
  const links = new SpaceLinks(spaceKey);
  for (const b of obs.all) links.add(b.title, b.path);
  const refined = await refineActions({ workspace: options.workspace, state, spaceKey, format, links, base: obs.base, actions: plan.actions, homepage: async () => (await options.api.getSpaceByKey(spaceKey)).homepageId });
  for (const r of refined.refused) summary.warnings.push(`${r.path}: ${r.reason}`);
  plan.actions = refined.actions;
  // Attachments are planned against where the pages will be once the page actions ran: their gate is checked
  // before anything is written, and a dry run shows their plan too.
  const attIO = attachmentIO(options, state, spaceKey, format.extension, summary, log);
  const planned = await planAttachments({ ...attIO, refreshMtimes: !options.dryRun }, placementsAfter(obs.base, plan.actions), new Set(plan.actions.flatMap((a) => (a.kind === 'create' ? [a.path] : []))));
  if (planned.plan.gate) throw attachmentGateError(spaceKey, planned.plan.gate);
  if (options.dryRun) for (const err of planned.skipped) if (inPaths(err.path, options.paths)) reportSkip(summary, err);
  summary.pages.unchanged += plan.unchanged;
  for (const a of plan.actions) {
    const line = planLine(a);
    if (line) summary.plan.push(line);
  }
  if (options.dryRun) {
    for (const a of plan.actions) {
      if (a.kind === 'update' || a.kind === 'move') {
        if (a.effect === 'none') summary.pages.unchanged++;
        if (a.effect !== 'page') continue;
        summary.pages.updated++;
        if (a.kind === 'move') summary.pages.moved++;
        if (a.rename) summary.pages.renamed++;
      } else if (a.kind === 'create') summary.pages.created++;
      else if (a.kind === 'delete') summary.pages.deleted++;
    }
    summary.plan.push(...attachmentPlanLines(planned.plan));
    countPlanned(planned.plan, summary.attachments);
    return;
  }
  const ctx: Ctx = { options, state, spaceKey, format, links, summary, now: options.now ?? (() => new Date()), log };

  const queue = new PQueue({ concurrency: options.concurrency });
  const failures: TaskFailure[] = [];
  const edits = plan.actions.filter((a) => a.kind === 'update' || a.kind === 'conflict');
  const moves = plan.actions.filter((a) => a.kind === 'move');
  const total = edits.length + moves.length;
  let done = 0;
  const run = (what: string, fn: () => Promise<void>): void => {
    queue
      .add(async () => {
        await fn();
        options.progress?.({ phase: 'pushing', done: ++done, total, space: spaceKey });
      }, { signal: options.signal })
      .catch((error: unknown) => failures.push({ what, error }));
  };
  // A file that became a link, not text or too large since the scan, or changed under a merge: reported, left alone.
  const leave = (p: Promise<void>) =>
    p.catch((err: unknown) => {
      if (!isSkipped(err)) throw err;
      reportSkip(summary, err);
    });
  for (const a of edits) run(a.path, () => leave(pushEdit(ctx, withBase(ctx, baseById.get(a.id)!), a.path)));
  await queue.onIdle();
  throwFailures(failures, log);
  // Moves one at a time: each re-parenting is checked against the tree as the ones before it left it.
  for (const a of moves) {
    throwIfRunAborted(options.signal);
    await leave(pushEdit(ctx, withBase(ctx, baseById.get(a.id)!), a.path));
    options.progress?.({ phase: 'pushing', done: ++done, total, space: spaceKey });
  }
  // Creates, parents first (a child's parent may be created in the same run).
  const creates = plan.actions.flatMap((a) => (a.kind === 'create' ? [a.path] : []));
  if (creates.length) await pushCreates(ctx, creates);
  for (const a of plan.actions) {
    if (a.kind === 'delete') await pushDelete(ctx, withBase(ctx, baseById.get(a.id)!));
    else if (a.kind === 'delete-skipped') forget(ctx, a.id);
  }
  // Renamed, re-parented and created pages: their files go where the next pull would put them (paths converge in
  // this sync, not the next). Also finishes the moves of a run that stopped part way.
  // (A push that did nothing changed no record: the metadata read at the start is still the state's.)
  const metas = plan.actions.length ? state.pageMetasOfSpace(spaceKey) : obs.all;
  const relocated = await relocatePages({ workspace: options.workspace, state, spaceKey, ext: format.extension, scoped: Boolean(options.scoped), warnings: summary.warnings, log }, metas);
  summary.pages.relocated += relocated;
  // Attachments last: new pages exist now, moved pages and their folders are where pull puts them, deleted pages
  // took theirs along. When no page changed and nothing moved, the plan made before is still the state's.
  const attachments = plan.actions.length || relocated ? await planAttachments(attIO, state.pageMetasOfSpace(spaceKey)) : planned;
  if (attachments.plan.gate) throw attachmentGateError(spaceKey, attachments.plan.gate, true);
  for (const err of attachments.skipped) if (inPaths(err.path, options.paths)) reportSkip(summary, err);
  summary.plan.push(...attachmentPlanLines(attachments.plan));
  await executeAttachmentPlan(attIO, attachments.plan, attachments.base);
}

function attachmentIO(options: PushOptions, state: StateStore, spaceKey: string, extension: string, summary: PushSummary, log: Logger) {
  return {
    workspace: options.workspace,
    api: options.api,
    state,
    spaceKey,
    extension,
    now: options.now ?? (() => new Date()),
    log,
    paths: options.paths,
    noDelete: options.noDelete,
    maxDelete: options.maxDelete,
    force: options.force,
    concurrency: options.attachmentConcurrency ?? Math.max(1, Math.min(options.concurrency, 4)),
    minorEdit: options.minorEdit,
    comment: options.versionMessage,
    summary,
  };
}

/** Where each tracked page will be after the page actions (moves applied, deletes gone). */
function placementsAfter(base: readonly BasePageMeta[], actions: readonly PushAction[]): PagePlacement[] {
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
async function findTitleCollisions(workspace: string, base: readonly BasePageMeta[], actions: readonly PushAction[], ext: string): Promise<Map<string, string>> {
  const touched = new Map<string, PushAction>();
  for (const a of actions) if ((a.kind === 'update' || a.kind === 'move' || a.kind === 'delete') && a.id) touched.set(a.id, a);
  const entries: TitleEntry[] = [];
  const titleIn = async (path: string): Promise<string | undefined> => {
    const text = await readTextSafe(workspace, path).catch(() => undefined);
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
function planLine(a: PushAction): PlanLine | undefined {
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
function leaveSkipped(plan: PushPlan, obs: { skips: Skips; skippedUntracked: readonly SkippedFile[] }, summary: PushSummary, paths: readonly string[] | undefined): void {
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
