/**
 * A pull moves a file whose path changes to cache/moving/<id>.md, then records that. Stopped between the two, the
 * record still names the old path: the next push must not take the file for deleted (it used to trash the page),
 * and the next pull must not lose it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '../../src/format/front-matter.js';
import { fileOf, workspaceWithEmulator, writes } from '../helpers/workspace.js';

for (const next of ['push', 'pull', 'status'] as const) {
  test(`a file left in cache/moving by a stopped pull is found by the next ${next}: the page is not trashed, the file comes back`, async () => {
    const ws = await workspaceWithEmulator({ seed: 'demo' });
    try {
      assert.equal((await ws.csync(['pull'])).code, 0);
      const rel = fileOf(ws, 'Architecture');
      const id = String(parseFile(readFileSync(join(ws.dir, rel), 'utf8')).meta.id);
      mkdirSync(join(ws.dir, 'cache', 'moving'), { recursive: true });
      renameSync(join(ws.dir, rel), join(ws.dir, 'cache', 'moving', `${id}.md`));
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
    } finally {
      await ws.close();
    }
  });
}
