/**
 * The real Bottleneck limiter behind the policy (store "local"), in real time: counts and ordering, with loose
 * timing bounds (a loaded machine is slow, never fast).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { limiterId, redactRedisUrl, SourceLimiter } from '../../src/remote/limiter.js';
import { PACE_SHARE } from '../../src/remote/rate-policy.js';

const silent = { debug() {}, info() {}, warn() {} };
const realClock = { now: () => Date.now() };
const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const local = { store: 'local' as const, fallbackShare: 0.25, heartbeatMs: 250 };

test('a burst, then the profile rate: 25 starts at 20/s with a burst of 5 take about a second', async () => {
  const l = new SourceLimiter({ requestsPerSecond: 20, burst: 5 }, 'test', local, realClock, realSleep, silent);
  const t0 = performance.now();
  const at: number[] = [];
  await Promise.all(Array.from({ length: 25 }, async () => {
    await l.acquire();
    at.push(performance.now() - t0);
    l.release({ status: 200, fallbackPauseMs: 100 });
  }));
  at.sort((a, b) => a - b);
  assert.equal(at.filter((t) => t < 200).length, 5, `only the burst starts at once: ${at.map(Math.round).join(',')}`);
  assert.ok(at[24]! >= 900, `the last start waited for the rate: ${Math.round(at[24]!)} ms`);
  assert.ok(at[24]! < 4000);
  assert.equal(l.snapshot().mode, 'local');
  assert.equal(l.snapshot().inFlight, 0);
  await l.close();
});

test('a 429 holds every later start back for its Retry-After, and the rate halves', async () => {
  const l = new SourceLimiter({ requestsPerSecond: 100, burst: 100 }, 'test', local, realClock, realSleep, silent);
  await l.acquire();
  const t429 = performance.now();
  l.release({ status: 429, retryAfterMs: 600, fallbackPauseMs: 100 });
  assert.ok(l.snapshot().pausedForMs > 500);
  assert.equal(l.snapshot().factor, 0.5);
  assert.equal(l.snapshot().requestsPerSecond, 50 * PACE_SHARE);
  const starts = await Promise.all([0, 1, 2].map(async () => {
    await l.acquire();
    l.release({ status: 200, fallbackPauseMs: 100 });
    return performance.now() - t429;
  }));
  for (const s of starts) assert.ok(s >= 590, `started ${Math.round(s)} ms after the 429`);
  await l.close();
});

test('limiter ids name the source and host, never the account', () => {
  const id = limiterId('confluence', 'acme.atlassian.net', 'basic:ann@acme.com');
  assert.match(id, /^csync:confluence:acme\.atlassian\.net:[0-9a-f]{16}$/);
  assert.ok(!id.includes('ann'));
  assert.notEqual(id, limiterId('confluence', 'acme.atlassian.net', 'basic:bob@acme.com'));
  assert.notEqual(id, limiterId('jira', 'acme.atlassian.net', 'basic:ann@acme.com'));
  assert.equal(redactRedisUrl('redis://user:s3cret@cache.local:6380/2'), 'redis://cache.local:6380/2');
});
