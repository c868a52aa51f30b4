/** Result shapes of the merge module (pure: no I/O). Line numbers are 0-based; ranges are half-open [start, end). */
export type MergeStatus = 'unchanged' | 'local-only' | 'remote-only' | 'same-change' | 'clean' | 'conflict';

export interface MergeConflict {
  /** First base line of the overlapping region (0-based). */
  baseStart: number;
  /** One past the last base line of the region; equal to baseStart when both sides inserted at the same place. */
  baseEnd: number;
  /** First line of the region in the local text (0-based). */
  localStart: number;
  /** First line of the region in the remote text (0-based). */
  remoteStart: number;
  /** The region's lines on each side, without line endings. */
  local: string[];
  remote: string[];
  base: string[];
}

export interface MergeResult {
  status: MergeStatus;
  /** The merged text, in the local file's line-ending style. Absent when status is 'conflict'. */
  text?: string;
  conflicts: MergeConflict[];
  /** For display (`csync diff`, `resolve --keep merged`): the merge with git-style diff3 markers; equals `text` when clean. */
  withMarkers: string;
}

export interface MergeLabels {
  local: string;
  base: string;
  remote: string;
}

export interface MergeOptions {
  /** Labels written after the conflict markers; default local / base / remote. */
  labels?: Partial<MergeLabels> | undefined;
}
