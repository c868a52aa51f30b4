/**
 * Export jobs in SQLite: `cache/export/jobs.db`, apart from the sync base (`cache/state.db`). Why apart: an export
 * reads Confluence and writes a bundle; it never takes the workspace's sync lock, so it must not contend with the
 * daemon's writes to the base, and its rows are disposable (deleting the file loses job history, never sync state).
 * Own numbered migrations, PRAGMA user_version, WAL.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CsyncError } from '../core/errors.js';
import { canTransition } from './job-state.js';
import type { ExportItem, ExportSpec, ItemStatus, JobProgress, JobRecord, JobState } from './types.js';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     state TEXT NOT NULL,
     spec TEXT NOT NULL,
     site TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     started_at TEXT,
     ended_at TEXT,
     pid INTEGER,
     progress TEXT NOT NULL,
     error TEXT
   );
   CREATE TABLE items (
     job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
     id TEXT NOT NULL,
     ord INTEGER NOT NULL,
     data TEXT NOT NULL,
     status TEXT NOT NULL,
     error TEXT,
     PRIMARY KEY (job_id, id)
   );
   CREATE INDEX items_order ON items(job_id, ord);`,
  // Space ids by site and key, remembered from lookups: a later export of the space lists it without asking for its id.
  `CREATE TABLE spaces (
     site TEXT NOT NULL,
     key TEXT NOT NULL,
     id TEXT NOT NULL,
     PRIMARY KEY (site, key)
   );`,
  // The final state of a job that ended well was called `done` before it became `completed` (the states the issue names).
  `UPDATE jobs SET state = 'completed' WHERE state = 'done';`,
];

interface JobRow {
  id: string;
  state: JobState;
  spec: string;
  site: string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  ended_at: string | null;
  pid: number | null;
  progress: string;
  error: string | null;
}

/** Days an ended job is kept when the config says nothing (`export.keepJobsDays`). */
export const KEEP_JOBS_DAYS = 7;

const EMPTY_PROGRESS: JobProgress = { step: 'pending', items: 0, done: 0, failed: 0, bytes: 0, requests: 0 };

export class JobStore {
  private readonly db: Database.Database;

  constructor(file: string, private readonly now: () => Date = () => new Date()) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // A checkpoint lost to a power cut only means re-rendering a few items (from the cache): no fsync per item.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let i = version; i < MIGRATIONS.length; i++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[i]!);
        this.db.pragma(`user_version = ${i + 1}`);
      })();
    }
  }

  close(): void {
    this.db.close();
  }

  create(id: string, spec: ExportSpec, site: string): JobRecord {
    const t = this.now().toISOString();
    this.db
      .prepare('INSERT INTO jobs (id, state, spec, site, created_at, updated_at, progress) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, 'pending', JSON.stringify(spec), site, t, t, JSON.stringify(EMPTY_PROGRESS));
    return this.get(id)!;
  }

  get(id: string): JobRecord | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** The job with this id, or the only one whose id starts with it; a clear error otherwise. */
  find(idOrPrefix: string): JobRecord {
    const exact = this.get(idOrPrefix);
    if (exact) return exact;
    const rows = this.db.prepare("SELECT * FROM jobs WHERE id LIKE ? ESCAPE '\\'").all(`${idOrPrefix.replace(/[%_\\]/g, '\\$&')}%`) as JobRow[];
    if (rows.length === 1) return toRecord(rows[0]!);
    throw new CsyncError('CSYNC_USAGE', rows.length ? `job id ${idOrPrefix} is ambiguous (${rows.length} jobs)` : `no export job ${idOrPrefix}`, {
      hint: 'run `csync export list` to see the jobs of this workspace',
    });
  }

  list(): JobRecord[] {
    return (this.db.prepare('SELECT * FROM jobs ORDER BY created_at DESC, id').all() as JobRow[]).map(toRecord);
  }

  /** Moves the job to `to`; refuses a transition the state machine does not allow (another process won). */
  transition(id: string, to: JobState, fields: { error?: string | null; pid?: number | null } = {}): JobRecord {
    return this.db.transaction(() => {
      const job = this.get(id);
      if (!job) throw new CsyncError('CSYNC_NOT_FOUND', `no export job ${id}`);
      if (!canTransition(job.state, to)) {
        throw new CsyncError('CSYNC_USAGE', `export job ${id} is ${job.state}; it cannot become ${to}`, {
          hint: job.state === 'completed' ? 'it finished: start a new export' : job.state === 'cancelled' ? 'it was cancelled: start a new export' : undefined,
        });
      }
      const t = this.now().toISOString();
      const ended = to === 'completed' || to === 'failed' || to === 'cancelled' ? t : null;
      this.db
        .prepare(
          `UPDATE jobs SET state = ?, updated_at = ?, ended_at = ?, started_at = COALESCE(started_at, CASE WHEN ? = 'running' THEN ? END),
             error = CASE WHEN ? THEN ? ELSE error END, pid = CASE WHEN ? THEN ? ELSE pid END WHERE id = ?`,
        )
        .run(to, t, ended, to, t, 'error' in fields ? 1 : 0, fields.error ?? null, 'pid' in fields ? 1 : 0, fields.pid ?? null, id);
      return this.get(id)!;
    })();
  }

  state(id: string): JobState | undefined {
    return (this.db.prepare('SELECT state FROM jobs WHERE id = ?').get(id) as { state: JobState } | undefined)?.state;
  }

  setProgress(id: string, progress: JobProgress): void {
    this.db.prepare('UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(progress), this.now().toISOString(), id);
  }

  /** Records the selection once, in one transaction: the checkpoint every later run starts from. */
  putItems(jobId: string, items: readonly ExportItem[]): void {
    const insert = this.db.prepare('INSERT OR REPLACE INTO items (job_id, id, ord, data, status, error) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const it of items) insert.run(jobId, it.id, it.order, JSON.stringify({ ...it, status: undefined, error: undefined }), it.status, it.error ?? null);
    })();
  }

  items(jobId: string): ExportItem[] {
    return [...this.eachItem(jobId)];
  }

  /**
   * The job's items in listing order, read one row at a time (a 10,000-item job never has a second copy of its items
   * in memory for a pass over them). Nothing else may use the store's connection until the iteration ends.
   */
  *eachItem(jobId: string, status?: ItemStatus): Generator<ExportItem> {
    const rows = status
      ? this.db.prepare('SELECT data, status, error FROM items WHERE job_id = ? AND status = ? ORDER BY ord').iterate(jobId, status)
      : this.db.prepare('SELECT data, status, error FROM items WHERE job_id = ? ORDER BY ord').iterate(jobId);
    for (const r of rows as IterableIterator<ItemRow>) yield itemOf(r);
  }

  countItems(jobId: string, status?: ItemStatus): number {
    const row = (status
      ? this.db.prepare('SELECT COUNT(*) AS n FROM items WHERE job_id = ? AND status = ?').get(jobId, status)
      : this.db.prepare('SELECT COUNT(*) AS n FROM items WHERE job_id = ?').get(jobId)) as { n: number };
    return row.n;
  }

  /** The space id remembered for `key` on `site`, if any. */
  spaceId(site: string, key: string): string | undefined {
    return (this.db.prepare('SELECT id FROM spaces WHERE site = ? AND key = ?').get(site, key) as { id: string } | undefined)?.id;
  }

  rememberSpace(site: string, key: string, id: string): void {
    this.db.prepare('INSERT OR REPLACE INTO spaces (site, key, id) VALUES (?, ?, ?)').run(site, key, id);
  }

  hasItems(jobId: string): boolean {
    return this.db.prepare('SELECT 1 FROM items WHERE job_id = ? LIMIT 1').get(jobId) !== undefined;
  }

  /** Per-item checkpoint. */
  setItemStatus(jobId: string, ids: readonly string[], status: ItemStatus, error?: string): void {
    const update = this.db.prepare('UPDATE items SET status = ?, error = ? WHERE job_id = ? AND id = ?');
    this.db.transaction(() => {
      for (const id of ids) update.run(status, error ?? null, jobId, id);
    })();
  }

  /**
   * Deletes the jobs that ended (completed, failed, cancelled) and were last updated more than `days` ago (config
   * `export.keepJobsDays`); returns their ids. The newest completed job of each named definition stays whatever its
   * age: it tells the daemon which run wrote the published bundle (GET /exports/{id}/bundle, onChange checks).
   */
  prune(days: number): string[] {
    const cutoff = new Date(this.now().getTime() - days * 86_400_000).toISOString();
    const rows = this.db
      .prepare("SELECT id, state, spec, ended_at, updated_at FROM jobs WHERE state IN ('completed', 'done', 'failed', 'cancelled') AND updated_at < ?")
      .all(cutoff) as Array<{ id: string; state: string; spec: string; ended_at: string | null; updated_at: string }>;
    const newest = this.db.prepare(
      "SELECT id FROM jobs WHERE state IN ('completed', 'done') AND json_extract(spec, '$.definition') = ? ORDER BY COALESCE(ended_at, updated_at) DESC, id DESC LIMIT 1",
    );
    const keep = new Set<string>();
    for (const r of rows) {
      const definition = (JSON.parse(r.spec) as ExportSpec).definition;
      if (definition !== undefined && (r.state === 'completed' || r.state === 'done')) {
        const id = (newest.get(definition) as { id: string } | undefined)?.id;
        if (id) keep.add(id);
      }
    }
    const gone = rows.filter((r) => !keep.has(r.id)).map((r) => r.id);
    const del = this.db.prepare('DELETE FROM jobs WHERE id = ?');
    this.db.transaction(() => gone.forEach((id) => del.run(id)))();
    return gone;
  }
}

/**
 * The space ids an earlier export remembered for `site`, read without leaving a trace (a dry run writes nothing):
 * none when jobs.db does not exist, is unreadable or predates the spaces table.
 */
export function rememberedSpaceIds(file: string, site: string): (key: string) => string | undefined {
  return (key) => peekRow<{ id: string }>(file, 'SELECT id FROM spaces WHERE site = ? AND key = ?', site, key)?.id;
}

/**
 * One row of a SQLite file (WAL mode) read without changing the folder. A read-only connection would leave the
 * `-wal` and `-shm` files behind (it may not remove them); a connection that may write, and writes nothing, removes
 * them when it closes as the last one, and has nothing to checkpoint when no `-wal` was there before. When a `-wal`
 * is there (a writer is open, or one was killed), the read-only connection is the one that changes nothing.
 * Undefined when the file is missing, unreadable, or has no such table.
 */
export function peekRow<T>(file: string, sql: string, ...params: unknown[]): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const readonly = existsSync(`${file}-wal`);
    const db = new Database(file, { readonly, fileMustExist: true });
    try {
      return db.prepare(sql).get(...params) as T | undefined;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

interface ItemRow {
  data: string;
  status: ItemStatus;
  error: string | null;
}

/**
 * An item from its row, always built with the same properties in the same order: objects of one shape share one
 * hidden class. (Spreading the parsed JSON gave most of 10,000 items a hidden class of their own: ~0.6 KB each.)
 */
function itemOf(r: ItemRow): ExportItem {
  const d = JSON.parse(r.data) as ExportItem;
  return {
    id: d.id,
    kind: d.kind,
    title: d.title,
    version: d.version,
    spaceKey: d.spaceKey,
    parentId: d.parentId ?? null,
    path: d.path,
    labels: d.labels ?? [],
    authorId: d.authorId,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    url: d.url,
    order: d.order,
    issueStatus: d.issueStatus,
    status: r.status,
    error: r.error ?? undefined,
  };
}

function toRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    // A row another (older) csync wrote into the same jobs.db after the migration still says `done`.
    state: (r.state as string) === 'done' ? 'completed' : r.state,
    spec: JSON.parse(r.spec) as ExportSpec,
    site: r.site,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.started_at ? { startedAt: r.started_at } : {}),
    ...(r.ended_at ? { endedAt: r.ended_at } : {}),
    ...(r.pid !== null ? { pid: r.pid } : {}),
    progress: JSON.parse(r.progress) as JobProgress,
    ...(r.error ? { error: r.error } : {}),
  };
}
