/**
 * Texts as lines for the line merge. Line endings are normalised to LF for comparison (a CRLF file and an LF file
 * with the same words must not conflict), and the final newline is kept apart from the lines as a flag, so a side
 * that only adds or drops the newline at end of file does not collide with the other side's edit of the last line.
 */
export type Eol = '\n' | '\r\n';

export interface SplitText {
  lines: string[];
  finalNewline: boolean;
}

export function splitLines(text: string): SplitText {
  const t = text.replace(/\r\n/g, '\n');
  if (t === '') return { lines: [], finalNewline: false };
  if (t.endsWith('\n')) return { lines: t.slice(0, -1).split('\n'), finalNewline: true };
  return { lines: t.split('\n'), finalNewline: false };
}

export function joinLines(lines: readonly string[], finalNewline: boolean, eol: Eol): string {
  // No terminator without a line: a merge can leave zero lines while a side still "has" a final newline.
  if (lines.length === 0) return '';
  return lines.join(eol) + (finalNewline ? eol : '');
}

/** The style of a text's line endings: CRLF when most of its newlines are CRLF (a mixed file keeps its majority). */
export function detectEol(text: string): Eol {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const all = text.match(/\n/g)?.length ?? 0;
  return crlf > 0 && crlf * 2 >= all ? '\r\n' : '\n';
}

/** Rewrites every line ending to `eol` (used to hand back the remote text in the local file's style). */
export function withEol(text: string, eol: Eol): string {
  const lf = text.replace(/\r\n/g, '\n');
  return eol === '\n' ? lf : lf.replace(/\n/g, '\r\n');
}

export function sameLines(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
