/**
 * Extract a bundle zip safely: every entry is checked first (archive-rules.ts: no absolute paths, no "..", no links,
 * no duplicates, no bombs), then written into a fresh hidden folder beside the target with exclusive creates and a
 * byte count that stops at the declared size, then renamed into place. Nothing appears unless all of it is safe.
 */
import { createWriteStream, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsyncError, UsageError } from '../core/errors.js';
import { readZip, unsafe } from './zip-read.js';

export async function extractBundle(zipFile: string, to: string): Promise<{ files: number; bytes: number }> {
  const target = resolve(to);
  if (existsSync(target)) {
    const st = lstatSync(target);
    if (!st.isDirectory() || readdirSync(target).length > 0) throw new UsageError(`--to ${to} exists and is not an empty folder`, { hint: 'name a new folder' });
  }
  if (!existsSync(zipFile) || !lstatSync(zipFile).isFile()) throw new CsyncError('CSYNC_NOT_FOUND', `no zip file at ${zipFile}`, { hint: 'name a bundle written by csync export --zip' });
  // Pass 1: check every entry before writing anything.
  await readZip(zipFile, async () => {});
  const tmp = join(dirname(target), `.${basename(target)}.csync-extract-${process.pid}.partial`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  let files = 0;
  let bytes = 0;
  try {
    await readZip(zipFile, async (e) => {
      const dest = resolve(tmp, ...e.name.replace(/\/$/, '').split('/'));
      if (!dest.startsWith(tmp + sep)) throw unsafe(zipFile, e.name, 'a path outside the target');
      if (e.isDir) {
        mkdirSync(dest, { recursive: true });
        return;
      }
      mkdirSync(dirname(dest), { recursive: true });
      let written = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          written += chunk.length;
          cb(written > e.size ? unsafe(zipFile, e.name, 'more bytes than it declares') : null, chunk);
        },
      });
      await pipeline(await e.open(), limit, createWriteStream(dest, { flags: 'wx', mode: 0o644 }));
      files += 1;
      bytes += written;
    });
    if (existsSync(target)) rmdirSync(target);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return { files, bytes };
}
