import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latestChangeCql, latestForeignChange, pagesPulled, pagesPushed, pushedPathsOf } from '../../src/cli/commands/watch.js';
import type { PushSummary } from '../../src/engine/push.js';
import type { PullSummary } from '../../src/engine/types.js';

test('latestChangeCql: quoted space keys, pages and attachments, newest first, no date window', () => {
  assert.equal(latestChangeCql(['DOC']), 'space in ("DOC") and type in (page, attachment) order by lastmodified desc');
  assert.equal(latestChangeCql(['A', 'B"x']), 'space in ("A","B\\"x") and type in (page, attachment) order by lastmodified desc');
});

test('pushedPathsOf: both ends of a move, creates and deletes; unresolved conflicts it skipped are not pushed', () => {
  const s = {
    plan: [
      { action: 'update', path: 'content/D/a.md', id: '1' },
      { action: 'move', path: 'content/D/new/b.md', from: 'content/D/b.md', id: '2' },
      { action: 'create', path: 'content/D/c.md', id: '' },
      { action: 'delete', path: 'content/D/d.md', id: '4' },
      { action: 'conflict', path: 'content/D/e.md', id: '5' },
    ],
  } as unknown as PushSummary;
  assert.deepEqual(pushedPathsOf(s), ['content/D/a.md', 'content/D/new/b.md', 'content/D/b.md', 'content/D/c.md', 'content/D/d.md']);
});

test('pagesPushed / pagesPulled count pages changed, not moves or renames twice, nor unchanged ones', () => {
  const push = { pages: { updated: 2, created: 1, deleted: 1, moved: 1, renamed: 1, merged: 1, conflicted: 3, unchanged: 40, falseConflicts: 0, skippedConflicts: 1 } } as unknown as PushSummary;
  assert.equal(pagesPushed(push), 5);
  const pull = { pages: { new: 3, updated: 2, moved: 1, relabelled: 1, deleted: 1, conflicted: 1, unchanged: 30, falseConflicts: 0 } } as unknown as PullSummary;
  assert.equal(pagesPulled(pull), 6);
});

test('latestForeignChange: the daemon\'s own writes (id and version) are skipped; the first other change is the answer', () => {
  const r = (id: string, version: number, lastModified: string) => ({ id, version, lastModified });
  const own = new Map([
    ['10', 4],
    ['11', 2],
  ]);
  // Our two pushes on top, then what the previous poll saw.
  assert.equal(latestForeignChange([r('11', 2, 't3'), r('10', 4, 't2'), r('7', 9, 't1')], own, 3), '7:9:t1');
  // Someone edited one of our pages after us: another version, so not ours.
  assert.equal(latestForeignChange([r('10', 5, 't4'), r('11', 2, 't3')], own, 3), '10:5:t4');
  // Nothing but our writes, and fewer results than asked: nothing else in the spaces.
  assert.equal(latestForeignChange([r('11', 2, 't3')], own, 3), 'empty');
  assert.equal(latestForeignChange([], new Map(), 1), 'empty');
  // Every result asked for is ours: cannot tell (the caller pulls).
  assert.equal(latestForeignChange([r('11', 2, 't3'), r('10', 4, 't2')], own, 2), undefined);
  // A result without a version is never taken for ours.
  assert.equal(latestForeignChange([{ id: '10', lastModified: 't5' }], own, 3), '10::t5');
});
