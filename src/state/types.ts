/** The synced base, in domain terms: what the state store remembers about each page and attachment. */
export interface BasePage {
  id: string;
  spaceKey: string;
  parentId: string | null;
  title: string;
  position: number | null;
  /** Remote version the local file reflects. */
  version: number;
  /** Path of the local file, relative to the workspace (POSIX). */
  path: string;
  /** sha256 hex of the file bytes as last synced. */
  hash: string;
  size: number;
  mtimeMs: number;
  /** The local text last synced (merge base). */
  base: string;
  labels: string[];
  status: 'synced' | 'conflict' | 'deleted-remote';
}

/** A base page without its text: what a pull keeps in memory per page (the text stays in the store). */
export type BasePageMeta = Omit<BasePage, 'base'>;

export interface BaseAttachment {
  id: string;
  pageId: string;
  fileName: string;
  version: number;
  size: number;
  mediaType: string;
  path: string;
  hash: string;
  /** mtime of the local file as last synced (stat fast path; 0 = unknown, hash it). */
  mtimeMs: number;
  /** 'conflict': changed on both sides; the remote file is saved at copyPath and nothing is pushed until resolved. */
  status: 'synced' | 'conflict';
  copyPath: string | null;
}

export interface ConflictRecord {
  pageId: string;
  path: string;
  copyPath: string | null;
  remoteVersion: number;
  kind: 'both-modified' | 'deleted-remote-modified-local' | 'untracked-local-file';
  createdAt: string;
}

/**
 * A create sent (or about to be sent) whose page is not recorded yet. Enough to recognise the page later, whatever
 * happened to it since: the title, parent and body of its first version, the time (local clock) we sent it, and
 * the file text we read, so the file can be found again if the user moved it.
 */
export interface PendingCreate {
  /** Workspace-relative path of the file when the create was sent. */
  path: string;
  spaceKey: string;
  /** Title and parent sent (version 1 of the page has them). */
  title: string;
  parentId: string | null;
  /** sha256 hex of the canonical storage body sent (format/xml canonicalStorage). */
  bodyHash: string;
  /** The file text the create was made from (before its id was written into it). */
  text: string;
  /** ISO time just before the request, local clock. */
  startedAt: string;
}

/**
 * An update sent (or about to be sent) whose new version is not recorded yet (src/engine/sent.ts). Enough to tell
 * later whether Confluence holds it: the version it makes, with the title and body sent.
 */
export interface PendingUpdate {
  pageId: string;
  spaceKey: string;
  /** Workspace-relative path of the file the update was made from (a move's new path). */
  path: string;
  /** The version of the base the update was made on, and the version it creates. */
  fromVersion: number;
  version: number;
  title: string;
  parentId: string | null;
  /** sha256 hex of the canonical storage body sent (format/xml canonicalStorage). */
  bodyHash: string;
  /** The local text of what was sent: the page's base once the update is known to have landed. */
  text: string;
  /** sha256 hex of the file's text when the update was sent (a merge sends another text than the file's). */
  fileHash: string;
  /** The page's labels before and after the update (sorted). */
  labelsFrom: string[];
  labels: string[];
  /** ISO time just before the request, local clock. */
  startedAt: string;
}

/** A page as a listing gives it: what a pull plans with (no body, no timestamps). */
export interface ListedPage {
  id: string;
  title: string;
  parentId: string | null;
  version: number;
  position: number | null;
  labels: string[];
}

/**
 * The remote listing of one space in a temporary table of the state database (sqlite/listing.ts): filled a chunk at
 * a time, paths assigned and compared with the base in SQL, so only pages that may need an action come back.
 */
export interface RemoteListingTable {
  /** Adds listed pages (a later listing of the same id replaces its fields, keeping its place in the order). */
  add(pages: readonly ListedPage[]): void;
  /** Sets the labels of listed pages. */
  setLabels(labels: Iterable<readonly [id: string, labels: readonly string[]]>): void;
  count(): number;
  /** Assigns every listed page its workspace path (`content/<space>/<rel><ext>`), as core/file-names.ts assignPaths does. */
  assignPaths(spaceKey: string, ext: string): void;
  /** Listed pages that are new or whose version, path or labels differ from the base (with the base when there is one), in listing order. */
  changed(spaceKey: string): Array<{ remote: ListedPage & { path: string | undefined }; base: BasePageMeta | undefined }>;
  /**
   * Up to `limit` listed pages after listing position `afterSeq` that have no base record in the space, in listing
   * order (a first pull plans its new pages a batch at a time: pass the last `seq` of one batch to get the next).
   */
  newPages(spaceKey: string, afterSeq: number, limit: number): Array<{ seq: number; remote: ListedPage & { path: string | undefined } }>;
  /** Base pages of the space that the listing does not hold. */
  gone(spaceKey: string): BasePageMeta[];
  entry(id: string): (ListedPage & { path: string | undefined }) | undefined;
  /** The assigned path of a listed page. */
  path(id: string): string | undefined;
  /** Every listed page with a path, in listing order, read a thousand at a time. */
  entries(): Iterable<{ id: string; title: string; path: string }>;
  /** The base page of the space with this id (without its text). */
  base(id: string, spaceKey: string): BasePageMeta | undefined;
  baseCount(spaceKey: string): number;
  /** Whether any page record has this path. */
  tracked(path: string): boolean;
  /** Empties the table. */
  clear(): void;
}

export interface RunRecord {
  id: number;
  command: string;
  startedAt: string;
  endedAt: string | null;
  status: string;
  counts: Record<string, number>;
  error: string | null;
}

export interface StateStore {
  readonly path: string;
  /** The schema version of the file and the one this csync reads (a read-only open of an older file reads a migrated in-memory copy). */
  readonly schema: { file: number; current: number };
  upsertSpace(key: string, id: string, homepageId: string | null): void;
  spaceId(key: string): string | undefined;
  pagesOfSpace(spaceKey: string): BasePage[];
  /** The pages of a space without their base texts (memory stays small for large spaces). */
  pageMetasOfSpace(spaceKey: string): BasePageMeta[];
  /**
   * Synced pages of the space whose record keeps no mtime (0), in id order after `afterId` (exclusive; '' from the
   * start), at most `limit`: the end-of-pull mtime pass walks them a chunk at a time, never the whole space.
   */
  pageMetasWithoutMtime(spaceKey: string, afterId: string, limit: number): BasePageMeta[];
  /** Synced attachments of the space's pages without an mtime, the same way (id order after `afterId`, at most `limit`). */
  attachmentsWithoutMtime(spaceKey: string, afterId: string, limit: number): BaseAttachment[];
  /** The base text of one page. */
  pageBase(id: string): string | undefined;
  page(id: string): BasePage | undefined;
  pageByPath(path: string): BasePage | undefined;
  allPages(): BasePage[];
  savePage(page: BasePage): void;
  /** Updates everything but the base text of a page that is already stored. */
  savePageMeta(page: BasePageMeta): void;
  deletePage(id: string): void;
  attachmentsOfSpace(spaceKey: string): BaseAttachment[];
  attachmentsOfPage(pageId: string): BaseAttachment[];
  saveAttachment(att: BaseAttachment): void;
  deleteAttachment(id: string): void;
  /** Attachments changed on both sides, waiting for `csync resolve`. */
  attachmentConflicts(): BaseAttachment[];
  stageBodies(bodies: ReadonlyArray<{ id: string; version: number; body: string }>): void;
  stagedBody(id: string, version: number): string | undefined;
  hasStagedBody(id: string, version: number): boolean;
  /** How many bodies are staged (left by an interrupted pull when non-zero). */
  stagedCount(): number;
  /** Drops the staged body; it stays as the page's base storage body (baseBody) for its version. */
  clearStaged(id: string): void;
  /** The storage body of a page's synced base at `version` (from its pull, or what its push sent), if known. */
  baseBody(id: string, version: number): string | undefined;
  saveBaseBody(id: string, version: number, body: string): void;
  /** Replaces the page's unresolved links: workspace paths of page files its relative links named that were no pages when it was sent. */
  setUnresolvedLinks(pageId: string, targets: readonly string[]): void;
  /** Synced pages of the space holding an unresolved link whose target path is a page now. */
  relinkable(spaceKey: string): string[];
  /** Every unresolved link of the space's pages (a dry run matches them with the files it would create). */
  unresolvedLinks(spaceKey: string): Array<{ pageId: string; target: string }>;
  addConflict(c: ConflictRecord): void;
  conflicts(): ConflictRecord[];
  removeConflict(pageId: string): void;
  /** Pending creates (see PendingCreate): one per file path, upserted. */
  addPendingCreate(p: PendingCreate): void;
  pendingCreates(spaceKey: string): PendingCreate[];
  removePendingCreate(path: string): void;
  /** Pending updates (see PendingUpdate): one per page, upserted. */
  addPendingUpdate(p: PendingUpdate): void;
  pendingUpdates(spaceKey: string): PendingUpdate[];
  removePendingUpdate(pageId: string): void;
  startRun(command: string): number;
  finishRun(id: number, status: string, counts: Record<string, number>, error?: string): void;
  lastRuns(n: number): RunRecord[];
  transaction<T>(fn: () => T): T;
  /** A fresh (empty) remote listing table for a pull (see RemoteListingTable). */
  remoteListing(): RemoteListingTable;
  integrityCheck(): string;
  close(): void;
}
