/** The emulator's JQL parser and evaluator: table tests over a small set of issues. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareKeys, JqlError, jqlDate, matches, parseJql, sortSubjects, type JqlSubject } from '../../src/emulator/jira/jql.js';

const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
const NOW = day('2026-12-01');
const issue = (key: string, o: Partial<JqlSubject>): JqlSubject => ({
  key,
  project: key.split('-')[0]!,
  projectName: 'Demo project',
  labels: [],
  status: 'To Do',
  type: 'Task',
  priority: 'Medium',
  assignee: undefined,
  reporter: 'u1',
  parent: undefined,
  summary: key,
  updated: day('2026-11-01'),
  created: day('2026-10-01'),
  ...o,
});
const ISSUES = [
  issue('DEMO-1', { labels: ['runbook'], status: 'Done', updated: day('2026-11-20') }),
  issue('DEMO-2', { labels: ['runbook', 'ops'], status: 'In Progress', updated: day('2026-11-10') }),
  issue('DEMO-10', { labels: ['docs'], type: 'Bug', parent: 'DEMO-1' }),
  issue('OPS-3', { labels: [], status: 'In Progress', updated: day('2026-11-28') }),
];
const keys = (jql: string) => {
  const q = parseJql(jql);
  return sortSubjects(ISSUES.filter((i) => matches(q.where, i, NOW)), q.order).map((i) => i.key);
};

test('clauses, boolean operators, parentheses and ORDER BY select and sort as Jira does', () => {
  const cases: Array<[string, string[]]> = [
    ['labels = runbook ORDER BY key ASC', ['DEMO-1', 'DEMO-2']],
    ['label = "ops"', ['DEMO-2']],
    ['project = DEMO ORDER BY key', ['DEMO-1', 'DEMO-2', 'DEMO-10']],
    ['project = "demo project" ORDER BY key DESC', ['OPS-3', 'DEMO-10', 'DEMO-2', 'DEMO-1']],
    ['key in (DEMO-2, ops-3) ORDER BY key', ['DEMO-2', 'OPS-3']],
    ['issuekey NOT IN (DEMO-1, DEMO-2, DEMO-10)', ['OPS-3']],
    ['status = "In Progress" ORDER BY updated DESC', ['OPS-3', 'DEMO-2']],
    ['status != Done AND project = DEMO ORDER BY key', ['DEMO-2', 'DEMO-10']],
    ['updated >= 2026-11-15 ORDER BY key', ['DEMO-1', 'OPS-3']],
    ['updated >= "2026/11/10 00:00" AND updated < 2026-11-25 ORDER BY updated', ['DEMO-2', 'DEMO-1']],
    ['updated >= -7d', ['OPS-3']],
    ['labels = runbook OR labels = docs ORDER BY key', ['DEMO-1', 'DEMO-2', 'DEMO-10']],
    ['labels = runbook AND NOT status = Done', ['DEMO-2']],
    ['NOT (labels = runbook OR project = OPS) ORDER BY key', ['DEMO-10']],
    ['(labels = runbook OR labels = docs) AND status != Done ORDER BY key', ['DEMO-2', 'DEMO-10']],
    ['labels = runbook and ! labels = ops', ['DEMO-1']],
    ['labels IS EMPTY', ['OPS-3']],
    ['labels is not empty ORDER BY key', ['DEMO-1', 'DEMO-2', 'DEMO-10']],
    ['type = Bug AND parent = DEMO-1', ['DEMO-10']],
    ['ORDER BY key', ['DEMO-1', 'DEMO-2', 'DEMO-10', 'OPS-3']],
    ['', ['OPS-3', 'DEMO-10', 'DEMO-2', 'DEMO-1']],
    ['project = DEMO ORDER BY status ASC, key DESC', ['DEMO-1', 'DEMO-2', 'DEMO-10']],
  ];
  for (const [jql, want] of cases) assert.deepEqual(keys(jql), want, jql);
});

test('AND binds tighter than OR', () => {
  // labels = docs OR (labels = runbook AND status = Done)
  assert.deepEqual(keys('labels = docs OR labels = runbook AND status = Done ORDER BY key'), ['DEMO-1', 'DEMO-10']);
});

test('malformed queries are JqlErrors with Jira-style messages', () => {
  const bad: Array<[string, RegExp]> = [
    ['labels = runbook AND (', /Expecting a field name but reached the end/],
    ['labels = "runbook', /quoted string starting at character 10 is not terminated/],
    ['nosuchfield = 1', /Field 'nosuchfield' does not exist/],
    ['labels runbook', /Expecting an operator/],
    ['labels > x', /operator '>' is not supported by the 'labels' field/],
    ['key in DEMO-1', /Expecting '\('/],
    ['labels = a ORDER key', /Expecting 'BY'/],
    ['(labels = a', /Expecting '\)'/],
    ['labels = a b', /Expecting 'AND', 'OR' or 'ORDER BY' but got 'b'/],
    ['updated >= yesterday', /Date value 'yesterday'/],
  ];
  for (const [jql, re] of bad) {
    assert.throws(
      () => {
        const q = parseJql(jql);
        for (const i of ISSUES) matches(q.where, i, NOW);
      },
      (e: unknown) => e instanceof JqlError && re.test(e.message),
      jql,
    );
  }
});

test('dates and key order', () => {
  assert.equal(jqlDate('2026-11-01', NOW), day('2026-11-01'));
  assert.equal(jqlDate('2026-11-01 12:30', NOW), Date.parse('2026-11-01T12:30:00Z'));
  assert.equal(jqlDate('-2w', NOW), NOW - 14 * 86_400_000);
  assert.equal(jqlDate('4h', NOW), NOW + 4 * 3_600_000);
  assert.deepEqual(['DEMO-10', 'DEMO-9', 'ABC-100', 'DEMO-1'].sort(compareKeys), ['ABC-100', 'DEMO-1', 'DEMO-9', 'DEMO-10']);
});
