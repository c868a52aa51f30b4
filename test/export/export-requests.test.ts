/**
 * What an export costs, counted at the emulator through the real CLI: the bodies come with the listing (a space: its
 * pages with `body-format=storage`, 250 a request; labels only: the chosen labels' listings carry them, the space is
 * not listed), so no bulk body request is sent; a re-export of unchanged pages sends exactly the same listing
 * requests again and nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceWithEmulator } from '../helpers/workspace.js';

const PAGES = 251; // two listing requests
const V2 = '/wiki/api/v2';

test('export requests: a space costs its listing only (bodies included), again for unchanged pages; a label selection costs the label listings only', async () => {
  const ws = await workspaceWithEmulator({ seed: PAGES, spaces: ['BENCH'] });
  try {
    const pages = [...ws.emu.store.pages.values()].filter((p) => p.status === 'current');
    assert.equal(pages.length, PAGES);
    for (const p of pages.slice(10, 13)) p.labels.push('ops');
    pages[20]!.labels.push('misc');
    const routes = () => ws.emu.requestLog().map((q) => `${q.method} ${q.route}${q.query.includes('body-format=storage') ? ' +bodies' : ''}`).sort();

    const whole = [
      `GET ${V2}/labels/{id}/pages`,
      `GET ${V2}/labels/{id}/pages`,
      `GET ${V2}/spaces`,
      `GET ${V2}/spaces/{id}/content/labels`,
      `GET ${V2}/spaces/{id}/pages +bodies`,
      `GET ${V2}/spaces/{id}/pages +bodies`,
    ];
    for (const run of ['first', 'again']) {
      ws.emu.resetLog();
      const r = await ws.csync(['export', '--format', 'md', '--no-attachments', '--zip', join(ws.dir, 'space.zip'), '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { items: number; requests: number };
      assert.equal(out.items, PAGES);
      assert.deepEqual(routes(), whole, `${run} export of the space: the listing (with bodies) and the labels, nothing else`);
      assert.equal(out.requests, whole.length, `${run}: the job counts what it sent`);
    }

    ws.emu.resetLog();
    const out = join(ws.dir, 'ops');
    const r = await ws.csync(['export', '--label', 'ops', '--format', 'md', '--no-attachments', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /exported 3 of 3 item\(s\)/);
    assert.deepEqual(routes(), [`GET ${V2}/labels/{id}/pages`, `GET ${V2}/labels/{id}/pages +bodies`, `GET ${V2}/spaces`, `GET ${V2}/spaces/{id}/content/labels`], 'labels only: the space is not listed, the ops listing carries the bodies');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { items: Array<{ id: string; status: string }> };
    assert.deepEqual(manifest.items.map((i) => i.id).sort(), pages.slice(10, 13).map((p) => p.id).sort());
    assert.ok(manifest.items.every((i) => i.status === 'done'));
  } finally {
    await ws.close();
  }
});
