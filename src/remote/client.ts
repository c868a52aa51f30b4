/**
 * The Confluence client for one site: implements ConfluenceApi (src/core/remote-types.ts) plus the extras sync,
 * export and the daemon need. All requests share one Transport: one limiter, one breaker, one set of counters.
 */
import { CsyncError } from '../core/errors.js';
import type {
  ConfluenceApi,
  CqlResult,
  CreatePageInput,
  ListOptions,
  RemoteAttachment,
  RemotePage,
  RemoteSpace,
  RemoteVersion,
  UpdatePageInput,
  UploadAttachmentInput,
} from '../core/remote-types.js';
import * as attachments from './attachments.js';
import type { BreakerSnapshot } from './breaker.js';
import type { LimiterSnapshot } from './limiter.js';
import * as content from './content.js';
import * as dc from './dc.js';
import { normalizeOptions, type ClientOptions } from './options.js';
import * as pages from './pages.js';
import type { LongTaskStatus } from './schemas.js';
import { resolveSiteUrls, type SiteUrls } from './site-url.js';
import type { ClientStatsSnapshot } from './stats.js';
import { Transport } from './transport.js';

export interface ConfluenceClient extends ConfluenceApi {
  readonly site: SiteUrls;
  listSpaces(): AsyncIterable<RemoteSpace>;
  getPage(id: string, options?: { body?: boolean; labels?: boolean; status?: string }): Promise<RemotePage | null>;
  /** An earlier version of a page with its body (Cloud; absent on Data Center). */
  getPageVersion?: ((id: string, version: number) => Promise<RemotePage | null>) | undefined;
  getChildren(id: string, options?: { bodies?: boolean }): AsyncIterable<RemotePage>;
  getDescendants(id: string, options?: { depth?: number; bodies?: boolean }): AsyncIterable<RemotePage>;
  findPageByTitle(spaceId: string, title: string): Promise<RemotePage | undefined>;
  /** Moves a page under `targetId` (v1 move: no new version of the body). */
  movePage(id: string, targetId: string, position?: 'append' | 'before' | 'after'): Promise<void>;
  restorePage(id: string): Promise<RemotePage>;
  /** Deletes a trashed page for good. */
  purgePage(id: string): Promise<void>;
  getVersions(id: string): AsyncIterable<RemoteVersion>;
  /**
   * pageId → label names for every labelled page of the space; `pagesOf`: the pages of those labels whole (with
   * bodies if asked), from the same listings (Cloud; Data Center gives none: the caller fetches them by id).
   */
  listSpaceLabels(spaceId: string, pagesOf?: content.SpaceLabelPages): Promise<Map<string, string[]>>;
  /** Every attachment in the space (CQL listing). */
  listSpaceAttachments(spaceKey: string): AsyncIterable<RemoteAttachment>;
  findAttachment(pageId: string, fileName: string): Promise<RemoteAttachment | undefined>;
  downloadAttachment(attachment: RemoteAttachment, destPath: string, version?: number): Promise<{ bytes: number; sha256: string }>;
  deleteAttachment(id: string, purge?: boolean): Promise<void>;
  searchCql(cql: string, options?: { limit?: number; expand?: string }): AsyncIterable<CqlResult>;
  longtask(id: string): Promise<LongTaskStatus>;
  currentUser(): Promise<content.CurrentUser>;
  spaceOperations(spaceId: string): Promise<Array<{ operation: string; targetType: string | undefined }>>;
  stats(): ClientStatsSnapshot;
  breakerState(): BreakerSnapshot;
  /** The rate limiter: its store (local, redis, or fallback while Redis is unreachable), pace and pause. */
  rateLimiter(): LimiterSnapshot;
  /** Rate-limit headers from the latest answer that had any (for the doctor). */
  lastRateLimitHeaders(): Record<string, string>;
  /** Server clock minus local clock from the last Date header, ms (undefined before any answer). */
  clockSkewMs(): number | undefined;
  /** Stops queued requests and closes sockets. */
  close(): Promise<void>;
}

export function createConfluenceClient(input: ClientOptions): ConfluenceClient {
  const options = normalizeOptions(input);
  const site = resolveSiteUrls(options.baseUrl, options.allowInsecureHttp, options.flavour);
  const t = new Transport(options, site);
  const common = {
    site,
    getSpaceByKey: (key) => pages.getSpaceByKey(t, key),
    listSpaces: () => pages.listSpaces(t),
    listPages: (spaceId, o?: ListOptions) => pages.listPages(t, spaceId, o),
    getPagesByIds: (ids, o?: ListOptions) => pages.getPagesByIds(t, ids, o),
    getPage: (id, o) => pages.getPage(t, id, o),
    getPageVersion: (id: string, version: number) => pages.getPageVersion(t, id, version),
    getChildren: (id, o) => pages.getChildren(t, id, o),
    getDescendants: (id, o) => pages.getDescendants(t, id, o),
    getAncestors: (id) => pages.getAncestors(t, id),
    findPageByTitle: (spaceId, title) => pages.findPageByTitle(t, spaceId, title),
    createPage: (i: CreatePageInput) => pages.createPage(t, i),
    updatePage: (i: UpdatePageInput) => pages.updatePage(t, i),
    movePage: (id, targetId, position) => pages.movePage(t, id, targetId, position),
    deletePage: (id) => pages.deletePage(t, id, false),
    purgePage: (id) => pages.deletePage(t, id, true),
    restorePage: (id) => pages.restorePage(t, id),
    getVersions: (id) => pages.getVersions(t, id),
    getLabels: (pageId) => content.getLabels(t, pageId),
    addLabels: (pageId, labels) => content.addLabels(t, pageId, labels),
    removeLabel: (pageId, label) => content.removeLabel(t, pageId, label),
    listSpaceLabels: (spaceId, pagesOf) => content.listSpaceLabels(t, spaceId, pagesOf),
    listAttachments: (pageId) => attachments.listAttachments(t, pageId),
    listSpaceAttachments: (spaceKey) => attachments.listSpaceAttachments(t, spaceKey),
    findAttachment: (pageId, fileName) => attachments.findAttachment(t, pageId, fileName),
    uploadAttachment: (i: UploadAttachmentInput) => attachments.uploadAttachment(t, i),
    downloadAttachment: (a, dest, version) => attachments.downloadAttachment(t, a, dest, version),
    deleteAttachment: (id, purge) => attachments.deleteAttachment(t, id, purge),
    searchCql: (cql, o) => content.searchCql(t, cql, o),
    longtask: (id) => content.getLongTask(t, id),
    currentUser: () => content.getCurrentUser(t),
    spaceOperations: (spaceId) => content.getSpaceOperations(t, spaceId),
    stats: () => {
      const b = t.breaker.snapshot();
      return t.stats.snapshot({ state: b.state, opens: b.opens, consecutiveFailures: b.consecutiveFailures });
    },
    breakerState: () => t.breaker.snapshot(),
    rateLimiter: () => t.rateLimiter.snapshot(),
    lastRateLimitHeaders: () => ({ ...t.lastRateHeaders }),
    clockSkewMs: () => t.lastClockSkewMs,
    close: () => t.close(),
  } satisfies ConfluenceClient;
  if (site.flavour === 'cloud') return common;
  // Data Center has no v2 API: the same interface over v1 content endpoints (space ids are space keys there).
  const find = (pageId: string, fileName: string) => dc.dcFindAttachment(t, pageId, fileName);
  return {
    ...common,
    getSpaceByKey: (key) => dc.dcGetSpaceByKey(t, key),
    listPages: (spaceKey, o?: ListOptions) => dc.dcListPages(t, spaceKey, o),
    getPagesByIds: (ids, o?: ListOptions) => dc.dcGetPagesByIds(t, ids, o),
    getPage: (id, o) => dc.dcGetPage(t, id, o),
    getPageVersion: undefined,
    getChildren: (id, o) => dc.dcGetChildren(t, id, o),
    getAncestors: (id) => dc.dcGetAncestors(t, id),
    createPage: (i: CreatePageInput) => dc.dcCreatePage(t, i),
    updatePage: (i: UpdatePageInput) => dc.dcUpdatePage(t, i),
    deletePage: (id) => dc.dcDeletePage(t, id, false),
    purgePage: (id) => dc.dcDeletePage(t, id, true),
    restorePage: (id) => dc.dcRestorePage(t, id),
    getLabels: (pageId) => dc.dcGetLabels(t, pageId),
    listSpaceLabels: (spaceKey) => dc.dcListSpaceLabels(t, spaceKey),
    listAttachments: (pageId) => dc.dcListAttachments(t, pageId),
    findAttachment: find,
    uploadAttachment: (i: UploadAttachmentInput) => attachments.uploadAttachment(t, i, find),
    deleteAttachment: (id) => dc.dcDeleteAttachment(t, id),
    getDescendants: () => notOnDataCenter('getDescendants'),
    getVersions: () => notOnDataCenter('getVersions'),
    listSpaces: () => notOnDataCenter('listSpaces'),
    findPageByTitle: () => Promise.reject(notOnDataCenterError('findPageByTitle')),
    spaceOperations: () => Promise.reject(notOnDataCenterError('spaceOperations')),
  };
}

function notOnDataCenterError(op: string): CsyncError {
  return new CsyncError('CSYNC_NOT_IMPLEMENTED', `${op} is not available for Data Center sites in this version`, { hint: 'use a Cloud site, or list the pages with listPages / getChildren' });
}

async function* notOnDataCenter(op: string): AsyncGenerator<never> {
  yield* [];
  throw notOnDataCenterError(op);
}
