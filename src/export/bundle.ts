/**
 * Bundle: the manifest, SHA256SUMS, and the atomic finish. A bundle is staged in a hidden sibling of its target
 * (same file system) and appears under its name only when complete: a folder by rename, a zip written as a stream
 * to a `.partial` file and renamed. An interrupted export never leaves something that looks finished.
 *
 * SHA256SUMS (the coreutils format, `sha256sum -c` reads it) lists every file of the bundle but itself, the
 * manifest included; manifest.json lists every other file with its size and hash, and every item with its status.
 */
import { createHash } from 'node:crypto';
import { constants, createWriteStream, existsSync, lstatSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { UsageError } from '../core/errors.js';
import { VERSION } from '../version.js';
import { BundleFileStream, writeFileAtomicSync } from './file-stream.js';
import { attachmentsByIssueDir, issueAttachmentsOf } from './jira-attachments.js';
import type { ExportItem, ExportSpec } from './types.js';

export const MANIFEST = 'manifest.json';
export const SUMS = 'SHA256SUMS';

export interface FileEntry {
  path: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  tool: 'csync';
  toolVersion: string;
  formatVersion: 1;
  jobId: string;
  site: string;
  title: string;
  selection: ExportSpec['selection'];
  formats: ExportSpec['formats'];
  createdAt: string;
  /** Jira issues also carry `key`, `updated` (Jira's timestamp) and `issueStatus`; their spaceKey is the project. */
  items: Array<Pick<ExportItem, 'id' | 'kind' | 'title' | 'version' | 'spaceKey' | 'status'> & { path: string; bytes?: number; sha256?: string; error?: string; key?: string; updated?: string | undefined; issueStatus?: string | undefined }>;
  files: FileEntry[];
}

/** One read buffer for every file hashed (10,000 small files would otherwise allocate 10,000 stream buffers). */
let hashBuffer: Buffer | undefined;
let hashBufferBusy = false;

export async function sha256File(file: string): Promise<FileEntry & { path: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  // Concurrent callers (none today) get a buffer of their own.
  const shared = !hashBufferBusy;
  const buf = shared ? (hashBuffer ??= Buffer.allocUnsafe(1 << 16)) : Buffer.allocUnsafe(1 << 16);
  if (shared) hashBufferBusy = true;
  const fh = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      bytes += bytesRead;
    }
  } finally {
    if (shared) hashBufferBusy = false;
    await fh.close();
  }
  return { path: file, bytes, sha256: hash.digest('hex') };
}

/** Every regular file under dir (POSIX relative paths, sorted); links and other kinds are refused. */
export function listBundleFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listBundleFiles(dir, rel));
    else if (e.isFile()) out.push(rel);
    else throw new UsageError(`bundle entry ${rel} is not a regular file`, { hint: 'a bundle holds only files and folders' });
  }
  return out.sort();
}

type ManifestItem = Manifest['items'][number];

/**
 * Writes manifest.json then SHA256SUMS into the staged bundle. The manifest is streamed, an item (and a file) a line:
 * memory holds the file list (path, size, hash) and one item record at a time, never the whole document.
 */
export async function writeManifest(stage: string, base: Omit<Manifest, 'files' | 'items'>, items: Iterable<ExportItem>, itemFile: (it: ExportItem) => string | undefined): Promise<{ items: number; files: number }> {
  const files: FileEntry[] = [];
  for (const rel of listBundleFiles(stage)) {
    if (rel === MANIFEST || rel === SUMS) continue;
    const h = await sha256File(join(stage, rel));
    files.push({ path: rel, bytes: h.bytes, sha256: h.sha256 });
  }
  const byPath = new Map(files.map((f) => [f.path, f]));
  const issueFiles = attachmentsByIssueDir(files);
  const out = new BundleFileStream(stage, MANIFEST);
  let count = 0;
  try {
    // The same document JSON.stringify(manifest, null, 2) would give, but with each item and file on one line.
    out.write(`${JSON.stringify(base, null, 2).replace(/\n}$/, '')},\n  "items": [`);
    for (const it of items) {
      const path = itemFile(it) ?? '';
      const f = byPath.get(path);
      const entry: ManifestItem = {
        id: it.id,
        kind: it.kind,
        title: it.title,
        version: it.version,
        spaceKey: it.spaceKey,
        status: it.status,
        path,
        ...(it.kind === 'jira-issue' ? { key: it.id, updated: it.updatedAt, issueStatus: it.issueStatus, ...issueAttachmentsOf(issueFiles, it.id) } : {}),
        ...(f ? { bytes: f.bytes, sha256: f.sha256 } : {}),
        ...(it.error ? { error: it.error } : {}),
      };
      out.write(`${count++ ? ',' : ''}\n    ${JSON.stringify(entry)}`);
    }
    out.write(`${count ? '\n  ' : ''}],\n  "files": [`);
    files.forEach((f, n) => out.write(`${n ? ',' : ''}\n    ${JSON.stringify(f)}`));
    out.write(`${files.length ? '\n  ' : ''}]\n}\n`);
  } finally {
    out.close();
  }
  const m = await sha256File(join(stage, MANIFEST));
  const sums = [...files, { path: MANIFEST, bytes: m.bytes, sha256: m.sha256 }].sort((a, b) => (a.path < b.path ? -1 : 1));
  writeFileAtomicSync(join(stage, SUMS), sums.map((f) => `${f.sha256}  ${f.path}`).join('\n') + '\n');
  return { items: count, files: files.length };
}

/** The hidden staging folder of a job, beside its target. */
export function stageDirFor(target: string, jobId: string): string {
  return join(dirname(target), `.${basename(target)}.csync-${jobId}.partial`);
}

/** The zip being streamed, beside its target, until it is complete. */
export function zipPartialFor(zipPath: string, jobId: string): string {
  return join(dirname(zipPath), `.${basename(zipPath)}.csync-${jobId}.zip.partial`);
}

/** Refuses a target that exists and is not an earlier bundle (a folder with a manifest) or a zip file. */
export function checkTarget(spec: ExportSpec): void {
  if (spec.out && existsSync(spec.out)) {
    const st = lstatSync(spec.out);
    if (!st.isDirectory() || (readdirSync(spec.out).length > 0 && !existsSync(join(spec.out, MANIFEST)))) {
      throw new UsageError(`--out ${spec.out} exists and is not an export bundle`, { hint: 'name a new or empty folder, or an earlier bundle to replace' });
    }
  }
  if (spec.zip && existsSync(spec.zip) && !lstatSync(spec.zip).isFile()) {
    throw new UsageError(`--zip ${spec.zip} exists and is not a file`, { hint: 'name a new .zip file' });
  }
}

/** Moves the staged bundle to its target: a folder by rename (replacing an earlier bundle), or a streamed zip. */
export async function finishBundle(stage: string, spec: ExportSpec, jobId: string): Promise<string> {
  if (spec.out) {
    const old = `${stage}.old`;
    const replacing = existsSync(spec.out);
    if (replacing) renameSync(spec.out, old);
    renameSync(stage, spec.out);
    if (replacing) rmSync(old, { recursive: true, force: true });
    return spec.out;
  }
  const zipPath = spec.zip!;
  const partial = zipPartialFor(zipPath, jobId);
  const zip = new yazl.ZipFile();
  // Fixed times and modes: the same bundle zips to the same bytes.
  const mtime = new Date('2000-01-01T00:00:00Z');
  // Each file is opened only when its turn comes (a bundle of 10,000 files never holds 10,000 descriptors), never
  // through a link, and a small one is read whole into a buffer of its size (a file stream allocates 64 KiB a file).
  for (const rel of listBundleFiles(stage)) {
    const file = join(stage, ...rel.split('/'));
    const size = lstatSync(file).size;
    zip.addReadStreamLazy(rel, { mtime, mode: 0o100644, size }, (cb) => {
      openForZip(file, size).then(
        (stream) => cb(null, stream),
        (err: unknown) => cb(err, undefined as unknown as Readable),
      );
    });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(partial));
  renameSync(partial, zipPath);
  rmSync(stage, { recursive: true, force: true });
  return zipPath;
}

const SMALL_FILE = 1 << 20;

async function openForZip(file: string, size: number): Promise<Readable> {
  const fh = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  if (size > SMALL_FILE) return fh.createReadStream(); // closes the file at its end
  try {
    const out = new PassThrough();
    out.end(await fh.readFile());
    return out;
  } finally {
    await fh.close();
  }
}

export function manifestBase(jobId: string, site: string, spec: ExportSpec, now: Date): Omit<Manifest, 'files' | 'items'> {
  return { tool: 'csync', toolVersion: VERSION, formatVersion: 1, jobId, site, title: spec.title, selection: spec.selection, formats: spec.formats, createdAt: now.toISOString() };
}

/**
 * Moves a finished, verified bundle over the published one: a zip by one rename (atomic: a reader has the old file or
 * the new one); a folder by two (the old one aside, the new one in; for an instant the name is absent, never half).
 */
export function publishBundle(from: string, to: string): string {
  if (lstatSync(from).isDirectory()) {
    const old = join(dirname(to), `.${basename(to)}.csync-old-${process.pid}-${Date.now()}`);
    const replacing = existsSync(to);
    if (replacing) renameSync(to, old);
    renameSync(from, to);
    if (replacing) rmSync(old, { recursive: true, force: true });
  } else renameSync(from, to);
  return to;
}
