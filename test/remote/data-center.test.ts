/** The Data Center flavour: same interface over the v1 content API, Bearer PAT, context path. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConfluenceClient } from '../../src/remote/index.js';
import { baseOptions, sendJson, withServer } from './helpers.js';

const v1 = (id: string, extra: Record<string, unknown> = {}) => ({ id, type: 'page', status: 'current', title: `P${id}`, space: { key: 'OPS' }, version: { number: 2 }, ancestors: [{ id: '1' }], ...extra });

test('Data Center: v1 content endpoints under the context path, space key as space id', async () => {
  const seen: string[] = [];
  const posted: unknown[] = [];
  await withServer(
    (req, res, body) => {
      seen.push(`${req.method} ${req.url}`);
      assert.equal(req.headers.authorization, 'Bearer pat-xyz');
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname === '/confluence/rest/api/space/OPS') return sendJson(res, 200, { key: 'OPS', name: 'Operations', homepage: { id: 1 } });
      if (u.pathname === '/confluence/rest/api/content' && req.method === 'GET') {
        const start = Number(u.searchParams.get('start') ?? '0');
        if (u.searchParams.get('title')) return sendJson(res, 200, { results: [], _links: {} });
        return sendJson(res, 200, start === 0 ? { results: [v1('2', { body: { storage: { value: '<p>a</p>' } } })], _links: { next: '/rest/api/content?spaceKey=OPS&start=1' } } : { results: [v1('3')], _links: {} });
      }
      if (u.pathname === '/confluence/rest/api/content' && req.method === 'POST') {
        posted.push(JSON.parse(body));
        return sendJson(res, 200, v1('9', { title: 'New' }));
      }
      if (u.pathname === '/confluence/rest/api/content/404') return sendJson(res, 404, { statusCode: 404, message: 'No content found' });
      sendJson(res, 404, {});
    },
    async (url) => {
      const base = url.replace(/\/wiki$/, '/confluence');
      const c = createConfluenceClient(baseOptions(base, { auth: { kind: 'bearer', token: 'pat-xyz' } }));
      assert.equal(c.site.flavour, 'data-center');
      const space = await c.getSpaceByKey('OPS');
      assert.deepEqual(space, { id: 'OPS', key: 'OPS', name: 'Operations', homepageId: '1' });
      const pages = [];
      for await (const p of c.listPages(space.id, { bodies: true })) pages.push(p);
      assert.deepEqual(pages.map((p) => [p.id, p.spaceId, p.parentId, p.version.number]), [['2', 'OPS', '1', 2], ['3', 'OPS', '1', 2]]);
      assert.equal(pages[0]?.body, '<p>a</p>');
      assert.equal(await c.getPage('404'), null);
      const made = await c.createPage({ spaceId: space.id, parentId: '1', title: 'New', body: '<p/>' });
      assert.equal(made.id, '9');
      assert.deepEqual(posted[0], { type: 'page', status: 'current', title: 'New', space: { key: 'OPS' }, ancestors: [{ id: '1' }], body: { storage: { value: '<p/>', representation: 'storage' } } });
      await c.close();
    },
  );
  assert.match(seen[1] ?? '', /^GET \/confluence\/rest\/api\/content\?spaceKey=OPS&type=page&status=current&limit=100&expand=version%2Cspace%2Cancestors%2Cbody.storage/);
  assert.equal(seen[2], 'GET /confluence/rest/api/content?spaceKey=OPS&start=1');
});
