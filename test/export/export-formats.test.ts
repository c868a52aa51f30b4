/**
 * `csync export` end to end through the real CLI against the emulator's demo space (plus pages with hostile
 * titles): every format, the bundle's manifest and checksums, verify (and a tampered file), the single-file zip and
 * its extraction, the dry run, and a re-export that costs only the listing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { listFiles } from '../helpers/files.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';
import { stripePng } from '../../src/emulator/jira/seed.js';

const HOSTILE = ['../../etc/passwd', 'a/b\\c', 'CON', 'x'.repeat(300), 'Ünïcödé 页面', 'Tab\there\u0000NUL', 'Dup', 'dup'];

test('export: md, json, html and pdf of the demo space, verified; a tampered file fails verify with its name', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const home = ws.emu.api.pageByTitle('DEMO', 'Demo space home')!;
    for (const title of HOSTILE) ws.emu.store.createPage({ spaceId: ws.emu.api.space('DEMO').id, title, parentId: home.id, body: `<p>Body of ${title.replace(/[<&]/g, '')}</p>` });
    const diagram = ws.emu.store.createPage({ spaceId: ws.emu.api.space('DEMO').id, title: 'Diagram', parentId: home.id, body: '<p>The picture:</p><ac:image ac:alt="Diagram"><ri:attachment ri:filename="diagram.png" /></ac:image>' });
    ws.emu.store.putAttachment({ pageId: diagram.id, title: 'diagram.png', mediaType: 'image/png', data: stripePng(40, 20) });
    const pages = [...ws.emu.store.pages.values()].filter((p) => p.status === 'current');
    const out = join(ws.dir, 'bundle');
    const r = await ws.csync(['export', '--format', 'md', '--format', 'json', '--format', 'html', '--format', 'pdf', '--out', out, '--title', 'Demo handbook']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`exported ${pages.length} of ${pages.length} item\\(s\\)`));
    const files = listFiles(out).map((f) => posix.normalize(f.slice(out.length + 1)));

    // Markdown: one file per page, all inside the bundle, unique; index.md links every one of them.
    const md = files.filter((f) => f.startsWith('markdown/DEMO/'));
    assert.equal(md.length, pages.length);
    for (const f of md) assert.ok(!f.includes('\u0000') && f.split('/').every((s) => s !== '..' && s !== '.' && Buffer.byteLength(s) <= 255), f);
    assert.equal(new Set(md.map((f) => f.toLowerCase())).size, md.length, 'names unique ignoring case');
    const index = readFileSync(join(out, 'markdown', 'index.md'), 'utf8');
    const indexLinks = [...index.matchAll(/\]\(([^)]+)\)/g)].map((m) => decodeURI(m[1]!));
    assert.equal(indexLinks.length, pages.length);
    for (const l of indexLinks) assert.ok(existsSync(join(out, 'markdown', l)), `index link ${l}`);
    const links = readFileSync(join(out, md.find((f) => f.endsWith('/Links and anchors.md'))!), 'utf8');
    assert.match(links, /\[the getting started guide\]\(<\.\.\/Getting started\.md>\)/);
    const admonitions = readFileSync(join(out, md.find((f) => f.endsWith('/Admonitions.md'))!), 'utf8');
    assert.match(admonitions, /^> \[!NOTE\] Good to know$/m);
    assert.doesNotMatch(admonitions, /<!--|storage:/);
    assert.ok(existsSync(join(out, 'attachments', ws.emu.api.pageByTitle('DEMO', 'Images and files')!.id, 'logo.png')));

    // JSON Lines: an object per page with the documented fields.
    const rows = readFileSync(join(out, 'pages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(rows.length, pages.length);
    assert.deepEqual(new Set(rows.map((x) => x.id)), new Set(pages.map((p) => p.id)));
    const gs = rows.find((x) => x.title === 'Getting started')!;
    for (const k of ['id', 'title', 'path', 'labels', 'version', 'author', 'createdAt', 'updatedAt', 'url', 'storage', 'markdown']) assert.ok(k in gs, k);
    assert.deepEqual(gs.labels, ['guide', 'start-here']);
    // Each object's Markdown is its page's Markdown file under the file's header (title, source line).
    for (const row of rows) {
      const file = readFileSync(join(out, row.path as string), 'utf8');
      assert.ok(file.endsWith(row.markdown as string) && /^# .*\n\n_.*_\n\n$/.test(file.slice(0, file.length - (row.markdown as string).length)), `markdown of ${row.path as string}`);
    }

    // HTML: every local link and image resolves inside the bundle; links between pages are relative .html links.
    const html = files.filter((f) => f.endsWith('.html'));
    assert.equal(html.length, pages.length + 1);
    assert.match(readFileSync(join(out, html.find((f) => f.endsWith('/Diagram.html'))!), 'utf8'), /<img src="(\.\.\/)+attachments\/\d+\/diagram\.png" alt="Diagram">/);
    for (const f of html) {
      const text = readFileSync(join(out, f), 'utf8');
      for (const m of text.matchAll(/(?:href|src)="([^"]+)"/g)) {
        const url = m[1]!.replace(/&amp;/g, '&');
        if (/^https?:/.test(url) || url.startsWith('#')) continue;
        assert.ok(existsSync(join(out, dirname(f), decodeURI(url.split('#')[0]!))), `${f}: ${url}`);
      }
      assert.doesNotMatch(text, /<script/i);
    }
    const linksHtml = readFileSync(join(out, html.find((f) => f.endsWith('/Links and anchors.html'))!), 'utf8');
    assert.match(linksHtml, /<a href="\.\.\/Getting%20started\.html">the getting started guide<\/a>/);
    assert.match(readFileSync(join(out, html.find((f) => f.endsWith('/Images and files.html'))!), 'utf8'), /<img src="[./]*attachments\/\d+\/logo\.png" alt="Logo">/);

    // PDF: text, table of contents with page numbers, one named destination per page, outline and internal links.
    const pdf = join(out, 'export.pdf');
    const info = execFileSync('pdfinfo', [pdf]).toString();
    const pageCount = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    assert.ok(pageCount >= pages.length + 2, `pages: ${pageCount}`);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString();
    for (const t of ['Demo handbook', 'Contents', 'Getting started', 'Info panels carry a', 'export function hello(name: string)', 'beta & gamma', 'Ünïcödé']) assert.ok(text.includes(t), t);
    // The TOC's number for a page is the page its chapter starts on.
    const toc = execFileSync('pdftotext', ['-layout', '-f', '2', '-l', '3', pdf, '-']).toString();
    const tocPage = Number(/^\s*Admonitions\s+(\d+)\s*$/m.exec(toc)?.[1]);
    assert.ok(tocPage > 2, `TOC line for Admonitions:\n${toc}`);
    assert.match(execFileSync('pdftotext', ['-f', String(tocPage), '-l', String(tocPage), pdf, '-']).toString(), /^Admonitions\n/);
    const dests = execFileSync('pdfinfo', ['-dests', pdf]).toString();
    for (const p of pages) assert.ok(dests.includes(`page-${p.id}`), `destination of ${p.title}`);
    // Both images are embedded: the test's diagram and the demo's logo.
    const images = execFileSync('pdfimages', ['-list', pdf]).toString().trim().split('\n').slice(2);
    assert.ok(images.some((l) => /^\s*\d+\s+\d+\s+image\s+40\s+20\s+rgb/.test(l)), images.join('\n'));
    assert.ok(images.some((l) => /^\s*\d+\s+\d+\s+image\s+48\s+16\s+rgb/.test(l)), images.join('\n'));
    assert.doesNotMatch(text, /\[image: Logo\]/);
    // Code in a monospace font (DejaVu Sans Mono, shipped), the rest in Roboto: both embedded.
    const fonts = execFileSync('pdffonts', [pdf]).toString();
    assert.match(fonts, /\+DejaVuSansMono\s.*\byes\s+yes/);
    assert.match(fonts, /\+Roboto-Regular\s/);
    const raw = readFileSync(pdf).toString('latin1');
    assert.match(raw, /\/Outlines/);
    assert.match(raw, /\/S \/GoTo/);

    // Manifest and checksums; no secret anywhere in the bundle.
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { items: Array<{ status: string; sha256?: string }>; site: string };
    assert.equal(manifest.items.length, pages.length);
    assert.ok(manifest.items.every((i) => i.status === 'done' && /^[0-9a-f]{64}$/.test(i.sha256 ?? '')));
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n');
    assert.equal(sums.length, files.length - 1);
    for (const f of files) assert.ok(!readFileSync(join(out, f)).includes(ws.emu.credentials.token), `no token in ${f}`);

    const v = await ws.csync(['export', 'verify', out]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^ok: .* verifies/);
    appendFileSync(join(out, 'pages.jsonl'), '{}\n');
    writeFileSync(join(out, 'extra.txt'), 'not from the export');
    const bad = await ws.csync(['export', 'verify', out]);
    assert.equal(bad.code, 12, bad.stderr);
    assert.match(bad.stdout, /changed: pages\.jsonl/);
    assert.match(bad.stdout, /unlisted: extra\.txt/);
  } finally {
    await ws.close();
  }
});

test('export: --label runbook --single-file as a zip; extract verifies; dry run writes nothing; a re-export lists only', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const dry = await ws.csync(['export', '--label', 'runbook', '--format', 'md', '--zip', join(ws.dir, 'dry.zip'), '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would export 2 page\(s\)/);
    assert.equal(existsSync(join(ws.dir, 'dry.zip')), false);
    assert.equal(existsSync(join(ws.dir, 'cache', 'export')), false, 'a dry run writes no job and no cache');

    const zip = join(ws.dir, 'runbooks.zip');
    ws.emu.resetLog();
    const r = await ws.csync(['export', '--label', 'runbook', '--format', 'md', '--single-file', '--zip', zip, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const first = JSON.parse(r.stdout) as { jobId: string; items: number; requests: number };
    assert.equal(first.items, 2);
    // Labels only: the space is not listed; the label's listing carries the bodies (no bulk request).
    const firstLog = ws.emu.requestLog();
    assert.equal(firstLog.filter((q) => q.route === '/wiki/api/v2/pages').length, 0, 'no bulk body request');
    assert.equal(firstLog.filter((q) => q.route === '/wiki/api/v2/spaces/{id}/pages').length, 0, 'the space is not listed');
    const labelListings = firstLog.filter((q) => q.route === '/wiki/api/v2/labels/{id}/pages');
    assert.equal(labelListings.filter((q) => q.query.includes('body-format=storage')).length, 1, 'one label listing (runbook) with bodies');
    assert.equal(first.requests, firstLog.length);

    const to = join(ws.dir, 'unpacked');
    const x = await ws.csync(['export', 'extract', zip, '--to', to]);
    assert.equal(x.code, 0, x.stderr);
    assert.match(x.stdout, /checksums ok/);
    const single = readFileSync(join(to, 'markdown', 'export.md'), 'utf8');
    assert.match(single, /^# Pages labelled runbook\n\n## Contents\n\n- \[On-call\]\(#page-\d+\)\n- \[Release process\]\(#page-\d+\)/);
    assert.match(single, /<a id="page-\d+"><\/a>\n\n## On-call/);

    // Unchanged pages: the second export sends the listing requests only (bodies come from the cache).
    ws.emu.resetLog();
    const again = await ws.csync(['export', '--label', 'runbook', '--format', 'md', '--single-file', '--zip', zip]);
    assert.equal(again.code, 0, again.stderr);
    const againLog = ws.emu.requestLog();
    assert.equal(againLog.filter((q) => q.method === 'GET' && q.route === '/wiki/api/v2/pages').length, 0, 'no body fetched again');
    assert.deepEqual(againLog.map((q) => q.route), firstLog.map((q) => q.route), 'the same listing requests as the first export, nothing else');
    const list = await ws.csync(['export', 'list', '--json']);
    const jobs = (JSON.parse(list.stdout) as { jobs: Array<{ id: string; state: string }> }).jobs;
    assert.equal(jobs.length, 2);
    assert.ok(jobs.every((j) => j.state === 'completed'));
    assert.ok(jobs.some((j) => j.id === first.jobId));
  } finally {
    await ws.close();
  }
});
