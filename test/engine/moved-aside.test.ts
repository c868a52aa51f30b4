/**
 * A pull moves a file whose path changes to cache/moving/<id>.md, then records that. Stopped between the two, the
 * record still names the old path: the next push must not take the file for deleted (it used to trash the page),
 * and the next pull must not lose it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '../../src/format/front-matter.js';
import { fileOf, leaveAside, withPulledWorkspace, writes } from '../helpers/workspace.js';

for (const next of ['push', 'pull', 'status'] as const) {
  test(`a file left in cache/moving by a stopped pull is found by the next ${next}: the page is not trashed, the file comes back`, async () => {
    await withPulledWorkspace(async (ws) => {
      const { rel, id } = leaveAside(ws, 'Architecture');
      ws.emu.resetLog();
      const r = await ws.csync(next === 'status' ? ['status', '--local'] : [next]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.deepEqual(writes(ws), [], 'nothing deleted in Confluence');
      assert.equal(ws.emu.api.page(id).status, 'current');
      if (next === 'status') {
        assert.doesNotMatch(r.stdout, /deleted:/);
        assert.ok(!existsSync(join(ws.dir, rel)), 'status moves nothing');
      } else {
        assert.ok(existsSync(join(ws.dir, rel)), 'the file is back at its path');
        assert.ok(!existsSync(join(ws.dir, 'cache', 'moving', `${id}.md`)));
        assert.match((await ws.csync(['status'])).stdout, /Everything in sync/);
      }
    });
  });
}

test('a pull stopped after it moved a renamed file aside (its record names cache/moving) is finished by the next pull, not refused forever', async () => {
  await withPulledWorkspace(async (ws) => {
    const rel = fileOf(ws, 'Architecture');
    const id = String(parseFile(readFileSync(join(ws.dir, rel), 'utf8')).meta.id);
    // Renamed here, edited there: the pull moves the file aside, then downloads the page's new version.
    const renamed = join(rel.slice(0, rel.lastIndexOf('/')), 'Renamed architecture.md');
    renameSync(join(ws.dir, rel), join(ws.dir, renamed));
    ws.emu.api.editPage(id, { body: `${ws.emu.api.body(id)}<p>Edited on the web meanwhile.</p>` });
    // The bulk body request fails (every retry): the pull stops after the move aside, before the download.
    ws.emu.scriptFaults([{ kind: 'http500', method: 'GET', path: /^\/wiki\/api\/v2\/pages$/, count: 50 }]);
    const stopped = await ws.csync(['pull']);
    assert.notEqual(stopped.code, 0, 'the pull stopped');
    ws.emu.clearFaults();
    assert.ok(existsSync(join(ws.dir, 'cache', 'moving', `${id}.md`)), 'the file was left aside');
    const again = await ws.csync(['pull']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.ok(!existsSync(join(ws.dir, 'cache', 'moving', `${id}.md`)), 'nothing left aside');
    const now = fileOf(ws, 'Architecture');
    assert.match(readFileSync(join(ws.dir, now), 'utf8'), /Edited on the web meanwhile\./, 'the remote edit is in the page file');
    assert.equal((await ws.csync(['sync'])).code, 0);
    assert.match((await ws.csync(['status'])).stdout, /Everything in sync/);
  });
});

test('a file left in cache/moving while a new file took the page path: never a silent copy — the same bytes are dropped, other bytes stop the page with a warning until the user picks', async () => {
  await withPulledWorkspace(async (ws) => {
    // The pull stopped after moving the file aside; the user then saved a file of their own at the page's path.
    const { rel, original, id, aside } = leaveAside(ws, 'Architecture');
    const mine = '---\ntitle: Architecture\n---\nWritten after the stopped pull.\n';
    writeFileSync(join(ws.dir, rel), mine);
    ws.emu.resetLog();
    for (const cmd of [['pull', '--dry-run'], ['pull'], ['push'], ['pull']]) {
      const r = await ws.csync(cmd);
      assert.equal(r.code, 10, `${cmd.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout + r.stderr, new RegExp(`an earlier copy of this page's file, set aside by a pull that stopped, is at cache/moving/${id}\\.md`), cmd.join(' '));
    }
    assert.deepEqual(writes(ws), [], 'nothing sent while both are kept');
    assert.equal(readFileSync(aside, 'utf8'), original, 'the copy set aside keeps its bytes');
    assert.equal(readFileSync(join(ws.dir, rel), 'utf8'), mine, "the user's file keeps its bytes");
    // The user picks the earlier file (puts its bytes back at the path): the copy is a duplicate now, and the run settles.
    writeFileSync(join(ws.dir, rel), original);
    const settled = await ws.csync(['pull']);
    assert.equal(settled.code, 0, settled.stdout + settled.stderr);
    assert.ok(!existsSync(aside), 'a copy holding the same bytes as the file is only a duplicate: dropped');
    assert.match((await ws.csync(['status'])).stdout, /Everything in sync/);
  });
});
