/**
 * Attachments of the exported pages: listed once per space (one CQL listing, 250 per request), downloaded into the
 * cache by attachment id + version (never twice), copied into the bundle under attachments/<page id>/<safe name>.
 * The listing is checkpointed in the job folder, so a resumed job does not list again.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { RemoteAttachment } from '../core/remote-types.js';
import type { ConfluenceClient } from '../remote/index.js';
import type { ExportCache } from './cache.js';
import { attachmentFileOf } from './links.js';
import type { ExportItem } from './types.js';

export async function listAttachments(api: ConfluenceClient, items: readonly ExportItem[], checkpoint: string): Promise<RemoteAttachment[]> {
  try {
    return JSON.parse(readFileSync(checkpoint, 'utf8')) as RemoteAttachment[];
  } catch {
    // not listed yet
  }
  const pages = new Set(items.map((i) => i.id));
  const out: RemoteAttachment[] = [];
  for (const space of new Set(items.map((i) => i.spaceKey))) {
    for await (const a of api.listSpaceAttachments(space)) if (pages.has(a.pageId)) out.push(a);
  }
  mkdirSync(dirname(checkpoint), { recursive: true });
  writeFileAtomic.sync(checkpoint, JSON.stringify(out));
  return out;
}

/** Downloads what the cache lacks and copies each into the bundle; returns pageId → (file name → bundle path). */
export async function placeAttachments(
  api: ConfluenceClient,
  cache: ExportCache,
  list: readonly RemoteAttachment[],
  stage: string,
  onError: (a: RemoteAttachment, err: unknown) => void,
): Promise<Map<string, Map<string, string>>> {
  const byPage = new Map<string, Map<string, string>>();
  for (const a of list) {
    const cached = cache.filePath(a.id, a.version);
    if (!cached) continue;
    try {
      if (!cache.hasFile(a.id, a.version)) await api.downloadAttachment(a, cached);
      const rel = attachmentFileOf(a.pageId, a.title);
      const dest = join(stage, ...rel.split('/'));
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(cached, dest);
      let m = byPage.get(a.pageId);
      if (!m) byPage.set(a.pageId, (m = new Map()));
      m.set(a.title, rel);
    } catch (err) {
      onError(a, err);
    }
  }
  return byPage;
}
