/**
 * A space's remote listing in a temporary table of the state database (never in the file: TEMP tables live in the
 * connection's temp store and go with it). A pull streams the listing in, 250 pages at a time; page paths are
 * assigned in SQL (names from the same JS functions as file-names.ts, sibling collisions settled per folder in JS
 * with assignPaths itself), and the comparison with the base (new, gone, version, path or labels changed) is a join:
 * only the pages that may need an action come back to JavaScript. A no-op pull of a large space holds no per-page
 * structure in memory.
 */
import type Database from 'better-sqlite3';
import { assignPaths, nameKey, safeName } from '../../core/file-names.js';
import type { BasePageMeta, ListedPage, RemoteListingTable } from '../types.js';

const NO_LABELS: string[] = Object.freeze([]) as unknown as string[];

const SCHEMA = `CREATE TEMP TABLE IF NOT EXISTS remote_listing (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  parent_id TEXT,
  version INTEGER NOT NULL,
  position INTEGER,
  labels TEXT NOT NULL DEFAULT '[]',
  name TEXT,
  name_key TEXT,
  folder TEXT,
  path TEXT
);
CREATE INDEX IF NOT EXISTS temp.remote_listing_folder ON remote_listing(folder, name_key);
CREATE TEMP TABLE IF NOT EXISTS remote_paths (id TEXT PRIMARY KEY, path TEXT NOT NULL) WITHOUT ROWID;`;

interface ListingRow {
  id: string;
  title: string;
  parent_id: string | null;
  version: number;
  position: number | null;
  labels: string;
  path: string | null;
}

interface BaseRow {
  b_id: string;
  b_space_key: string;
  b_parent_id: string | null;
  b_title: string;
  b_position: number | null;
  b_version: number;
  b_path: string;
  b_hash: string;
  b_size: number;
  b_mtime_ms: number;
  b_labels: string;
  b_status: BasePageMeta['status'];
}

const BASE_COLUMNS = 'p.id AS b_id, p.space_key AS b_space_key, p.parent_id AS b_parent_id, p.title AS b_title, p.position AS b_position, p.version AS b_version, p.path AS b_path, p.hash AS b_hash, p.size AS b_size, p.mtime_ms AS b_mtime_ms, p.labels AS b_labels, p.status AS b_status';

const labelsOf = (json: string): string[] => (json === '[]' ? NO_LABELS : (JSON.parse(json) as string[]));

const toListed = (r: ListingRow): ListedPage & { path: string | undefined } => ({
  id: r.id,
  title: r.title,
  parentId: r.parent_id,
  version: r.version,
  position: r.position,
  labels: labelsOf(r.labels),
  path: r.path ?? undefined,
});

const toBase = (r: BaseRow): BasePageMeta => ({
  id: r.b_id,
  spaceKey: r.b_space_key,
  parentId: r.b_parent_id,
  title: r.b_title,
  position: r.b_position,
  version: r.b_version,
  path: r.b_path,
  hash: r.b_hash,
  size: r.b_size,
  mtimeMs: r.b_mtime_ms,
  labels: labelsOf(r.b_labels),
  status: r.b_status,
});

export function remoteListingTable(db: Database.Database): RemoteListingTable {
  db.function('csync_safe_name', { deterministic: true }, (title: unknown) => safeName(String(title)));
  db.function('csync_name_key', { deterministic: true }, (name: unknown) => nameKey(String(name)));
  db.exec(SCHEMA);
  // The temp store's page cache (16 MB by default in this build, like the main database's) would hold most of a
  // 100k-page listing in memory; 2 MB is enough for the joins (the rest stays in the temp file, in the OS cache).
  db.pragma('temp.cache_size = -2000');
  db.exec('DELETE FROM remote_listing; DELETE FROM remote_paths;');
  const q = {
    add: db.prepare(
      `INSERT INTO remote_listing(id, title, parent_id, version, position, labels) VALUES (?, ?, ?, ?, ?, '[]')
       ON CONFLICT(id) DO UPDATE SET title = excluded.title, parent_id = excluded.parent_id, version = excluded.version, position = excluded.position`,
    ),
    setLabels: db.prepare('UPDATE remote_listing SET labels = ? WHERE id = ?'),
    count: db.prepare('SELECT count(*) AS n FROM remote_listing'),
    entry: db.prepare('SELECT id, title, parent_id, version, position, labels, path FROM remote_listing WHERE id = ?'),
    pathOf: db.prepare('SELECT path FROM remote_listing WHERE id = ?'),
    entries: db.prepare('SELECT seq, id, title, path FROM remote_listing WHERE path IS NOT NULL AND seq > ? ORDER BY seq LIMIT 1000'),
    names: db.prepare('UPDATE remote_listing SET name = csync_safe_name(title)'),
    keys: db.prepare('UPDATE remote_listing SET name_key = csync_name_key(name)'),
    // A page whose parent is not listed (the space home's parent) is a root, as in assignPaths.
    folders: db.prepare('UPDATE remote_listing SET folder = CASE WHEN parent_id IS NOT NULL AND EXISTS (SELECT 1 FROM remote_listing p WHERE p.id = remote_listing.parent_id) THEN parent_id END'),
    collided: db.prepare('SELECT DISTINCT folder FROM remote_listing GROUP BY folder, name_key HAVING count(*) > 1'),
    siblings: db.prepare('SELECT id, title FROM remote_listing WHERE folder IS ?'),
    setName: db.prepare('UPDATE remote_listing SET name = ? WHERE id = ?'),
    // Depth as in assignPaths: roots at 0, children below a page at depth < 64 (a cycle is never reached).
    tree: db.prepare(
      `INSERT INTO remote_paths(id, path)
       WITH RECURSIVE tree(id, rel, depth) AS (
         SELECT id, name, 0 FROM remote_listing WHERE folder IS NULL
         UNION ALL
         SELECT c.id, tree.rel || '/' || c.name, tree.depth + 1 FROM remote_listing c JOIN tree ON c.folder = tree.id WHERE tree.depth < 64
       )
       SELECT id, 'content/' || @space || '/' || rel || @ext FROM tree`,
    ),
    setPaths: db.prepare('UPDATE remote_listing SET path = remote_paths.path FROM remote_paths WHERE remote_paths.id = remote_listing.id'),
    // Remote pages that may need an action: new, or version, path or label list not the base's (labels are compared
    // as sets by the planner; a different JSON text only brings the page back to it).
    changed: db.prepare(
      `SELECT r.id, r.title, r.parent_id, r.version, r.position, r.labels, r.path, ${BASE_COLUMNS}
       FROM remote_listing r LEFT JOIN pages p ON p.id = r.id AND p.space_key = @space
       WHERE p.id IS NULL OR r.path IS NULL OR p.version != r.version OR p.path != r.path OR p.labels != r.labels
       ORDER BY r.seq`,
    ),
    // A first pull's new pages, a batch at a time by keyset on the listing order (pages recorded meanwhile drop out).
    newPages: db.prepare(
      `SELECT r.seq, r.id, r.title, r.parent_id, r.version, r.position, r.labels, r.path FROM remote_listing r
       WHERE r.seq > @after AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.id = r.id AND p.space_key = @space)
       ORDER BY r.seq LIMIT @limit`,
    ),
    gone: db.prepare(`SELECT ${BASE_COLUMNS} FROM pages p WHERE p.space_key = ? AND NOT EXISTS (SELECT 1 FROM remote_listing r WHERE r.id = p.id)`),
    base: db.prepare(`SELECT ${BASE_COLUMNS} FROM pages p WHERE p.id = ? AND p.space_key = ?`),
    baseCount: db.prepare('SELECT count(*) AS n FROM pages WHERE space_key = ?'),
    tracked: db.prepare('SELECT 1 FROM pages WHERE path = ?'),
  };
  return {
    add: (pages) =>
      db.transaction(() => {
        for (const p of pages) q.add.run(p.id, p.title, p.parentId, p.version, p.position);
      })(),
    setLabels: (labels) =>
      db.transaction(() => {
        for (const [id, list] of labels) if (list.length) q.setLabels.run(JSON.stringify(list), id);
      })(),
    count: () => (q.count.get() as { n: number }).n,
    assignPaths: (spaceKey, ext) =>
      db.transaction(() => {
        q.names.run();
        q.keys.run();
        q.folders.run();
        // Siblings whose names collide (ignoring case and normalisation) are named by assignPaths itself, one folder
        // at a time: the id order and the suffix rules stay in one place. Folders without a collision keep the names.
        for (const { folder } of q.collided.all() as Array<{ folder: string | null }>) {
          const kids = q.siblings.all(folder) as Array<{ id: string; title: string }>;
          for (const [id, name] of assignPaths(kids.map((k) => ({ id: k.id, title: k.title, parentId: null })))) q.setName.run(name, id);
        }
        db.exec('DELETE FROM remote_paths');
        q.tree.run({ space: spaceKey, ext });
        q.setPaths.run();
        db.exec('DELETE FROM remote_paths');
      })(),
    changed: (spaceKey) => {
      const out: Array<{ remote: ListedPage & { path: string | undefined }; base: BasePageMeta | undefined }> = [];
      for (const r of q.changed.iterate({ space: spaceKey }) as IterableIterator<ListingRow & Partial<BaseRow>>) {
        out.push({ remote: toListed(r), base: r.b_id === null || r.b_id === undefined ? undefined : toBase(r as BaseRow) });
      }
      return out;
    },
    newPages: (spaceKey, afterSeq, limit) =>
      (q.newPages.all({ space: spaceKey, after: afterSeq, limit }) as Array<ListingRow & { seq: number }>).map((r) => ({ seq: r.seq, remote: toListed(r) })),
    gone: (spaceKey) => (q.gone.all(spaceKey) as BaseRow[]).map(toBase),
    entry: (id) => {
      const r = q.entry.get(id) as ListingRow | undefined;
      return r ? toListed(r) : undefined;
    },
    path: (id) => (q.pathOf.get(id) as { path: string | null } | undefined)?.path ?? undefined,
    *entries() {
      // A thousand rows at a time: the caller may use the database between them.
      for (let after = 0; ; ) {
        const part = q.entries.all(after) as Array<{ seq: number; id: string; title: string; path: string }>;
        for (const r of part) yield r;
        if (part.length < 1000) return;
        after = part[part.length - 1]!.seq;
      }
    },
    base: (id, spaceKey) => {
      const r = q.base.get(id, spaceKey) as BaseRow | undefined;
      return r ? toBase(r) : undefined;
    },
    baseCount: (spaceKey) => (q.baseCount.get(spaceKey) as { n: number }).n,
    tracked: (path) => q.tracked.get(path) !== undefined,
    clear: () => db.exec('DELETE FROM remote_listing; DELETE FROM remote_paths;'),
  };
}
