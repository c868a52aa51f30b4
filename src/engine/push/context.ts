/**
 * What every phase of a push run shares for one space (the run's options, the state, the space's links and
 * summary), and the small reads and conversions the edit, conflict and create phases all use.
 */
import type { Format } from '../../format/types.js';
import { lstatIn, readHeadSafe, readTextSafe, tooLarge } from '../../local/safe-fs.js';
import type { BasePage, BasePageMeta, StateStore } from '../../state/index.js';
import type { Logger } from '../../obs/logger.js';
import type { SpaceLinks } from '../resolver.js';
import type { PushOptions, PushSummary } from '../push.js';
import type { PlannedText } from './refine.js';

export interface Ctx {
  options: PushOptions;
  state: StateStore;
  spaceKey: string;
  format: Format;
  links: SpaceLinks;
  summary: PushSummary;
  now: () => Date;
  log: Logger;
  /** Texts planning read (refine.ts), taken by the executor instead of reading the file again. */
  planned?: Map<string, PlannedText> | undefined;
  /** The page files each new page file links to (read while planning took their titles): the order of creates. */
  createLinks?: ReadonlyMap<string, readonly string[]> | undefined;
}

/**
 * The text of a page file to send, and its size and mtime from before it was read: planning's copy when it kept one
 * (taken: used once), else read now. Refused over sync.maxPageBytes before it is read; undefined when it is gone.
 */
export async function pageText(ctx: Ctx, path: string): Promise<{ text: string; seen: { size: number; mtimeMs: number } | undefined } | undefined> {
  const p = ctx.planned?.get(path);
  if (p) {
    ctx.planned!.delete(path);
    const max = ctx.options.maxPageBytes;
    if (max !== undefined && p.seen && p.seen.size > max) throw tooLarge(path, p.seen.size, max);
    return p;
  }
  const seen = await checkSize(ctx, path);
  const text = await readIfThere(ctx.options.workspace, path);
  return text === undefined ? undefined : { text, seen };
}

export function versionMeta(ctx: Ctx): { message?: string; minorEdit?: boolean } {
  const { versionMessage, minorEdit } = ctx.options;
  return { ...(versionMessage ? { message: versionMessage } : {}), ...(minorEdit !== undefined ? { minorEdit } : {}) };
}

export function sortedLabels(l: readonly string[] | undefined): string[] {
  return [...new Set((l ?? []).map(String))].sort();
}

export function parentFolderFile(path: string, ext: string): string {
  return `${path.slice(0, path.lastIndexOf('/'))}${ext}`;
}

/** The text of a file (never through a link, strictly UTF-8), or undefined when it is gone (deleted or renamed while the push runs). */
export async function readIfThere(workspace: string, rel: string): Promise<string | undefined> {
  try {
    return await readTextSafe(workspace, rel);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** How much of a page file planning keeps to read its front matter (title, id, labels). */
const HEAD_CHARS = 64 * 1024;

/**
 * Text enough of a page file for its front matter (`parseFile(...).meta`, `.ok` and `.error` are the whole file's):
 * the file up to the end of its front matter, or all of it when it is small or its front matter does not end in
 * the first 64 Ki characters. Refused as readTextSafe refuses a file (a link, not UTF-8), but a big page's body is
 * never held: planning reads titles and ids this way, and the page's text is loaded when it is sent.
 */
export async function readFrontMatter(workspace: string, rel: string, onPiece?: (piece: string) => void): Promise<string> {
  const { head, whole } = await readHeadSafe(workspace, rel, HEAD_CHARS, onPiece);
  if (whole) return head;
  const t = head.startsWith('\ufeff') ? head.slice(1) : head;
  if (!t.startsWith('---')) return t.slice(0, 3); // no front matter: none in the whole file either
  // The front matter's end, as parseFile finds it, well inside the head (its line break included): the same in the file.
  const m = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*\r?\n/.exec(t);
  if (m && m[0].length < t.length - 1) return t.slice(0, m[0].length);
  return readTextSafe(workspace, rel);
}

/** A base page with its text, read from the state store only when a push needs it. */
export function withBase(ctx: Ctx, meta: BasePageMeta): BasePage {
  return { ...meta, base: ctx.state.pageBase(meta.id) ?? '' };
}

export function toStorage(ctx: Ctx, path: string, title: string, body: string, base?: string): string {
  return convert(ctx, path, title, body, base).text;
}

/**
 * `storage` (a body converted without a base) with what Confluence added to the base's blocks (local ids, macro ids)
 * put back: what converting with the base gives, without converting the body a second time.
 */
export function withBaseAttrs(ctx: Ctx, storage: string, base: string): string {
  return ctx.format.restoreBaseAttrs ? ctx.format.restoreBaseAttrs(storage, base) : storage;
}

/**
 * The storage of a page's body, and the workspace paths of the page files its relative links name that are no pages
 * (yet): the push that creates one of them writes this page again (relink.ts).
 */
export function convert(ctx: Ctx, path: string, title: string, body: string, base?: string): { text: string; unresolved: string[] } {
  const r = convertFile(ctx.format, ctx.spaceKey, ctx.links, path, title, body, base);
  ctx.summary.warnings.push(...r.warnings.map((w) => `${path}: ${w}`));
  return r;
}

/**
 * `convert` without a summary (planning uses it too). Without a base, the same file converts once per run: planning
 * compares it with its base, and sending reuses the result (by the hash of the body, so a file saved in between
 * converts again).
 */
export function convertFile(format: Format, spaceKey: string, links: SpaceLinks, path: string, title: string, body: string, base?: string): { text: string; unresolved: string[]; warnings: string[] } {
  const run = () => {
    const { resolver, unresolved } = links.recordingResolverFor(path, format.extension);
    const r = format.toStorage(body, { spaceKey, title, resolver, base });
    return { text: r.text, unresolved: [...unresolved].sort(), warnings: r.warnings };
  };
  return base === undefined ? links.cachedConversion('file', path, title, body, run) : run();
}

/**
 * The storage a base file converts to today, for comparing a file with its base: the same base converts once per
 * run (planning and sending both compare), by the hash of its body.
 */
export function baseStorageOf(ctx: Ctx, b: { path: string; title: string }, body: string): string {
  return ctx.links.cachedConversion('base', b.path, b.title, body, () => ctx.format.toStorage(body, { spaceKey: ctx.spaceKey, title: b.title, resolver: ctx.links.resolverFor(b.path) }).text);
}

/**
 * The body as a pull will write it back from `storage` (what was just sent), when it differs from `body` — the
 * Markdown a person wrote in a form the converter writes differently (`*` bullets, setext headings, an unpadded
 * table, `~~~` fences, …). The push writes it into the file once, so the file is what every later pull gives
 * (docs/markdown.md, "What people write"). Undefined when nothing changes or the format keeps files as storage.
 */
export function normalisedBody(ctx: Ctx, path: string, title: string, body: string, storage: string): string | undefined {
  if (ctx.format.name !== 'markdown') return undefined;
  const context = { spaceKey: ctx.spaceKey, title, resolver: ctx.links.resolverFor(path) };
  const crlf = body.includes('\r\n');
  // Compared piece by piece where the format can (a big page is not converted back whole only to find it the same).
  if (!crlf && ctx.format.toLocalIfDiffers) return ctx.format.toLocalIfDiffers(storage, body, context);
  const r = ctx.format.toLocal(storage, context);
  // Line endings are the person's (an editor or git on Windows writes CR LF): a CR LF file stays CR LF.
  const text = crlf ? r.text.replace(/\r?\n/g, '\r\n') : r.text;
  return text === body ? undefined : text;
}

/** `text` (a whole file) with its body replaced, the front matter kept byte for byte. */
export function withBody(text: string, body: string, newBody: string): string {
  return text.slice(0, text.length - body.length) + newBody;
}

export function parentFor(ctx: Ctx, path: string): string | null | undefined {
  const folder = parentFolderFile(path, ctx.format.extension);
  const page = ctx.state.pageByPath(folder)?.id;
  if (page !== undefined) return page;
  if (folder.split('/').length <= 3) return undefined; // content/SPACE/X.md: the homepage (resolved by the caller)
  return null;
}

/** A page file over sync.maxPageBytes is refused before it is read or converted. Returns its stat (before the read). */
export async function checkSize(ctx: Ctx, path: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  const max = ctx.options.maxPageBytes;
  const s = await lstatIn(ctx.options.workspace, path);
  if (max !== undefined && s && s.size > max) throw tooLarge(path, s.size, max);
  return s?.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : undefined;
}
