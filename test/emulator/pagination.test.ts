/** Cursor pagination: opaque cursors, `_links.next` = `Link`, limits, and a 1,500-page listing under concurrent change. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../../src/emulator/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { createConfluenceClient } from '../../src/remote/index.js';
import { call } from './helpers.js';

let emu: Emulator;
let spaceId: string;
before(async () => {
  emu = await startEmulator({ seed: 1500 });
  spaceId = emu.api.space('BENCH').id;
});
after(async () => {
  const invalid = [...emu.invalidRequests()];
  await emu.close();
  assert.deepEqual(invalid, []);
});

interface Listed {
  ids: string[];
  requests: number;
}

/** Follows `_links.next` from `first`, checking every answer's Link header against it; `between` runs after each page. */
async function listAll(first: string, between: (n: number) => void = () => {}): Promise<Listed> {
  const ids: string[] = [];
  let next: string | undefined = first;
  let requests = 0;
  while (next) {
    const r = await call(emu, 'GET', next);
    requests++;
    assert.equal(r.status, 200, r.text);
    ids.push(...r.json.results.map((p: { id: string }) => p.id));
    const link = r.headers.get('link');
    if (r.json._links.next) {
      assert.equal(link, `<${r.json._links.next}>; rel="next", <${r.json._links.base}>; rel="base"`);
      const cursor = new URL(r.json._links.next, emu.origin).searchParams.get('cursor')!;
      assert.match(cursor, /^[A-Za-z0-9_-]+$/, 'URL-safe');
      assert.ok(!ids.includes(cursor), 'the cursor is not a bare page id');
      next = r.json._links.next as string;
    } else {
      assert.equal(link, null, 'no Link header on the last page');
      next = undefined;
    }
    if (next) between(requests);
  }
  return { ids, requests };
}

describe('pagination', () => {
  test('default limit 25, limit 250 at most, all pages exactly once', async () => {
    const first = await call(emu, 'GET', `/wiki/api/v2/spaces/${spaceId}/pages`);
    assert.equal(first.json.results.length, 25);
    const all = await listAll(`/wiki/api/v2/spaces/${spaceId}/pages?limit=250&body-format=storage`);
    assert.equal(all.ids.length, 1500);
    assert.equal(new Set(all.ids).size, 1500);
    assert.equal(all.requests, 6);
    const small = await listAll(`/wiki/api/v2/spaces/${spaceId}/pages?limit=100`);
    assert.deepEqual(small.ids, all.ids, 'the same order whatever the page size');
    assert.equal(small.requests, 15);
  });

  test('a bad cursor is a 400', async () => {
    const r = await call(emu, 'GET', `/wiki/api/v2/spaces/${spaceId}/pages?cursor=not-a-cursor`);
    assert.equal(r.status, 400);
  });

  test('pages created and deleted between requests: every page present throughout appears exactly once', async () => {
    const home = emu.store.spaces.get(spaceId)!.homepageId;
    const before = emu.api.pages('BENCH').map((p) => p.id).filter((id) => id !== home);
    const removed = new Set<string>();
    const added: string[] = [];
    let n = 0;
    const churn = () => {
      // Delete pages ahead of the cursor, behind it and at random; create new ones (they get higher ids).
      for (let k = 0; k < 20; k++) {
        const victim = before[(n * 97 + k * 31) % before.length]!;
        if (!removed.has(victim)) {
          emu.api.deletePage(victim);
          removed.add(victim);
        }
      }
      for (let k = 0; k < 15; k++) added.push(emu.api.createPage('BENCH', `Churn ${n}-${k}`, '<p>new</p>').id);
      n++;
    };
    const listed = await listAll(`/wiki/api/v2/spaces/${spaceId}/pages?limit=250`, churn);
    assert.ok(listed.requests >= 6);
    assert.ok(removed.size > 100, 'a real amount of churn');
    assert.equal(new Set(listed.ids).size, listed.ids.length, 'no duplicates');
    const seen = new Set(listed.ids);
    const stable = before.filter((id) => !removed.has(id));
    const missing = stable.filter((id) => !seen.has(id));
    assert.deepEqual(missing, [], 'every page that existed for the whole listing was listed');
    // Pages created during the listing come after the cursor (higher ids): the listing picked them up too.
    assert.ok(added.every((id) => seen.has(id)));
    // The same through the v2 client, which follows the Link/next for itself.
    const client = createConfluenceClient({ baseUrl: emu.url, auth: { kind: 'basic', email: emu.credentials.email, token: emu.credentials.token },
      rate: { requestsPerSecond: 1000, burst: 1000, maxConcurrent: 2 },
      retry: { maxRetries: 0, baseDelayMs: 5, maxDelayMs: 5 },
      timeouts: { connectMs: 2000, responseMs: 10_000 },
      breaker: { failureThreshold: 10, halfOpenAfterMs: 1000 },
    });
    try {
      const ids: string[] = [];
      for await (const p of client.listPages(spaceId)) {
        ids.push(p.id);
        if (ids.length % 250 === 0) churn();
      }
      assert.ok(n > 10, 'churned during the client listing too');
      assert.equal(new Set(ids).size, ids.length, 'no duplicates through the client');
      const stableNow = before.filter((id) => !removed.has(id));
      assert.deepEqual(
        stableNow.filter((id) => !ids.includes(id)),
        [],
      );
    } finally {
      await client.close();
    }
  });

  test('bulk ids, children and labels paginate with the same links', async () => {
    const ids = emu.api.pages('BENCH').slice(0, 60).map((p) => p.id);
    const bulk = await listAll(`/wiki/api/v2/pages?id=${ids.join(',')}&limit=25`);
    assert.deepEqual(bulk.ids, ids);
    assert.equal(bulk.requests, 3);
    const home = emu.store.spaces.get(spaceId)!.homepageId!;
    const kids = await listAll(`/wiki/api/v2/pages/${home}/children?limit=4`);
    const expected = emu.store.childrenOf(home).map((p) => p.id).sort((a, b) => Number(a) - Number(b));
    assert.ok(expected.length > 4);
    assert.deepEqual(kids.ids, expected);
  });
});
