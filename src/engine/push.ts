/**
 * A push run: lock → observe tracked files (stat fast path, then hash) and find new files → safety gate →
 * updates (no GET first: version = base + 1; a 409 fetches the page and merges three-way), creates, deletes.
 * Every finished action advances the state base in its own transaction, so a rerun converges.
 * This file runs the phases in order; each phase lives in push/ (observe, plan, edit, conflict, creates, delete,
 * relocate, attachments; context.ts is what they share).
 */
import { join } from 'node:path';
import PQueue from 'p-queue';
import { CsyncError } from '../core/errors.js';
import { checkGates } from '../core/plan.js';
import { inPaths, planPush, type PushAction } from '../core/push-plan.js';
import { isFormatName, loadFormat } from '../format/index.js';
import type { Format } from '../format/types.js';
import { statOrUndefined } from '../local/files.js';
import { isSkipped } from '../local/safe-fs.js';
import { acquireWorkspaceLock } from '../local/lock.js';
import { openStateStore, type StateStore } from '../state/index.js';
import { throwFailures, type TaskFailure } from './failures.js';
import { settleWithListing } from './pending.js';
import { settlePendingUpdates } from './sent.js';
import { SpaceLinks } from './resolver.js';
import { attachmentGateError, attachmentPlanLines, countPlanned, emptyAttachmentSummary, executeAttachmentPlan, planAttachments, type AttachmentPushSummary } from './push/attachments.js';
import { withBase, type Ctx } from './push/context.js';
import { newPageTitles, pushCreates } from './push/creates.js';
import { planRelinks, relinkPages } from './push/relink.js';
import { pushDelete } from './push/delete.js';
import { pushEdit } from './push/edit.js';
import { observeLocal } from './push/observe.js';
import { findTitleCollisions, leaveSkipped, placementsAfter, planLine } from './push/plan.js';
import { forget } from './push/record.js';
import { refineActions, type PlannedText } from './push/refine.js';
import { relocatePages } from './push/relocate.js';
import { removeLeftovers } from '../local/leftovers.js';
import { reportSkip } from './scan.js';
import type { PlanLine, ProgressEvent, SyncApi } from './types.js';
import type { Logger } from '../obs/logger.js';
import { abortError, throwIfRunAborted, withRunSignal } from '../core/run-signal.js';

export { findLocalMoves, localChanges, observeLocal, type LocalChanges } from './push/observe.js';

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
  /** Paths left alone on purpose (a link, not UTF-8, too large here or for Confluence, changed while running): the run exits 10. */
  skipped: string[];
  plan: PlanLine[];
  /** The page versions this push created (updates, merges, creates): the daemon's poll knows them for its own. */
  written: Array<{ id: string; version: number }>;
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
  };
}

export { inPaths };

export async function runPush(options: PushOptions): Promise<PushSummary> {
  // The Markdown converters load on the first run that may convert (format/index.ts: they are loaded lazily).
  for (const key of options.spaces) {
    const name = options.formatFor(key).name;
    if (isFormatName(name)) await loadFormat(name);
  }
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
    // A stopped run's pending records: a dry run settles them as the real run does, in a scratch copy of the state
    // (the file is never written), so it plans what the real run plans after settling.
    if (exists && options.dryRun && options.spaces.some((k) => state!.pendingUpdates(k).length || state!.pendingCreates(k).length)) {
      state.close();
      state = openStateStore(dbPath, { scratch: true });
    }
    const runId = options.dryRun ? undefined : state.startRun('push');
    if (!options.dryRun) await removeLeftovers(options);
    try {
      for (const key of options.spaces) {
        throwIfRunAborted(options.signal);
        await pushSpace(options, state, key, summary);
      }
      // Cancelled after the last task noticed (or where a step reads a cancelled read as "nothing there"): the run did
      // not finish, whatever it got through. Checked once everything it started has settled.
      throwIfRunAborted(options.signal);
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
  // What a stopped run sent but did not record is settled first (no request when there is none): its updates
  // (sent.ts) are its own versions, not someone else's edits; then its creates are found again (pending.ts).
  // A dry run settles in its scratch copy of the state (see pushRun), sending no write and writing no file.
  const labelled: Array<{ path: string; id: string }> = [];
  const settle = { workspace: options.workspace, api: options.api, state, log, dryRun: options.dryRun, labelled, warnings: summary.warnings };
  const settled = await settlePendingUpdates(settle, spaceKey);
  if (!options.dryRun) summary.written.push(...settled);
  const adopted = await settleWithListing({ ...settle, spaceKey, format });
  for (const l of labelled) summary.plan.push({ action: 'labels', path: l.path, id: l.id });
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
  const createPaths = plan.actions.flatMap((a) => (a.kind === 'create' ? [a.path] : []));
  const newPages = await newPageTitles(options.workspace, createPaths, format.extension);
  for (const [title, path] of newPages.titles) links.add(title, path);
  // The texts planning reads are kept for sending (a page file is read once per push; refine.ts bounds how much).
  const plannedTexts = options.dryRun ? undefined : new Map<string, PlannedText>();
  const refined = await refineActions({ workspace: options.workspace, state, spaceKey, format, links, base: obs.base, actions: plan.actions, homepage: async () => (await options.api.getSpaceByKey(spaceKey)).homepageId, keep: plannedTexts });
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
    await planRelinks({ options, state, spaceKey, format, links, summary, now: options.now ?? (() => new Date()), log }, sentBy(plan.actions), createPaths);
    return;
  }
  const ctx: Ctx = { options, state, spaceKey, format, links, summary, now: options.now ?? (() => new Date()), log, planned: plannedTexts, createLinks: newPages.links };

  const queue = new PQueue({ concurrency: options.concurrency });
  const failures: TaskFailure[] = [];
  const edits = plan.actions.filter((a) => a.kind === 'update' || a.kind === 'conflict');
  const moves = plan.actions.filter((a) => a.kind === 'move');
  const total = edits.length + moves.length;
  let done = 0;
  // A cancelled run starts no further task: each checks the run's signal as it starts. (Not p-queue's `signal` option:
  // that drops the tasks in flight from the queue at once, so onIdle() resolved, and the run closed its state and
  // released the lock, while they were still running.)
  const run = (what: string, fn: () => Promise<void>): void => {
    queue
      .add(async () => {
        throwIfRunAborted(options.signal);
        await fn();
        options.progress?.({ phase: 'pushing', done: ++done, total, space: spaceKey });
      })
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
  // Texts planning kept and no edit took (an edit that changes nothing, a refused move): not held any longer.
  plannedTexts?.clear();
  // Creates, parents first (a child's parent may be created in the same run).
  const creates = plan.actions.flatMap((a) => (a.kind === 'create' ? [a.path] : []));
  if (creates.length) await pushCreates(ctx, creates);
  // Pages holding links to files that are pages now (created just now, or pulled since): written again, in place.
  await leave(relinkPages(ctx, sentBy(plan.actions)));
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

/** The pages this run sends (or holds back as conflicts) itself: relinking leaves them alone. */
function sentBy(actions: readonly PushAction[]): Set<string> {
  return new Set(actions.flatMap((a) => (a.kind === 'update' || a.kind === 'move' || a.kind === 'conflict' ? [a.id] : [])));
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
