/**
 * Per-source metrics through real clients against the emulator: two clients sharing one metrics registry (as the
 * daemon will with Confluence and Jira) keep their figures apart by `source`; an answer that breaks the schema is
 * counted as drift for its source and endpoint, a 429 and its retry for theirs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../src/emulator/index.js';
import { createConfluenceClient } from '../../src/remote/index.js';
import { createMetrics } from '../../src/obs/metrics.js';
import { baseOptions } from './helpers.js';

function value(text: string, line: RegExp): number | undefined {
  const m = text.split('\n').find((l) => line.test(l));
  return m === undefined ? undefined : Number(m.split(' ').at(-1));
}

test('two sources on one registry: requests, latency, 429s, retries, drift and the limiter queue are labelled by source', async () => {
  const emu = await startEmulator({ seed: 'demo' });
  const metrics = createMetrics({ defaultMetrics: false });
  const make = (source: string) =>
    createConfluenceClient({ ...baseOptions(emu.url, { auth: { kind: 'basic', email: emu.credentials.email, token: emu.credentials.token } }), source, hooks: metrics.clientHooks() });
  const confluence = make('confluence');
  const jira = make('jira');
  try {
    await confluence.getSpaceByKey('DEMO');
    // Jira's client: one malformed answer (drift, then a retry) and one 503 with Retry-After on the same call.
    emu.scriptFaults([
      { kind: 'malformed', method: 'GET', path: '/api/v2/spaces', count: 1 },
      { kind: 'http503-retry', method: 'GET', path: '/api/v2/spaces', count: 1, retryAfter: 0 },
    ]);
    await jira.getSpaceByKey('DEMO');
    assert.equal(emu.faults.pending(), 0);
    const t = await metrics.text();
    assert.equal(value(t, /^csync_http_requests_total\{source="confluence",operation="spaces.getByKey",status="200"\}/), 1);
    assert.equal(value(t, /^csync_http_requests_total\{source="jira",operation="spaces.getByKey",status="200"\}/), 2, 'the malformed 200 and the good one');
    assert.equal(value(t, /^csync_http_requests_total\{source="jira",operation="spaces.getByKey",status="503"\}/), 1);
    assert.equal(value(t, /^csync_http_rate_limited_total\{source="jira",operation="spaces.getByKey"\}/), 1);
    assert.equal(value(t, /^csync_http_rate_limited_total\{source="confluence"/), undefined);
    assert.equal(value(t, /^csync_http_retries_total\{source="jira",operation="spaces.getByKey"\}/), 2);
    assert.equal(value(t, /^csync_schema_drift_total\{source="jira",endpoint="spaces.getByKey"\}/), 1);
    assert.equal(value(t, /^csync_schema_drift_total\{source="confluence"/), undefined);
    assert.equal(value(t, /^csync_http_request_duration_seconds_count\{source="jira",operation="spaces.getByKey"\}/), 3);
    assert.equal(value(t, /^csync_rate_limiter_queue\{source="jira"\}/), 0);
    assert.equal(value(t, /^csync_rate_limiter_in_flight\{source="confluence"\}/), 0);
    assert.equal(jira.stats().schemaDrift, 1);
    assert.equal(confluence.stats().schemaDrift, 0);
  } finally {
    await Promise.all([confluence.close(), jira.close()]);
    await emu.close();
  }
});

test('/metrics.json data: the figures as JSON and the last runs, newest first, capped', async () => {
  const { RUNS_KEPT } = await import('../../src/obs/metrics.js');
  const m = createMetrics({ defaultMetrics: false });
  m.observeRequest({ source: 'notion', op: 'blocks.list', status: 200, ms: 40 });
  for (let i = 0; i < RUNS_KEPT + 5; i++) m.observeSync('poll', 'ok', 10 + i);
  m.observeSync('push', 'error', 1500, 'CSYNC_NETWORK: down');
  const j = await m.json();
  const req = j.metrics.find((x) => (x as { name: string }).name === 'csync_http_requests_total') as { values: Array<{ labels: Record<string, string>; value: number }> };
  assert.deepEqual(req.values, [{ labels: { source: 'notion', operation: 'blocks.list', status: '200' }, value: 1 }]);
  assert.equal(j.runs.length, RUNS_KEPT);
  assert.deepEqual({ ...j.runs[0], startedAt: undefined, endedAt: undefined }, { kind: 'push', status: 'error', durationMs: 1500, error: 'CSYNC_NETWORK: down', startedAt: undefined, endedAt: undefined });
  assert.equal(Date.parse(j.runs[0]!.endedAt) - Date.parse(j.runs[0]!.startedAt), 1500);
  assert.equal(j.runs[1]!.durationMs, 10 + RUNS_KEPT + 4);
});
