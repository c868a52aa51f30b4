/** File helpers for the workspace: atomic writes, hashing, safe paths, trash. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, realpath, rename, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { CsyncError } from '../core/errors.js';
import { linkIn, linkRefused } from './safe-fs.js';
import { throwIfRunAborted } from '../core/run-signal.js';

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), size };
}

/** Resolves a workspace-relative POSIX path, refusing anything that would land outside the workspace. */
export function inside(workspace: string, rel: string): string {
  const abs = resolve(workspace, ...rel.split('/'));
  const r = relative(workspace, abs);
  if (r === '' || r.startsWith('..') || r.split(sep).includes('..')) {
    throw new CsyncError('CSYNC_IO', `refusing a path outside the workspace: ${rel}`);
  }
  return abs;
}

export async function writeAtomic(path: string, data: string | Buffer): Promise<{ size: number; mtimeMs: number }> {
  throwIfRunAborted();
  await mkdir(dirname(path), { recursive: true });
  // write-file-atomic would write to the link's target: never through a link (workspace files use safe-fs.ts).
  if ((await lstat(path).catch(() => undefined))?.isSymbolicLink()) throw new CsyncError('CSYNC_IO', `refusing to write through a symbolic link: ${path}`);
  try {
    throwIfRunAborted();
    await writeFileAtomic(path, data);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CsyncError('CSYNC_IO', `cannot write ${path}: ${code === 'ENOSPC' ? 'the disk is full' : (err as Error).message}`, {
      hint: code === 'ENOSPC' ? 'free some space and run the command again; nothing was half-written' : undefined,
      cause: err,
    });
  }
  const s = await stat(path);
  return { size: s.size, mtimeMs: s.mtimeMs };
}

export async function moveFile(from: string, to: string): Promise<void> {
  throwIfRunAborted();
  await mkdir(dirname(to), { recursive: true });
  throwIfRunAborted();
  await rename(from, to);
}

/** Removes now-empty folders from `dir` up to (not including) `stop`. */
export async function pruneEmptyDirs(dir: string, stop: string): Promise<void> {
  let d = dir;
  const realStop = await realpath(stop).catch(() => undefined);
  if (realStop === undefined) return;
  while (d.startsWith(stop) && d !== stop) {
    try {
      // Never inside (or through) a folder that became a link: its real path must be where it lies under `stop`.
      if ((await realpath(d)) !== join(realStop, relative(stop, d))) return;
      await rmdir(d);
    } catch {
      return;
    }
    d = dirname(d);
  }
}

export async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

export function trashPath(workspace: string, rel: string, when = new Date()): string {
  const stamp = when.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return join(workspace, 'cache', 'trash', stamp, ...rel.split('/'));
}

/**
 * Moves an attachment file (workspace-relative) to cache/trash if it is there, and drops the folders it empties.
 * Never through a link: a link at the path or above it is left alone (SkippedFile).
 */
export async function trashAttachmentFile(workspace: string, rel: string, when: Date): Promise<void> {
  const abs = inside(workspace, rel);
  const link = await linkIn(workspace, rel);
  if (link !== undefined) throw linkRefused(rel, link);
  if (await statOrUndefined(abs)) await moveFile(abs, trashPath(workspace, rel, when));
  await pruneEmptyDirs(abs.slice(0, abs.lastIndexOf('/')), inside(workspace, 'attachments'));
}
