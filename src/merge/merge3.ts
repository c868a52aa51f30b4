/**
 * Line-based three-way merge of local texts (front matter + body, already in the local format).
 *
 * Classification comes first, on texts with normalised line endings: nothing changed, one side changed, or both
 * made the same change need no line merge at all. Two sides whose texts differ only in line endings, a BOM or
 * whitespace at end of file hold the same page (`sameContent`): a false conflict, reported as 'same-change'.
 * Everything else goes through the diff3 line merge. Output always uses the local file's line-ending style.
 */
import { detectEol, joinLines, sameLines, splitLines, withEol, type Eol } from './lines.js';
import { normaliseMergeOptions, type NormalisedMergeOptions } from './options.js';
import { mergeLines, type Chunk } from './regions.js';
import { sameContent } from './same-content.js';
import type { MergeConflict, MergeOptions, MergeResult } from './types.js';

export function merge3(base: string, local: string, remote: string, options?: MergeOptions): MergeResult {
  const opts = normaliseMergeOptions(options);
  const eol = detectEol(local);
  const b = splitLines(base);
  const l = splitLines(local);
  const r = splitLines(remote);
  const trivial = classifyTrivial(base, local, remote);
  if (trivial) return { ...trivial, conflicts: [], withMarkers: trivial.text };

  const chunks = mergeLines(b.lines, l.lines, r.lines);
  // The final newline is a one-bit three-way merge: a side that changed it wins; both changing it agree.
  const finalNewline = l.finalNewline !== b.finalNewline ? l.finalNewline : r.finalNewline;
  const conflicts = chunks.flatMap((c) => (c.kind === 'conflict' ? [c.conflict] : []));
  const withMarkers = renderWithMarkers(chunks, finalNewline, eol, opts);
  if (conflicts.length > 0) return { status: 'conflict', conflicts, withMarkers };
  return { status: 'clean', text: withMarkers, conflicts: [], withMarkers };
}

/**
 * The cases that need no line merge, decided on whole texts: nothing changed, one side changed, or both sides hold
 * the same page. Shared with the document merge so both report the same status for the same inputs.
 */
export function classifyTrivial(
  base: string,
  local: string,
  remote: string,
): { status: 'unchanged' | 'local-only' | 'remote-only' | 'same-change'; text: string } | undefined {
  const b = splitLines(base);
  const l = splitLines(local);
  const r = splitLines(remote);
  const lUnchanged = sameSplit(l, b);
  const rUnchanged = sameSplit(r, b);
  if (lUnchanged && rUnchanged) return { status: 'unchanged', text: local };
  if (sameSplit(l, r)) return { status: 'same-change', text: local };
  if (rUnchanged) return { status: 'local-only', text: local };
  if (lUnchanged) return { status: 'remote-only', text: withEol(remote, detectEol(local)) };
  if (sameContent(local, remote)) return { status: 'same-change', text: local };
  return undefined;
}

function sameSplit(x: { lines: string[]; finalNewline: boolean }, y: { lines: string[]; finalNewline: boolean }): boolean {
  return x.finalNewline === y.finalNewline && sameLines(x.lines, y.lines);
}

/** Git's diff3 conflict style: the base section lets a reader see what each side did, not just what it has now. */
export function renderWithMarkers(
  chunks: readonly Chunk[],
  finalNewline: boolean,
  eol: Eol,
  opts: NormalisedMergeOptions,
): string {
  const out: string[] = [];
  for (const chunk of chunks) {
    if (chunk.kind === 'ok') out.push(...chunk.lines);
    else out.push(...markerBlock(chunk.conflict, opts));
  }
  // A conflict block ends with a marker line, which always gets its newline so that text following it later
  // (e.g. a document's next part) cannot run into the marker.
  const endsInConflict = chunks[chunks.length - 1]?.kind === 'conflict';
  return joinLines(out, finalNewline || endsInConflict, eol);
}

export function markerBlock(c: Pick<MergeConflict, 'local' | 'base' | 'remote'>, opts: NormalisedMergeOptions): string[] {
  const { labels } = opts;
  return [
    `<<<<<<< ${labels.local}`,
    ...c.local,
    `||||||| ${labels.base}`,
    ...c.base,
    '=======',
    ...c.remote,
    `>>>>>>> ${labels.remote}`,
  ];
}
