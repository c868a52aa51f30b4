/** Fault injection (every kind, by script and by probability) and the token-bucket rate limit on a driven clock. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Emulator } from '../../src/emulator/index.js';
import { call, demo, withEmu } from './helpers.js';

const V2 = '/wiki/api/v2';

/** The error a failed fetch reports (undici wraps the socket error in `cause`). */
async function fails(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return `${e.message} ${e.cause?.code ?? ''} ${e.cause?.message ?? ''}`;
  }
  assert.fail('expected the request to fail at the transport level');
}

function pageBody(emu: Emulator, title: string) {
  return { spaceId: demo(emu).space.id, status: 'current', title, body: { representation: 'storage', value: '<p>x</p>' } };
}

describe('scripted faults', () => {
  test('http500, http502, http503 answer with the error envelope, then the next request succeeds', async () => {
    await withEmu({}, async (emu) => {
      const id = demo(emu).page('Tables').id;
      for (const [kind, status] of [
        ['http500', 500],
        ['http502', 502],
        ['http503', 503],
      ] as const) {
        emu.scriptFaults([{ kind }]);
        const r = await call(emu, 'GET', `${V2}/pages/${id}`);
        assert.equal(r.status, status, kind);
        assert.equal(r.json.errors[0].status, status);
        assert.equal(r.headers.get('retry-after'), null);
        emu.scriptFaults([{ kind }]);
        const r1 = await call(emu, 'GET', '/wiki/rest/api/user/current');
        assert.equal(r1.status, status);
        assert.equal(r1.json.statusCode, status, 'v1 error body');
        assert.equal((await call(emu, 'GET', `${V2}/pages/${id}`)).status, 200);
      }
      assert.deepEqual(
        emu.requestLog().map((e) => e.fault ?? 'none'),
        ['http500', 'http500', 'none', 'http502', 'http502', 'none', 'http503', 'http503', 'none'],
      );
    });
  });

  test('http503-retry carries Retry-After (default 1, or the scripted value)', async () => {
    await withEmu({}, async (emu) => {
      emu.scriptFaults([{ kind: 'http503-retry' }, { kind: 'http503-retry', retryAfter: 7 }]);
      const a = await call(emu, 'GET', `${V2}/spaces`);
      assert.equal(a.status, 503);
      assert.equal(a.headers.get('retry-after'), '1');
      const b = await call(emu, 'GET', `${V2}/spaces`);
      assert.equal(b.status, 503);
      assert.equal(b.headers.get('retry-after'), '7');
      assert.equal((await call(emu, 'GET', `${V2}/spaces`)).status, 200);
    });
  });

  test('stall: no answer, the socket closes after stallMs', async () => {
    await withEmu({ stallMs: 50 }, async (emu) => {
      emu.scriptFaults([{ kind: 'stall', path: '/spaces' }]);
      const error = await fails(call(emu, 'GET', `${V2}/spaces`));
      assert.match(error, /fetch failed|other side closed|socket/i);
      assert.equal(emu.requestLog()[0]!.status, -2);
      assert.equal((await call(emu, 'GET', `${V2}/spaces`)).status, 200);
    });
  });

  test('reset and truncated', async () => {
    await withEmu({}, async (emu) => {
      emu.scriptFaults([{ kind: 'reset' }]);
      await fails(call(emu, 'GET', `${V2}/spaces`));
      assert.equal(emu.requestLog()[0]!.status, -1);
      emu.scriptFaults([{ kind: 'truncated' }]);
      const res = await fetch(`${emu.url}/api/v2/spaces`, { headers: { Authorization: `Bearer ${emu.credentials.pat}` } });
      assert.equal(res.status, 200, 'headers arrive');
      await fails(res.text());
      assert.equal((await call(emu, 'GET', `${V2}/spaces`)).status, 200);
    });
  });

  test('reset-after and stall-after: the write IS applied, the answer is lost', async () => {
    await withEmu({ stallMs: 30 }, async (emu) => {
      emu.scriptFaults([{ kind: 'reset-after', method: 'POST', path: '/pages' }]);
      await fails(call(emu, 'POST', `${V2}/pages`, { body: pageBody(emu, 'Lost answer') }));
      const created = emu.api.pageByTitle('DEMO', 'Lost answer');
      assert.ok(created, 'the page was created although the client saw an error');
      const retry = await call(emu, 'POST', `${V2}/pages`, { body: pageBody(emu, 'Lost answer') });
      assert.equal(retry.status, 400, 'a naive retry hits the duplicate title');

      emu.scriptFaults([{ kind: 'stall-after', method: 'PUT' }]);
      const put = call(emu, 'PUT', `${V2}/pages/${created.id}`, {
        body: { id: created.id, status: 'current', title: 'Lost answer', body: { representation: 'storage', value: '<p>2</p>' }, version: { number: 2 } },
      });
      await fails(put);
      assert.equal(emu.api.page(created.id).version.number, 2, 'the update happened');
      assert.equal(emu.api.body(created.id), '<p>2</p>');
      assert.deepEqual(
        emu.requestLog().map((e) => [e.method, e.status, e.fault ?? null]),
        [
          ['POST', -1, 'reset-after'],
          ['POST', 400, null],
          ['PUT', -2, 'stall-after'],
        ],
      );
    });
  });

  test('method and path matching, count', async () => {
    await withEmu({}, async (emu) => {
      const id = demo(emu).page('Tables').id;
      emu.scriptFaults([
        { kind: 'http500', method: 'post', path: '/pages', count: 2 },
        { kind: 'http502', path: /\/pages\/\d+\/children$/ },
      ]);
      assert.equal(emu.faults.pending(), 3);
      assert.equal((await call(emu, 'GET', `${V2}/pages/${id}`)).status, 200, 'GET is not POST');
      assert.equal((await call(emu, 'GET', `${V2}/pages/${id}/labels`)).status, 200, 'pattern does not match');
      assert.equal((await call(emu, 'GET', `${V2}/pages/${id}/children`)).status, 502);
      assert.equal((await call(emu, 'GET', `${V2}/pages/${id}/children`)).status, 200, 'count 1 used up');
      assert.equal((await call(emu, 'POST', `${V2}/pages`, { body: pageBody(emu, 'c1') })).status, 500);
      assert.equal((await call(emu, 'POST', `${V2}/pages`, { body: pageBody(emu, 'c2') })).status, 500);
      assert.equal(emu.api.pageByTitle('DEMO', 'c1'), undefined, 'a 500 applies nothing');
      assert.equal((await call(emu, 'POST', `${V2}/pages`, { body: pageBody(emu, 'c3') })).status, 200);
      assert.equal(emu.faults.pending(), 0);
      emu.scriptFaults([{ kind: 'http500', count: 5 }]);
      emu.clearFaults();
      assert.equal(emu.faults.pending(), 0);
      assert.equal((await call(emu, 'GET', `${V2}/spaces`)).status, 200);
    });
  });
});

describe('faults by probability', () => {
  test('a seeded random source decides exactly which requests fail', async () => {
    // A small LCG: the same sequence replayed below predicts every decision.
    const lcg = (seed: number) => () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const kinds = ['http500', 'http502', 'http503'] as const;
    await withEmu({ faultProbability: 0.3, faultKinds: kinds, random: lcg(42) }, async (emu) => {
      const statuses: number[] = [];
      for (let i = 0; i < 120; i++) statuses.push((await call(emu, 'GET', `${V2}/spaces`)).status);
      const replay = lcg(42);
      const expected = statuses.map(() => (replay() < 0.3 ? [500, 502, 503][Math.floor(replay() * 3)]! : 200));
      assert.deepEqual(statuses, expected);
      const failed = statuses.filter((s) => s !== 200).length;
      assert.ok(failed > 15 && failed < 60, `about 30% failed: ${failed}`);
      assert.equal(emu.faults.injected, failed);
      assert.ok(new Set(statuses).size === 4, 'every listed kind was drawn');
      emu.setFaultProbability(1, ['http503-retry']);
      const r = await call(emu, 'GET', `${V2}/spaces`);
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('retry-after'), '1');
      emu.setFaultProbability(0);
      for (let i = 0; i < 10; i++) assert.equal((await call(emu, 'GET', `${V2}/spaces`)).status, 200);
    });
  });

  test('reset, stall and truncated drawn by probability fail at the transport level', async () => {
    await withEmu({ stallMs: 20 }, async (emu) => {
      for (const kind of ['reset', 'stall', 'truncated'] as const) {
        emu.setFaultProbability(1, [kind]);
        await fails(call(emu, 'GET', `${V2}/spaces`));
      }
      emu.clearFaults();
      assert.equal((await call(emu, 'GET', `${V2}/spaces`)).status, 200);
      assert.deepEqual(
        emu.requestLog().map((e) => e.fault ?? null),
        ['reset', 'stall', 'truncated', null],
      );
    });
  });
});

describe('latency', () => {
  test('setLatency delays answers: a request sent later without latency finishes first', async () => {
    await withEmu({}, async (emu) => {
      const done: string[] = [];
      emu.setLatency(300);
      const slow = call(emu, 'GET', `${V2}/spaces`).then((r) => done.push(`slow ${r.status}`));
      await new Promise((r) => setTimeout(r, 20)); // the slow request is in the server, sleeping
      emu.setLatency(0);
      await call(emu, 'GET', '/wiki/rest/api/user/current').then((r) => done.push(`fast ${r.status}`));
      await slow;
      assert.deepEqual(done, ['fast 200', 'slow 200']);
    });
  });
});

describe('rate limit', () => {
  test('token bucket on a driven clock: headers, 429 with Retry-After, refill', async () => {
    let now = Date.UTC(2026, 0, 1);
    await withEmu({ rateLimit: { rps: 10, burst: 5 }, clock: () => now }, async (emu) => {
      const get = () => call(emu, 'GET', `${V2}/spaces`);
      const remaining: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await get();
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('x-ratelimit-limit'), '5');
        remaining.push(`${r.headers.get('x-ratelimit-remaining')}/${r.headers.get('x-ratelimit-nearlimit') ?? '-'}`);
      }
      // Near limit: below 20% of the burst (1 token of 5) left.
      assert.deepEqual(remaining, ['4/-', '3/-', '2/-', '1/-', '0/true']);
      const limited = await get();
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '1');
      assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
      assert.equal(limited.headers.get('x-ratelimit-nearlimit'), 'true');
      assert.equal(limited.headers.get('x-ratelimit-reset'), new Date(now + 500).toISOString(), 'full again in 5 tokens / 10 per s');
      assert.equal(limited.json.errors[0].status, 429);
      assert.equal((await get()).status, 429, 'no time passed, still empty');
      now += 100; // one token
      assert.equal((await get()).status, 200);
      assert.equal((await get()).status, 429);
      now += 60_000; // refills to the burst, not beyond
      let ok = 0;
      for (let i = 0; i < 8; i++) if ((await get()).status === 200) ok++;
      assert.equal(ok, 5);
      const counts = emu.requestLog().reduce<Record<number, number>>((acc, e) => ({ ...acc, [e.status]: (acc[e.status] ?? 0) + 1 }), {});
      assert.deepEqual(counts, { 200: 11, 429: 6 });
      emu.setRateLimit(undefined);
      for (let i = 0; i < 20; i++) assert.equal((await get()).status, 200);
      emu.setRateLimit({ rps: 1, burst: 1 });
      assert.equal((await get()).status, 200);
      const slow = await get();
      assert.equal(slow.status, 429);
      assert.equal(slow.headers.get('retry-after'), '1');
    });
  });

  test('v1 answers 429 with its own error body; admin endpoints are never limited', async () => {
    const now = 0;
    await withEmu({ rateLimit: { rps: 1, burst: 1 }, clock: () => now }, async (emu) => {
      assert.equal((await call(emu, 'GET', '/wiki/rest/api/user/current')).status, 200);
      const r = await call(emu, 'GET', '/wiki/rest/api/user/current');
      assert.equal(r.status, 429);
      assert.equal(r.json.statusCode, 429);
      for (let i = 0; i < 5; i++) assert.equal((await fetch(`${emu.origin}/__emulator/requests`)).status, 200);
    });
  });
});
