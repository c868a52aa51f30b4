import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { merge3, unifiedDiff } from '../../src/engine/merge.js';
import { assertSeeded } from '../helpers/seeds.js';

const FILE = 'test/engine/merge.test.ts';

const line = fc.stringMatching(/^[a-z ]{0,12}$/);
const text = fc.array(line, { maxLength: 12 }).map((ls) => ls.join('\n'));

test('merge3(b, b, r) = r; merge3(b, l, b) = l; merge3(b, x, x) = x', () => {
  assertSeeded(
    'CSYNC_ENGINE_MERGE',
    FILE,
    'identities',
    { seed: 20261203, runs: 500 },
    fc.property(text, text, (b, x) => {
      assert.deepEqual(merge3(b, b, x), { clean: true, text: x });
      assert.deepEqual(merge3(b, x, b), { clean: true, text: x });
      assert.deepEqual(merge3(b, x, x), { clean: true, text: x });
    }),
  );
});

test('disjoint edits (two unchanged lines apart) are both kept', () => {
  assertSeeded(
    'CSYNC_ENGINE_MERGE',
    FILE,
    'disjoint',
    { seed: 20261203, runs: 300 },
    fc.property(fc.array(fc.uuid(), { minLength: 4, maxLength: 20 }), fc.nat(), fc.nat(), fc.string({ minLength: 1 }).filter((s) => !s.includes('\n')), (lines, i0, j0, extra) => {
      const i = i0 % (lines.length - 3);
      const j = i + 3 + (j0 % (lines.length - i - 3));
      const local = lines.map((l, k) => (k === i ? `L:${extra}` : l));
      const remote = lines.map((l, k) => (k === j ? `R:${extra}` : l));
      const expected = lines.map((l, k) => (k === i ? `L:${extra}` : k === j ? `R:${extra}` : l));
      const m = merge3(lines.join('\n'), local.join('\n'), remote.join('\n'));
      assert.deepEqual(m, { clean: true, text: expected.join('\n') });
    }),
  );
});

test('the same line changed differently on both sides is a conflict and the local text is returned', () => {
  const m = merge3('a\nb\nc\n', 'a\nB1\nc\n', 'a\nB2\nc\n');
  assert.deepEqual(m, { clean: false, text: 'a\nB1\nc\n' });
});

test('an insertion and a deletion far apart merge; a deletion against an edit of the same line conflicts', () => {
  assert.deepEqual(merge3('1\n2\n3\n4\n5\n', '0\n1\n2\n3\n4\n5\n', '1\n2\n3\n4\n'), { clean: true, text: '0\n1\n2\n3\n4\n' });
  assert.equal(merge3('1\n2\n3\n', '1\n3\n', '1\nX\n3\n').clean, false);
});

test('unifiedDiff: equal texts give nothing; a changed line gives one hunk with context', () => {
  assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y'), '');
  const d = unifiedDiff('1\n2\n3\n4\n5\n6\n7\n8\n', '1\n2\n3\n4\nFIVE\n6\n7\n8\n', 'remote', 'local');
  assert.equal(d, ['--- remote', '+++ local', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+FIVE', ' 6', ' 7', ' 8', ''].join('\n'));
});
