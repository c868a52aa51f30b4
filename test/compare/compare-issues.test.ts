/** The pure part of comparing Jira issues of two export bundles: matched by key, in Jira's key order, titles count. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePages, type ComparedIssue, type CompareSide } from '../../src/compare/compare.js';

const issue = (key: string, summary: string, markdown: string): ComparedIssue => ({ key, title: `${key}: ${summary}`, markdown });
const bundle = (label: string, issues: ComparedIssue[] | undefined, kind: CompareSide['kind'] = 'bundle'): CompareSide => ({ label, kind, pages: [], issues });

test('issues: matched by key, a new summary alone is a change, lists in key order (DEMO-9 before DEMO-10)', () => {
  const a = bundle('A', [issue('DEMO-10', 'Ten', 'x\n'), issue('DEMO-2', 'Two', 'same\n'), issue('DEMO-9', 'Nine', 'a\n'), issue('OPS-1', 'Gone', '')]);
  const b = bundle('B', [issue('DEMO-2', 'Two', 'same\n\n'), issue('DEMO-10', 'Ten (renamed)', 'x\n'), issue('DEMO-9', 'Nine', 'b\n'), issue('DEMO-11', 'New', ''), issue('DEMO-3', 'New too', '')]);
  const r = comparePages(a, b);
  const i = r.issues!;
  assert.deepEqual([i.a, i.b, i.unchanged], [4, 5, 1], 'trailing blank lines are not a difference');
  assert.deepEqual(i.onlyInA.map((x) => x.key), ['OPS-1']);
  assert.deepEqual(i.onlyInB.map((x) => x.key), ['DEMO-3', 'DEMO-11']);
  assert.deepEqual(i.changed.map((c) => c.key), ['DEMO-9', 'DEMO-10']);
  assert.match(i.changed[1]!.diff, /^-# DEMO-10: Ten\n\+# DEMO-10: Ten \(renamed\)$/m);
  assert.match(i.changed[0]!.diff, /^-a\n\+b$/m);
  assert.equal(r.equal, false, 'pages equal, issues not');
});

test('issues: equal issues keep the report equal; a bundle without issues against one with issues lists them all; a site is not compared', () => {
  const same = comparePages(bundle('A', [issue('K-1', 'One', 'x')]), bundle('B', [issue('K-1', 'One', 'x')]));
  assert.deepEqual([same.equal, same.issues?.unchanged], [true, 1]);
  const none = comparePages(bundle('A', []), bundle('B', []));
  assert.deepEqual([none.equal, none.issues, none.issuesNotCompared], [true, undefined, undefined], 'no issues on either side: no issue section');
  const oneSided = comparePages(bundle('A', [issue('K-1', 'One', 'x')]), bundle('B', []));
  assert.deepEqual([oneSided.equal, oneSided.issues?.onlyInA.map((x) => x.key)], [false, ['K-1']]);
  const site = comparePages(bundle('A', [issue('K-1', 'One', 'x')]), bundle('prod:DOC', undefined, 'site'));
  assert.deepEqual([site.equal, site.issues], [true, undefined]);
  assert.equal(site.issuesNotCompared, 'prod:DOC is a site: only export bundles and jira:JQL hold Jira issues to compare');
});
