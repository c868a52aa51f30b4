/**
 * The in-process API: what "other users" do in Confluence, for tests, benchmarks and the demo. Every change goes
 * through the same store rules as the HTTP API (versions bump, bodies are rewritten, titles stay unique).
 */
import { OTHER_USER, type Store, type StoredAttachment, type StoredPage } from './store.js';

export class EmulatorApi {
  constructor(readonly store: Store) {}

  space(key: string) {
    const s = this.store.spaceByKey(key);
    if (!s) throw new Error(`emulator: no space ${key}`);
    return s;
  }

  createSpace(key: string, name = key) {
    return this.store.addSpace(key, name);
  }

  page(id: string): StoredPage {
    const p = this.store.pages.get(id);
    if (!p) throw new Error(`emulator: no page ${id}`);
    return p;
  }

  /** Current pages of a space, by id. */
  pages(spaceKey: string): StoredPage[] {
    const space = this.space(spaceKey);
    return (this.store.spacePageIds.get(space.id) ?? []).map((id) => this.store.pages.get(id)!).filter((p) => p.status === 'current');
  }

  body(id: string): string {
    return this.store.bodyOf(this.page(id));
  }

  createPage(spaceKey: string, title: string, body: string, parentId?: string | null): StoredPage {
    const space = this.space(spaceKey);
    return this.store.createPage({ spaceId: space.id, title, body, parentId: parentId ?? space.homepageId, authorId: OTHER_USER });
  }

  editPage(id: string, change: { body?: string; title?: string; parentId?: string | null; message?: string }): StoredPage {
    return this.store.updatePage(this.page(id), { ...change, authorId: OTHER_USER });
  }

  renamePage(id: string, title: string): StoredPage {
    return this.editPage(id, { title });
  }

  movePage(id: string, parentId: string): StoredPage {
    return this.editPage(id, { parentId });
  }

  /** A version bump with no content change (Confluence does this, e.g. on a metadata edit). */
  bumpVersion(id: string): StoredPage {
    return this.editPage(id, {});
  }

  deletePage(id: string): void {
    this.store.trashPage(this.page(id));
  }

  purgePage(id: string): void {
    this.store.purgePage(this.page(id));
  }

  /** Restores a trashed page as Confluence does: its status only (no new version, contents as they were). */
  restorePage(id: string): StoredPage {
    return this.store.restorePage(this.page(id));
  }

  /** A current page by title: the store's title index. */
  pageByTitle(spaceKey: string, title: string): StoredPage | undefined {
    return this.store.pageByTitle(this.space(spaceKey).id, title);
  }

  setLabels(id: string, labels: string[]): void {
    const p = this.page(id);
    p.labels = [...labels];
    for (const l of labels) this.store.labelId(l);
    this.store.changes++;
  }

  addAttachment(pageId: string, fileName: string, data: Buffer | string, mediaType = 'application/octet-stream'): StoredAttachment {
    return this.store.putAttachment({ pageId, title: fileName, data: Buffer.isBuffer(data) ? data : Buffer.from(data), mediaType, authorId: OTHER_USER });
  }

  attachments(pageId: string): StoredAttachment[] {
    return this.store.attachmentsOf(pageId);
  }

  deleteAttachment(id: string): void {
    const a = this.store.attachments.get(id);
    if (!a) throw new Error(`emulator: no attachment ${id}`);
    a.status = 'trashed';
    this.store.changes++;
  }
}
