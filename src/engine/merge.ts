/**
 * Pure line-based three-way merge for push/sync (node-diff3). Trivial cases are decided on whole texts first,
 * so one-sided changes come back byte for byte; otherwise the texts are split on '\n' (line endings stay
 * inside the lines) and merged region by region. Any overlapping region means a conflict: no text is guessed.
 */
import { diff3Merge, diffIndices } from 'node-diff3';

export interface Merge3Result {
  clean: boolean;
  /** The merged text when clean; the local text otherwise. */
  text: string;
}

export function merge3(base: string, local: string, remote: string): Merge3Result {
  if (local === base || local === remote) return { clean: true, text: remote };
  if (remote === base) return { clean: true, text: local };
  const regions = diff3Merge<string>(local.split('\n'), base.split('\n'), remote.split('\n'), { excludeFalseConflicts: true });
  const out: string[] = [];
  for (const r of regions) {
    if (r.conflict) return { clean: false, text: local };
    out.push(...(r.ok ?? []));
  }
  return { clean: true, text: out.join('\n') };
}

/** A unified diff (3 lines of context) of two texts, in the `diff -u` layout; empty when they are equal. */
export function unifiedDiff(a: string, b: string, labelA: string, labelB: string, context = 3): string {
  if (a === b) return '';
  const la = a.split('\n');
  const lb = b.split('\n');
  const changes = diffIndices(la, lb);
  if (changes.length === 0) return '';
  const out = [`--- ${labelA}`, `+++ ${labelB}`];
  let i = 0;
  while (i < changes.length) {
    let j = i;
    while (j + 1 < changes.length && changes[j + 1]!.buffer1[0] - (changes[j]!.buffer1[0] + changes[j]!.buffer1[1]) <= 2 * context) j++;
    const first = changes[i]!;
    const last = changes[j]!;
    const aStart = Math.max(0, first.buffer1[0] - context);
    const aEnd = Math.min(la.length, last.buffer1[0] + last.buffer1[1] + context);
    const bStart = first.buffer2[0] - (first.buffer1[0] - aStart);
    const bEnd = last.buffer2[0] + last.buffer2[1] + (aEnd - (last.buffer1[0] + last.buffer1[1]));
    out.push(`@@ -${aStart + 1},${aEnd - aStart} +${bStart + 1},${bEnd - bStart} @@`);
    let pos = aStart;
    for (let k = i; k <= j; k++) {
      const c = changes[k]!;
      for (; pos < c.buffer1[0]; pos++) out.push(` ${la[pos]}`);
      for (const l of c.buffer1Content) out.push(`-${l}`);
      for (const l of c.buffer2Content) out.push(`+${l}`);
      pos = c.buffer1[0] + c.buffer1[1];
    }
    for (; pos < aEnd; pos++) out.push(` ${la[pos]}`);
    i = j + 1;
  }
  return out.join('\n') + '\n';
}
