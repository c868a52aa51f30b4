/** Links between pages and to attachments, as relative paths between local files (for the Markdown format). */
import { posix } from 'node:path';
import { safeName } from '../core/file-names.js';
import type { LinkResolver } from '../format/types.js';

export function attachmentDir(pagePath: string): string {
  // content/SPACE/a/b.md → attachments/SPACE/a/b
  return `attachments/${pagePath.slice('content/'.length).replace(/\.[^./]+$/, '')}`;
}

export function attachmentPath(pagePath: string, fileName: string): string {
  return `${attachmentDir(pagePath)}/${safeName(fileName)}`;
}

export class SpaceLinks {
  private readonly byTitle = new Map<string, string>();
  /** path → title (the PageRef is made when asked for: one object less per page of a large space). */
  private readonly byPath = new Map<string, string>();
  private pending: (() => Iterable<readonly [title: string, path: string]>) | undefined;

  constructor(readonly spaceKey: string) {}

  /** Links whose table is built on first use from `source` (formats that never resolve links never pay for it). */
  static lazy(spaceKey: string, source: () => Iterable<readonly [title: string, path: string]>): SpaceLinks {
    const links = new SpaceLinks(spaceKey);
    links.pending = source;
    return links;
  }

  add(title: string, path: string): void {
    this.byTitle.set(title, path);
    this.byPath.set(path, title);
  }

  private ready(): void {
    const source = this.pending;
    if (!source) return;
    this.pending = undefined;
    for (const [title, path] of source()) this.add(title, path);
  }

  resolverFor(pagePath: string): LinkResolver {
    const dir = posix.dirname(pagePath);
    const rel = (target: string) => posix.relative(dir, target);
    const attDir = attachmentDir(pagePath);
    return {
      pathForPage: (ref) => {
        if (ref.spaceKey && ref.spaceKey !== this.spaceKey) return undefined;
        this.ready();
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
        this.ready();
        const title = this.byPath.get(posix.normalize(posix.join(dir, decoded)));
        return title === undefined ? undefined : { spaceKey: this.spaceKey, title };
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
