import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileOf, workspaceWithEmulator } from '../helpers/workspace.js';

test('after pull --root, status shows what a pull with that scope would do: the rest of the space is not "remote new"', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    const api = ws.emu.api;
    const notes = api.pageByTitle('DEMO', 'Meeting notes')!;
    const first = await ws.csync(['pull', '--root', notes.id]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(ws.files('content').length, 4, 'the subtree only');

    const clean = await ws.csync(['status']);
    assert.equal(clean.code, 0, clean.stderr);
    assert.doesNotMatch(clean.stdout, /new:/);
    assert.match(clean.stdout, /Everything in sync: DEMO \(4 pages\)/);

    // A change inside the scope is listed; a change outside it is not (pull would not bring it either).
    api.editPage(api.pageByTitle('DEMO', '2026-11-09 Retro')!.id, { body: '<p>Retro, edited.</p>' });
    api.editPage(api.pageByTitle('DEMO', 'Architecture')!.id, { body: '<p>Outside, edited.</p>' });
    api.editPage(api.pageByTitle('DEMO', '2026-11-02 Planning')!.id, { title: '2026-11-02 Kickoff' });
    const json = await ws.csync(['status', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const r = JSON.parse(json.stdout) as { remote: { changed: Array<{ path: string; from?: string }>; new: unknown[]; deleted: unknown[] } };
    assert.deepEqual(r.remote.new, []);
    assert.deepEqual(r.remote.deleted, []);
    assert.deepEqual(
      r.remote.changed.map((e) => `${e.from ?? ''} ${e.path}`).sort(),
      [
        'content/DEMO/Demo space home/Meeting notes/2026-11-02 Planning.md content/DEMO/Demo space home/Meeting notes/2026-11-02 Kickoff.md',
        ' content/DEMO/Demo space home/Meeting notes/2026-11-09 Retro.md',
      ].sort(),
    );
    const text = await ws.csync(['status']);
    assert.match(text.stdout, /changed: +content\/DEMO\/Demo space home\/Meeting notes\/2026-11-02 Planning\.md → .*2026-11-02 Kickoff\.md/);

    // Status and pull agree: the pull does exactly these two, and status is clean after it.
    const dry = await ws.csync(['pull', '--dry-run', '--json']);
    const plan = (JSON.parse(dry.stdout) as { plan: Array<{ path: string }> }).plan.map((l) => l.path).sort();
    assert.deepEqual(plan, r.remote.changed.map((e) => e.path).sort());
    assert.equal((await ws.csync(['pull'])).code, 0);
    const after = await ws.csync(['status']);
    assert.match(after.stdout, /Everything in sync: DEMO \(4 pages\)/, after.stdout);
  } finally {
    await ws.close();
  }
});

test('status lists local changes as push would do them: an id-only front-matter edit is not "modified"', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const edit = (title: string, fn: (t: string) => string): string => {
      const f = fileOf(ws, title);
      writeFileSync(join(ws.dir, f), fn(readFileSync(join(ws.dir, f), 'utf8')));
      return f;
    };
    // The id written differently (quoted), and a label-only edit: push sends nothing for the first, labels for the second.
    edit('Onboarding', (t) => t.replace(/^id: *"?(\d+)"?$/m, "id: '$1'"));
    const body = edit('Tables', (t) => `${t}\nA new line.\n`);
    const json = await ws.csync(['status', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const r = JSON.parse(json.stdout) as { local: { modified: Array<{ path: string }> } };
    assert.deepEqual(r.local.modified.map((e) => e.path), [body], 'only the body edit is a change');
    const text = await ws.csync(['status', '--local']);
    assert.doesNotMatch(text.stdout, /Onboarding/);
    // And push agrees: it updates exactly that page; afterwards status is clean.
    const dry = await ws.csync(['push', '--dry-run', '--json']);
    assert.deepEqual((JSON.parse(dry.stdout) as { plan: Array<{ path: string }> }).plan.map((l) => l.path), [body]);
    assert.equal((await ws.csync(['push'])).code, 0);
    assert.match((await ws.csync(['status'])).stdout, /Everything in sync/);
  } finally {
    await ws.close();
  }
});
