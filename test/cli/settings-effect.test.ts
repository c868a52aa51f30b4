/** Settings that must do what the README says: batch.pageSize, concurrency.attachments; sync.conflictCopies is gone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileOf, workspaceWithEmulator } from '../helpers/workspace.js';

test('batch.pageSize sets the size of listing requests: 5 per request lists the demo space in ceil(N/5) requests, the default in 1', async () => {
  for (const pageSize of [5, undefined]) {
    const ws = await workspaceWithEmulator({ seed: 'demo', config: pageSize ? { batch: { pageSize } } : {} });
    try {
      const pages = ws.emu.api.pages('DEMO').length;
      // The cursor of the last full page leads to one more (empty) answer when N is a multiple of the size.
      const expected = pageSize ? Math.floor(pages / pageSize) + 1 : 1;
      const r = await ws.csync(['pull']);
      assert.equal(r.code, 0, r.stderr);
      const lists = ws.emu.requestLog().filter((x) => x.method === 'GET' && x.route === '/wiki/api/v2/spaces/{id}/pages');
      assert.equal(lists.length, expected, `pageSize ${pageSize ?? 'default'}: ${lists.length} listing requests`);
      ws.emu.resetLog();
      const s = await ws.csync(['status']);
      assert.equal(s.code, 0, s.stderr);
      assert.equal(ws.emu.requestLog().filter((x) => x.method === 'GET' && x.route === '/wiki/api/v2/spaces/{id}/pages').length, expected, 'status lists the same way');
    } finally {
      await ws.close();
    }
  }
});

test('concurrency.attachments: 1 uploads one file at a time, 4 sends four at once', async () => {
  const spread: Record<number, number> = {};
  for (const n of [1, 4]) {
    const ws = await workspaceWithEmulator({ seed: 'demo', latencyMs: 400 });
    try {
      assert.equal((await ws.csync(['pull'])).code, 0);
      const page = fileOf(ws, 'Architecture');
      const dir = join(ws.dir, 'attachments', page.slice('content/'.length, -'.md'.length));
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 4; i++) writeFileSync(join(dir, `file-${i}.txt`), `attachment ${i}\n`);
      ws.emu.resetLog();
      const r = await ws.csync(['push'], { CSYNC_CONCURRENCY_ATTACHMENTS: String(n) });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /4 uploaded/);
      const posts = ws.emu.requestLog().filter((x) => x.method === 'POST' && x.route.endsWith('/child/attachment')).map((x) => x.at).sort((a, b) => a - b);
      assert.equal(posts.length, 4);
      spread[n] = posts[3]! - posts[0]!;
    } finally {
      await ws.close();
    }
  }
  // One at a time: each upload waits for the one before (3 × 400 ms of latency at least). Four at once: no waiting.
  assert.ok(spread[1]! >= 3 * 400, `concurrency 1: the 4 uploads spread over ${spread[1]} ms`);
  assert.ok(spread[4]! < 400, `concurrency 4: the 4 uploads spread over ${spread[4]} ms`);
});

test('sync.conflictCopies is no longer a setting: a config that sets it still works, with a warning saying why', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo', config: { sync: { conflictCopies: 3 } } });
  try {
    const r = await ws.csync(['pull']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /'sync\.conflictCopies' is no longer a setting and is ignored: csync never deletes a conflict copy on its own.*remove it from the file/);
    const env = await ws.csync(['status', '--local'], { CSYNC_SYNC_CONFLICT_COPIES: '2' });
    assert.equal(env.code, 0, env.stderr);
    assert.match(env.stderr, /CSYNC_SYNC_CONFLICT_COPIES \(sync\.conflictCopies\) is no longer a setting/);
  } finally {
    await ws.close();
  }
});
