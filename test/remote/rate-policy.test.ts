/** The pure rate policy on a fake clock (plain numbers): what Bottleneck settings and pauses each answer leads to. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  currentRate,
  initialRateState,
  learnedCeiling,
  limiterSettings,
  MIN_INCREASE_INTERVAL_MS,
  nextServerRate,
  onResponse,
  onSharedPause,
  PACE_SHARE,
  pauseRemaining,
  RESERVE,
  serverRateSample,
  settingsDiffer,
  type RateState,
} from '../../src/remote/rate-policy.js';
import { readRateHeaders, resetInMs } from '../../src/remote/rate-headers.js';

const cfg = { requestsPerSecond: 10, burst: 3 };
const ok = { status: 200, otherInFlight: 0, fallbackPauseMs: 500 };

test('settings: a token bucket at 95% of the profile rate, bursts up to the profile burst less 200 ms of pace', () => {
  const s = limiterSettings(cfg, initialRateState());
  assert.equal(currentRate(cfg, initialRateState()), 10 * PACE_SHARE);
  assert.deepEqual(s, { minTime: 0, reservoirIncreaseInterval: MIN_INCREASE_INTERVAL_MS, reservoirIncreaseAmount: 2.375, reservoirIncreaseMaximum: 3 });
  assert.equal(limiterSettings({ requestsPerSecond: 20, burst: 10 }, initialRateState()).reservoirIncreaseMaximum, 10 - 4, 'the burst less 200 ms of pace (19 req/s × 0.2 s, rounded up)');
  // A bucket smaller than one refill would cap the rate at bucket / interval: it holds one refill at least.
  assert.equal(limiterSettings({ requestsPerSecond: 100, burst: 10 }, initialRateState()).reservoirIncreaseMaximum, 24);
  // A slow rate refills about one token at a time, every 1/rate.
  const slow = limiterSettings({ requestsPerSecond: 0.5, burst: 1 }, initialRateState());
  assert.equal(slow.reservoirIncreaseInterval, 2250, '1 / 0.475 s, rounded up to whole heartbeats');
  assert.ok(Math.abs(slow.reservoirIncreaseAmount - 0.475 * 2.25) < 1e-9);
});

test('429 with Retry-After pauses every start, empties the reservoir, halves the rate, then recovers', () => {
  const d = onResponse(cfg, initialRateState(), 0, { ...ok, status: 429, retryAfterMs: 5000 });
  assert.equal(d.reservoir, 0, 'the server bucket is empty, so is ours');
  assert.equal(d.broadcastPauseMs, 5000, 'and every process sharing it is told');
  assert.equal(pauseRemaining(d.state, 0), 5000);
  assert.equal(pauseRemaining(d.state, 4999), 1);
  assert.equal(pauseRemaining(d.state, 5000), 0);
  assert.equal(d.state.factor, 0.5);
  assert.equal(currentRate(cfg, d.state), 5 * PACE_SHARE);
  assert.equal(limiterSettings(cfg, d.state).reservoirIncreaseAmount, 1.25 * PACE_SHARE);
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
  assert.equal(near.minTime, Math.ceil(1000 / (10 * PACE_SHARE)), 'one request every 1/rate');
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
  assert.equal(currentRate(c, d.state), 40 * PACE_SHARE, 'at 95%, as the profile rate');
  assert.equal(limiterSettings(c, d.state).reservoirIncreaseAmount, 10 * PACE_SHARE);
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
  assert.equal(resetInMs(readRateHeaders({ 'x-ratelimit-reset': '2026-12-04T10:00:02.500Z' }).reset, Date.parse('2026-12-04T10:00:00Z')), 2500);
  assert.equal(resetInMs('soon', 0), undefined);
  assert.equal(resetInMs(undefined, 0), undefined);
});

test('learnedCeiling: the pace between two 429s caps recovery', () => {
  const c = { requestsPerSecond: 20, burst: 20 };
  let s = onResponse(c, initialRateState(), 0, { ...ok, status: 429, retryAfterMs: 1000 }).state;
  assert.equal(s.ceiling, 1, 'one 429 teaches nothing yet');
  s = onResponse(c, s, 500, ok).state; // sent before the 429: answered during its pause, not counted
  for (let i = 0; i < 70; i++) s = onResponse(c, s, 1000 + i * 100, ok).state; // 70 successes in the 7 s after the pause
  assert.equal(learnedCeiling(c, s, 1900), s.ceiling, 'too short a window to learn from');
  s = onResponse(c, s, 8000, { ...ok, status: 429, retryAfterMs: 1000 }).state;
  // From the pause's end (1 s), not the 429 (0): 70 successes less the 20 of the bucket the pause refilled, in 7 s
  // ≈ 7.1 req/s; 95% of that over 20 req/s. (Counting the pause: 70 / 8 s, 8.75 req/s, with the burst in it.)
  assert.ok(Math.abs(s.ceiling - (0.95 * (50 / 7)) / 20) < 1e-9, String(s.ceiling));
  assert.ok(s.factor <= s.ceiling);
  for (let i = 0; i < 200; i++) s = onResponse(c, s, 10000 + i * 100, ok).state;
  assert.ok(s.factor <= s.ceiling + 1e-9, 'recovery stops at the ceiling');
  assert.ok(s.ceiling > 0.4 && s.ceiling < 0.5, `the ceiling creeps up slowly: ${s.ceiling}`);
});

test('serverRateSample: what is left, spread over the time to the reset (at least 125 ms), at least one request, at most a bucket per refill', () => {
  assert.equal(serverRateSample(50, 100, 5000), 10);
  assert.equal(serverRateSample(20, 200, 3), 160, 'a bucket full again in 3 ms: what is left over 125 ms, not per 3 ms');
  assert.equal(serverRateSample(199, 200, 3), 796, 'at most one server bucket (one in reserve) per 250 ms limiter refill');
  assert.equal(serverRateSample(0, 20, 2000), 0.5, "a 429's Remaining 0: one request per reset window, not a stop");
  assert.equal(serverRateSample(3600, 3600, 3_600_000), 1, 'a fixed hourly window: its remainder over the rest of the hour');
  assert.equal(serverRateSample(undefined, 100, 1000), undefined);
  assert.equal(serverRateSample(5, 100, undefined), undefined, 'no Reset: the server does not say when');
  assert.equal(serverRateSample(5, 0, 1000), undefined);
  assert.equal(serverRateSample(-1, 100, 1000), undefined);
});

test('nextServerRate: down at once, up smoothly', () => {
  assert.equal(nextServerRate(undefined, 0, 40, 0), 40);
  assert.equal(onResponse({ requestsPerSecond: 10, burst: 20 }, initialRateState(), 0, { ...ok, remaining: 5, limit: 20, resetInMs: 1500 }).state.serverRate, 10 / 3, 'a first figure under the profile rate is taken at once');
  assert.equal(nextServerRate(40, 0, 10, 100), 10, 'less headroom is followed at once');
  const up = nextServerRate(10, 0, 110, 1000);
  assert.ok(Math.abs(up - (10 + 100 * (1 - Math.exp(-1)))) < 1e-9, String(up));
  assert.equal(nextServerRate(10, 1000, 110, 1000), 10, 'no time passed: no rise');
});

test("the advertised budget replaces the profile's rate: above it with headroom, below it when short", () => {
  const c = { requestsPerSecond: 10, burst: 20 };
  const reset = (remaining: number, limit: number, rps: number) => ({ remaining, limit, resetInMs: ((limit - remaining) / rps) * 1000 });
  // A generous server (a 100 req/s bucket of 200), nearly full: what is left per second, capped by its bucket size.
  let s = onResponse(c, initialRateState(), 0, { ...ok, ...reset(190, 200, 100) }).state;
  assert.equal(currentRate(c, s), 10, "the first figure is climbed to from the profile's rate, not jumped to");
  for (let t = 100; t <= 6000; t += 100) s = onResponse(c, s, t, { ...ok, ...reset(190, 200, 100) }).state;
  assert.ok(currentRate(c, s) > 790 && currentRate(c, s) <= 796, `one server bucket (one in reserve) per limiter refill: ${currentRate(c, s)}`);
  const fast = limiterSettings(c, s);
  assert.equal(fast.reservoirIncreaseMaximum, 199, "bursts up to the server's bucket, one in reserve");
  assert.ok(fast.reservoirIncreaseAmount <= fast.reservoirIncreaseMaximum, 'one refill fits the bucket');
  // Running short: the pace drops at once, below the profile's rate.
  s = onResponse(c, s, 6100, { ...ok, ...reset(10, 200, 100) }).state;
  assert.ok(Math.abs(currentRate(c, s) - 10 / 1.9) < 1e-9, String(currentRate(c, s)));
  assert.equal(s.nearLimit, true);
  // Back to headroom: the pace climbs back over about a second, not at once.
  s = onResponse(c, s, 6600, { ...ok, ...reset(150, 200, 100) }).state;
  assert.ok(currentRate(c, s) > 10 / 1.9 && currentRate(c, s) < 150, String(currentRate(c, s)));
  for (let t = 6700; t <= 11000; t += 100) s = onResponse(c, s, t, { ...ok, ...reset(150, 200, 100) }).state;
  assert.ok(Math.abs(currentRate(c, s) - 300) < 5, String(currentRate(c, s)));
  // Data Center's fill rate, when given, still wins (it is the server's own figure for the pace).
  s = onResponse(c, s, 11100, { ...ok, fillPerSecond: 40, ...reset(150, 200, 100) }).state;
  assert.equal(currentRate(c, s), 40 * PACE_SHARE);
  // Without Reset the profile stays the ceiling.
  assert.equal(currentRate(c, onResponse(c, initialRateState(), 0, { ...ok, remaining: 190, limit: 200 }).state), 10 * PACE_SHARE);
});

for (const [fill, size] of [[10, 20], [20, 10], [100, 200], [3, 60]] as const) {
test(`a simulated token-bucket server (${fill} req/s, bucket ${size}): the advertised pace settles at its fill rate with the bucket about half full, no 429`, () => {
  // The server answers instantly; the client sends at the pace the policy gives (fake clock). Profile: 10 req/s.
  const c = { requestsPerSecond: 10, burst: 20 };
  let tokens: number = size;
  let s = initialRateState();
  let limited = 0;
  let t = 0;
  let sent = 0;
  const remainingSeen: number[] = [];
  let lateSent = 0;
  let nextAt = 0;
  while (t < 60_000) {
    tokens = Math.min(size, tokens + fill / 1000);
    t += 1;
    // The next request at 1000 / rate ms after the last one (the pace the limiter keeps), after a pause if any.
    if (pauseRemaining(s, t) > 0 || t < nextAt) continue;
    nextAt = t + 1000 / currentRate(c, s);
    sent++;
    if (t > 30_000) lateSent++;
    const resetInMs = ((size - tokens) / fill) * 1000;
    if (tokens < 1) {
      limited++;
      s = onResponse(c, s, t, { ...ok, status: 429, retryAfterMs: 1000, remaining: 0, limit: size, resetInMs }).state;
      continue;
    }
    tokens -= 1;
    s = onResponse(c, s, t, { ...ok, remaining: Math.floor(tokens), limit: size, resetInMs }).state;
    if (t > 30_000) remainingSeen.push(Math.floor(tokens));
  }
  const lateRate = lateSent / 30;
  assert.equal(limited, 0, `${limited} × 429`);
  assert.ok(sent <= 60 * fill + size, `${sent} requests in 60 s`);
  assert.ok(lateRate > 0.85 * fill && lateRate <= fill + size / 30, `settles near the fill rate: ${lateRate} req/s over the last 30 s`);
  const mean = remainingSeen.reduce((a, b) => a + b, 0) / remainingSeen.length;
  assert.ok(mean > size / 4 && mean < (size * 3) / 4, `with the bucket about half full: ${mean}`);
});
}

test('a 429 that advertises the budget pauses and sets the pace from it, without halving the rate as well', () => {
  const c = { requestsPerSecond: 10, burst: 20 };
  const d = onResponse(c, initialRateState(), 0, { ...ok, status: 429, retryAfterMs: 1000, remaining: 0, limit: 20, resetInMs: 2000 });
  assert.equal(pauseRemaining(d.state, 0), 1000);
  assert.equal(d.reservoir, 0);
  assert.equal(d.state.factor, 1);
  assert.equal(currentRate(c, d.state), 0.5, 'one request per reset window until the answers show room again');
  const bare = onResponse(c, initialRateState(), 0, { ...ok, status: 429, retryAfterMs: 1000, remaining: 0, limit: 20 });
  assert.equal(bare.state.factor, 0.5, 'without Reset the rate halves as before');
});
