/** The emulator's Notion API over real HTTP: auth, Notion-Version, cursor pagination, rate limit, hosted files, faults. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../src/emulator/index.js';

test('Notion API: version header, bearer auth, cursors, page_size bound, rate limit, hosted files, faults', async () => {
  const emu = await startEmulator({ seed: 'empty', notion: { seed: 'demo', rateLimit: false } });
  try {
    const n = emu.notion!;
    const h = { Authorization: `Bearer ${n.token}`, 'Notion-Version': '2025-09-03', 'Content-Type': 'application/json' };
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = h) => {
      const r = await fetch(`${n.url}/v1${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: r.status, headers: r.headers, json: (await r.json()) as Record<string, unknown> };
    };

    const noVersion = await call('POST', '/search', {}, { Authorization: h.Authorization, 'Content-Type': 'application/json' });
    assert.equal(noVersion.status, 400);
    assert.equal(noVersion.json.code, 'missing_version');
    const badToken = await call('POST', '/search', {}, { ...h, Authorization: 'Bearer nope' });
    assert.equal(badToken.status, 401);
    assert.equal(badToken.json.code, 'unauthorized');

    // Search: pages and data sources, paginated by cursor.
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pagesOfResults = 0;
    do {
      const r = await call('POST', '/search', { page_size: 7, ...(cursor ? { start_cursor: cursor } : {}) });
      assert.equal(r.status, 200);
      const results = r.json.results as Array<{ id: string; object: string }>;
      assert.ok(results.length <= 7);
      for (const x of results) seen.add(x.id);
      cursor = r.json.has_more ? (r.json.next_cursor as string) : undefined;
      assert.equal(r.json.has_more, r.json.next_cursor !== null);
      pagesOfResults++;
    } while (cursor);
    assert.equal(seen.size, n.store.pages.size + n.store.dataSources.size);
    assert.ok(pagesOfResults > 5);

    const tooBig = await call('POST', '/search', { page_size: 101 });
    assert.equal(tooBig.status, 400);
    assert.equal(tooBig.json.code, 'validation_error');

    // Block children of the gallery: every block has its type-specific payload; an image is a hosted file.
    const gallery = [...n.store.pages.values()].find((p) => n.store.titleOf(p.id) === 'Block Gallery')!;
    const kids = await call('GET', `/blocks/${gallery.id}/children?page_size=100`);
    const blocks = kids.json.results as Array<Record<string, unknown> & { type: string }>;
    for (const b of blocks) assert.ok(b.type in b, `payload for ${b.type}`);
    const image = blocks.find((b) => b.type === 'image' && (b.image as { type: string }).type === 'file')!;
    const url = ((image.image as { file: { url: string; expiry_time: string } }).file).url;
    const file = await fetch(url);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'image/png');
    const expired = await fetch(url.replace(/expires=\d+/, 'expires=1'));
    assert.equal(expired.status, 403);

    const missing = await call('GET', '/pages/00000000-0000-4000-8000-00000000ffff');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.code, 'object_not_found');

    // Databases → data sources → query.
    const db = [...n.store.databases.values()][0]!;
    const dbJson = await call('GET', `/databases/${db.id}`);
    const ds = (dbJson.json.data_sources as Array<{ id: string }>)[0]!;
    const rows = await call('POST', `/data_sources/${ds.id}/query`, { page_size: 3 });
    assert.equal((rows.json.results as unknown[]).length, 3);
    assert.equal(rows.json.has_more, true);

    // The same fault injection as the Confluence side.
    emu.scriptFaults([{ kind: 'http503-retry', path: '/notion/v1/users', count: 1, retryAfter: 2 }]);
    const fault = await call('GET', '/users');
    assert.equal(fault.status, 503);
    assert.equal(fault.headers.get('retry-after'), '2');
    assert.equal((await call('GET', '/users')).status, 200);

    // The documented limit: ~3 requests per second, then 429 rate_limited with Retry-After.
    n.setRateLimit({ rps: 3, burst: 3 });
    const statuses: number[] = [];
    let limited: { headers: Headers; json: Record<string, unknown> } | undefined;
    for (let i = 0; i < 6; i++) {
      const r = await call('GET', '/users/me');
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    assert.ok(statuses.slice(0, 3).every((s) => s === 200), statuses.join());
    assert.ok(limited, statuses.join());
    assert.equal(limited.json.code, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  } finally {
    await emu.close();
  }
});

test('Notion sharing: a page shared with the integration shares its sub-pages, databases and blocks; a page with no shared ancestor is hidden', async () => {
  const emu = await startEmulator({ seed: 'empty', notion: { seed: { pages: 2, blocksPerPage: 1 }, rateLimit: false } });
  try {
    const n = emu.notion!;
    const store = n.store;
    const h = { Authorization: `Bearer ${n.token}`, 'Notion-Version': '2025-09-03', 'Content-Type': 'application/json' };
    const status = async (method: string, path: string, body?: unknown) => (await fetch(`${n.url}/v1${path}`, { method, headers: h, ...(body ? { body: JSON.stringify(body) } : {}) })).status;
    const searchIds = async () => {
      const r = await fetch(`${n.url}/v1/search`, { method: 'POST', headers: h, body: JSON.stringify({}) });
      return new Set(((await r.json()) as { results: Array<{ id: string }> }).results.map((x) => x.id));
    };
    const shared = store.addPage({ type: 'workspace', workspace: true }, 'Shared area');
    // Not shared itself, but its parent is: readable, as in Notion.
    const child = store.addPage({ type: 'page_id', page_id: shared.id }, 'Child');
    const block = store.append(child.id, { type: 'paragraph', payload: { rich_text: [], color: 'default' } });
    const db = store.addDatabase(child.id, 'Tasks', { Name: { type: 'title', title: {} } });
    const row = store.addPage({ type: 'data_source_id', data_source_id: db.dataSourceId, database_id: db.id }, 'Row');
    store.unshared.add(child.id);
    store.unshared.add(db.id);
    store.unshared.add(row.id);
    // Nothing above it is shared: hidden, with its blocks, its sub-pages' inheritance and its comments.
    const hidden = store.addPage({ type: 'workspace', workspace: true }, 'Private');
    const hiddenBlock = store.append(hidden.id, { type: 'paragraph', payload: { rich_text: [], color: 'default' } });
    const hiddenKid = store.addPage({ type: 'page_id', page_id: hidden.id }, 'Private child');
    store.unshared.add(hidden.id);
    store.unshared.add(hiddenKid.id);
    // Shared itself under a hidden page: readable.
    const sharedKid = store.addPage({ type: 'page_id', page_id: hidden.id }, 'Shared below a private page');

    for (const id of [child.id, row.id, sharedKid.id]) assert.equal(await status('GET', `/pages/${id}`), 200, id);
    assert.equal(await status('GET', `/blocks/${block}`), 200);
    assert.equal(await status('GET', `/blocks/${child.id}/children`), 200);
    assert.equal(await status('GET', `/databases/${db.id}`), 200);
    assert.equal(await status('POST', `/data_sources/${db.dataSourceId}/query`, {}), 200);
    assert.equal(await status('GET', `/comments?block_id=${child.id}`), 200);
    for (const id of [hidden.id, hiddenKid.id]) assert.equal(await status('GET', `/pages/${id}`), 404, id);
    assert.equal(await status('GET', `/blocks/${hiddenBlock}`), 404);
    assert.equal(await status('GET', `/blocks/${hidden.id}/children`), 404);
    assert.equal(await status('GET', `/comments?block_id=${hidden.id}`), 404);
    const ids = await searchIds();
    for (const id of [child.id, row.id, sharedKid.id, db.dataSourceId]) assert.ok(ids.has(id), `search lists ${id}`);
    for (const id of [hidden.id, hiddenKid.id]) assert.ok(!ids.has(id), `search leaves out ${id}`);
  } finally {
    await emu.close();
  }
});
