/**
 * A file a stopped pull left in cache/moving/<id>.md is put back at its page's path by the next run, but never over a
 * file the user created there after that run's scan: the put-back is a no-clobber move (safe-fs moveNoClobber: a hard
 * link that fails when the name is taken). The window between the scan and the move is opened deterministically with
 * the test-only pause (CSYNC_TEST_PAUSE_BEFORE_REPLACE, ..._MARK, ..._GO in safe-fs.ts).
 * The real CLI in a child process, the emulator as Confluence, real files and state.db.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPaused } from '../helpers/pause.js';
import { leaveAside, workspaceWithEmulator, writes } from '../helpers/workspace.js';

for (const next of ['push', 'pull'] as const) {
  test(`a file created at the page's path while the next ${next} puts the moved-aside file back survives; the page's file stays in cache/moving, with a warning`, async () => {
    const ws = await workspaceWithEmulator({ seed: 'demo' });
    try {
      assert.equal((await ws.csync(['pull'])).code, 0);
      const { rel, original, id, aside } = leaveAside(ws, 'Architecture');
      ws.emu.resetLog();
      const users = 'The user wrote this file here meanwhile.\n';
      const r = await runPaused(ws, [next], () => writeFileSync(join(ws.dir, rel), users), rel);
      assert.ok(r.paused, `the run reached the put-back of ${rel}: ${r.out}`);
      assert.equal(readFileSync(join(ws.dir, rel), 'utf8'), users, "the user's file is not overwritten");
      assert.equal(readFileSync(aside, 'utf8'), original, "the page's file stays where it was put aside");
      assert.ok(r.out.includes(`warning: ${rel}: a file appeared here while csync was putting the page's file back from cache/moving/${id}.md; both left as they are`), r.out);
      assert.equal(r.code, 10, r.out);
      assert.deepEqual(writes(ws), [], 'nothing written to Confluence for it');
      assert.equal(ws.emu.api.page(id).status, 'current');
    } finally {
      await ws.close();
    }
  });
}
