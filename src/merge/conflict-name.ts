/**
 * Conflict copies: the losing version is never destroyed, it is saved beside the file as
 * `Guide.conflict-20261122-224500-remote.md` (syncthing's `name.sync-conflict-YYYYMMDD-HHMMSS-<id>.ext`).
 * The original extension stays last so editors still highlight the copy; the stamp is UTC so names sort in time
 * order whatever the machine's zone. Pure: the caller supplies the clock and lists the folder.
 */
import { CsyncError } from '../core/errors.js';

/** A conflict copy's file name (no folder): stem, stamp date, stamp time, who, extension. The one regex for them. */
export const CONFLICT_COPY_RE = /^(.+)\.conflict-(\d{8})-(\d{6})-([A-Za-z0-9_-]+)(\.[^./]+)?$/;
const MAX_WHO = 40;

export interface ConflictCopyInfo {
  /** The file name the copy belongs to (same directory part as the copy). */
  original: string;
  /** Compact UTC stamp `YYYYMMDD-HHMMSS`, which sorts in time order. */
  stamp: string;
  who: string;
}

export function conflictCopyName(fileName: string, when: Date, who: string): string {
  if (Number.isNaN(when.getTime())) throw new CsyncError('CSYNC_INTERNAL', 'conflictCopyName: `when` is an invalid date');
  const stamp = when.toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-');
  if (!/^\d{8}-\d{6}$/.test(stamp)) throw new CsyncError('CSYNC_INTERNAL', `conflictCopyName: year out of range in ${when.toISOString()}`);
  // Only these characters are safe in a file name on every platform and keep the name parseable by COPY_RE.
  const id = who.replace(/[^A-Za-z0-9_-]/g, '').slice(0, MAX_WHO) || 'unknown';
  const { stem, ext } = splitExtension(fileName);
  return `${stem}.conflict-${stamp}-${id}${ext}`;
}

/** The copy beside `path` (workspace-relative) holding the other side's version, e.g. `Guide.conflict-20261122-224500-remote.md`. */
export function conflictCopyPath(path: string, when: Date, who = 'remote'): string {
  return conflictCopyName(path, when, who);
}

export function isConflictCopy(fileName: string): boolean {
  return parseConflictCopy(fileName) !== undefined;
}

export function parseConflictCopy(fileName: string): ConflictCopyInfo | undefined {
  const slash = fileName.lastIndexOf('/');
  const dir = fileName.slice(0, slash + 1);
  const m = CONFLICT_COPY_RE.exec(fileName.slice(slash + 1));
  if (!m) return undefined;
  return { original: `${dir}${m[1]}${m[5] ?? ''}`, stamp: `${m[2]}-${m[3]}`, who: m[4]! };
}

/**
 * The copies to delete so that at most `keep` remain per original file, oldest first. Names that are not
 * conflict copies are never returned. Copies with the same stamp are ordered by name, so the answer is stable.
 */
export function conflictCopiesToPrune(existing: readonly string[], keep: number): string[] {
  if (!Number.isInteger(keep) || keep < 0) {
    throw new CsyncError('CSYNC_INTERNAL', `Expected \`keep\` to be an integer >= 0, got ${keep}`);
  }
  const byOriginal = new Map<string, Array<{ name: string; stamp: string }>>();
  for (const name of new Set(existing)) {
    const info = parseConflictCopy(name);
    if (!info) continue;
    const group = byOriginal.get(info.original) ?? [];
    group.push({ name, stamp: info.stamp });
    byOriginal.set(info.original, group);
  }
  const prune: Array<{ name: string; stamp: string }> = [];
  for (const group of byOriginal.values()) {
    group.sort(oldestFirst);
    prune.push(...group.slice(0, Math.max(0, group.length - keep)));
  }
  return prune.sort(oldestFirst).map((c) => c.name);
}

function oldestFirst(x: { name: string; stamp: string }, y: { name: string; stamp: string }): number {
  if (x.stamp !== y.stamp) return x.stamp < y.stamp ? -1 : 1;
  return x.name < y.name ? -1 : x.name > y.name ? 1 : 0;
}

/** `a/Guide.md` → stem `a/Guide`, ext `.md`; a leading dot (`.env`) is a name, not an extension. */
function splitExtension(fileName: string): { stem: string; ext: string } {
  const slash = fileName.lastIndexOf('/');
  const dot = fileName.lastIndexOf('.');
  if (dot <= slash + 1 || dot === fileName.length - 1) return { stem: fileName, ext: '' };
  return { stem: fileName.slice(0, dot), ext: fileName.slice(dot) };
}
