/**
 * The PDF's CJK font (`--pdf-font FILE`, config `export.pdf.font`): checked before an export starts, so a wrong path
 * is a one-line error and not a failed render at the end of a long job.
 */
import { closeSync, lstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
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
