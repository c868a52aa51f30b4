/**
 * Pull details that the memory work touched: bodies of changed pages come in one bulk request and go through the
 * staging table; a scoped pull (--root) leaves the pages and attachments outside its scope alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { withPulledWorkspace } from '../helpers/workspace.js';
import { unpack as storedText } from '../../src/state/sqlite/store.js';

test('changed pages are fetched in one bulk request and written; nothing stays staged; the next pull is a no-op', async () => {
  await withPulledWorkspace(async (ws) => {
    const api = ws.emu.api;
    const titles = ['Configuration', 'Release process', 'On-call'];
    for (const t of titles) api.editPage(api.pageByTitle('DEMO', t)!.id, { body: `<p>Edited remotely: ${t}.</p>` });
    ws.emu.resetLog();
    const r = await ws.csync(['pull']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /0 new, 3 updated/);
    const counts = ws.emu.requestCounts();
    assert.equal(counts['GET /wiki/api/v2/pages'], 1, `one bulk request for the three bodies: ${JSON.stringify(counts)}`);
    assert.equal(counts['GET /wiki/api/v2/pages/{id}'] ?? 0, 0, 'no per-page GETs');
    for (const t of titles) {
      const file = ws.files('content').find((f) => f.endsWith(`/${t}.md`))!;
      assert.match(readFileSync(join(ws.dir, file), 'utf8'), new RegExp(`Edited remotely: ${t}\\.`));
    }
    const db = new Database(join(ws.dir, 'cache', 'state.db'), { readonly: true });
    try {
      assert.equal((db.prepare('SELECT count(*) AS n FROM staged_bodies').get() as { n: number }).n, 0);
      const raw = db.prepare('SELECT base, version FROM pages WHERE title = ?').get('On-call') as { base: string | Buffer; version: number };
      const base = { ...raw, base: storedText(raw.base) };
      assert.match(base.base, /Edited remotely: On-call\./);
      assert.equal(base.version, api.pageByTitle('DEMO', 'On-call')!.version.number);
    } finally {
      db.close();
    }
    ws.emu.resetLog();
    const again = await ws.csync(['pull']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Already up to date/);
    assert.equal(ws.emu.requestCounts()['GET /wiki/api/v2/pages'] ?? 0, 0);
  });
});

test('a --root pull leaves pages and attachments outside its subtree in place', async () => {
  await withPulledWorkspace(async (ws) => {
    const pages = ws.files('content');
    const attachments = ws.files('attachments');
    assert.ok(attachments.length >= 2, 'the demo space has attachments');
    const api = ws.emu.api;
    const notes = api.pageByTitle('DEMO', 'Meeting notes')!;
    const retro = api.pageByTitle('DEMO', '2026-11-09 Retro')!;
    api.editPage(retro.id, { body: '<p>Retro, edited.</p>' });
    const r = await ws.csync(['pull', '--root', notes.id]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 updated/);
    assert.match(r.stdout, /0 deleted/);
    assert.deepEqual(ws.files('content'), pages, 'no page file outside the subtree moved or went');
    assert.deepEqual(ws.files('attachments'), attachments, 'attachments of pages outside the subtree stay');
    assert.deepEqual(ws.files('cache/trash'), []);
    const retroFile = pages.find((f) => f.endsWith('/2026-11-09 Retro.md'))!;
    assert.match(readFileSync(join(ws.dir, retroFile), 'utf8'), /Retro, edited\./);
  });
});
