/**
 * Cursor pagination as async iterators: one page in memory at a time, the next fetched only when the consumer
 * asks for it. Follows `_links.next` (v1 and v2), always against our own site's origin: a next link naming another
 * host is never sent our credentials.
 */
import type { z } from 'zod';
import { RemoteError } from '../core/errors.js';
import { jsonOf, type links } from './schemas.js';
import type { SiteUrls } from './site-url.js';
import type { HttpRequest, Transport } from './transport.js';

/** The API's largest page size (v2 listings and bulk-by-id). */
export const MAX_LIMIT = 250;

/** Resolves a next link: origin-relative (/wiki/api/v2/...), base-relative (/rest/api/... without /wiki) or absolute. */
export function resolveNextLink(site: SiteUrls, next: string): string {
  let path = next;
  if (/^https?:\/\//i.test(next)) {
    const u = new URL(next);
    path = `${u.pathname}${u.search}`;
  }
  if (!path.startsWith('/')) path = `/${path}`;
  const ctx = site.contextPath;
  if (ctx && !path.startsWith(`${ctx}/`) && (path.startsWith('/rest/api') || path.startsWith('/api/v2'))) path = `${ctx}${path}`;
  return `${site.origin}${path}`;
}

type Paged<T> = { results: T[]; _links?: z.infer<typeof links> };

export async function* paginate<T>(
  transport: Transport,
  first: HttpRequest,
  schema: z.ZodType<Paged<T>>,
): AsyncGenerator<T, void, undefined> {
  let req: HttpRequest = first;
  const seen = new Set<string>();
  for (;;) {
    const page = await transport.send(req, { parse: jsonOf(schema) });
    for (const item of page.results) yield item;
    const next = page._links?.next;
    if (!next) return;
    const url = resolveNextLink(transport.site, next);
    if (seen.has(url)) {
      throw new RemoteError('CSYNC_INVALID_RESPONSE', `${first.method} ${new URL(first.url).pathname}: the server sent the same next link twice`, { method: first.method, path: new URL(first.url).pathname }, { hint: 'the listing cursor loops; report this server behaviour' });
    }
    seen.add(url);
    req = { ...first, url, query: undefined };
  }
}

/** Splits ids into chunks of at most `size` (bulk endpoints take up to 250 ids). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
