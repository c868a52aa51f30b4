import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceWithEmulator } from '../helpers/workspace.js';

test('resolve --keep merged: refuses a file with conflict markers, then pushes the hand merge over the remote version', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const rel = 'content/DEMO/Demo space home/Architecture.md';
    const page = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
    ws.emu.api.editPage(page.id, { body: ws.emu.api.body(page.id).replace('Edit it in Confluence', 'Remote wording') });
    const original = readFileSync(join(ws.dir, rel), 'utf8');
    writeFileSync(join(ws.dir, rel), original.replace('Edit it in Confluence', 'Local wording'));
    const sync = await ws.csync(['sync']);
    assert.equal(sync.code, 6, 'overlapping edits: a conflict remains');
    const copy = ws.files('content').find((f) => f.includes('.conflict-'));
    assert.ok(copy);
    // A half-done merge is refused, and nothing changes.
    writeFileSync(join(ws.dir, rel), original.replace('Edit it in Confluence', '<<<<<<< mine\nLocal wording\n=======\nRemote wording\n>>>>>>> theirs\n'));
    const refused = await ws.csync(['resolve', rel, '--keep', 'merged']);
    assert.equal(refused.code, 6, refused.stdout + refused.stderr); // the conflict remains (not a usage error)
    assert.match(refused.stderr, /still has a conflict marker at line \d+/);
    assert.ok(ws.files('content').includes(copy!), 'the copy stays');
    // The finished hand merge is kept and pushed as remote version + 1.
    writeFileSync(join(ws.dir, rel), original.replace('Edit it in Confluence', 'Local and remote wording'));
    const r = await ws.csync(['resolve', rel, '--keep', 'merged']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!ws.files('content').some((f) => f.includes('.conflict-')), 'the copy is gone');
    const remoteVersion = ws.emu.api.page(page.id).version.number;
    const push = await ws.csync(['push']);
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.equal(ws.emu.api.page(page.id).version.number, remoteVersion + 1);
    assert.match(ws.emu.api.body(page.id), /Local and remote wording/);
    assert.equal((await ws.csync(['status'])).code, 0, 'status is clean');
  } finally {
    await ws.close();
  }
});
