/**
 * The daemon's operator view through a real `csync watch` against the emulator: per-source labels on /metrics,
 * /metrics.json (the same figures as JSON plus the last runs), and an answer that breaks the API's schema counted
 * as schema drift by source and endpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workspaceWithEmulator } from '../helpers/workspace.js';
import { startDaemonProcess, until, type DaemonProcess } from './daemon.js';

interface JsonMetric {
  name: string;
  type: string;
  values: Array<{ labels: Record<string, string | number>; value: number; metricName?: string }>;
}
interface MetricsJson {
  generatedAt: string;
  metrics: JsonMetric[];
  runs: Array<{ kind: string; status: string; startedAt: string; endedAt: string; durationMs: number }>;
}

function value(text: string, line: RegExp): number {
  const m = text.split('\n').find((l) => line.test(l));
  assert.ok(m, `no line matching ${line}`);
  return Number(m.split(' ').at(-1));
}

test('csync watch: /metrics by source, /metrics.json with the last runs, a malformed answer counted as schema drift', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  // The first listing of the space's labels answers 200 with a body the API does not document; the retry is fine.
  ws.emu.scriptFaults([{ kind: 'malformed', method: 'GET', path: '/content/labels', count: 1 }]);
  let d: DaemonProcess | undefined;
  try {
    d = await startDaemonProcess(ws.dir, ['--debounce', '200', '--poll', '60'], {
      CONFLUENCE_EMAIL: ws.emu.credentials.email,
      CONFLUENCE_API_TOKEN: ws.emu.credentials.token,
      CSYNC_PROFILE: 'fast',
    });
    const daemon = d;
    const json = async () => {
      const r = await fetch(`${daemon.url}/metrics.json`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      return (await r.json()) as MetricsJson;
    };
    await until(async () => (await json()).runs.length > 0, 'the first pass is listed in /metrics.json', 60_000, d);
    assert.equal(ws.emu.faults.pending(), 0, 'the malformed answer was served');

    const text = await d.metrics();
    assert.ok(value(text, /^csync_http_requests_total\{source="confluence",operation="pages.list",status="200"\}/) >= 1);
    assert.ok(value(text, /^csync_http_request_duration_seconds_count\{source="confluence",operation="pages.list"\}/) >= 1);
    assert.equal(value(text, /^csync_schema_drift_total\{source="confluence",endpoint="labels.listSpace"\}/), 1);
    assert.equal(value(text, /^csync_http_retries_total\{source="confluence",operation="labels.listSpace"\}/), 1);
    assert.equal(value(text, /^csync_rate_limiter_queue\{source="confluence"\}/), 0, 'nothing waits once the pass is over');
    assert.equal(value(text, /^csync_rate_limiter_store\{source="confluence",store="local"\}/), 1);
    assert.doesNotMatch(text, /source="(jira|notion)"/, 'no other source was used');

    const j = await json();
    const metric = (name: string) => {
      const m = j.metrics.find((x) => x.name === name);
      assert.ok(m, `${name} in /metrics.json`);
      return m;
    };
    assert.deepEqual(metric('csync_schema_drift_total').values.map((v) => [v.labels, v.value]), [[{ source: 'confluence', endpoint: 'labels.listSpace' }, 1]]);
    // The same figures as the text: every request counter line matches.
    for (const v of metric('csync_http_requests_total').values) {
      const { source, operation, status } = v.labels;
      assert.equal(v.value, value(text, new RegExp(`^csync_http_requests_total\\{source="${source}",operation="${operation}",status="${status}"\\}`)));
    }
    const run = j.runs[0]!;
    assert.equal(run.status, 'ok');
    assert.ok(['pull', 'poll', 'sync', 'push', 'rescan'].includes(run.kind), run.kind);
    assert.ok(run.durationMs >= 0 && Date.parse(run.startedAt) <= Date.parse(run.endedAt));
    assert.deepEqual((await (await fetch(`${d.url}/nope`)).json()) as unknown, { error: 'not found', endpoints: ['/healthz', '/metrics', '/metrics.json', '/exports'] });
  } finally {
    d?.kill();
    await d?.exited;
    await ws.close();
  }
});
