/** The pure parts of compare: matching (by id on one site, by title path across sites), moves, and the `sites` config. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePages, sameSite, type ComparedPage, type CompareSide } from '../../src/compare/compare.js';
import { titlePaths } from '../../src/compare/sources.js';
import { loadConfig } from '../../src/config/index.js';

const page = (id: string | undefined, path: string, markdown: string): ComparedPage => {
  const titlePath = path.split('/');
  return { id, title: titlePath[titlePath.length - 1]!, titlePath, markdown };
};
const side = (label: string, site: string | undefined, pages: ComparedPage[]): CompareSide => ({ label, kind: 'site', site, pages });

test('same site: matched by id, so a renamed page with an edit is one moved page with its diff', () => {
  const a = side('A', 'https://acme.test/wiki', [page('1', 'Home', 'hi\n'), page('2', 'Home/Old name', 'one\n'), page('3', 'Home/Gone', 'x\n')]);
  const b = side('B', 'https://ACME.test', [page('1', 'Home', 'hi\n'), page('2', 'Home/New name', 'two\n'), page(undefined, 'Home/Draft', 'new\n')]);
  const r = comparePages(a, b);
  assert.equal(r.matchedBy, 'id');
  assert.deepEqual(r.onlyInA.map((p) => p.path), ['Home / Gone']);
  assert.deepEqual(r.onlyInB.map((p) => [p.path, p.id]), [['Home / Draft', null]]);
  assert.equal(r.moved.length, 1);
  assert.deepEqual([r.moved[0]!.a.path, r.moved[0]!.b.path], ['Home / Old name', 'Home / New name']);
  assert.match(r.moved[0]!.diff, /^-one\n\+two$/m);
  assert.deepEqual([r.changed.length, r.unchanged, r.equal], [0, 1, false]);
});

test('across sites: by title path; leftovers with the same content pair up as moved only when unambiguous', () => {
  const a = side('A', 'https://one.test', [page('1', 'Home', 'hi\n'), page('2', 'Home/A', 'same\n'), page('3', 'Home/B', 'twin\n'), page('4', 'Home/C', 'twin\n'), page('5', 'Home/E', '')]);
  const b = side('B', 'https://two.test', [page('9', 'Home', 'hello\n'), page('8', 'Home/X/A', 'same\n'), page('7', 'Home/D', 'twin\n'), page('6', 'Home/F', '')]);
  const r = comparePages(a, b);
  assert.equal(r.matchedBy, 'title path');
  assert.deepEqual(r.changed.map((c) => c.a.path), ['Home']);
  assert.deepEqual(r.moved.map((m) => [m.a.path, m.b.path]), [['Home / A', 'Home / X / A']]);
  // Two pages with the content of one: no guess. Empty pages never pair.
  assert.deepEqual(r.onlyInA.map((p) => p.path), ['Home / B', 'Home / C', 'Home / E']);
  assert.deepEqual(r.onlyInB.map((p) => p.path), ['Home / D', 'Home / F']);
});

test('equal sides are equal; sameSite ignores host case, trailing slashes and /wiki', () => {
  const pages = [page('1', 'Home', 'x\n')];
  assert.equal(comparePages(side('A', undefined, pages), side('B', undefined, pages)).equal, true);
  assert.equal(sameSite('https://Acme.test/wiki/', 'https://acme.test'), true);
  assert.equal(sameSite('https://acme.test', 'http://acme.test'), false);
  assert.equal(sameSite(undefined, 'https://acme.test'), false);
});

test('title paths follow parent links from the topmost listed page; a parent outside the listing starts a path', () => {
  const p = titlePaths([
    { id: '3', title: 'Leaf', parentId: '2' },
    { id: '2', title: 'Mid', parentId: '1' },
    { id: '1', title: 'Top', parentId: '0' },
    { id: '4', title: 'Loop', parentId: '4' },
  ]);
  assert.deepEqual(p.get('3'), ['Top', 'Mid', 'Leaf']);
  assert.ok(p.get('4')!.every((t) => t === 'Loop'));
});

test('the sites map of the config file: validated, named in errors', () => {
  const load = (sites: unknown) => loadConfig({ workspace: '/nonexistent-ws', env: {}, fileContent: { sites } });
  assert.deepEqual(load({ prod: { url: 'https://acme.test/wiki', tokenEnv: 'PROD_TOKEN' } }).sites, { prod: { url: 'https://acme.test/wiki', tokenEnv: 'PROD_TOKEN' } });
  assert.throws(() => load({ prod: { url: 'not a url' } }), /sites\.prod\.url is invalid/);
  assert.throws(() => load({ prod: { url: 'https://a.test', token: 'x' } }), /sites\.prod is invalid: unknown key\(s\) token/);
  assert.throws(() => load({ 'bad name': { url: 'https://a.test' } }), /site name "bad name" is invalid/);
  assert.throws(() => load([1]), /'sites' must be an object of named sites/);
  assert.deepEqual(loadConfig({ workspace: '/nonexistent-ws', env: {}, fileContent: {} }).sites, {});
});
