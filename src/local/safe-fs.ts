/**
 * Workspace file access that never goes through a symbolic link, and never replaces a file that changed since it was
 * looked at. Every path is workspace-relative (`content/DOC/Guide.md`).
 *
 * - Links: a path is used only when no part of it below the workspace root is a link (the real path of its folder is
 *   the workspace's real path joined with it; lstat names the link otherwise). Files are opened with O_NOFOLLOW and
 *   the opened file is checked to be the one at the path (same device and inode), so a link swapped in while a
 *   file is being opened is caught too. The workspace root itself may be a link (a home folder on another disk).
 * - Replacing: the new content goes to a temporary file in the same folder (created exclusively, never through a
 *   link), and right before the rename the file at the path is checked against what the caller saw (absent, or its
 *   size + mtime, else its sha256: syncthing's "modified but not rescanned"). If it changed, nothing is replaced.
 * - Text: a page file is read strictly as UTF-8 (no replacement characters) without NUL bytes, or refused.
 *
 * Refusals are `SkippedFile` errors: the run reports the path, leaves it alone and exits 10 (CSYNC_INCOMPLETE).
 */
import { createHash } from 'node:crypto';
import { appendFileSync, constants, createReadStream, existsSync } from 'node:fs';
import { link, lstat, mkdir, open, realpath, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { CsyncError } from '../core/errors.js';
import { inside } from './files.js';
import { throwIfRunAborted } from '../core/run-signal.js';

export type SkipReason = 'link' | 'changed' | 'not-utf8' | 'too-large';

/** A file the run leaves alone on purpose; `message` names it and says why (one line). */
export class SkippedFile extends CsyncError {
  constructor(
    readonly path: string,
    readonly reason: SkipReason,
    message: string,
  ) {
    super('CSYNC_INCOMPLETE', message);
    this.name = 'SkippedFile';
  }
}

export function isSkipped(err: unknown): err is SkippedFile {
  return err instanceof SkippedFile;
}

export function linkRefused(rel: string, link: string): SkippedFile {
  const what = link === rel ? 'it is a symbolic link' : `${link} is a symbolic link`;
  return new SkippedFile(rel, 'link', `${rel}: skipped: ${what}; csync never reads or writes through links (replace the link with the real file or folder)`);
}

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function tooLarge(rel: string, size: number, max: number): SkippedFile {
  return new SkippedFile(rel, 'too-large', `${rel}: skipped: ${mib(size)} is over the page size limit of ${mib(max)} (sync.maxPageBytes); not pushed (split the page, or raise the limit)`);
}

export function changedRefused(rel: string): SkippedFile {
  return new SkippedFile(rel, 'changed', `${rel}: changed while csync was working on it; left as it is (the next run takes it)`);
}

const realRoots = new Map<string, string>();

async function realRoot(workspace: string): Promise<string> {
  let r = realRoots.get(workspace);
  if (r === undefined) {
    r = await realpath(workspace);
    realRoots.set(workspace, r);
  }
  return r;
}

/**
 * The first part of `rel` (workspace-relative, itself included) that is a symbolic link, or undefined when there is
 * none. Parts that do not exist are not links. One realpath when nothing is a link; an lstat per part otherwise.
 */
export async function linkIn(workspace: string, rel: string): Promise<string | undefined> {
  const root = await realRoot(workspace);
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  // Fast path: the deepest existing part resolves to itself.
  for (let n = parts.length; n > 0; n--) {
    try {
      const real = await realpath(join(root, ...parts.slice(0, n)));
      if (real === join(root, ...parts.slice(0, n))) return undefined;
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') break;
    }
  }
  for (let n = 1; n <= parts.length; n++) {
    const sub = parts.slice(0, n).join('/');
    try {
      if ((await lstat(join(root, ...parts.slice(0, n)))).isSymbolicLink()) return sub;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * `linkIn` for the folders of many files looked at in one pass (a scan that lstats each file itself): each folder is
 * asked once, so a scan of 1,000 files in 13 folders makes 13 realpath calls, not 1,000 (issue 18: `status --local`).
 * Answers are as of the first file of a folder; every read and write still checks again (O_NOFOLLOW, `openNoFollow`).
 */
export function folderLinks(workspace: string): (rel: string) => Promise<string | undefined> {
  const folders = new Map<string, Promise<string | undefined>>();
  return (rel) => {
    const dir = posix.dirname(rel);
    if (dir === '.' || dir === '/' || dir === '') return Promise.resolve(undefined);
    let found = folders.get(dir);
    if (found === undefined) {
      found = linkIn(workspace, dir);
      folders.set(dir, found);
    }
    return found;
  };
}

/** Throws SkippedFile when a part of `rel` is a link. */
export async function assertNoLink(workspace: string, rel: string): Promise<void> {
  const link = await linkIn(workspace, rel);
  if (link !== undefined) throw linkRefused(rel, link);
}

/** lstat of a workspace file, undefined when it is not there. Never follows a link (a link is reported as one). */
export async function lstatIn(workspace: string, rel: string) {
  try {
    return await lstat(inside(workspace, rel));
  } catch {
    return undefined;
  }
}

/** Opens a workspace file for reading: never through a link, and the file opened is the one at the path. */
export async function openNoFollow(workspace: string, rel: string): Promise<FileHandle> {
  const abs = inside(workspace, rel);
  let fh: FileHandle;
  try {
    fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw linkRefused(rel, rel);
    throw err;
  }
  try {
    await assertNoLink(workspace, posix.dirname(rel));
    const [opened, here] = await Promise.all([fh.stat(), lstat(abs)]);
    if (!opened.isFile() || opened.ino !== here.ino || opened.dev !== here.dev) throw changedRefused(rel);
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/**
 * Copies a workspace file (never through a link) to `dest`, a new file of the caller's (created exclusively, never
 * through a link), hashing what it copies: what is sent from `dest` is exactly the bytes hashed, whatever happens to
 * the workspace file meanwhile. Streams in 1 MiB pieces (bounded memory).
 */
export async function snapshotFileSafe(workspace: string, rel: string, dest: string): Promise<FileFacts> {
  const fh = await openNoFollow(workspace, rel);
  const h = createHash('sha256');
  let size = 0;
  let out: FileHandle;
  try {
    out = await open(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    await fh.close();
    throw err;
  }
  try {
    // createReadStream closes the source handle when it ends.
    for await (const chunk of createReadStream('', { fd: fh, highWaterMark: 1 << 20 })) {
      const b = chunk as Buffer;
      h.update(b);
      size += b.length;
      // A write may take fewer bytes than asked (a full disk, a signal): go on from where it stopped.
      for (let off = 0; off < b.length;) {
        const { bytesWritten } = await out.write(b, off, b.length - off);
        if (bytesWritten <= 0) throw Object.assign(new Error(`no space left to copy ${rel}`), { code: 'ENOSPC' });
        off += bytesWritten;
      }
    }
  } catch (err) {
    await out.close();
    await unlink(dest).catch(() => undefined);
    throw err;
  }
  await out.close();
  return { sha256: h.digest('hex'), size };
}

export async function readFileSafe(workspace: string, rel: string): Promise<Buffer> {
  const fh = await openNoFollow(workspace, rel);
  try {
    const bytes = await fh.readFile();
    logRead(rel, 'whole', bytes.length);
    return bytes;
  } finally {
    await fh.close();
  }
}

/** Bytes decoded at a time by readHeadSafe. */
const DECODE_PIECE = 64 * 1024;

/**
 * The first `headChars` characters of a text file (all of it when it is that short), without holding the rest: the
 * whole file is still read, in 1 MiB pieces (decoded 64 KiB at a time), to check it is UTF-8 text (refused as
 * readTextSafe refuses it), but only the head stays in memory. For what a page's front matter says (title, id) before
 * the page is sent.
 */
export async function readHeadSafe(workspace: string, rel: string, headChars: number, onPiece?: (piece: string) => void): Promise<{ head: string; whole: boolean }> {
  const fh = await openNoFollow(workspace, rel);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let head = '';
  let whole = true;
  let bytes = 0;
  try {
    const { size } = await fh.stat();
    const buf = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(4096, size + 1)));
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      const read = buf.subarray(0, bytesRead);
      if (read.includes(0)) throw notUtf8(rel);
      // Decoded 64 KiB at a time: a string of 1 MiB goes to V8's large-object space, which only a full collection
      // frees, so reading a big file three times over (scan, titles, planning) piled up its text as garbage; pieces
      // this small die young (BENCHMARKS.md, push-huge-page).
      for (let at = 0; at < read.length; at += DECODE_PIECE) {
        const b = read.subarray(at, at + DECODE_PIECE);
        let piece: string;
        try {
          piece = decoder.decode(b, { stream: true });
        } catch {
          throw notUtf8(rel);
        }
        onPiece?.(piece);
        if (head.length < headChars) {
          head += piece.slice(0, headChars - head.length + 1);
          if (head.length > headChars) {
            head = head.slice(0, headChars);
            whole = false;
          }
        } else if (piece.length) whole = false;
      }
    }
    try {
      const rest = decoder.decode();
      if (rest.length) whole = false;
      if (rest.length) onPiece?.(rest);
    } catch {
      throw notUtf8(rel);
    }
  } finally {
    await fh.close();
  }
  logRead(rel, 'head', bytes);
  return { head, whole };
}

/**
 * Tests only: CSYNC_TEST_PAGE_READS=<file> appends a line per page-file read (`whole` or `head`, the path, the bytes,
 * the time in ms), so a test can count how often a run loads a page's text, and when. Unset in normal use.
 */
function logRead(rel: string, kind: 'whole' | 'head', bytes: number): void {
  const log = process.env.CSYNC_TEST_PAGE_READS;
  if (log) appendFileSync(log, `${kind}\t${rel}\t${bytes}\t${Date.now()}\n`);
}

/** Strict UTF-8 (a byte-order mark is kept as it is); NUL bytes are binary, not text. */
export function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function notUtf8(rel: string): SkippedFile {
  return new SkippedFile(rel, 'not-utf8', `${rel}: skipped: not a text file (not valid UTF-8, or NUL bytes); never pushed nor rewritten (fix or move the file)`);
}

/** A page file as text: refused when it is a link or not valid UTF-8. */
export async function readTextSafe(workspace: string, rel: string): Promise<string> {
  const text = decodeText(await readFileSafe(workspace, rel));
  if (text === undefined) throw notUtf8(rel);
  return text;
}

export interface FileFacts {
  sha256: string;
  size: number;
  /** false when the bytes are not valid UTF-8 text (or hold NUL bytes); only computed when asked. */
  text?: boolean;
}

/** sha256 and size of a workspace file, streamed (never whole in memory); `checkText` also validates UTF-8. */
export async function hashFileSafe(workspace: string, rel: string, checkText = false): Promise<FileFacts> {
  const fh = await openNoFollow(workspace, rel);
  const h = createHash('sha256');
  const decoder = checkText ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }) : undefined;
  let text = checkText;
  let size = 0;
  try {
    // One buffer per file, sized to the file (at most 1 MiB): a stream's fixed 1 MiB buffer per file made a scan of
    // 10,000 small files allocate 10 GB of short-lived native memory, which V8 collects late (peak RSS).
    const { size: statSize } = await fh.stat();
    const buf = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(4096, statSize + 1)));
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const b = buf.subarray(0, bytesRead);
      h.update(b);
      size += bytesRead;
      if (decoder && text) {
        if (b.includes(0)) text = false;
        else {
          try {
            decoder.decode(b, { stream: true });
          } catch {
            text = false;
          }
        }
      }
    }
  } finally {
    await fh.close();
  }
  if (decoder && text) {
    try {
      decoder.decode();
    } catch {
      text = false;
    }
  }
  return { sha256: h.digest('hex'), size, ...(checkText ? { text } : {}) };
}

/** What the caller saw at a path before deciding to replace it: nothing, or a file with this content. */
export type Expect = { absent: true } | { hash: string; size?: number; mtimeMs?: number; orAbsent?: boolean };

/**
 * Whether the file at `rel` is still what the caller saw. A matching size and mtime is enough; otherwise the
 * content decides (a touched but unchanged file is still ours to replace). Links never match.
 */
export async function stillAsSeen(workspace: string, rel: string, expect: Expect): Promise<boolean> {
  const s = await lstatIn(workspace, rel);
  if ('absent' in expect) return s === undefined;
  if (!s) return expect.orAbsent === true;
  if (!s.isFile()) return false;
  if (expect.size !== undefined && expect.mtimeMs !== undefined && s.size === expect.size && Math.abs(s.mtimeMs - expect.mtimeMs) < 1) return true;
  try {
    return (await hashFileSafe(workspace, rel)).sha256 === expect.hash;
  } catch {
    return false;
  }
}

let tmpCounter = 0;

/** The temporary name of an atomic write: a dotfile (ignored by scans and the watcher) that names our process. */
export function tmpNameFor(base: string): string {
  return `.${base}.csync-${process.pid}-${++tmpCounter}.tmp`;
}

/** Makes the folders of `rel` (inside the workspace) and refuses when one of them is a link. */
export async function mkdirSafe(workspace: string, relDir: string): Promise<void> {
  await assertNoLink(workspace, relDir);
  await mkdir(inside(workspace, relDir), { recursive: true });
  await assertNoLink(workspace, relDir);
}

/**
 * Atomically replaces (or creates) a workspace file, checking right before the rename that the file is still what
 * the caller saw (`expect`; undefined: replace whatever regular file is there). Throws SkippedFile when a part of the
 * path is a link or the file changed meanwhile; nothing is replaced then.
 */
export async function writeFileSafe(workspace: string, rel: string, data: string | Uint8Array, expect?: Expect): Promise<{ size: number; mtimeMs: number }> {
  throwIfRunAborted();
  const dir = posix.dirname(rel);
  await mkdirSafe(workspace, dir);
  const abs = inside(workspace, rel);
  const tmp = join(dirname(abs), tmpNameFor(posix.basename(rel)));
  let written;
  try {
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
    try {
      await fh.writeFile(data);
      await fh.sync();
      // What we wrote, as the rename keeps it: a save right after the rename must not be recorded as ours.
      written = await fh.stat();
    } finally {
      await fh.close();
    }
    await replaceWith(workspace, rel, tmp, expect);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw wrapIo(err, rel);
  }
  return { size: written.size, mtimeMs: written.mtimeMs };
}

/** Renames an absolute temporary file (on the same disk) onto `rel`, after the same checks as writeFileSafe. */
export async function replaceWith(workspace: string, rel: string, tmpAbs: string, expect?: Expect): Promise<void> {
  testPause(rel);
  await assertNoLink(workspace, rel);
  const s = await lstatIn(workspace, rel);
  if (s && !s.isFile()) throw changedRefused(rel);
  if (expect && !(await stillAsSeen(workspace, rel, expect))) throw changedRefused(rel);
  // A cancelled run writes nothing more (src/core/run-signal.ts).
  throwIfRunAborted();
  await rename(tmpAbs, inside(workspace, rel));
}

/**
 * Moves a workspace file to a free path (never over a file: a file that appeared there since the plan stays), through
 * no link on either side.
 */
export async function moveSafe(workspace: string, from: string, to: string): Promise<void> {
  await assertNoLink(workspace, from);
  const s = await lstatIn(workspace, from);
  if (!s?.isFile()) throw changedRefused(from);
  await mkdirSafe(workspace, posix.dirname(to));
  if (await lstatIn(workspace, to)) throw changedRefused(to);
  await rename(inside(workspace, from), inside(workspace, to));
}

/**
 * Moves a workspace file to `to` only if nothing is there, atomically: a hard link to the new name (which fails when a
 * file exists there, however recently it appeared: no window between a check and the rename), then the old name is
 * removed. Through no link on either side. Returns false, having moved nothing, when `to` is taken. On a file system
 * without hard links it falls back to a check right before the rename (moveSafe's guarantee).
 */
export async function moveNoClobber(workspace: string, from: string, to: string): Promise<boolean> {
  await assertNoLink(workspace, from);
  const s = await lstatIn(workspace, from);
  if (!s?.isFile()) throw changedRefused(from);
  await mkdirSafe(workspace, posix.dirname(to));
  testPause(to);
  try {
    await link(inside(workspace, from), inside(workspace, to));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw err;
    if (await lstatIn(workspace, to)) return false;
    await rename(inside(workspace, from), inside(workspace, to));
    return true;
  }
  await unlink(inside(workspace, from));
  return true;
}

function wrapIo(err: unknown, rel: string): unknown {
  if (err instanceof CsyncError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new CsyncError('CSYNC_IO', `cannot write ${rel}: ${code === 'ENOSPC' ? 'the disk is full' : (err as Error).message}`, {
    hint: code === 'ENOSPC' ? 'free some space and run the command again; nothing was half-written' : undefined,
    cause: err,
  });
}

/**
 * Tests only: CSYNC_TEST_PAUSE_BEFORE_REPLACE=<ms> waits that long (synchronously, the whole process) right before a
 * replacement's final check (and before moveNoClobber's link), and CSYNC_TEST_PAUSE_MARK=<file> is created when the wait starts, so a test can change
 * the file in the window between a scan and the write deterministically. Unset in normal use.
 */
function testPause(rel: string): void {
  const ms = Number(process.env.CSYNC_TEST_PAUSE_BEFORE_REPLACE ?? 0);
  if (!(ms > 0)) return;
  const mark = process.env.CSYNC_TEST_PAUSE_MARK;
  if (mark) appendFileSync(mark, `${rel}\n`);
  // CSYNC_TEST_PAUSE_GO=<file>: the wait ends as soon as the test creates that file (the ms are then only a cap).
  const go = process.env.CSYNC_TEST_PAUSE_GO;
  if (go) {
    for (let waited = 0; waited < ms && !existsSync(go); waited += 20) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    return;
  }
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
