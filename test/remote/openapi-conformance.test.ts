/**
 * Enumerates every client operation against a scripted server and checks each request it sends against
 * Atlassian's OpenAPI documents (test/remote/openapi-check.ts). The emulator suite repeats this with the
 * emulator's own validation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfluenceClient, type ConfluenceClient } from '../../src/remote/index.js';
import { baseOptions, sendJson, withServer } from './helpers.js';
import { OpenApiChecker } from './openapi-check.js';

const page = (id: string, extra: Record<string, unknown> = {}) => ({ id, status: 'current', title: `P${id}`, spaceId: '100', parentId: '1', version: { number: 1 }, ...extra });
const v1Att = { id: 'att9', type: 'attachment', title: 'old.bin', version: { number: 2 }, extensions: { mediaType: 'application/octet-stream', fileSize: 3 } };

function route(method: string, path: string, q: URLSearchParams, body: string): [number, unknown] | 'bytes' {
  const v2 = path.replace(/^\/wiki\/api\/v2/, '');
  const v1 = path.replace(/^\/wiki\/rest\/api/, '');
  if (method === 'DELETE') return [204, null];
  if (v2 === '/spaces') return [200, { results: [{ id: '100', key: 'DOC', name: 'Docs', homepageId: '1' }], _links: {} }];
  if (/^\/spaces\/\d+\/operations$/.test(v2)) return [200, { operations: [{ operation: 'create', targetType: 'page' }] }];
  if (/^\/spaces\/\d+\/content\/labels$/.test(v2) || /^\/pages\/\d+\/labels$/.test(v2)) return [200, { results: [{ id: '7', name: 'howto', prefix: 'global' }], _links: {} }];
  if (/^\/spaces\/\d+\/pages$/.test(v2) || v2 === '/pages' && method === 'GET' || /^\/labels\/\d+\/pages$/.test(v2)) return [200, { results: [page('2', { title: q.get('title') ?? 'P2' })], _links: {} }];
  if (v2 === '/pages' && method === 'POST') return [200, page('3', { title: (JSON.parse(body) as { title: string }).title })];
  if (/^\/pages\/\d+\/(children|descendants|ancestors)$/.test(v2)) return [200, { results: [{ id: '2', title: 'P2', type: 'page' }], _links: {} }];
  if (/^\/pages\/\d+\/versions$/.test(v2)) return [200, { results: [{ number: 1, message: '', minorEdit: false, authorId: 'a', createdAt: '2026-01-01T00:00:00Z' }], _links: {} }];
  if (/^\/pages\/\d+\/attachments$/.test(v2)) {
    const name = q.get('filename');
    const hit = { id: 'att9', title: 'old.bin', mediaType: 'application/octet-stream', fileSize: 3, version: { number: 2 }, pageId: '2' };
    return [200, { results: !name || name === 'old.bin' ? [hit] : [], _links: {} }];
  }
  if (/^\/pages\/\d+$/.test(v2) && method === 'GET') return [200, page(v2.split('/')[2]!, { status: q.get('status') ?? 'current', body: { storage: { value: '<p/>', representation: 'storage' } } })];
  if (/^\/pages\/\d+$/.test(v2) && method === 'PUT') {
    const input = JSON.parse(body) as { title: string; version: { number: number } };
    return [200, page(v2.split('/')[2]!, { title: input.title, version: { number: input.version.number } })];
  }
  if (v1 === '/user/current') return [200, { type: 'known', accountId: 'a1', displayName: 'Demo' }];
  if (v1 === '/content/search') return [200, { results: [{ id: '2', type: q.get('cql')?.includes('attachment') ? 'attachment' : 'page', title: 'P2', space: { key: 'DOC' }, version: { number: 1 }, container: { id: '2' } }], _links: {} }];
  if (/^\/longtask\/\w+$/.test(v1)) return [200, { id: 't1', elapsedTime: 10, percentageComplete: 100, successful: true, finished: true, messages: [] }];
  if (/^\/content\/\d+\/label$/.test(v1)) return [200, { results: [{ prefix: 'global', name: 'howto', id: '7' }], size: 1 }];
  if (/^\/content\/\d+\/move\//.test(v1)) return [200, { pageId: '2' }];
  if (/^\/content\/\d+\/child\/attachment$/.test(v1)) return [200, { results: [{ ...v1Att, id: 'att10', title: 'new.bin', version: { number: 1 } }], size: 1 }];
  if (/^\/content\/\d+\/child\/attachment\/\w+\/data$/.test(v1)) return [200, { ...v1Att, version: { number: 3 } }];
  if (/^\/content\/\d+\/child\/attachment\/\w+\/download$/.test(v1)) return 'bytes';
  return [404, { message: `no route for ${method} ${path}` }];
}

/** Every operation of the client, each a small call (the names are what the test reports). */
function operations(c: ConfluenceClient, file: string, dir: string): Array<[string, () => Promise<unknown>]> {
  const drain = async (it: AsyncIterable<unknown>) => {
    const out = [];
    for await (const x of it) out.push(x);
    return out;
  };
  return [
    ['getSpaceByKey', () => c.getSpaceByKey('DOC')],
    ['listSpaces', () => drain(c.listSpaces())],
    ['listPages', () => drain(c.listPages('100', { bodies: true }))],
    ['getPagesByIds', () => drain(c.getPagesByIds(['2', '3'], { bodies: true }))],
    ['getPage', () => c.getPage('2', { body: true, labels: true })],
    ['getChildren', () => drain(c.getChildren('1'))],
    ['getDescendants', () => drain(c.getDescendants('1', { depth: 3 }))],
    ['getAncestors', () => c.getAncestors('2')],
    ['findPageByTitle', () => c.findPageByTitle('100', 'P2')],
    ['createPage', () => c.createPage({ spaceId: '100', parentId: '1', title: 'New', body: '<p/>' })],
    ['updatePage', () => c.updatePage({ id: '2', title: 'P2', parentId: '1', body: '<p>x</p>', version: 2, message: 'edit' })],
    ['movePage', () => c.movePage('2', '1')],
    ['deletePage', () => c.deletePage('2')],
    ['purgePage', () => c.purgePage('2')],
    ['restorePage', () => c.restorePage('2')],
    ['getVersions', () => drain(c.getVersions('2'))],
    ['getPageVersion', () => c.getPageVersion!('2', 1)],
    ['getLabels', () => c.getLabels('2')],
    ['addLabels', () => c.addLabels('2', ['howto', 'ops'])],
    ['removeLabel', () => c.removeLabel('2', 'howto')],
    ['listSpaceLabels', () => c.listSpaceLabels('100')],
    ['listAttachments', () => drain(c.listAttachments('2'))],
    ['listSpaceAttachments', () => drain(c.listSpaceAttachments('DOC'))],
    ['findAttachment', () => c.findAttachment('2', 'old.bin')],
    ['uploadAttachment (new)', () => c.uploadAttachment({ pageId: '2', fileName: 'new.bin', filePath: file, comment: 'c', minorEdit: true })],
    ['uploadAttachment (new version)', () => c.uploadAttachment({ pageId: '2', fileName: 'old.bin', filePath: file })],
    ['downloadAttachment', () => c.downloadAttachment({ id: 'att9', pageId: '2', title: 'old.bin', mediaType: 'x', fileSize: 3, version: 2 }, join(dir, 'dl.bin'))],
    ['deleteAttachment', () => c.deleteAttachment('att9')],
    ['searchCql', () => drain(c.searchCql('space=DOC and type=page'))],
    ['longtask', () => c.longtask('t1')],
    ['currentUser', () => c.currentUser()],
    ['spaceOperations', () => c.spaceOperations('100')],
  ];
}

test('every operation sends only requests that conform to the OpenAPI documents', async () => {
  const checker = new OpenApiChecker();
  const dir = await mkdtemp(join(tmpdir(), 'csync-oas-'));
  const file = join(dir, 'f.bin');
  await writeFile(file, 'abc');
  const problems: string[] = [];
  let current = '';
  const requestsBy = new Map<string, number>();
  try {
    await withServer(
      (req, res, body) => {
        const u = new URL(req.url ?? '/', 'http://x');
        requestsBy.set(current, (requestsBy.get(current) ?? 0) + 1);
        for (const p of checker.check({ method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, contentType: req.headers['content-type'], body })) {
          problems.push(`${current}: ${req.method} ${u.pathname}: ${p}`);
        }
        const r = route(req.method ?? 'GET', u.pathname, u.searchParams, body);
        if (r === 'bytes') {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '3' });
          return res.end('abc');
        }
        if (r[0] === 204) {
          res.writeHead(204);
          return res.end();
        }
        sendJson(res, r[0], r[1]);
      },
      async (url) => {
        const c = createConfluenceClient(baseOptions(url, { retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } }));
        for (const [name, run] of operations(c, file, dir)) {
          current = name;
          await run();
          assert.ok((requestsBy.get(name) ?? 0) > 0, `${name} sent a request`);
        }
        await c.close();
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.deepEqual(problems, []);
  assert.equal(requestsBy.size, 32);
});

test('the checker itself rejects what the spec forbids', () => {
  const c = new OpenApiChecker();
  const q = (s: string) => new URLSearchParams(s);
  assert.deepEqual(c.check({ method: 'GET', path: '/wiki/api/v2/pages', query: q('id=1&id=2&limit=250') }), []);
  assert.match(c.check({ method: 'GET', path: '/wiki/api/v2/pages', query: q('id=1,2') })[0] ?? '', /integer/);
  assert.match(c.check({ method: 'GET', path: '/wiki/api/v2/spaces', query: q('bogus=1') })[0] ?? '', /undeclared/);
  assert.match(c.check({ method: 'PUT', path: '/wiki/api/v2/pages/5', query: q(''), contentType: 'application/json', body: '{"id":"5","title":"x"}' })[0] ?? '', /required/);
  assert.match(c.check({ method: 'GET', path: '/wiki/rest/api/content/search', query: q('limit=5') })[0] ?? '', /missing required query parameter cql/);
  assert.match(c.check({ method: 'PATCH', path: '/wiki/api/v2/pages/5', query: q('') })[0] ?? '', /not in the OpenAPI/);
});
