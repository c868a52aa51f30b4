/**
 * The facts `refinePushPlan` decides on, read from the files before anything is sent: for each update and move, the
 * title and labels its front matter gives and whether its body converts to the storage its base converts to (the
 * executor's own comparison); for each create, whether its front matter can be read. Dry and real runs both plan
 * with this, so a dry run prints what the real run does. Files are read as push reads them (safe-fs: never through a
 * link, strictly UTF-8); one that cannot be read is left to the executor, which reports it.
 */
import { parentFolderFile, refinePushPlan, type EditFacts, type PushAction, type RefinedPushPlan } from '../../core/push-plan.js';
import { parseFile } from '../../format/front-matter.js';
import { isFormatName, loadFormat, storageEquals } from '../../format/index.js';
import type { Format } from '../../format/types.js';
import { lstatIn, readTextSafe } from '../../local/safe-fs.js';
import type { BasePageMeta, StateStore } from '../../state/index.js';
import type { SpaceLinks } from '../resolver.js';
import { convertFile, readFrontMatter } from './context.js';

export const sortedLabels = (l: readonly unknown[] | undefined): string[] => [...new Set((l ?? []).map(String))].sort();

export interface RefineInput {
  workspace: string;
  state: StateStore | undefined;
  spaceKey: string;
  format: Format;
  links: SpaceLinks;
  base: readonly BasePageMeta[];
  actions: readonly PushAction[];
  /** The parent of a top-level file (the space homepage), fetched only when a move needs it; undefined = unknown. */
  homepage: () => Promise<string | null | undefined>;
  /**
   * When given, the texts read here (with the stat taken before each read) are kept for the executor, by path, up to
   * KEEP_CHARS in all: a page is read once per push. Those over the budget are read again when sent.
   */
  keep?: Map<string, PlannedText> | undefined;
}

/** A file's text as planning read it, and its size and mtime from before the read (what its record will say). */
export interface PlannedText {
  text: string;
  seen: { size: number; mtimeMs: number } | undefined;
}

/** The most text planning keeps for the executor (characters, all files together). */
export const KEEP_CHARS = 32 * 1024 * 1024;

export async function refineActions(input: RefineInput): Promise<RefinedPushPlan> {
  const { workspace, format, spaceKey, links } = input;
  const byId = new Map(input.base.map((b) => [b.id, b]));
  const facts = new Map<string, EditFacts>();
  const createFacts = new Map<string, { unreadable?: string | undefined }>();
  let kept = 0;
  for (const a of input.actions) {
    if (a.kind === 'create') {
      const text = await readFrontMatter(workspace, a.path).catch(() => undefined);
      const parsed = text === undefined ? undefined : parseFile(text);
      if (parsed && !parsed.ok) createFacts.set(a.path, { unreadable: parsed.error });
      continue;
    }
    if (a.kind !== 'update' && a.kind !== 'move') continue;
    const b = byId.get(a.id);
    if (!b) continue;
    const s = input.keep ? await lstatIn(workspace, a.path) : undefined;
    const text = await readTextSafe(workspace, a.path).catch(() => undefined);
    if (text === undefined) continue; // gone since the scan: the executor finds out
    if (input.keep && s?.isFile() && kept + text.length <= KEEP_CHARS) {
      kept += text.length;
      input.keep.set(a.path, { text, seen: { size: s.size, mtimeMs: s.mtimeMs } });
    }
    const local = parseFile(text);
    if (!local.ok) {
      facts.set(a.id, { unreadable: local.error, title: b.title, bodySame: false, labelsSame: true });
      continue;
    }
    const title = local.meta.title ? String(local.meta.title) : b.title;
    const baseText = input.state?.pageBase(b.id) ?? '';
    const baseBody = parseFile(baseText).body;
    let bodySame = a.path === b.path && local.body === baseBody && title === b.title;
    if (!bodySame) {
      // The converters load only here, for a body that really changed (format/index.ts: status converts nothing else).
      if (isFormatName(format.name)) await loadFormat(format.name);
      const storage = convertFile(format, spaceKey, links, a.path, title, local.body).text;
      const baseStorage = links.cachedConversion('base', b.path, b.title, baseBody, () => format.toStorage(baseBody, { spaceKey, title: b.title, resolver: links.resolverFor(b.path) }).text);
      bodySame = storageEquals(storage, baseStorage);
    }
    facts.set(a.id, { title, bodySame, labelsSame: JSON.stringify(sortedLabels(local.meta.labels as unknown[] | undefined)) === JSON.stringify(sortedLabels(b.labels)) });
  }
  const topLevelMove = input.actions.some((a) => a.kind === 'move' && parentFolderFile(a.path, format.extension).split('/').length <= 3);
  const homepage = topLevelMove ? await input.homepage() : undefined;
  return refinePushPlan(input.actions, facts, createFacts, input.base.map((b) => ({ id: b.id, path: b.path, parentId: b.parentId, title: b.title })), format.extension, homepage);
}
