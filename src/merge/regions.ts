/**
 * The line merge proper: node-diff3's regions over line arrays, turned into merged lines plus conflicts.
 *
 * Two changes that touch (one ends where the other starts) overlap, like in git: edits on adjacent lines conflict,
 * edits separated by at least one untouched line merge. The regions come from diff.ts (Myers), not node-diff3, whose
 * LCS took minutes on long pages with many repeated lines.
 */
import { diff3Regions } from './diff.js';
import { sameLines } from './lines.js';
import type { MergeConflict } from './types.js';

export type Chunk = { kind: 'ok'; lines: string[] } | { kind: 'conflict'; conflict: MergeConflict };

export function mergeLines(base: readonly string[], local: readonly string[], remote: readonly string[]): Chunk[] {
  // Lines common to all three at both ends are stable whatever the diff says; trimming them first keeps the
  // LCS small on big pages (matching a common prefix is always part of some longest common subsequence).
  let head = 0;
  const minLen = Math.min(base.length, local.length, remote.length);
  while (head < minLen && base[head] === local[head] && base[head] === remote[head]) head++;
  let tail = 0;
  while (
    tail < minLen - head &&
    base[base.length - 1 - tail] === local[local.length - 1 - tail] &&
    base[base.length - 1 - tail] === remote[remote.length - 1 - tail]
  ) {
    tail++;
  }
  const o = base.slice(head, base.length - tail);
  const a = local.slice(head, local.length - tail);
  const b = remote.slice(head, remote.length - tail);

  const chunks: Chunk[] = [];
  const ok = (lines: readonly string[]): void => {
    if (lines.length === 0) return;
    const last = chunks[chunks.length - 1];
    if (last?.kind === 'ok') last.lines.push(...lines);
    else chunks.push({ kind: 'ok', lines: [...lines] });
  };
  ok(base.slice(0, head));
  for (const region of diff3Regions(a, o, b)) {
    if (region.stable) {
      ok(region.lines);
      continue;
    }
    const { a: aContent, b: bContent, o: oContent } = region;
    // Identical change on both sides (a false conflict), or one side left the region as it was: nothing to decide.
    if (sameLines(aContent, bContent) || sameLines(bContent, oContent)) ok(aContent);
    else if (sameLines(aContent, oContent)) ok(bContent);
    else {
      chunks.push({
        kind: 'conflict',
        conflict: {
          baseStart: head + region.oStart,
          baseEnd: head + region.oEnd,
          localStart: head + region.aStart,
          remoteStart: head + region.bStart,
          local: [...aContent],
          remote: [...bContent],
          base: [...oContent],
        },
      });
    }
  }
  ok(base.slice(base.length - tail));
  return chunks;
}
