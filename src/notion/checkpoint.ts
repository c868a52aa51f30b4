/**
 * The import's checkpoints (cache/notion-import.db, SQLite WAL): one row per Notion item (page, database, database
 * row) with its place in the workspace, its rendered storage and where the run is with it.
 *
 * - An item is queued for a run (`queued_run`), finished in it (`seen_run`, in the same transaction as its storage
 *   and its children being queued), written to its file (`written_run`). A run that did not finish is resumed: its
 *   finished items are not asked for again, its queue is what is left.
 * - Storage is kept so that a page unchanged in Notion (same last_edited_time) is written again without a request
 *   (links to pages renamed since) and the resumed write phase needs no request at all.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type ItemKind = 'page' | 'database' | 'row';

export interface ItemRow {
  id: string;
  kind: ItemKind;
  space: string;
  parent: string | null;
  seq: number;
  title: string | null;
  path: string | null;
  edited: string | null;
  storage: string | null;
  has_file: number;
  extra: string | null;
  queued_run: number;
  seen_run: number;
  written_run: number;
  written_hash: string | null;
  conflict_hash: string | null;
  /** Where the file was before the page moved in Notion (set until the write phase has moved it). */
  moved_from: string | null;
  /** 1 when Notion answered that the item is in the trash or no longer shared. */
  gone: number;
}

export interface RunRow {
  id: number;
  scope: string;
  started: string;
  finished: string | null;
  search_done: number;
  stats: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, scope TEXT NOT NULL, started TEXT NOT NULL, finished TEXT, search_done INTEGER NOT NULL DEFAULT 0, stats TEXT);
CREATE TABLE IF NOT EXISTS items(
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, space TEXT NOT NULL, parent TEXT, seq INTEGER NOT NULL,
  title TEXT, title_key TEXT, path TEXT, path_key TEXT, edited TEXT, storage TEXT, has_file INTEGER NOT NULL DEFAULT 0, extra TEXT,
  queued_run INTEGER NOT NULL DEFAULT 0, seen_run INTEGER NOT NULL DEFAULT 0, written_run INTEGER NOT NULL DEFAULT 0,
  written_hash TEXT, conflict_hash TEXT);
CREATE INDEX IF NOT EXISTS items_frontier ON items(queued_run, seen_run, seq);
CREATE INDEX IF NOT EXISTS items_parent ON items(parent);
CREATE INDEX IF NOT EXISTS items_title ON items(space, title_key);
CREATE INDEX IF NOT EXISTS items_path ON items(path_key);
CREATE INDEX IF NOT EXISTS items_written ON items(seen_run, written_run);
CREATE TABLE IF NOT EXISTS visible(run INTEGER NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, parent TEXT, PRIMARY KEY(run, id));
CREATE TABLE IF NOT EXISTS files(item TEXT NOT NULL, block TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY(item, block));
`;

export class Checkpoints {
  readonly db: Database.Database;
  private seq: number;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // better-sqlite3 builds SQLite with a 16 MB page cache per connection: the rendered storage of every page lives
    // here, so the cache would fill with it and peak RSS would grow with the workspace. 2 MB keeps it flat; rows
    // are read back by key (one page at a time), which the OS's file cache serves.
    this.db.pragma('cache_size = -2000');
    this.db.exec(SCHEMA);
    // Columns added after the first release of the importer (an older checkpoint file gains them).
    const cols = new Set((this.db.prepare('PRAGMA table_info(items)').all() as Array<{ name: string }>).map((c) => c.name));
    if (!cols.has('moved_from')) this.db.exec('ALTER TABLE items ADD COLUMN moved_from TEXT');
    if (!cols.has('gone')) this.db.exec('ALTER TABLE items ADD COLUMN gone INTEGER NOT NULL DEFAULT 0');
    this.seq = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM items').get() as { s: number }).s;
  }

  /** The unfinished run of this scope (to resume), or a new one. */
  openRun(scope: string, now: string): { run: RunRow; resumed: boolean } {
    const last = this.db.prepare('SELECT * FROM runs WHERE scope = ? ORDER BY id DESC LIMIT 1').get(scope) as RunRow | undefined;
    if (last && !last.finished) return { run: last, resumed: true };
    const info = this.db.prepare('INSERT INTO runs(scope, started) VALUES (?, ?)').run(scope, now);
    return { run: this.db.prepare('SELECT * FROM runs WHERE id = ?').get(info.lastInsertRowid) as RunRow, resumed: false };
  }

  finishRun(run: number, now: string, stats: unknown): void {
    this.db.prepare('UPDATE runs SET finished = ?, stats = ? WHERE id = ?').run(now, JSON.stringify(stats), run);
  }

  saveStats(run: number, stats: unknown): void {
    this.db.prepare('UPDATE runs SET stats = ? WHERE id = ?').run(JSON.stringify(stats), run);
  }

  searchDone(run: number): void {
    this.db.prepare('UPDATE runs SET search_done = 1 WHERE id = ?').run(run);
  }

  /** An item `--all`'s search listed (pages at any depth, databases): `parent` its parent's id, `block:<id>` or null. */
  addVisible(run: number, id: string, kind: ItemKind, parent: string | null): void {
    this.db.prepare('INSERT OR IGNORE INTO visible(run, id, kind, parent) VALUES (?,?,?,?)').run(run, id, kind, parent);
  }

  /** Listed items whose parent was not listed (not shared with the integration, or the workspace): the roots. */
  /** A batch of them after `afterRowid` (keyset): a workspace with many top-level pages is never held whole. */
  visibleRoots(run: number, afterRowid: number, limit: number): Array<{ rowid: number; id: string; kind: ItemKind }> {
    return this.db
      .prepare("SELECT rowid, id, kind FROM visible WHERE run = ? AND rowid > ? AND (parent IS NULL OR (parent NOT LIKE 'block:%' AND parent NOT IN (SELECT id FROM visible WHERE run = ?))) ORDER BY rowid LIMIT ?")
      .all(run, afterRowid, run, limit) as Array<{ rowid: number; id: string; kind: ItemKind }>;
  }

  /**
   * Up to `limit` listed items the walk from the roots did not reach (e.g. in a block of a page not shared): roots
   * too. Once queued they leave this list, so the next call gives the next batch.
   */
  visibleUnreached(run: number, limit: number): Array<{ id: string; kind: ItemKind }> {
    return this.db
      .prepare('SELECT v.id, v.kind FROM visible v WHERE v.run = ? AND NOT EXISTS (SELECT 1 FROM items i WHERE i.id = v.id AND (i.seen_run = ? OR i.queued_run = ?)) ORDER BY v.rowid LIMIT ?')
      .all(run, run, run, limit) as Array<{ id: string; kind: ItemKind }>;
  }

  get(id: string): ItemRow | undefined {
    return this.db.prepare('SELECT * FROM items WHERE id = ?').get(id) as ItemRow | undefined;
  }

  /**
   * Queues an item for the run (inserting it with its place when new). An item already finished in this run is left
   * alone; a known item keeps its path (files do not move when a title changes in Notion).
   */
  enqueue(run: number, item: { id: string; kind: ItemKind; space: string; parent: string | null; title?: string | undefined; path?: string | undefined; edited?: string | undefined; extra?: string | undefined }): void {
    const existing = this.get(item.id);
    if (!existing) {
      this.db
        .prepare('INSERT INTO items(id, kind, space, parent, seq, title, title_key, path, path_key, edited, extra, queued_run) VALUES (?,?,?,?,?,?,?,?,?,NULL,?,?)')
        .run(item.id, item.kind, item.space, item.parent, ++this.seq, item.title ?? null, item.title ? item.title.toLowerCase() : null, item.path ?? null, item.path ? item.path.toLowerCase() : null, item.extra ?? null, run);
      if (item.edited !== undefined) this.db.prepare('UPDATE items SET extra = json_set(COALESCE(extra, \'{}\'), \'$.listedEdited\', ?) WHERE id = ?').run(item.edited, item.id);
      return;
    }
    if (existing.seen_run === run) return;
    this.db.prepare('UPDATE items SET queued_run = ?, parent = COALESCE(?, parent), extra = COALESCE(?, extra) WHERE id = ?').run(run, item.parent, item.extra ?? null, item.id);
    if (item.edited !== undefined) this.db.prepare('UPDATE items SET extra = json_set(COALESCE(extra, \'{}\'), \'$.listedEdited\', ?) WHERE id = ?').run(item.edited, item.id);
  }

  /** Up to `limit` queued, unfinished items of the run, oldest first, skipping those in `busy`. */
  frontier(run: number, limit: number, busy: ReadonlySet<string>): ItemRow[] {
    const rows = this.db.prepare('SELECT * FROM items WHERE queued_run = ? AND seen_run < ? ORDER BY seq LIMIT ?').all(run, run, limit + busy.size) as ItemRow[];
    return rows.filter((r) => !busy.has(r.id)).slice(0, limit);
  }

  pendingCount(run: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM items WHERE queued_run = ? AND seen_run < ?').get(run, run) as { n: number }).n;
  }

  doneCount(run: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM items WHERE seen_run = ?').get(run) as { n: number }).n;
  }

  titleTaken(space: string, title: string, id: string): boolean {
    return this.db.prepare('SELECT 1 FROM items WHERE space = ? AND title_key = ? AND id <> ? LIMIT 1').get(space, title.toLowerCase(), id) !== undefined;
  }

  /** The file at `path` is one this import wrote (a page pushed since is synced under the same path). */
  pathOwned(path: string): boolean {
    return this.db.prepare('SELECT 1 FROM items WHERE path_key = ? LIMIT 1').get(path.toLowerCase()) !== undefined;
  }

  pathTaken(path: string, id: string): boolean {
    return this.db.prepare('SELECT 1 FROM items WHERE path_key = ? AND id <> ? LIMIT 1').get(path.toLowerCase(), id) !== undefined;
  }

  setPlace(id: string, title: string, path: string | null): void {
    this.db.prepare('UPDATE items SET title = ?, title_key = ?, path = COALESCE(path, ?), path_key = COALESCE(path_key, ?) WHERE id = ?').run(title, title.toLowerCase(), path, path ? path.toLowerCase() : null, id);
  }

  /** An item unchanged in Notion: finished without new content; its known children are queued again. */
  finishUnchanged(run: number, id: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE items SET queued_run = ? WHERE parent = ? AND seen_run < ?').run(run, id, run);
      this.db.prepare('UPDATE items SET seen_run = ? WHERE id = ?').run(run, id);
    })();
  }

  /** An item fetched and rendered: its storage, its files, its children queued, and the checkpoint, atomically. */
  finish(run: number, id: string, r: { edited: string | null; storage: string; hasFile: boolean; files: Array<{ block: string; name: string }>; children: () => void }): void {
    this.db.transaction(() => {
      r.children();
      for (const f of r.files) this.db.prepare('INSERT OR REPLACE INTO files(item, block, name) VALUES (?,?,?)').run(id, f.block, f.name);
      this.db.prepare('UPDATE items SET edited = ?, storage = ?, has_file = ?, seen_run = ? WHERE id = ?').run(r.edited, r.storage, r.hasFile ? 1 : 0, run, id);
    })();
  }

  /** An item Notion reports as trashed or no longer shared: finished in this run, to be removed locally. */
  finishGone(run: number, id: string): void {
    this.db.prepare('UPDATE items SET gone = 1, seen_run = ? WHERE id = ?').run(run, id);
  }

  /** A page moved in Notion: its new place (the file moves in the write phase). */
  relocate(id: string, parent: string | null, path: string): void {
    this.db.prepare('UPDATE items SET parent = ?, moved_from = COALESCE(moved_from, path), path = ?, path_key = ? WHERE id = ?').run(parent, path, path.toLowerCase(), id);
  }

  /** The move is done (or given up: `path` is then the old place again). */
  settleMove(id: string, path: string): void {
    this.db.prepare('UPDATE items SET moved_from = NULL, path = ?, path_key = ? WHERE id = ?').run(path, path.toLowerCase(), id);
  }

  /**
   * Items the previous finished run of this scope imported that this run did not reach, or that Notion reports gone:
   * their files are removed (when unedited). Items another import has seen since are left alone. In batches after
   * `afterSeq` (keyset), so a large deletion is never held whole.
   */
  goneItems(run: number, scope: string, space: string, afterSeq: number, limit: number): ItemRow[] {
    const prev = (this.db.prepare('SELECT MAX(id) AS id FROM runs WHERE scope = ? AND id < ? AND finished IS NOT NULL').get(scope, run) as { id: number | null }).id;
    return this.db
      .prepare('SELECT * FROM items WHERE space = ? AND ((seen_run = ? AND seen_run < ?) OR (seen_run = ? AND gone = 1)) AND seq > ? ORDER BY seq LIMIT ?')
      .all(space, prev ?? -1, run, run, afterSeq, limit) as ItemRow[];
  }

  files(item: string): string[] {
    return (this.db.prepare('SELECT name FROM files WHERE item = ?').all(item) as Array<{ name: string }>).map((r) => r.name);
  }

  /** Forgets an item (its file was removed, or kept as a local file no longer imported). */
  forget(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM files WHERE item = ?').run(id);
      this.db.prepare('DELETE FROM items WHERE id = ?').run(id);
    })();
  }

  fileName(item: string, block: string): string | undefined {
    return (this.db.prepare('SELECT name FROM files WHERE item = ? AND block = ?').get(item, block) as { name: string } | undefined)?.name;
  }

  fileNameTaken(item: string, name: string, block: string): boolean {
    return this.db.prepare('SELECT 1 FROM files WHERE item = ? AND lower(name) = lower(?) AND block <> ?').get(item, name, block) !== undefined;
  }

  /** Items of the run still to be written to files, in pages (keyset on seq). */
  toWrite(run: number, afterSeq: number, limit: number): ItemRow[] {
    return this.db.prepare('SELECT * FROM items WHERE seen_run = ? AND written_run < ? AND seq > ? ORDER BY seq LIMIT ?').all(run, run, afterSeq, limit) as ItemRow[];
  }

  written(run: number, id: string, hash: string | null, conflictHash: string | null): void {
    this.db.prepare('UPDATE items SET written_run = ?, written_hash = COALESCE(?, written_hash), conflict_hash = ? WHERE id = ?').run(run, hash, conflictHash, id);
  }

  /** The file of the space's page titled exactly `title` (links between imported pages), by index. */
  pathOfTitle(space: string, title: string): string | undefined {
    return (this.db.prepare('SELECT path FROM items WHERE space = ? AND title_key = ? AND title = ? AND has_file = 1 AND path IS NOT NULL LIMIT 1').get(space, title.toLowerCase(), title) as { path: string } | undefined)?.path;
  }

  /** The title of the space's page whose file is exactly `path`, by index. */
  titleOfPath(space: string, path: string): string | undefined {
    return (this.db.prepare('SELECT title FROM items WHERE path_key = ? AND path = ? AND space = ? AND has_file = 1 AND title IS NOT NULL LIMIT 1').get(path.toLowerCase(), path, space) as { title: string } | undefined)?.title;
  }

  close(): void {
    this.db.close();
  }
}
