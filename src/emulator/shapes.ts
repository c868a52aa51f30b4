/** JSON shapes of Confluence's answers (v2 and v1), as the OpenAPI documents define them. */
import { fromStorage } from './representations.js';
import type { Store, StoredAttachment, StoredPage, StoredSpace, StoredVersion } from './store.js';

/** A v2 body object in one representation, made from the storage body (atlas_doc_format, view, … converted). */
export function v2Body(format: string, storage: string): Record<string, { representation: string; value: string }> {
  return { [format]: { representation: format, value: fromStorage(format, storage) } };
}

export function v2Version(v: StoredVersion) {
  return { createdAt: v.createdAt, message: v.message, number: v.number, minorEdit: v.minorEdit, authorId: v.authorId };
}

export function webui(store: Store, page: StoredPage): string {
  const key = store.spaces.get(page.spaceId)?.key ?? '';
  return `/spaces/${key}/pages/${page.id}/${encodeURIComponent(page.title.replace(/ /g, '+'))}`;
}

/** Counts every page body put on the wire (tests check nothing is downloaded twice). */
function servedBody(store: Store, page: StoredPage): string {
  store.bodiesServed++;
  return store.bodyOf(page);
}

/** `body`: true for storage, or the representation asked for with `body-format` (converted from storage). */
export function v2Page(store: Store, page: StoredPage, opts: { body?: boolean | string; labels?: boolean } = {}) {
  return {
    id: page.id,
    status: page.status,
    title: page.title,
    spaceId: page.spaceId,
    // The spec types parentId/parentType as strings (not nullable): a top-level page has neither.
    ...(page.parentId ? { parentId: page.parentId, parentType: 'page' } : {}),
    position: page.position,
    authorId: page.authorId,
    ownerId: page.authorId,
    lastOwnerId: null,
    createdAt: page.createdAt,
    version: v2Version(page.version),
    body: opts.body ? v2Body(opts.body === true ? 'storage' : opts.body, servedBody(store, page)) : {},
    ...(opts.labels
      ? { labels: { results: page.labels.map((name) => ({ id: store.labelId(name), name, prefix: 'global' })), meta: { hasMore: false, cursor: '' }, _links: {} } }
      : {}),
    _links: { webui: webui(store, page), editui: `/pages/resumedraft.action?draftId=${page.id}`, tinyui: `/x/${Buffer.from(page.id).toString('base64url')}` },
  };
}

export function v2Space(space: StoredSpace) {
  return {
    id: space.id,
    key: space.key,
    name: space.name,
    type: 'global',
    status: 'current',
    authorId: '5b10ac8d82e05b22cc7d4ef5',
    createdAt: space.createdAt,
    homepageId: space.homepageId,
    // description and icon are objects in the spec (not nullable) and only sent when asked for: left out here.
    _links: { webui: `/spaces/${space.key}` },
  };
}

export function downloadPath(a: StoredAttachment): string {
  return `/download/attachments/${a.pageId}/${encodeURIComponent(a.title)}?version=${a.version}&modificationDate=${Date.parse(a.createdAt)}&api=v2`;
}

export function v2Attachment(a: StoredAttachment) {
  return {
    id: a.id,
    status: a.status,
    title: a.title,
    createdAt: a.createdAt,
    pageId: a.pageId,
    mediaType: a.mediaType,
    mediaTypeDescription: a.mediaType,
    comment: a.comment,
    fileId: a.fileId,
    fileSize: a.data.length,
    webuiLink: `/pages/viewpageattachments.action?pageId=${a.pageId}&preview=${encodeURIComponent('/' + a.pageId + '/' + a.title)}`,
    downloadLink: downloadPath(a),
    version: { createdAt: a.createdAt, message: a.comment, number: a.version, minorEdit: false, authorId: a.authorId },
    _links: { webui: `/pages/viewpageattachments.action?pageId=${a.pageId}`, download: downloadPath(a) },
  };
}

export function v1Attachment(store: Store, a: StoredAttachment) {
  const page = store.pages.get(a.pageId);
  return {
    id: a.id,
    type: 'attachment',
    status: a.status,
    title: a.title,
    version: { number: a.version, when: a.createdAt, minorEdit: false, by: { type: 'known', accountId: a.authorId } },
    container: page ? { id: page.id, type: 'page', status: page.status, title: page.title } : undefined,
    metadata: { mediaType: a.mediaType, comment: a.comment },
    extensions: { mediaType: a.mediaType, fileSize: a.data.length, comment: a.comment, fileId: a.fileId },
    _links: { download: downloadPath(a), webui: `/pages/viewpageattachments.action?pageId=${a.pageId}`, self: `/wiki/rest/api/content/${a.id}` },
  };
}

export function v1Content(store: Store, page: StoredPage) {
  const space = store.spaces.get(page.spaceId);
  return {
    id: page.id,
    type: 'page',
    status: page.status,
    title: page.title,
    space: space ? { key: space.key, name: space.name, type: 'global' } : undefined,
    version: { number: page.version.number, when: page.version.createdAt, minorEdit: page.version.minorEdit, message: page.version.message, by: { type: 'known', accountId: page.version.authorId } },
    history: { latest: true, createdDate: page.createdAt, lastUpdated: { when: page.version.createdAt } },
    _links: { webui: webui(store, page), self: `/wiki/rest/api/content/${page.id}` },
  };
}

/** Atlassian's v2 error envelope. */
export function v2Error(status: number, code: string, title: string, detail: string | null = null) {
  return { errors: [{ status, code, title, detail }] };
}

/** Atlassian's v1 error body. */
export function v1Error(statusCode: number, message: string) {
  return { statusCode, data: { authorized: statusCode !== 401 && statusCode !== 403, valid: false, errors: [], successful: false }, message, reason: message };
}
