/**
 * The emulator's Notion workspace: pages, blocks (with their children lists), databases with one data source each,
 * users and hosted files. Objects are kept in the shapes the Notion API (version 2025-09-03) answers with, minus the
 * fields computed per request (urls, request ids). Ids are UUIDs made from a counter, so a seed is deterministic.
 */

export type RichText = Record<string, unknown> & { plain_text: string };
export type Parent =
  | { type: 'workspace'; workspace: true }
  | { type: 'page_id'; page_id: string }
  | { type: 'block_id'; block_id: string }
  | { type: 'data_source_id'; data_source_id: string; database_id: string };

export interface NPage {
  id: string;
  parent: Parent;
  properties: Record<string, Record<string, unknown>>;
  created_time: string;
  last_edited_time: string;
  in_trash: boolean;
  icon: unknown;
}

export interface NBlock {
  id: string;
  parent: Parent;
  type: string;
  payload: Record<string, unknown>;
  created_time: string;
  last_edited_time: string;
  in_trash: boolean;
}

export interface NDatabase {
  id: string;
  parent: Parent;
  title: RichText[];
  dataSourceId: string;
  is_inline: boolean;
  created_time: string;
  last_edited_time: string;
}

export interface NDataSource {
  id: string;
  databaseId: string;
  name: string;
  properties: Record<string, Record<string, unknown>>;
  rows: string[];
  created_time: string;
  last_edited_time: string;
}

export interface NUser {
  object: 'user';
  id: string;
  type: 'person' | 'bot';
  name: string;
  avatar_url: string | null;
  person?: { email: string };
  bot?: Record<string, unknown>;
}

export interface NComment {
  id: string;
  pageId: string;
  discussionId: string;
  authorId: string;
  rich_text: RichText[];
  created_time: string;
}

export interface NFile {
  name: string;
  mediaType: string;
  data: Buffer;
}

export class NotionStore {
  readonly pages = new Map<string, NPage>();
  readonly blocks = new Map<string, NBlock>();
  /** Ordered child ids of a page or block (blocks only; child pages and databases appear as blocks). */
  readonly children = new Map<string, string[]>();
  readonly databases = new Map<string, NDatabase>();
  readonly dataSources = new Map<string, NDataSource>();
  readonly users: NUser[] = [];
  /** Hosted files by key (served at /notion/files/<key>/<name>). */
  readonly files = new Map<string, NFile>();
  /** Insertion order of pages and data sources, for search. */
  readonly searchOrder: string[] = [];
  /**
   * Pages and databases not shared with the integration themselves. As in Notion, sharing a page shares everything
   * under it: an item listed here is still readable when an ancestor is shared (see `canRead`); one with no shared
   * ancestor is absent from search and answers 404.
   */
  readonly unshared = new Set<string>();
  /** Page-level comments by page id, oldest first (Notion lists unresolved ones only; the emulator has no resolving). */
  readonly comments = new Map<string, NComment[]>();
  /** Test switch: the integration lacks the "Read comments" capability (GET /v1/comments answers 403). */
  commentsForbidden = false;
  private counter = 0;
  private tick = 0;
  readonly botId: string;

  constructor(private readonly baseTime = Date.parse('2026-01-05T09:00:00.000Z')) {
    this.botId = this.newId();
    this.users.push({ object: 'user', id: this.botId, type: 'bot', name: 'csync import', avatar_url: null, bot: { owner: { type: 'workspace', workspace: true }, workspace_name: 'Demo workspace' } });
  }

  newId(): string {
    this.counter++;
    const hex = this.counter.toString(16).padStart(12, '0');
    return `5e1f0000-0000-4000-8000-${hex}`;
  }

  /** A strictly increasing timestamp (whole minutes would collide in Notion too; we keep them distinct). */
  nextTime(): string {
    this.tick++;
    return new Date(this.baseTime + this.tick * 1000).toISOString();
  }

  addUser(name: string, email: string): NUser {
    const u: NUser = { object: 'user', id: this.newId(), type: 'person', name, avatar_url: null, person: { email } };
    this.users.push(u);
    return u;
  }

  addPage(parent: Parent, title: string, extraProps: Record<string, Record<string, unknown>> = {}, titleProp = 'title'): NPage {
    const t = this.nextTime();
    const page: NPage = {
      id: this.newId(),
      parent,
      properties: { ...extraProps, [titleProp]: { id: 'title', type: 'title', title: [text(title)] } },
      created_time: t,
      last_edited_time: t,
      in_trash: false,
      icon: null,
    };
    this.pages.set(page.id, page);
    this.searchOrder.push(page.id);
    if (parent.type === 'page_id' || parent.type === 'block_id') {
      const owner = parent.type === 'page_id' ? parent.page_id : parent.block_id;
      this.appendRaw(owner, { id: page.id, type: 'child_page', payload: { title } });
    }
    if (parent.type === 'data_source_id') this.dataSources.get(parent.data_source_id)?.rows.push(page.id);
    return page;
  }

  addDatabase(parentPageId: string, title: string, properties: Record<string, Record<string, unknown>>, inline = false): NDatabase {
    const t = this.nextTime();
    const db: NDatabase = { id: this.newId(), parent: { type: 'page_id', page_id: parentPageId }, title: [text(title)], dataSourceId: '', is_inline: inline, created_time: t, last_edited_time: t };
    const ds: NDataSource = { id: this.newId(), databaseId: db.id, name: title, properties: {}, rows: [], created_time: t, last_edited_time: t };
    let i = 0;
    for (const [name, def] of Object.entries(properties)) ds.properties[name] = { id: def.type === 'title' ? 'title' : `p${++i}`, name, ...def };
    db.dataSourceId = ds.id;
    this.databases.set(db.id, db);
    this.dataSources.set(ds.id, ds);
    this.searchOrder.push(ds.id);
    this.appendRaw(parentPageId, { id: db.id, type: 'child_database', payload: { title } });
    return db;
  }

  /** Appends a block (and its nested children) to a page or block; returns the block id. */
  append(parentId: string, spec: BlockSpec): string {
    const id = this.newId();
    this.appendRaw(parentId, { id, type: spec.type, payload: spec.payload ?? {} });
    for (const c of spec.children ?? []) this.append(id, c);
    return id;
  }

  private appendRaw(parentId: string, b: { id: string; type: string; payload: Record<string, unknown> }): void {
    const t = this.nextTime();
    const parent: Parent = this.pages.has(parentId) ? { type: 'page_id', page_id: parentId } : { type: 'block_id', block_id: parentId };
    this.blocks.set(b.id, { id: b.id, parent, type: b.type, payload: b.payload, created_time: t, last_edited_time: t, in_trash: false });
    let list = this.children.get(parentId);
    if (!list) this.children.set(parentId, (list = []));
    list.push(b.id);
    this.touch(parentId, t);
  }

  /** The page a block belongs to (walking up through blocks). */
  pageOf(id: string): string | undefined {
    let cur: string | undefined = id;
    for (let i = 0; cur && i < 100; i++) {
      if (this.pages.has(cur)) return cur;
      const b = this.blocks.get(cur);
      if (!b) return undefined;
      cur = b.parent.type === 'page_id' ? b.parent.page_id : b.parent.type === 'block_id' ? b.parent.block_id : undefined;
    }
    return undefined;
  }

  /**
   * Whether the integration can read a page, database, data source or block: a page or database is readable when it
   * is shared (not in `unshared`) or its parent is readable (Notion: a page's connections are inherited by every
   * page, database and block below it); a block when the page it belongs to is.
   */
  canRead(id: string): boolean {
    let cur: string | undefined = id;
    for (let i = 0; cur !== undefined && i < 200; i++) {
      const ds = this.dataSources.get(cur);
      if (ds) cur = ds.databaseId;
      const page: NPage | undefined = this.pages.get(cur);
      const db: NDatabase | undefined = page ? undefined : this.databases.get(cur);
      if (!page && !db) {
        // A block: its page decides.
        const owner: string | undefined = this.blocks.has(cur) ? this.pageOf(cur) : undefined;
        if (owner === undefined || owner === cur) return false;
        cur = owner;
        continue;
      }
      if (!this.unshared.has(cur)) return true;
      const parent: Parent = (page ?? db)!.parent;
      if (parent.type === 'workspace') return false;
      cur = parent.type === 'page_id' ? parent.page_id : parent.type === 'block_id' ? parent.block_id : parent.database_id;
    }
    return false;
  }

  /** An edit anywhere in a page's content bumps the page's last_edited_time (as Notion shows it). */
  private touch(id: string, t: string): void {
    const pageId = this.pageOf(id);
    const page = pageId ? this.pages.get(pageId) : undefined;
    if (page) page.last_edited_time = t;
  }

  /** Test API: replaces a text block's rich text ("another user edits in Notion"). */
  editBlockText(blockId: string, content: string): void {
    const b = this.blocks.get(blockId);
    if (!b) throw new Error(`no block ${blockId}`);
    b.payload = { ...b.payload, rich_text: [text(content)] };
    b.last_edited_time = this.nextTime();
    this.touch(blockId, b.last_edited_time);
  }

  /** Test API: renames a page. */
  renamePage(pageId: string, title: string): void {
    const p = this.pages.get(pageId);
    if (!p) throw new Error(`no page ${pageId}`);
    const key = Object.keys(p.properties).find((k) => p.properties[k]!.type === 'title') ?? 'title';
    p.properties[key] = { id: 'title', type: 'title', title: [text(title)] };
    p.last_edited_time = this.nextTime();
    const block = this.blocks.get(pageId);
    if (block) block.payload = { title };
  }

  /** Test API: moves a page to the trash (its child_page block leaves its parent's children, as in Notion). */
  trashPage(pageId: string): void {
    const p = this.pages.get(pageId);
    if (!p) throw new Error(`no page ${pageId}`);
    p.in_trash = true;
    p.last_edited_time = this.nextTime();
    const block = this.blocks.get(pageId);
    if (block) {
      block.in_trash = true;
      this.touch(this.ownerOf(block), p.last_edited_time);
    }
  }

  /** Test API: moves a page under another page (its child_page block moves with it). */
  movePage(pageId: string, newParentId: string): void {
    const p = this.pages.get(pageId);
    if (!p || !this.pages.has(newParentId)) throw new Error(`no page ${pageId} or ${newParentId}`);
    const block = this.blocks.get(pageId);
    if (block) {
      const old = this.ownerOf(block);
      const list = this.children.get(old);
      if (list) list.splice(list.indexOf(pageId), 1);
      this.touch(old, this.nextTime());
      this.blocks.delete(pageId);
    }
    p.parent = { type: 'page_id', page_id: newParentId };
    this.appendRaw(newParentId, { id: pageId, type: 'child_page', payload: { title: this.titleOf(pageId) } });
    p.last_edited_time = this.nextTime();
  }

  private ownerOf(b: NBlock): string {
    return b.parent.type === 'page_id' ? b.parent.page_id : b.parent.type === 'block_id' ? b.parent.block_id : '';
  }

  /** Test API: a page-level comment (a new discussion unless `discussionId` is given). */
  addComment(pageId: string, authorId: string, content: string, discussionId?: string): NComment {
    const c: NComment = { id: this.newId(), pageId, discussionId: discussionId ?? this.newId(), authorId, rich_text: [text(content)], created_time: this.nextTime() };
    let list = this.comments.get(pageId);
    if (!list) this.comments.set(pageId, (list = []));
    list.push(c);
    return c;
  }

  addFile(name: string, mediaType: string, data: Buffer): string {
    const key = this.newId();
    this.files.set(key, { name, mediaType, data });
    return key;
  }

  titleOf(pageId: string): string {
    const p = this.pages.get(pageId);
    if (!p) return '';
    const prop = Object.values(p.properties).find((v) => v.type === 'title');
    return ((prop?.title as RichText[] | undefined) ?? []).map((r) => r.plain_text).join('');
  }
}

export interface BlockSpec {
  type: string;
  payload?: Record<string, unknown>;
  children?: BlockSpec[];
}

const PLAIN = { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' };

/** A text rich-text item. */
export function text(content: string, opts: { bold?: boolean; italic?: boolean; code?: boolean; strikethrough?: boolean; underline?: boolean; color?: string; link?: string } = {}): RichText {
  const { link, ...ann } = opts;
  return {
    type: 'text',
    text: { content, link: link ? { url: link } : null },
    annotations: { ...PLAIN, ...ann },
    plain_text: content,
    href: link ?? null,
  };
}

export function mentionPage(pageId: string, title: string): RichText {
  return { type: 'mention', mention: { type: 'page', page: { id: pageId } }, annotations: { ...PLAIN }, plain_text: title, href: `https://www.notion.so/${pageId.replace(/-/g, '')}` };
}

export function mentionDate(start: string, end: string | null = null): RichText {
  return { type: 'mention', mention: { type: 'date', date: { start, end, time_zone: null } }, annotations: { ...PLAIN }, plain_text: end ? `${start} → ${end}` : start, href: null };
}

export function mentionUser(user: NUser): RichText {
  return { type: 'mention', mention: { type: 'user', user: { object: 'user', id: user.id } }, annotations: { ...PLAIN }, plain_text: `@${user.name}`, href: null };
}

export function equationText(expression: string): RichText {
  return { type: 'equation', equation: { expression }, annotations: { ...PLAIN }, plain_text: expression, href: null };
}

/** Block payload helpers: the rich_text + color shape most text blocks share. */
export function rt(...items: Array<RichText | string>): { rich_text: RichText[]; color: string } {
  return { rich_text: items.map((i) => (typeof i === 'string' ? text(i) : i)), color: 'default' };
}
