/**
 * Runs a pull plan. Files whose path changes first go to a staging name (so swaps and renames of parents never
 * collide); then the actions run in chunks of 250 whose bodies are staged in the state store (by the listing, or
 * by one bulk request per chunk). Every finished action is committed to the state store right after its file is in
 * place, so an interrupted pull resumes where it stopped. Each action reads its body from the staging table when it
 * runs: only the bodies in flight are in memory. Base texts are read for the few actions that need them (relabel,
 * both changed).
 */
import { unlink } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import PQueue from 'p-queue';
import { throwIfRunAborted } from '../../core/run-signal.js';
import type { Plan, PullAction } from '../../core/plan.js';
import { composeFile, parseFile } from '../../format/front-matter.js';
import type { Format } from '../../format/types.js';
import { inside, pruneEmptyDirs, sha256, statOrUndefined, trashAttachmentFile, trashPath } from '../../local/files.js';
import { changedRefused, isSkipped, lstatIn, moveSafe, readTextSafe, stillAsSeen, writeFileSafe, type Expect } from '../../local/safe-fs.js';
import { reportSkip } from '../scan.js';
import type { BasePage, BasePageMeta, StateStore } from '../../state/index.js';
import { conflictCopyPath } from '../../merge/conflict-name.js';
import { merge3 } from '../merge.js';
import type { SpaceLinks } from '../resolver.js';
import type { PullOptions, PullSummary } from '../types.js';
import { BULK, type RemoteEntry } from './list.js';

export interface ExecContext {
  options: PullOptions;
  state: StateStore;
  spaceKey: string;
  format: Format;
  links: SpaceLinks;
  /** Remote pages by id (small records, see list.ts). */
  remote: ReadonlyMap<string, RemoteEntry>;
  /** The base before this run (without texts); phase 1 updates the paths of files moved aside. */
  baseById: Map<string, BasePageMeta>;
  /** Status of the pages this run recorded (the attachments step needs it); others keep their base status. */
  statusAfter: Map<string, BasePage['status']>;
  summary: PullSummary;
  now: () => Date;
  log: PullOptions['logger'];
}

interface Body {
  version: number;
  body: string;
  title: string;
}

/** The page's status after the actions of this run. */
export function statusOf(ctx: ExecContext, id: string): BasePage['status'] | undefined {
  return ctx.statusAfter.get(id) ?? ctx.baseById.get(id)?.status;
}

/** `tally`: where this plan's progress starts and the run's total (a first pull runs several plans, pull.ts). */
export async function executePlan(ctx: ExecContext, plan: Plan, tally: { done: number; total: number } = { done: 0, total: plan.actions.length }): Promise<void> {
  const { options, state, format } = ctx;
  // Phase 1: files whose path changes go to a staging name first.
  for (const a of plan.actions) {
    if (!('from' in a) || typeof a.from !== 'string' || a.from === a.path) continue;
    const b = ctx.baseById.get(a.id)!;
    const stagingRel = `cache/moving/${a.id}${format.extension}`;
    // Already aside: a pull stopped after phase 1 recorded the file there (moving it onto itself was refused as
    // "changed", and every later pull failed on it).
    if (b.path !== stagingRel && (await lstatIn(options.workspace, b.path))?.isFile()) {
      await moveSafe(options.workspace, b.path, stagingRel);
      const moved = { ...b, path: stagingRel };
      state.savePageMeta(moved);
      ctx.baseById.set(a.id, moved);
      await pruneEmptyDirs(inside(options.workspace, b.path.slice(0, b.path.lastIndexOf('/'))), inside(options.workspace, 'content'));
    }
  }
  // Files of pages deleted in Confluence whose path another page takes in this run go to the trash first (in phase 2
  // the other page's write could come first and find the path taken).
  const targets = new Set(plan.actions.filter((a) => a.kind !== 'trash').map((a) => a.path));
  const first = plan.actions.filter((a) => a.kind === 'trash' && targets.has(a.path));
  let done = 0;
  for (const a of first) {
    throwIfRunAborted(options.signal);
    try {
      await execute(ctx, a, new Map());
    } catch (err) {
      if (!isSkipped(err)) throw err;
      reportSkip(ctx.summary, err);
    }
    done++;
    options.progress?.({ phase: 'pulling', done: tally.done + done, total: tally.total, space: ctx.spaceKey });
  }
  const firstSet = new Set(first);
  const actions = first.length ? plan.actions.filter((a) => !firstSet.has(a)) : plan.actions;
  // Phase 2: the actions, in chunks of 250. Bodies missing from the staging table are fetched for the whole chunk
  // in one bulk request and staged; each action then reads its own body from the staging table, so only the bodies
  // of the actions in flight are in memory. The next chunk is fetched while the current one runs.
  const queue = new PQueue({ concurrency: options.concurrency });
  const total = actions.length;
  const failures: unknown[] = [];
  const chunkAt = (i: number) => actions.slice(i, i + BULK);
  let next: Promise<Map<string, Fetched>> | undefined = total ? stageBodies(ctx, chunkAt(0)) : undefined;
  for (let i = 0; i < total; i += BULK) {
    const chunk = chunkAt(i);
    const fetched = await next!;
    next = i + BULK < total ? stageBodies(ctx, chunkAt(i + BULK)) : undefined;
    // A failed prefetch is reported when its chunk is reached (or not at all when this chunk fails first).
    next?.catch(() => undefined);
    for (const a of chunk) {
      queue
        .add(async () => {
          // A cancelled run starts no further action (checked here, not by p-queue's `signal` option, which lets
          // onIdle() resolve while the actions in flight still run).
          throwIfRunAborted(options.signal);
          try {
            await execute(ctx, a, fetched);
          } catch (err) {
            // A link, or a file changed since the scan: left alone and reported; the next run takes it.
            if (!isSkipped(err)) throw err;
            reportSkip(ctx.summary, err);
          }
          done++;
          options.progress?.({ phase: 'pulling', done: tally.done + done, total: tally.total, space: ctx.spaceKey });
        })
        .catch((err: unknown) => failures.push(err));
    }
    await queue.onIdle();
    // Finished actions are committed; the first failure (or a cancellation) stops the run (a rerun resumes from here).
    if (failures.length || options.signal?.aborted) {
      await next?.catch(() => undefined);
      throwIfRunAborted(options.signal);
      throw failures[0];
    }
  }
}

const needsBody = (a: PullAction) => a.kind === 'download' || a.kind === 'both-changed' || a.kind === 'untracked-clash';

/** Version and title of a body fetched by this run (the page may have changed since the listing). */
interface Fetched {
  version: number;
  title: string;
}

/**
 * Makes sure the chunk's bodies are in the staging table: the ones that are not (staged by the listing, or by an
 * interrupted run) are fetched in bulk, 250 per request, and staged before any file is written, so a crash does
 * not cost these downloads again. Returns what was fetched (pages missing remotely are simply absent).
 */
async function stageBodies(ctx: ExecContext, chunk: readonly PullAction[]): Promise<Map<string, Fetched>> {
  const fetched = new Map<string, Fetched>();
  const missing = chunk.filter((a) => needsBody(a) && !ctx.state.hasStagedBody(a.id, ctx.remote.get(a.id)!.version)).map((a) => a.id);
  if (!missing.length) return fetched;
  const batch: Array<{ id: string; version: number; body: string }> = [];
  for await (const p of ctx.options.api.getPagesByIds(missing, { bodies: true })) {
    if (p.body === undefined) continue;
    batch.push({ id: p.id, version: p.version.number, body: p.body });
    fetched.set(p.id, { version: p.version.number, title: p.title });
  }
  ctx.state.stageBodies(batch);
  return fetched;
}

/** The body of a page as staged for this run, with the version and title it goes with. */
function bodyOf(ctx: ExecContext, id: string, fetched: ReadonlyMap<string, Fetched>): Body | undefined {
  const meta = ctx.remote.get(id)!;
  const f = fetched.get(id);
  const version = f?.version ?? meta.version;
  const body = ctx.state.stagedBody(id, version);
  return body === undefined ? undefined : { version, body, title: f?.title ?? meta.title };
}

function localText(ctx: ExecContext, id: string, path: string, body: Body): { text: string; warnings: string[] } {
  const converted = ctx.format.toLocal(body.body, { spaceKey: ctx.spaceKey, title: body.title, resolver: ctx.links.resolverFor(path) });
  const text = composeFile({ id, title: body.title, labels: ctx.remote.get(id)?.labels ?? [] }, converted.text);
  return { text, warnings: converted.warnings.map((w) => `${path}: ${w}`) };
}

/**
 * The file, then its record (page, staged body cleared, conflict resolved) in one transaction. Counts the bytes here,
 * after the write: `summary.bytes += await …` would read the counter before the await and lose concurrent additions.
 */
async function commitFile(ctx: ExecContext, id: string, path: string, text: string, version: number, expect: Expect): Promise<void> {
  const { size, mtimeMs } = await writeFileSafe(ctx.options.workspace, path, text, expect);
  ctx.summary.bytes += size;
  recordSynced(ctx, id, path, version, text, { hash: sha256(text), size, mtimeMs });
}

/** Records a page as synced at `version` with `base` as its merge base; `file` describes what its local file holds. */
function recordSynced(ctx: ExecContext, id: string, path: string, version: number, base: string, file: { hash: string; size: number; mtimeMs: number }): void {
  const meta = ctx.remote.get(id)!;
  const page: BasePage = {
    id,
    spaceKey: ctx.spaceKey,
    parentId: meta.parentId,
    title: meta.title,
    position: meta.position,
    version,
    path,
    ...file,
    base,
    labels: meta.labels,
    status: 'synced',
  };
  ctx.state.transaction(() => {
    ctx.state.savePage(page);
    ctx.state.clearStaged(id);
    ctx.state.removeConflict(id);
  });
  ctx.statusAfter.set(id, 'synced');
}

/**
 * Both sides changed and the edits do not overlap: the file gets the merge; the base becomes the remote text at
 * its version, so the file still differs from its base and the next push sends the merge (as version + 1). File
 * first, then state: a crash between them reruns the same merge (the remote's changes are already in the file,
 * diff3 takes identical changes once).
 */
async function commitMerge(ctx: ExecContext, b: BasePageMeta, path: string, localNow: string, merged: string, remoteText: string, version: number): Promise<void> {
  const { summary } = ctx;
  const asRead: Expect = { hash: sha256(localNow) };
  if (merged === remoteText) {
    // The local edit was already in the remote version: plainly synced.
    await commitFile(ctx, b.id, path, remoteText, version, asRead);
    summary.pages.updated++;
    return;
  }
  if (merged !== localNow) {
    const { size } = await writeFileSafe(ctx.options.workspace, path, merged, asRead);
    summary.bytes += size;
  }
  // The base is the remote text; the file holds the merge, so it must never look "unchanged" by stat (size -1).
  recordSynced(ctx, b.id, path, version, remoteText, { hash: sha256(remoteText), size: -1, mtimeMs: 0 });
  summary.pages.merged++;
  ctx.log.info({ path }, 'changed on both sides without overlap: merged into the file (push sends it)');
}

/** What the scan saw at a tracked file it found unchanged (or missing): its base. A file that is not there matches too. */
function asScanned(ctx: ExecContext, id: string): Expect {
  const b = ctx.baseById.get(id);
  return b ? { hash: b.hash, size: b.size, mtimeMs: b.mtimeMs, orAbsent: true } : { absent: true };
}

/** The expectation at the path a download writes: the base file where it stays, nothing at a new path. */
function expectAt(ctx: ExecContext, id: string, path: string, staging: string | undefined): Expect {
  const b = ctx.baseById.get(id);
  return staging || !b || b.path !== path ? { absent: true } : asScanned(ctx, id);
}

/** A file moved aside in phase 1 must still be what the scan saw before it is replaced by the new one. */
async function checkStaging(ctx: ExecContext, id: string, staging: string | undefined, path: string): Promise<void> {
  if (staging && !(await stillAsSeen(ctx.options.workspace, staging, asScanned(ctx, id)))) throw changedRefused(path);
}

/** Workspace-relative path in cache/trash for a file. */
function trashRel(ctx: ExecContext, rel: string): string {
  return relative(ctx.options.workspace, trashPath(ctx.options.workspace, rel, ctx.now())).split(sep).join('/');
}

/** The staging path of a page whose file was moved aside in phase 1, if any. */
function stagingOf(ctx: ExecContext, id: string): string | undefined {
  const p = ctx.baseById.get(id)?.path;
  return p?.startsWith('cache/moving/') ? p : undefined;
}

async function removeStaging(ctx: ExecContext, staging: string | undefined): Promise<void> {
  if (!staging) return;
  try {
    await unlink(inside(ctx.options.workspace, staging));
  } catch {
    // already gone
  }
}

function baseText(ctx: ExecContext, id: string): string {
  const text = ctx.state.pageBase(id);
  if (text === undefined) throw new Error(`state: page ${id} has no base text`);
  return text;
}

/**
 * A conflict already recorded for this remote version whose copy is still there: reported again, no second copy
 * (every run would otherwise write one more). Its record names the file where it is now (a conflicted file the user
 * renamed is back at its page's path): `resolve` and `status` go by that path.
 */
async function knownCopy(ctx: ExecContext, id: string, version: number, kind: 'both-modified' | 'untracked-local-file', path: string): Promise<boolean> {
  const known = ctx.state.conflicts().find((c) => c.pageId === id && c.remoteVersion === version && c.copyPath);
  if (!known || !(await lstatIn(ctx.options.workspace, known.copyPath!))?.isFile()) return false;
  if (known.path !== path) ctx.state.addConflict({ ...known, path });
  ctx.summary.pages.conflicted++;
  ctx.summary.conflicts.push({ path, copyPath: known.copyPath, kind });
  return true;
}

async function execute(ctx: ExecContext, a: PullAction, fetched: ReadonlyMap<string, Fetched>): Promise<void> {
  const { summary } = ctx;
  const ws = ctx.options.workspace;
  switch (a.kind) {
    case 'download': {
      const body = bodyOf(ctx, a.id, fetched);
      if (!body) {
        summary.warnings.push(`${a.path}: the page disappeared while pulling; it will be handled on the next run`);
        return;
      }
      const { text, warnings } = localText(ctx, a.id, a.path, body);
      if (warnings.length) summary.warnings.push(...warnings);
      const staging = stagingOf(ctx, a.id);
      await checkStaging(ctx, a.id, staging, a.path);
      await commitFile(ctx, a.id, a.path, text, body.version, expectAt(ctx, a.id, a.path, staging));
      await removeStaging(ctx, staging);
      if (a.reason === 'new') summary.pages.new++;
      else summary.pages.updated++;
      if (a.from && a.from !== a.path) summary.pages.moved++;
      return;
    }
    case 'move': {
      const b = ctx.baseById.get(a.id)!;
      const meta = ctx.remote.get(a.id)!;
      await moveSafe(ws, b.path, a.path);
      // The base keeps its own mtime: a file edited locally (not pushed yet) must not look unchanged by stat after
      // the move (same size, its new mtime recorded: the edit was lost). A rename keeps the mtime of an unchanged file.
      const moved: BasePageMeta = { ...b, path: a.path, parentId: meta.parentId, title: meta.title };
      ctx.state.savePageMeta(moved);
      ctx.baseById.set(a.id, moved);
      summary.pages.moved++;
      return;
    }
    case 'relabel': {
      const b = ctx.baseById.get(a.id)!;
      const parsed = parseFile(baseText(ctx, a.id));
      const text = composeFile({ ...parsed.meta, labels: ctx.remote.get(a.id)?.labels ?? [] }, parsed.body);
      const staging = stagingOf(ctx, a.id);
      await checkStaging(ctx, a.id, staging, a.path);
      await commitFile(ctx, a.id, a.path, text, b.version, expectAt(ctx, a.id, a.path, staging));
      await removeStaging(ctx, staging);
      summary.pages.relabelled++;
      return;
    }
    case 'both-changed': {
      const body = bodyOf(ctx, a.id, fetched);
      const b = ctx.baseById.get(a.id)!;
      if (!body) return;
      const base = baseText(ctx, a.id);
      const { text: remoteText } = localText(ctx, a.id, a.path, body);
      // Renamed or deleted since the scan (someone is editing meanwhile): left alone, the next run sees it as it is.
      const localNow = await readTextSafe(ws, b.path).catch((err: unknown) => {
        throw (err as NodeJS.ErrnoException).code === 'ENOENT' ? changedRefused(b.path) : err;
      });
      if (b.path !== a.path) {
        await moveSafe(ws, b.path, a.path);
        // Recorded at once: every outcome below keeps the file at its new path, some without saving the page again
        // (a conflict already known), and a record left naming cache/moving/ loses track of the file (push takes it
        // for a new page).
        const moved = { ...b, path: a.path };
        ctx.state.savePageMeta(moved);
        ctx.baseById.set(a.id, moved);
      }
      if (localNow === remoteText) {
        // Both sides hold the same content: a false conflict.
        await commitFile(ctx, a.id, a.path, remoteText, body.version, { hash: sha256(localNow) });
        summary.pages.falseConflicts++;
        return;
      }
      const remoteParsed = parseFile(remoteText);
      const baseParsed = parseFile(base);
      if (remoteParsed.body === baseParsed.body && JSON.stringify([...(remoteParsed.meta.labels ?? [])].sort()) === JSON.stringify([...(baseParsed.meta.labels ?? [])].sort())) {
        // The remote version changed only the title or position: the local edit stays, still unpushed.
        const s = await statOrUndefined(inside(ws, a.path));
        const meta = ctx.remote.get(a.id)!;
        const page: BasePage = { ...b, path: a.path, title: meta.title, parentId: meta.parentId, version: body.version, base: remoteText, hash: sha256(remoteText), mtimeMs: s?.mtimeMs ?? 0, size: -1 };
        ctx.state.savePage(page);
        ctx.statusAfter.set(a.id, page.status);
        summary.pages.moved += b.path !== a.path ? 1 : 0;
        return;
      }
      const m = merge3(base, localNow, remoteText);
      if (m.clean) {
        await commitMerge(ctx, b, a.path, localNow, m.text, remoteText, body.version);
        return;
      }
      if (await knownCopy(ctx, a.id, body.version, 'both-modified', a.path)) return;
      const copy = conflictCopyPath(a.path, ctx.now());
      const written = await writeFileSafe(ws, copy, remoteText, { absent: true });
      ctx.summary.bytes += written.size; // after the await (see commitFile)
      // Title and parent are the remote's (what `resolve` settles on, where pull puts the page and its children).
      const meta = ctx.remote.get(a.id)!;
      const kept: BasePageMeta = { ...b, path: a.path, status: 'conflict', title: meta.title, parentId: meta.parentId };
      ctx.state.transaction(() => {
        ctx.state.savePageMeta(kept);
        ctx.state.addConflict({ pageId: a.id, path: a.path, copyPath: copy, remoteVersion: body.version, kind: 'both-modified', createdAt: ctx.now().toISOString() });
      });
      ctx.statusAfter.set(a.id, 'conflict');
      summary.pages.conflicted++;
      summary.conflicts.push({ path: a.path, copyPath: copy, kind: 'both-modified' });
      ctx.log.warn({ path: a.path, copy }, 'changed on both sides: your file is kept, the remote version is saved beside it');
      return;
    }
    case 'untracked-clash': {
      const body = bodyOf(ctx, a.id, fetched);
      if (!body) return;
      const { text } = localText(ctx, a.id, a.path, body);
      const existing = await readTextSafe(ws, a.path).catch(() => undefined);
      if (existing === text) {
        // Exactly what this pull would write: our own file from a run that stopped before recording it.
        await commitFile(ctx, a.id, a.path, text, body.version, { hash: sha256(text) });
        summary.pages.new++;
        return;
      }
      if (await knownCopy(ctx, a.id, body.version, 'untracked-local-file', a.path)) return;
      const copy = conflictCopyPath(a.path, ctx.now());
      const written = await writeFileSafe(ws, copy, text, { absent: true });
      ctx.summary.bytes += written.size; // after the await (see commitFile)
      ctx.state.addConflict({ pageId: a.id, path: a.path, copyPath: copy, remoteVersion: body.version, kind: 'untracked-local-file', createdAt: ctx.now().toISOString() });
      summary.pages.conflicted++;
      summary.conflicts.push({ path: a.path, copyPath: copy, kind: 'untracked-local-file' });
      return;
    }
    case 'trash': {
      const b = ctx.baseById.get(a.id)!;
      const abs = inside(ws, b.path);
      if (await lstatIn(ws, b.path)) {
        // Only the file the scan saw goes to the trash: an edit made since stays (the next run sees it).
        if (!(await stillAsSeen(ws, b.path, asScanned(ctx, a.id)))) throw changedRefused(b.path);
        await moveSafe(ws, b.path, trashRel(ctx, b.path));
        await pruneEmptyDirs(abs.slice(0, abs.lastIndexOf('/')), inside(ws, 'content'));
      }
      for (const att of ctx.state.attachmentsOfPage(a.id)) {
        try {
          await trashAttachmentFile(ws, att.path, ctx.now());
        } catch (err) {
          if (!isSkipped(err)) throw err;
          reportSkip(summary, err);
        }
      }
      ctx.state.transaction(() => {
        ctx.state.deletePage(a.id);
        ctx.state.removeConflict(a.id);
      });
      ctx.baseById.delete(a.id);
      summary.pages.deleted++;
      return;
    }
    case 'deleted-remote-modified-local': {
      const b = ctx.baseById.get(a.id)!;
      ctx.state.transaction(() => {
        ctx.state.savePageMeta({ ...b, status: 'deleted-remote' });
        ctx.state.addConflict({ pageId: a.id, path: b.path, copyPath: null, remoteVersion: b.version, kind: 'deleted-remote-modified-local', createdAt: ctx.now().toISOString() });
      });
      ctx.statusAfter.set(a.id, 'deleted-remote');
      summary.pages.conflicted++;
      summary.conflicts.push({ path: b.path, copyPath: null, kind: 'deleted-remote-modified-local' });
      return;
    }
  }
}
