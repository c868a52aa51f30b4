/**
 * Data Center flavour: DC has no v2 API, so pages, spaces, trees and attachment listings use the v1 content API
 * (`<context>/rest/api/content…`). Spaces are identified by key on DC: RemoteSpace.id and RemotePage.spaceId hold the
 * space key, which is what v1 writes need. Labels, uploads, CQL and long tasks are v1 on both flavours.
 */
import { z } from 'zod';
import { RemoteError } from '../core/errors.js';
import type { CreatePageInput, ListOptions, RemoteAttachment, RemotePage, RemoteSpace, UpdatePageInput } from '../core/remote-types.js';
import { chunk, paginate } from './paginate.js';
import { jsonOf, links } from './schemas.js';
import type { Transport } from './transport.js';

const enc = encodeURIComponent;
/** DC caps expanded content listings lower than Cloud's 250. */
export const DC_LIMIT = 100;
const PAGE_EXPAND = 'version,space,ancestors';

const v1Page = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  type: z.string().optional(),
  status: z.string(),
  title: z.string(),
  space: z.object({ key: z.string() }).nullish(),
  version: z.object({ number: z.number().int(), message: z.string().nullish(), minorEdit: z.boolean().nullish(), when: z.string().nullish() }),
  ancestors: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String) })).nullish(),
  body: z.object({ storage: z.object({ value: z.string() }).nullish() }).partial().nullish(),
  extensions: z.object({ position: z.union([z.number(), z.string()]).nullish() }).partial().nullish(),
  metadata: z.object({ labels: z.object({ results: z.array(z.object({ name: z.string() })) }).nullish() }).partial().nullish(),
});
const v1PageList = z.object({ results: z.array(v1Page), _links: links });

function toPage(p: z.infer<typeof v1Page>, fallbackSpace = ''): RemotePage {
  const ancestors = p.ancestors ?? [];
  const page: RemotePage = {
    id: p.id,
    status: p.status,
    title: p.title,
    spaceId: p.space?.key ?? fallbackSpace,
    parentId: ancestors.length ? ancestors[ancestors.length - 1]!.id : null,
    version: { number: p.version.number, message: p.version.message ?? undefined, minorEdit: p.version.minorEdit ?? undefined, createdAt: p.version.when ?? undefined },
  };
  const pos = p.extensions?.position;
  if (typeof pos === 'number') page.position = pos;
  if (p.body?.storage?.value !== undefined) page.body = p.body.storage.value;
  if (p.metadata?.labels) page.labels = p.metadata.labels.results.map((l) => l.name);
  return page;
}

const expandFor = (bodies?: boolean, labels?: boolean): string => [PAGE_EXPAND, bodies ? 'body.storage' : '', labels ? 'metadata.labels' : ''].filter(Boolean).join(',');

export async function dcGetSpaceByKey(t: Transport, key: string): Promise<RemoteSpace> {
  const space = z.object({ key: z.string(), name: z.string(), homepage: z.object({ id: z.union([z.string(), z.number()]).transform(String) }).nullish() });
  const s = await t
    .send({ op: 'spaces.getByKey', method: 'GET', url: `${t.site.v1}/space/${enc(key)}`, query: { expand: 'homepage' }, idempotent: true }, { parse: jsonOf(space) })
    .catch((err: unknown) => {
      if (!(err instanceof RemoteError) || err.code !== 'CSYNC_NOT_FOUND') throw err;
      throw new RemoteError('CSYNC_NOT_FOUND', `space ${key} not found`, { method: err.method, path: err.path, status: err.status }, {
        hint: 'check the space key (it is case-sensitive, e.g. DOC) and that your account may view that space',
      });
    });
  return { id: s.key, key: s.key, name: s.name, homepageId: s.homepage?.id ?? null };
}

export async function* dcListPages(t: Transport, spaceKey: string, options?: ListOptions): AsyncGenerator<RemotePage> {
  const query = { spaceKey, type: 'page', status: 'current', limit: Math.min(DC_LIMIT, options?.limit ?? DC_LIMIT), expand: expandFor(options?.bodies) };
  for await (const p of paginate(t, { op: 'pages.list', method: 'GET', url: `${t.site.v1}/content`, query, idempotent: true }, v1PageList)) yield toPage(p, spaceKey);
}

/** Bulk by id through CQL (`id in (…)`), DC_LIMIT ids per request. */
export async function* dcGetPagesByIds(t: Transport, ids: readonly string[], options?: ListOptions): AsyncGenerator<RemotePage> {
  for (const group of chunk([...new Set(ids)].filter((id) => /^\d+$/.test(id)), DC_LIMIT)) {
    const query = { cql: `id in (${group.join(',')})`, limit: DC_LIMIT, expand: expandFor(options?.bodies) };
    const byId = new Map<string, RemotePage>();
    for await (const p of paginate(t, { op: 'pages.bulk', method: 'GET', url: `${t.site.v1}/content/search`, query, idempotent: true }, v1PageList)) byId.set(p.id, toPage(p));
    for (const id of group) {
      const p = byId.get(id);
      if (p) yield p;
    }
  }
}

export async function dcGetPage(t: Transport, id: string, options?: { body?: boolean; labels?: boolean; status?: string }): Promise<RemotePage | null> {
  const parse = jsonOf(v1Page);
  return t.send(
    { op: 'pages.get', method: 'GET', url: `${t.site.v1}/content/${enc(id)}`, query: { expand: expandFor(options?.body, options?.labels), status: options?.status }, idempotent: true },
    { accept: [404], parse: (a) => (a.status === 404 ? null : toPage(parse(a))) },
  );
}

export async function* dcGetChildren(t: Transport, id: string, options?: { bodies?: boolean }): AsyncGenerator<RemotePage> {
  const query = { limit: DC_LIMIT, expand: expandFor(options?.bodies) };
  for await (const p of paginate(t, { op: 'pages.children', method: 'GET', url: `${t.site.v1}/content/${enc(id)}/child/page`, query, idempotent: true }, v1PageList)) yield toPage(p);
}

export async function dcGetAncestors(t: Transport, id: string): Promise<RemotePage[]> {
  const parse = jsonOf(v1Page);
  const page = await t.send({ op: 'pages.ancestors', method: 'GET', url: `${t.site.v1}/content/${enc(id)}`, query: { expand: 'ancestors' }, idempotent: true }, { parse });
  const ids = (page.ancestors ?? []).map((a) => a.id);
  const out: RemotePage[] = [];
  for await (const p of dcGetPagesByIds(t, ids)) out.push(p);
  return out;
}

async function dcFindByTitle(t: Transport, spaceKey: string, title: string): Promise<RemotePage | undefined> {
  const query = { spaceKey, title, type: 'page', expand: PAGE_EXPAND, limit: 10 };
  for await (const p of paginate(t, { op: 'pages.findByTitle', method: 'GET', url: `${t.site.v1}/content`, query, idempotent: true }, v1PageList)) {
    if (p.title === title) return toPage(p, spaceKey);
  }
  return undefined;
}

export async function dcCreatePage(t: Transport, input: CreatePageInput): Promise<RemotePage> {
  const json = {
    type: 'page',
    status: 'current',
    title: input.title,
    space: { key: input.spaceId },
    ...(input.parentId ? { ancestors: [{ id: input.parentId }] } : {}),
    body: { storage: { value: input.body, representation: 'storage' } },
  };
  const parse = jsonOf(v1Page);
  return t.send(
    { op: 'pages.create', method: 'POST', url: `${t.site.v1}/content`, json, idempotent: false },
    {
      parse: (a) => toPage(parse(a), input.spaceId),
      verify: async () => {
        const found = await dcFindByTitle(t, input.spaceId, input.title);
        return found && (!input.parentId || found.parentId === input.parentId) ? found : undefined;
      },
    },
  );
}

export async function dcUpdatePage(t: Transport, input: UpdatePageInput): Promise<RemotePage> {
  const json = {
    id: input.id,
    type: 'page',
    status: input.status ?? 'current',
    title: input.title,
    ...(input.parentId ? { ancestors: [{ id: input.parentId }] } : {}),
    body: { storage: { value: input.body, representation: 'storage' } },
    version: { number: input.version, minorEdit: input.minorEdit ?? false, ...(input.message !== undefined ? { message: input.message } : {}) },
  };
  const parse = jsonOf(v1Page);
  return t.send(
    { op: 'pages.update', method: 'PUT', url: `${t.site.v1}/content/${enc(input.id)}`, json, idempotent: false },
    {
      parse: (a) => toPage(parse(a)),
      verify: async () => {
        const now = await dcGetPage(t, input.id, { body: true });
        return now && now.version.number === input.version && now.title === input.title ? now : undefined;
      },
    },
  );
}

export async function dcDeletePage(t: Transport, id: string, purge: boolean): Promise<void> {
  await t.send(
    { op: purge ? 'pages.purge' : 'pages.delete', method: 'DELETE', url: `${t.site.v1}/content/${enc(id)}`, query: { status: purge ? 'trashed' : undefined }, idempotent: true, notFoundMeansDone: true },
    { parse: () => undefined },
  );
}

export async function dcRestorePage(t: Transport, id: string): Promise<RemotePage> {
  const trashed = await dcGetPage(t, id, { body: true, status: 'trashed' });
  if (!trashed) throw new RemoteError('CSYNC_NOT_FOUND', `page ${id} is not in the trash`, { method: 'GET', path: `/rest/api/content/${id}`, status: 404 }, { hint: 'it may have been purged or restored already' });
  if (trashed.status === 'current') return trashed;
  return dcUpdatePage(t, { id, title: trashed.title, body: trashed.body ?? '', version: trashed.version.number + 1, status: 'current' });
}

export async function dcGetLabels(t: Transport, pageId: string): Promise<string[]> {
  const list = z.object({ results: z.array(z.object({ name: z.string() })), _links: links });
  const names: string[] = [];
  for await (const l of paginate(t, { op: 'labels.get', method: 'GET', url: `${t.site.v1}/content/${enc(pageId)}/label`, query: { limit: 200 }, idempotent: true }, list)) names.push(l.name);
  return names;
}

const v1Att = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  title: z.string(),
  version: z.object({ number: z.number().int() }).nullish(),
  extensions: z.object({ mediaType: z.string().nullish(), fileSize: z.number().nullish(), comment: z.string().nullish() }).partial().nullish(),
  metadata: z.object({ mediaType: z.string().nullish(), comment: z.string().nullish() }).partial().nullish(),
});

export async function* dcListAttachments(t: Transport, pageId: string, filename?: string): AsyncGenerator<RemoteAttachment> {
  const query = { limit: DC_LIMIT, expand: 'version', filename };
  for await (const a of paginate(t, { op: 'attachments.list', method: 'GET', url: `${t.site.v1}/content/${enc(pageId)}/child/attachment`, query, idempotent: true }, z.object({ results: z.array(v1Att), _links: links }))) {
    yield {
      id: a.id,
      pageId,
      title: a.title,
      mediaType: a.extensions?.mediaType ?? a.metadata?.mediaType ?? 'application/octet-stream',
      fileSize: a.extensions?.fileSize ?? 0,
      version: a.version?.number ?? 1,
      comment: a.extensions?.comment ?? a.metadata?.comment ?? undefined,
    };
  }
}

export async function dcDeleteAttachment(t: Transport, id: string): Promise<void> {
  await t.send({ op: 'attachments.delete', method: 'DELETE', url: `${t.site.v1}/content/${enc(id)}`, idempotent: true, notFoundMeansDone: true }, { parse: () => undefined });
}

export async function dcFindAttachment(t: Transport, pageId: string, fileName: string): Promise<RemoteAttachment | undefined> {
  for await (const a of dcListAttachments(t, pageId, fileName)) if (a.title === fileName) return a;
  return undefined;
}

/** Labels of a whole space on DC: one CQL listing of all its pages with metadata.labels, DC_LIMIT per request. */
export async function dcListSpaceLabels(t: Transport, spaceKey: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const query = { cql: `type=page and space="${spaceKey.replace(/"/g, '\\"')}"`, limit: DC_LIMIT, expand: 'metadata.labels' };
  const item = z.object({ id: z.union([z.string(), z.number()]).transform(String), metadata: z.object({ labels: z.object({ results: z.array(z.object({ name: z.string() })) }).nullish() }).partial().nullish() });
  for await (const p of paginate(t, { op: 'labels.listSpace', method: 'GET', url: `${t.site.v1}/content/search`, query, idempotent: true }, z.object({ results: z.array(item), _links: links }))) {
    const names = p.metadata?.labels?.results.map((l) => l.name) ?? [];
    if (names.length) out.set(p.id, names);
  }
  return out;
}
