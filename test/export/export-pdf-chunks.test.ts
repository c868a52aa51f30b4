/**
 * A PDF laid out in more than one chunk (src/export/render-pdf.ts: 20 pages each, drawn into one document): the
 * contents' page numbers, the named destinations, the internal links between chapters of different chunks, the
 * outline and the page numbers at the foot all hold across the seams; each font is embedded once. Read back with
 * poppler (pdftotext, pdfinfo, pdffonts) and pdf-lib.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFString, type PDFRef } from 'pdf-lib';
import { chunksOf } from '../../src/export/render-pdf.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';

test('chunksOf: at most N items or about C characters a chunk, never an empty one, order kept', () => {
  const size = (n: number) => n;
  assert.deepEqual(chunksOf([1, 1, 1, 1, 1], size, 2, 100), [[1, 1], [1, 1], [1]]);
  assert.deepEqual(chunksOf([5, 5, 5, 50, 1], size, 10, 12), [[5, 5], [5], [50], [1]]);
  assert.deepEqual(chunksOf([], size, 2, 10), []);
});

test('export pdf over two chunks: contents numbers, destinations, cross-chunk links, outline and page numbers hold', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const space = ws.emu.api.space('DEMO').id;
    const home = ws.emu.api.pageByTitle('DEMO', 'Demo space home')!;
    const gs = ws.emu.api.pageByTitle('DEMO', 'Getting started')!;
    const extra = ws.emu.store.createPage({ spaceId: space, title: 'Seam parent', parentId: home.id, body: '<p>Parent of the late pages.</p>' });
    for (let i = 1; i <= 12; i++) {
      ws.emu.store.createPage({
        spaceId: space,
        title: `Late page ${i}`,
        parentId: extra.id,
        body: `<p>Late body ${i}. Back to <ac:link><ri:page ri:content-title="Getting started" /><ac:plain-text-link-body><![CDATA[the start]]></ac:plain-text-link-body></ac:link>.</p>`,
      });
    }
    const pages = [...ws.emu.store.pages.values()].filter((p) => p.status === 'current');
    assert.ok(pages.length > 40, `${pages.length} pages: more than one chunk`);
    const out = join(ws.dir, 'bundle');
    const r = await ws.csync(['export', '--format', 'pdf', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const pdf = join(out, 'export.pdf');
    const total = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf]).toString())![1]);
    const pageText = (n: number) => execFileSync('pdftotext', ['-f', String(n), '-l', String(n), pdf, '-']).toString();

    // Every chapter starts on the page the contents give it, in both chunks; each page shows "n / total".
    const contents = execFileSync('pdftotext', ['-layout', '-f', '2', '-l', '3', pdf, '-']).toString();
    for (const title of ['Getting started', 'Late page 12', 'Seam parent']) {
      const n = Number(new RegExp(`^\\s*${title}\\s+(\\d+)\\s*$`, 'm').exec(contents)?.[1]);
      assert.ok(n > 2, `contents line for ${title}:\n${contents}`);
      const text = pageText(n);
      assert.ok(text.startsWith(`${title}\n`), `page ${n} starts with ${title}: ${text.slice(0, 80)}`);
      assert.match(text, new RegExp(`\\b${n} / ${total}\\b`));
    }

    // One subset of each font for the whole document (each chunk used to embed its own).
    const fonts = execFileSync('pdffonts', [pdf]).toString().split('\n').slice(2).filter(Boolean).map((l) => l.split(/\s+/)[0]!.replace(/^[A-Z]{6}\+/, ''));
    assert.ok(fonts.includes('Roboto-Regular'), fonts.join(', '));
    assert.equal(new Set(fonts).size, fonts.length, `each font once: ${fonts.join(', ')}`);

    const doc = await PDFDocument.load(readFileSync(pdf));
    const refs = doc.getPages().map((p) => p.ref.toString());
    // Named destinations: one per page, each on its chapter's first page.
    const names = doc.catalog.lookup(PDFName.of('Names'), PDFDict).lookup(PDFName.of('Dests'), PDFDict).lookup(PDFName.of('Names'), PDFArray);
    const dests = new Map<string, number>();
    for (let i = 0; i < names.size(); i += 2) dests.set(names.lookup(i, PDFString).decodeText(), refs.indexOf(String(names.lookup(i + 1, PDFArray).get(0))));
    for (const p of pages) assert.ok(dests.has(`page-${p.id}`), `destination of ${p.title}`);
    assert.ok(pageText(dests.get(`page-${gs.id}`)! + 1).startsWith('Getting started\n'));

    // A link on a late page (second chunk) goes to Getting started (first chunk).
    const late = ws.emu.api.pageByTitle('DEMO', 'Late page 12')!;
    const latePage = doc.getPage(dests.get(`page-${late.id}`)!);
    const annots = latePage.node.lookup(PDFName.of('Annots'), PDFArray);
    const targets = annots.asArray().map((a) => {
      const action = doc.context.lookup(a as PDFRef, PDFDict).lookup(PDFName.of('A'), PDFDict);
      return action.lookup(PDFName.of('D'), PDFString).decodeText();
    });
    assert.ok(targets.includes(`page-${gs.id}`), targets.join(', '));

    // The outline follows the page tree: the late pages under Seam parent, under the home page.
    const titleOf = (d: PDFDict) => d.lookup(PDFName.of('Title'), PDFHexString).decodeText();
    const kids = (d: PDFDict): PDFDict[] => {
      const out: PDFDict[] = [];
      for (let k = d.lookupMaybe(PDFName.of('First'), PDFDict); k; k = k.lookupMaybe(PDFName.of('Next'), PDFDict)) out.push(k);
      return out;
    };
    const outline = doc.catalog.lookup(PDFName.of('Outlines'), PDFDict);
    const top = kids(outline);
    assert.deepEqual(top.map(titleOf), ['Demo space home']);
    const seam = kids(top[0]!).find((k) => titleOf(k) === 'Seam parent')!;
    assert.deepEqual(kids(seam).map(titleOf), Array.from({ length: 12 }, (_, i) => `Late page ${i + 1}`));
    const count = (d: PDFDict): number => kids(d).reduce((n, k) => n + 1 + count(k), 0);
    assert.equal(count(outline), pages.length, 'one bookmark per page');
  } finally {
    await ws.close();
  }
});
