/**
 * Temporary files a stopped run (kill -9, power loss) left behind, removed at the start of the next run (which holds
 * the workspace lock, so no other csync is writing them). Only files that are certainly ours go:
 * - write-file-atomic's `<page file>.<uint32>` beside page files (`Guide.md.3141592653`, what csync wrote before
 *   safe-fs.ts), only when the name without the number is a page file name;
 * - safe-fs.ts's `.<name>.csync-<pid>-<n>.tmp`, the client's `.<name>.<pid>.<ms>.part` downloads, cache/incoming/ and
 *   cache/uploading/ (the snapshots attachment uploads send);
 * and only when old (untouched for a minute) or written by a process that is gone. Links are never followed.
 */
import { readdir, lstat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from './lock.js';

const PAGE_EXTENSIONS = ['.md', '.xml'];
/** write-file-atomic: `${filename}.${uint32}` (its getTmpname). */
const WFA = /^(.+)\.(\d{1,10})$/;
const SAFE_FS = /^\..+\.csync-(\d+)-\d+\.tmp$/;
const PART = /^\..+\.(\d+)\.\d{13}\.part$/;
export const LEFTOVER_AGE_MS = 60_000;

/** Whether a file name is a temporary of ours, and the pid that wrote it when the name says. */
export function leftoverKind(name: string): { pid?: number } | undefined {
  const s = SAFE_FS.exec(name) ?? PART.exec(name);
  if (s) return { pid: Number(s[1]) };
  const w = WFA.exec(name);
  if (w && Number(w[2]) <= 0xffffffff && PAGE_EXTENSIONS.some((e) => w[1]!.endsWith(e))) return {};
  return undefined;
}

async function sweep(dir: string, now: number, all: boolean, removed: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      await sweep(p, now, all, removed);
      continue;
    }
    if (!e.isFile()) continue; // links are never followed nor removed
    const kind = leftoverKind(e.name) ?? (all ? {} : undefined);
    if (!kind) continue;
    const s = await lstat(p).catch(() => undefined);
    if (!s?.isFile()) continue;
    const old = now - s.mtimeMs > LEFTOVER_AGE_MS;
    const orphan = kind.pid !== undefined && kind.pid !== process.pid && !processAlive(kind.pid);
    if (!old && !orphan) continue;
    await unlink(p).catch(() => undefined);
    removed.push(p);
  }
}

/** Removes our old temporaries under content/<space>, attachments/<space> and cache/incoming; returns their paths. */
export async function cleanLeftovers(workspace: string, spaces: readonly string[], now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  const dirs = spaces.flatMap((key) => [join(workspace, 'content', key), join(workspace, 'attachments', key)]);
  for (const d of [...dirs, join(workspace, 'cache', 'incoming'), join(workspace, 'cache', 'uploading')]) {
    // A folder that is a link is never entered.
    if (!(await lstat(d).catch(() => undefined))?.isDirectory()) continue;
    await sweep(d, now, d.endsWith('incoming') || d.endsWith('uploading'), removed);
  }
  return removed;
}

/** Temporaries a stopped run left (kill -9 during a write): removed before anything is scanned, and logged. */
export async function removeLeftovers(options: { workspace: string; spaces: readonly string[]; logger: { info(obj: object, msg: string): void } }): Promise<void> {
  const removed = await cleanLeftovers(options.workspace, options.spaces);
  if (removed.length) options.logger.info({ files: removed.length }, 'removed temporary files a stopped run left behind');
}
