import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceWithEmulator } from '../helpers/workspace.js';

test('doctor checks cache/state.db: integrity, pages tracked, open conflicts; a damaged file fails with a hint (exit 3)', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    const before = await ws.csync(['doctor']);
    assert.match(before.stdout, /state\s+no cache\/state\.db yet/);
    assert.equal((await ws.csync(['pull'])).code, 0);
    const pages = ws.emu.api.pages('DEMO').length;
    const file = join(ws.dir, 'content/DEMO/Demo space home/Architecture.md');
    writeFileSync(file, 'local\n');
    ws.emu.api.editPage(ws.emu.api.pageByTitle('DEMO', 'Architecture')!.id, { body: '<p>remote</p>' });
    assert.equal((await ws.csync(['pull'])).code, 6);
    const after = await ws.csync(['doctor', '--json']);
    assert.equal(after.code, 0, 'an open conflict is a warning, not a failure');
    const checks = JSON.parse(after.stdout).checks as Array<{ name: string; ok: boolean; detail: string }>;
    const state = checks.find((c) => c.name === 'state')!;
    assert.ok(state.ok);
    assert.match(state.detail, new RegExp(`integrity ok; ${pages} pages tracked; last run: pull ok`));
    assert.match(checks.find((c) => c.name === 'conflicts')!.detail, /1 unresolved conflict/);
    writeFileSync(join(ws.dir, 'cache', 'state.db'), 'this is not a database');
    const broken = await ws.csync(['doctor']);
    assert.equal(broken.code, 3, broken.stdout + broken.stderr);
    assert.match(broken.stdout, /FAIL\s+state\s+cannot open .*state\.db/);
    assert.match(broken.stdout, /move cache\/state\.db aside/);
  } finally {
    await ws.close();
  }
});
