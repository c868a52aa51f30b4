import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfterMs, retryDelayMs } from '../../src/core/backoff.js';
import { atlassianMessage, classifyNetworkError, classifyStatus, TOKEN_URL } from '../../src/remote/classify.js';
import { resolveSiteUrls } from '../../src/remote/site-url.js';
import { CircuitBreaker } from '../../src/remote/breaker.js';
import { normalizeOptions, type ClientOptions } from '../../src/remote/options.js';
import { CsyncError } from '../../src/core/errors.js';

test('retryDelayMs: exponential, full jitter, capped', () => {
  const o = { baseDelayMs: 100, maxDelayMs: 1000 };
  const cases: Array<[number, number, number]> = [
    // attempt, random, expected
    [1, 0.999999, 99],
    [2, 0.999999, 199],
    [3, 0.5, 200],
    [4, 0.999999, 799],
    [5, 0.999999, 999], // 1600 capped at 1000
    [30, 0.999999, 999],
    [3, 0, 0],
  ];
  for (const [attempt, random, expected] of cases) assert.equal(retryDelayMs(attempt, o, undefined, random), expected, `attempt ${attempt}`);
});

test('retryDelayMs: Retry-After is a floor, even above the cap', () => {
  const o = { baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(retryDelayMs(1, o, 5000, 0.5), 5000);
  assert.equal(retryDelayMs(5, o, 10, 0.5), 500);
});

test('parseRetryAfterMs: seconds, HTTP date, garbage', () => {
  assert.equal(parseRetryAfterMs('5', 0), 5000);
  assert.equal(parseRetryAfterMs(['2'], 0), 2000);
  assert.equal(parseRetryAfterMs('0.5', 0), 500);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:07 GMT', now), 7000);
  assert.equal(parseRetryAfterMs('soon', 0), undefined);
  assert.equal(parseRetryAfterMs(undefined, 0), undefined);
  assert.equal(parseRetryAfterMs('', 0), undefined);
});

test('classifyStatus: codes, retry classes and hints', () => {
  const table: Array<[number, string, string]> = [
    [401, 'CSYNC_AUTH', 'no'],
    [403, 'CSYNC_FORBIDDEN', 'no'],
    [404, 'CSYNC_NOT_FOUND', 'no'],
    [409, 'CSYNC_VERSION_CONFLICT', 'no'],
    [413, 'CSYNC_TOO_LARGE', 'no'],
    [400, 'CSYNC_BAD_REQUEST', 'no'],
    [429, 'CSYNC_RATE_LIMITED', 'safe'],
    [500, 'CSYNC_SERVER', 'ambiguous'],
    [503, 'CSYNC_SERVER', 'ambiguous'],
  ];
  for (const [status, code, retry] of table) {
    const d = classifyStatus(status, 'basic');
    assert.equal(d.code, code, String(status));
    assert.equal(d.retry, retry, String(status));
    assert.ok(d.hint.length > 10, `hint for ${status}`);
  }
  assert.ok(classifyStatus(401, 'basic').hint.includes(TOKEN_URL));
  assert.ok(classifyStatus(401, 'basic').hint.includes('not your password'));
  assert.ok(classifyStatus(401, 'bearer').hint.includes('personal access token'));
  assert.equal(classifyStatus(500, 'basic').breakerFailure, true);
  assert.equal(classifyStatus(429, 'basic').breakerFailure, false);
  assert.equal(classifyStatus(404, 'basic').breakerFailure, false);
});

test('classifyNetworkError: timeouts, refused, resets', () => {
  assert.equal(classifyNetworkError('ETIMEDOUT', 'TimeoutError').code, 'CSYNC_TIMEOUT');
  assert.equal(classifyNetworkError('ETIMEDOUT', 'TimeoutError').retry, 'ambiguous');
  assert.equal(classifyNetworkError('ECONNREFUSED', 'RequestError').retry, 'safe');
  assert.equal(classifyNetworkError('ECONNRESET', 'ReadError').code, 'CSYNC_NETWORK');
  assert.equal(classifyNetworkError('ECONNRESET', 'ReadError').retry, 'ambiguous');
  assert.equal(classifyNetworkError('DEPTH_ZERO_SELF_SIGNED_CERT', 'RequestError').retry, 'no');
});

test('atlassianMessage: v2 errors, v1 message, junk', () => {
  assert.equal(
    atlassianMessage('{"errors":[{"status":409,"code":"CONFLICT","title":"Version must be incremented","detail":null}]}'),
    'Version must be incremented',
  );
  assert.equal(atlassianMessage('{"statusCode":409,"message":"Version must be incremented on update. Current version is: 3"}'), 'Version must be incremented on update. Current version is: 3');
  assert.equal(atlassianMessage('<html>oops</html>'), undefined);
  assert.equal(atlassianMessage(''), undefined);
  assert.equal(atlassianMessage('{"x":1}'), undefined);
  assert.ok((atlassianMessage(JSON.stringify({ message: 'a'.repeat(1000) })) ?? '').length <= 300);
});

test('resolveSiteUrls: Cloud with and without /wiki, Data Center context paths, http rules', () => {
  for (const u of ['https://acme.atlassian.net', 'https://acme.atlassian.net/', 'https://acme.atlassian.net/wiki', 'https://acme.atlassian.net/wiki/spaces/DOC/overview']) {
    const s = resolveSiteUrls(u);
    assert.equal(s.v2, 'https://acme.atlassian.net/wiki/api/v2', u);
    assert.equal(s.v1, 'https://acme.atlassian.net/wiki/rest/api', u);
    assert.equal(s.flavour, 'cloud', u);
  }
  const dc = resolveSiteUrls('https://intranet.example.com/confluence/');
  assert.equal(dc.v1, 'https://intranet.example.com/confluence/rest/api');
  assert.equal(dc.flavour, 'data-center');
  assert.equal(resolveSiteUrls('https://c.example.com').v1, 'https://c.example.com/rest/api');
  assert.equal(resolveSiteUrls('http://127.0.0.1:8080/wiki').v2, 'http://127.0.0.1:8080/wiki/api/v2');
  assert.equal(resolveSiteUrls('http://localhost:1/wiki').flavour, 'cloud');
  assert.throws(() => resolveSiteUrls('http://confluence.example.com'), (e: unknown) => e instanceof CsyncError && e.code === 'CSYNC_CONFIG' && /allowInsecureHttp/.test(e.hint ?? ''));
  assert.equal(resolveSiteUrls('http://confluence.example.com', true).origin, 'http://confluence.example.com');
  assert.throws(() => resolveSiteUrls('ftp://x'), CsyncError);
  assert.throws(() => resolveSiteUrls('not a url'), CsyncError);
  assert.throws(() => resolveSiteUrls('https://me:pw@acme.atlassian.net'), CsyncError);
});

test('CircuitBreaker: opens after threshold, fails fast, half-opens one probe, recovers or re-opens', () => {
  let now = 0;
  const changes: string[] = [];
  const b = new CircuitBreaker({ failureThreshold: 3, halfOpenAfterMs: 1000 }, { now: () => now }, (s) => changes.push(s));
  assert.equal(b.state(), 'closed');
  for (let i = 0; i < 2; i++) b.recordFailure(false);
  assert.equal(b.state(), 'closed');
  b.recordSuccess(false); // resets the count
  for (let i = 0; i < 3; i++) b.recordFailure(false);
  assert.equal(b.state(), 'open');
  const denied = b.tryAcquire();
  assert.deepEqual(denied, { allowed: false, retryInMs: 1000 });
  now = 999;
  assert.equal(b.tryAcquire().allowed, false);
  now = 1000;
  assert.equal(b.state(), 'half-open');
  assert.deepEqual(b.tryAcquire(), { allowed: true, probe: true });
  assert.equal(b.tryAcquire().allowed, false, 'only one probe at a time');
  b.recordFailure(true);
  assert.equal(b.state(), 'open');
  now = 2000;
  const probe = b.tryAcquire();
  assert.deepEqual(probe, { allowed: true, probe: true });
  b.recordSuccess(true);
  assert.equal(b.state(), 'closed');
  assert.deepEqual(b.tryAcquire(), { allowed: true, probe: false });
  assert.deepEqual(changes, ['open', 'open', 'closed']);
  assert.equal(b.snapshot().opens, 2);
});

const base: ClientOptions = {
  baseUrl: 'https://acme.atlassian.net',
  auth: { kind: 'basic', email: 'a@b.c', token: 'SECRET-TOKEN-123' },
  rate: { requestsPerSecond: 10, burst: 20, maxConcurrent: 4 },
  retry: { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000 },
  timeouts: { connectMs: 1000, responseMs: 1000 },
  breaker: { failureThreshold: 5, halfOpenAfterMs: 1000 },
};

test('normalizeOptions: freezes, copies, names the bad field, never echoes the token', () => {
  const n = normalizeOptions(base);
  assert.ok(Object.isFrozen(n) && Object.isFrozen(n.rate));
  assert.throws(() => normalizeOptions({ ...base, rate: { ...base.rate, burst: 0 } }), /rate\.burst/);
  assert.throws(() => normalizeOptions({ ...base, retry: { ...base.retry, maxRetries: -1 } }), /retry\.maxRetries/);
  assert.throws(() => normalizeOptions({ ...base, auth: { kind: 'basic', email: 'nope', token: 'SECRET-TOKEN-123' } }), (e: unknown) => e instanceof CsyncError && !e.message.includes('SECRET'));
  assert.throws(() => normalizeOptions({ ...base, auth: { kind: 'bearer', token: '' } }), /auth\.token/);
});

test('normalizeOptions: logs as the "remote" child exactly once, whether or not the caller already made it', async () => {
  const { default: pino } = await import('pino');
  const lines: string[] = [];
  const root = pino({ level: 'info' }, { write: (s: string) => lines.push(s) });
  normalizeOptions({ ...base, logger: root.child({ module: 'remote' }) }).logger.info({ n: 1 }, 'a');
  normalizeOptions({ ...base, logger: root }).logger.info({ n: 2 }, 'b');
  assert.equal(lines.length, 2);
  for (const l of lines) assert.equal(l.match(/"module":"remote"/g)?.length, 1, l);
});
