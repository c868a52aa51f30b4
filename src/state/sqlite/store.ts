/** The state store on better-sqlite3: WAL, foreign keys, numbered migrations; SQL stays in this file. */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { CsyncError } from '../../core/errors.js';
import type { BaseAttachment, BasePage, BasePageMeta, ConflictRecord, PendingUpdate, StateStore } from '../types.js';
import { remoteListingTable } from './listing.js';
import { MIGRATIONS } from './migrations.js';

interface PageRow {
  id: string;
  space_key: string;
  parent_id: string | null;
  title: string;
  position: number | null;
  version: number;
  path: string;
  hash: string;
  size: number;
  mtime_ms: number;
  base: string | Buffer;
  labels: string;
  status: BasePage['status'];
}

/** Every row brings its own copy of the same few strings; a large space keeps one of each (shared, never mutated). */
function interner(): (s: string) => string {
  const seen = new Map<string, string>();
  return (s) => {
    const known = seen.get(s);
    if (known !== undefined) return known;
    if (seen.size < 64) seen.set(s, s);
    return s;
  };
}

const NO_LABELS: string[] = Object.freeze([]) as unknown as string[];

/**
 * Merge bases and storage bodies (staged and synced) are stored deflated (schema 7): they were two thirds of a
 * 100k-page space's 1.45 GB state.db, the same text twice in the storage format. Rows an older csync wrote stay text
 * and are read as they are.
 */
const pack = (text: string): Buffer => deflateRawSync(text, { level: 1 });
export const unpack = (v: string | Buffer): string => (typeof v === 'string' ? v : inflateRawSync(v).toString('utf8'));

const toPageMeta = (r: Omit<PageRow, 'base'>, intern: (s: string) => string): BasePageMeta => ({
  id: r.id,
  spaceKey: intern(r.space_key),
  parentId: r.parent_id,
  title: r.title,
  position: r.position,
  version: r.version,
  path: r.path,
  hash: r.hash,
  size: r.size,
  mtimeMs: r.mtime_ms,
  labels: r.labels === '[]' ? NO_LABELS : (JSON.parse(r.labels) as string[]),
  status: intern(r.status) as BasePageMeta['status'],
});

const META_COLUMNS = 'id, space_key, parent_id, title, position, version, path, hash, size, mtime_ms, labels, status';

const toPage = (r: PageRow): BasePage => ({
  ...toPageMeta(r, (s) => s),
  // A full page owns its label list (the shared frozen empty list is for metadata rows only).
  labels: JSON.parse(r.labels) as string[],
  base: unpack(r.base),
});

interface AttRow {
  id: string;
  page_id: string;
  file_name: string;
  version: number;
  size: number;
  media_type: string;
  path: string;
  hash: string;
  mtime_ms: number;
  status: string;
  copy_path: string | null;
}

/**
 * How recent a file's mtime may be when its record is saved and still be trusted by the stat fast path later.
 * Filesystems keep mtimes in coarse ticks (Linux: the kernel's jiffy clock, 1-10 ms; ext3, HFS+: 1 s; FAT: 2 s): a
 * file written again within the tick of the mtime recorded keeps that mtime, and with the same size the fast path
 * would take it for unchanged for good (a local edit never pushed; the next remote change overwrites it). A record
 * saved within this long of its file's mtime is stored without the mtime (0: hash the file next time), the way git
 * treats "racily clean" index entries; the next scan that finds the file unchanged stores its mtime then.
 */
export const RACY_MTIME_MS = 2_500;

const trustedMtime = (mtimeMs: number): number => (mtimeMs > 0 && Date.now() - mtimeMs < RACY_MTIME_MS ? 0 : mtimeMs);

/** The named parameters of the pages table for everything but the base text. */
const metaRow = (p: BasePageMeta) => ({
  id: p.id,
  space_key: p.spaceKey,
  parent_id: p.parentId,
  title: p.title,
  position: p.position,
  version: p.version,
  path: p.path,
  hash: p.hash,
  size: p.size,
  mtime_ms: trustedMtime(p.mtimeMs),
  labels: JSON.stringify(p.labels),
  status: p.status,
});

const toAtt = (r: AttRow): BaseAttachment => ({
  id: r.id,
  pageId: r.page_id,
  fileName: r.file_name,
  version: r.version,
  size: r.size,
  mediaType: r.media_type,
  path: r.path,
  hash: r.hash,
  mtimeMs: r.mtime_ms,
  status: r.status === 'conflict' ? 'conflict' : 'synced',
  copyPath: r.copy_path,
});

function migrate(db: Database.Database, from: number): void {
  for (let i = from; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

/**
 * A read-only open of a state.db an older csync wrote: the file is not touched (read-only commands and dry runs
 * promise to change nothing, may run while a daemon holds the lock, and may have no write access); an in-memory
 * copy is migrated and read instead. The next writing command (pull, push, sync) migrates the file itself.
 */
function migratedCopy(db: Database.Database, from: number): Database.Database {
  const image = db.serialize();
  db.close();
  // The file is in WAL mode (header bytes 18-19 = 2); an in-memory database cannot open a WAL image: mark it as a
  // rollback-journal database (1). The copy holds every committed transaction, WAL included (serialize reads through the pager).
  image[18] = 1;
  image[19] = 1;
  const copy = new Database(image);
  copy.pragma('foreign_keys = ON');
  migrate(copy, from);
  return copy;
}

interface PendingUpdateRow {
  page_id: string;
  space_key: string;
  path: string;
  from_version: number;
  version: number;
  title: string;
  parent_id: string | null;
  body_hash: string;
  text: string;
  file_hash: string;
  labels_from: string;
  labels: string;
  started_at: string;
}

const pendingUpdateRow = (p: PendingUpdate): PendingUpdateRow => ({
  page_id: p.pageId,
  space_key: p.spaceKey,
  path: p.path,
  from_version: p.fromVersion,
  version: p.version,
  title: p.title,
  parent_id: p.parentId,
  body_hash: p.bodyHash,
  text: p.text,
  file_hash: p.fileHash,
  labels_from: JSON.stringify(p.labelsFrom),
  labels: JSON.stringify(p.labels),
  started_at: p.startedAt,
});

const toPendingUpdate = (r: PendingUpdateRow): PendingUpdate => ({
  pageId: r.page_id,
  spaceKey: r.space_key,
  path: r.path,
  fromVersion: r.from_version,
  version: r.version,
  title: r.title,
  parentId: r.parent_id,
  bodyHash: r.body_hash,
  text: r.text,
  fileHash: r.file_hash,
  labelsFrom: JSON.parse(r.labels_from) as string[],
  labels: JSON.parse(r.labels) as string[],
  startedAt: r.started_at,
});

/**
 * `scratch`: a read-only open whose reads and writes go to an in-memory copy (migrated when older); the file is never
 * written. A dry run settles a stopped run's pending records in it, as the real run would, and plans on the result.
 */
export function openStateStore(path: string, options: { readonly?: boolean; scratch?: boolean } = {}): StateStore {
  if (options.scratch) options = { ...options, readonly: true };
  let db: Database.Database;
  let fileSchema = 0;
  try {
    if (!options.readonly) mkdirSync(dirname(path), { recursive: true });
    // A read-only open leaves the folder as it was. A read-only connection would leave the WAL's `-wal` and `-shm`
    // files behind (it may not remove them); a connection that may write, and is kept from writing (query_only),
    // removes them when it closes as the last one, and has nothing to checkpoint when no `-wal` was there before.
    // When a `-wal` is there (a writer is open, or one was killed), the read-only connection changes nothing.
    const peek = options.readonly === true && !existsSync(`${path}-wal`);
    db = new Database(path, { readonly: (options.readonly ?? false) && !peek, fileMustExist: options.readonly ?? false });
    if (peek) db.pragma('query_only = ON');
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // 4 MiB of page cache (this build's default is 16 MB): a pull of a large space reads and writes every page
    // record, and a bigger cache only grew the process's memory with the space (the OS caches the file anyway).
    db.pragma('cache_size = -4096');
    const current = db.pragma('user_version', { simple: true }) as number;
    fileSchema = current;
    if (current > MIGRATIONS.length) {
      db.close();
      throw new CsyncError('CSYNC_WORKSPACE', `${path} was written by a newer csync (state schema ${current}; this csync knows up to ${MIGRATIONS.length})`, {
        hint: 'upgrade csync (npm install -g confluence-sync), or move cache/state.db aside and pull again',
      });
    }
    if (!options.readonly) {
      db.pragma('synchronous = NORMAL');
      migrate(db, current);
    } else if (current < MIGRATIONS.length || options.scratch) db = migratedCopy(db, current);
  } catch (err) {
    if (err instanceof CsyncError) throw err;
    throw new CsyncError('CSYNC_IO', `cannot open the state database ${path}: ${(err as Error).message}`, {
      hint: 'run `csync doctor`; if the file is damaged, move cache/state.db aside and pull again (local edits stay in your files)',
      cause: err,
    });
  }
  const q = {
    upsertSpace: db.prepare('INSERT INTO spaces(key, id, homepage_id) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET id = excluded.id, homepage_id = excluded.homepage_id'),
    spaceId: db.prepare('SELECT id FROM spaces WHERE key = ?'),
    pagesOfSpace: db.prepare('SELECT * FROM pages WHERE space_key = ?'),
    pageMetasOfSpace: db.prepare(`SELECT ${META_COLUMNS} FROM pages WHERE space_key = ?`),
    pageMetasWithoutMtime: db.prepare(`SELECT ${META_COLUMNS} FROM pages WHERE space_key = ? AND mtime_ms = 0 AND status = 'synced' AND id > ? ORDER BY id LIMIT ?`),
    attachmentsWithoutMtime: db.prepare("SELECT a.* FROM attachments a JOIN pages p ON p.id = a.page_id WHERE p.space_key = ? AND a.mtime_ms = 0 AND a.status = 'synced' AND a.id > ? ORDER BY a.id LIMIT ?"),
    pageBase: db.prepare('SELECT base FROM pages WHERE id = ?'),
    page: db.prepare('SELECT * FROM pages WHERE id = ?'),
    pageByPath: db.prepare('SELECT * FROM pages WHERE path = ?'),
    allPages: db.prepare('SELECT * FROM pages'),
    savePage: db.prepare(
      `INSERT INTO pages(id, space_key, parent_id, title, position, version, path, hash, size, mtime_ms, base, labels, status)
       VALUES (@id, @space_key, @parent_id, @title, @position, @version, @path, @hash, @size, @mtime_ms, @base, @labels, @status)
       ON CONFLICT(id) DO UPDATE SET space_key = excluded.space_key, parent_id = excluded.parent_id, title = excluded.title,
         position = excluded.position, version = excluded.version, path = excluded.path, hash = excluded.hash, size = excluded.size,
         mtime_ms = excluded.mtime_ms, base = excluded.base, labels = excluded.labels, status = excluded.status`,
    ),
    savePageMeta: db.prepare(
      `UPDATE pages SET space_key = @space_key, parent_id = @parent_id, title = @title, position = @position, version = @version, path = @path,
         hash = @hash, size = @size, mtime_ms = @mtime_ms, labels = @labels, status = @status WHERE id = @id`,
    ),
    deletePage: db.prepare('DELETE FROM pages WHERE id = ?'),
    attachmentsOfSpace: db.prepare('SELECT a.* FROM attachments a JOIN pages p ON p.id = a.page_id WHERE p.space_key = ?'),
    attachmentsOfPage: db.prepare('SELECT * FROM attachments WHERE page_id = ?'),
    saveAttachment: db.prepare(
      `INSERT INTO attachments(id, page_id, file_name, version, size, media_type, path, hash, mtime_ms, status, copy_path)
         VALUES (@id, @page_id, @file_name, @version, @size, @media_type, @path, @hash, @mtime_ms, @status, @copy_path)
       ON CONFLICT(id) DO UPDATE SET page_id = excluded.page_id, file_name = excluded.file_name, version = excluded.version, size = excluded.size,
         media_type = excluded.media_type, path = excluded.path, hash = excluded.hash, mtime_ms = excluded.mtime_ms, status = excluded.status,
         copy_path = excluded.copy_path`,
    ),
    deleteAttachment: db.prepare('DELETE FROM attachments WHERE id = ?'),
    attachmentConflicts: db.prepare("SELECT * FROM attachments WHERE status = 'conflict' ORDER BY path"),
    stage: db.prepare('INSERT INTO staged_bodies(page_id, version, body) VALUES (?, ?, ?) ON CONFLICT(page_id) DO UPDATE SET version = excluded.version, body = excluded.body'),
    staged: db.prepare('SELECT body FROM staged_bodies WHERE page_id = ? AND version = ?'),
    hasStaged: db.prepare('SELECT 1 FROM staged_bodies WHERE page_id = ? AND version = ?').pluck(),
    clearStaged: db.prepare('DELETE FROM staged_bodies WHERE page_id = ?'),
    keepStaged: db.prepare(
      `INSERT INTO base_bodies(page_id, version, body) SELECT page_id, version, body FROM staged_bodies WHERE page_id = ?
       ON CONFLICT(page_id) DO UPDATE SET version = excluded.version, body = excluded.body`,
    ),
    saveBaseBody: db.prepare('INSERT INTO base_bodies(page_id, version, body) VALUES (?, ?, ?) ON CONFLICT(page_id) DO UPDATE SET version = excluded.version, body = excluded.body'),
    baseBody: db.prepare('SELECT body FROM base_bodies WHERE page_id = ? AND version = ?'),
    deleteBaseBody: db.prepare('DELETE FROM base_bodies WHERE page_id = ?'),
    clearUnresolved: db.prepare('DELETE FROM unresolved_links WHERE page_id = ?'),
    addUnresolved: db.prepare('INSERT OR IGNORE INTO unresolved_links(page_id, target) VALUES (?, ?)'),
    relinkable: db
      .prepare(
        `SELECT DISTINCT u.page_id FROM unresolved_links u JOIN pages t ON t.path = u.target JOIN pages s ON s.id = u.page_id
         WHERE s.space_key = ? AND s.status = 'synced' ORDER BY u.page_id`,
      )
      .pluck(),
    unresolvedLinks: db.prepare('SELECT u.page_id AS pageId, u.target FROM unresolved_links u JOIN pages s ON s.id = u.page_id WHERE s.space_key = ? ORDER BY u.page_id, u.target'),
    stagedCount: db.prepare('SELECT count(*) AS n FROM staged_bodies'),
    addConflict: db.prepare(
      `INSERT INTO conflicts(page_id, path, copy_path, remote_version, kind, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(page_id) DO UPDATE SET path = excluded.path, copy_path = excluded.copy_path, remote_version = excluded.remote_version, kind = excluded.kind, created_at = excluded.created_at`,
    ),
    conflicts: db.prepare('SELECT * FROM conflicts ORDER BY path'),
    removeConflict: db.prepare('DELETE FROM conflicts WHERE page_id = ?'),
    addPending: db.prepare(
      `INSERT INTO pending_creates(path, space_key, title, parent_id, body_hash, text, started_at) VALUES (@path, @space_key, @title, @parent_id, @body_hash, @text, @started_at)
       ON CONFLICT(path) DO UPDATE SET space_key = excluded.space_key, title = excluded.title, parent_id = excluded.parent_id, body_hash = excluded.body_hash,
         text = excluded.text, started_at = excluded.started_at`,
    ),
    pending: db.prepare('SELECT * FROM pending_creates WHERE space_key = ? ORDER BY path'),
    removePending: db.prepare('DELETE FROM pending_creates WHERE path = ?'),
    addPendingUpdate: db.prepare(
      `INSERT OR REPLACE INTO pending_updates(page_id, space_key, path, from_version, version, title, parent_id, body_hash, text, file_hash, labels_from, labels, started_at)
       VALUES (@page_id, @space_key, @path, @from_version, @version, @title, @parent_id, @body_hash, @text, @file_hash, @labels_from, @labels, @started_at)`,
    ),
    pendingUpdates: db.prepare('SELECT * FROM pending_updates WHERE space_key = ? ORDER BY page_id'),
    removePendingUpdate: db.prepare('DELETE FROM pending_updates WHERE page_id = ?'),
    startRun: db.prepare("INSERT INTO runs(command, started_at, status) VALUES (?, ?, 'running')"),
    finishRun: db.prepare('UPDATE runs SET ended_at = ?, status = ?, counts = ?, error = ? WHERE id = ?'),
    lastRuns: db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT ?'),
  };
  return {
    path,
    schema: { file: options.readonly ? fileSchema : MIGRATIONS.length, current: MIGRATIONS.length },
    upsertSpace: (key, id, homepageId) => void q.upsertSpace.run(key, id, homepageId),
    spaceId: (key) => (q.spaceId.get(key) as { id: string } | undefined)?.id,
    pagesOfSpace: (key) => (q.pagesOfSpace.all(key) as PageRow[]).map(toPage),
    pageMetasOfSpace: (key) => {
      // Row by row: the rows of a 100,000-page space are never all in memory at once next to their results.
      const out: BasePageMeta[] = [];
      const intern = interner();
      for (const r of q.pageMetasOfSpace.iterate(key) as IterableIterator<Omit<PageRow, 'base'>>) out.push(toPageMeta(r, intern));
      return out;
    },
    pageMetasWithoutMtime: (key, afterId, limit) => {
      const intern = interner();
      return (q.pageMetasWithoutMtime.all(key, afterId, limit) as Array<Omit<PageRow, 'base'>>).map((r) => toPageMeta(r, intern));
    },
    attachmentsWithoutMtime: (key, afterId, limit) => (q.attachmentsWithoutMtime.all(key, afterId, limit) as AttRow[]).map(toAtt),
    pageBase: (id) => {
      const r = q.pageBase.get(id) as { base: string | Buffer } | undefined;
      return r ? unpack(r.base) : undefined;
    },
    page: (id) => {
      const r = q.page.get(id) as PageRow | undefined;
      return r ? toPage(r) : undefined;
    },
    pageByPath: (p) => {
      const r = q.pageByPath.get(p) as PageRow | undefined;
      return r ? toPage(r) : undefined;
    },
    allPages: () => (q.allPages.all() as PageRow[]).map(toPage),
    savePage: (p) => void q.savePage.run({ ...metaRow(p), base: pack(p.base) }),
    savePageMeta: (p) => {
      const r = q.savePageMeta.run(metaRow(p));
      if (r.changes !== 1) throw new CsyncError('CSYNC_INTERNAL', `state: page ${p.id} is not stored; its metadata cannot be updated alone`);
    },
    deletePage: (id) => {
      q.deletePage.run(id);
      q.deleteBaseBody.run(id);
      q.clearUnresolved.run(id);
    },
    attachmentsOfSpace: (key) => (q.attachmentsOfSpace.all(key) as AttRow[]).map(toAtt),
    attachmentsOfPage: (id) => (q.attachmentsOfPage.all(id) as AttRow[]).map(toAtt),
    saveAttachment: (a) =>
      void q.saveAttachment.run({
        id: a.id,
        page_id: a.pageId,
        file_name: a.fileName,
        version: a.version,
        size: a.size,
        media_type: a.mediaType,
        path: a.path,
        hash: a.hash,
        mtime_ms: trustedMtime(a.mtimeMs),
        status: a.status,
        copy_path: a.copyPath,
      }),
    deleteAttachment: (id) => void q.deleteAttachment.run(id),
    attachmentConflicts: () => (q.attachmentConflicts.all() as AttRow[]).map(toAtt),
    stageBodies: (bodies) => db.transaction(() => bodies.forEach((b) => q.stage.run(b.id, b.version, pack(b.body))))(),
    stagedBody: (id, version) => {
      const r = q.staged.get(id, version) as { body: string | Buffer } | undefined;
      return r ? unpack(r.body) : undefined;
    },
    hasStagedBody: (id, version) => q.hasStaged.get(id, version) !== undefined,
    stagedCount: () => (q.stagedCount.get() as { n: number }).n,
    clearStaged: (id) => {
      // The staged body is the version being recorded: it stays as the base's storage body.
      q.keepStaged.run(id);
      q.clearStaged.run(id);
    },
    saveBaseBody: (id, version, body) => void q.saveBaseBody.run(id, version, pack(body)),
    baseBody: (id, version) => {
      const r = q.baseBody.get(id, version) as { body: string | Buffer } | undefined;
      return r ? unpack(r.body) : undefined;
    },
    setUnresolvedLinks: (id, targets) =>
      db.transaction(() => {
        q.clearUnresolved.run(id);
        for (const t of targets) q.addUnresolved.run(id, t);
      })(),
    relinkable: (key) => q.relinkable.all(key) as string[],
    unresolvedLinks: (key) => q.unresolvedLinks.all(key) as Array<{ pageId: string; target: string }>,
    addConflict: (c) => void q.addConflict.run(c.pageId, c.path, c.copyPath, c.remoteVersion, c.kind, c.createdAt),
    conflicts: () =>
      (q.conflicts.all() as Array<{ page_id: string; path: string; copy_path: string | null; remote_version: number; kind: ConflictRecord['kind']; created_at: string }>).map((r) => ({
        pageId: r.page_id,
        path: r.path,
        copyPath: r.copy_path,
        remoteVersion: r.remote_version,
        kind: r.kind,
        createdAt: r.created_at,
      })),
    removeConflict: (id) => void q.removeConflict.run(id),
    addPendingCreate: (p) =>
      void q.addPending.run({ path: p.path, space_key: p.spaceKey, title: p.title, parent_id: p.parentId, body_hash: p.bodyHash, text: p.text, started_at: p.startedAt }),
    pendingCreates: (key) =>
      (q.pending.all(key) as Array<{ path: string; space_key: string; title: string; parent_id: string | null; body_hash: string; text: string; started_at: string }>).map((r) => ({
        path: r.path,
        spaceKey: r.space_key,
        title: r.title,
        parentId: r.parent_id,
        bodyHash: r.body_hash,
        text: r.text,
        startedAt: r.started_at,
      })),
    removePendingCreate: (path) => void q.removePending.run(path),
    addPendingUpdate: (p) => void q.addPendingUpdate.run(pendingUpdateRow(p)),
    pendingUpdates: (key) => (q.pendingUpdates.all(key) as PendingUpdateRow[]).map(toPendingUpdate),
    removePendingUpdate: (id) => void q.removePendingUpdate.run(id),
    startRun: (command) => Number(q.startRun.run(command, new Date().toISOString()).lastInsertRowid),
    finishRun: (id, status, counts, error) => void q.finishRun.run(new Date().toISOString(), status, JSON.stringify(counts), error ?? null, id),
    lastRuns: (n) =>
      (q.lastRuns.all(n) as Array<{ id: number; command: string; started_at: string; ended_at: string | null; status: string; counts: string; error: string | null }>).map((r) => ({
        id: r.id,
        command: r.command,
        startedAt: r.started_at,
        endedAt: r.ended_at,
        status: r.status,
        counts: JSON.parse(r.counts) as Record<string, number>,
        error: r.error,
      })),
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    remoteListing: () => remoteListingTable(db),
    integrityCheck: () => String(db.pragma('integrity_check', { simple: true })),
    close: () => db.close(),
  };
}
