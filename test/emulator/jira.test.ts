/** The emulator's Jira routes: validated against the Jira OpenAPI document (requests and answers), auth, flavours. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../src/emulator/index.js';
import { jiraResponseProblems } from './jira-openapi.js';

const basic = (email: string, token: string) => ({ authorization: `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}` });

test('answers match the Jira document; invalid requests are refused (400/404) and recorded', async () => {
  const emu = await startEmulator({ seed: 'demo' });
  try {
    const h = basic(emu.credentials.email, emu.credentials.token);
    const get = async (path: string, headers: Record<string, string> = h) => {
      const r = await fetch(`${emu.origin}${path}`, { headers });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const fields = 'summary,status,issuetype,priority,assignee,reporter,created,updated,labels,components,fixVersions,issuelinks,parent,project,description,comment,attachment';
    const search = await get(`/rest/api/3/search/jql?jql=${encodeURIComponent('project = DEMO ORDER BY key')}&maxResults=40&fields=${fields}`);
    assert.equal(search.status, 200);
    assert.deepEqual(jiraResponseProblems('GET', '/rest/api/3/search/jql', search.body), []);
    assert.equal((search.body.issues as unknown[]).length, 40);
    assert.equal(typeof search.body.nextPageToken, 'string');
    const rest = await get(`/rest/api/3/search/jql?jql=${encodeURIComponent('project = DEMO ORDER BY key')}&maxResults=40&nextPageToken=${String(search.body.nextPageToken)}`);
    assert.deepEqual((rest.body.issues as Array<{ key: string }>).map((i) => i.key), ['DEMO-41', 'DEMO-42']);
    assert.equal(rest.body.isLast, true);
    assert.deepEqual(Object.keys((rest.body.issues as Array<{ fields: object }>)[0]!.fields), [], 'no fields asked: only the id and key');
    const issue = await get('/rest/api/3/issue/DEMO-4');
    assert.deepEqual(jiraResponseProblems('GET', '/rest/api/3/issue/{issueIdOrKey}', issue.body), []);
    assert.equal((issue.body.fields as { description: { type: string } }).description.type, 'doc');
    const comments = await get('/rest/api/3/issue/DEMO-6/comment?startAt=40&maxResults=100');
    assert.deepEqual(jiraResponseProblems('GET', '/rest/api/3/issue/{issueIdOrKey}/comment', comments.body), []);
    assert.equal((comments.body.comments as unknown[]).length, 8);
    assert.equal(comments.body.total, 48);
    assert.deepEqual(jiraResponseProblems('GET', '/rest/api/3/myself', (await get('/rest/api/3/myself')).body), []);
    const dc = await get(`/rest/api/2/search?jql=${encodeURIComponent('labels = runbook')}&startAt=1&maxResults=2`, { authorization: 'Bearer demo-pat' });
    assert.deepEqual({ startAt: dc.body.startAt, total: dc.body.total, n: (dc.body.issues as unknown[]).length }, { startAt: 1, total: 4, n: 2 });
    assert.equal(typeof (dc.body.issues as Array<{ fields: { description: unknown } }>)[0]!.fields.description, 'string', 'wiki markup on Data Center');
    assert.deepEqual(emu.invalidRequests(), []);

    const bad: Array<[string, number, RegExp]> = [
      ['/rest/api/3/search/jql?jql=x&maxResults=lots', 400, /query parameter 'maxResults'/],
      ['/rest/api/3/search/jql?jql=labels%3Drunbook&startAt=5', 400, /query parameter 'startAt' is not allowed here/],
      ['/rest/api/3/issue/DEMO-6/comment?orderBy=newest', 400, /query parameter 'orderBy'.*(created)/],
      ['/rest/api/2/search?jql=x&startAt=first', 400, /query parameter 'startAt'/],
      ['/rest/api/3/no/such/operation', 404, /is not an operation of the jira API/],
    ];
    for (const [path, status, problem] of bad) {
      emu.resetLog();
      const r = await get(path, path.startsWith('/rest/api/2') ? { authorization: 'Bearer demo-pat' } : h);
      assert.equal(r.status, status, path);
      assert.ok(Array.isArray(r.body.errorMessages), 'Jira error envelope');
      const invalid = emu.invalidRequests();
      assert.equal(invalid.length, 1, path);
      assert.ok(invalid[0]!.problems.some((p) => problem.test(p)), `${invalid[0]!.problems.join('; ')} should match ${problem}`);
    }
    emu.resetLog();
    const jqlError = await get(`/rest/api/3/search/jql?jql=${encodeURIComponent('status = ')}`);
    assert.equal(jqlError.status, 400);
    assert.match((jqlError.body.errorMessages as string[])[0]!, /Error in the JQL Query: Expecting a value/);
    const token = await get(`/rest/api/3/search/jql?jql=x&nextPageToken=${String(search.body.nextPageToken)}`);
    assert.equal(token.status, 400, 'a token is tied to its query');
    assert.deepEqual(emu.invalidRequests(), [], 'valid requests with a refused query are not invalid requests');
    const noAuth = await get('/rest/api/3/myself', {});
    assert.equal(noAuth.status, 401);
    assert.deepEqual(noAuth.body.errorMessages, ['Client must be authenticated to access this resource.']);
  } finally {
    await emu.close();
  }
});

test('a Cloud emulator serves no Jira v2, a Data Center one no v3; attachments download', async () => {
  for (const [flavour, missing, served] of [['cloud', '/rest/api/2/myself', '/rest/api/3/myself'], ['data-center', '/rest/api/3/myself', '/rest/api/2/myself']] as const) {
    const emu = await startEmulator({ seed: 'demo', flavour });
    try {
      const h = { authorization: 'Bearer demo-pat' };
      assert.equal((await fetch(`${emu.origin}${missing}`, { headers: h })).status, 404, `${flavour} ${missing}`);
      assert.equal((await fetch(`${emu.origin}${served}`, { headers: h })).status, 200, `${flavour} ${served}`);
      const issue = (await (await fetch(`${emu.origin}${served.replace('/myself', '/issue/DEMO-4')}`, { headers: h })).json()) as { fields: { attachment: Array<{ content: string; size: number }> } };
      const att = issue.fields.attachment[0]!;
      const file = await fetch(att.content, { headers: h });
      assert.equal(file.status, 200);
      assert.equal((await file.text()).length, att.size);
      assert.deepEqual(emu.invalidRequests(), []);
    } finally {
      await emu.close();
    }
  }
});
