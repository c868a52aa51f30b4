/**
 * PDF exports of Chinese and Japanese text: runs of CJK characters are set in the CJK font (Noto Sans SC when
 * installed, or --pdf-font / export.pdf.font) and come back out of the PDF as the same characters. A wrong font path
 * is a one-line error before anything is exported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceWithEmulator } from '../helpers/workspace.js';

const NOTO = createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');

test('export pdf: Chinese and Japanese text comes back from the PDF; a wrong --pdf-font or export.pdf.font is refused', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const space = ws.emu.api.space('DEMO').id;
    const page = ws.emu.store.createPage({ spaceId: space, title: '同期ガイド 数据同步', body: '<p>中文段落：配置文件。</p><p>日本語の文章です。カタカナ Mixed with English.</p><ul><li>列表项</li></ul>' });
    const out = join(ws.dir, 'cjk');
    const r = await ws.csync(['export', '--root', page.id, '--format', 'pdf', '--out', out, '--title', '导出 Export']);
    assert.equal(r.code, 0, r.stderr);
    const pdf = join(out, 'export.pdf');
    const text = execFileSync('pdftotext', [pdf, '-']).toString();
    for (const t of ['导出 Export', '同期ガイド 数据同步', '中文段落：配置文件。', '日本語の文章です。カタカナ Mixed with English.', '列表项']) assert.ok(text.includes(t), `${t} in:\n${text}`);
    assert.match(execFileSync('pdffonts', [pdf]).toString(), /\+NotoSansSC-Regular\s.*\byes\s+yes\s+yes/);

    // The same font named explicitly; then a path that is not there, and a file that is not a font.
    const explicit = await ws.csync(['export', '--root', page.id, '--format', 'pdf', '--out', join(ws.dir, 'explicit'), '--pdf-font', NOTO]);
    assert.equal(explicit.code, 0, explicit.stderr);
    assert.ok(execFileSync('pdftotext', [join(ws.dir, 'explicit', 'export.pdf'), '-']).toString().includes('中文段落'));
    const missing = await ws.csync(['export', '--root', page.id, '--format', 'pdf', '--out', join(ws.dir, 'missing'), '--pdf-font', join(ws.dir, 'nope.ttf')]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /--pdf-font .*nope\.ttf: no such file/);
    writeFileSync(join(ws.dir, 'notes.txt'), 'not a font');
    writeFileSync(join(ws.dir, 'config', 'csync.json'), JSON.stringify({ site: { url: ws.emu.url }, spaces: ['DEMO'], export: { pdf: { font: 'notes.txt' } } }));
    const bad = await ws.csync(['export', '--root', page.id, '--format', 'pdf', '--out', join(ws.dir, 'bad')]);
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stderr, /export\.pdf\.font .*notes\.txt: is not a TrueType\/OpenType\/WOFF font/);
  } finally {
    await ws.close();
  }
});
