/**
 * A pull run: lock → list remote → observe local → plan → safety gates → execute → commit. Every finished action
 * is committed to the state store in its own transaction, right after its file is in place, so an interrupted pull
 * resumes where it stopped: bodies already staged or written are not downloaded again.
 *
 * Memory stays bounded by the chunk in hand, not by the size of the space: the listing keeps a small record per
 * page (pull/list.ts), bodies listed with it are staged in the state store as they arrive, the base is read without
 * its texts, and execution holds the bodies of at most two chunks of 250 (pull/execute.ts).
 */
import { join } from 'node:path';
import { CsyncError } from '../core/errors.js';
import { eachBounded } from '../core/each-bounded.js';
import { avoidOccupied, checkGates, placementTargets, planPull, type KeptPage, type Plan, type PlanInput, type PullAction, type WaitingPage } from '../core/plan.js';
import { isFormatName, loadFormat } from '../format/index.js';
import type { Format } from '../format/types.js';
import { inside, pruneEmptyDirs, statOrUndefined } from '../local/files.js';
import { acquireWorkspaceLock } from '../local/lock.js';
import { openStateStore, type BasePageMeta, type StateStore } from '../state/index.js';
import { pullAttachments } from './pull/attachments.js';
import { executePlan, type ExecContext } from './pull/execute.js';
import { listRemote, listRemoteInto, type Listing } from './pull/list.js';
import { existing, HeldStatus, LoadingMap, planFromStore } from './pull/plan-sql.js';
import { SpaceLinks } from './resolver.js';
import { mayBeOurs, settlePendingCreates } from './pending.js';
import { settlePendingUpdates } from './sent.js';
import { findLocalMoves } from './push.js';
import { observeAll, recoverMovedAside, reportSkip, type Skips } from './scan.js';
import { rememberMtimes } from './mtimes.js';
import { removeLeftovers } from '../local/leftovers.js';
import type { PullOptions, PullSummary } from './types.js';
import { abortError, throwIfRunAborted, withRunSignal } from '../core/run-signal.js';

function emptySummary(dryRun: boolean): PullSummary {
  return {
    dryRun,
    spaces: [],
    pages: { new: 0, updated: 0, moved: 0, relabelled: 0, deleted: 0, conflicted: 0, unchanged: 0, falseConflicts: 0, merged: 0 },
    attachments: { downloaded: 0, skipped: 0, deleted: 0, moved: 0, conflicted: 0 },
    bytes: 0,
    requests: undefined,
    durationMs: 0,
    conflicts: [],
    warnings: [],
    skipped: [],
    plan: [],
  };
}

export async function runPull(options: PullOptions): Promise<PullSummary> {
  return withRunSignal(options.signal, () => pullRun(options));
}

async function pullRun(options: PullOptions): Promise<PullSummary> {
  throwIfRunAborted(options.signal);
  const started = Date.now();
  const summary = emptySummary(options.dryRun);
  const requestsBefore = options.api.stats?.().requests;
  // --dry-run changes nothing at all: no lock file, no state.db (read it only if it exists).
  const release = options.dryRun || options.lockHeld ? () => {} : acquireWorkspaceLock(options.workspace, 'pull');
  const dbPath = join(options.workspace, 'cache', 'state.db');
  let state: StateStore | undefined;
  try {
    const exists = await statOrUndefined(dbPath);
    state = options.dryRun ? (exists ? openStateStore(dbPath, { readonly: true }) : undefined) : openStateStore(dbPath);
    // A stopped push's pending records: a dry run settles them as the real run does, in a scratch copy of the state
    // (the file is never written), so it prints what the real pull does after settling (as push --dry-run does).
    if (options.dryRun && state && options.spaces.some((k) => state!.pendingUpdates(k).length || state!.pendingCreates(k).length)) {
      state.close();
      state = openStateStore(dbPath, { scratch: true });
    }
    const runId = options.dryRun ? undefined : state!.startRun('pull');
    if (!options.dryRun) await removeLeftovers(options);
    try {
      for (const key of options.spaces) {
        throwIfRunAborted(options.signal);
        await pullSpace(options, state, key, summary);
      }
      // Cancelled after the last task noticed: the run did not finish (checked once all it started has settled).
      throwIfRunAborted(options.signal);
      if (runId !== undefined) state!.finishRun(runId, 'ok', flatCounts(summary));
    } catch (caught) {
      // A cancelled run reports the cancellation, not whichever task noticed it first.
      const err = options.signal?.aborted ? abortError(options.signal) : caught;
      if (runId !== undefined) state!.finishRun(runId, 'error', flatCounts(summary), err instanceof Error ? err.message : String(err));
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

function flatCounts(s: PullSummary): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.pages)) out[`pages.${k}`] = v;
  for (const [k, v] of Object.entries(s.attachments)) out[`attachments.${k}`] = v;
  out.bytes = s.bytes;
  return out;
}

async function pullSpace(options: PullOptions, state: StateStore | undefined, spaceKey: string, summary: PullSummary): Promise<void> {
  const log = options.logger.child({ module: 'pull', space: spaceKey });
  const format = options.formatFor(spaceKey);
  const space = await options.api.getSpaceByKey(spaceKey);
  summary.spaces.push(spaceKey);
  // Updates a stopped push sent but did not record are its own versions, not edits to pull or merge (sent.ts).
  // A dry run settles them too, in its scratch copy of the state (see pullRun): no file written, no label sent.
  const labelled: Array<{ path: string; id: string }> = [];
  const settle = { workspace: options.workspace, api: options.api, log, dryRun: options.dryRun, labelled, warnings: summary.warnings };
  if (state) await settlePendingUpdates({ ...settle, state }, spaceKey);
  // A pull that changes the state and has no scope filter plans from the state database (pull/plan-sql.ts): the
  // listing goes into a temporary table and only pages that may need an action come back. Dry runs and scoped pulls
  // plan in memory.
  const filtered = Boolean(options.rootPageId || options.labels?.length || options.cql);
  const table = state && !options.dryRun && !filtered ? state.remoteListing() : undefined;
  let basePages = table ? [] : (state?.pageMetasOfSpace(spaceKey) ?? []);
  const baseEmpty = table ? table.baseCount(spaceKey) === 0 : basePages.length === 0;
  // A first pull lists with bodies (ceil(N/250) requests) and stages them; later pulls list without bodies and
  // fetch only what changed, in bulk. After an interrupted first pull (staged bodies left) the listing goes without
  // bodies too: listing them again would download every staged body a second time at each rerun.
  const withBodies = baseEmpty && !options.dryRun && state!.stagedCount() === 0;
  if (!options.dryRun) state!.upsertSpace(spaceKey, space.id, space.homepageId);
  // Creates a stopped push left unrecorded are settled first (pending.ts), with the pages this listing keeps for
  // them: their pages are then known, never new pages to write beside their files.
  const pending = state?.pendingCreates(spaceKey) ?? [];
  const keep = pending.length ? mayBeOurs(pending) : undefined;
  const listing = table ? undefined : await listRemote(options, state, spaceKey, space.id, withBodies, keep);
  const listed = table ? await listRemoteInto(options, state!, table, spaceKey, space.id, withBodies, keep) : undefined;
  let adopted = 0;
  if (pending.length) {
    adopted = await settlePendingCreates({ ...settle, state: state!, spaceKey, format }, (listing ?? listed!).kept);
    if (!table) basePages = state!.pageMetasOfSpace(spaceKey);
  }
  // The label requests a settle sends (or, in a dry run, would send): plan lines in both, as push reports them.
  for (const l of labelled) summary.plan.push({ action: 'labels', path: l.path, id: l.id });
  const planned = table ? await planFromStore(options, table, spaceKey, format) : undefined;
  const inMemory = listing ? await planSpace(options, spaceKey, format, basePages, listing) : undefined;
  const { plan, baseCount, localPaths, kept, waiting, skips } = (planned ?? inMemory)!;
  const remoteCount = planned ? planned.remoteCount : listing!.scoped.length;
  for (const err of skips.values()) reportSkip(summary, err);
  // Another page named as people know it: its title (and id), when this workspace tracks it.
  const another = (id: string) => {
    const title = state?.page(id)?.title;
    return title === undefined ? `id ${id}` : `"${title}", id ${id}`;
  };
  for (const k of kept) {
    summary.warnings.push(
      k.by === undefined
        ? `${k.path}: a file no page tracks is where this page now belongs; the page stays at ${k.at} (move or rename your file and pull again)`
        : `${k.path}: the file of another page (${another(k.by)}) stays there for now; this page stays at ${k.at} and moves on a later pull, once that file has moved`,
    );
  }
  for (const w of waiting) summary.warnings.push(`${w.path}: the file of another page (${another(w.by)}) stays there for now; this page is written on a later pull, once that file has moved`);
  const deletes = plan.actions.filter((a) => a.kind === 'trash').length;
  // The gate counts the pages synced before this run: pages of stopped creates adopted just now do not raise the
  // number of deletes it lets through (they were never deleted here anyway).
  const gate = checkGates({ baseCount: Math.max(0, baseCount - adopted), remoteCount, deletes, maxDeletePercent: options.maxDelete.percent, maxDeleteCount: options.maxDelete.count, force: options.force });
  if (gate) {
    table?.clear();
    throw new CsyncError('CSYNC_SAFETY_GATE', `pull of ${spaceKey} stopped: ${gate}; nothing was changed`, {
      hint: 'check the space in Confluence; if the deletions are intended, run again with --force',
    });
  }
  summary.pages.unchanged += plan.unchanged;
  for (const a of plan.actions) summary.plan.push(planLine(a));
  log.info({ actions: plan.actions.length + (planned?.newCount ?? 0), unchanged: plan.unchanged, remote: remoteCount }, 'planned');
  if (options.dryRun) {
    countPlanned(plan.actions, summary);
    return;
  }
  // Paths, remote and base records of pages the planner did not see are read from the database when asked.
  // (Pages waiting for a path another page's file keeps have none this run: no attachments either.)
  const paths: ReadonlyMap<string, string> = table
    ? new LoadingMap(plan.paths, (id) => table.path(id), function* () {
        for (const e of table.entries()) yield e.id;
      })
    : listing!.filtered
      ? new Map(listing!.scoped.filter((p) => plan.paths.has(p.id)).map((p) => [p.id, plan.paths.get(p.id)!]))
      : plan.paths;
  if (paths instanceof LoadingMap) for (const w of waiting) paths.delete(w.id);
  // Link targets for the Markdown format: every page's title and path, built on the first link to resolve.
  const links = SpaceLinks.lazy(spaceKey, function* () {
    if (table) for (const e of table.entries()) yield [e.title, plan.paths.get(e.id) ?? e.path] as const;
    else for (const p of listing!.scoped) if (plan.paths.has(p.id)) yield [p.title, plan.paths.get(p.id)!] as const;
  });
  const ctx: ExecContext = {
    options,
    state: state!,
    spaceKey,
    format,
    links,
    remote: planned ? new LoadingMap(planned.remote, (id) => table!.entry(id)) : listing!.all,
    baseById: planned ? new LoadingMap(planned.base, (id) => table!.base(id, spaceKey)) : new Map(basePages.map((b) => [b.id, localPaths.has(b.id) ? { ...b, path: localPaths.get(b.id)! } : b])),
    statusAfter: planned ? new HeldStatus(planned.base) : new Map(),
    summary,
    now: options.now ?? (() => new Date()),
    log,
  };
  // Only a pull with something to write loads the Markdown converters (format/index.ts): a no-op pull converts nothing.
  if ((plan.actions.length || planned?.newCount) && isFormatName(format.name)) await loadFormat(format.name);
  await executePlan(ctx, plan);
  if (planned?.batches) await executeBatches(ctx, planned.batches, planned.newCount ?? 0);
  // Attachments follow the pages in scope.
  await pullAttachments(ctx, paths);
  table?.clear();
  await pruneEmptyDirs(inside(options.workspace, 'cache/moving'), inside(options.workspace, 'cache'));
  const t0 = Date.now();
  const hashed = await rememberPulledMtimes(options.workspace, state!, spaceKey);
  log.debug({ hashed, ms: Date.now() - t0 }, 'stored the mtimes of files past the racy window');
}

/** The plan line of an action (the summary's `plan`, what --json prints). */
function planLine(a: PullAction): PullSummary['plan'][number] {
  return { action: a.kind === 'download' ? (a.reason === 'new' ? 'new' : 'update') : a.kind, path: a.path, from: 'from' in a && a.from !== a.path ? a.from : undefined, id: a.id };
}

/** Plan lines a first pull keeps in its summary; the others are counted in `planOmitted` (see executeBatches). */
const PLAN_LINES_KEPT = 1000;

/**
 * A first pull's new pages, a batch at a time (pull/plan-sql.ts newPagePlans): each batch is executed (every page
 * committed as its file is written) before the next is read. The summary keeps the first PLAN_LINES_KEPT plan lines
 * and counts the others in `planOmitted`, so its size does not grow with the space either.
 *
 * Tests only: CSYNC_TEST_CRASH_AFTER_BATCHES=k kills the process (SIGKILL) right after the k-th batch is committed.
 */
async function executeBatches(ctx: ExecContext, batches: AsyncIterable<Plan>, total: number): Promise<void> {
  const crashAt = Number(process.env.CSYNC_TEST_CRASH_AFTER_BATCHES ?? 0);
  let done = 0;
  let n = 0;
  for await (const batch of batches) {
    for (const a of batch.actions) {
      if (ctx.summary.plan.length < PLAN_LINES_KEPT) ctx.summary.plan.push(planLine(a));
      else ctx.summary.planOmitted = (ctx.summary.planOmitted ?? 0) + 1;
    }
    await executePlan(ctx, batch, { done, total });
    done += batch.actions.length;
    if (crashAt > 0 && ++n === crashAt) process.kill(process.pid, 'SIGKILL');
  }
}

/**
 * The stat fast path after a pull. Each file written is recorded with the stat of what was written, but the record
 * is saved right after the write, so the store leaves its mtime out (RACY_MTIME_MS: a save within the same mtime tick
 * would look unchanged): without this, every later pull and `csync status --local` hashed every file until a push
 * stored the mtimes. At the end of the space, files whose mtime is now past the racy window (on a pull that runs
 * longer than it, all but the last ones written) are hashed once and their mtime stored when the content is still
 * the record's (rememberMtimes: stat, hash, stat); the last ones keep none, and the next pull stores theirs.
 */
async function rememberPulledMtimes(workspace: string, state: StateStore, spaceKey: string): Promise<number> {
  // The records without an mtime come from an SQL filter, a chunk at a time in id order: memory does not grow with
  // the space, and a record the pass leaves without one (still racy) is not read again.
  const pages = await inChunks((after, limit) => state.pageMetasWithoutMtime(spaceKey, after, limit), (part) => rememberMtimes(workspace, part, (b, size, mtimeMs) => state.savePageMeta({ ...b, size, mtimeMs })));
  const atts = await inChunks((after, limit) => state.attachmentsWithoutMtime(spaceKey, after, limit), (part) => rememberMtimes(workspace, part, (a, size, mtimeMs) => state.saveAttachment({ ...a, size, mtimeMs })));
  return pages + atts;
}

/** Walks records in id order, `chunk` at a time, `workers` records at once (p-queue); sums their counts. */
async function inChunks<T extends { id: string }>(next: (afterId: string, limit: number) => T[], work: (part: readonly T[]) => Promise<number>, workers = 8, chunk = 1000): Promise<number> {
  let total = 0;
  for (let after = ''; ; ) {
    const part = next(after, chunk);
    // A few files at a time (a file's stat, hash, stat are sequential; the store's saves are synchronous).
    await eachBounded(part, workers, async (r) => {
      total += await work([r]);
    });
    if (part.length < chunk) return total;
    after = part[part.length - 1]!.id;
  }
}

/**
 * What a pull of one space would do, changing nothing (csync status): the same listing, scope and planner as a pull.
 * Returns the plan (safety gates not applied) and the title of every listed page.
 */
export async function planPullOf(options: PullOptions, state: StateStore | undefined, spaceKey: string): Promise<{ plan: Plan; titles: Map<string, string> }> {
  const dry = { ...options, dryRun: true };
  const space = await options.api.getSpaceByKey(spaceKey);
  const listing = await listRemote(dry, state, spaceKey, space.id, false);
  const { plan } = await planSpace(dry, spaceKey, options.formatFor(spaceKey), state?.pageMetasOfSpace(spaceKey) ?? [], listing);
  return { plan, titles: new Map([...listing.all.values()].map((p) => [p.id, p.title])) };
}

/**
 * Local scan and plan. Its inputs (the local observations, the planner's maps) are dropped when it returns; only
 * the plan stays.
 *
 * Paths always come from the whole space, so a scoped pull (--root, --label, --cql) puts a page where a full pull
 * would (a subtree is not lifted to the top, and switching scopes moves nothing); only the actions are limited to
 * the scope. Base pages outside the scope are neither updated nor deleted.
 */
async function planSpace(
  options: PullOptions,
  spaceKey: string,
  format: Format,
  basePages: readonly BasePageMeta[],
  listing: Listing,
): Promise<{ plan: Plan; baseCount: number; localPaths: Map<string, string>; kept: KeptPage[]; waiting: WaitingPage[]; skips: Skips }> {
  let inScope: (id: string) => boolean = () => true;
  if (listing.filtered) {
    const scopedIds = new Set(listing.scoped.map((p) => p.id));
    inScope = (id) => scopedIds.has(id) || !listing.all.has(id);
  }
  const base = listing.filtered ? basePages.filter((b) => inScope(b.id)) : basePages;
  // Links and files that are not text are left alone: observed 'modified' (never a delete), their actions dropped.
  const skips: Skips = new Map();
  const local = await observeAll(options.workspace, base, 16, skips, true);
  await recoverMovedAside(options.workspace, base, local, format.extension, !options.dryRun, skips);
  // Files the user moved or renamed (not pushed yet) are found by their id, so a remote change does not restore the page beside them.
  const localPaths = await findLocalMoves(options.workspace, spaceKey, format, base, local);
  const input: PlanInput = { spaceKey, ext: format.extension, base: basePages, local, remote: listing.filtered ? [...listing.all.values()] : listing.scoped, untracked: new Set<string>(), localPaths };
  const scoped = (plan: Plan): Plan => (listing.filtered || skips.size ? { ...plan, actions: plan.actions.filter((a) => inScope(a.id) && !skips.has(a.id)) } : plan);
  let plan = scoped(planPull(input));
  // New pages must never overwrite a file the user made: look for untracked files at their paths, then replan. (A
  // page's file there either leaves in this pull or keeps the new page waiting: avoidOccupied.)
  const basePaths = new Set(basePages.map((b) => b.path));
  const fresh = plan.actions.filter((a) => a.kind === 'download' && a.reason === 'new' && !basePaths.has(a.path)).map((a) => a.path);
  const untracked = fresh.length && (await statOrUndefined(inside(options.workspace, `content/${spaceKey}`))) ? await existing(options.workspace, fresh) : [];
  if (untracked.length) plan = scoped(planPull({ ...input, untracked: new Set(untracked) }));
  // Moves, renames and restores never write over a file no page tracks (a page the user just created, say), nor
  // onto a page's file that stays where it is.
  const tracked = new Set(localPaths.values());
  for (const b of base) tracked.add(b.path);
  const targets = placementTargets(plan).filter((p) => !tracked.has(p));
  const occupied = targets.length ? new Set(await existing(options.workspace, targets)) : new Set<string>();
  const avoided = avoidOccupied(plan, occupied);
  plan = avoided.plan;
  if (listing.filtered) {
    // Out-of-scope pages count as unchanged in the planner's tally; the summary counts the scope only.
    plan.unchanged = listing.scoped.length - plan.actions.filter((a) => listing.all.has(a.id) && a.kind !== 'trash').length;
  }
  return { plan, baseCount: base.length, localPaths, kept: avoided.kept, waiting: avoided.waiting, skips };
}

function countPlanned(actions: readonly PullAction[], summary: PullSummary): void {
  for (const a of actions) {
    if (a.kind === 'download' && a.reason === 'new') summary.pages.new++;
    // A download to a new path (edited and renamed or moved) is updated and moved, as the real run counts it.
    else if (a.kind === 'download') {
      summary.pages.updated++;
      if (a.from !== undefined && a.from !== a.path) summary.pages.moved++;
    }
    else if (a.kind === 'move') summary.pages.moved++;
    else if (a.kind === 'relabel') summary.pages.relabelled++;
    else if (a.kind === 'trash') summary.pages.deleted++;
    else summary.pages.conflicted++;
  }
}
