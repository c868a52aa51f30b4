/** The pure rate policy on a fake clock (plain numbers): what Bottleneck settings and pauses each answer leads to. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  currentRate,
  initialRateState,
  learnedCeiling,
  limiterSettings,
  MIN_INCREASE_INTERVAL_MS,
  onResponse,
  onSharedPause,
  pauseRemaining,
  RESERVE,
  settingsDiffer,
  type RateState,
} from '../../src/remote/rate-policy.js';
import { readRateHeaders } from '../../src/remote/rate-headers.js';

const cfg = { requestsPerSecond: 10, burst: 3 };
const ok = { status: 200, otherInFlight: 0, fallbackPauseMs: 500 };

test('settings: a token bucket at the profile rate, bursts up to the profile burst', () => {
  const s = limiterSettings(cfg, initialRateState());
  assert.deepEqual(s, { minTime: 0, reservoirIncreaseInterval: MIN_INCREASE_INTERVAL_MS, reservoirIncreaseAmount: 2.5, reservoirIncreaseMaximum: 3 });
  // A bucket smaller than one refill would cap the rate at bucket / interval: it holds one refill at least.
  assert.equal(limiterSettings({ requestsPerSecond: 100, burst: 10 }, initialRateState()).reservoirIncreaseMaximum, 25);
  // A slow rate refills one token at a time, every 1/rate.
  const slow = limiterSettings({ requestsPerSecond: 0.5, burst: 1 }, initialRateState());
  assert.equal(slow.reservoirIncreaseInterval, 2000);
  assert.equal(slow.reservoirIncreaseAmount, 1);
});

test('429 with Retry-After pauses every start, empties the reservoir, halves the rate, then recovers', () => {
  const d = onResponse(cfg, initialRateState(), 0, { ...ok, status: 429, retryAfterMs: 5000 });
  assert.equal(d.reservoir, 0, 'the server bucket is empty, so is ours');
  assert.equal(d.broadcastPauseMs, 5000, 'and every process sharing it is told');
  assert.equal(pauseRemaining(d.state, 0), 5000);
  assert.equal(pauseRemaining(d.state, 4999), 1);
  assert.equal(pauseRemaining(d.state, 5000), 0);
  assert.equal(d.state.factor, 0.5);
  assert.equal(currentRate(cfg, d.state), 5);
  assert.equal(limiterSettings(cfg, d.state).reservoirIncreaseAmount, 1.25);
  let s = d.state;
  for (let i = 0; i < 30; i++) s = onResponse(cfg, s, 5200 + i * 200, ok).state;
  assert.equal(s.factor, 1, 'recovers to full rate after enough successes');
});

test('503 with Retry-After also pauses (without slowing); 503 without does not', () => {
  const a = onResponse(cfg, initialRateState(), 0, { ...ok, status: 503, retryAfterMs: 2000 });
  assert.equal(pauseRemaining(a.state, 0), 2000);
  assert.equal(a.state.factor, 1);
  const b = onResponse(cfg, initialRateState(), 0, { ...ok, status: 503 });
  assert.equal(pauseRemaining(b.state, 0), 0);
  assert.equal(b.reservoir, undefined);
});

test('429 without Retry-After pauses for the fallback', () => {
  const d = onResponse(cfg, initialRateState(), 0, { ...ok, status: 429 });
  assert.equal(pauseRemaining(d.state, 0), 500);
});

test("server budget: near the limit bursts are off; the server's bucket size sizes ours, one in reserve", () => {
  const c = { requestsPerSecond: 10, burst: 50 };
  const d = onResponse(c, initialRateState(), 0, { ...ok, remaining: 8, limit: 50, otherInFlight: 2 });
  assert.equal(d.state.nearLimit, true, 'under 20% left is near the limit even without the header');
  assert.equal(d.reservoir, undefined, 'the reservoir is only ever emptied by a 429');
  const near = limiterSettings(c, d.state);
  assert.equal(near.reservoirIncreaseMaximum, 3, 'no burst beyond one refill');
  assert.equal(near.minTime, 100, 'one request every 1/rate');
  // With headroom the server's bucket size is ours to use, one in reserve.
  const roomy = onResponse(c, initialRateState(), 0, { ...ok, remaining: 90, limit: 100 });
  assert.equal(limiterSettings(c, roomy.state).reservoirIncreaseMaximum, 100 - RESERVE);
  assert.equal(limiterSettings(c, roomy.state).minTime, 0);
  // NearLimit clears.
  const cleared = onResponse(c, d.state, 1000, { ...ok, nearLimit: false });
  assert.equal(cleared.state.nearLimit, false);
});

test("the server's fill rate (Data Center) replaces the profile rate", () => {
  const c = { requestsPerSecond: 10, burst: 20 };
  const d = onResponse(c, initialRateState(), 0, { ...ok, fillPerSecond: 40 });
  assert.equal(currentRate(c, d.state), 40);
  assert.equal(limiterSettings(c, d.state).reservoirIncreaseAmount, 10);
});

test('a pause told by another process: the longer pause and the slower rate win', () => {
  let s: RateState = initialRateState();
  s = onSharedPause(s, 1000, 3000, 0.5);
  assert.equal(pauseRemaining(s, 1000), 3000);
  assert.equal(s.factor, 0.5);
  s = onSharedPause(s, 2000, 500, 0.9);
  assert.equal(pauseRemaining(s, 2000), 2000, 'a shorter pause does not cut a longer one');
  assert.equal(s.factor, 0.5, 'a faster rate does not undo a slowdown');
  assert.equal(onSharedPause(initialRateState(), 0, 100, 0.01).factor, 0.25, 'never below the floor');
});

test('settingsDiffer: small drifts in pace are not worth a write', () => {
  const a = limiterSettings(cfg, initialRateState());
  assert.equal(settingsDiffer(undefined, a), true);
  assert.equal(settingsDiffer(a, { ...a, reservoirIncreaseAmount: a.reservoirIncreaseAmount * 1.02 }), false);
  assert.equal(settingsDiffer(a, { ...a, reservoirIncreaseAmount: a.reservoirIncreaseAmount * 0.5 }), true);
  assert.equal(settingsDiffer(a, { ...a, minTime: 100 }), true);
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

test('learnedCeiling: the pace between two 429s caps recovery', () => {
  const c = { requestsPerSecond: 20, burst: 20 };
  let s = onResponse(c, initialRateState(), 0, { ...ok, status: 429, retryAfterMs: 1000 }).state;
  assert.equal(s.ceiling, 1, 'one 429 teaches nothing yet');
  for (let i = 0; i < 50; i++) s = onResponse(c, s, 1000 + i * 100, ok).state; // 50 successes in the next 5 s
  assert.equal(learnedCeiling(c, s, 1500), s.ceiling, 'too short a window to learn from');
  s = onResponse(c, s, 6000, { ...ok, status: 429, retryAfterMs: 1000 }).state;
  // 50 successes in 6 s ≈ 8.3 req/s; 95% of that over 20 req/s.
  assert.ok(Math.abs(s.ceiling - (0.95 * (50 / 6)) / 20) < 1e-9, String(s.ceiling));
  assert.ok(s.factor <= s.ceiling);
  for (let i = 0; i < 200; i++) s = onResponse(c, s, 8000 + i * 100, ok).state;
  assert.ok(s.factor <= s.ceiling + 1e-9, 'recovery stops at the ceiling');
  assert.ok(s.ceiling > 0.4 && s.ceiling < 0.5, `the ceiling creeps up slowly: ${s.ceiling}`);
});
