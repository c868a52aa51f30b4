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

test('export pdf without a CJK font (CSYNC_PDF_CJK_FONT=none): one warning line naming the fix, the export still succeeds', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const space = ws.emu.api.space('DEMO').id;
    const parent = ws.emu.store.createPage({ spaceId: space, title: 'Glossary', body: '<p>Terms in three languages.</p>' });
    ws.emu.store.createPage({ spaceId: space, title: '术语 Terms', parentId: parent.id, body: '<p>同步 means sync.</p>' });
    ws.emu.store.createPage({ spaceId: space, title: 'Kana', parentId: parent.id, body: '<p>カタカナ is katakana.</p>' });
    ws.emu.store.createPage({ spaceId: space, title: 'Plain', parentId: parent.id, body: '<p>Only Latin here.</p>' });
    const none = { CSYNC_PDF_CJK_FONT: 'none' };
    const out = join(ws.dir, 'nofont');
    const r = await ws.csync(['export', '--root', parent.id, '--format', 'pdf', '--out', out], none);
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.split('\n').filter((l) => /CJK font/.test(l));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /PDF: 2 items hold Chinese, Japanese or Korean text but no CJK font is installed.*install @expo-google-fonts\/noto-sans-sc or name a font with --pdf-font FILE/);
    const pdf = join(out, 'export.pdf');
    const text = execFileSync('pdftotext', [pdf, '-']).toString();
    for (const t of ['Only Latin here.', 'means sync.', 'is katakana.']) assert.ok(text.includes(t), `${t} in:\n${text}`);
    assert.ok(!text.includes('同步'), 'no CJK glyphs without a CJK font');
    assert.doesNotMatch(execFileSync('pdffonts', [pdf]).toString(), /NotoSansSC/);
    const verify = await ws.csync(['export', 'verify', out]);
    assert.equal(verify.code, 0, verify.stderr);

    // The switch hides only the installed package: a font named with --pdf-font is still used, without a warning.
    const named = await ws.csync(['export', '--root', parent.id, '--format', 'pdf', '--out', join(ws.dir, 'named'), '--pdf-font', NOTO], none);
    assert.equal(named.code, 0, named.stderr);
    assert.doesNotMatch(named.stderr, /CJK font/);
    assert.ok(execFileSync('pdftotext', [join(ws.dir, 'named', 'export.pdf'), '-']).toString().includes('同步 means sync.'));
  } finally {
    await ws.close();
  }
});
