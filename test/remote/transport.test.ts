/** The client's resilience against tiny local servers (got's withServer style). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConfluenceClient } from '../../src/remote/index.js';
import { RemoteError } from '../../src/core/errors.js';
import { baseOptions, sendJson, TOKEN, virtualClock, withServer } from './helpers.js';

const page = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  status: 'current',
  title: `Page ${id}`,
  spaceId: '100',
  parentId: null,
  version: { number: 1 },
  ...extra,
});

function isRemote(code: string) {
  return (e: unknown) => e instanceof RemoteError && e.code === code;
}

test('sends Basic auth, User-Agent and JSON accept; Bearer for a PAT', async () => {
  const seen: Array<Record<string, string | string[] | undefined>> = [];
  await withServer(
    (req, res) => {
      seen.push(req.headers);
      sendJson(res, 200, page('1'));
    },
    async (url) => {
      const basic = createConfluenceClient(baseOptions(url, { userAgent: 'csync-test/1' }));
      await basic.getPage('1');
      const bearer = createConfluenceClient(baseOptions(url, { auth: { kind: 'bearer', token: 'pat-123' } }));
      await bearer.getPage('1');
      await basic.close();
      await bearer.close();
    },
  );
  assert.equal(seen[0]?.authorization, `Basic ${Buffer.from(`demo@example.com:${TOKEN}`).toString('base64')}`);
  assert.equal(seen[0]?.['user-agent'], 'csync-test/1');
  assert.match(String(seen[0]?.accept), /application\/json/);
  assert.equal(seen[1]?.authorization, 'Bearer pat-123');
  assert.match(String(seen[1]?.['user-agent']), /^confluence-sync\//);
});

test('GET is retried through 500/503 and succeeds; counts show the retries', async () => {
  let n = 0;
  await withServer(
    (_req, res) => {
      n++;
      if (n === 1) return sendJson(res, 500, { message: 'boom' });
      if (n === 2) return sendJson(res, 503, { message: 'busy' });
      sendJson(res, 200, page('7'));
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      const p = await c.getPage('7');
      assert.equal(p?.id, '7');
      const s = c.stats();
      assert.equal(s.requests, 3);
      assert.equal(s.retries, 2);
      assert.equal(s.byOperation['pages.get']?.count, 3);
      assert.equal(s.byStatus['500'], 1);
      await c.close();
    },
  );
});

test('getPage returns null on 404; other 4xx fail at once with code, status, server message and hint', async () => {
  let n = 0;
  await withServer(
    (req, res) => {
      n++;
      if (req.url?.includes('/pages/404')) return sendJson(res, 404, { errors: [{ status: 404, title: 'Not found' }] });
      if (req.url?.includes('/pages/403')) return sendJson(res, 403, { errors: [{ status: 403, title: 'Not permitted to view' }] });
      sendJson(res, 401, { message: 'Basic authentication with passwords is deprecated' });
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      assert.equal(await c.getPage('404'), null);
      await assert.rejects(c.getPage('403'), (e: unknown) => {
        assert.ok(e instanceof RemoteError);
        assert.equal(e.code, 'CSYNC_FORBIDDEN');
        assert.equal(e.status, 403);
        assert.equal(e.method, 'GET');
        assert.equal(e.path, '/wiki/api/v2/pages/403');
        assert.equal(e.serverMessage, 'Not permitted to view');
        assert.ok(e.hint);
        return true;
      });
      await assert.rejects(c.getPage('1'), (e: unknown) => {
        assert.ok(e instanceof RemoteError && e.code === 'CSYNC_AUTH');
        assert.match(e.hint ?? '', /not your password/);
        assert.match(e.hint ?? '', /id\.atlassian\.com\/manage-profile\/security\/api-tokens/);
        assert.match(e.message, /passwords is deprecated/);
        return true;
      });
      assert.equal(n, 3, 'no retries for 4xx');
      await c.close();
    },
  );
});

test('a POST is never resent blindly after a 500 when its effect cannot be checked', async () => {
  let posts = 0;
  await withServer(
    (req, res) => {
      if (req.method === 'POST') {
        posts++;
        return sendJson(res, 500, { message: 'oops' });
      }
      sendJson(res, 200, { results: [] });
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      // addLabels is idempotent (retried); longtask GET retried; upload/create use verify. Use a raw label add that
      // fails, then check the create path: POST /pages with verify → looks up, finds nothing, retries.
      await assert.rejects(c.createPage({ spaceId: '100', title: 'T', body: '<p/>' }), isRemote('CSYNC_SERVER'));
      // 1 + maxRetries attempts, each followed by a lookup (the last one too, before reporting the failure).
      assert.equal(posts, 4);
      assert.equal(c.stats().verifiedWrites, 4);
      await c.close();
    },
  );
});

test('create under timeouts: the page was made, the answer lost → found by title, never duplicated', async () => {
  const created: Array<{ id: string; title: string; parentId: string; body: string }> = [];
  await withServer(
    (req, res, body) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'POST' && u.pathname === '/wiki/api/v2/pages') {
        const input = JSON.parse(body) as { title: string; parentId: string; body: { value: string } };
        if (created.some((p) => p.title === input.title)) return sendJson(res, 400, { errors: [{ title: 'A page with this title already exists' }] });
        created.push({ id: String(500 + created.length), title: input.title, parentId: input.parentId, body: input.body.value });
        return; // stall: the page exists but the client never hears about it
      }
      if (u.pathname === '/wiki/api/v2/spaces/100/pages') {
        const title = u.searchParams.get('title');
        const hits = created.filter((p) => p.title === title).map((p) => page(p.id, { title: p.title, parentId: p.parentId, body: { storage: { value: p.body, representation: 'storage' } } }));
        return sendJson(res, 200, { results: hits, _links: {} });
      }
      sendJson(res, 404, {});
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url, { timeouts: { connectMs: 500, responseMs: 300 } }));
      const p = await c.createPage({ spaceId: '100', parentId: '9', title: 'Runbook', body: '<p>x</p>' });
      assert.equal(p.title, 'Runbook');
      assert.equal(p.id, '500');
      assert.equal(created.length, 1);
      assert.equal(c.stats().verifiedWrites, 1);
      await c.close();
    },
  );
});

test('create after a lost answer: a page with the title but another body (someone else\'s) is not taken for ours', async () => {
  let posts = 0;
  await withServer(
    (req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'POST') {
        posts++;
        // The first attempt fails before anything is written; someone else has made a page with this title meanwhile.
        if (posts === 1) return sendJson(res, 500, { message: 'oops' });
        return sendJson(res, 400, { errors: [{ status: 400, code: 'INVALID_REQUEST_PARAMETER', title: 'A page with this title already exists' }] });
      }
      if (u.pathname === '/wiki/api/v2/spaces/100/pages') {
        return sendJson(res, 200, { results: [page('88', { title: 'Shared', parentId: '9', body: { storage: { value: '<p>theirs</p>', representation: 'storage' } } })], _links: {} });
      }
      sendJson(res, 404, {});
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      await assert.rejects(c.createPage({ spaceId: '100', parentId: '9', title: 'Shared', body: '<p>mine</p>' }), isRemote('CSYNC_BAD_REQUEST'));
      assert.equal(posts, 2, 'sent again, and refused: the title is taken');
      await c.close();
    },
  );
});

test('a create whose last permitted attempt lost its answer reports the page, not a failure', async () => {
  let created = false;
  await withServer(
    (req, res) => {
      if (req.method === 'POST') {
        created = true;
        return req.socket.destroy();
      }
      sendJson(res, 200, { results: created ? [page('77', { title: 'Once', body: { storage: { value: '<p/>', representation: 'storage' } } })] : [], _links: {} });
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url, { retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } }));
      const p = await c.createPage({ spaceId: '100', title: 'Once', body: '<p/>' });
      assert.equal(p.id, '77');
      await c.close();
    },
  );
});

test('malformed and truncated bodies are CSYNC_INVALID_RESPONSE, retried for reads, never an empty result', async () => {
  let n = 0;
  await withServer(
    (_req, res) => {
      n++;
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
        res.write('{"results":[{"id":"1"');
        return res.destroy(); // truncated: fewer bytes than announced
      }
      if (n === 2) return sendJson(res, 200, { unexpected: true }); // valid JSON, wrong shape
      if (n === 3) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"results":[{"id":"1"'); // ends cleanly but is cut JSON
      }
      sendJson(res, 200, { results: [page('1')], _links: {} });
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      const out = [];
      for await (const p of c.listPages('100')) out.push(p);
      assert.deepEqual(out.map((p) => p.id), ['1']);
      assert.equal(n, 4);
      await c.close();
    },
  );
  await withServer(
    (_req, res) => sendJson(res, 200, { results: 'nope' }),
    async (url) => {
      const c = createConfluenceClient(baseOptions(url, { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 } }));
      await assert.rejects(async () => {
        for await (const _p of c.listPages('100')) assert.fail('no item expected');
      }, (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_INVALID_RESPONSE' && /results/.test(e.message) && !!e.hint);
      await c.close();
    },
  );
});

test('a stalled response times out (CSYNC_TIMEOUT) and the read is retried', async () => {
  let n = 0;
  await withServer(
    (_req, res) => {
      n++;
      if (n === 1) return; // never answer
      if (n === 2) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.write('{"id":'); // headers, then the body stalls
      }
      sendJson(res, 200, page('3'));
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url, { timeouts: { connectMs: 500, responseMs: 400 } }));
      assert.equal((await c.getPage('3'))?.id, '3');
      assert.equal(n, 3);
      const byStatus = c.stats().byStatus;
      assert.equal(byStatus['0'], 2);
      await c.close();
    },
  );
  await withServer(
    () => undefined,
    async (url) => {
      const c = createConfluenceClient(baseOptions(url, { timeouts: { connectMs: 500, responseMs: 60 }, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } }));
      await assert.rejects(c.getPage('3'), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_TIMEOUT' && /responseMs/.test(e.hint ?? ''));
      await c.close();
    },
  );
});

test('connection reset is CSYNC_NETWORK and retried; refused connection fails with a hint', async () => {
  let n = 0;
  await withServer(
    (req, res) => {
      n++;
      if (n === 1) return req.socket.destroy();
      sendJson(res, 200, page('4'));
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      assert.equal((await c.getPage('4'))?.id, '4');
      assert.equal(n, 2);
      await c.close();
    },
  );
  let freeUrl = '';
  await withServer(() => undefined, async (url) => {
    freeUrl = url;
  });
  const c = createConfluenceClient(baseOptions(freeUrl, { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 } }));
  await assert.rejects(c.getPage('1'), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_NETWORK' && /ECONNREFUSED/.test(e.message) && /site\.url/.test(e.hint ?? ''));
  await c.close();
});

test('429 with Retry-After: 5 pauses every request to the site for ~5 s (virtual clock)', async () => {
  const vc = virtualClock(0);
  const starts: Array<{ at: number; path: string }> = [];
  let limited = false;
  const late: Array<Promise<unknown>> = [];
  await withServer(
    (req, res) => {
      starts.push({ at: vc.now, path: req.url ?? '' });
      if (!limited && req.url?.includes('/pages/first')) {
        limited = true;
        return sendJson(res, 429, { message: 'Too many requests' }, { 'retry-after': '5' });
      }
      sendJson(res, 200, page(String(req.url?.split('/pages/')[1] ?? '0').split('?')[0] ?? '0'));
    },
    async (url) => {
      const holder: { c?: ReturnType<typeof createConfluenceClient> } = {};
      const c = createConfluenceClient(
        baseOptions(url, {
          clock: vc.clock,
          sleep: (ms) => vc.sleep(ms),
          rate: { requestsPerSecond: 50, burst: 50, maxConcurrent: 4 },
          // Requests made the moment the 429 lands, by other callers, with free concurrency slots.
          hooks: { onRateLimited: () => late.push(...['x', 'y', 'z'].map((id) => holder.c!.getPage(id))) },
        }),
      );
      holder.c = c;
      const first = await c.getPage('first');
      assert.equal(first?.id, 'first');
      const lateResults = (await Promise.all(late)) as Array<{ id: string } | null>;
      assert.deepEqual(lateResults.map((p) => p?.id), ['x', 'y', 'z']);
      assert.equal(c.stats().rateLimited, 1);
      assert.equal(c.stats().retries, 1);
      await c.close();
    },
  );
  assert.equal(starts[0]?.at, 0);
  const after = starts.slice(1);
  assert.equal(after.length, 4);
  for (const s of after) assert.ok(s.at >= 5000, `${s.path} started at ${s.at} ms, inside the pause`);
  assert.ok(Math.max(...after.map((s) => s.at)) < 7000, 'and all resumed soon after it');
  assert.ok(vc.sleeps.some((ms) => ms >= 5000), 'someone waited the whole Retry-After');
});

test('circuit breaker: opens after consecutive failures, fails fast, half-opens a probe, recovers', async () => {
  const vc = virtualClock(0);
  let healthy = false;
  let hits = 0;
  const states: string[] = [];
  await withServer(
    (_req, res) => {
      hits++;
      if (!healthy) return sendJson(res, 502, { message: 'bad gateway' });
      sendJson(res, 200, page('1'));
    },
    async (url) => {
      const c = createConfluenceClient(
        baseOptions(url, {
          clock: vc.clock,
          sleep: (ms) => vc.sleep(ms),
          retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 },
          breaker: { failureThreshold: 3, halfOpenAfterMs: 10_000 },
          hooks: { onBreakerStateChange: (e) => states.push(e.state) },
        }),
      );
      await assert.rejects(c.getPage('1'), isRemote('CSYNC_SERVER')); // 2 failures
      // The 3rd failure opens it; the retry then fails fast instead of reaching the server.
      await assert.rejects(c.getPage('1'), isRemote('CSYNC_CIRCUIT_OPEN'));
      assert.equal(hits, 3);
      assert.equal(c.breakerState().state, 'open');
      const before = hits;
      await assert.rejects(c.getPage('1'), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_CIRCUIT_OPEN' && /probe in \d+ s/.test(e.hint ?? ''));
      assert.equal(hits, before, 'nothing sent while open');
      vc.advance(10_000);
      assert.equal(c.breakerState().state, 'half-open');
      healthy = true;
      assert.equal((await c.getPage('1'))?.id, '1');
      assert.equal(c.breakerState().state, 'closed');
      assert.equal(c.stats().breaker.opens, 1);
      await c.close();
    },
  );
  assert.deepEqual(states, ['open', 'closed']);
});

test('a known token appears in no error, no log line and no hook event', async () => {
  const logged: string[] = [];
  const logger = {
    debug: (o: object, m?: string) => logged.push(JSON.stringify(o) + (m ?? '')),
    info: (o: object, m?: string) => logged.push(JSON.stringify(o) + (m ?? '')),
    warn: (o: object, m?: string) => logged.push(JSON.stringify(o) + (m ?? '')),
  };
  const events: string[] = [];
  const errors: string[] = [];
  await withServer(
    (req, res) => {
      if (req.url?.includes('/pages/1')) return sendJson(res, 401, { message: 'Unauthorized' });
      if (req.url?.includes('/pages/2')) return sendJson(res, 429, { message: 'slow down' }, { 'retry-after': '0' });
      if (req.url?.includes('/pages/3')) return req.socket.destroy();
      sendJson(res, 500, { message: 'err' });
    },
    async (url) => {
      const c = createConfluenceClient(
        baseOptions(url, {
          logger,
          retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 },
          hooks: { onRequest: (e) => events.push(JSON.stringify(e)), onRetry: (e) => events.push(JSON.stringify(e)) },
        }),
      );
      for (const id of ['1', '2', '3', '4']) {
        try {
          await c.getPage(id);
        } catch (e) {
          const err = e as RemoteError;
          errors.push(`${err.message} ${err.hint} ${err.stack} ${JSON.stringify(err)} ${String(err.cause)} ${JSON.stringify(err.details)}`);
        }
      }
      await c.close();
    },
  );
  assert.equal(errors.length, 4);
  const basic = Buffer.from(`demo@example.com:${TOKEN}`).toString('base64');
  for (const text of [...errors, ...logged, ...events]) {
    assert.ok(!text.includes(TOKEN), `token leaked: ${text.slice(0, 200)}`);
    assert.ok(!text.includes(basic), `basic header leaked: ${text.slice(0, 200)}`);
  }
  assert.ok(logged.length > 0 && events.length > 0, 'something was logged and emitted');
});

test('pagination follows _links.next lazily; stopping early fetches no more pages', async () => {
  const requested: string[] = [];
  await withServer(
    (req, res) => {
      requested.push(req.url ?? '');
      const u = new URL(req.url ?? '/', 'http://x');
      const cursor = Number(u.searchParams.get('cursor') ?? '0');
      const results = [page(String(cursor * 2 + 1)), page(String(cursor * 2 + 2))];
      const next = cursor < 4 ? `/wiki/api/v2/spaces/100/pages?cursor=${cursor + 1}&limit=2` : undefined;
      sendJson(res, 200, { results, _links: next ? { next, base: 'http://ignored/wiki' } : {} });
    },
    async (url) => {
      const c = createConfluenceClient(baseOptions(url));
      const ids: string[] = [];
      for await (const p of c.listPages('100', { limit: 2, bodies: true })) {
        ids.push(p.id);
        if (ids.length === 3) break;
      }
      assert.deepEqual(ids, ['1', '2', '3']);
      assert.equal(requested.length, 2);
      assert.match(requested[0] ?? '', /limit=2/);
      assert.match(requested[0] ?? '', /body-format=storage/);
      const all: string[] = [];
      for await (const p of c.listPages('100')) all.push(p.id);
      assert.equal(all.length, 10);
      await c.close();
    },
  );
});
