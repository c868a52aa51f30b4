/**
 * The PDF (and HTML) resource policy, end to end: a page whose images point outside the bundle — `file://` URLs, an
 * absolute path, an attachment name climbing out with `../`, http and https URLs — makes the export neither read those
 * files nor fetch those URLs. A loopback HTTP server that would serve a picture counts requests (none may come); the
 * outside files hold a marker and a real PNG, and no file of the bundle holds the marker or the PNG's bytes, the PDF
 * embeds no image and the HTML has no <img> but the bundle's own. The export still completes (exit 0): each such
 * image is shown as its name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stripePng } from '../../src/emulator/jira/seed.js';
import { listFiles } from '../helpers/files.js';
import { tempDir } from '../helpers/cli.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';

test('export pdf + html: images pointing outside the bundle (file://, absolute, ../, http, https) are neither read nor fetched; the export completes', async () => {
  const outside = tempDir('csync-outside-');
  const marker = `SECRET-${process.pid}-do-not-export`;
  const png = stripePng(40, 16);
  writeFileSync(join(outside.dir, 'secret.txt'), `${marker}\n`);
  writeFileSync(join(outside.dir, 'secret.png'), png);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'image/png' }).end(png);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const ws = await workspaceWithEmulator();
  try {
    const space = ws.emu.api.space('DEMO').id;
    const img = (alt: string, ref: string) => `<p><ac:image ac:alt="${alt}">${ref}</ac:image></p>`;
    const body = [
      '<p>Before the pictures.</p>',
      img('file png', `<ri:url ri:value="file://${outside.dir}/secret.png" />`),
      img('file text', `<ri:url ri:value="file://${outside.dir}/secret.txt" />`),
      img('etc passwd', '<ri:url ri:value="file:///etc/passwd" />'),
      img('absolute png', `<ri:url ri:value="${outside.dir}/secret.png" />`),
      img('climbing attachment', `<ri:attachment ri:filename="../../../../../../..${outside.dir}/secret.png" />`),
      img('climbing url', '<ri:url ri:value="../../../../../../../../etc/passwd" />'),
      img('http picture', `<ri:url ri:value="http://127.0.0.1:${port}/picture.png" />`),
      img('https picture', `<ri:url ri:value="https://127.0.0.1:${port}/picture.png" />`),
      img('good', '<ri:attachment ri:filename="good.png" />'),
      '<p>After the pictures.</p>',
    ].join('');
    const page = ws.emu.store.createPage({ spaceId: space, title: 'Hostile pictures', body });
    ws.emu.store.putAttachment({ pageId: page.id, title: 'good.png', mediaType: 'image/png', data: stripePng(30, 12) });
    const out = join(ws.dir, 'out');
    const r = await ws.csync(['export', '--root', page.id, '--format', 'pdf', '--format', 'html', '--format', 'md', '--out', out]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(requests, [], 'no request reached the picture server');
    const v = await ws.csync(['export', 'verify', out]);
    assert.equal(v.code, 0, v.stdout + v.stderr);

    // No byte of the outside files in the bundle (the PDF's streams are compressed: the images are counted below).
    const passwd = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;
    for (const f of listFiles(out)) {
      const data = readFileSync(f);
      assert.equal(data.includes(marker), false, `${f} holds the outside text file`);
      assert.equal(data.includes(png), false, `${f} holds the outside PNG`);
      assert.equal(passwd.length > 0 && data.includes(passwd), false, `${f} holds /etc/passwd`);
    }

    // The PDF: the good picture alone is embedded; the others are their names; the text around them is there.
    const pdf = join(out, 'export.pdf');
    const images = execFileSync('pdfimages', ['-list', pdf]).toString().trim().split('\n').slice(2);
    assert.equal(images.length, 1, images.join('\n'));
    assert.match(images[0]!, /\s30\s+12\s/, 'the 30×12 attachment is the one image');
    const text = execFileSync('pdftotext', [pdf, '-']).toString().replace(/\u200b/g, '');
    for (const t of ['Before the pictures.', 'After the pictures.', '[image: file png]', '[image: etc passwd]', '[image: http picture]', '[image: climbing url]']) assert.ok(text.includes(t), `${t} in:\n${text}`);

    // The HTML: the one <img> is the bundle's attachment; outside pictures are not <img> (a browser would load them).
    const html = listFiles(join(out, 'html')).filter((f) => f.endsWith('.html') && !f.endsWith('index.html'));
    assert.equal(html.length, 1);
    const page1 = readFileSync(html[0]!, 'utf8');
    const srcs = [...page1.matchAll(/<img\s[^>]*src="([^"]*)"/g)].map((m) => m[1]!);
    assert.equal(srcs.length, 1, page1);
    assert.match(srcs[0]!, /^(\.\.\/)+attachments\/\d+\/good\.png$/);
    for (const bad of ['file:', '/etc/passwd', outside.dir, `127.0.0.1:${port}`]) {
      assert.ok(!srcs.some((s) => s.includes(bad)), `no <img> from ${bad}`);
    }
  } finally {
    await ws.close();
    server.close();
    outside.cleanup();
  }
});
