/**
 * The three-way merge push and pull use, and the unified diff of `csync diff`: thin adapters over src/merge (one
 * merge implementation: line endings, the final newline and false conflicts handled there; Myers diff underneath,
 * fast on long pages with many repeated lines). Any overlapping region means a conflict: no text is guessed.
 */
import { diffLines } from '../merge/diff.js';
import { merge3 as mergeTexts } from '../merge/merge3.js';

export interface Merge3Result {
  clean: boolean;
  /** The merged text when clean; the local text otherwise. */
  text: string;
}

export function merge3(base: string, local: string, remote: string): Merge3Result {
  // Byte for byte: a side that did not change gives the other side's text exactly.
  if (local === base || local === remote) return { clean: true, text: remote };
  if (remote === base) return { clean: true, text: local };
  const m = mergeTexts(base, local, remote);
  if (m.status === 'conflict' || m.text === undefined) return { clean: false, text: local };
  return { clean: true, text: m.text };
}

/** A unified diff (3 lines of context) of two texts, in the `diff -u` layout; empty when they are equal. */
export function unifiedDiff(a: string, b: string, labelA: string, labelB: string, context = 3): string {
  if (a === b) return '';
  const la = a.split('\n');
  const lb = b.split('\n');
  const changes = diffLines(la, lb);
  if (changes.length === 0) return '';
  const out = [`--- ${labelA}`, `+++ ${labelB}`];
  let i = 0;
  while (i < changes.length) {
    let j = i;
    while (j + 1 < changes.length && changes[j + 1]!.oStart - changes[j]!.oEnd <= 2 * context) j++;
    const first = changes[i]!;
    const last = changes[j]!;
    const aStart = Math.max(0, first.oStart - context);
    const aEnd = Math.min(la.length, last.oEnd + context);
    const bStart = first.sStart - (first.oStart - aStart);
    const bEnd = last.sEnd + (aEnd - last.oEnd);
    out.push(`@@ -${aStart + 1},${aEnd - aStart} +${bStart + 1},${bEnd - bStart} @@`);
    let pos = aStart;
    for (let k = i; k <= j; k++) {
      const c = changes[k]!;
      for (; pos < c.oStart; pos++) out.push(` ${la[pos]}`);
      for (let x = c.oStart; x < c.oEnd; x++) out.push(`-${la[x]}`);
      for (let x = c.sStart; x < c.sEnd; x++) out.push(`+${lb[x]}`);
      pos = c.oEnd;
    }
    for (; pos < aEnd; pos++) out.push(` ${la[pos]}`);
    i = j + 1;
  }
  return out.join('\n') + '\n';
}
