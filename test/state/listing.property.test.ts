/**
 * The pull plans from the state database (issue 18: flat memory): paths assigned in SQL must be assignPaths' paths,
 * and the planner fed only the pages the SQL comparison returns must plan exactly what it plans with the whole
 * space; a first pull's batches of new pages (keyset over the listing) must be exactly its new pages. Random trees
 * (colliding titles in case, normalisation and suffix forms, hostile characters, missing parents, cycles, deep
 * chains), a random base from an earlier tree, random local states; real SQLite (:memory:).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignPaths } from '../../src/core/file-names.js';
import { pagePath, planPull, type LocalState, type PullAction } from '../../src/core/plan.js';
import { openStateStore, type BasePage } from '../../src/state/index.js';
import { announce, checkSeed, suiteSeeds } from '../helpers/seeds.js';

interface Node {
  id: string;
  title: string;
  parentId: string | null;
  version: number;
  labels: string[];
}

const TITLES = ['Home', 'home', 'HOME', 'Notes', 'Caf\u00e9', 'Cafe\u0301', 'a/b', 'a_b', 'Notes (000012)', 'CON', '  . ', '', 'x'.repeat(200), 'Plan', 'plan_'];

const arbTree = (ids: number) =>
  fc.array(
    fc.record({
      title: fc.oneof(fc.constantFrom(...TITLES), fc.string({ maxLength: 6 })),
      // Parent: an earlier page (a tree), any page (cycles possible), none, or a page that is not listed.
      parent: fc.oneof(fc.nat(ids - 1).map((n) => ({ kind: 'earlier' as const, n })), fc.nat(ids - 1).map((n) => ({ kind: 'any' as const, n })), fc.constant({ kind: 'none' as const, n: 0 }), fc.constant({ kind: 'missing' as const, n: 0 })),
      version: fc.integer({ min: 1, max: 3 }),
      labels: fc.subarray(['a', 'b', 'c']),
    }),
    { minLength: 1, maxLength: ids },
  );

function toNodes(raw: Array<{ title: string; parent: { kind: string; n: number }; version: number; labels: string[] }>, chain: boolean): Node[] {
  // Ids like Confluence's (numeric strings) plus a few non-numeric ones; `chain` makes one long chain (depth limit).
  const id = (i: number) => (i % 7 === 6 ? `p${i}` : String(10 + i * 3));
  return raw.map((r, i) => {
    let parentId: string | null = null;
    if (chain) parentId = i > 0 ? id(i - 1) : null;
    else if (r.parent.kind === 'earlier') parentId = i > 0 ? id(r.parent.n % i) : null;
    else if (r.parent.kind === 'any') parentId = id(r.parent.n % raw.length);
    else if (r.parent.kind === 'missing') parentId = '999999';
    return { id: id(i), title: r.title, parentId, version: r.version, labels: r.labels };
  });
}

const seeds = suiteSeeds('LISTING', 1818, 150, 100);
announce('SQL listing vs in-memory planner', seeds);

for (const s of seeds) {
  test(`SQL path assignment and change detection plan what the in-memory planner plans (${s.kind} seed ${s.seed})`, async () => {
    const property = fc.property(arbTree(40), arbTree(40), fc.boolean(), fc.array(fc.constantFrom<LocalState>('unchanged', 'modified', 'missing'), { minLength: 40, maxLength: 40 }), fc.array(fc.nat(3), { minLength: 40, maxLength: 40 }), (before, after, chain, locals, tweaks) => {
      // A chain: 70 pages deep (past assignPaths' depth limit of 64), titles from the random tree.
      const old = toNodes(before, false);
      // Or the earlier tree itself with a few pages relabelled, re-versioned or dropped (paths mostly stay).
      const remote = chain
        ? toNodes(Array.from({ length: 70 }, (_, i) => after[i % after.length]!), true)
        : after.length % 2
          ? toNodes(after, false)
          : old.flatMap((n, i) => {
              const t = after[i % after.length]!;
              if (t.version === 3 && i % 3 === 0) return [];
              return [{ ...n, labels: t.version === 1 ? n.labels : t.labels, version: t.version === 2 ? n.version + 1 : n.version }];
            });
      const state = openStateStore(':memory:');
      try {
        state.upsertSpace('S', '1', null);
        // The base: an earlier tree at its assigned paths, some records then changed (a push moved a file, a version).
        const oldPaths = assignPaths(old);
        const base: BasePage[] = [];
        old.forEach((n, i) => {
          const rel = oldPaths.get(n.id);
          if (rel === undefined) return;
          const t = tweaks[i]!;
          const path = t === 1 ? `content/S/moved-${n.id}.md` : pagePath('S', rel, '.md');
          base.push({ id: n.id, spaceKey: 'S', parentId: n.parentId, title: n.title, position: null, version: t === 2 ? n.version + 1 : n.version, path, hash: 'h', size: 1, mtimeMs: 0, base: '', labels: t === 3 ? [...n.labels].reverse() : n.labels, status: 'synced' });
        });
        for (const b of base) state.savePage(b);
        const local = new Map(base.map((b, i) => [b.id, locals[i % locals.length]!]));
        const table = state.remoteListing();
        // In chunks, as a listing arrives; the labels come after the pages.
        for (let i = 0; i < remote.length; i += 7) table.add(remote.slice(i, i + 7).map((n) => ({ id: n.id, title: n.title, parentId: n.parentId, version: n.version, position: null, labels: [] })));
        table.setLabels(remote.map((n) => [n.id, n.labels] as const));
        table.assignPaths('S', '.md');

        // 1. Paths: assignPaths' own.
        const expected = new Map([...assignPaths(remote)].map(([id, rel]) => [id, pagePath('S', rel, '.md')]));
        const got = new Map(remote.flatMap((n) => (table.path(n.id) !== undefined ? [[n.id, table.path(n.id)!] as const] : [])));
        assert.deepEqual(got, expected);

        // 2. The plan from the changed pages only equals the plan from the whole space.
        const full = planPull({ spaceKey: 'S', ext: '.md', base, local, remote, untracked: new Set() });
        const rows = table.changed('S');
        const gone = table.gone('S');
        const subBase = [...rows.flatMap((r) => (r.base ? [r.base] : [])), ...gone];
        const subRemote = rows.map((r) => r.remote);
        const paths = new Map(rows.flatMap((r) => (r.remote.path !== undefined ? [[r.remote.id, r.remote.path] as const] : [])));
        const sub = planPull({ spaceKey: 'S', ext: '.md', base: subBase, local, remote: subRemote, untracked: new Set(), paths });
        const key = (a: PullAction) => JSON.stringify(a);
        assert.deepEqual(sub.actions.map(key).sort(), full.actions.map(key).sort());
        assert.equal(sub.unchanged + (table.count() - subRemote.length), full.unchanged);
        // 3. A first pull's batches (newPages, 7 at a time by keyset) are exactly the changed pages with no base, in order.
        const batched: unknown[] = [];
        for (let after = 0; ; ) {
          const part = table.newPages('S', after, 7);
          batched.push(...part.map((p) => p.remote));
          if (part.length < 7) break;
          after = part[part.length - 1]!.seq;
        }
        assert.deepEqual(batched, rows.filter((r) => !r.base).map((r) => r.remote));
        assert.equal(table.count(), remote.length);
        assert.equal(table.baseCount('S'), base.length);
        // Every listed page with a path comes out of entries(), in listing order.
        assert.deepEqual([...table.entries()].map((e) => e.id), remote.filter((n) => expected.has(n.id)).map((n) => n.id));
      } finally {
        state.close();
      }
    });
    await checkSeed('LISTING', 'test/state/listing.property.test.ts', s, property);
  });
}
