import { test } from 'node:test';
import assert from 'node:assert/strict';
import { merge3 } from '../../src/merge/merge3.js';
import { sameContent } from '../../src/merge/same-content.js';
import { CsyncError } from '../../src/core/errors.js';

const BASE = 'one\ntwo\nthree\nfour\nfive\n';

interface Case {
  name: string;
  base: string;
  local: string;
  remote: string;
  status: string;
  text?: string;
}

const cases: Case[] = [
  { name: 'nothing changed', base: BASE, local: BASE, remote: BASE, status: 'unchanged', text: BASE },
  { name: 'local edit only', base: BASE, local: BASE.replace('two', 'TWO'), remote: BASE, status: 'local-only', text: BASE.replace('two', 'TWO') },
  { name: 'remote edit only', base: BASE, local: BASE, remote: BASE.replace('four', 'FOUR'), status: 'remote-only', text: BASE.replace('four', 'FOUR') },
  { name: 'identical change on both sides', base: BASE, local: 'zero\n' + BASE, remote: 'zero\n' + BASE, status: 'same-change', text: 'zero\n' + BASE },
  {
    name: 'edits separated by an untouched line merge',
    base: BASE,
    local: BASE.replace('two', 'TWO'),
    remote: BASE.replace('four', 'FOUR'),
    status: 'clean',
    text: 'one\nTWO\nthree\nFOUR\nfive\n',
  },
  {
    name: 'insertion at the top and deletion at the bottom',
    base: BASE,
    local: 'title\n' + BASE,
    remote: 'one\ntwo\nthree\nfour\n',
    status: 'clean',
    text: 'title\none\ntwo\nthree\nfour\n',
  },
  {
    name: 'same line changed differently conflicts',
    base: BASE,
    local: BASE.replace('three', 'THREE'),
    remote: BASE.replace('three', '3'),
    status: 'conflict',
  },
  { name: 'edits on adjacent lines conflict (like git)', base: BASE, local: BASE.replace('two', 'TWO'), remote: BASE.replace('three', '3'), status: 'conflict' },
  { name: 'local deletes a line remote edited', base: BASE, local: 'one\ntwo\nfour\nfive\n', remote: BASE.replace('three', '3'), status: 'conflict' },
  { name: 'empty base, both sides created the same file', base: '', local: 'a\nb\n', remote: 'a\nb\n', status: 'same-change', text: 'a\nb\n' },
  { name: 'empty base, both sides created different files', base: '', local: 'a\n', remote: 'b\n', status: 'conflict' },
  { name: 'empty base, only remote created', base: '', local: '', remote: 'a\n', status: 'remote-only', text: 'a\n' },
  { name: 'both sides emptied the file', base: BASE, local: '', remote: '', status: 'same-change', text: '' },
  {
    name: 'local dropped the final newline, remote appended a line',
    base: 'a\nb\n',
    local: 'a\nb',
    remote: 'a\nb\nc\n',
    status: 'clean',
    text: 'a\nb\nc',
  },
  {
    name: 'remote added the final newline, local edited the first line',
    base: 'a\nb\nc',
    local: 'A\nb\nc',
    remote: 'a\nb\nc\n',
    status: 'clean',
    text: 'A\nb\nc\n',
  },
  {
    name: 'CRLF local, LF remote: output keeps CRLF',
    base: 'a\r\nb\r\nc\r\nd\r\n',
    local: 'A\r\nb\r\nc\r\nd\r\n',
    remote: 'a\nb\nc\nD\n',
    status: 'clean',
    text: 'A\r\nb\r\nc\r\nD\r\n',
  },
  {
    name: 'remote-only change is returned in the local line-ending style',
    base: 'a\r\nb\r\n',
    local: 'a\r\nb\r\n',
    remote: 'a\nB\n',
    status: 'remote-only',
    text: 'a\r\nB\r\n',
  },
  { name: 'line endings alone are not a change', base: 'a\nb\n', local: 'a\r\nb\r\n', remote: 'a\nb\n', status: 'unchanged', text: 'a\r\nb\r\n' },
  {
    name: 'sides differing only in trailing whitespace at end of file are a false conflict',
    base: 'a\n',
    local: 'a\nb\n',
    remote: 'a\nb\n\n\n',
    status: 'same-change',
    text: 'a\nb\n',
  },
  {
    name: 'partly overlapping identical change plus a further local edit conflicts',
    base: BASE,
    local: BASE.replace('two', 'TWO').replace('three', 'THREE'),
    remote: BASE.replace('two', 'TWO'),
    status: 'conflict',
  },
];

for (const c of cases) {
  test(`merge3: ${c.name}`, () => {
    const r = merge3(c.base, c.local, c.remote);
    assert.equal(r.status, c.status);
    if (c.status === 'conflict') {
      assert.equal(r.text, undefined);
      assert.ok(r.conflicts.length > 0);
    } else {
      assert.equal(r.text, c.text);
      assert.equal(r.withMarkers, c.text);
      assert.deepEqual(r.conflicts, []);
    }
  });
}

test('merge3: conflict details and diff3 markers', () => {
  const r = merge3(BASE, BASE.replace('three', 'THREE'), BASE.replace('three', '3'));
  assert.deepEqual(r.conflicts, [{ baseStart: 2, baseEnd: 3, localStart: 2, remoteStart: 2, local: ['THREE'], remote: ['3'], base: ['three'] }]);
  assert.equal(r.withMarkers, 'one\ntwo\n<<<<<<< local\nTHREE\n||||||| base\nthree\n=======\n3\n>>>>>>> remote\nfour\nfive\n');
});

test('merge3: a clean region next to a conflict is still merged in the marked text', () => {
  const base = 'a\nb\nc\nd\ne\nf\n';
  const r = merge3(base, 'A\nb\nc\nd\nE1\nf\n', 'a\nb\nc\nD\nE2\nf\n');
  assert.equal(r.status, 'conflict');
  assert.equal(r.conflicts.length, 1);
  assert.equal(r.withMarkers, 'A\nb\nc\n<<<<<<< local\nd\nE1\n||||||| base\nd\ne\n=======\nD\nE2\n>>>>>>> remote\nf\n');
});

test('merge3: both sides inserting different lines at the same place report an empty base range', () => {
  const r = merge3('a\nb\n', 'a\nx\nb\n', 'a\ny\nb\n');
  assert.equal(r.status, 'conflict');
  assert.deepEqual(r.conflicts.map((c) => [c.baseStart, c.baseEnd, c.base]), [[1, 1, []]]);
});

test('merge3: markers in CRLF style and on their own line when the conflict is at an end without newline', () => {
  const r = merge3('a\r\nb', 'a\r\nB', 'a\nc');
  assert.equal(r.status, 'conflict');
  assert.equal(r.withMarkers, 'a\r\n<<<<<<< local\r\nB\r\n||||||| base\r\nb\r\n=======\r\nc\r\n>>>>>>> remote\r\n');
});

test('merge3: custom labels; bad options are rejected by name', () => {
  const r = merge3('a\n', 'b\n', 'c\n', { labels: { local: 'mine (Guide.md)', remote: 'Confluence v7' } });
  assert.match(r.withMarkers, /^<<<<<<< mine \(Guide\.md\)\n/);
  assert.match(r.withMarkers, /\n>>>>>>> Confluence v7\n$/);
  assert.match(r.withMarkers, /\n\|\|\|\|\|\|\| base\n/);
  assert.throws(() => merge3('a', 'b', 'c', { label: {} } as never), (e: unknown) => e instanceof CsyncError && /label/.test(e.message));
  assert.throws(() => merge3('a', 'b', 'c', { labels: { local: 'x\ny' } }), /labels\.local/);
  assert.throws(() => merge3('a', 'b', 'c', { labels: { mine: 'x' } as never }), /mine/);
});

const sameCases: Array<[string, string, boolean]> = [
  ['a\nb\n', 'a\nb\n', true],
  ['a\r\nb\r\n', 'a\nb\n', true],
  ['a\nb', 'a\nb\n\n  \n', true],
  ['\ufeffa\n', 'a\n', true],
  ['a  \nb\n', 'a\nb\n', false],
  ['a\nb\n', 'a\n\nb\n', false],
  ['', '\n', true],
  ['a', 'b', false],
];
for (const [a, b, expected] of sameCases) {
  test(`sameContent(${JSON.stringify(a)}, ${JSON.stringify(b)}) is ${expected}`, () => {
    assert.equal(sameContent(a, b), expected);
    assert.equal(sameContent(b, a), expected);
  });
}
