/**
 * An image the PDF renderer cannot read (a JPEG with a valid signature and a broken body) costs neither the PDF nor
 * the chapters already drawn: one warning line, that chunk laid out again with images as their names, exit 0, and the
 * contents still point at the right pages. Read back with poppler (pdftotext, pdfimages).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { stripePng } from '../../src/emulator/jira/seed.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';

test('export pdf: a broken JPEG gives one warning and the picture as its name; the export completes', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const space = ws.emu.api.space('DEMO').id;
    const root = ws.emu.store.createPage({ spaceId: space, title: 'Pictures', body: '<p>Good:</p><ac:image ac:alt="Good diagram"><ri:attachment ri:filename="good.png" /></ac:image>' });
    ws.emu.store.putAttachment({ pageId: root.id, title: 'good.png', mediaType: 'image/png', data: stripePng(30, 12) });
    const bad = ws.emu.store.createPage({ spaceId: space, title: 'Broken picture', parentId: root.id, body: '<p>Bad:</p><ac:image ac:alt="Broken photo"><ri:attachment ri:filename="photo.jpg" /></ac:image><p>Text after the photo.</p>' });
    ws.emu.store.putAttachment({ pageId: bad.id, title: 'photo.jpg', mediaType: 'image/jpeg', data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(64, 0x11)]) });
    const out = join(ws.dir, 'out');
    const r = await ws.csync(['export', '--root', root.id, '--format', 'pdf', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.split('\n').filter((l) => /could not be embedded/.test(l));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /PDF: an image could not be embedded \(.+\); images are shown as their names/);
    const pdf = join(out, 'export.pdf');
    const text = execFileSync('pdftotext', [pdf, '-']).toString();
    for (const t of ['Good:', 'Bad:', '[image: Broken photo]', 'Text after the photo.']) assert.ok(text.includes(t), `${t} in:\n${text}`);
    // Both chapters are in the first chunk, laid out again without images: nothing is embedded.
    assert.equal(execFileSync('pdfimages', ['-list', pdf]).toString().trim().split('\n').length, 2);
    const toc = execFileSync('pdftotext', ['-layout', '-f', '2', '-l', '2', pdf, '-']).toString();
    const n = Number(/^\s*Broken picture\s+(\d+)\s*$/m.exec(toc)?.[1]);
    assert.ok(n > 2, toc);
    assert.ok(execFileSync('pdftotext', ['-f', String(n), '-l', String(n), pdf, '-']).toString().startsWith('Broken picture\n'));
  } finally {
    await ws.close();
  }
});
