import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { conflictCopies, fileOf, type TestWorkspace, withPulledWorkspace } from '../helpers/workspace.js';

/** A page edited on both sides of a pulled workspace, and the push that found the conflict. */
async function conflicted(ws: TestWorkspace): Promise<{ rel: string; id: string; remoteVersion: number }> {
  const rel = fileOf(ws, 'Architecture');
  const page = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
  ws.emu.api.editPage(page.id, { body: ws.emu.api.body(page.id).replace('Edit it in Confluence', 'Remote wording') });
  writeFileSync(join(ws.dir, rel), readFileSync(join(ws.dir, rel), 'utf8').replace('Edit it in Confluence', 'Local wording'));
  assert.equal((await ws.csync(['push'])).code, 6);
  return { rel, id: page.id, remoteVersion: ws.emu.api.page(page.id).version.number };
}

test('resolve --keep local: the next push uploads the local file with version = remote + 1; the copy is gone', async () => {
  await withPulledWorkspace(async (ws) => {
    const { rel, id, remoteVersion } = await conflicted(ws);
    const dry = await ws.csync(['resolve', rel, '--keep', 'local', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(conflictCopies(ws.files('content')).length, 1, 'dry run keeps the copy');
    const r = await ws.csync(['resolve', rel, '--keep', 'local']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(conflictCopies(ws.files('content')).length, 0);
    ws.emu.resetLog();
    const push = await ws.csync(['push']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.equal(ws.emu.api.page(id).version.number, remoteVersion + 1);
    assert.match(ws.emu.api.body(id), /Local wording/);
    assert.doesNotMatch(ws.emu.api.body(id), /Remote wording/);
    assert.equal(ws.emu.requestCounts()['GET /wiki/api/v2/pages/{id}'] ?? 0, 0, 'no 409 on the way');
  });
});

test('resolve --keep remote: the file takes the remote version, a push writes nothing and status is clean', async () => {
  await withPulledWorkspace(async (ws) => {
    const { rel, id, remoteVersion } = await conflicted(ws);
    const r = await ws.csync(['resolve', rel, '--keep', 'remote']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(join(ws.dir, rel), 'utf8'), /Remote wording/);
    assert.equal(conflictCopies(ws.files('content')).length, 0);
    ws.emu.resetLog();
    assert.equal((await ws.csync(['push'])).code, 0);
    assert.deepEqual(ws.emu.requestLog().filter((x) => x.method !== 'GET'), []);
    assert.equal(ws.emu.api.page(id).version.number, remoteVersion);
    const st = await ws.csync(['status']);
    assert.equal(st.code, 0, st.stdout);
    assert.match(st.stdout, /Everything in sync/);
    assert.equal((await ws.csync(['resolve', rel, '--keep', 'remote'])).code, 2, 'no conflict left to resolve');
  });
});

test('diff shows the local edit against the remote version and writes nothing', async () => {
  await withPulledWorkspace(async (ws) => {
    const none = await ws.csync(['diff']);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /No differences/);
    const rel = fileOf(ws, 'Architecture');
    writeFileSync(join(ws.dir, rel), readFileSync(join(ws.dir, rel), 'utf8').replace('Edit it in Confluence', 'Local wording'));
    ws.emu.resetLog();
    const r = await ws.csync(['diff']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^-.*Edit it in Confluence/m);
    assert.match(r.stdout, /^\+.*Local wording/m);
    assert.match(r.stdout, new RegExp(`^\\+\\+\\+ ${rel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.ok(ws.emu.requestLog().every((x) => x.method === 'GET'));
  });
});
