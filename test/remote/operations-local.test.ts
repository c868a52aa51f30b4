/** Typed operations against a small scripted server: request shapes, bulk resolution, write verification. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfluenceClient } from '../../src/remote/index.js';
import { RemoteError } from '../../src/core/errors.js';
import { baseOptions, sendJson, withServer } from './helpers.js';

const page = (id: string, extra: Record<string, unknown> = {}) => ({ id, status: 'current', title: `P${id}`, spaceId: '100', parentId: null, version: { number: 1 }, ...extra });

test('getChildren resolves child ids in bulk (exploded id=…), in tree order', async () => {
  const urls: string[] = [];
  await withServer(
    (req, res) => {
      urls.push(req.url ?? '');
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname === '/wiki/api/v2/pages/1/children') return sendJson(res, 200, { results: [{ id: '30', title: 'c' }, { id: '10', title: 'a' }, { id: '20', title: 'b' }], _links: {} });
      if (u.pathname === '/wiki/api/v2/pages') {
        const ids = u.searchParams.getAll('id');
        return sendJson(res, 200, { results: ids.sort().map((id) => page(id, { parentId: '1' })), _links: {} });
      }
      sendJson(res, 404, {});
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      const kids = [];
      for await (const p of c.getChildren('1')) kids.push(p.id);
      assert.deepEqual(kids, ['30', '10', '20']);
      assert.equal(urls.length, 2);
      assert.match(urls[1] ?? '', /id=30&id=10&id=20/);
      await c.close();
    },
  );
});

test('getPagesByIds: 600 ids → 3 bulk requests of ≤ 250', async () => {
  const sizes: number[] = [];
  await withServer(
    (req, res) => {
      const ids = new URL(req.url ?? '/', 'http://x').searchParams.getAll('id');
      sizes.push(ids.length);
      sendJson(res, 200, { results: ids.map((id) => page(id, { body: { storage: { value: `<p>${id}</p>`, representation: 'storage' } } })), _links: {} });
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      const ids = Array.from({ length: 600 }, (_, i) => String(i + 1));
      let n = 0;
      for await (const p of c.getPagesByIds(ids, { bodies: true })) {
        n++;
        assert.equal(p.body, `<p>${p.id}</p>`);
      }
      assert.equal(n, 600);
      assert.deepEqual(sizes, [250, 250, 100]);
      await c.close();
    },
  );
});

test('updatePage whose answer was lost: verified by reading the page, not resent into a 409', async () => {
  let puts = 0;
  let version = 3;
  let stored = '<p>before</p>';
  await withServer(
    (req, res, body) => {
      if (req.method === 'PUT') {
        puts++;
        const input = JSON.parse(body) as { version: { number: number }; body: { value: string } };
        if (input.version.number !== version + 1) return sendJson(res, 409, { errors: [{ status: 409, title: `Version must be incremented. Current Version: [${version}]` }] });
        version = input.version.number;
        stored = input.body.value;
        return req.socket.destroy(); // applied, answer lost
      }
      sendJson(res, 200, page('5', { title: 'T', version: { number: version }, body: { storage: { representation: 'storage', value: stored } } }));
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      const p = await c.updatePage({ id: '5', title: 'T', body: '<p/>', version: 4 });
      assert.equal(p.version.number, 4);
      assert.equal(puts, 1);
      await assert.rejects(c.updatePage({ id: '5', title: 'T', body: '<p/>', version: 4 }), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_VERSION_CONFLICT' && /Current Version/.test(e.serverMessage ?? '') && /pull/.test(e.hint ?? ''));
      await c.close();
    },
  );
});

test('deletePage: a retry that finds 404 after a lost answer counts as done', async () => {
  let n = 0;
  await withServer(
    (req, res) => {
      n++;
      if (n === 1) return req.socket.destroy();
      sendJson(res, 404, { errors: [{ title: 'gone' }] });
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      await c.deletePage('9');
      assert.equal(n, 2);
      await assert.rejects(c.deletePage('9'), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_NOT_FOUND');
      await c.close();
    },
  );
});

test('attachments: upload with lost answer is verified (no second copy); download streams with sha256; short download retried', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'csync-remote-'));
  const src = join(dir, 'in.bin');
  const data = Buffer.alloc(200_000, 7);
  await writeFile(src, data);
  const stored: Array<{ id: string; title: string; version: number; size: number }> = [];
  let uploads = 0;
  let downloads = 0;
  try {
    await withServer(
      (req, res, body) => {
        const u = new URL(req.url ?? '/', 'http://x');
        if (u.pathname === '/wiki/api/v2/pages/7/attachments') {
          const name = u.searchParams.get('filename');
          const hits = stored.filter((a) => !name || a.title === name);
          return sendJson(res, 200, { results: hits.map((a) => ({ id: a.id, title: a.title, mediaType: 'application/octet-stream', fileSize: a.size, version: { number: a.version }, pageId: '7' })), _links: {} });
        }
        if (req.method === 'POST' && u.pathname === '/wiki/rest/api/content/7/child/attachment') {
          uploads++;
          assert.equal(req.headers['x-atlassian-token'], 'nocheck');
          assert.match(String(req.headers['content-type']), /multipart\/form-data/);
          assert.ok(body.includes('name="minorEdit"'));
          stored.push({ id: 'att1', title: 'in.bin', version: 1, size: data.length });
          return req.socket.destroy(); // created, answer lost
        }
        if (req.method === 'POST' && u.pathname === '/wiki/rest/api/content/7/child/attachment/att1/data') {
          uploads++;
          stored[0]!.version += 1;
          return sendJson(res, 200, { id: 'att1', type: 'attachment', title: 'in.bin', version: { number: stored[0]!.version }, extensions: { mediaType: 'application/octet-stream', fileSize: data.length } });
        }
        if (u.pathname === '/wiki/rest/api/content/7/child/attachment/att1/download') {
          downloads++;
          if (downloads === 1) {
            res.writeHead(200, { 'content-length': String(data.length) });
            res.write(data.subarray(0, 1000));
            return res.destroy();
          }
          res.writeHead(200, { 'content-length': String(data.length), 'content-type': 'application/octet-stream' });
          return res.end(data);
        }
        sendJson(res, 404, {});
      },
      async (url) => {
        const c = createConfluenceClient(baseOptions(url));
        const a = await c.uploadAttachment({ pageId: '7', fileName: 'in.bin', filePath: src });
        assert.equal(a.id, 'att1');
        assert.equal(uploads, 1);
        assert.equal(stored.length, 1);
        const v2 = await c.uploadAttachment({ pageId: '7', fileName: 'in.bin', filePath: src, comment: 'again' });
        assert.equal(v2.version, 2);
        assert.equal(stored.length, 1, 'a new version, not a second attachment');
        const dest = join(dir, 'out', 'copy.bin');
        const got = await c.downloadAttachment(a, dest);
        assert.equal(got.bytes, data.length);
        assert.equal(got.sha256, createHash('sha256').update(data).digest('hex'));
        assert.deepEqual(await readFile(dest), data);
        assert.equal(downloads, 2);
        assert.deepEqual(await readdir(join(dir, 'out')), ['copy.bin'], 'no temp file left behind');
        await c.close();
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('listSpaceLabels: space labels then pages per label; CQL search pages by next link', async () => {
  const urls: string[] = [];
  await withServer(
    (req, res) => {
      urls.push(req.url ?? '');
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname === '/wiki/api/v2/spaces/100/content/labels') return sendJson(res, 200, { results: [{ id: 'l1', name: 'howto' }, { id: 'l2', name: 'ops' }], _links: {} });
      if (u.pathname === '/wiki/api/v2/labels/l1/pages') return sendJson(res, 200, { results: [page('1'), page('2')], _links: {} });
      if (u.pathname === '/wiki/api/v2/labels/l2/pages') return sendJson(res, 200, { results: [page('2'), page('3', { spaceId: '999' })], _links: {} });
      if (u.pathname === '/wiki/rest/api/content/search') {
        const cursor = u.searchParams.get('cursor');
        if (!cursor) return sendJson(res, 200, { results: [{ id: '1', type: 'page', title: 'A', space: { key: 'DOC' }, version: { number: 2, when: '2026-01-01T00:00:00Z' } }], _links: { next: '/rest/api/content/search?cql=x&cursor=abc' } });
        return sendJson(res, 200, { results: [{ id: '2', type: 'page', title: 'B' }], _links: {} });
      }
      sendJson(res, 404, {});
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      const labels = await c.listSpaceLabels('100');
      assert.deepEqual([...labels.entries()], [['1', ['howto']], ['2', ['howto', 'ops']]]);
      assert.equal(urls.length, 3);
      assert.match(urls[1] ?? '', /space-id=100/);
      const hits = [];
      for await (const r of c.searchCql('space=DOC and type=page')) hits.push(r);
      assert.deepEqual(hits.map((h) => [h.id, h.spaceKey, h.version]), [['1', 'DOC', 2], ['2', undefined, undefined]]);
      assert.match(urls[4] ?? '', /^\/wiki\/rest\/api\/content\/search\?cql=x&cursor=abc/);
      await c.close();
    },
  );
});

test('uploading a missing local file fails with CSYNC_IO and sends no upload', async () => {
  const methods: string[] = [];
  await withServer(
    (req, res) => {
      methods.push(req.method ?? '');
      sendJson(res, 200, { results: [], _links: {} });
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      await assert.rejects(c.uploadAttachment({ pageId: '7', fileName: 'x.bin', filePath: '/nonexistent/x.bin' }), (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'CSYNC_IO');
      assert.deepEqual(methods, ['GET'], 'only the lookup');
      await c.close();
    },
  );
});

test('a download redirected to another origin does not carry the credentials there', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'csync-redir-'));
  let mediaAuth: string | undefined = 'unset';
  try {
    await withServer(
      (req, res) => {
        mediaAuth = req.headers.authorization;
        res.writeHead(200, { 'content-length': '5' });
        res.end('hello');
      },
      async (mediaUrl) => {
        await withServer(
          (_req, res) => {
            res.writeHead(302, { location: `${mediaUrl.replace(/\/wiki$/, '')}/blob/1` });
            res.end();
          },
          async (url) => {
            const c = createConfluenceClient(baseOptions(url));
            const r = await c.downloadAttachment({ id: 'att1', pageId: '7', title: 'a.txt', mediaType: 'text/plain', fileSize: 5, version: 1 }, join(dir, 'a.txt'));
            assert.equal(r.bytes, 5);
            await c.close();
          },
        );
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal(mediaAuth, undefined);
});

test('getPage with labels: a page whose include-labels batch has more gets the full list', async () => {
  const urls: string[] = [];
  await withServer(
    (req, res) => {
      urls.push(req.url ?? '');
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname === '/wiki/api/v2/pages/5') return sendJson(res, 200, page('5', { labels: { results: [{ name: 'a' }], meta: { hasMore: true } } }));
      if (u.pathname === '/wiki/api/v2/pages/6') return sendJson(res, 200, page('6', { labels: { results: [{ name: 'x' }], meta: { hasMore: false } } }));
      if (u.pathname === '/wiki/api/v2/pages/5/labels') return sendJson(res, 200, { results: [{ id: '1', name: 'a' }, { id: '2', name: 'b' }], _links: {} });
      sendJson(res, 404, {});
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      assert.deepEqual((await c.getPage('5', { labels: true }))?.labels, ['a', 'b']);
      assert.deepEqual((await c.getPage('6', { labels: true }))?.labels, ['x']);
      assert.equal(urls.length, 3);
      assert.match(urls[0] ?? '', /include-labels=true/);
      await c.close();
    },
  );
});
