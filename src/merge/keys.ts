/**
 * Per-key merge of front matter. A key changed on one side takes that side's value (a removal is a change); the
 * same change on both sides is no conflict; different changes conflict, and the local value stays in the merged
 * mapping until the user settles it. `labels` is a set, not a value: additions and removals from both sides are
 * applied, so two people tagging a page at once never conflict.
 */
import { isDeepStrictEqual } from 'node:util';

export interface KeyConflict {
  key: string;
  /** `undefined` means the key is absent on that side. */
  base: unknown;
  local: unknown;
  remote: unknown;
}

export interface KeyMergeResult {
  /** Merged values; a key missing here is absent from the merged front matter. */
  meta: Map<string, unknown>;
  conflicts: KeyConflict[];
}

export function mergeKeys(
  base: ReadonlyMap<string, unknown>,
  local: ReadonlyMap<string, unknown>,
  remote: ReadonlyMap<string, unknown>,
): KeyMergeResult {
  const meta = new Map<string, unknown>();
  const conflicts: KeyConflict[] = [];
  const keys = new Set([...local.keys(), ...remote.keys(), ...base.keys()]);
  for (const key of keys) {
    const b = base.get(key);
    const l = local.get(key);
    const r = remote.get(key);
    let value: unknown;
    if (key === 'labels' && isLabelValue(b) && isLabelValue(l) && isLabelValue(r)) {
      value = mergeLabels(b, l, r);
    } else if (isDeepStrictEqual(l, r) || isDeepStrictEqual(r, b)) {
      value = l;
    } else if (isDeepStrictEqual(l, b)) {
      value = r;
    } else {
      conflicts.push({ key, base: b, local: l, remote: r });
      value = l;
    }
    if (value !== undefined) meta.set(key, value);
  }
  return { meta, conflicts };
}

type LabelValue = string[] | string | null | undefined;

/** The shapes `parseFile` accepts for labels; anything else (a mapping, numbers) is merged as a plain value. */
function isLabelValue(v: unknown): v is LabelValue {
  return v === undefined || v === null || typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}

function labelSet(v: LabelValue): Set<string> {
  if (v === undefined || v === null) return new Set();
  return new Set(typeof v === 'string' ? [v] : v);
}

/**
 * Set merge: a label in base survives only if neither side removed it; a label not in base is kept if either side
 * added it. When the merged set equals local's, local's value is kept as written (no churn in the file); otherwise
 * the result is sorted like `composeFile` writes it, so both machines produce the same text.
 */
export function mergeLabels(base: LabelValue, local: LabelValue, remote: LabelValue): LabelValue {
  const b = labelSet(base);
  const l = labelSet(local);
  const r = labelSet(remote);
  const merged = new Set<string>();
  for (const x of new Set([...b, ...l, ...r])) {
    if (b.has(x) ? l.has(x) && r.has(x) : l.has(x) || r.has(x)) merged.add(x);
  }
  if (sameSet(merged, l)) return local;
  if (sameSet(merged, r)) return remote;
  if (merged.size === 0) return undefined;
  return [...merged].sort();
}

function sameSet(x: Set<string>, y: Set<string>): boolean {
  return x.size === y.size && [...x].every((v) => y.has(v));
}
