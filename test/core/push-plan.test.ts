import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planPull, type LocalState } from '../../src/core/plan.js';
import { createOrder, decideConflict, inPaths, planPush, type PushBase, type PushPlanInput } from '../../src/core/push-plan.js';
import { merge3 } from '../../src/engine/merge.js';

const base = (id: string, path: string, status: PushBase['status'] = 'synced', version = 3): PushBase => ({ id, path, status, version });
const P = (name: string) => `content/S/Home/${name}.md`;

function input(over: Omit<Partial<PushPlanInput>, 'local'> & { local?: Record<string, LocalState> }): PushPlanInput {
  return {
    base: over.base ?? [],
    local: new Map(Object.entries(over.local ?? {})),
    untracked: over.untracked ?? [],
    maxDelete: over.maxDelete ?? { percent: 50 },
    force: over.force ?? false,
    ...(over.paths ? { paths: over.paths } : {}),
    ...(over.noDelete ? { noDelete: true } : {}),
    ...(over.remoteVersions ? { remoteVersions: over.remoteVersions } : {}),
  };
}

test('planPush: edits, moves (by the id in front matter), creates parents first, deletes last; unchanged counted', () => {
  const plan = planPush(
    input({
      base: [base('1', P('A')), base('2', P('B')), base('3', P('C')), base('4', P('D')), base('5', P('E')), base('6', P('F')), base('7', P('G')), base('8', P('H'))],
      local: { '1': 'modified', '2': 'missing', '3': 'missing', '4': 'unchanged', '5': 'unchanged', '6': 'unchanged', '7': 'unchanged', '8': 'unchanged' },
      untracked: [
        { path: 'content/S/Home/A/New/Deep.md' },
        { path: 'content/S/Home/A/B.md', id: '2' },
        { path: 'content/S/Home/A/New.md' },
      ],
    }),
  );
  assert.deepEqual(plan.actions, [
    { kind: 'update', id: '1', path: P('A') },
    { kind: 'move', id: '2', from: P('B'), path: 'content/S/Home/A/B.md' },
    { kind: 'create', path: 'content/S/Home/A/New.md' },
    { kind: 'create', path: 'content/S/Home/A/New/Deep.md' },
    { kind: 'delete', id: '3', path: P('C') },
  ]);
  assert.equal(plan.unchanged, 5);
  assert.equal(plan.gate, undefined);
});

test('planPush: a second file carrying an id already moved is a new page; a copy beside a present file too', () => {
  const plan = planPush(input({ base: [base('1', P('A')), base('2', P('B'))], local: { '1': 'missing', '2': 'unchanged' }, untracked: [{ path: P('A1'), id: '1' }, { path: P('A2'), id: '1' }, { path: P('B2'), id: '2' }] }));
  assert.deepEqual(plan.actions, [
    { kind: 'move', id: '1', from: P('A'), path: P('A1') },
    { kind: 'create', path: P('A2') },
    { kind: 'create', path: P('B2') },
  ]);
});

test('planPush: conflicted pages are never pushed — edited, moved or deleted (regression: a deleted conflicted file trashed the page)', () => {
  const plan = planPush(input({ base: [base('1', P('A'), 'conflict'), base('2', P('B'), 'conflict'), base('3', P('C'), 'conflict')], local: { '1': 'modified', '2': 'missing', '3': 'missing' }, untracked: [{ path: P('B2'), id: '2' }] }));
  assert.deepEqual(plan.actions, [
    { kind: 'conflict', id: '1', path: P('A') },
    { kind: 'conflict', id: '2', path: P('B2') },
    { kind: 'conflict', id: '3', path: P('C') },
  ]);
});

test('planPush: deletes behind the gate (unless --force), none with --no-delete; remote-changed or gone pages are not deleted', () => {
  const b = ['1', '2', '3', '4'].map((id) => base(id, P(id)));
  const allMissing = { '1': 'missing', '2': 'missing', '3': 'missing', '4': 'unchanged' } as const;
  const gated = planPush(input({ base: b, local: allMissing }));
  assert.match(gated.gate ?? '', /would delete 3 page\(s\), more than the limit \(50% of 4/);
  assert.equal(planPush(input({ base: b, local: allMissing, force: true })).gate, undefined);
  const noDelete = planPush(input({ base: b, local: allMissing, noDelete: true }));
  assert.equal(noDelete.gate, undefined);
  assert.deepEqual(noDelete.actions, []);
  const versions = new Map<string, number | null>([['1', 4], ['2', null], ['3', 3]]);
  const checked = planPush(input({ base: b, local: allMissing, remoteVersions: versions }));
  assert.deepEqual(checked.actions, [
    { kind: 'delete-skipped', id: '1', path: P('1'), reason: 'remote-changed' },
    { kind: 'delete-skipped', id: '2', path: P('2'), reason: 'remote-gone' },
    { kind: 'delete', id: '3', path: P('3') },
  ]);
  assert.equal(checked.gate, undefined, 'only real deletes count against the gate');
  const both = planPush(input({ base: [base('1', P('1'), 'deleted-remote'), ...b.slice(1)], local: { '1': 'missing', '2': 'unchanged', '3': 'unchanged', '4': 'unchanged' } }));
  assert.deepEqual(both.actions, [{ kind: 'delete-skipped', id: '1', path: P('1'), reason: 'remote-gone' }]);
});

test('planPush: paths limit every action (a move counts when either end is inside)', () => {
  const plan = planPush(
    input({
      base: [base('1', 'content/S/Home/x/A.md'), base('2', 'content/S/Home/y/B.md'), base('3', 'content/S/Home/y/C.md')],
      local: { '1': 'modified', '2': 'missing', '3': 'missing' },
      untracked: [{ path: 'content/S/Home/x/B.md', id: '2' }, { path: 'content/S/Home/z/N.md' }],
      paths: ['content/S/Home/x/'],
    }),
  );
  assert.deepEqual(plan.actions.map((a) => a.kind), ['update', 'move']);
  assert.ok(inPaths('a/b.md', ['./a']) && inPaths('a/b.md', ['.']) && !inPaths('ab/c.md', ['a']) && inPaths('a/b.md', ['a\\']));
  assert.deepEqual(['a/b/c.md', 'a.md', 'b.md', 'a/b.md'].sort(createOrder), ['a.md', 'b.md', 'a/b.md', 'a/b/c.md']);
});

test('decideConflict: same text, clean merge, overlap', () => {
  const b = 'one\ntwo\nthree\nfour\nfive\n';
  assert.deepEqual(decideConflict(b, 'x\n', 'x\n', merge3), { kind: 'same' });
  assert.deepEqual(decideConflict(b, b.replace('one', 'ONE'), b.replace('five', 'FIVE'), merge3), { kind: 'merged', text: 'ONE\ntwo\nthree\nfour\nFIVE\n' });
  assert.deepEqual(decideConflict(b, b.replace('three', 'L'), b.replace('three', 'R'), merge3), { kind: 'conflict' });
});

test('planPull with localPaths (regression): a moved file is not deleted or restored beside itself', () => {
  const baseMeta = [{ id: '1', path: P('A'), version: 2, labels: [] }];
  const remote = [
    { id: '0', title: 'Home', parentId: null, version: 1, labels: [] },
    { id: '1', title: 'A', parentId: '0', version: 2, labels: [] },
  ];
  const common = { spaceKey: 'S', ext: '.md', base: baseMeta, untracked: new Set<string>() };
  // Without localPaths the moved file looks deleted: a remote change would restore it at the old path.
  const changed = remote.map((r) => (r.id === '1' ? { ...r, version: 3 } : r));
  assert.deepEqual(planPull({ ...common, local: new Map([['1', 'missing']]), remote: changed }).actions.filter((a) => a.id === '1'), [{ kind: 'download', id: '1', path: P('A'), reason: 'restore' }]);
  const localPaths = new Map([['1', 'content/S/Home/B/A.md']]);
  // Remote unchanged: left to push, which moves the page.
  assert.deepEqual(planPull({ ...common, local: new Map([['1', 'modified']]), remote, localPaths }).actions.filter((a) => a.id === '1'), []);
  // Remote changed: taken from where the user put it.
  assert.deepEqual(planPull({ ...common, local: new Map([['1', 'unchanged']]), remote: changed, localPaths }).actions.filter((a) => a.id === '1'), [{ kind: 'download', id: '1', path: P('A'), from: 'content/S/Home/B/A.md', reason: 'changed' }]);
  assert.deepEqual(planPull({ ...common, local: new Map([['1', 'modified']]), remote: changed, localPaths }).actions.filter((a) => a.id === '1'), [{ kind: 'both-changed', id: '1', path: P('A'), from: 'content/S/Home/B/A.md' }]);
  // Deleted remotely: the moved file is the one to keep (edited) or trash (unchanged).
  const gone = remote.filter((r) => r.id !== '1');
  assert.deepEqual(planPull({ ...common, local: new Map([['1', 'modified']]), remote: gone, localPaths }).actions.filter((a) => a.id === '1'), [{ kind: 'deleted-remote-modified-local', id: '1', path: 'content/S/Home/B/A.md' }]);
});

test('titleCollisions: only the files that give a page a taken title are refused, each named with one it collides with', async () => {
  const { titleCollisions } = await import('../../src/core/push-plan.js');
  const out = titleCollisions([
    { path: 'content/D/A.md', title: 'A', changing: false },
    { path: 'content/D/B.md', title: 'A', changing: true },
    { path: 'content/D/x/N.md', title: 'N', changing: true },
    { path: 'content/D/y/N.md', title: 'N', changing: true },
    { path: 'content/D/C.md', title: 'C', changing: true },
    { path: 'content/D/Cafe\u0301.md', title: 'Caf\u00e9', changing: true },
    { path: 'content/D/Cafe.md', title: 'Cafe\u0301', changing: false },
  ]);
  assert.deepEqual([...out.entries()].sort(), [
    ['content/D/B.md', 'content/D/A.md'],
    ['content/D/Cafe\u0301.md', 'content/D/Cafe.md'],
    ['content/D/x/N.md', 'content/D/y/N.md'],
    ['content/D/y/N.md', 'content/D/x/N.md'],
  ]);
});
