import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileOf, withPulledWorkspace } from '../helpers/workspace.js';

test('a file moved to another folder moves its page; a title changed in front matter renames it; one PUT each', async () => {
  await withPulledWorkspace(async (ws) => {
    const api = ws.emu.api;
    const retro = api.pageByTitle('DEMO', '2026-11-09 Retro')!;
    const arch = api.pageByTitle('DEMO', 'Architecture')!;
    const installPage = api.pageByTitle('DEMO', 'Installation')!;
    const from = fileOf(ws, '2026-11-09 Retro');
    const to = `${fileOf(ws, 'Architecture').replace(/\.md$/, '')}/2026-11-09 Retro.md`;
    mkdirSync(join(ws.dir, to, '..'), { recursive: true });
    renameSync(join(ws.dir, from), join(ws.dir, to));
    const install = fileOf(ws, 'Installation');
    writeFileSync(join(ws.dir, install), readFileSync(join(ws.dir, install), 'utf8').replace('title: Installation', 'title: Setup'));
    ws.emu.resetLog();
    const r = await ws.csync(['push']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(api.page(retro.id).parentId, arch.id);
    assert.equal(api.page(retro.id).status, 'current');
    assert.equal(api.pageByTitle('DEMO', 'Setup')?.id, installPage.id);
    assert.equal(api.pageByTitle('DEMO', 'Installation'), undefined);
    assert.equal(ws.emu.requestCounts()['PUT /wiki/api/v2/pages/{id}'], 2);
    assert.equal(ws.emu.requestCounts()['POST /wiki/api/v2/pages'] ?? 0, 0, 'a move is not a create');
    assert.equal(ws.emu.requestCounts()['DELETE /wiki/api/v2/pages/{id}'] ?? 0, 0, 'nor a delete');
    ws.emu.resetLog();
    assert.equal((await ws.csync(['push'])).code, 0);
    assert.deepEqual(ws.emu.requestLog().filter((x) => x.method !== 'GET'), []);
  });
});
