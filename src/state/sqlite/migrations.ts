/**
 * Numbered migrations. Each runs once, in order, inside a transaction; PRAGMA user_version records the last one.
 * Never edit a released migration: add the next number.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the synced base
  `CREATE TABLE spaces (
     key TEXT PRIMARY KEY,
     id TEXT NOT NULL,
     homepage_id TEXT
   );
   CREATE TABLE pages (
     id TEXT PRIMARY KEY,
     space_key TEXT NOT NULL REFERENCES spaces(key),
     parent_id TEXT,
     title TEXT NOT NULL,
     position INTEGER,
     version INTEGER NOT NULL,
     path TEXT NOT NULL,
     hash TEXT NOT NULL,
     size INTEGER NOT NULL,
     mtime_ms REAL NOT NULL,
     base TEXT NOT NULL,
     labels TEXT NOT NULL DEFAULT '[]',
     status TEXT NOT NULL DEFAULT 'synced'
   );
   CREATE UNIQUE INDEX pages_path ON pages(path);
   CREATE INDEX pages_space ON pages(space_key);
   CREATE TABLE attachments (
     id TEXT PRIMARY KEY,
     page_id TEXT NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
     file_name TEXT NOT NULL,
     version INTEGER NOT NULL,
     size INTEGER NOT NULL,
     media_type TEXT NOT NULL,
     path TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE INDEX attachments_page ON attachments(page_id);
   CREATE TABLE conflicts (
     page_id TEXT PRIMARY KEY,
     path TEXT NOT NULL,
     copy_path TEXT,
     remote_version INTEGER NOT NULL,
     kind TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     command TEXT NOT NULL,
     started_at TEXT NOT NULL,
     ended_at TEXT,
     status TEXT NOT NULL,
     counts TEXT NOT NULL DEFAULT '{}',
     error TEXT
   );
   CREATE TABLE staged_bodies (
     page_id TEXT PRIMARY KEY,
     version INTEGER NOT NULL,
     body TEXT NOT NULL
   );`,
  // 2: attachment push — a stat fast path (mtime) and attachment conflicts (both sides changed the file).
  `ALTER TABLE attachments ADD COLUMN mtime_ms REAL NOT NULL DEFAULT 0;
   ALTER TABLE attachments ADD COLUMN status TEXT NOT NULL DEFAULT 'synced';
   ALTER TABLE attachments ADD COLUMN copy_path TEXT;`,
  // 3: pending creates — written before a create request, removed with the page's record, so a run that stops in
  // between can recognise its page later (after a remote rename or move, a local move, or a pull in between).
  `CREATE TABLE pending_creates (
     path TEXT PRIMARY KEY,
     space_key TEXT NOT NULL,
     title TEXT NOT NULL,
     parent_id TEXT,
     body_hash TEXT NOT NULL,
     text TEXT NOT NULL,
     started_at TEXT NOT NULL
   );
   CREATE INDEX pending_creates_space ON pending_creates(space_key);`,
  // 4: the storage body of each page's synced base (what the server held at that version): the Markdown file leaves
  // out what Confluence adds on save (local ids, macro ids, …) and a push puts it back from here.
  `CREATE TABLE base_bodies (
     page_id TEXT PRIMARY KEY,
     version INTEGER NOT NULL,
     body TEXT NOT NULL
   );`,
  // 5: pending updates — written before an update request, removed with the page's new record, so a run that stops
  // in between recognises its own write (the version it made, with the body it sent) instead of taking it for
  // someone else's edit (src/engine/sent.ts).
  `CREATE TABLE pending_updates (
     page_id TEXT PRIMARY KEY,
     space_key TEXT NOT NULL,
     path TEXT NOT NULL,
     from_version INTEGER NOT NULL,
     version INTEGER NOT NULL,
     title TEXT NOT NULL,
     parent_id TEXT,
     body_hash TEXT NOT NULL,
     text TEXT NOT NULL,
     file_hash TEXT NOT NULL,
     labels_from TEXT NOT NULL,
     labels TEXT NOT NULL,
     started_at TEXT NOT NULL
   );
   CREATE INDEX pending_updates_space ON pending_updates(space_key);`,
  // 6: relative links a push could not make page links (their file was not a page yet), per page: the push that
  // creates the target page finds the pages to write again here, without listing anything (src/engine/push/relink.ts).
  `CREATE TABLE unresolved_links (
     page_id TEXT NOT NULL,
     target TEXT NOT NULL,
     PRIMARY KEY (page_id, target)
   );
   CREATE INDEX unresolved_links_target ON unresolved_links(target);`,
  // 7: merge bases and storage bodies may be stored deflated (BLOB; store.ts pack/unpack). No table changes: the
  // number keeps an older csync, which would read the bytes as text, from opening the file.
  `SELECT 1;`,
];
