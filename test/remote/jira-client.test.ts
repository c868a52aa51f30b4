/** The Jira client against the emulator: paging (Cloud tokens, Data Center offsets), comments, faults, 429, breaker, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteError } from '../../src/core/errors.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { createConfluenceClient } from '../../src/remote/index.js';
import { createJiraClient, type JiraClient, type JiraClientOptions } from '../../src/remote/jira/index.js';
import { drain } from './emulator-helpers.js';
import { manualClock, virtualClock } from './helpers.js';

async function withJira<T>(emuOptions: EmulatorOptions, clientOptions: Partial<JiraClientOptions>, fn: (emu: Emulator, j: JiraClient) => Promise<T>): Promise<T> {
  const emu = await startEmulator(emuOptions);
  const j = createJiraClient({
    baseUrl: emu.origin,
    flavour: 'cloud',
    auth: { kind: 'basic', email: emu.credentials.email, token: emu.credentials.token },
    rate: { requestsPerSecond: 2000, burst: 2000, maxConcurrent: 4 },
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 50 },
    timeouts: { connectMs: 2000, responseMs: 5000 },
    breaker: { failureThreshold: 50, halfOpenAfterMs: 1000 },
    ...clientOptions,
  });
  try {
    return await fn(emu, j);
  } finally {
    await j.close();
    await emu.close();
  }
}

const searches = (emu: Emulator, path: string) => emu.requestLog().filter((r) => r.path === path).length;

test('Cloud: JQL search is token-paged (ceil(N/page) requests), fields and ADF bodies come with it, comments are paged', async () => {
  await withJira({ seed: 'demo' }, {}, async (emu, j) => {
    const all = await drain(j.search('project = DEMO ORDER BY key ASC', { pageSize: 10 }));
    assert.equal(all.length, 42);
    assert.deepEqual(all.slice(0, 3).map((i) => i.key), ['DEMO-1', 'DEMO-2', 'DEMO-3']);
    assert.equal(searches(emu, '/rest/api/3/search/jql'), 5, '42 issues in pages of 10');
    const i4 = all.find((i) => i.key === 'DEMO-4')!;
    assert.equal(i4.summary, 'Restart the sync daemon after a failed upgrade');
    assert.deepEqual(i4.labels, ['runbook', 'ops']);
    assert.equal(i4.parent?.key, 'DEMO-2');
    assert.equal(i4.description?.format, 'adf');
    assert.deepEqual(i4.links.map((l) => `${l.relation} ${l.key}`), ['blocks DEMO-6']);
    assert.equal(i4.attachments[0]?.filename, 'upgrade.log');
    const i6 = all.find((i) => i.key === 'DEMO-6')!;
    assert.equal(i6.comments.length, 20, 'the search embeds the first 20 comments');
    assert.equal(i6.commentTotal, 48);
    emu.resetLog();
    const full = await j.complete(i6);
    assert.equal(full.comments.length, 48);
    assert.equal(new Set(full.comments.map((c) => c.id)).size, 48);
    const times = full.comments.map((c) => Date.parse(c.created));
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'chronological');
    assert.deepEqual(emu.requestCounts(), { 'GET /rest/api/3/issue/{key}/comment': 1 });
    assert.equal((await j.complete(all.find((i) => i.key === 'DEMO-1')!)).comments.length, 0, 'nothing to fetch: no request');
    assert.equal(emu.requestLog().length, 1);
    const me = await j.myself();
    assert.equal(me.displayName, 'Demo User');
    assert.deepEqual(emu.invalidRequests(), []);
  });
});

test('Data Center: /rest/api/2/search is offset-paged with a PAT, bodies are wiki markup', async () => {
  await withJira({ seed: 'demo', flavour: 'data-center' }, { flavour: 'data-center', auth: { kind: 'bearer', token: 'demo-pat' } }, async (emu, j) => {
    const runbooks = await drain(j.search('labels = runbook ORDER BY key ASC', { pageSize: 2 }));
    assert.deepEqual(runbooks.map((i) => i.key), ['DEMO-2', 'DEMO-4', 'DEMO-5', 'DEMO-6']);
    assert.equal(searches(emu, '/rest/api/2/search'), 2);
    const d = runbooks[1]!.description;
    assert.equal(d?.format, 'wiki');
    assert.match(d?.format === 'wiki' ? d.text : '', /^h2\. Steps\n\n# Stop the unit: \{\{systemctl --user stop csync\}\}/);
    assert.equal(runbooks[1]!.reporter, 'Sam Third');
    const six = await j.complete(runbooks[3]!);
    assert.equal(six.comments.length, 48);
    assert.equal(six.comments[0]!.body?.format, 'wiki');
    // Cloud's v3 is not served by a Data Center Jira.
    assert.equal((await fetch(`${emu.origin}/rest/api/3/myself`, { headers: { authorization: 'Bearer demo-pat' } })).status, 404);
    assert.deepEqual(emu.invalidRequests(), []);
  });
});

test('a search through 20% injected faults (5xx, resets, stalls, cut bodies) returns every issue once', async () => {
  const vc = virtualClock();
  await withJira(
    { seed: 'empty', jiraIssues: 300, faultProbability: 0.2, stallMs: 2000 },
    { clock: vc.clock, sleep: (ms) => vc.sleep(ms), retry: { maxRetries: 12, baseDelayMs: 5, maxDelayMs: 100 }, timeouts: { connectMs: 1000, responseMs: 600 }, breaker: { failureThreshold: 30, halfOpenAfterMs: 100 } },
    async (emu, j) => {
      const keys: string[] = [];
      for await (const i of j.search('project = BENCH ORDER BY key ASC', { pageSize: 25 })) keys.push((await j.complete(i)).key);
      assert.equal(keys.length, 300);
      assert.equal(new Set(keys).size, 300);
      const faults = emu.requestLog().filter((r) => r.fault);
      assert.ok(faults.length >= 5, `${faults.length} faults injected`);
      assert.ok(j.stats().retries >= faults.length);
      assert.deepEqual(emu.invalidRequests(), []);
    },
  );
});

test('a 429 pauses the Jira client for Retry-After; the Confluence client has its own budget and is not held', async () => {
  const mc = manualClock(1_000_000);
  let sawLimit: () => void = () => undefined;
  const limitSeen = new Promise<void>((resolve) => {
    sawLimit = resolve;
  });
  await withJira(
    { seed: 'demo', rateLimit: { rps: 0.2, burst: 1 }, clock: () => mc.now },
    { clock: mc.clock, sleep: (ms) => mc.sleep(ms), rate: { requestsPerSecond: 100, burst: 100, maxConcurrent: 2 }, retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 100 }, hooks: { onRateLimited: () => sawLimit() } },
    async (emu, j) => {
      const confluence = createConfluenceClient({
        baseUrl: emu.url,
        auth: { kind: 'basic', email: emu.credentials.email, token: emu.credentials.token },
        rate: { requestsPerSecond: 100, burst: 100, maxConcurrent: 2 },
        retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 100 },
        timeouts: { connectMs: 2000, responseMs: 5000 },
        breaker: { failureThreshold: 50, halfOpenAfterMs: 1000 },
        clock: mc.clock,
        sleep: (ms) => mc.sleep(ms),
      });
      try {
        await mc.drive(j.myself()); // takes the only token
        const run = (async () => {
          const first = drain(j.search('key in (DEMO-1, DEMO-2)'));
          await limitSeen;
          emu.setRateLimit({ rps: 1000, burst: 1000 });
          const space = await confluence.getSpaceByKey('DEMO');
          return { issues: await first, space };
        })();
        // (a long idle step: virtual time moves only once the Confluence request has had ample real time)
        const { issues, space } = await mc.drive(run, 250);
        assert.equal(issues.length, 2);
        assert.equal(space.key, 'DEMO');
        const log = emu.requestLog();
        const i429 = log.findIndex((r) => r.status === 429);
        const t429 = log[i429]!.at;
        assert.match(log[i429]!.path, /^\/rest\/api\/3\/search\/jql/);
        const tSpace = log.find((r) => r.path.startsWith('/wiki/api/v2/spaces'))!.at;
        assert.ok(tSpace - t429 < 1000, `Confluence went on at once (${tSpace - t429} ms after the 429): a separate limiter`);
        const retried = log.slice(i429 + 1).find((r) => r.path.startsWith('/rest/api/3/search/jql'))!;
        assert.ok(retried.at - t429 >= 5000, `the Jira search waited ${retried.at - t429} ms`);
        assert.equal(j.stats().rateLimited, 1);
        assert.equal(confluence.stats().rateLimited, 0);
        assert.notEqual(j.rateLimiter().id, confluence.rateLimiter().id);
      } finally {
        await confluence.close();
      }
    },
  );
});

test('breaker opens on a failing Jira and recovers; errors carry codes, Jira messages and Jira hints; no token leaks', async () => {
  const vc = virtualClock();
  await withJira(
    { seed: 'demo' },
    { clock: vc.clock, sleep: (ms) => vc.sleep(ms), retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 10 }, breaker: { failureThreshold: 4, halfOpenAfterMs: 30_000 } },
    async (emu, j) => {
      emu.scriptFaults([{ kind: 'http502', method: 'GET', path: '/rest/api/3/', count: 4 }]);
      await assert.rejects(j.myself(), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_SERVER' && /Jira/.test(e.hint ?? ''));
      await assert.rejects(j.myself(), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_CIRCUIT_OPEN');
      vc.advance(30_000);
      assert.equal((await j.myself()).displayName, 'Demo User');
      assert.equal(j.breakerState().state, 'closed');
      await assert.rejects(drain(j.search('labels = runbook AND (')), (e: unknown) => {
        assert.ok(e instanceof RemoteError && e.code === 'CSYNC_BAD_REQUEST');
        assert.match(e.serverMessage ?? '', /Error in the JQL Query/);
        assert.match(e.hint ?? '', /Jira/);
        return true;
      });
      await assert.rejects(drain(j.comments('NOPE-1')), (e: unknown) => e instanceof RemoteError && e.code === 'CSYNC_NOT_FOUND' && /issue key/.test(e.hint ?? ''));
      assert.deepEqual(emu.invalidRequests(), []);
    },
  );
  const wrong = 'wrong-jira-token-0123456789';
  const logged: string[] = [];
  const log = (o: object, m?: string) => logged.push(JSON.stringify(o) + (m ?? ''));
  await withJira({ seed: 'demo' }, { auth: { kind: 'basic', email: 'demo@example.com', token: wrong }, logger: { debug: log, info: log, warn: log } }, async (_emu, j) => {
    let text = '';
    await assert.rejects(j.myself(), (e: unknown) => {
      assert.ok(e instanceof RemoteError && e.code === 'CSYNC_AUTH');
      assert.match(e.hint ?? '', /Jira Cloud needs your Atlassian e-mail and an API token/);
      text = `${e.message} ${e.hint} ${e.stack} ${JSON.stringify(e)}`;
      return true;
    });
    for (const s of [text, ...logged]) assert.ok(!s.includes(wrong), 'token leaked');
  });
});
