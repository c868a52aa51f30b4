/**
 * The converter's readable forms of rich tables and expands, end to end: the emulator's Cloud decision log page
 * (cells holding two paragraphs and a list, an expand) exported through the real CLI as Markdown, HTML and PDF.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles } from '../helpers/files.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';

test('export: a rich table is a table in HTML (one cell per cell) and in the PDF; an expand is a <details>', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const page = ws.emu.api.pageByTitle('DEMO', 'Cloud decision log')!;
    const out = join(ws.dir, 'bundle');
    const r = await ws.csync(['export', '--root', page.id, '--format', 'md', '--format', 'html', '--format', 'pdf', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const files = listFiles(out);

    const html = readFileSync(files.find((f) => f.endsWith('Cloud decision log.html'))!, 'utf8');
    const table = /<table>[\s\S]*?<\/table>/.exec(html)?.[0];
    assert.ok(table, html);
    const rows = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<t[hd]>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1]!.replace(/\s+/g, ' ').trim()));
    assert.deepEqual(rows, [
      ['<strong>Decision</strong>', '<strong>Why</strong>'],
      ['Keep ids in the base', '<p>Nobody types them.</p> <p>The push puts them back.</p>'],
      ['HTML tables for rich cells', '<ul><li>GitHub renders them</li><li>cells stay Markdown</li></ul>'],
    ]);
    assert.match(html, /<details><summary>Options we dropped<\/summary>\n<p>Directives: they change how every colon in text reads\.<\/p>\n<\/details>/);
    assert.doesNotMatch(html, /&lt;(table|td|details)/);

    const md = readFileSync(files.find((f) => f.endsWith('Cloud decision log.md'))!, 'utf8');
    assert.match(md, /^\| Keep ids in the base +\| Nobody types them\.<br>The push puts them back\. +\|$/m);
    assert.match(md, /^\*\*Options we dropped\*\*$/m);

    // The PDF draws the table: the two cells of a row side by side on one line, a cell's paragraphs on lines of their own.
    const text = execFileSync('pdftotext', ['-layout', join(out, 'export.pdf'), '-']).toString();
    assert.match(text, /^\s*Keep ids in the base\s{2,}Nobody types them\.\s*$/m, text);
    assert.match(text, /^\s{10,}The push puts them back\.\s*$/m, text);
    // pdfmake draws list bullets as shapes, so the text has the items only.
    assert.match(text, /^\s*HTML tables for rich cells\s{2,}GitHub renders them\s*$/m, text);
    assert.match(text, /^\s*Options we dropped\s*$/m);
    assert.match(text, /Directives: they change how every colon in text reads\./);
  } finally {
    await ws.close();
  }
});
