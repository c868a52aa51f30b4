/** Links between pages and to attachments, as relative paths between local files (for the Markdown format). */
import { posix } from 'node:path';
import { safeName } from '../core/file-names.js';
import type { LinkResolver, PageRef } from '../format/types.js';

export function attachmentDir(pagePath: string): string {
  // content/SPACE/a/b.md → attachments/SPACE/a/b
  return `attachments/${pagePath.slice('content/'.length).replace(/\.[^./]+$/, '')}`;
}

export function attachmentPath(pagePath: string, fileName: string): string {
  return `${attachmentDir(pagePath)}/${safeName(fileName)}`;
}

export class SpaceLinks {
  private readonly byTitle = new Map<string, string>();
  private readonly byPath = new Map<string, PageRef>();

  constructor(readonly spaceKey: string) {}

  add(title: string, path: string): void {
    this.byTitle.set(title, path);
    this.byPath.set(path, { spaceKey: this.spaceKey, title });
  }

  resolverFor(pagePath: string): LinkResolver {
    const dir = posix.dirname(pagePath);
    const rel = (target: string) => posix.relative(dir, target);
    const attDir = attachmentDir(pagePath);
    return {
      pathForPage: (ref) => {
        if (ref.spaceKey && ref.spaceKey !== this.spaceKey) return undefined;
        const p = this.byTitle.get(ref.title);
        return p ? encodeURI(rel(p)) : undefined;
      },
      pageForPath: (relative) => {
        let decoded: string;
        try {
          decoded = decodeURI(relative);
        } catch {
          return undefined;
        }
        return this.byPath.get(posix.normalize(posix.join(dir, decoded)));
      },
      pathForAttachment: (fileName) => encodeURI(rel(`${attDir}/${safeName(fileName)}`)),
      attachmentForPath: (relative) => {
        let decoded: string;
        try {
          decoded = decodeURI(relative);
        } catch {
          return undefined;
        }
        const abs = posix.normalize(posix.join(dir, decoded));
        return abs.startsWith(`${attDir}/`) && !abs.slice(attDir.length + 1).includes('/') ? abs.slice(attDir.length + 1) : undefined;
      },
    };
  }
}
