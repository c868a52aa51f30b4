import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignPaths, safeName } from '../../src/core/file-names.js';
import { checkGates, planPull, type BaseMeta, type LocalState, type RemoteMeta } from '../../src/core/plan.js';
import { assertSeeded } from '../helpers/seeds.js';

const FILE = 'test/core/plan.test.ts';

test('safeName: portable, never empty, never a reserved or dot name', () => {
  const cases: Array<[string, string]> = [
    ['Getting started', 'Getting started'],
    ['a/b', 'a_b'],
    ['../../x', '_.._x'],
    ['CON', '_CON'],
    ['con.txt', '_con.txt'],
    ['...', '_untitled'],
    ['', '_untitled'],
    ['trailing dot.', 'trailing dot'],
    ['  spaced  ', 'spaced'],
    ['a:b*c?d"e<f>g|h\\i', 'a_b_c_d_e_f_g_h_i'],
    ['tab\there', 'tabhere'],
    ['Cafe\u0301', 'Caf\u00e9'],
  ];
  for (const [title, expected] of cases) assert.equal(safeName(title), expected, JSON.stringify(title));
  assert.ok(Buffer.byteLength(safeName('é'.repeat(300))) <= 180);
  // fast-check's default: 100 cases.
  assertSeeded(
    'CSYNC_PLAN',
    FILE,
    'safe-name',
    { seed: 20261203, runs: 100 },
    fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (t) => {
      const n = safeName(t);
      return n.length > 0 && !n.includes('/') && !n.includes('\\') && n !== '.' && n !== '..' && !/[ .]$/.test(n) && Buffer.byteLength(n) <= 180;
    }),
  );
});

test('assignPaths: children below their parent, siblings unique ignoring case and normalisation, stable by id', () => {
  const nodes = [
    { id: '1', title: 'Home', parentId: null },
    { id: '2', title: 'Readme', parentId: '1' },
    { id: '3', title: 'README', parentId: '1' },
    { id: '4', title: 'Caf\u00e9', parentId: '1' },
    { id: '5', title: 'Cafe\u0301', parentId: '1' },
    { id: '6', title: 'Child', parentId: '2' },
    { id: '7', title: 'Orphan', parentId: '999' },
  ];
  const paths = assignPaths(nodes);
  assert.equal(paths.get('1'), 'Home');
  assert.equal(paths.get('2'), 'Home/Readme');
  assert.equal(paths.get('3'), 'Home/README (3)');
  assert.equal(paths.get('4'), 'Home/Café');
  assert.equal(paths.get('5'), 'Home/Café (5)');
  assert.equal(paths.get('6'), 'Home/Readme/Child');
  assert.equal(paths.get('7'), 'Orphan', 'a page whose parent is not listed is a root');
  // A cycle in parent links (malformed listing) terminates and names nothing twice.
  const cyc = assignPaths([{ id: '1', title: 'A', parentId: '2' }, { id: '2', title: 'B', parentId: '1' }]);
  assert.ok(cyc.size <= 2);
});

function remote(id: string, title: string, parentId: string | null, version = 1, labels: string[] = []): RemoteMeta {
  return { id, title, parentId, version, labels };
}

const home = remote('1', 'Home', null);

function plan(base: BaseMeta[], local: Record<string, LocalState>, rem: RemoteMeta[], untracked: string[] = []) {
  return planPull({ spaceKey: 'S', ext: '.md', base, local: new Map(Object.entries(local)), remote: rem, untracked: new Set(untracked) });
}

test('planPull: the table of cases', () => {
  const b = (id: string, path: string, version = 1, labels: string[] = []): BaseMeta => ({ id, path, version, labels });
  const cases: Array<{ name: string; base: BaseMeta[]; local: Record<string, LocalState>; remote: RemoteMeta[]; untracked?: string[]; expect: string[] }> = [
    { name: 'new page', base: [], local: {}, remote: [home], expect: ['download:1:new'] },
    { name: 'unchanged', base: [b('1', 'content/S/Home.md')], local: { 1: 'unchanged' }, remote: [home], expect: [] },
    { name: 'remote edit, local clean', base: [b('1', 'content/S/Home.md')], local: { 1: 'unchanged' }, remote: [remote('1', 'Home', null, 2)], expect: ['download:1:changed'] },
    { name: 'remote edit, local edit', base: [b('1', 'content/S/Home.md')], local: { 1: 'modified' }, remote: [remote('1', 'Home', null, 2)], expect: ['both-changed:1'] },
    { name: 'remote edit, local deleted: edit wins', base: [b('1', 'content/S/Home.md')], local: { 1: 'missing' }, remote: [remote('1', 'Home', null, 2)], expect: ['download:1:restore'] },
    { name: 'local deleted only: left for push', base: [b('1', 'content/S/Home.md')], local: { 1: 'missing' }, remote: [home], expect: [] },
    { name: 'path change without version change: move', base: [b('2', 'content/S/Old.md')], local: { 2: 'modified' }, remote: [remote('2', 'New', null)], expect: ['move:2'] },
    { name: 'labels only, local clean: relabel', base: [b('1', 'content/S/Home.md')], local: { 1: 'unchanged' }, remote: [remote('1', 'Home', null, 1, ['x'])], expect: ['relabel:1'] },
    { name: 'labels only, local edited: left for push', base: [b('1', 'content/S/Home.md')], local: { 1: 'modified' }, remote: [remote('1', 'Home', null, 1, ['x'])], expect: [] },
    { name: 'gone remotely, clean locally: trash', base: [b('1', 'content/S/Home.md')], local: { 1: 'unchanged' }, remote: [], expect: ['trash:1'] },
    { name: 'gone remotely, edited locally: conflict', base: [b('1', 'content/S/Home.md')], local: { 1: 'modified' }, remote: [], expect: ['deleted-remote-modified-local:1'] },
    { name: 'new page over an untracked file', base: [], local: {}, remote: [home], untracked: ['content/S/Home.md'], expect: ['untracked-clash:1'] },
  ];
  for (const c of cases) {
    const p = plan(c.base, c.local, c.remote, c.untracked);
    const got = p.actions.map((a) => [a.kind, a.id, a.kind === 'download' ? a.reason : undefined].filter(Boolean).join(':'));
    assert.deepEqual(got, c.expect, c.name);
  }
});

test('planPull is deterministic and every remote page gets exactly one path', () => {
  assertSeeded(
    'CSYNC_PLAN',
    FILE,
    'plan-pull',
    { seed: 20261203, runs: process.env.CSYNC_SOAK ? 2000 : 200 },
    fc.property(
      fc.array(fc.record({ title: fc.constantFrom('A', 'a', 'B', 'Ä', 'A\u0308', 'x/y', '..', 'CON'), parent: fc.nat(20), version: fc.integer({ min: 1, max: 3 }) }), { maxLength: 40 }),
      (specs) => {
        const rem = specs.map((s, i) => remote(String(i + 1), s.title, i > 0 ? String((s.parent % i) + 1) : null, s.version));
        const p1 = plan([], {}, rem);
        const p2 = plan([], {}, [...rem].reverse());
        assert.deepEqual([...p1.paths.entries()].sort(), [...p2.paths.entries()].sort());
        const values = [...p1.paths.values()].map((v) => v.normalize('NFC').toLowerCase());
        assert.equal(new Set(values).size, rem.length);
        assert.equal(p1.actions.length, rem.length);
      },
    ),
  );
});

test('checkGates: empty listing and max-delete, overridden by force', () => {
  assert.match(checkGates({ baseCount: 10, remoteCount: 0, deletes: 10, maxDeletePercent: 50, force: false })!, /listing is empty/);
  assert.equal(checkGates({ baseCount: 10, remoteCount: 0, deletes: 10, maxDeletePercent: 50, force: true }), undefined);
  assert.equal(checkGates({ baseCount: 10, remoteCount: 5, deletes: 5, maxDeletePercent: 50, force: false }), undefined);
  assert.match(checkGates({ baseCount: 10, remoteCount: 4, deletes: 6, maxDeletePercent: 50, force: false })!, /would delete 6 page\(s\), more than the limit \(50% of 10/);
  assert.match(checkGates({ baseCount: 100, remoteCount: 97, deletes: 3, maxDeletePercent: 50, maxDeleteCount: 2, force: false })!, /sync\.maxDeleteCount 2/);
  assert.equal(checkGates({ baseCount: 0, remoteCount: 0, deletes: 0, maxDeletePercent: 50, force: false }), undefined);
});

test('avoidOccupied: a move, a changed page and a restore onto an untracked file keep off it; other actions are untouched', async () => {
  const { avoidOccupied, placementTargets } = await import('../../src/core/plan.js');
  const plan = {
    actions: [
      { kind: 'move' as const, id: '1', from: 'content/S/A.md', path: 'content/S/Taken.md' },
      { kind: 'download' as const, id: '2', from: 'content/S/B.md', path: 'content/S/Taken2.md', reason: 'changed' as const },
      { kind: 'download' as const, id: '3', path: 'content/S/Taken3.md', reason: 'restore' as const },
      { kind: 'move' as const, id: '4', from: 'content/S/D.md', path: 'content/S/Free.md' },
    ],
    paths: new Map([
      ['1', 'content/S/Taken.md'],
      ['2', 'content/S/Taken2.md'],
      ['3', 'content/S/Taken3.md'],
      ['4', 'content/S/Free.md'],
    ]),
    unchanged: 5,
  };
  assert.deepEqual(placementTargets(plan), ['content/S/Taken.md', 'content/S/Taken2.md', 'content/S/Taken3.md', 'content/S/Free.md']);
  const { plan: out, kept } = avoidOccupied(plan, new Set(['content/S/Taken.md', 'content/S/Taken2.md', 'content/S/Taken3.md']));
  assert.deepEqual(out.actions, [
    { kind: 'download', id: '2', from: 'content/S/B.md', path: 'content/S/B.md', reason: 'changed' },
    { kind: 'untracked-clash', id: '3', path: 'content/S/Taken3.md' },
    { kind: 'move', id: '4', from: 'content/S/D.md', path: 'content/S/Free.md' },
  ]);
  assert.equal(out.unchanged, 6);
  assert.equal(out.paths.get('1'), 'content/S/A.md');
  assert.equal(out.paths.get('2'), 'content/S/B.md');
  assert.deepEqual(kept.map((k) => k.id), ['1', '2']);
  assert.equal(avoidOccupied(plan, new Set()).plan, plan);
});

test('avoidOccupied: the old path of a page kept off its new one is taken too: a page moving there stays put, a new page waits, in chains', async () => {
  const { avoidOccupied } = await import('../../src/core/plan.js');
  const plan = {
    actions: [
      // 1 moves onto an untracked file: kept at G.md.
      { kind: 'download' as const, id: '1', from: 'content/S/G.md', path: 'content/S/Mine.md', reason: 'changed' as const },
      // 2 is renamed onto G.md: kept at D.md; 3 is renamed onto D.md: kept at E.md.
      { kind: 'download' as const, id: '2', from: 'content/S/D.md', path: 'content/S/G.md', reason: 'changed' as const },
      { kind: 'move' as const, id: '3', from: 'content/S/E.md', path: 'content/S/D.md' },
      // A new page at E.md waits; a page to restore at G.md waits.
      { kind: 'download' as const, id: '4', path: 'content/S/E.md', reason: 'new' as const },
      { kind: 'download' as const, id: '5', path: 'content/S/G.md', reason: 'restore' as const },
      // A new page where a page deleted remotely but edited here keeps its file waits too.
      { kind: 'deleted-remote-modified-local' as const, id: '6', path: 'content/S/Kept.md' },
      { kind: 'untracked-clash' as const, id: '7', path: 'content/S/Kept.md' },
      { kind: 'move' as const, id: '8', from: 'content/S/F.md', path: 'content/S/Free.md' },
    ],
    paths: new Map([
      ['1', 'content/S/Mine.md'],
      ['2', 'content/S/G.md'],
      ['3', 'content/S/D.md'],
      ['4', 'content/S/E.md'],
      ['5', 'content/S/G.md'],
      ['7', 'content/S/Kept.md'],
      ['8', 'content/S/Free.md'],
    ]),
    unchanged: 0,
  };
  const { plan: out, kept, waiting } = avoidOccupied(plan, new Set(['content/S/Mine.md']));
  assert.deepEqual(out.actions, [
    { kind: 'download', id: '1', from: 'content/S/G.md', path: 'content/S/G.md', reason: 'changed' },
    { kind: 'download', id: '2', from: 'content/S/D.md', path: 'content/S/D.md', reason: 'changed' },
    { kind: 'deleted-remote-modified-local', id: '6', path: 'content/S/Kept.md' },
    { kind: 'move', id: '8', from: 'content/S/F.md', path: 'content/S/Free.md' },
  ]);
  assert.deepEqual(kept, [
    { id: '1', path: 'content/S/Mine.md', at: 'content/S/G.md', by: undefined },
    { id: '2', path: 'content/S/G.md', at: 'content/S/D.md', by: '1' },
    { id: '3', path: 'content/S/D.md', at: 'content/S/E.md', by: '2' },
  ]);
  assert.deepEqual(waiting, [
    { id: '4', path: 'content/S/E.md', by: '3' },
    { id: '5', path: 'content/S/G.md', by: '1' },
    { id: '7', path: 'content/S/Kept.md', by: '6' },
  ]);
  assert.equal(out.unchanged, 4);
  assert.deepEqual([...out.paths], [
    ['1', 'content/S/G.md'],
    ['2', 'content/S/D.md'],
    ['3', 'content/S/E.md'],
    ['8', 'content/S/Free.md'],
  ]);
  // Nothing in the way: the same plan.
  const free = { actions: [plan.actions[7]!], paths: new Map([['8', 'content/S/Free.md']]), unchanged: 0 };
  assert.equal(avoidOccupied(free, new Set()).plan, free);
});
