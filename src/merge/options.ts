/** Public partial options → validated, frozen, normalised (unknown keys are rejected so typos do not pass silently). */
import { CsyncError } from '../core/errors.js';
import type { MergeLabels, MergeOptions } from './types.js';

export interface NormalisedMergeOptions {
  readonly labels: Readonly<MergeLabels>;
}

const DEFAULT_LABELS: MergeLabels = { local: 'local', base: 'base', remote: 'remote' };

export function normaliseMergeOptions(options: MergeOptions = {}): NormalisedMergeOptions {
  for (const key of Object.keys(options)) {
    if (key !== 'labels') throw new CsyncError('CSYNC_INTERNAL', `Unexpected merge option: ${key}`);
  }
  const labels = { ...DEFAULT_LABELS };
  for (const [key, value] of Object.entries(options.labels ?? {})) {
    if (!(key in DEFAULT_LABELS)) throw new CsyncError('CSYNC_INTERNAL', `Unexpected merge label: ${key}`);
    if (value === undefined) continue;
    // A label is written on the marker line: a newline in it would forge or break a marker.
    if (typeof value !== 'string' || /[\r\n]/.test(value)) {
      throw new CsyncError('CSYNC_INTERNAL', `Expected \`labels.${key}\` to be a one-line string, got ${JSON.stringify(value)}`);
    }
    labels[key as keyof MergeLabels] = value;
  }
  return Object.freeze({ labels: Object.freeze(labels) });
}
