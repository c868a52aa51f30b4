/**
 * `csync compare` on export bundles holding Jira issues, end to end through the real CLI against the emulator: two
 * exports of project DEMO around Jira edits (one issue edited and commented on, one added) → exactly the edited
 * issue is changed (a unified diff of its Markdown) and the new one is only in B, in text, JSON and HTML, exit 14;
 * a JSON bundle and a Markdown-only zip of the same issues read the same, and so does the live Jira (`jira:JQL`); a
 * bundle with issues against a site says the issues were not compared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceWithEmulator } from '../helpers/workspace.js';

interface IssueRef {
  key: string;
  title: string;
}
interface Report {
  equal: boolean;
  onlyInA: unknown[];
  onlyInB: unknown[];
  changed: unknown[];
  issues?: { a: number; b: number; onlyInA: IssueRef[]; onlyInB: IssueRef[]; changed: Array<{ key: string; a: IssueRef; b: IssueRef; diff: string }>; unchanged: number };
  issuesNotCompared?: string;
}

const ISSUES_ONLY = ['--jql', 'project = DEMO', '--no-include-confluence'];

test('compare two exports of Jira issues around an edit: exactly the edited issue is changed, the added one only in B (JSON, text, HTML)', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const before = join(ws.dir, 'before');
    const after = join(ws.dir, 'after');
    const afterZip = join(ws.dir, 'after-md.zip');
    const r1 = await ws.csync(['export', ...ISSUES_ONLY, '--format', 'json', '--format', 'md', '--out', before]);
    assert.equal(r1.code, 0, r1.stderr);
    const total = ws.emu.jira.issues.size;

    // Through the emulator's Jira store: DEMO-9 moves on (status, description, a comment); DEMO-<total+1> is new.
    const nine = ws.emu.jira.issues.get('DEMO-9')!;
    const nineTitle = `DEMO-9: ${nine.summary}`;
    ws.emu.jira.editIssue('DEMO-9', { status: 'Done', description: [{ p: 'Cover Linux, macOS and Windows.' }] });
    ws.emu.jira.addComment('DEMO-9', nine.reporter, [{ p: 'Windows section added.' }]);
    const added = ws.emu.jira.addIssue({
      project: 'DEMO',
      summary: 'Compare reports Jira issues too',
      status: 'To Do',
      type: 'Story',
      priority: 'Medium',
      assignee: undefined,
      reporter: nine.reporter,
      labels: ['backend'],
      components: [],
      fixVersions: [],
      parent: undefined,
      description: [{ p: 'Matched by key.' }],
    });
    const r2 = await ws.csync(['export', ...ISSUES_ONLY, '--format', 'json', '--out', after]);
    assert.equal(r2.code, 0, r2.stderr);
    const r3 = await ws.csync(['export', ...ISSUES_ONLY, '--format', 'md', '--zip', afterZip]);
    assert.equal(r3.code, 0, r3.stderr);

    // JSON: the issue comparison, counted in the exit code.
    const j = await ws.csync(['compare', before, after, '--json']);
    assert.equal(j.code, 14, j.stderr);
    const report = JSON.parse(j.stdout) as Report;
    assert.equal(report.equal, false);
    assert.deepEqual([report.onlyInA.length, report.onlyInB.length, report.changed.length], [0, 0, 0], 'no pages on either side');
    const issues = report.issues!;
    assert.deepEqual([issues.a, issues.b, issues.unchanged], [total, total + 1, total - 1]);
    assert.deepEqual(issues.onlyInA, []);
    assert.deepEqual(issues.onlyInB, [{ key: added.key, title: `${added.key}: Compare reports Jira issues too` }]);
    assert.deepEqual(issues.changed.map((c) => c.key), ['DEMO-9']);
    const diff = issues.changed[0]!.diff;
    assert.match(diff, /^--- .*before: DEMO-9\n\+\+\+ .*after: DEMO-9$/m);
    assert.match(diff, /^-\| Status \| [^|]+ \|$/m);
    assert.match(diff, /^\+\| Status \| Done \|$/m);
    assert.match(diff, /^-Never lose the losing side of a conflict\.$/m, 'the description it had');
    assert.match(diff, /^\+Cover Linux, macOS and Windows\.$/m);
    assert.match(diff, /^\+Windows section added\.$/m);
    assert.match(diff, /^-## Comments \(\d+\)$/m);

    // The Markdown-only zip of the same moment reads as the JSON bundle: the same single difference.
    const z = await ws.csync(['compare', before, afterZip, '--json']);
    assert.equal(z.code, 14, z.stderr);
    const zr = JSON.parse(z.stdout) as Report;
    assert.deepEqual([zr.issues!.changed.map((c) => c.key), zr.issues!.onlyInB.map((i) => i.key), zr.issues!.unchanged], [['DEMO-9'], [added.key], total - 1]);
    const same = await ws.csync(['compare', after, afterZip]);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    assert.match(same.stdout, new RegExp(`No differences: 0 page\\(s\\) and ${total + 1} Jira issue\\(s\\) the same\\.`));

    // Text and HTML, the other way round: the added issue is only in A.
    const html = join(ws.dir, 'issues.html');
    const t = await ws.csync(['compare', after, before, '--html', html]);
    assert.equal(t.code, 14, t.stderr);
    assert.match(t.stdout, new RegExp(`^A: .*after \\(bundle, 0 pages, ${total + 1} Jira issues\\)$`, 'm'));
    assert.match(t.stdout, new RegExp(`^Jira issues: 1 only in A, 0 only in B, 1 changed, ${total - 1} the same$`, 'm'));
    assert.match(t.stdout, new RegExp(`^Jira issues only in A:\\n {2}${added.key}: Compare reports Jira issues too$`, 'm'));
    assert.ok(t.stdout.includes(`\nJira issues changed:\n  ${nineTitle}\n`), t.stdout);
    assert.match(t.stdout, /^-Windows section added\.$/m);
    const page = readFileSync(html, 'utf8');
    assert.match(page, new RegExp(`<h2 class="only-a">Jira issues only in A \\(1\\)</h2><ul><li>${added.key}: Compare reports Jira issues too</li></ul>`));
    assert.ok(page.includes(`<h2 class="changed">Jira issues changed (1)</h2><ul><li>${nineTitle}</li></ul>`));
    assert.match(page, /<span class="del">-Cover Linux, macOS and Windows\.<\/span>/);
    assert.doesNotMatch(page, /<script/);
    assert.ok(!(j.stdout + t.stdout + page).includes(ws.emu.credentials.token));

    // The workspace's Jira itself (jira:JQL) reads as an issues-only export of the same query made now.
    const live = await ws.csync(['compare', after, 'jira:project = DEMO']);
    assert.equal(live.code, 0, live.stdout + live.stderr);
    assert.match(live.stdout, new RegExp(`^B: jira:project = DEMO \\(jira, 0 pages, ${total + 1} Jira issues\\)$`, 'm'));
    const lj = await ws.csync(['compare', before, 'jira:project = DEMO', '--json']);
    assert.equal(lj.code, 14, lj.stderr);
    const lr = JSON.parse(lj.stdout) as Report;
    assert.deepEqual([lr.issues!.changed.map((c) => c.key), lr.issues!.onlyInB.map((i) => i.key), lr.issues!.unchanged], [['DEMO-9'], [added.key], total - 1]);
    const bad = await ws.csync(['compare', before, 'jira:project = = DEMO']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /Jira refused the query of jira:project = = DEMO: /);

    // A bundle with issues against a site: its pages are compared, the issues are said not to be.
    const s = await ws.csync(['compare', before, 'default:DEMO']);
    assert.equal(s.code, 14, s.stderr);
    assert.match(s.stdout, /^Jira issues not compared: default:DEMO is a site: only export bundles and jira:JQL hold Jira issues to compare$/m);
  } finally {
    await ws.close();
  }
});
