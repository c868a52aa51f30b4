/**
 * The stat fast path's memory: records saved right after their file was written keep no mtime (the store leaves it
 * out while it is within a filesystem tick of the save, see RACY_MTIME_MS in state/sqlite/store.ts), so the next
 * scan hashes the file. This stores the mtime of such files once a scan found them unchanged: stat, hash, stat, and
 * only when both stats agree (size, mtime, inode) and the hash is the record's (a write in between is never taken
 * for the text hashed). A file whose mtime is still within the racy window is not hashed: the store would leave its
 * mtime out anyway.
 */
import { hashFileSafe, lstatIn } from '../local/safe-fs.js';
import { RACY_MTIME_MS } from '../state/sqlite/store.js';

export interface MtimeRecord {
  path: string;
  hash: string;
  mtimeMs: number;
}

/**
 * For each record without an mtime whose file still has the record's hash: `save(record, size, mtimeMs)`. Returns
 * how many files it hashed (tests and benchmarks count reads).
 */
export async function rememberMtimes<T extends MtimeRecord>(workspace: string, records: readonly T[], save: (r: T, size: number, mtimeMs: number) => void): Promise<number> {
  let hashed = 0;
  for (const r of records) {
    if (r.mtimeMs !== 0 || r.path.startsWith('cache/')) continue;
    // Never through a link (lstat, and hashFileSafe refuses one).
    const before = await lstatIn(workspace, r.path);
    if (!before?.isFile()) continue;
    // Still racy (written within a filesystem tick of now): the record would keep no mtime; hash it another time.
    if (Date.now() - before.mtimeMs < RACY_MTIME_MS) continue;
    hashed++;
    const { sha256 } = await hashFileSafe(workspace, r.path).catch(() => ({ sha256: '' }));
    const after = await lstatIn(workspace, r.path);
    if (sha256 !== r.hash || !after || after.ino !== before.ino || after.size !== before.size || after.mtimeMs !== before.mtimeMs) continue;
    save(r, after.size, after.mtimeMs);
  }
  return hashed;
}

/**
 * `rememberMtimes` for files a scan has just hashed and found to hold their record's hash (scan.ts `Hashed`): no
 * second hash, only a second stat, which must agree with the one taken before the hash (a write in between is never
 * taken for the text hashed). Still racy files keep no mtime, as above.
 */
export async function rememberHashed<T extends MtimeRecord>(workspace: string, hashed: ReadonlyArray<{ record: T; before: { size: number; mtimeMs: number; ino: number } }>, save: (r: T, size: number, mtimeMs: number) => void): Promise<void> {
  for (const { record, before } of hashed) {
    if (record.mtimeMs !== 0 || record.path.startsWith('cache/')) continue;
    if (Date.now() - before.mtimeMs < RACY_MTIME_MS) continue;
    const after = await lstatIn(workspace, record.path);
    if (!after || after.ino !== before.ino || after.size !== before.size || after.mtimeMs !== before.mtimeMs) continue;
    save(record, after.size, after.mtimeMs);
  }
}
