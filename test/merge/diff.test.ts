import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { diffIndices } from 'node-diff3';
import { diff3Regions, diffLines } from '../../src/merge/diff.js';
import { merge3 } from '../../src/merge/merge3.js';
import { assertSeeded } from '../helpers/seeds.js';

const FILE = 'test/merge/diff.test.ts';

// Few distinct lines, so repetitions (the hard case for LCS diffs) are the norm.
const lines = fc.array(fc.constantFrom('a', 'b', 'c', '', '| x |'), { maxLength: 30 });

test('diffLines: applying the hunks to a gives b, and the edit is as short as an LCS diff (node-diff3)', () => {
  assertSeeded(
    'CSYNC_DIFF',
    FILE,
    'diff-lines',
    { seed: 20261203, runs: 2000 },
    fc.property(lines, lines, (a, b) => {
      const hunks = diffLines(a, b);
      const out: string[] = [];
      let pos = 0;
      for (const h of hunks) {
        assert.ok(h.oStart >= pos && h.oEnd >= h.oStart && h.sEnd >= h.sStart);
        out.push(...a.slice(pos, h.oStart), ...b.slice(h.sStart, h.sEnd));
        pos = h.oEnd;
      }
      out.push(...a.slice(pos));
      assert.deepEqual(out, b);
      const cost = (xs: Array<{ o: number; s: number }>) => xs.reduce((n, x) => n + x.o + x.s, 0);
      const mine = cost(hunks.map((h) => ({ o: h.oEnd - h.oStart, s: h.sEnd - h.sStart })));
      const lcs = cost(diffIndices(a, b).map((c) => ({ o: c.buffer1[1], s: c.buffer2[1] })));
      assert.ok(mine <= lcs, `${mine} edits, an LCS diff needs ${lcs}`);
    }),
  );
});

test('diff3Regions: stable and changed regions rebuild each side; one-sided regions take that side', () => {
  assertSeeded(
    'CSYNC_DIFF',
    FILE,
    'diff3-regions',
    { seed: 20261203, runs: 2000 },
    fc.property(lines, lines, lines, (o, a, b) => {
      const regions = diff3Regions(a, o, b);
      const side = (which: 'a' | 'o' | 'b') => regions.flatMap((r) => (r.stable ? r.lines : r[which]));
      assert.deepEqual(side('o'), o);
      assert.deepEqual(side('a'), a);
      assert.deepEqual(side('b'), b);
    }),
  );
});

test('merge3 of a 20,000-line page with many repeated lines takes well under a second, not minutes (node-diff3 needed ~80 s for 4,000)', () => {
  const base: string[] = [];
  for (let i = 0; i < 20_000; i++) base.push(i % 10 === 0 ? '## Section' : i % 3 === 0 ? '' : '| cell | cell | cell |');
  const local = [...base];
  local[100] = 'LOCAL';
  local[15_000] = 'LOCAL 2';
  const remote = [...base];
  remote[5_000] = 'REMOTE';
  remote[19_000] = 'REMOTE 2';
  const started = performance.now();
  const m = merge3(`${base.join('\n')}\n`, `${local.join('\n')}\n`, `${remote.join('\n')}\n`);
  const ms = performance.now() - started;
  assert.equal(m.status, 'clean');
  const expected = base.map((l, i) => (i === 100 ? 'LOCAL' : i === 15_000 ? 'LOCAL 2' : i === 5_000 ? 'REMOTE' : i === 19_000 ? 'REMOTE 2' : l));
  assert.equal(m.text, `${expected.join('\n')}\n`);
  assert.ok(ms < 5_000, `${ms.toFixed(0)} ms`);
});

test('diffLines: texts too different for the edit budget become one changed block (still correct)', () => {
  const a = Array.from({ length: 3000 }, (_, i) => `a${i}`);
  const b = Array.from({ length: 3000 }, (_, i) => `b${i}`);
  assert.deepEqual(diffLines(a, b), [{ oStart: 0, oEnd: 3000, sStart: 0, sEnd: 3000 }]);
});
