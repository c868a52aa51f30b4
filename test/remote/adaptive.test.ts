/**
 * Adaptation on a virtual clock: a server that limits without sending any X-RateLimit-* headers, slower than the
 * profile. The client must learn the rate from its 429s and settle without a 429 storm.
 */
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConfluenceClient } from '../../src/remote/index.js';
import { baseOptions, sendJson, virtualClock, withServer } from './helpers.js';

function bucketServer(now: () => number, rps: number, burst: number, headers: boolean) {
  let tokens = burst;
  let last = now();
  let ok = 0;
  let limited = 0;
  return {
    counts: () => ({ ok, limited }),
    handler: (_req: unknown, res: ServerResponse) => {
      const t = now();
      tokens = Math.min(burst, tokens + ((t - last) / 1000) * rps);
      last = t;
      const h: Record<string, string> = headers ? { 'x-ratelimit-limit': String(burst) } : {};
      if (tokens < 1) {
        limited++;
        return sendJson(res, 429, { message: 'Rate limit exceeded' }, { ...h, 'retry-after': '1', ...(headers ? { 'x-ratelimit-remaining': '0' } : {}) });
      }
      tokens -= 1;
      ok++;
      sendJson(res, 200, { id: '1', status: 'current', title: 'T', spaceId: '1', version: { number: 1 } }, headers ? { ...h, 'x-ratelimit-remaining': String(Math.floor(tokens)) } : {});
    },
  };
}

for (const headers of [false, true]) {
  test(`a 20 req/s client against a 10 req/s server ${headers ? 'with' : 'without'} rate-limit headers settles near 10 req/s with few 429s`, async () => {
    const vc = virtualClock(0);
    const server = bucketServer(() => vc.now, 10, 10, headers);
    await withServer(server.handler as never, async (url) => {
      const c = createConfluenceClient(baseOptions(url, { clock: vc.clock, sleep: (ms) => vc.sleep(ms), rate: { requestsPerSecond: 20, burst: 20, maxConcurrent: 1 }, retry: { maxRetries: 6, baseDelayMs: 100, maxDelayMs: 2000 } }));
      const n = 300;
      for (let i = 0; i < n; i++) assert.ok(await c.getPage('1'));
      const virtualSeconds = vc.now / 1000;
      const ideal = (n - 10) / 10;
      const { limited } = server.counts();
      assert.ok(limited <= 6, `${limited} answers were 429`);
      assert.ok(virtualSeconds <= ideal * 1.25, `took ${virtualSeconds.toFixed(1)} s of virtual time; ideal ${ideal} s`);
      assert.ok(virtualSeconds >= ideal * 0.99, 'never faster than the server allows');
      await c.close();
    });
  });
}
