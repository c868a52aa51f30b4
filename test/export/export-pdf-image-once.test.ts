/**
 * The PDF embeds each distinct image (same bytes) once, however many pages show it and however many times: a logo
 * attached to 25 pages (two chunks of the layout, see render-pdf CHUNK_ITEMS) and shown twice on one of them is one
 * image XObject drawn 26 times; a different picture is a second one. Read back with poppler's pdfimages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { stripePng } from '../../src/emulator/jira/seed.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';

const PAGES = 25;

test('export pdf: an image shown on many pages and twice on one is embedded once; a different one once more', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const space = ws.emu.api.space('DEMO').id;
    const logo = stripePng(240, 120);
    const other = stripePng(60, 30);
    const img = (file: string, alt: string) => `<ac:image ac:alt="${alt}"><ri:attachment ri:filename="${file}" /></ac:image>`;
    const root = ws.emu.store.createPage({ spaceId: space, title: 'Gallery', body: `<p>Twice:</p>${img('logo.png', 'Logo')}<p>between</p>${img('logo.png', 'Logo again')}<p>Other:</p>${img('other.png', 'Other')}` });
    ws.emu.store.putAttachment({ pageId: root.id, title: 'logo.png', mediaType: 'image/png', data: logo });
    ws.emu.store.putAttachment({ pageId: root.id, title: 'other.png', mediaType: 'image/png', data: other });
    for (let i = 1; i < PAGES; i++) {
      const p = ws.emu.store.createPage({ spaceId: space, title: `Team page ${i}`, parentId: root.id, position: i, body: `<p>Page ${i} with the logo:</p>${img('logo.png', `Logo ${i}`)}` });
      // Each page has its own attachment, with the same bytes (the logo pasted on every page).
      ws.emu.store.putAttachment({ pageId: p.id, title: 'logo.png', mediaType: 'image/png', data: logo });
    }
    const out = join(ws.dir, 'out');
    const r = await ws.csync(['export', '--root', root.id, '--format', 'pdf', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /could not be embedded/);
    const pdf = join(out, 'export.pdf');
    const text = execFileSync('pdftotext', [pdf, '-']).toString();
    assert.ok(text.includes(`Page ${PAGES - 1} with the logo:`), text);
    // pdfimages -list: a row per image drawn on a page; the "object ID" column names the XObject ("12 0").
    const rows = execFileSync('pdfimages', ['-list', pdf]).toString().trim().split('\n').slice(2).map((l) => l.trim().split(/\s+/));
    const drawn = rows.filter((c) => c[2] === 'image');
    assert.equal(drawn.length, PAGES + 2, 'every picture is drawn: the logo on each page, twice on the first, the other once');
    const objects = new Map<string, Set<string>>();
    for (const c of drawn) {
      const size = `${c[3]}x${c[4]}`;
      const set = objects.get(size) ?? new Set();
      set.add(`${c[10]} ${c[11]}`);
      objects.set(size, set);
    }
    assert.deepEqual([...objects.keys()].sort(), ['240x120', '60x30']);
    assert.equal(objects.get('240x120')!.size, 1, `the logo is embedded once: objects ${[...objects.get('240x120')!].join(', ')}`);
    assert.equal(objects.get('60x30')!.size, 1);
  } finally {
    await ws.close();
  }
});
