/**
 * The order new pages are created in: a folder's page before the pages in it (always), and a page a new page links
 * to before that page wherever the links allow (a cycle is broken at the first page, by depth then name). Links in
 * storage name pages by title and every new page's title is known before the first request, so each body is sent
 * once, complete; the order only lets Confluence find each target already there when a body is saved.
 */
import { posix } from 'node:path';
import { createOrder } from '../../core/push-plan.js';

/** Workspace paths of the page files (ending in `ext`) that the relative links of a Markdown body name. */
export function linkedPaths(pagePath: string, body: string, ext: string): string[] {
  const dir = posix.dirname(pagePath);
  const out = new Set<string>();
  const add = (dest: string) => {
    const path = dest.replace(/[#?].*$/, '');
    if (!path.endsWith(ext) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(path) || path.startsWith('/')) return;
    let decoded = path;
    try {
      decoded = decodeURI(path);
    } catch {
      // kept as written
    }
    out.add(posix.normalize(posix.join(dir, decoded)));
  };
  for (const m of body.matchAll(/\]\(\s*(?:<([^>\n]+)>|([^)\s]+))/g)) add(m[1] ?? m[2] ?? '');
  for (const m of body.matchAll(/^ {0,3}\[[^\]\n]+\]:\s*(?:<([^>\n]+)>|(\S+))/gm)) add(m[1] ?? m[2] ?? '');
  return [...out];
}

/**
 * `linkedPaths` of a text that arrives in pieces (a big new page streamed while planning reads its front matter):
 * each piece is scanned up to its last line break, the rest waits for the next piece, so only the link index is
 * kept, never the text. A link whose `](` and destination are on different lines may be missed when a piece ends
 * between them; the order of creates is a preference (module comment), never needed for the links to be right.
 */
export class LinkScanner {
  private carry = '';
  private readonly found = new Set<string>();
  constructor(
    private readonly pagePath: string,
    private readonly ext: string,
  ) {}

  push(piece: string): void {
    const text = this.carry + piece;
    const nl = text.lastIndexOf('\n');
    // A line longer than 64 Ki characters is scanned as it is: its tail is only kept while it may still grow a link.
    const at = nl >= 0 ? nl + 1 : text.length > 64 * 1024 ? text.length : 0;
    for (const p of linkedPaths(this.pagePath, text.slice(0, at), this.ext)) this.found.add(p);
    this.carry = text.slice(at);
  }

  end(): string[] {
    this.push('\n');
    this.carry = '';
    return [...this.found];
  }
}

export function parentFile(path: string, ext: string): string {
  return `${path.slice(0, path.lastIndexOf('/'))}${ext}`;
}

/** `paths` in create order; `links` gives the page files each one links to. */
export function orderCreates(paths: readonly string[], links: ReadonlyMap<string, readonly string[]>, ext: string): string[] {
  const remaining = [...paths].sort(createOrder);
  const pending = new Set(remaining);
  const out: string[] = [];
  const ready = (p: string, soft: boolean) => !pending.has(parentFile(p, ext)) && (!soft || (links.get(p) ?? []).every((t) => t === p || !pending.has(t)));
  while (remaining.length) {
    let i = remaining.findIndex((p) => ready(p, true));
    if (i < 0) i = remaining.findIndex((p) => ready(p, false));
    if (i < 0) i = 0; // cannot happen: the shallowest remaining page has no pending parent
    const [p] = remaining.splice(i, 1) as [string];
    pending.delete(p);
    out.push(p);
  }
  return out;
}
