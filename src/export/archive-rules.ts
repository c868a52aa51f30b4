/**
 * Pure safety rules for archive entries (zip-slip and friends). An entry is refused, never "fixed": a bundle csync
 * wrote never breaks these, so an archive that does was made by something else.
 */
export interface EntryInfo {
  name: string;
  /** Unix mode from the external attributes (0 when the archive made on another system has none). */
  mode: number;
  compressedSize: number;
  uncompressedSize: number;
  encrypted: boolean;
}

export interface ArchiveLimits {
  maxEntries: number;
  maxTotalBytes: number;
  /** Largest allowed uncompressed/compressed ratio for entries over 1 MiB. */
  maxRatio: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = { maxEntries: 200_000, maxTotalBytes: 8 * 1024 ** 3, maxRatio: 200 };

const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/** Why the name is unsafe, or undefined when it is fine. Directory entries end with "/". */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'an empty name';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'a control character (NUL, newline…) in the name';
  if (name.includes('\\')) return 'a backslash in the name';
  if (name.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'a drive letter';
  const segments = name.replace(/\/$/, '').split('/');
  for (const s of segments) {
    if (s === '..') return 'a ".." segment (zip slip)';
    if (s === '.' || s === '') return 'an empty or "." segment';
    if (Buffer.byteLength(s) > 255) return 'a name longer than 255 bytes';
    if (RESERVED.test(s)) return `a reserved device name (${s})`;
    if (/[<>:"|?*]/.test(s) || /[ .]$/.test(s)) return 'a character not allowed in file names on Windows';
  }
  if (segments.length > 64) return 'more than 64 levels of folders';
  return undefined;
}

/** Why the entry is unsafe, or undefined. `seen` collects case- and normalisation-folded paths across calls. */
export function entryProblem(e: EntryInfo, seen: Map<string, 'file' | 'dir'>, totals: { entries: number; bytes: number }, limits: ArchiveLimits = DEFAULT_LIMITS): string | undefined {
  const bad = nameProblem(e.name);
  if (bad) return bad;
  if (e.encrypted) return 'an encrypted entry';
  const isDir = e.name.endsWith('/');
  const type = e.mode & S_IFMT;
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) return (type === 0o120000 ? 'a symbolic link' : 'a special file (not a regular file or folder)');
  if (type === S_IFDIR && !isDir) return 'a folder entry without a trailing slash';
  totals.entries += 1;
  totals.bytes += e.uncompressedSize;
  if (totals.entries > limits.maxEntries) return `more than ${limits.maxEntries} entries`;
  if (totals.bytes > limits.maxTotalBytes) return `more than ${limits.maxTotalBytes} bytes once unpacked (zip bomb?)`;
  if (e.uncompressedSize > 1024 ** 2 && e.uncompressedSize > limits.maxRatio * Math.max(1, e.compressedSize)) return 'a compression ratio over 200 (zip bomb?)';
  const key = e.name.replace(/\/$/, '').normalize('NFC').toLowerCase();
  if (seen.has(key)) return 'a duplicate entry (names equal ignoring case and Unicode normalisation)';
  const parts = key.split('/');
  for (let i = 1; i < parts.length; i++) {
    if (seen.get(parts.slice(0, i).join('/')) === 'file') return 'an entry below a file';
  }
  seen.set(key, isDir ? 'dir' : 'file');
  for (let i = 1; i < parts.length; i++) {
    const p = parts.slice(0, i).join('/');
    if (!seen.has(p)) seen.set(p, 'dir');
  }
  return undefined;
}
