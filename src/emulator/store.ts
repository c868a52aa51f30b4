/**
 * The emulator's in-memory Confluence: spaces, pages with their version history, labels and attachments.
 * Ids are numeric strings from one counter (as in Confluence). Listing order is by id, so cursors ("after id X")
 * stay valid while pages are created and deleted. Every mutation bumps `changes` (used by --data persistence).
 */
import { createHash } from 'node:crypto';
import { rewriteStorage } from './rewrite.js';
import { benchBody, benchSize } from './bench-body.js';

export interface StoredVersion {
  number: number;
  title: string;
  body: string;
  message: string;
  minorEdit: boolean;
  createdAt: string;
  authorId: string;
  parentId: string | null;
}

export interface StoredPage {
  id: string;
  spaceId: string;
  status: 'current' | 'trashed' | 'deleted';
  title: string;
  parentId: string | null;
  position: number;
  authorId: string;
  createdAt: string;
  body: string;
  version: StoredVersion;
  history: StoredVersion[];
  labels: string[];
  /** Bench seed pages: the body is generated from this seed on first read (see bodyOf). */
  lazyBody?: number | undefined;
}

export interface StoredAttachment {
  id: string; // "att<N>"
  pageId: string;
  title: string;
  mediaType: string;
  comment: string;
  status: 'current' | 'trashed';
  version: number;
  createdAt: string;
  authorId: string;
  data: Buffer;
  fileId: string;
  /** Earlier versions' bytes, oldest first (downloads with ?version=N). */
  previous?: Array<{ version: number; data: Buffer; mediaType: string; createdAt: string }>;
}

export interface StoredSpace {
  id: string;
  key: string;
  name: string;
  homepageId: string | null;
  createdAt: string;
}

export const ME = '5b10ac8d82e05b22cc7d4ef5';
export const OTHER_USER = '6a2c9f0e11d2b4a7c8e9f012';

export class ConflictError extends Error {}
/** An update that would make a page its own ancestor. */
export class CycleError extends Error {}

/** Insert into a sorted array of numeric-string ids (ascending numerically). */
function insertSorted(ids: string[], id: string): void {
  const n = Number(id);
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Number(ids[mid]) < n) lo = mid + 1;
    else hi = mid;
  }
  ids.splice(lo, 0, id);
}

/** Index of the first id strictly greater than `after` in a sorted id array. */
export function firstAfter(ids: readonly string[], after: string | undefined): number {
  if (after === undefined) return 0;
  const n = Number(after);
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Number(ids[mid]) <= n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Store {
  nextId = 100000;
  /** Largest page body (storage) a create or update takes; over it: 413, as Confluence's own limit answers. */
  maxPageBodyBytes = 5 * 1024 * 1024;
  spaces = new Map<string, StoredSpace>();
  pages = new Map<string, StoredPage>();
  /** Page ids of each space, ascending. */
  spacePageIds = new Map<string, string[]>();
  /** Current pages by title, per space: title uniqueness is a lookup, not a scan of the space. */
  private titles = new Map<string, Map<string, string>>();
  /** Highest child position per parent: a create or move appends without listing the siblings. */
  private lastPosition = new Map<string, number>();
  attachments = new Map<string, StoredAttachment>();
  /** Label name → id (labels are global, as in Confluence). */
  labelIds = new Map<string, string>();
  changes = 0;
  /** Page bodies sent in API responses so far. */
  bodiesServed = 0;
  /** Milliseconds clock for createdAt stamps (injectable for tests). */
  now: () => number = Date.now;

  newId(): string {
    return String(this.nextId++);
  }

  stamp(): string {
    return new Date(this.now()).toISOString();
  }

  addSpace(key: string, name: string): StoredSpace {
    const space: StoredSpace = { id: this.newId(), key, name, homepageId: null, createdAt: this.stamp() };
    this.spaces.set(space.id, space);
    this.spacePageIds.set(space.id, []);
    this.changes++;
    return space;
  }

  spaceByKey(key: string): StoredSpace | undefined {
    for (const s of this.spaces.values()) if (s.key === key) return s;
    return undefined;
  }

  labelId(name: string): string {
    let id = this.labelIds.get(name);
    if (!id) {
      id = this.newId();
      this.labelIds.set(name, id);
    }
    return id;
  }

  labelById(id: string): string | undefined {
    for (const [name, lid] of this.labelIds) if (lid === id) return name;
    return undefined;
  }

  /** The current storage body (bench pages generate theirs on first read). */
  bodyOf(page: StoredPage): string {
    if (page.lazyBody !== undefined) {
      page.body = rewriteStorage(benchBody(page.lazyBody, benchSize(page.lazyBody)), page.id, page.version.number);
      page.version.body = page.body;
      page.lazyBody = undefined;
    }
    return page.body;
  }

  childrenOf(parentId: string): StoredPage[] {
    const parent = this.pages.get(parentId);
    if (!parent) return [];
    const ids = this.spacePageIds.get(parent.spaceId) ?? [];
    const out: StoredPage[] = [];
    for (const id of ids) {
      const p = this.pages.get(id)!;
      if (p.parentId === parentId && p.status === 'current') out.push(p);
    }
    return out.sort((a, b) => a.position - b.position || Number(a.id) - Number(b.id));
  }

  /** A title is unique among current pages of a space (Confluence's rule). O(1): the title index. */
  titleTaken(spaceId: string, title: string, exceptId?: string): boolean {
    const id = this.titles.get(spaceId)?.get(title);
    return id !== undefined && id !== exceptId;
  }

  /** The current page of a space with this title (the title index). */
  pageByTitle(spaceId: string, title: string): StoredPage | undefined {
    const id = this.titles.get(spaceId)?.get(title);
    return id === undefined ? undefined : this.pages.get(id);
  }

  /** The position after every child a parent ever had (a lookup; positions only need to order the siblings). */
  private nextPosition(parentId: string): number {
    return (this.lastPosition.get(parentId) ?? -1) + 1;
  }

  private placed(parentId: string, position: number): void {
    if (position > (this.lastPosition.get(parentId) ?? -1)) this.lastPosition.set(parentId, position);
  }

  /** Keeps the title index in step with a page's title and status (call after any change of either). */
  private index(page: StoredPage, before?: { title: string; status: StoredPage['status'] }): void {
    let byTitle = this.titles.get(page.spaceId);
    if (!byTitle) this.titles.set(page.spaceId, (byTitle = new Map()));
    if (before && before.status === 'current' && byTitle.get(before.title) === page.id) byTitle.delete(before.title);
    if (page.status === 'current') byTitle.set(page.title, page.id);
  }

  /**
   * Whether making `parentId` the parent of `pageId` would make the page its own ancestor (Confluence refuses it: 400
   * "Cannot add an existing ancestor as a child!").
   */
  wouldCycle(pageId: string, parentId: string | null): boolean {
    for (let a = parentId, hops = 0; a !== null && hops < 10_000; hops++) {
      if (a === pageId) return true;
      a = this.pages.get(a)?.parentId ?? null;
    }
    return false;
  }

  /**
   * `position` given: the caller vouches for a unique title and the page's place among its siblings (the bench seed:
   * checking both scans the whole space, which made seeding 100,000 pages quadratic).
   */
  createPage(input: { spaceId: string; title: string; parentId?: string | null; body: string; authorId?: string; message?: string; rewrite?: boolean; position?: number }): StoredPage {
    const space = this.spaces.get(input.spaceId);
    if (!space) throw new Error(`no space ${input.spaceId}`);
    if (input.position === undefined && this.titleTaken(space.id, input.title)) throw new ConflictError(`A page with this title already exists: A page already exists with the same TITLE in this space`);
    const id = this.newId();
    const author = input.authorId ?? ME;
    const parentId = input.parentId ?? space.homepageId ?? null;
    const body = input.rewrite === false ? input.body : rewriteStorage(input.body, id, 1);
    const version: StoredVersion = { number: 1, title: input.title, body, message: input.message ?? '', minorEdit: false, createdAt: this.stamp(), authorId: author, parentId };
    const page: StoredPage = {
      id,
      spaceId: space.id,
      status: 'current',
      title: input.title,
      parentId,
      position: input.position ?? (parentId ? this.nextPosition(parentId) : 0),
      authorId: author,
      createdAt: version.createdAt,
      body,
      version,
      history: [version],
      labels: [],
    };
    this.pages.set(id, page);
    insertSorted(this.spacePageIds.get(space.id)!, id);
    this.index(page);
    if (parentId) this.placed(parentId, page.position);
    if (!space.homepageId && !parentId) space.homepageId = id;
    this.changes++;
    return page;
  }

  /** Applies an update whose version number is already checked. */
  updatePage(page: StoredPage, input: { title?: string; body?: string; parentId?: string | null; message?: string; minorEdit?: boolean; authorId?: string; status?: 'current' }): StoredPage {
    const number = page.version.number + 1;
    const title = input.title ?? page.title;
    const becomesCurrent = page.status !== 'current' && input.status === 'current';
    if ((title !== page.title || becomesCurrent) && this.titleTaken(page.spaceId, title, page.id)) {
      throw new ConflictError(`A page with this title already exists: A page already exists with the same TITLE in this space`);
    }
    if (input.parentId !== undefined && input.parentId !== page.parentId && this.wouldCycle(page.id, input.parentId)) {
      throw new CycleError('Cannot add an existing ancestor as a child!');
    }
    const before = { title: page.title, status: page.status };
    const body = input.body === undefined ? this.bodyOf(page) : rewriteStorage(input.body, page.id, number);
    page.lazyBody = undefined;
    const parentId = input.parentId === undefined ? page.parentId : input.parentId;
    const version: StoredVersion = { number, title, body, message: input.message ?? '', minorEdit: input.minorEdit ?? false, createdAt: this.stamp(), authorId: input.authorId ?? ME, parentId };
    if (parentId !== page.parentId && parentId) {
      page.position = this.nextPosition(parentId);
      this.placed(parentId, page.position);
    }
    Object.assign(page, { title, body, parentId, version, status: input.status ?? page.status });
    this.index(page, before);
    page.history.push(version);
    this.changes++;
    return page;
  }

  /**
   * Confluence's restore: PUT with status "current" on a trashed page changes only its status ("For restoration, page
   * contents will not be updated and only the page status will be changed", v2 PageUpdateRequest.status). The
   * version is not bumped; the title must still be free.
   */
  restorePage(page: StoredPage): StoredPage {
    if (this.titleTaken(page.spaceId, page.title, page.id)) {
      throw new ConflictError(`A page with this title already exists: A page already exists with the same TITLE in this space`);
    }
    const before = { title: page.title, status: page.status };
    page.status = 'current';
    this.index(page, before);
    this.changes++;
    return page;
  }

  trashPage(page: StoredPage): void {
    const before = { title: page.title, status: page.status };
    page.status = 'trashed';
    this.index(page, before);
    this.changes++;
  }

  purgePage(page: StoredPage): void {
    if (page.status === 'current' && this.titles.get(page.spaceId)?.get(page.title) === page.id) this.titles.get(page.spaceId)!.delete(page.title);
    this.pages.delete(page.id);
    const ids = this.spacePageIds.get(page.spaceId)!;
    const i = ids.indexOf(page.id);
    if (i >= 0) ids.splice(i, 1);
    for (const a of [...this.attachments.values()]) if (a.pageId === page.id) this.attachments.delete(a.id);
    this.changes++;
  }

  attachmentsOf(pageId: string): StoredAttachment[] {
    const out: StoredAttachment[] = [];
    for (const a of this.attachments.values()) if (a.pageId === pageId && a.status === 'current') out.push(a);
    return out.sort((x, y) => Number(x.id.slice(3)) - Number(y.id.slice(3)));
  }

  attachmentByName(pageId: string, title: string): StoredAttachment | undefined {
    for (const a of this.attachments.values()) if (a.pageId === pageId && a.title === title && a.status === 'current') return a;
    return undefined;
  }

  putAttachment(input: { pageId: string; title: string; mediaType: string; data: Buffer; comment?: string; authorId?: string; id?: string }): StoredAttachment {
    const existing = input.id ? this.attachments.get(input.id) : this.attachmentByName(input.pageId, input.title);
    if (existing) {
      (existing.previous ??= []).push({ version: existing.version, data: existing.data, mediaType: existing.mediaType, createdAt: existing.createdAt });
      existing.data = input.data;
      existing.mediaType = input.mediaType || existing.mediaType;
      existing.version += 1;
      existing.comment = input.comment ?? '';
      existing.createdAt = this.stamp();
      existing.authorId = input.authorId ?? ME;
      if (input.title) existing.title = input.title;
      this.changes++;
      return existing;
    }
    const id = `att${this.newId()}`;
    const att: StoredAttachment = {
      id,
      pageId: input.pageId,
      title: input.title,
      mediaType: input.mediaType || 'application/octet-stream',
      comment: input.comment ?? '',
      status: 'current',
      version: 1,
      createdAt: this.stamp(),
      authorId: input.authorId ?? ME,
      data: input.data,
      fileId: createHash('sha1').update(id).digest('hex').slice(0, 32),
    };
    this.attachments.set(id, att);
    this.changes++;
    return att;
  }

  /** The bytes and media type of one version of an attachment (the current one when `version` is undefined). */
  attachmentVersion(a: StoredAttachment, version?: number): { data: Buffer; mediaType: string } | undefined {
    if (version === undefined || version === a.version) return { data: a.data, mediaType: a.mediaType };
    return a.previous?.find((p) => p.version === version);
  }

  toJSON(): unknown {
    return {
      nextId: this.nextId,
      spaces: [...this.spaces.values()],
      pages: [...this.pages.values()],
      attachments: [...this.attachments.values()].map((a) => ({
        ...a,
        data: a.data.toString('base64'),
        ...(a.previous ? { previous: a.previous.map((p) => ({ ...p, data: p.data.toString('base64') })) } : {}),
      })),
      labels: [...this.labelIds.entries()],
    };
  }

  static fromJSON(json: unknown): Store {
    type SavedAttachment = Omit<StoredAttachment, 'data' | 'previous'> & { data: string; previous?: Array<{ version: number; data: string; mediaType: string; createdAt: string }> };
    const j = json as { nextId: number; spaces: StoredSpace[]; pages: StoredPage[]; attachments: SavedAttachment[]; labels: Array<[string, string]> };
    const s = new Store();
    s.nextId = j.nextId;
    for (const sp of j.spaces) {
      s.spaces.set(sp.id, sp);
      s.spacePageIds.set(sp.id, []);
    }
    for (const p of j.pages) {
      s.pages.set(p.id, p);
      insertSorted(s.spacePageIds.get(p.spaceId)!, p.id);
      s.index(p);
      if (p.parentId) s.placed(p.parentId, p.position);
    }
    for (const a of j.attachments) {
      const { previous, ...rest } = a;
      s.attachments.set(a.id, {
        ...rest,
        data: Buffer.from(a.data, 'base64'),
        ...(previous ? { previous: previous.map((p) => ({ ...p, data: Buffer.from(p.data, 'base64') })) } : {}),
      });
    }
    s.labelIds = new Map(j.labels);
    return s;
  }
}
