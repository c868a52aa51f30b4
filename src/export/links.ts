/**
 * Where each item lives in the bundle, and the link resolver the storage → Markdown converter uses, so links between
 * exported pages and image references point inside the bundle (relative paths), never back to Confluence.
 */
import { posix } from 'node:path';
import { safeName } from '../core/file-names.js';
import type { LinkResolver, PageRef } from '../format/types.js';
import type { ExportItem } from './types.js';

export const MD_DIR = 'markdown';
export const HTML_DIR = 'html';
export const ATTACHMENTS_DIR = 'attachments';
export const JSONL_FILE = 'pages.jsonl';
export const PDF_FILE = 'export.pdf';
export const SINGLE_MD_FILE = `${MD_DIR}/export.md`;

export const mdFileOf = (item: ExportItem): string => `${MD_DIR}/${item.path}.md`;
export const htmlFileOf = (item: ExportItem): string => `${HTML_DIR}/${item.path}.html`;
export const attachmentFileOf = (pageId: string, fileName: string): string => `${ATTACHMENTS_DIR}/${pageId}/${safeName(fileName)}`;
/** The anchor of a page inside one-file outputs (single Markdown file, PDF). */
export const anchorOf = (item: ExportItem): string => `page-${item.id}`;

export function relativeTo(fromFile: string, toFile: string): string {
  const rel = posix.relative(posix.dirname(fromFile), toFile);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export class BundleLinks {
  private readonly byTitle = new Map<string, ExportItem>();
  private readonly byId = new Map<string, ExportItem>();

  constructor(items: readonly ExportItem[]) {
    for (const it of items) {
      // Jira issues are found by key (their id), never taken for a page of the same title.
      if (it.kind === 'page') this.byTitle.set(`${it.spaceKey}\n${it.title}`, it);
      this.byId.set(it.id, it);
    }
  }

  item(id: string): ExportItem | undefined {
    return this.byId.get(id);
  }

  find(ref: PageRef, currentSpace: string): ExportItem | undefined {
    return this.byTitle.get(`${ref.spaceKey ?? currentSpace}\n${ref.title}`);
  }

  /**
   * The converter's resolver for `current`, writing into `file` (its Markdown file, or the single file). In
   * single-file mode links to exported pages become `#page-<id>` anchors.
   */
  resolver(current: ExportItem, file: string, single: boolean): LinkResolver {
    const pageTarget = (it: ExportItem) => (single ? `#${anchorOf(it)}` : relativeTo(file, mdFileOf(it)));
    const attachmentPrefix = relativeTo(file, `${ATTACHMENTS_DIR}/${current.id}/`).replace(/\/?$/, '/');
    return {
      pathForPage: (ref) => {
        const it = this.find(ref, current.spaceKey);
        return it ? pageTarget(it) : undefined;
      },
      pageForPath: (rel) => {
        for (const it of this.byId.values()) if (it.kind === 'page' && pageTarget(it) === rel) return { spaceKey: it.spaceKey, title: it.title };
        return undefined;
      },
      pathForAttachment: (fileName) => relativeTo(file, attachmentFileOf(current.id, fileName)),
      attachmentForPath: (rel) => (rel.startsWith(attachmentPrefix) ? rel.slice(attachmentPrefix.length) : undefined),
    };
  }
}
