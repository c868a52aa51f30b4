/** Reads a zip with yauzl, entry by entry, after the safety rules; names decoded strictly as UTF-8. */
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { CsyncError } from '../core/errors.js';
import { DEFAULT_LIMITS, entryProblem, type ArchiveLimits } from './archive-rules.js';

export interface ZipEntry {
  name: string;
  isDir: boolean;
  size: number;
  open(): Promise<Readable>;
}

export function unsafe(archive: string, entry: string, why: string): CsyncError {
  return new CsyncError('CSYNC_UNSAFE_ARCHIVE', `refused ${archive}: entry ${JSON.stringify(entry)} has ${why}`, {
    hint: 'this archive was not written by csync export or was altered; nothing was extracted',
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Calls `each` for every entry in order; throws CSYNC_UNSAFE_ARCHIVE at the first unsafe one (before `each`). */
export async function readZip(file: string, each: (e: ZipEntry) => Promise<void>, limits: ArchiveLimits = DEFAULT_LIMITS): Promise<number> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) =>
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false }, (err, z) => (err ? rej(badZip(file, err)) : res(z))),
  );
  const seen = new Map<string, 'file' | 'dir'>();
  const totals = { entries: 0, bytes: 0 };
  try {
    return await new Promise<number>((resolve, reject) => {
      zip.on('error', (err: Error) => reject(badZip(file, err)));
      zip.on('end', () => resolve(totals.entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        const raw = entry.fileName as unknown as Buffer;
        let name: string;
        try {
          name = utf8.decode(raw);
        } catch {
          reject(unsafe(file, raw.toString('latin1'), 'a name that is not UTF-8'));
          return;
        }
        const why = entryProblem(
          { name, mode: (entry.externalFileAttributes >>> 16) & 0xffff, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize, encrypted: (entry.generalPurposeBitFlag & 1) !== 0 },
          seen,
          totals,
          limits,
        );
        if (why) {
          reject(unsafe(file, name, why));
          return;
        }
        const open = () => new Promise<Readable>((res, rej) => zip.openReadStream(entry, (err, s) => (err ? rej(badZip(file, err)) : res(s))));
        each({ name, isDir: name.endsWith('/'), size: entry.uncompressedSize, open }).then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

function badZip(file: string, err: Error): CsyncError {
  if (err instanceof CsyncError) return err;
  return new CsyncError('CSYNC_INTEGRITY', `${file} is not a readable zip: ${err.message}`, { hint: 'the file is damaged or not a zip; export again' });
}
