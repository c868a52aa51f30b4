import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDoctorChecks } from '../../src/remote/doctor.js';
import { baseOptions, sendJson, TOKEN, withServer } from './helpers.js';
import { freePort } from './redis-helpers.js';

function fakeSite(opts: { canCreate: boolean; authOk?: boolean; anonymous?: boolean; skewMs?: number }) {
  const methods: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    methods.push(`${req.method} ${req.url}`);
    if (opts.skewMs) res.setHeader('date', new Date(Date.now() + opts.skewMs).toUTCString());
    const rl = { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '97' };
    if (opts.authOk === false) return sendJson(res, 401, { message: 'Basic authentication with passwords is deprecated' });
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/wiki/rest/api/user/current') return sendJson(res, 200, opts.anonymous ? { type: 'anonymous' } : { type: 'known', accountId: 'a1', displayName: 'Demo User' }, rl);
    if (u.pathname === '/wiki/api/v2/spaces') {
      const key = u.searchParams.get('keys');
      return sendJson(res, 200, { results: key === 'DOC' ? [{ id: '100', key: 'DOC', name: 'Docs', homepageId: '1' }] : [], _links: {} }, rl);
    }
    if (u.pathname === '/wiki/api/v2/spaces/100/operations') {
      return sendJson(res, 200, { operations: [{ operation: 'read', targetType: 'space' }, ...(opts.canCreate ? [{ operation: 'create', targetType: 'page' }] : [])] }, rl);
    }
    sendJson(res, 404, {});
  };
  return { methods, handler };
}

test('doctor: all checks pass, reads only, reports flavour, latency and rate-limit headers', async () => {
  const site = fakeSite({ canCreate: true });
  await withServer(site.handler, async (url) => {
    const r = await runDoctorChecks({ client: baseOptions(url), spaces: ['DOC'] });
    assert.equal(r.ok, true, JSON.stringify(r.checks));
    assert.equal(r.flavour, 'cloud');
    assert.deepEqual(r.checks.map((c) => c.name), ['site url', 'credentials', 'space DOC', 'write DOC', 'rate limit', 'clock']);
    assert.equal(r.checks[5]?.ok, true);
    assert.match(r.checks[1]?.detail ?? '', /Demo User/);
    assert.ok(typeof r.latencyMs === 'number');
    assert.equal(r.rateLimitHeaders['x-ratelimit-remaining'], '97');
    assert.match(r.checks[4]?.detail ?? '', /x-ratelimit-limit=100/);
    assert.match(r.checks[4]?.detail ?? '', /^budget: this process alone, 950 req\/s;/);
    assert.equal(r.requests, 3);
  });
  assert.ok(site.methods.every((m) => m.startsWith('GET ')), 'changes nothing');
});

test('doctor: a shared budget whose Redis is unreachable is a warning naming it (no password), and the checks still run', async () => {
  const site = fakeSite({ canCreate: true });
  const port = await freePort(); // nothing listens there
  await withServer(site.handler, async (url) => {
    const r = await runDoctorChecks({ client: { ...baseOptions(url), rateLimit: { store: 'redis', redisUrl: `redis://csync:pw-SECRET@127.0.0.1:${port}/0` } }, spaces: ['DOC'] });
    const rate = r.checks.find((c) => c.name === 'rate limit');
    assert.equal(rate?.warning, true, JSON.stringify(rate));
    assert.match(rate?.detail ?? '', new RegExp(`Redis at redis://127\\.0\\.0\\.1:${port}/0 unreachable, pacing alone at 25% of 950 req/s`));
    assert.match(rate?.hint ?? '', /CSYNC_REDIS_URL/);
    assert.ok(!JSON.stringify(r).includes('pw-SECRET'));
    assert.equal(r.ok, true, 'a warning, not a failure');
    assert.equal(r.checks.find((c) => c.name === 'space DOC')?.ok, true);
  });
});

test('doctor: each failure says what to fix', async () => {
  const readOnly = fakeSite({ canCreate: false, skewMs: 5 * 60_000 });
  await withServer(readOnly.handler, async (url) => {
    const r = await runDoctorChecks({ client: baseOptions(url), spaces: ['DOC', 'NOPE'] });
    assert.equal(r.ok, false);
    const write = r.checks.find((c) => c.name === 'write DOC');
    assert.equal(write?.ok, false);
    assert.equal(write?.code, 'CSYNC_FORBIDDEN');
    assert.match(write?.hint ?? '', /Add Pages/);
    const nope = r.checks.find((c) => c.name === 'space NOPE');
    assert.equal(nope?.code, 'CSYNC_NOT_FOUND');
    assert.match(nope?.hint ?? '', /space key/);
    const clock = r.checks.find((c) => c.name === 'clock');
    assert.equal(clock?.warning, true);
    assert.match(clock?.detail ?? '', /behind/);
  });
  const badAuth = fakeSite({ canCreate: true, authOk: false });
  await withServer(badAuth.handler, async (url) => {
    const r = await runDoctorChecks({ client: baseOptions(url), spaces: ['DOC'] });
    const cred = r.checks.find((c) => c.name === 'credentials');
    assert.equal(cred?.code, 'CSYNC_AUTH');
    assert.match(cred?.hint ?? '', /API token/);
    assert.ok(!JSON.stringify(r).includes(TOKEN));
  });
  const anon = fakeSite({ canCreate: true, anonymous: true });
  await withServer(anon.handler, async (url) => {
    const r = await runDoctorChecks({ client: baseOptions(url, { auth: { kind: 'bearer', token: 'pat' } }), spaces: [] });
    assert.equal(r.checks.find((c) => c.name === 'credentials')?.ok, false);
    assert.equal(r.checks.find((c) => c.name === 'auth kind')?.warning, true);
  });
  const r = await runDoctorChecks({ client: baseOptions('http://confluence.example.com'), spaces: [] });
  assert.equal(r.checks[0]?.name, 'site url');
  assert.equal(r.checks[0]?.ok, false);
  assert.match(r.checks[0]?.hint ?? '', /https/);
  let freeUrl = '';
  await withServer(() => undefined, async (url) => {
    freeUrl = url;
  });
  const down = await runDoctorChecks({ client: baseOptions(freeUrl), spaces: ['DOC'] });
  assert.equal(down.checks.find((c) => c.name === 'connection')?.code, 'CSYNC_NETWORK');
});
