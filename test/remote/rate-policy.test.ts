import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delayBeforeStart, initialRateState, learnedCeiling, onResponse, onStart, RESERVE, type RateState } from '../../src/remote/rate-policy.js';
import { RateGovernor, readRateHeaders } from '../../src/remote/rate-governor.js';
import { virtualClock } from './helpers.js';

const cfg = { requestsPerSecond: 10, burst: 3 };
const ok = { status: 200, otherInFlight: 0, fallbackPauseMs: 500 };

test('token bucket: a burst, then one request every 1/rate', () => {
  let s = initialRateState(cfg, 0);
  for (let i = 0; i < 3; i++) {
    assert.equal(delayBeforeStart(cfg, s, 0), 0);
    s = onStart(cfg, s, 0);
  }
  assert.equal(delayBeforeStart(cfg, s, 0), 100);
  assert.equal(delayBeforeStart(cfg, s, 60), 40);
  assert.equal(delayBeforeStart(cfg, s, 100), 0);
});

test('429 with Retry-After pauses every start until it has passed, then slows down and recovers', () => {
  let s = initialRateState(cfg, 0);
  s = onResponse(cfg, s, 0, { ...ok, status: 429, retryAfterMs: 5000 });
  assert.equal(delayBeforeStart(cfg, s, 0), 5000 + (1 + RESERVE) * 100);
  assert.ok(delayBeforeStart(cfg, s, 4999) > 0);
  assert.equal(s.factor, 0.5);
  // After the pause the server budget refills at its rate before the next start.
  assert.equal(delayBeforeStart(cfg, s, 5200), 0);
  let t = 5200;
  for (let i = 0; i < 30; i++) {
    s = onStart(cfg, s, t);
    s = onResponse(cfg, s, t, ok);
    t += 200;
  }
  assert.equal(s.factor, 1, 'recovers to full rate after enough successes');
});

test('503 with Retry-After also pauses; 503 without does not', () => {
  const a = onResponse(cfg, initialRateState(cfg, 0), 0, { ...ok, status: 503, retryAfterMs: 2000 });
  assert.ok(delayBeforeStart(cfg, a, 0) >= 2000);
  const b = onResponse(cfg, initialRateState(cfg, 0), 0, { ...ok, status: 503 });
  assert.equal(delayBeforeStart(cfg, b, 0), 0);
});

test('429 without Retry-After pauses for the fallback', () => {
  const s = onResponse(cfg, initialRateState(cfg, 0), 0, { ...ok, status: 429 });
  assert.ok(delayBeforeStart(cfg, s, 0) >= 500);
});

test('server budget: X-RateLimit-Remaining holds starts back before a 429, keeping a reserve', () => {
  let s: RateState = initialRateState({ requestsPerSecond: 10, burst: 50 }, 0);
  const c = { requestsPerSecond: 10, burst: 50 };
  s = onResponse(c, s, 0, { ...ok, remaining: 2, limit: 50 });
  assert.equal(delayBeforeStart(c, s, 0), 0);
  s = onStart(c, s, 0); // server now ~1 = the reserve
  assert.equal(delayBeforeStart(c, s, 0), 100);
  // Requests in flight when the answer came are assumed not yet counted.
  const t = onResponse(c, initialRateState(c, 0), 0, { ...ok, remaining: 3, otherInFlight: 2 });
  assert.equal(delayBeforeStart(c, t, 0), 100);
  // The server's own fill rate (Data Center headers) wins over ours.
  const u = onResponse(c, initialRateState(c, 0), 0, { ...ok, remaining: 0, fillPerSecond: 2 });
  assert.equal(delayBeforeStart(c, u, 0), 1000);
});

test('a server bucket smaller than the reserve still lets requests through', () => {
  const c = { requestsPerSecond: 100, burst: 100 };
  const s = onResponse(c, initialRateState(c, 0), 0, { ...ok, remaining: 0, limit: 1, fillPerSecond: 0.2 });
  assert.equal(delayBeforeStart(c, s, 0), 5000);
  assert.equal(delayBeforeStart(c, s, 5000), 0);
});

test('NearLimit turns bursts off until it clears', () => {
  const c = { requestsPerSecond: 10, burst: 20 };
  let s = onResponse(c, initialRateState(c, 0), 0, { ...ok, nearLimit: true });
  s = onStart(c, s, 0);
  assert.equal(delayBeforeStart(c, s, 0), 100);
  s = onResponse(c, s, 1000, { ...ok, nearLimit: false });
  assert.equal(s.nearLimit, false);
  // Under 20% remaining counts as near the limit even without the header.
  assert.equal(onResponse(c, initialRateState(c, 0), 0, { ...ok, remaining: 5, limit: 100 }).nearLimit, true);
});

test('readRateHeaders: Cloud and Data Center headers', () => {
  assert.deepEqual(readRateHeaders({ 'x-ratelimit-remaining': '7', 'x-ratelimit-limit': '100', 'x-ratelimit-nearlimit': 'true' }), {
    remaining: 7,
    limit: 100,
    nearLimit: true,
    fillPerSecond: undefined,
    reset: undefined,
  });
  assert.equal(readRateHeaders({ 'x-ratelimit-fillrate': '20', 'x-ratelimit-interval-seconds': '2' }).fillPerSecond, 10);
  assert.equal(readRateHeaders({ 'x-ratelimit-remaining': 'lots' }).remaining, undefined);
});

test('RateGovernor: one 429 with Retry-After 5 s holds back every waiting request (virtual clock)', async () => {
  const vc = virtualClock(0);
  const g = new RateGovernor({ requestsPerSecond: 100, burst: 100 }, vc.clock, (ms) => vc.sleep(ms));
  await g.acquire();
  g.release({ status: 429, retryAfterMs: 5000, fallbackPauseMs: 100 });
  const starts = await Promise.all([0, 1, 2, 3, 4].map(async () => {
    await g.acquire();
    return vc.now;
  }));
  for (const t of starts) assert.ok(t >= 5000, `started at ${t}`);
  assert.ok(Math.max(...starts) < 6000, `all resumed soon after the pause: ${starts.join(',')}`);
  assert.ok(g.waitedMs >= 5 * 5000);
});

test('learnedCeiling: the pace between two 429s caps recovery', () => {
  const c = { requestsPerSecond: 20, burst: 20 };
  let s = onResponse(c, initialRateState(c, 0), 0, { ...ok, status: 429, retryAfterMs: 1000 });
  assert.equal(s.ceiling, 1, 'one 429 teaches nothing yet');
  for (let i = 0; i < 50; i++) s = onResponse(c, s, 1000 + i * 100, ok); // 50 successes in the next 5 s
  assert.equal(learnedCeiling(c, s, 1500), s.ceiling, 'too short a window to learn from');
  s = onResponse(c, s, 6000, { ...ok, status: 429, retryAfterMs: 1000 });
  // 50 successes in 6 s ≈ 8.3 req/s; 95% of that over 20 req/s.
  assert.ok(Math.abs(s.ceiling - (0.95 * (50 / 6)) / 20) < 1e-9, String(s.ceiling));
  assert.ok(s.factor <= s.ceiling);
  for (let i = 0; i < 200; i++) s = onResponse(c, s, 8000 + i * 100, ok);
  assert.ok(s.factor <= s.ceiling + 1e-9, 'recovery stops at the ceiling');
  assert.ok(s.ceiling > 0.4 && s.ceiling < 0.5, `the ceiling creeps up slowly: ${s.ceiling}`);
});
