/**
 * The PDF's CJK font (`--pdf-font FILE`, config `export.pdf.font`): checked before an export starts, so a wrong path
 * is a one-line error and not a failed render at the end of a long job.
 */
import { closeSync, lstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { ConfigError, UsageError } from '../core/errors.js';

const MAX_FONT_BYTES = 64 * 1024 ** 2;
/** TrueType, OpenType (CFF), Apple TrueType, font collection, WOFF, WOFF2: what pdfkit's fontkit opens. */
const MAGIC = [Buffer.from([0, 1, 0, 0]), Buffer.from('OTTO'), Buffer.from('true'), Buffer.from('ttcf'), Buffer.from('wOFF'), Buffer.from('wOF2')];

/** `file` (relative to `base`) as an absolute path, or a UsageError (the flag) / ConfigError (the config key) saying what is wrong. */
export function checkPdfFont(file: string, base: string, from: '--pdf-font' | 'export.pdf.font'): string {
  const path = resolve(base, file);
  const fail = (what: string) => {
    const options = { hint: 'name a TrueType or OpenType font file (.ttf, .otf, .woff) with CJK glyphs, e.g. NotoSansSC-Regular.ttf' };
    return from === '--pdf-font' ? new UsageError(`--pdf-font ${path}: ${what}`, options) : new ConfigError(`export.pdf.font ${path}: ${what}`, options);
  };
  let size: number;
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) throw fail('is a symbolic link (name the font file itself)');
    if (!st.isFile()) throw fail('is not a file');
    size = st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw fail('no such file');
    throw err;
  }
  if (size > MAX_FONT_BYTES) throw fail(`is ${Math.round(size / 2 ** 20)} MB, more than a font file should be (64 MB)`);
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (!MAGIC.some((m) => m.equals(head))) throw fail('is not a TrueType/OpenType/WOFF font');
  return path;
}

/**
 * A WOFF 1.0 font as the TrueType/OpenType file it wraps (its tables inflated). fontkit reads a WOFF's tables by
 * inflating them again on every glyph lookup; from the plain file it reads them in place, which made a PDF export
 * spend a third of its time in zlib. Throws on a malformed file.
 */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString('latin1', 0, 4) !== 'wOFF' || woff.length < 44) throw new Error('not a WOFF file');
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables: Array<{ tag: number; checksum: number; data: Buffer }> = [];
  for (let i = 0; i < numTables; i++) {
    const at = 44 + i * 20;
    const [tag, offset, compLength, origLength, checksum] = [0, 4, 8, 12, 16].map((k) => woff.readUInt32BE(at + k)) as [number, number, number, number, number];
    if (offset + compLength > woff.length) throw new Error('a WOFF table runs past the end of the file');
    const raw = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? inflateSync(raw) : raw;
    if (data.length !== origLength) throw new Error('a WOFF table inflates to the wrong size');
    tables.push({ tag, checksum, data });
  }
  const pow = 2 ** Math.floor(Math.log2(Math.max(1, numTables)));
  const head = Buffer.alloc(12 + 16 * numTables);
  head.writeUInt32BE(flavor, 0);
  head.writeUInt16BE(numTables, 4);
  head.writeUInt16BE(pow * 16, 6);
  head.writeUInt16BE(Math.log2(pow), 8);
  head.writeUInt16BE(numTables * 16 - pow * 16, 10);
  const parts: Buffer[] = [head];
  let offset = head.length;
  tables.forEach((t, i) => {
    head.writeUInt32BE(t.tag, 12 + i * 16);
    head.writeUInt32BE(t.checksum, 16 + i * 16);
    head.writeUInt32BE(offset, 20 + i * 16);
    head.writeUInt32BE(t.data.length, 24 + i * 16);
    const padded = Buffer.alloc((t.data.length + 3) & ~3);
    t.data.copy(padded);
    parts.push(padded);
    offset += padded.length;
  });
  return Buffer.concat(parts);
}
