/**
 * Line diff (Myers' O((N+M)·D) algorithm) and the diff3 regions built on it. node-diff3's LCS slows down badly on
 * long texts with many repeated lines (tables, blank lines): 4,000 such lines took ~80 s to merge. Myers' time
 * depends on the number of differences D, not on repetitions: a 20,000-line page with a few edits on each side
 * merges in about 0.1 s. Above MAX_D (2,000) differences the middle is treated as one changed block (coarser, never wrong:
 * the merge then conflicts where both sides changed it).
 */

/** Half-open ranges: base [oStart, oEnd) became side [sStart, sEnd). */
export interface Hunk {
  oStart: number;
  oEnd: number;
  sStart: number;
  sEnd: number;
}

const MAX_D = 2000;

/** Lines → small integers (equal lines, equal numbers), for fast comparison. */
function interner(): (lines: readonly string[]) => Int32Array {
  const ids = new Map<string, number>();
  return (lines) => {
    const out = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      let id = ids.get(lines[i]!);
      if (id === undefined) ids.set(lines[i]!, (id = ids.size));
      out[i] = id;
    }
    return out;
  };
}

/** The change hunks that turn `a` into `b`, in order. */
export function diffLines(a: readonly string[], b: readonly string[]): Hunk[] {
  const intern = interner();
  return diffIds(intern(a), intern(b));
}

function diffIds(a: Int32Array, b: Int32Array): Hunk[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.subarray(head, a.length - tail);
  const y = b.subarray(head, b.length - tail);
  const hunks: Hunk[] = [];
  if (x.length === 0 && y.length === 0) return hunks;
  if (x.length === 0 || y.length === 0) return [{ oStart: head, oEnd: head + x.length, sStart: head, sEnd: head + y.length }];
  const matches = myers(x, y);
  if (!matches) return [{ oStart: head, oEnd: head + x.length, sStart: head, sEnd: head + y.length }];
  // matches: pairs (i, j) with x[i] === y[j], increasing; hunks are the gaps between them.
  let i = 0;
  let j = 0;
  const push = (i2: number, j2: number) => {
    if (i2 > i || j2 > j) hunks.push({ oStart: head + i, oEnd: head + i2, sStart: head + j, sEnd: head + j2 });
  };
  for (let m = 0; m < matches.length; m += 2) {
    const mi = matches[m]!;
    const mj = matches[m + 1]!;
    push(mi, mj);
    i = mi + 1;
    j = mj + 1;
  }
  push(x.length, y.length);
  return hunks;
}

/** Matched index pairs [i0, j0, i1, j1, ...] of a shortest edit script, or undefined when D > MAX_D. */
function myers(a: Int32Array, b: Int32Array): number[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_D);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    trace.push(v.slice(offset - d - 1, offset + d + 2));
  }
  if (found < 0) return undefined;
  // Walk back through the saved frontiers; trace[d][k + d + 1] is V[k] after step d.
  const pairs: number[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d - 1]!;
    const at = (k: number) => prev[k + d]!; // V[k] after step d - 1 (its frontier is offset by d)
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      pairs.push(y, x);
    }
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    pairs.push(y, x);
  }
  // Collected backwards as (j, i); reverse to increasing (i, j).
  pairs.reverse();
  return pairs;
}

export type Region =
  | { stable: true; lines: string[] }
  | { stable: false; oStart: number; oEnd: number; aStart: number; bStart: number; a: string[]; o: string[]; b: string[] };

/**
 * diff3 regions of `a` and `b` against their common ancestor `o`: stable runs (the same in all three) and unstable
 * ones, where either side changed. Changes of the two sides that overlap or touch (one ends where the other starts)
 * form one region, as in GNU diff3 and git.
 */
export function diff3Regions(a: readonly string[], o: readonly string[], b: readonly string[]): Region[] {
  const intern = interner();
  const [ia, io, ib] = [intern(a), intern(o), intern(b)];
  const ha = diffIds(io, ia).map((h) => ({ ...h, side: 0 as const }));
  const hb = diffIds(io, ib).map((h) => ({ ...h, side: 1 as const }));
  const all = [...ha, ...hb].sort((p, q) => p.oStart - q.oStart || p.oEnd - q.oEnd || p.side - q.side);
  const regions: Region[] = [];
  let pos = 0; // base lines before this are emitted
  let i = 0;
  while (i < all.length) {
    const first = all[i]!;
    let oStart = first.oStart;
    let oEnd = first.oEnd;
    const group = [first];
    i++;
    while (i < all.length && all[i]!.oStart <= oEnd) {
      const h = all[i]!;
      group.push(h);
      oEnd = Math.max(oEnd, h.oEnd);
      oStart = Math.min(oStart, h.oStart);
      i++;
    }
    if (oStart > pos) regions.push({ stable: true, lines: o.slice(pos, oStart) });
    // Each side's lines for base [oStart, oEnd): its first hunk's start (shifted back to oStart), to its last hunk's
    // end (shifted on to oEnd). A side with no hunk here has the base lines.
    const range = (side: 0 | 1): [number, number] => {
      const hs = group.filter((h) => h.side === side);
      if (hs.length === 0) return [-1, -1];
      const f = hs[0]!;
      const l = hs[hs.length - 1]!;
      return [f.sStart - (f.oStart - oStart), l.sEnd + (oEnd - l.oEnd)];
    };
    const [aLo, aHi] = range(0);
    const [bLo, bHi] = range(1);
    const oLines = o.slice(oStart, oEnd);
    const aLines = aLo < 0 ? oLines : a.slice(aLo, aHi);
    const bLines = bLo < 0 ? oLines : b.slice(bLo, bHi);
    regions.push({ stable: false, oStart, oEnd, aStart: aLo < 0 ? -1 : aLo, bStart: bLo < 0 ? -1 : bLo, a: aLines, o: oLines, b: bLines });
    pos = oEnd;
  }
  if (pos < o.length) regions.push({ stable: true, lines: o.slice(pos) });
  return regions;
}
