/**
 * Pure line-based three-way merge for push/sync (node-diff3). Trivial cases are decided on whole texts first,
 * so one-sided changes come back byte for byte; otherwise the texts are split on '\n' (line endings stay
 * inside the lines) and merged region by region. Any overlapping region means a conflict: no text is guessed.
 */
import { diff3Merge } from 'node-diff3';

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
