/**
 * The stat fast path's memory: records saved right after their file was written keep no mtime (the store leaves it
 * out while it is within a filesystem tick of the save, see RACY_MTIME_MS in state/sqlite/store.ts), so the next
 * scan hashes the file. This stores the mtime of such files once a scan found them unchanged: stat, hash, stat, and
 * only when both stats agree and the hash is the record's (a write in between is never taken for the text hashed).
 */
import { hashFileSafe, lstatIn } from '../local/safe-fs.js';

export interface MtimeRecord {
  path: string;
  hash: string;
  mtimeMs: number;
}

/** For each record without an mtime whose file still has the record's hash: `save(record, size, mtimeMs)`. */
export async function rememberMtimes<T extends MtimeRecord>(workspace: string, records: readonly T[], save: (r: T, size: number, mtimeMs: number) => void): Promise<void> {
  for (const r of records) {
    if (r.mtimeMs !== 0 || r.path.startsWith('cache/')) continue;
    // Never through a link (lstat, and hashFileSafe refuses one).
    const before = await lstatIn(workspace, r.path);
    if (!before?.isFile()) continue;
    const { sha256 } = await hashFileSafe(workspace, r.path).catch(() => ({ sha256: '' }));
    const after = await lstatIn(workspace, r.path);
    if (sha256 !== r.hash || !after || after.size !== before.size || after.mtimeMs !== before.mtimeMs) continue;
    save(r, after.size, after.mtimeMs);
  }
}
