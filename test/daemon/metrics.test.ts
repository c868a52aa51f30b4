import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientHooks } from '../../src/remote/stats.js';
import { createMetrics, statusLabel } from '../../src/obs/metrics.js';

function value(text: string, line: RegExp): number {
  const m = text.split('\n').find((l) => line.test(l));
  assert.ok(m, `no line matching ${line}`);
  return Number(m.split(' ').at(-1));
}

test('statusLabel keeps HTTP statuses and maps "no answer" to error', () => {
  assert.equal(statusLabel(200), '200');
  assert.equal(statusLabel(429), '429');
  assert.equal(statusLabel(0), 'error');
  assert.equal(statusLabel(1000), 'other');
});

test('client hooks feed request, retry, 429, limiter and breaker metrics', async () => {
  const m = createMetrics({ defaultMetrics: false });
  // The hooks fit the Confluence client's hooks option without obs importing src/remote.
  const hooks: Partial<ClientHooks> = m.clientHooks();
  const ev = { op: 'pages.update', method: 'PUT', path: '/wiki/api/v2/pages/1', attempt: 0, limiterWaitMs: 250 };
  hooks.onRequest?.({ ...ev, status: 200, ms: 80 });
  hooks.onRequest?.({ ...ev, status: 429, ms: 10, code: 'CSYNC_RATE_LIMITED' });
  hooks.onRequest?.({ ...ev, status: 0, ms: 5000, code: 'CSYNC_TIMEOUT', limiterWaitMs: 0 });
  hooks.onRetry?.({ op: 'pages.update', method: 'PUT', path: '/x', attempt: 1, delayMs: 500, code: 'CSYNC_RATE_LIMITED' });
  hooks.onRateLimited?.({ op: 'pages.update', path: '/x', retryAfterMs: 1000 });
  hooks.onBreakerStateChange?.({ state: 'open' });
  const t = await m.text();
  assert.equal(value(t, /^csync_http_requests_total\{source="confluence",operation="pages.update",status="200"\}/), 1);
  assert.equal(value(t, /^csync_http_requests_total\{source="confluence",operation="pages.update",status="429"\}/), 1);
  assert.equal(value(t, /^csync_http_requests_total\{source="confluence",operation="pages.update",status="error"\}/), 1);
  assert.equal(value(t, /^csync_http_request_duration_seconds_count\{source="confluence",operation="pages.update"\}/), 3);
  assert.equal(value(t, /^csync_http_retries_total\{source="confluence",operation="pages.update"\}/), 1);
  assert.equal(value(t, /^csync_http_rate_limited_total\{source="confluence",operation="pages.update"\}/), 1);
  assert.equal(value(t, /^csync_rate_limiter_wait_seconds_total/), 0.5);
  assert.equal(value(t, /^csync_breaker_state/), 2);
  hooks.onBreakerStateChange?.({ state: 'half-open' });
  assert.equal(value(await m.text(), /^csync_breaker_state/), 1);
});

test('engine-side metrics: pages, conflicts, sync duration, save-to-remote latency, queue depth', async () => {
  const m = createMetrics({ defaultMetrics: false });
  m.addPages('pushed', 3);
  m.addPages('pulled', 10);
  m.addPages('pulled', -5); // nonsense is ignored, never decrements a counter
  m.addConflicts(2);
  m.observeSync('push', 'ok', 1500);
  m.observeSync('poll', 'error', 200);
  m.observeSaveToRemote(1200);
  m.observeSaveToRemote(900);
  m.setQueueDepth(7);
  const t = await m.text();
  assert.equal(value(t, /^csync_pages_total\{direction="pushed"\}/), 3);
  assert.equal(value(t, /^csync_pages_total\{direction="pulled"\}/), 10);
  assert.equal(value(t, /^csync_conflicts_total/), 2);
  assert.equal(value(t, /^csync_sync_duration_seconds_count\{kind="push",outcome="ok"\}/), 1);
  assert.equal(value(t, /^csync_sync_duration_seconds_sum\{kind="push",outcome="ok"\}/), 1.5);
  assert.equal(value(t, /^csync_sync_duration_seconds_count\{kind="poll",outcome="error"\}/), 1);
  assert.equal(value(t, /^csync_save_to_remote_seconds_count/), 2);
  assert.equal(value(t, /^csync_save_to_remote_seconds_bucket\{le="1"\}/), 1);
  assert.equal(value(t, /^csync_queue_depth/), 7);
});

test('each createMetrics has its own registry; default process metrics are on unless turned off', async () => {
  const a = createMetrics();
  const b = createMetrics({ prefix: 'x_' });
  a.addConflicts(1);
  assert.match(await a.text(), /csync_process_cpu_seconds_total/);
  assert.match(await b.text(), /^x_conflicts_total 0$/m);
  assert.doesNotMatch(await createMetrics({ defaultMetrics: false }).text(), /process_cpu/);
  assert.match(a.contentType, /text\/plain/);
});

test('loopMetricsEvents: a loop run lands in the sync histogram, page counters and queue gauge, and is passed on', async () => {
  const { loopMetricsEvents } = await import('../../src/daemon/metrics-events.js');
  const m = createMetrics({ defaultMetrics: false });
  const seen: string[] = [];
  const ev = loopMetricsEvents(m, { onRun: (e) => seen.push(e.kind), onQueueDepth: (d) => seen.push(`q${d}`) });
  ev.onRun({ kind: 'poll', ok: true, durationMs: 250, paths: 0, outcome: { pagesPulled: 4 }, consecutiveFailures: 0 });
  ev.onRun({ kind: 'push', ok: false, durationMs: 100, paths: 2, error: new Error('x'), consecutiveFailures: 1 });
  ev.onQueueDepth(3);
  ev.onSaveToRemote(1100);
  const t = await m.text();
  assert.equal(value(t, /^csync_sync_duration_seconds_count\{kind="poll",outcome="ok"\}/), 1);
  assert.equal(value(t, /^csync_sync_duration_seconds_count\{kind="push",outcome="error"\}/), 1);
  assert.equal(value(t, /^csync_pages_total\{direction="pulled"\}/), 4);
  assert.equal(value(t, /^csync_queue_depth/), 3);
  assert.equal(value(t, /^csync_save_to_remote_seconds_count/), 1);
  assert.deepEqual(seen, ['poll', 'push', 'q3']);
});
