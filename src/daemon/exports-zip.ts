/**
 * A folder bundle as a zip, made on the fly for GET /exports/{id}/bundle. The same folder zips to the same bytes
 * (sorted entries, fixed times and modes, stored without compression), so a first pass gives the length and the
 * SHA-256 for the headers and a second pass sends the body. Should the folder be replaced between the two passes (the
 * daemon publishes the next run of the definition), the body no longer matches the headers: the client's checksum
 * check refuses it and says to run again — or, when a file is gone, the connection is cut mid-body.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import { listBundleFiles } from '../export/bundle.js';

const MTIME = new Date('2000-01-01T00:00:00Z');

/** The zip of `dir` (files at the zip's root) as a stream; throws when the folder holds anything but files and folders. */
export function folderZipStream(dir: string): Readable {
  const zip = new yazl.ZipFile();
  for (const rel of listBundleFiles(dir)) zip.addFile(join(dir, ...rel.split('/')), rel, { mtime: MTIME, mode: 0o100644, compress: false });
  zip.end();
  return zip.outputStream as Readable;
}

/** Length and SHA-256 of the zip folderZipStream(dir) will send. */
export async function folderZipDigest(dir: string): Promise<{ size: number; sha256: Buffer }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of folderZipStream(dir)) {
    size += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  return { size, sha256: hash.digest() };
}
