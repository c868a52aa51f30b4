/**
 * Jira in `csync export`, end to end through the real CLI against the emulator (Confluence and Jira in one
 * process): a label's pages and issues in one bundle with working links both ways (Markdown, HTML, PDF, JSON), the
 * manifest, the cache (key + updated), linked issues, resume, bad input, Data Center (offset-paged search, wiki
 * markup).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { workspaceWithEmulator, type TestWorkspace } from '../helpers/workspace.js';

const RUNBOOK_ISSUES = ['DEMO-2', 'DEMO-4', 'DEMO-5', 'DEMO-6'];

const jiraRequests = (ws: TestWorkspace) => ws.emu.requestLog().filter((r) => r.path.startsWith('/rest/api/3/'));
const links = (md: string) => [...md.matchAll(/\]\(<?([^)>\s]+)>?\)/g)].map((m) => m[1]!);
const resolves = (out: string, fromFile: string, link: string) => existsSync(join(out, dirname(fromFile), ...decodeURI(link.split('#')[0]!).split('/')));

test('--label runbook --include-jira: the pages and issues in one bundle (md, pdf, html, json) with working links between them', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const out = join(ws.dir, 'bundle');
    const r = await ws.csync(['export', '--label', 'runbook', '--include-jira', '--format', 'md', '--format', 'pdf', '--format', 'html', '--format', 'json', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /exported 6 of 6 item\(s\)/);

    // Markdown: the two runbook pages link to the exported issues; the one issue not exported links to Jira.
    const onCall = readFileSync(join(out, 'markdown/DEMO/On-call.md'), 'utf8');
    assert.match(onCall, /Open incidents: \[DEMO-6\]\(\.\.\/jira\/DEMO-6\.md\) and \[DEMO-4\]\(\.\.\/jira\/DEMO-4\.md\)/);
    for (const l of links(onCall).filter((l) => !/^https?:/.test(l))) assert.ok(resolves(out, 'markdown/DEMO/On-call.md', l), l);
    const release = readFileSync(join(out, 'markdown/DEMO/Release process.md'), 'utf8');
    assert.match(release, /\[DEMO-5\]\(\.\.\/jira\/DEMO-5\.md\)/);
    assert.match(release, new RegExp(`\\[DEMO-9\\]\\(${ws.emu.origin.replace(/[.]/g, '\\.')}/browse/DEMO-9\\)`), 'not exported: a link to Jira');

    // Each issue: a fields table, its description and every comment oldest first; links back to the pages.
    for (const key of RUNBOOK_ISSUES) assert.ok(existsSync(join(out, 'markdown/jira', `${key}.md`)), key);
    const six = readFileSync(join(out, 'markdown/jira/DEMO-6.md'), 'utf8');
    assert.match(six, /^# DEMO-6: Rate limit alerts fire during the nightly export\n/);
    assert.match(six, /^\| Status \| In Review \|$/m);
    assert.match(six, /^\| Labels \| runbook, ops \|$/m);
    assert.match(six, /^\| Parent \| \[DEMO-2: Operations and on-call\]\(\.\/DEMO-2\.md\) \|$/m);
    assert.match(six, /^\| Links \| is blocked by \[DEMO-4: [^\]]+\]\(\.\/DEMO-4\.md\); relates to \[DEMO-5: [^\]]+\]\(\.\/DEMO-5\.md\) \|$/m);
    assert.match(six, /^\| Mentioned on \| \[On-call\]\(\.\.\/DEMO\/On-call\.md\) \|$/m);
    assert.match(six, /The nightly export hits 429 answers around 02:00\./);
    assert.match(six, /^## Comments \(48\)$/m);
    const entries = [...six.matchAll(/Incident log entry (\d+):/g)].map((m) => Number(m[1]));
    assert.deepEqual(entries, Array.from({ length: 45 }, (_, i) => i + 1), 'all 45 log comments, in order (25 of them past the embedded page)');
    assert.ok(six.indexOf('Fixed by the per-source limiter') < six.indexOf('Incident log entry 1:'), 'chronological');
    for (const l of links(six).filter((l) => !/^https?:/.test(l))) assert.ok(resolves(out, 'markdown/jira/DEMO-6.md', l), l);
    const index = readFileSync(join(out, 'markdown/index.md'), 'utf8');
    assert.match(index, /2 pages, 4 Jira issues\./);
    assert.match(index, /^- \[DEMO-2: Operations and on-call\]\(\.\/jira\/DEMO-2\.md\)\n {2}- \[DEMO-4: /m, 'stories under their epic');

    // HTML: the page links to the issue's page and back; every local link resolves.
    const onCallHtml = readFileSync(join(out, 'html/DEMO/On-call.html'), 'utf8');
    assert.match(onCallHtml, /<a href="\.\.\/jira\/DEMO-6\.html">DEMO-6<\/a>/);
    const sixHtml = readFileSync(join(out, 'html/jira/DEMO-6.html'), 'utf8');
    assert.match(sixHtml, /<a href="\.\.\/DEMO\/On-call\.html">On-call<\/a>/);
    for (const f of ['html/DEMO/On-call.html', 'html/jira/DEMO-6.html', 'html/index.html']) {
      const hrefs = [...readFileSync(join(out, f), 'utf8').matchAll(/href="([^"]+)"/g)].map((m) => m[1]!).filter((h) => !/^(https?:|#)/.test(h));
      for (const h of hrefs) assert.ok(existsSync(posix.join(out, posix.dirname(f), decodeURI(h))), `${f} → ${h}`);
    }

    // PDF: a chapter per issue with its comments, a destination per item, and the page's link to the issue is internal.
    const pdf = join(out, 'export.pdf');
    const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString();
    for (const t of ['DEMO-6: Rate limit alerts fire during the nightly export', 'Incident log entry 45', 'Open incidents:', 'Mentioned on', '2 pages, 4 Jira issues']) assert.ok(text.includes(t), t);
    const dests = execFileSync('pdfinfo', ['-dests', pdf]).toString();
    for (const key of RUNBOOK_ISSUES) assert.ok(dests.includes(`page-${key}`), `destination of ${key}`);
    const raw = readFileSync(pdf).toString('latin1');
    assert.match(raw, /\/S \/GoTo\s*\/D \(page-DEMO-6\)/, 'an internal link to the issue');

    // JSON Lines: one object per issue with its fields, bodies and comments.
    const rows = readFileSync(join(out, 'pages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const issues = rows.filter((x) => x.kind === 'jira-issue');
    assert.deepEqual(issues.map((x) => x.key).sort(), RUNBOOK_ISSUES);
    const sixRow = issues.find((x) => x.key === 'DEMO-6')!;
    assert.equal((sixRow.comments as unknown[]).length, 48);
    assert.equal(sixRow.status, 'In Review');
    assert.equal((sixRow.description as { type?: string }).type, 'doc', 'the ADF as Jira sent it');
    assert.deepEqual(sixRow.mentionedOn, [ws.emu.api.pageByTitle('DEMO', 'On-call')!.id]);

    // Manifest: issues like pages, with key, updated, checksum and status.
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { items: Array<Record<string, unknown>> };
    const m6 = manifest.items.find((i) => i.key === 'DEMO-6')!;
    assert.equal(m6.kind, 'jira-issue');
    assert.equal(m6.status, 'done');
    assert.equal(m6.path, 'markdown/jira/DEMO-6.md');
    assert.match(String(m6.sha256), /^[0-9a-f]{64}$/);
    assert.match(String(m6.updated), /^2026-\d\d-\d\dT/);
    assert.equal((await ws.csync(['export', 'verify', out])).code, 0);

    // Jira cost: one search (4 issues < 100) and one comment page (DEMO-6's 28 comments past the embedded 20).
    const counts = ws.emu.requestCounts();
    assert.equal(counts['GET /rest/api/3/search/jql'], 1);
    assert.equal(counts['GET /rest/api/3/issue/{key}/comment'], 1);
    assert.deepEqual(ws.emu.invalidRequests(), []);

    // Again into a new folder: issues come from the cache (key + updated); only the search is sent. An issue that
    // changed in the meantime (a comment moves `updated`) is fetched again and shows the change.
    ws.emu.resetLog();
    ws.emu.jira.addComment('DEMO-5', ws.emu.jira.issues.get('DEMO-5')!.reporter, [{ p: 'Rotated today.' }], Date.UTC(2026, 11, 1));
    const again = join(ws.dir, 'again');
    const r2 = await ws.csync(['export', '--label', 'runbook', '--include-jira', '--format', 'md', '--out', again]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(jiraRequests(ws).map((x) => x.route), ['/rest/api/3/search/jql']);
    assert.match(readFileSync(join(again, 'markdown/jira/DEMO-5.md'), 'utf8'), /Rotated today\./);
    assert.equal(readFileSync(join(again, 'markdown/jira/DEMO-6.md'), 'utf8'), six, 'unchanged issue, same file');
  } finally {
    await ws.close();
  }
});

test('--include-linked-issues adds the issues the pages point at; --jql alone exports issues only; resume sends no Jira request again; bad input', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const out = join(ws.dir, 'linked');
    const r = await ws.csync(['export', '--label', 'runbook', '--include-linked-issues', '--format', 'md', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const files = ['DEMO-4', 'DEMO-5', 'DEMO-6', 'DEMO-9'].map((k) => `markdown/jira/${k}.md`);
    for (const f of files) assert.ok(existsSync(join(out, f)), f);
    assert.ok(!existsSync(join(out, 'markdown/jira/DEMO-2.md')), 'only the linked ones');
    assert.match(readFileSync(join(out, 'markdown/DEMO/Release process.md'), 'utf8'), /\[DEMO-9\]\(\.\.\/jira\/DEMO-9\.md\)/);
    assert.match(readFileSync(join(out, 'markdown/jira/DEMO-9.md'), 'utf8'), /^\| Mentioned on \| \[Release process\]\(\.\.\/DEMO\/Release%20process\.md\) \|$/m);

    const dry = await ws.csync(['export', '--label', 'runbook', '--include-jira', '--dry-run', '--out', join(ws.dir, 'dry')]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^would export 2 page\(s\) and 4 Jira issue\(s\) in md/);
    assert.match(dry.stdout, /^ {2}jira\/DEMO-6 {2}\(updated 2026-/m);
    assert.ok(!existsSync(join(ws.dir, 'dry')));

    const only = join(ws.dir, 'only');
    const r2 = await ws.csync(['export', '--jql', 'project = DEMO AND type = Epic', '--format', 'md', '--out', only]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual([...readFileSync(join(only, 'markdown/index.md'), 'utf8').matchAll(/\(\.\/jira\/(DEMO-\d+)\.md\)/g)].map((m) => m[1]), ['DEMO-1', 'DEMO-2', 'DEMO-3']);
    assert.ok(!existsSync(join(only, 'markdown/DEMO')), 'no pages');

    // A job that fails after the selection (the space's attachments cannot be listed; the page bodies came with the
    // label's listing) and is resumed: the issues it selected and cached are not searched or fetched again.
    ws.emu.scriptFaults([{ kind: 'http500', method: 'GET', path: /^\/wiki\/rest\/api\/content\/search$/, count: 1 }]);
    const resumed = join(ws.dir, 'resumed');
    const failed = await ws.csync(['export', '--label', 'runbook', '--include-jira', '--format', 'md', '--out', resumed, '--no-cache'], { CSYNC_RETRY_MAX_RETRIES: '0' });
    assert.notEqual(failed.code, 0);
    assert.ok(!existsSync(resumed));
    const job = /export job (\S+)|job (\d{8}T\d{6}-[0-9a-f]{6})/.exec(failed.stderr + failed.stdout);
    const list = await ws.csync(['export', 'list', '--json']);
    const jobs = (JSON.parse(list.stdout) as { jobs: Array<{ id: string; state: string }> }).jobs;
    const failedJob = jobs.find((j) => j.state === 'failed')!;
    assert.ok(failedJob, `a failed job (${job?.[0] ?? 'none named'})`);
    ws.emu.resetLog();
    const r3 = await ws.csync(['export', 'resume', failedJob.id]);
    assert.equal(r3.code, 0, r3.stderr);
    assert.deepEqual(jiraRequests(ws), [], 'no Jira request on resume');
    for (const key of RUNBOOK_ISSUES) assert.ok(existsSync(join(resumed, 'markdown/jira', `${key}.md`)), key);
    assert.equal((await ws.csync(['export', 'verify', resumed])).code, 0);
    assert.deepEqual(ws.emu.invalidRequests(), []);

    // Bad input: a JQL error is a usage error naming the problem; --include-jira without a label too.
    const x = join(ws.dir, 'x');
    const bad = await ws.csync(['export', '--jql', 'labels = runbook AND (', '--out', x]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /Jira refused the issue selection: Error in the JQL Query/);
    const usage = await ws.csync(['export', '--space', 'DEMO', '--include-jira', '--out', x]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--include-jira needs labels or a query/);
    assert.ok(!existsSync(x));
  } finally {
    await ws.close();
  }
});

test('Data Center: JIRA_URL and a PAT; the search is offset-paged (/rest/api/2/search), bodies are wiki markup; the doctor checks Jira', async () => {
  const ws = await workspaceWithEmulator({ flavour: 'data-center', jiraIssues: 120 });
  try {
    const env = { CONFLUENCE_URL: ws.emu.origin, CONFLUENCE_EMAIL: '', CONFLUENCE_API_TOKEN: '', CONFLUENCE_PAT: ws.emu.credentials.pat, JIRA_URL: ws.emu.origin };
    const out = join(ws.dir, 'dc');
    const r = await ws.csync(['export', '--jql', 'project = BENCH AND labels = bench ORDER BY key', '--format', 'md', '--format', 'json', '--out', out], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /exported 120 of 120 item\(s\)/);
    const searches = ws.emu.requestLog().filter((x) => x.path === '/rest/api/2/search');
    assert.equal(searches.length, 2, '120 issues in pages of 100');
    const row = readFileSync(join(out, 'pages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((x) => x.key === 'BENCH-10')!;
    assert.match(String(row.description), /^h2\. Context\n\nParagraph 1 of issue 10/, 'wiki markup as Data Center sends it');
    assert.equal((row.comments as unknown[]).length, 25);
    assert.match(readFileSync(join(out, 'markdown/jira/BENCH-10.md'), 'utf8'), /Paragraph 2 of issue 10/);
    assert.deepEqual(ws.emu.requestLog().filter((x) => x.path.startsWith('/rest/api/3/')), []);
    assert.deepEqual(ws.emu.invalidRequests(), []);

    // The doctor checks Jira when it is configured: sign-in, a JQL search, the rate-limit headers; a bad token fails.
    ws.emu.setRateLimit({ rps: 500, burst: 1000 });
    type Doc = { checks: Array<{ name: string; ok: boolean; detail: string; hint?: string }> };
    const doc = JSON.parse((await ws.csync(['doctor', '--json'], env)).stdout) as Doc;
    const jira = doc.checks.filter((c) => c.name.startsWith('jira'));
    assert.deepEqual(jira.map((c) => [c.name, c.ok]), [['jira credentials', true], ['jira search', true], ['jira rate limit', true]], JSON.stringify(jira));
    assert.match(jira[0]!.detail, /signed in as Demo User \(Jira Data Center, REST v2/);
    assert.match(jira[2]!.detail, /x-ratelimit-limit: 1000/);
    const wrong = JSON.parse((await ws.csync(['doctor', '--json'], { ...env, JIRA_PAT: 'not-the-pat' })).stdout) as Doc;
    const cred = wrong.checks.find((c) => c.name === 'jira credentials')!;
    assert.equal(cred.ok, false);
    assert.match(cred.hint ?? '', /JIRA_PAT/);
    assert.ok(!JSON.stringify(wrong).includes('not-the-pat'), 'the token is not shown');
  } finally {
    await ws.close();
  }
});
