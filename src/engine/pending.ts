/**
 * Pending creates. push writes a record before each create request and removes it in the transaction that records
 * the created page (push.ts pushCreates). A run that stops in between (crash, kill, timeout, lost answer) leaves the
 * record, and the next push or pull settles it before anything else:
 *
 * - The page is looked for among the space's pages that no base page claims, created (by the listing's createdAt,
 *   with an allowance for the clocks) after the record was written, by the account we use. It is ours when its
 *   first version has the title and the body we sent: a rename or move by someone else since does not hide it
 *   (version 1 is read with `GET /pages/{id}?version=1`, or is the page itself while it has one version).
 * - Found: it is adopted. The page is recorded at version 1 under the file's path at create time, with the text we
 *   sent as its base, and its id goes into the file's front matter wherever the file is now: at its path, or moved
 *   or renamed by the user (found by the id a stopped settle wrote, its text, its body, or most of its lines). From
 *   there the ordinary planners take over: a file elsewhere is a move, a later remote edit, rename or move is pulled
 *   or merged, a local edit pushed. A pull that settles first never sees the page as new, so it writes no second
 *   file and no conflict copy.
 * - Not found: the create never reached Confluence (or the page is gone); the record is dropped and push creates the
 *   file as usual.
 *
 * Every step can be repeated: a run that stops while settling leaves the record (and perhaps the id in the file),
 * and the next one settles it again. No record, no work: a run without pending creates makes no extra request.
 */
import { createOrder } from '../core/push-plan.js';
import type { RemotePage } from '../core/remote-types.js';
import { composeFile, parseFile } from '../format/front-matter.js';
import { canonicalStorageHash } from '../format/index.js';
import type { Format } from '../format/types.js';
import { sha256 } from '../local/files.js';
import { isSkipped, linkIn, readTextSafe, writeFileSafe } from '../local/safe-fs.js';
import type { Logger } from '../obs/logger.js';
import type { PendingCreate, StateStore } from '../state/index.js';
import { walkFiles } from './scan.js';
import type { SyncApi } from './types.js';

/** Allowance between our clock (corrected by the server's Date header when known) and the server's createdAt. */
export const CLOCK_ALLOWANCE_MS = 10 * 60_000;

/** The hash a pending create keeps of the body it sends: the canonical storage form (the server rewrites bodies). */
export function storageHash(storage: string): string {
  return canonicalStorageHash(storage);
}

/** The time to record for a create about to be sent: server time when the client knows the skew. */
export function createStartedAt(api: SyncApi): string {
  return new Date(Date.now() + (api.clockSkewMs?.() ?? 0)).toISOString();
}

const createdAtMs = (p: RemotePage): number | undefined => {
  const t = p.createdAt === undefined ? NaN : Date.parse(p.createdAt);
  return Number.isNaN(t) ? undefined : t;
};

/**
 * Which pages of a listing may be one of the pending creates: kept by the listing (a handful), so the settle needs
 * no second listing. Without a creation time (Data Center), only pages still titled as sent.
 */
export function mayBeOurs(pending: readonly PendingCreate[]): (p: RemotePage) => boolean {
  if (!pending.length) return () => false;
  const since = Math.min(...pending.map((r) => Date.parse(r.startedAt))) - CLOCK_ALLOWANCE_MS;
  const titles = new Set(pending.map((r) => r.title));
  return (p) => {
    if (p.status !== 'current') return false;
    const created = createdAtMs(p);
    return created === undefined ? titles.has(p.title) : !(created < since);
  };
}

export interface SettleContext {
  workspace: string;
  api: SyncApi;
  state: StateStore;
  spaceKey: string;
  format: Format;
  log: Logger;
  /** A dry run's settle: `state` is a scratch copy; no file is written, no label request sent (see SentContext). */
  dryRun?: boolean;
  /** Pages whose labels a settle sets (or, in a dry run, would set): the caller reports them as plan lines. */
  labelled?: Array<{ path: string; id: string }>;
  /** The run's warnings: a page found without a file to go with is reported there. */
  warnings?: string[];
}

/** The space's local files of its format (workspace-relative; temp files and conflict copies left out). */
async function spaceFiles(ctx: SettleContext): Promise<string[]> {
  const files: string[] = [];
  await walkFiles(ctx.workspace, `content/${ctx.spaceKey}`, ctx.format.extension, files);
  return files;
}

/** Lists the space and settles its pending creates (push: pull settles with the listing it makes anyway). */
export async function settleWithListing(ctx: SettleContext): Promise<number> {
  const pending = ctx.state.pendingCreates(ctx.spaceKey);
  if (!pending.length) return 0;
  const space = await ctx.api.getSpaceByKey(ctx.spaceKey);
  const keep = mayBeOurs(pending);
  const kept: RemotePage[] = [];
  for await (const p of ctx.api.listPages(space.id, { bodies: false, limit: 250 })) if (keep(p)) kept.push(p);
  return settlePendingCreates(ctx, kept);
}

/** Settles the space's pending creates against `candidates` (see mayBeOurs). Returns how many pages were adopted. */
export async function settlePendingCreates(ctx: SettleContext, candidates: readonly RemotePage[]): Promise<number> {
  const pending = ctx.state.pendingCreates(ctx.spaceKey).sort((a, b) => createOrder(a.path, b.path));
  if (!pending.length) return 0;
  // Pages a base page claims are not candidates (recorded creates of ours among them).
  candidates = candidates.filter((c) => !ctx.state.page(c.id));
  let me: string | undefined;
  if (ctx.api.currentUser && candidates.some((c) => c.authorId !== undefined)) me = (await ctx.api.currentUser()).accountId;
  const claimedPages = new Set<string>();
  const claimedFiles = new Set(pending.map((r) => r.path));
  const firstVersions = new Map<string, RemotePage | null>();
  let files: string[] | undefined;
  let adopted = 0;
  for (const r of pending) {
    const page = await findOwnPage(ctx, r, candidates, me, claimedPages, firstVersions);
    if (!page) {
      ctx.state.removePendingCreate(r.path);
      ctx.log.info({ path: r.path }, 'a create that was stopped had not reached Confluence; the file is created as usual');
      continue;
    }
    claimedPages.add(page.id);
    const file = await findFile(ctx, r, page.id, claimedFiles, async () => (files ??= await spaceFiles(ctx)));
    if (file) claimedFiles.add(file);
    await adopt(ctx, r, page, file);
    adopted++;
  }
  return adopted;
}

async function firstVersion(ctx: SettleContext, page: RemotePage, cache: Map<string, RemotePage | null>): Promise<RemotePage | null> {
  if (cache.has(page.id)) return cache.get(page.id)!;
  let first: RemotePage | null = null;
  if (page.version.number === 1) first = await ctx.api.getPage(page.id, { body: true });
  else if (ctx.api.getPageVersion) first = await ctx.api.getPageVersion(page.id, 1);
  // Only its first version says whether a page is ours (null: not knowable here).
  if (first && first.version.number !== 1) first = null;
  cache.set(page.id, first);
  return first;
}

async function findOwnPage(ctx: SettleContext, r: PendingCreate, candidates: readonly RemotePage[], me: string | undefined, claimed: ReadonlySet<string>, cache: Map<string, RemotePage | null>): Promise<RemotePage | undefined> {
  const since = Date.parse(r.startedAt) - CLOCK_ALLOWANCE_MS;
  const fits = candidates.filter((c) => {
    if (claimed.has(c.id) || ctx.state.page(c.id)) return false;
    if (me !== undefined && c.authorId !== undefined && c.authorId !== me) return false;
    const created = createdAtMs(c);
    return created === undefined ? c.title === r.title : !(created < since);
  });
  // Likeliest first: still titled as sent.
  fits.sort((a, b) => Number(b.title === r.title) - Number(a.title === r.title));
  for (const c of fits) {
    const first = await firstVersion(ctx, c, cache);
    if (first && first.title === r.title && first.body !== undefined && storageHash(first.body) === r.bodyHash) return c;
  }
  return undefined;
}

const idOf = (text: string): string | undefined => {
  const id = parseFile(text).meta.id;
  return id === undefined || id === null ? undefined : String(id);
};

const linesOf = (text: string): string[] =>
  parseFile(text)
    .body.split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);

/**
 * The file of a pending create now: at its path (with the page's id from a stopped settle, or without an id), or
 * moved/renamed by the user to an untracked file with the page's id, the same text, the same body or at least half
 * of the lines sent (the best match; the first in path order on a tie).
 */
async function findFile(ctx: SettleContext, r: PendingCreate, pageId: string, claimed: ReadonlySet<string>, spaceFiles: () => Promise<string[]>): Promise<string | undefined> {
  // Never through a link (safe-fs): a file that became one is no file of this page.
  const here = await readTextSafe(ctx.workspace, r.path).catch(() => undefined);
  const hereId = here === undefined ? null : idOf(here);
  if (hereId === pageId || (hereId === undefined && here === r.text)) return r.path;
  const tracked = new Set(ctx.state.pageMetasOfSpace(ctx.spaceKey).map((b) => b.path));
  const sentBody = parseFile(r.text).body;
  const sentLines = linesOf(r.text);
  let best: { path: string; score: number } | undefined;
  for (const f of (await spaceFiles()).sort()) {
    if (claimed.has(f) || tracked.has(f)) continue;
    const text = await readTextSafe(ctx.workspace, f).catch(() => undefined);
    if (text === undefined) continue;
    const id = idOf(text);
    if (id === pageId) return f;
    if (id !== undefined) continue;
    let score: number;
    if (text === r.text) score = 3;
    else if (parseFile(text).body === sentBody) score = 2;
    else {
      const have = new Set(linesOf(text));
      score = sentLines.length ? sentLines.filter((l) => have.has(l)).length / sentLines.length : 0;
      if (score < 0.5) continue;
    }
    if (!best || score > best.score) best = { path: f, score };
  }
  // A file without an id at the path is the one, unless the same text or body turned up elsewhere (moved away,
  // and another file made in its place).
  if (hereId === undefined && (!best || best.score < 2)) return r.path;
  return best?.path;
}

/**
 * Records the page (version 1, the text sent as base) under the path the file had at create time, the id in the
 * file where it is now; one transaction records the page and drops the pending record. The labels the file had are
 * added again (the run may have stopped before adding them; adding a label twice changes nothing).
 */
async function adopt(ctx: SettleContext, r: PendingCreate, page: RemotePage, file: string | undefined): Promise<void> {
  const sent = parseFile(r.text);
  const labels = [...new Set((sent.meta.labels ?? []).map(String))].sort();
  const baseText = composeFile({ ...sent.meta, id: page.id, title: r.title }, sent.body);
  if (labels.length) ctx.labelled?.push({ path: file ?? r.path, id: page.id });
  if (labels.length && !ctx.dryRun) await ctx.api.addLabels(page.id, labels);
  let fileText: string | undefined;
  let written: { size: number; mtimeMs: number } | undefined;
  if (file) {
    fileText = await readTextSafe(ctx.workspace, file);
    const p = parseFile(fileText);
    // A dry run leaves the file without the id: an id-only difference is no edit for the planners.
    if (p.ok && idOf(fileText) !== page.id && !ctx.dryRun) {
      // A file without a title of its own is titled by its name, as push titles a new file: renamed since the
      // stopped create, its name is the title the user wants now (the planners then push the rename).
      const named = file === r.path ? r.title : file.slice(file.lastIndexOf('/') + 1, file.length - ctx.format.extension.length);
      const withId = composeFile({ ...p.meta, id: page.id, title: p.meta.title ? String(p.meta.title) : named }, p.body);
      // Only over the file as read, never through a link: a save since (or a link swapped in) is left as it is and
      // the file stays without the id (an id-only difference is no edit for the planners).
      try {
        written = await writeFileSafe(ctx.workspace, file, withId, { hash: sha256(fileText) });
        fileText = withId;
      } catch (err) {
        if (!isSkipped(err)) throw err;
        ctx.warnings?.push(err.message);
      }
    }
  }
  // The path at create time, so a file the user moved since is a move for the planners; unless a page took it since.
  const taken = ctx.state.pageByPath(r.path);
  const path = taken && taken.id !== page.id ? file : r.path;
  if (path === undefined) {
    ctx.state.removePendingCreate(r.path);
    ctx.log.warn({ path: r.path, id: page.id }, 'the page of a stopped create was found but has no file to go with; left to the next pull');
    return;
  }
  // A link where the file was is reported by the scan (skipped, never taken for a delete): no warning of a lost file.
  if (!file && (await linkIn(ctx.workspace, r.path)) === undefined) {
    // Moved and rewritten since (or deleted): nothing says which file it became. Recorded at its first path without
    // a file, the page is a local delete for the planners: push trashes it (Confluence keeps it in its trash), and
    // a rewritten file is published as a new page. Said once, here, so the delete is not a surprise.
    ctx.warnings?.push(`${r.path}: a push stopped after creating its page (id ${page.id}); no file matches that page now (moved and rewritten, or deleted), so the page is treated as deleted here: push moves it to Confluence's trash, and a new file is published as a new page`);
  }
  // The stat of what was written (a save right after the write is not taken for it); none otherwise: the next scan hashes the file.
  const s = path === file && fileText === baseText ? written : undefined;
  ctx.state.transaction(() => {
    ctx.state.savePage({
      id: page.id,
      spaceKey: ctx.spaceKey,
      parentId: r.parentId,
      title: r.title,
      position: page.position ?? null,
      version: 1,
      path,
      hash: sha256(baseText),
      size: s?.size ?? -1,
      mtimeMs: s?.mtimeMs ?? 0,
      base: baseText,
      labels,
      status: 'synced',
    });
    ctx.state.removeConflict(page.id);
    ctx.state.removePendingCreate(r.path);
  });
  ctx.log.info({ path: r.path, file: file ?? null, id: page.id }, 'adopted the page of a create that was stopped before it was recorded');
}
