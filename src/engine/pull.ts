/**
 * A pull run: lock → list remote → observe local → plan → safety gates → execute → commit. Every finished action
 * is committed to the state store in its own transaction, right after its file is in place, so an interrupted pull
 * resumes where it stopped: bodies already staged or written are not downloaded again.
 */
import { readFile, unlink } from 'node:fs/promises';
import PQueue from 'p-queue';
import { CsyncError } from '../core/errors.js';
import { checkGates, planPull, type PullAction, type RemoteMeta } from '../core/plan.js';
import type { RemoteAttachment, RemotePage } from '../core/remote-types.js';
import { composeFile, parseFile } from '../format/front-matter.js';
import type { Format } from '../format/types.js';
import { inside, moveFile, pruneEmptyDirs, sha256, statOrUndefined, trashPath, writeAtomic } from '../local/files.js';
import { acquireWorkspaceLock } from '../local/lock.js';
import { openStateStore, type BasePage, type StateStore } from '../state/index.js';
import { conflictCopyPath } from './conflict-name.js';
import { merge3 } from './merge.js';
import { attachmentPath, SpaceLinks } from './resolver.js';
import { findLocalMoves } from './push.js';
import { observeAll } from './scan.js';
import type { PullOptions, PullSummary } from './types.js';
import { join } from 'node:path';

const BULK = 250;

function emptySummary(dryRun: boolean): PullSummary {
  return {
    dryRun,
    spaces: [],
    pages: { new: 0, updated: 0, moved: 0, relabelled: 0, deleted: 0, conflicted: 0, unchanged: 0, falseConflicts: 0, merged: 0 },
    attachments: { downloaded: 0, skipped: 0, deleted: 0, moved: 0 },
    bytes: 0,
    requests: undefined,
    durationMs: 0,
    conflicts: [],
    warnings: [],
    plan: [],
  };
}

export async function runPull(options: PullOptions): Promise<PullSummary> {
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
    const runId = options.dryRun ? undefined : state!.startRun('pull');
    try {
      for (const key of options.spaces) await pullSpace(options, state, key, summary);
      if (runId !== undefined) state!.finishRun(runId, 'ok', flatCounts(summary));
    } catch (err) {
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

function inScope(options: PullOptions, pages: Map<string, RemotePage>, labels: Map<string, string[]>, cqlIds: Set<string> | undefined, page: RemotePage): boolean {
  if (options.rootPageId) {
    let p: RemotePage | undefined = page;
    let hops = 0;
    while (p && p.id !== options.rootPageId && hops++ < 100) p = p.parentId ? pages.get(p.parentId) : undefined;
    if (!p) return false;
  }
  if (options.labels && options.labels.length && !(labels.get(page.id) ?? []).some((l) => options.labels!.includes(l))) return false;
  if (cqlIds && !cqlIds.has(page.id)) return false;
  return true;
}

async function pullSpace(options: PullOptions, state: StateStore | undefined, spaceKey: string, summary: PullSummary): Promise<void> {
  const { api, logger } = options;
  const log = logger.child({ module: 'pull', space: spaceKey });
  const format = options.formatFor(spaceKey);
  const space = await api.getSpaceByKey(spaceKey);
  summary.spaces.push(spaceKey);
  const basePages = state?.pagesOfSpace(spaceKey) ?? [];
  // A first pull lists with bodies (ceil(N/250) requests) and stages them; later pulls list without bodies and
  // fetch only what changed, in bulk. After an interrupted first pull (staged bodies left) the listing goes without
  // bodies too: listing them again would download every staged body a second time at each rerun.
  const withBodies = basePages.length === 0 && !options.dryRun && state!.stagedCount() === 0;
  if (!options.dryRun) state!.upsertSpace(spaceKey, space.id, space.homepageId);
  const remote = new Map<string, RemotePage>();
  let staged: Array<{ id: string; version: number; body: string }> = [];
  options.progress?.({ phase: 'listing', done: 0, space: spaceKey });
  for await (const p of api.listPages(space.id, { bodies: withBodies, limit: BULK })) {
    if (p.status !== 'current') continue;
    const { body, ...meta } = p;
    remote.set(p.id, meta);
    if (withBodies && body !== undefined) {
      staged.push({ id: p.id, version: p.version.number, body });
      if (staged.length >= BULK) {
        state!.stageBodies(staged);
        staged = [];
      }
    }
    if (remote.size % BULK === 0) options.progress?.({ phase: 'listing', done: remote.size, space: spaceKey });
  }
  if (staged.length) state!.stageBodies(staged);
  staged = [];
  const labels = api.listSpaceLabels ? await api.listSpaceLabels(space.id) : new Map<string, string[]>();
  let cqlIds: Set<string> | undefined;
  if (options.cql) {
    cqlIds = new Set();
    for await (const r of api.searchCql(`(${options.cql}) AND space = "${spaceKey}" AND type = page`)) cqlIds.add(r.id);
  }
  const scoped = [...remote.values()].filter((p) => inScope(options, remote, labels, cqlIds, p));
  const scopedIds = new Set(scoped.map((p) => p.id));
  // Base pages outside the scope are neither updated nor deleted.
  const scopeFiltered = Boolean(options.rootPageId || options.labels?.length || options.cql);
  const base = scopeFiltered ? basePages.filter((b) => scopedIds.has(b.id) || !remote.has(b.id)) : basePages;
  const remoteMeta: RemoteMeta[] = scoped.map((p) => ({ id: p.id, title: p.title, parentId: p.parentId, version: p.version.number, labels: labels.get(p.id) ?? [] }));
  const local = await observeAll(options.workspace, base);
  // Files the user moved or renamed (not pushed yet) are found by their id, so a remote change does not restore the page beside them.
  const localPaths = await findLocalMoves(options.workspace, spaceKey, format, base, local);
  const baseById = new Map(base.map((b) => [b.id, localPaths.has(b.id) ? { ...b, path: localPaths.get(b.id)! } : b]));
  const planInput = { spaceKey, ext: format.extension, base: base.map((b) => ({ id: b.id, path: b.path, version: b.version, labels: b.labels })), local, remote: remoteMeta, untracked: new Set<string>(), localPaths };
  let plan = planPull(planInput);
  // New pages must never overwrite a file the user made: look for untracked files at their paths, then replan.
  for (const a of plan.actions) {
    if (a.kind === 'download' && a.reason === 'new' && (await statOrUndefined(inside(options.workspace, a.path)))) planInput.untracked.add(a.path);
  }
  if (planInput.untracked.size) plan = planPull(planInput);
  const deletes = plan.actions.filter((a) => a.kind === 'trash').length;
  const gate = checkGates({ baseCount: base.length, remoteCount: scoped.length, deletes, maxDeletePercent: options.maxDelete.percent, maxDeleteCount: options.maxDelete.count, force: options.force });
  if (gate) {
    throw new CsyncError('CSYNC_SAFETY_GATE', `pull of ${spaceKey} stopped: ${gate}; nothing was changed`, {
      hint: 'check the space in Confluence; if the deletions are intended, run again with --force',
    });
  }
  summary.pages.unchanged += plan.unchanged;
  for (const a of plan.actions) summary.plan.push({ action: a.kind === 'download' ? (a.reason === 'new' ? 'new' : 'update') : a.kind, path: a.path, from: 'from' in a && a.from !== a.path ? a.from : undefined, id: a.id });
  log.info({ actions: plan.actions.length, unchanged: plan.unchanged, remote: scoped.length }, 'planned');
  if (options.dryRun) {
    countPlanned(plan.actions, summary);
    return;
  }
  const st = state!;
  const links = new SpaceLinks(spaceKey);
  for (const p of scoped) links.add(p.title, plan.paths.get(p.id)!);
  const now = options.now ?? (() => new Date());
  const ctx: ExecContext = { options, state: st, spaceKey, format, links, remote, labels, baseById, summary, now, log };

  // Phase 1: files whose path changes go to a staging name first, so swaps and renames of parents never collide.
  const moving = plan.actions.filter((a): a is PullAction & { from: string } => 'from' in a && typeof a.from === 'string' && a.from !== a.path);
  for (const a of moving) {
    const b = baseById.get(a.id)!;
    const stagingRel = `cache/moving/${a.id}${format.extension}`;
    const from = inside(options.workspace, b.path);
    if (await statOrUndefined(from)) {
      await moveFile(from, inside(options.workspace, stagingRel));
      const moved = { ...b, path: stagingRel };
      st.savePage(moved);
      baseById.set(a.id, moved);
      await pruneEmptyDirs(inside(options.workspace, b.path.slice(0, b.path.lastIndexOf('/'))), inside(options.workspace, 'content'));
    }
  }
  // Phase 2: the actions, in chunks whose bodies are fetched in one bulk request.
  const queue = new PQueue({ concurrency: options.concurrency });
  const total = plan.actions.length;
  let done = 0;
  const failures: unknown[] = [];
  for (let i = 0; i < plan.actions.length; i += BULK) {
    const chunk = plan.actions.slice(i, i + BULK);
    const bodies = await fetchBodies(ctx, chunk);
    for (const a of chunk) {
      queue
        .add(async () => {
          await execute(ctx, a, bodies);
          done++;
          options.progress?.({ phase: 'pulling', done, total, space: spaceKey });
        })
        .catch((err: unknown) => failures.push(err));
    }
    await queue.onIdle();
    // Finished actions are committed; the first failure stops the run (a rerun resumes from here).
    if (failures.length) throw failures[0];
  }
  await pullAttachments(ctx, plan.paths);
  await pruneEmptyDirs(inside(options.workspace, 'cache/moving'), inside(options.workspace, 'cache'));
}

function countPlanned(actions: readonly PullAction[], summary: PullSummary): void {
  for (const a of actions) {
    if (a.kind === 'download' && a.reason === 'new') summary.pages.new++;
    else if (a.kind === 'download') summary.pages.updated++;
    else if (a.kind === 'move') summary.pages.moved++;
    else if (a.kind === 'relabel') summary.pages.relabelled++;
    else if (a.kind === 'trash') summary.pages.deleted++;
    else summary.pages.conflicted++;
  }
}

interface ExecContext {
  options: PullOptions;
  state: StateStore;
  spaceKey: string;
  format: Format;
  links: SpaceLinks;
  remote: Map<string, RemotePage>;
  labels: Map<string, string[]>;
  baseById: Map<string, BasePage>;
  summary: PullSummary;
  now: () => Date;
  log: PullOptions['logger'];
}

/** Bodies for the chunk's actions: staged ones from the state store, the rest in bulk (250 per request). */
async function fetchBodies(ctx: ExecContext, chunk: readonly PullAction[]): Promise<Map<string, { version: number; body: string; title: string }>> {
  const out = new Map<string, { version: number; body: string; title: string }>();
  const missing: string[] = [];
  for (const a of chunk) {
    if (a.kind !== 'download' && a.kind !== 'both-changed' && a.kind !== 'untracked-clash') continue;
    const meta = ctx.remote.get(a.id)!;
    const staged = ctx.state.stagedBody(a.id, meta.version.number);
    if (staged !== undefined) out.set(a.id, { version: meta.version.number, body: staged, title: meta.title });
    else missing.push(a.id);
  }
  if (missing.length) {
    const fetched: Array<{ id: string; version: number; body: string }> = [];
    for await (const p of ctx.options.api.getPagesByIds(missing, { bodies: true })) {
      if (p.body === undefined) continue;
      out.set(p.id, { version: p.version.number, body: p.body, title: p.title });
      fetched.push({ id: p.id, version: p.version.number, body: p.body });
    }
    // Staged before any file is written: a crash now does not cost these downloads again.
    ctx.state.stageBodies(fetched);
  }
  return out;
}

function localText(ctx: ExecContext, id: string, path: string, body: { body: string; title: string }): { text: string; warnings: string[] } {
  const converted = ctx.format.toLocal(body.body, { spaceKey: ctx.spaceKey, title: body.title, resolver: ctx.links.resolverFor(path) });
  const text = composeFile({ id, title: body.title, labels: ctx.labels.get(id) ?? [] }, converted.text);
  return { text, warnings: converted.warnings.map((w) => `${path}: ${w}`) };
}

async function commitFile(ctx: ExecContext, id: string, path: string, text: string, version: number, extra: { base?: string; hash?: string } = {}): Promise<number> {
  const abs = inside(ctx.options.workspace, path);
  const { size, mtimeMs } = await writeAtomic(abs, text);
  const meta = ctx.remote.get(id)!;
  const page: BasePage = {
    id,
    spaceKey: ctx.spaceKey,
    parentId: meta.parentId,
    title: meta.title,
    position: meta.position ?? null,
    version,
    path,
    hash: extra.hash ?? sha256(text),
    size,
    mtimeMs,
    base: extra.base ?? text,
    labels: ctx.labels.get(id) ?? [],
    status: 'synced',
  };
  ctx.state.transaction(() => {
    ctx.state.savePage(page);
    ctx.state.clearStaged(id);
    ctx.state.removeConflict(id);
  });
  ctx.baseById.set(id, page);
  return Buffer.byteLength(text);
}

/**
 * Both sides changed and the edits do not overlap: the file gets the merge; the base becomes the remote text at
 * its version, so the file still differs from its base and the next push sends the merge (as version + 1). File
 * first, then state: a crash between them reruns the same merge (the remote's changes are already in the file,
 * diff3 takes identical changes once).
 */
async function commitMerge(ctx: ExecContext, b: BasePage, path: string, localNow: string, merged: string, remoteText: string, version: number): Promise<void> {
  const { summary } = ctx;
  if (merged === remoteText) {
    // The local edit was already in the remote version: plainly synced.
    summary.bytes += await commitFile(ctx, b.id, path, remoteText, version);
    summary.pages.updated++;
    return;
  }
  if (merged !== localNow) summary.bytes += (await writeAtomic(inside(ctx.options.workspace, path), merged)).size;
  const meta = ctx.remote.get(b.id)!;
  const page: BasePage = {
    ...b,
    path,
    title: meta.title,
    parentId: meta.parentId,
    position: meta.position ?? null,
    version,
    base: remoteText,
    hash: sha256(remoteText),
    size: -1, // never "unchanged" by stat: the file holds the merge, not the base
    mtimeMs: 0,
    labels: ctx.labels.get(b.id) ?? [],
    status: 'synced',
  };
  ctx.state.transaction(() => {
    ctx.state.savePage(page);
    ctx.state.clearStaged(b.id);
    ctx.state.removeConflict(b.id);
  });
  ctx.baseById.set(b.id, page);
  summary.pages.merged++;
  ctx.log.info({ path }, 'changed on both sides without overlap: merged into the file (push sends it)');
}

/** The staging path of a page whose file was moved aside in phase 1, if any (read before commitFile replaces it). */
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

async function execute(ctx: ExecContext, a: PullAction, bodies: Map<string, { version: number; body: string; title: string }>): Promise<void> {
  const { summary } = ctx;
  switch (a.kind) {
    case 'download': {
      const body = bodies.get(a.id);
      if (!body) {
        summary.warnings.push(`${a.path}: the page disappeared while pulling; it will be handled on the next run`);
        return;
      }
      const { text, warnings } = localText(ctx, a.id, a.path, body);
      summary.warnings.push(...warnings);
      const staging = stagingOf(ctx, a.id);
      const written = await commitFile(ctx, a.id, a.path, text, body.version);
      summary.bytes += written;
      await removeStaging(ctx, staging);
      if (a.reason === 'new') summary.pages.new++;
      else summary.pages.updated++;
      if (a.from && a.from !== a.path) summary.pages.moved++;
      return;
    }
    case 'move': {
      const b = ctx.baseById.get(a.id)!;
      const meta = ctx.remote.get(a.id)!;
      await moveFile(inside(ctx.options.workspace, b.path), inside(ctx.options.workspace, a.path));
      const s = await statOrUndefined(inside(ctx.options.workspace, a.path));
      const moved: BasePage = { ...b, path: a.path, parentId: meta.parentId, title: meta.title, mtimeMs: s?.mtimeMs ?? b.mtimeMs };
      ctx.state.savePage(moved);
      ctx.baseById.set(a.id, moved);
      summary.pages.moved++;
      return;
    }
    case 'relabel': {
      const b = ctx.baseById.get(a.id)!;
      const parsed = parseFile(b.base);
      const text = composeFile({ ...parsed.meta, labels: ctx.labels.get(a.id) ?? [] }, parsed.body);
      const staging = stagingOf(ctx, a.id);
      const written = await commitFile(ctx, a.id, a.path, text, b.version);
      summary.bytes += written;
      await removeStaging(ctx, staging);
      summary.pages.relabelled++;
      return;
    }
    case 'both-changed': {
      const body = bodies.get(a.id);
      const b = ctx.baseById.get(a.id)!;
      if (!body) return;
      const { text: remoteText } = localText(ctx, a.id, a.path, body);
      const currentAbs = inside(ctx.options.workspace, b.path);
      const localNow = await readFile(currentAbs, 'utf8');
      if (b.path !== a.path) {
        await moveFile(currentAbs, inside(ctx.options.workspace, a.path));
      }
      if (localNow === remoteText) {
        // Both sides hold the same content: a false conflict.
        const written = await commitFile(ctx, a.id, a.path, remoteText, body.version);
      summary.bytes += written;
        summary.pages.falseConflicts++;
        return;
      }
      const remoteParsed = parseFile(remoteText);
      const baseParsed = parseFile(b.base);
      if (remoteParsed.body === baseParsed.body && JSON.stringify([...(remoteParsed.meta.labels ?? [])].sort()) === JSON.stringify([...(baseParsed.meta.labels ?? [])].sort())) {
        // The remote version changed only the title or position: the local edit stays, still unpushed.
        const s = await statOrUndefined(inside(ctx.options.workspace, a.path));
        const meta = ctx.remote.get(a.id)!;
        const page: BasePage = { ...b, path: a.path, title: meta.title, parentId: meta.parentId, version: body.version, base: remoteText, hash: sha256(remoteText), mtimeMs: s?.mtimeMs ?? 0, size: -1 };
        ctx.state.savePage(page);
        ctx.baseById.set(a.id, page);
        summary.pages.moved += b.path !== a.path ? 1 : 0;
        return;
      }
      const m = merge3(b.base, localNow, remoteText);
      if (m.clean) {
        await commitMerge(ctx, b, a.path, localNow, m.text, remoteText, body.version);
        return;
      }
      const known = ctx.state.conflicts().find((c) => c.pageId === a.id && c.remoteVersion === body.version && c.copyPath);
      if (known && (await statOrUndefined(inside(ctx.options.workspace, known.copyPath!)))) {
        // Already recorded with this remote version: the copy is there; the conflict remains.
        summary.pages.conflicted++;
        summary.conflicts.push({ path: a.path, copyPath: known.copyPath, kind: 'both-modified' });
        return;
      }
      const copy = conflictCopyPath(a.path, ctx.now());
      await writeAtomic(inside(ctx.options.workspace, copy), remoteText);
      const kept: BasePage = { ...b, path: a.path, status: 'conflict' };
      ctx.state.transaction(() => {
        ctx.state.savePage(kept);
        ctx.state.addConflict({ pageId: a.id, path: a.path, copyPath: copy, remoteVersion: body.version, kind: 'both-modified', createdAt: ctx.now().toISOString() });
      });
      ctx.baseById.set(a.id, kept);
      summary.pages.conflicted++;
      summary.conflicts.push({ path: a.path, copyPath: copy, kind: 'both-modified' });
      ctx.log.warn({ path: a.path, copy }, 'changed on both sides: your file is kept, the remote version is saved beside it');
      return;
    }
    case 'untracked-clash': {
      const body = bodies.get(a.id);
      if (!body) return;
      const { text } = localText(ctx, a.id, a.path, body);
      const existing = await readFile(inside(ctx.options.workspace, a.path), 'utf8').catch(() => undefined);
      if (existing === text) {
        // Exactly what this pull would write: our own file from a run that stopped before recording it.
        const written = await commitFile(ctx, a.id, a.path, text, body.version);
        summary.bytes += written;
        summary.pages.new++;
        return;
      }
      const copy = conflictCopyPath(a.path, ctx.now());
      await writeAtomic(inside(ctx.options.workspace, copy), text);
      ctx.state.addConflict({ pageId: a.id, path: a.path, copyPath: copy, remoteVersion: body.version, kind: 'untracked-local-file', createdAt: ctx.now().toISOString() });
      summary.pages.conflicted++;
      summary.conflicts.push({ path: a.path, copyPath: copy, kind: 'untracked-local-file' });
      return;
    }
    case 'trash': {
      const b = ctx.baseById.get(a.id)!;
      const abs = inside(ctx.options.workspace, b.path);
      if (await statOrUndefined(abs)) {
        await moveFile(abs, trashPath(ctx.options.workspace, b.path, ctx.now()));
        await pruneEmptyDirs(abs.slice(0, abs.lastIndexOf('/')), inside(ctx.options.workspace, 'content'));
      }
      for (const att of ctx.state.attachmentsOfSpace(ctx.spaceKey).filter((x) => x.pageId === a.id)) {
        const aabs = inside(ctx.options.workspace, att.path);
        if (await statOrUndefined(aabs)) await moveFile(aabs, trashPath(ctx.options.workspace, att.path, ctx.now()));
        await pruneEmptyDirs(aabs.slice(0, aabs.lastIndexOf('/')), inside(ctx.options.workspace, 'attachments'));
      }
      ctx.state.transaction(() => {
        ctx.state.deletePage(a.id);
        ctx.state.removeConflict(a.id);
      });
      summary.pages.deleted++;
      return;
    }
    case 'deleted-remote-modified-local': {
      const b = ctx.baseById.get(a.id)!;
      ctx.state.transaction(() => {
        ctx.state.savePage({ ...b, status: 'deleted-remote' });
        ctx.state.addConflict({ pageId: a.id, path: b.path, copyPath: null, remoteVersion: b.version, kind: 'deleted-remote-modified-local', createdAt: ctx.now().toISOString() });
      });
      summary.pages.conflicted++;
      summary.conflicts.push({ path: b.path, copyPath: null, kind: 'deleted-remote-modified-local' });
      return;
    }
  }
}

async function pullAttachments(ctx: ExecContext, paths: Map<string, string>): Promise<void> {
  const api = ctx.options.api;
  const remoteAtts: RemoteAttachment[] = [];
  if (api.listSpaceAttachments) {
    for await (const a of api.listSpaceAttachments(ctx.spaceKey)) if (ctx.baseById.has(a.pageId) && paths.has(a.pageId)) remoteAtts.push(a);
  } else {
    for (const id of paths.keys()) for await (const a of api.listAttachments(id)) remoteAtts.push(a);
  }
  const base = new Map(ctx.state.attachmentsOfSpace(ctx.spaceKey).map((a) => [a.id, a]));
  const seen = new Set<string>();
  const queue = new PQueue({ concurrency: Math.max(1, Math.min(ctx.options.concurrency, 4)) });
  let done = 0;
  const failures: unknown[] = [];
  for (const a of remoteAtts) {
    seen.add(a.id);
    const page = ctx.baseById.get(a.pageId);
    if (!page || page.status !== 'synced') continue;
    const path = attachmentPath(paths.get(a.pageId)!, a.title);
    const b = base.get(a.id);
    const task = queue.add(async () => {
      const abs = inside(ctx.options.workspace, path);
      if (b && b.version === a.version) {
        if (b.path === path) {
          ctx.summary.attachments.skipped++;
          return;
        }
        if (await statOrUndefined(inside(ctx.options.workspace, b.path))) {
          await moveFile(inside(ctx.options.workspace, b.path), abs);
          ctx.state.saveAttachment({ ...b, path, pageId: a.pageId });
          ctx.summary.attachments.moved++;
          return;
        }
      }
      const { bytes, sha256: hash } = await api.downloadAttachment(a, abs);
      if (b && b.path !== path && (await statOrUndefined(inside(ctx.options.workspace, b.path)))) await unlink(inside(ctx.options.workspace, b.path));
      ctx.state.saveAttachment({ id: a.id, pageId: a.pageId, fileName: a.title, version: a.version, size: bytes, mediaType: a.mediaType, path, hash });
      ctx.summary.attachments.downloaded++;
      ctx.summary.bytes += bytes;
      done++;
      ctx.options.progress?.({ phase: 'attachments', done, total: remoteAtts.length, space: ctx.spaceKey });
    });
    task.catch((err: unknown) => failures.push(err));
  }
  await queue.onIdle();
  if (failures.length) throw failures[0];
  for (const b of base.values()) {
    if (seen.has(b.id)) continue;
    const page = ctx.baseById.get(b.pageId);
    if (page && page.status !== 'synced') continue;
    const abs = inside(ctx.options.workspace, b.path);
    if (await statOrUndefined(abs)) await moveFile(abs, trashPath(ctx.options.workspace, b.path, ctx.now()));
    await pruneEmptyDirs(abs.slice(0, abs.lastIndexOf('/')), inside(ctx.options.workspace, 'attachments'));
    ctx.state.deleteAttachment(b.id);
    ctx.summary.attachments.deleted++;
  }
}
