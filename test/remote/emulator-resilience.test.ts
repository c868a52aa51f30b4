/** The client's acceptance criteria against the emulator: faults, duplicates, the 429 pause, the breaker, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteError } from '../../src/core/errors.js';
import { drain, withEmulator } from './emulator-helpers.js';
import { manualClock, virtualClock } from './helpers.js';

test('1,000 reads with 20% injected faults (500/502/503/reset/stall/truncated) all succeed', async () => {
  const vc = virtualClock(); // backoff and Retry-After pauses pass in virtual time; timeouts stay real
  await withEmulator(
    { seed: 'demo', faultProbability: 0.2, stallMs: 2000 },
    {
      clock: vc.clock,
      sleep: (ms) => vc.sleep(ms),
      retry: { maxRetries: 10, baseDelayMs: 5, maxDelayMs: 100 },
      // Long enough that a loaded machine's slow answer is not mistaken for a stall.
      timeouts: { connectMs: 1000, responseMs: 400 },
      breaker: { failureThreshold: 30, halfOpenAfterMs: 100 },
      rate: { requestsPerSecond: 5000, burst: 5000, maxConcurrent: 8 },
    },
    async (emu, c) => {
      const ids = emu.api.pages('DEMO').map((p) => p.id);
      let next = 0;
      let ok = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < 1000) {
            const id = ids[next++ % ids.length]!;
            const p = await c.getPage(id, { body: true });
            assert.equal(p?.id, id);
            assert.equal(p?.body, emu.api.body(id));
            ok++;
          }
        }),
      );
      assert.equal(ok, 1000);
      const faults = emu.requestLog().filter((r) => r.fault);
      const kinds = new Set(faults.map((r) => r.fault));
      for (const k of ['http500', 'http502', 'http503', 'stall', 'reset', 'truncated']) assert.ok(kinds.has(k as never), `fault ${k} exercised`);
      assert.ok(faults.length >= 150, `${faults.length} faults injected`);
      assert.ok(c.stats().retries >= faults.length, 'each fault cost a retry');
      assert.equal(c.stats().requests, 1000 + c.stats().retries);
      assert.deepEqual(emu.invalidRequests(), []);
    },
  );
});

test('creates under injected timeouts and lost answers never make a duplicate page', async () => {
  const vc = virtualClock();
  await withEmulator(
    { seed: 'demo', stallMs: 1000 },
    {
      clock: vc.clock,
      sleep: (ms) => vc.sleep(ms),
      retry: { maxRetries: 8, baseDelayMs: 5, maxDelayMs: 50 },
      timeouts: { connectMs: 1000, responseMs: 400 },
    },
    async (emu, c) => {
      const space = await c.getSpaceByKey('DEMO');
      const before = emu.api.pages('DEMO').length;
      // The write happens but its answer is lost (stall-after, reset-after), or it fails before (500, stall).
      emu.setFaultProbability(0.4, ['stall-after', 'reset-after', 'http500', 'stall', 'http503']);
      const titles = Array.from({ length: 40 }, (_, i) => `Created under faults ${i}`);
      const made = await Promise.all(titles.map((title) => c.createPage({ spaceId: space.id, parentId: space.homepageId, title, body: `<p>${title}</p>` })));
      emu.clearFaults();
      assert.deepEqual(made.map((p) => p.title), titles);
      const after = emu.api.pages('DEMO');
      assert.equal(after.length, before + 40, 'exactly one page per create');
      for (const title of titles) assert.equal(after.filter((p) => p.title === title).length, 1, title);
      const lost = emu.requestLog().filter((r) => r.method === 'POST' && (r.fault === 'stall-after' || r.fault === 'reset-after'));
      assert.ok(lost.length > 0, 'some creates lost their answer');
      assert.ok(c.stats().verifiedWrites >= lost.length);
      assert.deepEqual(emu.invalidRequests(), []);
    },
  );
});

test('a 429 with Retry-After: 5 pauses all requests to the site for ~5 s (shared virtual clock)', async () => {
  const mc = manualClock(1_000_000);
  let sawLimit: () => void = () => undefined;
  const limitSeen = new Promise<void>((resolve) => {
    sawLimit = resolve;
  });
  await withEmulator(
    { seed: 'demo', rateLimit: { rps: 0.2, burst: 1 }, clock: () => mc.now },
    { clock: mc.clock, sleep: (ms) => mc.sleep(ms), rate: { requestsPerSecond: 100, burst: 100, maxConcurrent: 4 }, retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 100 }, hooks: { onRateLimited: () => sawLimit() } },
    async (emu, c) => {
      const space = await mc.drive(c.getSpaceByKey('DEMO')); // takes the only token
      const ids = emu.api.pages('DEMO').map((p) => p.id).slice(0, 4);
      const all = (async () => {
        // The next request meets an empty bucket: 429 with Retry-After: 5 ...
        const first = c.getPage(ids[0]!);
        // (once the client has read it: a request sent while the 429 is on the wire cannot be held back)
        await limitSeen;
        // ... then there is plenty of budget: only the client's pause can hold the other callers back.
        emu.setRateLimit({ rps: 1000, burst: 1000 });
        return Promise.all([first, ...ids.slice(1).map((id) => c.getPage(id))]);
      })();
      const pages = await mc.drive(all);
      assert.deepEqual(pages.map((p) => p?.id), ids);
      const log = emu.requestLog();
      const i429 = log.findIndex((r) => r.status === 429);
      const t429 = log[i429]!.at;
      // (by log order: the space lookup may have reached the server at the same virtual time as the 429)
      const after = log.slice(i429 + 1);
      assert.equal(after.length, 4, 'the retried request and the three others');
      for (const r of after) assert.ok(r.at - t429 >= 5000, `${r.path} reached the server ${r.at - t429} ms after the 429`);
      assert.ok(Math.max(...after.map((r) => r.at - t429)) < 7000, 'and they resumed right after the pause');
      assert.equal(c.stats().rateLimited, 1);
      assert.equal(space.key, 'DEMO');
    },
  );
});

test('breaker opens after consecutive failures, fails fast, then recovers through a probe', async () => {
  const vc = virtualClock();
  const states: string[] = [];
  await withEmulator(
    { seed: 'demo' },
    {
      clock: vc.clock,
      sleep: (ms) => vc.sleep(ms),
      retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 10 },
      breaker: { failureThreshold: 4, halfOpenAfterMs: 30_000 },
      hooks: { onBreakerStateChange: (e) => states.push(e.state) },
    },
    async (emu, c) => {
      const id = emu.api.pages('DEMO')[0]!.id;
      emu.scriptFaults([{ kind: 'http502', method: 'GET', count: 4 }]);
      await assert.rejects(c.getPage(id), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_SERVER' && e.status === 502);
      await assert.rejects(c.getPage(id), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_CIRCUIT_OPEN' && !!e.hint);
      assert.equal(c.breakerState().state, 'open');
      const sent = emu.requestLog().length;
      for (let i = 0; i < 5; i++) await assert.rejects(c.getPage(id), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_CIRCUIT_OPEN');
      assert.equal(emu.requestLog().length, sent, 'nothing reached the server while open');
      vc.advance(30_000);
      assert.equal(c.breakerState().state, 'half-open');
      assert.equal((await c.getPage(id))?.id, id);
      assert.equal(c.breakerState().state, 'closed');
      assert.deepEqual(states, ['open', 'closed']);
      assert.equal(c.stats().breaker.opens, 1);
    },
  );
});

test('errors carry stable codes, Atlassian messages and hints; the token appears nowhere', async () => {
  await withEmulator({ seed: 'demo' }, {}, async (emu, c) => {
    const space = await c.getSpaceByKey('DEMO');
    const page = emu.api.pages('DEMO')[1]!;
    emu.api.editPage(page.id, { body: '<p>someone else</p>' }); // version moves on behind our back
    await assert.rejects(c.updatePage({ id: page.id, title: page.title, body: '<p>mine</p>', version: 2 }), (e: unknown) => {
      assert.ok(e instanceof RemoteError);
      assert.equal(e.code, 'CSYNC_VERSION_CONFLICT');
      assert.equal(e.status, 409);
      assert.ok(e.serverMessage && e.serverMessage.length > 0);
      assert.match(e.hint ?? '', /pull/);
      return true;
    });
    await assert.rejects(c.getSpaceByKey('NOPE'), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_NOT_FOUND' && /space key/.test(e.hint ?? ''));
    await assert.rejects(c.createPage({ spaceId: space.id, parentId: space.homepageId, title: page.title, body: '<p/>' }), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_BAD_REQUEST' && !!e.serverMessage);
  });
  const logged: string[] = [];
  const log = (o: object, m?: string) => logged.push(JSON.stringify(o) + (m ?? ''));
  await withEmulator({ seed: 'demo' }, {}, async (emu) => {
    const { createConfluenceClient } = await import('../../src/remote/index.js');
    const wrong = 'wrong-token-0123456789abcdef';
    const c = createConfluenceClient({
      baseUrl: emu.url,
      auth: { kind: 'basic', email: emu.credentials.email, token: wrong },
      rate: { requestsPerSecond: 100, burst: 100, maxConcurrent: 2 },
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 },
      timeouts: { connectMs: 1000, responseMs: 1000 },
      breaker: { failureThreshold: 5, halfOpenAfterMs: 1000 },
      logger: { debug: log, info: log, warn: log },
    });
    let text = '';
    await assert.rejects(c.getSpaceByKey('DEMO'), (e: unknown) => {
      assert.ok(e instanceof RemoteError && e.code === 'CSYNC_AUTH');
      assert.match(e.hint ?? '', /id\.atlassian\.com\/manage-profile\/security\/api-tokens/);
      text = `${e.message} ${e.hint} ${e.stack} ${JSON.stringify(e)}`;
      return true;
    });
    await c.close();
    for (const s of [text, ...logged]) {
      assert.ok(!s.includes(wrong), 'token leaked');
      assert.ok(!s.includes(emu.credentials.token), 'token leaked');
    }
  });
});

// The 10,000-page figure (40 listing requests) is measured by bench/client.ts (client-list-10k); seeding that many
// pages takes the emulator ~20 s, so the test checks the same law, ceil(N/250), on 2,600 pages.
test('listing N pages with bodies takes ceil(N/250) requests; space labels take 1 + one per label', async () => {
  const N = 2_600;
  await withEmulator({ seed: N }, {}, async (emu, c) => {
    const space = (await drain(c.listSpaces()))[0]!;
    emu.resetLog();
    let n = 0;
    let bodies = 0;
    for await (const p of c.listPages(space.id, { bodies: true })) {
      n++;
      if (p.body) bodies++;
    }
    assert.equal(n, N);
    assert.equal(bodies, N);
    assert.equal(emu.requestLog().length, Math.ceil(N / 250));
    assert.deepEqual(Object.keys(emu.requestCounts()), ['GET /wiki/api/v2/spaces/{id}/pages']);
    const ids = emu.api.pages(space.key).map((p) => p.id);
    for (const id of ids.slice(0, 300)) emu.api.setLabels(id, ['bulk']);
    for (const id of ids.slice(0, 3)) emu.api.setLabels(id, ['bulk', 'special']);
    emu.resetLog();
    const labels = await c.listSpaceLabels(space.id);
    assert.equal(labels.size, 300);
    assert.deepEqual(labels.get(ids[0]!), ['bulk', 'special']);
    assert.deepEqual(labels.get(ids[299]!), ['bulk']);
    // 1 listing of the space's labels + ceil(300/250) pages for "bulk" + 1 for "special".
    assert.equal(emu.requestLog().length, 1 + 2 + 1);
    assert.deepEqual(emu.invalidRequests(), []);
  });
});

test('a file that cannot be read for an upload does not close a half-open breaker (nothing was sent)', async () => {
  const vc = virtualClock();
  await withEmulator(
    { seed: 'demo' },
    { clock: vc.clock, sleep: (ms) => vc.sleep(ms), retry: { maxRetries: 0, baseDelayMs: 5, maxDelayMs: 10 }, breaker: { failureThreshold: 2, halfOpenAfterMs: 30_000 } },
    async (emu, c) => {
      const id = emu.api.pages('DEMO')[0]!.id;
      emu.scriptFaults([{ kind: 'http502', method: 'GET', count: 2 }]);
      for (let i = 0; i < 2; i++) await assert.rejects(c.getPage(id), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_SERVER');
      assert.equal(c.breakerState().state, 'open');
      vc.advance(30_000);
      assert.equal(c.breakerState().state, 'half-open');
      await assert.rejects(
        c.uploadAttachment({ pageId: id, fileName: 'gone.txt', filePath: '/nonexistent/csync-test/gone.txt', mediaType: 'text/plain', existing: null }),
        (e: unknown) => (e as { code?: string }).code === 'CSYNC_IO',
      );
      assert.equal(c.breakerState().state, 'half-open', 'a local read failure proves nothing about the site');
      assert.equal((await c.getPage(id))?.id, id, 'the probe turn was given back: the next request probes');
      assert.equal(c.breakerState().state, 'closed');
    },
  );
});
