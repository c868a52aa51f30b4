/**
 * The narrow interface the sync engine uses to talk to Confluence. src/remote implements it over HTTP (got +
 * Bottleneck + retries + breaker); tests may implement it in memory. Domain shapes only: no HTTP details leak here.
 *
 * Contract rules:
 * - Listings are async iterables that page lazily (constant memory).
 * - Methods throw CsyncError/RemoteError (src/core/errors.ts) with stable codes; `getPage` returns null for 404.
 * - Bodies are Confluence storage format (XHTML) strings.
 * This file may grow additively (new optional fields / methods); never change existing meanings.
 */
export interface RemoteSpace {
  id: string;
  key: string;
  name: string;
  homepageId: string | null;
}

export interface RemoteVersion {
  number: number;
  message?: string | undefined;
  minorEdit?: boolean | undefined;
  createdAt?: string | undefined;
  authorId?: string | undefined;
}

export interface RemotePage {
  id: string;
  status: 'current' | 'trashed' | 'archived' | 'draft' | 'deleted' | string;
  title: string;
  spaceId: string;
  parentId: string | null;
  parentType?: string | null | undefined;
  position?: number | null | undefined;
  version: RemoteVersion;
  /** Storage-format body, present when requested. */
  body?: string | undefined;
  labels?: string[] | undefined;
  /** When the page was created and by whom (account id), when the API says (v2 listings do). */
  createdAt?: string | undefined;
  authorId?: string | undefined;
}

export interface RemoteAttachment {
  id: string;
  pageId: string;
  /** The file name (Confluence calls it title). */
  title: string;
  mediaType: string;
  fileSize: number;
  version: number;
  fileId?: string | undefined;
  comment?: string | undefined;
}

export interface ListOptions {
  /** Include storage bodies (bulk, up to 250 per request). */
  bodies?: boolean;
  /** Page size; the client caps it at the API maximum. */
  limit?: number;
}

export interface CreatePageInput {
  spaceId: string;
  parentId?: string | null;
  title: string;
  body: string;
}

export interface UpdatePageInput {
  id: string;
  title: string;
  /** New parent (moves within the space). */
  parentId?: string | null;
  body: string;
  /** The new version number: the known current version + 1. */
  version: number;
  message?: string;
  minorEdit?: boolean;
  status?: 'current';
}

export interface UploadAttachmentInput {
  pageId: string;
  fileName: string;
  filePath: string;
  mediaType?: string;
  comment?: string;
  minorEdit?: boolean;
  /**
   * The attachment of this name on the page as the caller just listed it (null: none). Given, the upload skips its
   * own lookup: a new version of `existing`, or a new attachment when null.
   */
  existing?: RemoteAttachment | null;
}

export interface CqlResult {
  id: string;
  type: string;
  title: string;
  spaceKey?: string | undefined;
  version?: number | undefined;
  lastModified?: string | undefined;
}

export interface ConfluenceApi {
  getSpaceByKey(key: string): Promise<RemoteSpace>;
  listPages(spaceId: string, options?: ListOptions): AsyncIterable<RemotePage>;
  getPagesByIds(ids: readonly string[], options?: ListOptions): AsyncIterable<RemotePage>;
  getPage(id: string, options?: { body?: boolean; labels?: boolean }): Promise<RemotePage | null>;
  getChildren(id: string): AsyncIterable<RemotePage>;
  getAncestors(id: string): Promise<RemotePage[]>;
  createPage(input: CreatePageInput): Promise<RemotePage>;
  updatePage(input: UpdatePageInput): Promise<RemotePage>;
  /** Moves the page to the trash (recoverable). */
  deletePage(id: string): Promise<void>;
  getLabels(pageId: string): Promise<string[]>;
  addLabels(pageId: string, labels: readonly string[]): Promise<void>;
  removeLabel(pageId: string, label: string): Promise<void>;
  listAttachments(pageId: string): AsyncIterable<RemoteAttachment>;
  /** Streams the bytes to destPath (atomically: temp file + rename) and returns size and sha256 hex. */
  downloadAttachment(
    attachment: RemoteAttachment,
    destPath: string,
  ): Promise<{ bytes: number; sha256: string }>;
  /** Uploads a new attachment, or a new version when one with that file name exists. */
  uploadAttachment(input: UploadAttachmentInput): Promise<RemoteAttachment>;
  deleteAttachment(id: string): Promise<void>;
  searchCql(cql: string, options?: { limit?: number }): AsyncIterable<CqlResult>;
}
