import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nameFits, placePages, planRelocations, type PlacedPage } from '../../src/core/placement.js';
import { planPull } from '../../src/core/plan.js';
import { assertSeeded } from '../helpers/seeds.js';

const page = (id: string, title: string, parentId: string | null, path: string, status: PlacedPage['status'] = 'synced'): PlacedPage => ({ id, title, parentId, path, status });

test('placement (unscoped) is the path pull computes from the same titles and parents, for any tree', () => {
  const titles = fc.constantFrom('A', 'a', 'B', 'B.', 'C:D', 'C?D', 'Ä', 'A\u0308', 'con', '..');
  const treeArb = fc.array(fc.tuple(titles, fc.nat(20)), { minLength: 1, maxLength: 25 }).map((xs) =>
    xs.map(([title, p], i) => ({ id: String(10 + i), title, parentId: i === 0 ? null : String(10 + (p % i)) })),
  );
  assertSeeded(
    'CSYNC_PLACEMENT',
    'test/core/placement.test.ts',
    'unscoped',
    { seed: 20261130, runs: 300 },
    fc.property(treeArb, (nodes) => {
      const pull = planPull({ spaceKey: 'S', ext: '.md', base: [], local: new Map(), remote: nodes.map((n) => ({ ...n, version: 1, labels: [] })), untracked: new Set() }).paths;
      const placed = placePages('S', '.md', nodes.map((n) => page(n.id, n.title, n.parentId, `content/S/old/${n.id}.md`)), false);
      assert.deepEqual(new Map([...placed].sort()), new Map([...pull].sort()));
    }),
  );
});

test('planRelocations: a renamed parent moves its children; a freed collision name goes back; conflicts, staged and deleted-remote pages stay', () => {
  const pages = [
    page('1', 'Home', null, 'content/S/Home.md'),
    page('2', 'New name', '1', 'content/S/Home/Old name.md'),
    page('3', 'Child', '2', 'content/S/Home/Old name/Child.md'),
    page('4', 'Other', '1', 'content/S/Home/Other (000004).md'),
    page('5', 'Conflicted', '2', 'content/S/Home/Old name/Conflicted.md', 'conflict'),
    page('6', 'Staged', '1', 'cache/moving/6.md'),
    page('7', 'Gone', '1', 'content/S/Home/Gone.md', 'deleted-remote'),
  ];
  assert.deepEqual(planRelocations('S', '.md', pages, false), [
    { id: '2', from: 'content/S/Home/Old name.md', to: 'content/S/Home/New name.md' },
    { id: '3', from: 'content/S/Home/Old name/Child.md', to: 'content/S/Home/New name/Child.md' },
    { id: '4', from: 'content/S/Home/Other (000004).md', to: 'content/S/Home/Other.md' },
  ]);
  // Children of a page in conflict go where pull puts it (its record holds the remote title and parent).
  const kid = page('8', 'Kid', '5', 'content/S/Home/Old name/Conflicted/Kid.md');
  assert.deepEqual(planRelocations('S', '.md', [...pages, kid], false).find((r) => r.id === '8')?.to, 'content/S/Home/New name/Conflicted/Kid.md');
});

test('placement (scoped): the scope root keeps its folder, a name pull could have given (collision suffix) is kept', () => {
  assert.ok(nameFits('Docs', { id: '123456789', title: 'Docs' }));
  assert.ok(nameFits('Docs (456789)', { id: '123456789', title: 'Docs' }));
  assert.ok(nameFits('Docs (456789)__', { id: '123456789', title: 'Docs' }));
  assert.ok(!nameFits('Docs (456789)x', { id: '123456789', title: 'Docs' }));
  assert.ok(!nameFits('docs', { id: '123456789', title: 'Docs' }));
  // A --root pull: the root's ancestors are not in the base; its path came from the whole space.
  const pages = [
    page('100500', 'Docs', '9', 'content/S/Home/Team/Docs (100500).md'),
    page('501', 'Guide v2', '100500', 'content/S/Home/Team/Docs (100500)/Guide.md'),
    page('502', 'Unchanged', '100500', 'content/S/Home/Team/Docs (100500)/Unchanged.md'),
  ];
  assert.deepEqual(planRelocations('S', '.md', pages, true), [{ id: '501', from: 'content/S/Home/Team/Docs (100500)/Guide.md', to: 'content/S/Home/Team/Docs (100500)/Guide v2.md' }]);
  // Unscoped, the same base would lift the subtree to the top: the reason for the scoped rule.
  assert.equal(planRelocations('S', '.md', pages, false)[0]?.to, 'content/S/Docs.md');
});
