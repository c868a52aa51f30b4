/** Links between pages and to attachments, as relative paths between local files (for the Markdown format). */
import { createHash } from 'node:crypto';
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

/** The most storage (characters) the conversion memo of a space holds at once. */
export const CONVERSION_CHARS = 16 * 1024 * 1024;

export class SpaceLinks {
  private readonly byTitle = new Map<string, string>();
  /** path → title (the PageRef is made when asked for: one object less per page of a large space). */
  private readonly byPath = new Map<string, string>();
  private pending: (() => Iterable<readonly [title: string, path: string]>) | undefined;
  /** Conversions made with this table of links, by a hash of what was converted (emptied when a page is added). */
  private readonly conversions = new Map<string, { made: unknown; chars: number }>();
  /** Characters of storage the memo holds (see CONVERSION_CHARS). */
  private convertedChars = 0;

  constructor(readonly spaceKey: string) {}

  /** Links whose table is built on first use from `source` (formats that never resolve links never pay for it). */
  static lazy(spaceKey: string, source: () => Iterable<readonly [title: string, path: string]>): SpaceLinks {
    const links = new SpaceLinks(spaceKey);
    links.pending = source;
    return links;
  }

  add(title: string, path: string): void {
    if (this.conversions.size) this.conversions.clear();
    this.convertedChars = 0;
    this.byTitle.set(title, path);
    this.byPath.set(path, title);
  }

  private ready(): void {
    const source = this.pending;
    if (!source) return;
    this.pending = undefined;
    for (const [title, path] of source()) this.add(title, path);
  }

  /** `convert()` of `kind` for the body of the page at `path` titled `title`; its second call with the same four (while the links stay the same) reuses it. */
  cachedConversion<T>(kind: string, path: string, title: string, body: string, convert: () => T): T {
    const key = createHash('sha256').update(kind).update('\0').update(path).update('\0').update(title).update('\0').update(body).digest('base64');
    const kept = this.conversions.get(key);
    // Planning converts each base once and sending uses it again: a conversion is kept for one reuse, so the memo
    // never holds more than the bases planned and not sent yet — and never more than CONVERSION_CHARS of storage
    // (many big edited pages convert again when sent instead of all being held from planning to sending).
    if (kept !== undefined) {
      this.conversions.delete(key);
      this.convertedChars -= kept.chars;
      return kept.made as T;
    }
    const made = convert();
    const chars = typeof made === 'string' ? made.length : typeof (made as { text?: unknown }).text === 'string' ? (made as { text: string }).text.length : 0;
    if (this.convertedChars + chars <= CONVERSION_CHARS) {
      this.conversions.set(key, { made, chars });
      this.convertedChars += chars;
    }
    return made;
  }

  /**
   * A resolver that also collects the workspace paths of page files (ending in `ext`, inside `content/`) that a
   * relative link names but that are no pages: the links written as plain links for now.
   */
  recordingResolverFor(pagePath: string, ext: string): { resolver: LinkResolver; unresolved: Set<string> } {
    const inner = this.resolverFor(pagePath);
    const dir = posix.dirname(pagePath);
    const unresolved = new Set<string>();
    const resolver: LinkResolver = {
      ...inner,
      pageForPath: (relative) => {
        const found = inner.pageForPath(relative);
        if (found) return found;
        let decoded: string;
        try {
          decoded = decodeURI(relative);
        } catch {
          return undefined;
        }
        const target = posix.normalize(posix.join(dir, decoded));
        if (target.startsWith('content/') && target.endsWith(ext) && target !== pagePath) unresolved.add(target);
        return undefined;
      },
    };
    // A link tried as a page first, then found to be an attachment, is no unresolved page link.
    const attachmentForPath = inner.attachmentForPath;
    resolver.attachmentForPath = (relative) => {
      const file = attachmentForPath(relative);
      if (file !== undefined) {
        try {
          unresolved.delete(posix.normalize(posix.join(dir, decodeURI(relative))));
        } catch {
          // not a URI: never recorded
        }
      }
      return file;
    };
    return { resolver, unresolved };
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
