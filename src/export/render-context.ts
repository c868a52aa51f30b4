/** What every renderer gets: the finished items in tree order, their bodies from the cache, links, the stage. */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Root } from 'mdast';
import { writeFileAtomicSync } from './file-stream.js';
import type { JiraIssueData } from '../remote/jira/index.js';
import type { CachedBody } from './cache.js';
import { issueAttachmentLinks } from './jira-attachments.js';
import { issueMarkdown } from './issue-markdown.js';
import { anchorOf, mdFileOf, relativeTo, type BundleLinks } from './links.js';
import { jiraMacrosToLinks, pageDoc, pageMarkdown, parseMarkdown, type PageDoc } from './markdown.js';
import type { ExportItem, ExportSpec } from './types.js';

export interface RenderContext {
  stage: string;
  spec: ExportSpec;
  /** Items to render (fetched), in tree order. */
  items: ExportItem[];
  links: BundleLinks;
  body(item: ExportItem): CachedBody;
  /** Attachment files of a page in the bundle: file name → bundle path. */
  attachments(pageId: string): Map<string, string>;
  /** Jira: where an issue is read in Jira (for issues the bundle does not hold), when Jira is configured. */
  jiraBrowse?: ((key: string) => string) | undefined;
  /** Jira: issue key → exported pages whose Jira macros point at it. */
  mentions?: ReadonlyMap<string, readonly ExportItem[]> | undefined;
}

/** Where a link to an exported item goes from `file` (or its anchor in one-file outputs). */
function targetOf(it: ExportItem, file: string, single: boolean): string {
  return single ? `#${anchorOf(it)}` : relativeTo(file, mdFileOf(it));
}

/** A page's storage with its Jira macros as links (to the exported issue, else to Jira). */
function pageStorage(ctx: RenderContext, item: ExportItem, file: string, single: boolean): string {
  return jiraMacrosToLinks(
    ctx.body(item).body,
    (key) => {
      const it = ctx.links.item(key);
      return it?.kind === 'jira-issue' ? targetOf(it, file, single) : undefined;
    },
    ctx.jiraBrowse,
  );
}

/** An issue's Markdown (fields table, description, comments) with links resolved from `file`. */
export function issueText(ctx: RenderContext, item: ExportItem, file: string, single: boolean): string {
  const data = JSON.parse(ctx.body(item).body) as JiraIssueData;
  const browse = ctx.jiraBrowse ?? ((key: string) => item.url.replace(/[^/]+$/, encodeURIComponent(key)));
  return issueMarkdown(data, {
    issue: (key) => {
      const it = ctx.links.item(key);
      return it?.kind === 'jira-issue' ? targetOf(it, file, single) : undefined;
    },
    browse,
    mentions: (ctx.mentions?.get(item.id) ?? []).map((p) => ({ title: p.title, target: targetOf(p, file, single) })),
    attachment: issueAttachmentLinks(ctx.stage, data, file),
  });
}

export function docOf(ctx: RenderContext, item: ExportItem, file: string, single: boolean): PageDoc {
  if (item.kind === 'jira-issue') return { tree: parseMarkdown(issueText(ctx, item, file, single)) as Root, warnings: [] };
  return pageDoc(pageStorage(ctx, item, file, single), item.spaceKey, item.title, ctx.links.resolver(item, file, single));
}

export function markdownOf(ctx: RenderContext, item: ExportItem, file: string): string {
  if (item.kind === 'jira-issue') return issueText(ctx, item, file, false);
  return pageMarkdown(pageStorage(ctx, item, file, false), item.spaceKey, item.title, ctx.links.resolver(item, file, false));
}

/** The line under an item's title: where it comes from and how new it is. */
export function metaText(item: ExportItem, long = true): string {
  const when = item.updatedAt ? ` · ${long ? item.updatedAt : item.updatedAt.slice(0, 10)}` : '';
  return item.kind === 'jira-issue' ? `Jira ${item.spaceKey} · ${item.issueStatus ?? ''}${when}` : `Space ${item.spaceKey} · version ${item.version}${when}`;
}

/** Writes a bundle file (relative POSIX path) atomically. */
export function writeBundleFile(stage: string, rel: string, data: string | Buffer): number {
  const file = join(stage, ...rel.split('/'));
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomicSync(file, data);
  return Buffer.byteLength(data);
}

/** Depth of each item in the exported tree (parents not exported count as roots). */
export function depths(items: readonly ExportItem[]): Map<string, number> {
  const ids = new Map(items.map((i) => [i.id, i]));
  const out = new Map<string, number>();
  const depth = (it: ExportItem, guard = 0): number => {
    const known = out.get(it.id);
    if (known !== undefined) return known;
    const parent = it.parentId ? ids.get(it.parentId) : undefined;
    const d = parent && guard < 200 ? depth(parent, guard + 1) + 1 : 0;
    out.set(it.id, d);
    return d;
  };
  for (const it of items) depth(it);
  return out;
}

/** "12 pages" or "12 pages, 5 Jira issues". */
export function countText(items: readonly ExportItem[]): string {
  const issues = items.filter((i) => i.kind === 'jira-issue').length;
  const pages = items.length - issues;
  return issues ? `${pages} pages, ${issues} Jira issue${issues === 1 ? '' : 's'}` : `${pages} pages`;
}
