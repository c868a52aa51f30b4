import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startHealthServer } from '../../src/daemon/http.js';
import { assertListenAllowed, isLoopbackHost, parseListen } from '../../src/daemon/listen.js';
import { healthReport } from '../../src/daemon/health.js';
import type { LoopStatus } from '../../src/daemon/loop.js';
import { createMetrics } from '../../src/obs/metrics.js';
import { clearSecrets, registerSecret } from '../../src/obs/redact.js';

function get(url: string, method = 'GET'): Promise<{ status: number; type: string; body: string; allow?: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body, allow: res.headers.allow }));
    });
    req.on('error', reject);
    req.end();
  });
}

const okLoop: LoopStatus = {
  state: 'running',
  ready: true,
  running: null,
  queueDepth: 0,
  lastSuccessfulPull: '2026-01-01T00:00:00.000Z',
  lastSuccessfulPush: null,
  consecutiveFailures: 0,
  lastError: null,
  conflicts: 1,
  nextPollAt: '2026-01-01T00:00:30.000Z',
  nextRetryAt: null,
  nextRescanAt: null,
};

test('healthReport: healthy only when ready, no failures, breaker not open, watcher ready', () => {
  const cases: Array<[string, Parameters<typeof healthReport>[0], boolean, string[]]> = [
    ['all good', { loop: okLoop, breaker: 'closed', watcher: { ready: true } }, true, []],
    ['conflicts alone stay healthy', { loop: { ...okLoop, conflicts: 7 } }, true, []],
    ['starting', { loop: { ...okLoop, ready: false } }, false, ['starting']],
    ['failing', { loop: { ...okLoop, state: 'backoff', consecutiveFailures: 3, lastError: { code: 'CSYNC_NETWORK', message: 'x', at: '' } } }, false, ['3 consecutive failed run(s): CSYNC_NETWORK']],
    ['initial poll failed', { loop: { ...okLoop, ready: false, consecutiveFailures: 1 } }, false, ['initial poll failed', '1 consecutive failed run(s): error']],
    ['breaker open', { loop: okLoop, breaker: 'open' }, false, ['circuit breaker open']],
    ['breaker half-open is fine', { loop: okLoop, breaker: 'half-open' }, true, []],
    ['watcher error', { loop: okLoop, watcher: { ready: true, error: 'ENOSPC' } }, false, ['file watcher: ENOSPC']],
    ['watcher starting', { loop: okLoop, watcher: { ready: false } }, false, ['file watcher starting']],
    ['stopping', { loop: { ...okLoop, state: 'stopping', ready: false } }, false, ['stopping']],
  ];
  for (const [name, input, healthy, reasons] of cases) {
    const r = healthReport(input);
    assert.equal(r.healthy, healthy, name);
    assert.deepEqual(r.reasons, reasons, name);
  }
  const r = healthReport({ loop: okLoop });
  assert.equal(r.breaker, 'unknown');
  assert.equal(r.conflicts, 1);
  assert.equal(r.watcher, null);
});

test('parseListen and the loopback rule', () => {
  assert.deepEqual(parseListen('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseListen('localhost:80'), { host: 'localhost', port: 80 });
  for (const bad of ['9464', '127.0.0.1', '127.0.0.1:99999', 'a b:1', '::1:9464']) assert.throws(() => parseListen(bad), { code: 'CSYNC_CONFIG' }, bad);
  const table: Array<[string, boolean]> = [
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['example.com', false],
    ['128.0.0.1', false],
  ];
  for (const [host, loop] of table) assert.equal(isLoopbackHost(host), loop, host);
  assert.throws(() => assertListenAllowed('0.0.0.0', false), /non-loopback/);
  assert.doesNotThrow(() => assertListenAllowed('0.0.0.0', true));
});

test('server: /healthz 200/503 with the JSON report, /metrics in Prometheus text, 404, 405', async () => {
  const metrics = createMetrics();
  let loop: LoopStatus = okLoop;
  const server = await startHealthServer({ port: 0, getHealth: () => healthReport({ loop, breaker: 'closed' }), registry: metrics.registry });
  try {
    assert.equal(server.host, '127.0.0.1');
    assert.ok(server.port > 0);
    let r = await get(`${server.url}/healthz`);
    assert.equal(r.status, 200);
    assert.match(r.type, /application\/json/);
    const body = JSON.parse(r.body) as Record<string, unknown>;
    for (const key of ['ready', 'lastSuccessfulPull', 'lastSuccessfulPush', 'queueDepth', 'breaker', 'conflicts', 'consecutiveFailures', 'lastError']) assert.ok(key in body, key);
    assert.equal(body.conflicts, 1);

    loop = { ...okLoop, state: 'backoff', consecutiveFailures: 2, lastError: { code: 'CSYNC_NETWORK', message: 'down', at: '' } };
    r = await get(`${server.url}/healthz?verbose=1`);
    assert.equal(r.status, 503);
    assert.equal((JSON.parse(r.body) as { healthy: boolean }).healthy, false);

    metrics.observeRequest({ op: 'pages.list', status: 200, ms: 120 });
    metrics.setQueueDepth(4);
    r = await get(`${server.url}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/plain/);
    assert.match(r.body, /csync_http_requests_total\{source="confluence",operation="pages.list",status="200"\} 1/);
    assert.match(r.body, /csync_queue_depth 4/);
    assert.match(r.body, /csync_process_resident_memory_bytes/);

    r = await get(`${server.url}/`);
    assert.equal(r.status, 404);
    r = await get(`${server.url}/healthz`, 'POST');
    assert.equal(r.status, 405);
    assert.equal(r.allow, 'GET');
    r = await get(`${server.url}/metrics`, 'DELETE');
    assert.equal(r.status, 405);
  } finally {
    await server.close();
  }
});

test('server: a secret in an error message never leaves through /healthz', async () => {
  registerSecret('s3cr3t-token-value');
  try {
    const loop: LoopStatus = { ...okLoop, consecutiveFailures: 1, lastError: { code: 'CSYNC_AUTH', message: 'rejected s3cr3t-token-value', at: '' } };
    const server = await startHealthServer({ port: 0, getHealth: () => healthReport({ loop }), registry: createMetrics({ defaultMetrics: false }).registry });
    try {
      const r = await get(`${server.url}/healthz`);
      assert.equal(r.status, 503);
      assert.doesNotMatch(r.body, /s3cr3t/);
      assert.match(r.body, /\[REDACTED\]/);
    } finally {
      await server.close();
    }
  } finally {
    clearSecrets();
  }
});

test('server: refuses a non-loopback host unless allowRemote; a busy port is a CSYNC_CONFIG error', async () => {
  const registry = createMetrics({ defaultMetrics: false }).registry;
  await assert.rejects(startHealthServer({ host: '0.0.0.0', port: 0, getHealth: () => ({ healthy: true }), registry }), { code: 'CSYNC_CONFIG', message: /non-loopback/ });
  const a = await startHealthServer({ port: 0, getHealth: () => ({ healthy: true }), registry });
  try {
    await assert.rejects(startHealthServer({ port: a.port, getHealth: () => ({ healthy: true }), registry }), { code: 'CSYNC_CONFIG', message: /EADDRINUSE/ });
  } finally {
    await a.close();
  }
});
