/**
 * The emulator's Jira: its state survives a restart through the --data file (projects, issues, comments, links,
 * attachments and key counters), a key clause naming a missing issue is refused as Jira Cloud does, and attachment
 * content answers a 303 unless redirect=false.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';

const auth = (emu: { credentials: { email: string; token: string } }) => ({ authorization: `Basic ${Buffer.from(`${emu.credentials.email}:${emu.credentials.token}`).toString('base64')}` });

test('--data: Jira projects, issues, comments, links and attachments are saved and loaded back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'csync-jira-data-'));
  try {
    const dataFile = join(dir, 'state.json');
    let emu = await startEmulator({ seed: 'demo', jiraIssues: 3, dataFile });
    const created = emu.jira.addIssue({ project: 'DEMO', summary: 'Made after the seed', status: 'To Do', type: 'Task', priority: 'High', assignee: undefined, reporter: emu.jira.issues.get('DEMO-1')!.reporter, labels: ['saved'], components: [], fixVersions: [], parent: 'DEMO-2', description: [{ p: 'Kept across restarts.' }] });
    emu.jira.addComment(created.key, created.reporter, [{ p: 'A comment to keep.' }]);
    const att = emu.jira.addAttachment(created.key, { filename: 'notes.bin', mimeType: 'application/octet-stream', data: Buffer.from([0, 1, 2, 255]), author: created.reporter });
    emu.jira.link('Blocks', created.key, 'DEMO-1');
    emu.jira.editIssue('DEMO-3', { summary: 'Renamed documentation epic' });
    const before = emu.jira.issues.size;
    await emu.close();
    assert.ok('jira' in (JSON.parse(readFileSync(dataFile, 'utf8')) as object), 'the file holds the Jira state');

    // Restarted with the same options: loaded, not seeded again (no duplicate BENCH issues).
    emu = await startEmulator({ seed: 'demo', jiraIssues: 3, dataFile });
    try {
      assert.equal(emu.jira.issues.size, before);
      assert.equal(emu.jira.issues.get('DEMO-3')!.summary, 'Renamed documentation epic');
      const h = auth(emu);
      const got = (await (await fetch(`${emu.origin}/rest/api/3/issue/${created.key}?fields=summary,comment,attachment,issuelinks,parent,labels`, { headers: h })).json()) as {
        fields: { summary: string; labels: string[]; parent: { key: string }; comment: { total: number }; attachment: Array<{ id: string; content: string }>; issuelinks: Array<{ outwardIssue?: { key: string } }> };
      };
      assert.equal(got.fields.summary, 'Made after the seed');
      assert.deepEqual(got.fields.labels, ['saved']);
      assert.equal(got.fields.parent.key, 'DEMO-2');
      assert.equal(got.fields.comment.total, 1);
      assert.equal(got.fields.issuelinks[0]!.outwardIssue!.key, 'DEMO-1');
      assert.equal(got.fields.attachment[0]!.id, att.id);
      const bytes = Buffer.from(await (await fetch(`${got.fields.attachment[0]!.content}?redirect=false`, { headers: h })).arrayBuffer());
      assert.deepEqual([...bytes], [0, 1, 2, 255]);
      // Counters continue: the next issue and id do not reuse saved ones.
      const next = emu.jira.addIssue({ project: 'DEMO', summary: 'Next', status: 'To Do', type: 'Task', priority: undefined, assignee: undefined, reporter: created.reporter, labels: [], components: [], fixVersions: [], parent: undefined, description: undefined });
      assert.equal(next.key, `DEMO-${Number(created.key.split('-')[1]) + 1}`);
      assert.ok(Number(next.id) > Number(att.id));
      assert.deepEqual(emu.invalidRequests(), []);
    } finally {
      await emu.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('key clauses naming missing issues: 400 for the whole query, one errorMessages entry per missing key; attachments 303 unless redirect=false', async () => {
  const emu = await startEmulator({ seed: 'demo' });
  try {
    const h = auth(emu);
    const search = async (jql: string) => {
      const r = await fetch(`${emu.origin}/rest/api/3/search/jql?jql=${encodeURIComponent(jql)}&fields=summary`, { headers: h });
      return { status: r.status, body: (await r.json()) as { errorMessages?: string[]; issues?: Array<{ key: string }> } };
    };
    const bad = await search('key in (DEMO-1, MISSING-9, DEMO-999) ORDER BY key');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errorMessages, ["An issue with key 'MISSING-9' does not exist for field 'key'.", "An issue with key 'DEMO-999' does not exist for field 'key'."]);
    assert.equal((await search('key = NOPE-1 OR labels = runbook')).status, 400, 'inside OR too');
    const ok = await search('key in (demo-1, DEMO-2) ORDER BY key');
    assert.deepEqual(ok.body.issues?.map((i) => i.key), ['DEMO-1', 'DEMO-2']);

    const id = emu.jira.issues.get('DEMO-4')!.attachments[0]!.id;
    const redirect = await fetch(`${emu.origin}/rest/api/3/attachment/content/${id}`, { headers: h, redirect: 'manual' });
    assert.equal(redirect.status, 303);
    assert.match(redirect.headers.get('location') ?? '', new RegExp(`/rest/api/3/attachment/content/${id}\\?redirect=false$`));
    const direct = await fetch(`${emu.origin}/rest/api/3/attachment/content/${id}?redirect=false`, { headers: h });
    assert.equal(direct.status, 200);
    assert.match(await direct.text(), /state\.db locked/);
    assert.equal((await fetch(`${emu.origin}/rest/api/3/attachment/content/99999999?redirect=false`, { headers: h })).status, 404);
    assert.deepEqual(emu.invalidRequests(), []);
  } finally {
    await emu.close();
  }
});
