/** What every renderer gets: the finished items in tree order, their bodies from the cache, links, the stage. */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { CachedBody } from './cache.js';
import type { BundleLinks } from './links.js';
import { pageDoc, pageMarkdown, type PageDoc } from './markdown.js';
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
}

export function docOf(ctx: RenderContext, item: ExportItem, file: string, single: boolean): PageDoc {
  return pageDoc(ctx.body(item).body, item.spaceKey, item.title, ctx.links.resolver(item, file, single));
}

export function markdownOf(ctx: RenderContext, item: ExportItem, file: string): string {
  return pageMarkdown(ctx.body(item).body, item.spaceKey, item.title, ctx.links.resolver(item, file, false));
}

/** Writes a bundle file (relative POSIX path) atomically. */
export function writeBundleFile(stage: string, rel: string, data: string | Buffer): number {
  const file = join(stage, ...rel.split('/'));
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic.sync(file, data, { fsync: false });
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
