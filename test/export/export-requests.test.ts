/**
 * What an export costs, counted at the emulator through the real CLI. The bodies come with the listing (a space: its
 * pages with `body-format=storage`, 250 a request; labels only: the chosen labels' listings carry them, the space is
 * not listed), so no bulk body request is sent. A whole-space export costs exactly ceil(N/250) requests once the
 * space's id is known (the workspace's sync state, or an earlier export: v2 cannot list a space's pages by key);
 * its labels are listed only for pages.jsonl or a label filter (v2 page listings cannot include labels).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { workspaceWithEmulator } from '../helpers/workspace.js';

const PAGES = 251; // two listing requests
const LISTING = Math.ceil(PAGES / 250);
const V2 = '/wiki/api/v2';

test('export requests: a whole space costs ceil(N/250) listing requests (bodies included) once its id is known; labels only when needed', async () => {
  const ws = await workspaceWithEmulator({ seed: PAGES, spaces: ['BENCH'] });
  try {
    const pages = [...ws.emu.store.pages.values()].filter((p) => p.status === 'current');
    assert.equal(pages.length, PAGES);
    for (const p of pages.slice(10, 13)) p.labels.push('ops');
    pages[20]!.labels.push('misc');
    const routes = () => ws.emu.requestLog().map((q) => `${q.method} ${q.route}${q.query.includes('body-format=storage') ? ' +bodies' : ''}`).sort();
    const listing = Array.from({ length: LISTING }, () => `GET ${V2}/spaces/{id}/pages +bodies`);
    const exportMd = async (zip: string) => {
      ws.emu.resetLog();
      const r = await ws.csync(['export', '--format', 'md', '--no-attachments', '--zip', join(ws.dir, zip), '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { items: number; requests: number };
      assert.equal(out.items, PAGES);
      assert.equal(out.requests, ws.emu.requestLog().length, 'the job counts what it sent');
      return routes();
    };

    // A workspace that never synced: the space's id is looked up once, then remembered (cache/export/jobs.db).
    assert.deepEqual(await exportMd('first.zip'), [`GET ${V2}/spaces`, ...listing], 'first export: the lookup and the listing (with bodies), nothing else');
    assert.deepEqual(await exportMd('again.zip'), listing, 'again, unchanged pages: exactly ceil(N/250) requests');

    // A remembered id that is gone (the space deleted and made again under its key): 404, looked up, listed.
    const db = new Database(join(ws.dir, 'cache', 'export', 'jobs.db'));
    db.prepare('UPDATE spaces SET id = ?').run('987654321');
    db.close();
    assert.deepEqual(await exportMd('stale.zip'), [`GET ${V2}/spaces`, `GET ${V2}/spaces/{id}/pages +bodies`, ...listing].sort(), 'a stale id: one 404, the lookup, the listing');

    // pages.jsonl carries labels: the space's label listing (its labels, then each label's pages) is added; the id
    // looked up after the stale one is remembered (no lookup).
    ws.emu.resetLog();
    const json = await ws.csync(['export', '--format', 'json', '--no-attachments', '--out', join(ws.dir, 'json')]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(routes(), [`GET ${V2}/labels/{id}/pages`, `GET ${V2}/labels/{id}/pages`, `GET ${V2}/spaces/{id}/content/labels`, ...listing].sort());
    const lines = readFileSync(join(ws.dir, 'json', 'pages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; labels: string[] });
    assert.equal(lines.length, PAGES);
    assert.deepEqual(lines.find((l) => l.id === pages[20]!.id)?.labels, ['misc']);
    assert.deepEqual(lines.find((l) => l.id === pages[11]!.id)?.labels, ['ops']);

    // Labels only: the space is not listed; the ops listing carries the bodies.
    ws.emu.resetLog();
    const out = join(ws.dir, 'ops');
    const r = await ws.csync(['export', '--label', 'ops', '--format', 'md', '--no-attachments', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /exported 3 of 3 item\(s\)/);
    assert.deepEqual(routes(), [`GET ${V2}/labels/{id}/pages`, `GET ${V2}/labels/{id}/pages +bodies`, `GET ${V2}/spaces/{id}/content/labels`]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { items: Array<{ id: string; status: string }> };
    assert.deepEqual(manifest.items.map((i) => i.id).sort(), pages.slice(10, 13).map((p) => p.id).sort());
    assert.ok(manifest.items.every((i) => i.status === 'done'));

    // A synced workspace knows the id from its state: the first export after forgetting the jobs costs the listing only.
    rmSync(join(ws.dir, 'cache', 'export'), { recursive: true, force: true });
    const pull = await ws.csync(['pull']);
    assert.equal(pull.code, 0, pull.stderr);
    assert.deepEqual(await exportMd('synced.zip'), listing, 'a synced space: exactly ceil(N/250) requests on the first export');
  } finally {
    await ws.close();
  }
});
