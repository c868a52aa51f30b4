import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, envNameFor, SETTINGS } from '../../src/config/index.js';
import { secretsOf } from '../../src/config/types.js';
import { CsyncError } from '../../src/core/errors.js';
import { tempDir } from '../helpers/cli.js';

function workspace(file?: unknown, dotenv?: string) {
  const t = tempDir();
  mkdirSync(join(t.dir, 'config'));
  if (file !== undefined) writeFileSync(join(t.dir, 'config', 'csync.json'), typeof file === 'string' ? file : JSON.stringify(file));
  if (dotenv !== undefined) writeFileSync(join(t.dir, '.env'), dotenv, { mode: 0o600 });
  return t;
}

function loadError(fn: () => unknown): CsyncError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CsyncError, `expected a CsyncError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an error');
}

test('defaults give the balanced profile and markdown format', () => {
  const t = workspace();
  try {
    const c = loadConfig({ workspace: t.dir, env: {} });
    assert.equal(c.profile, 'balanced');
    assert.equal(c.format, 'markdown');
    assert.deepEqual(c.rate, { requestsPerSecond: 10, burst: 20, maxConcurrent: 4 });
    assert.equal(c.sources['rate.requestsPerSecond']?.layer, 'profile');
    assert.equal(c.sources['format']?.layer, 'default');
  } finally {
    t.cleanup();
  }
});

test('each layer overrides the one below: profile < file < .env < environment < flags', () => {
  const t = workspace(
    { profile: 'fast', rate: { burst: 33, maxConcurrent: 3 }, sync: { versionMessage: 'from file' }, batch: { pageSize: 100 } },
    'CSYNC_RATE_MAX_CONCURRENT=5\nCSYNC_SYNC_VERSION_MESSAGE=from dotenv\nCSYNC_BATCH_PAGE_SIZE=50\n',
  );
  try {
    const c = loadConfig({
      workspace: t.dir,
      env: { CSYNC_SYNC_VERSION_MESSAGE: 'from env', CSYNC_BATCH_PAGE_SIZE: '40' },
      flags: { 'batch.pageSize': 30 },
    });
    assert.equal(c.rate.requestsPerSecond, 20, 'fast profile sets 20 req/s');
    assert.equal(c.rate.burst, 33, 'file overrides profile');
    assert.equal(c.rate.maxConcurrent, 5, '.env overrides file');
    assert.equal(c.sync.versionMessage, 'from env', 'environment overrides .env');
    assert.equal(c.batch.pageSize, 30, 'flags override environment');
    assert.equal(c.sources['batch.pageSize']?.layer, 'flag');
  } finally {
    t.cleanup();
  }
});

test('the profile can be chosen by environment or flag, and flags win', () => {
  const t = workspace({ profile: 'fast' });
  try {
    assert.equal(loadConfig({ workspace: t.dir, env: { CSYNC_PROFILE: 'conservative' } }).rate.requestsPerSecond, 5);
    assert.equal(loadConfig({ workspace: t.dir, env: { CSYNC_PROFILE: 'conservative' }, flags: { profile: 'balanced' } }).rate.requestsPerSecond, 10);
  } finally {
    t.cleanup();
  }
});

test('credentials come from the CONFLUENCE_* and ATLASSIAN_* variables; CSYNC_* wins over aliases', () => {
  const t = workspace({});
  try {
    const c = loadConfig({
      workspace: t.dir,
      env: { CONFLUENCE_URL: 'https://a.atlassian.net', ATLASSIAN_USERNAME: 'me@a.com', ATLASSIAN_API_TOKEN: 'tok1', CONFLUENCE_SPACE_KEY: 'DOC,ENG' },
    });
    assert.equal(c.site.url, 'https://a.atlassian.net');
    assert.equal(c.site.email, 'me@a.com');
    assert.equal(c.site.apiToken, 'tok1');
    assert.deepEqual(c.spaces, ['DOC', 'ENG']);
    const d = loadConfig({ workspace: t.dir, env: { CONFLUENCE_EMAIL: 'first@a.com', CONFLUENCE_USERNAME: 'second@a.com', CSYNC_SITE_URL: 'https://b.atlassian.net', CONFLUENCE_URL: 'https://a.atlassian.net', CONFLUENCE_PAT: 'p' } });
    assert.equal(d.site.email, 'first@a.com');
    assert.equal(d.site.url, 'https://b.atlassian.net');
    assert.equal(d.site.pat, 'p');
  } finally {
    t.cleanup();
  }
});

test('every setting has a CSYNC_ environment variable that sets it', () => {
  const t = workspace({});
  try {
    const samples: Record<string, string> = { string: 'x', number: '7', boolean: 'true', list: 'A,B', json: '[]' };
    for (const def of SETTINGS) {
      const name = envNameFor(def.path);
      assert.match(name, /^CSYNC_[A-Z0-9_]+$/);
      let raw = samples[def.kind]!;
      if (def.path === 'site.url') raw = 'https://x.atlassian.net';
      if (def.path === 'format') raw = 'storage';
      if (def.path === 'profile' || def.path.endsWith('.profile')) raw = 'fast';
      if (def.path === 'log.level') raw = 'debug';
      if (def.path === 'watch.listen') raw = '127.0.0.1:9999';
      if (def.path === 'scope.rootPageId') raw = '123';
      if (def.path === 'retry.maxDelayMs') raw = '60000';
      if (def.path === 'rateLimit.store') raw = 'local';
      if (def.path === 'rateLimit.redisUrl') raw = 'redis://127.0.0.1:6379';
      if (def.path === 'rateLimit.fallbackShare') raw = '0.5';
      if (def.path === 'rateLimit.heartbeatMs') raw = '100';
      if (def.path === 'jira.url') raw = 'https://jira.example.com';
      if (def.path === 'jira.flavour') raw = 'data-center';
      const c = loadConfig({ workspace: t.dir, env: { [name]: raw } });
      assert.equal(c.sources[def.path]?.layer, 'env', `${name} should set ${def.path}`);
    }
  } finally {
    t.cleanup();
  }
});

test('invalid values name the key, the value, the source and what is allowed', () => {
  const t = workspace({});
  try {
    const cases: Array<[unknown, RegExp]> = [
      [{ rate: { requestsPerSecond: -3 } }, /rate\.requestsPerSecond = -3 \(from .*csync\.json\) is invalid: expected a number > 0/],
      [{ format: 'html' }, /format = "html" .* expected one of markdown, storage/],
      [{ batch: { pageSize: 251 } }, /batch\.pageSize = 251 .* expected a number <= 250/],
      [{ rate: { burst: 1.5 } }, /rate\.burst = 1\.5 .* expected a whole number/],
      [{ site: { url: 'notaurl' } }, /site\.url = "notaurl" .* expected a URL/],
      [{ spaces: ['a b'] }, /spaces = \["a b"\] .* expected a space key/],
      [{ sync: { minorEdit: 'yes' } }, /sync\.minorEdit = "yes" .* expected a boolean/],
      [{ profile: 'turbo' }, /profile = "turbo" .* expected one of fast, balanced, conservative/],
      [{ retry: { baseDelayMs: 1000, maxDelayMs: 10 } }, /retry\.maxDelayMs = 10 is invalid: expected a value >= retry\.baseDelayMs/],
      [{ watch: { listen: 'everywhere' } }, /watch\.listen = "everywhere" .* HOST:PORT/],
    ];
    for (const [body, re] of cases) {
      writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify(body));
      const err = loadError(() => loadConfig({ workspace: t.dir, env: {} }));
      assert.equal(err.code, 'CSYNC_CONFIG');
      assert.match(err.message, re);
    }
    writeFileSync(join(t.dir, 'config', 'csync.json'), '{}');
    const envErr = loadError(() => loadConfig({ workspace: t.dir, env: { CSYNC_RATE_BURST: 'lots' } }));
    assert.match(envErr.message, /CSYNC_RATE_BURST="lots" is invalid for rate\.burst: expected a number/);
    const boolErr = loadError(() => loadConfig({ workspace: t.dir, env: { CSYNC_SYNC_MINOR_EDIT: 'maybe' } }));
    assert.match(boolErr.message, /expected true or false/);
    const flagErr = loadError(() => loadConfig({ workspace: t.dir, env: {}, flags: { 'batch.pageSize': 0 } }));
    assert.match(flagErr.message, /batch\.pageSize = 0 \(from flag --page-size\)/);
  } finally {
    t.cleanup();
  }
});

test('a secret value is never echoed in a validation error', () => {
  const t = workspace({ site: { apiToken: 12345678 } });
  try {
    const err = loadError(() => loadConfig({ workspace: t.dir, env: {} }));
    assert.match(err.message, /site\.apiToken = \(hidden\)/);
    assert.doesNotMatch(err.message, /12345678/);
  } finally {
    t.cleanup();
  }
});

test('unknown keys are rejected with a did-you-mean', () => {
  const t = workspace({ rate: { requestPerSecond: 3 } });
  try {
    const err = loadError(() => loadConfig({ workspace: t.dir, env: {} }));
    assert.match(err.message, /unknown setting 'rate\.requestPerSecond' — did you mean 'rate\.requestsPerSecond'\?/);
    writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify({ formt: 'storage' }));
    assert.match(loadError(() => loadConfig({ workspace: t.dir, env: {} })).message, /did you mean 'format'/);
    writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify({ zzzzzzzzzz: 1 }));
    assert.doesNotMatch(loadError(() => loadConfig({ workspace: t.dir, env: {} })).message, /did you mean/);
  } finally {
    t.cleanup();
  }
});

test('unknown CSYNC_ environment variables are reported with a suggestion', () => {
  const t = workspace({});
  try {
    const c = loadConfig({ workspace: t.dir, env: { CSYNC_RATE_BRUST: '3' } });
    assert.deepEqual(c.warnings, ['ignoring unknown environment variable CSYNC_RATE_BRUST — did you mean CSYNC_RATE_BURST?']);
  } finally {
    t.cleanup();
  }
});

test('malformed JSON and a missing explicit config file are clear errors', () => {
  const t = workspace('{"rate": {');
  try {
    assert.match(loadError(() => loadConfig({ workspace: t.dir, env: {} })).message, /config file .*csync\.json is not valid JSON/);
    assert.match(loadError(() => loadConfig({ workspace: t.dir, env: {}, configFile: 'nope.json' })).message, /config file not found: .*nope\.json/);
    writeFileSync(join(t.dir, 'config', 'csync.json'), '[1,2]');
    assert.match(loadError(() => loadConfig({ workspace: t.dir, env: {} })).message, /expected a JSON object/);
  } finally {
    t.cleanup();
  }
});

test('the result is deeply frozen', () => {
  const t = workspace({});
  try {
    const c = loadConfig({ workspace: t.dir, env: {} });
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.rate));
    assert.ok(Object.isFrozen(c.spaces));
    assert.throws(() => {
      (c.rate as { burst: number }).burst = 1;
    }, TypeError);
  } finally {
    t.cleanup();
  }
});

test('a config file holding a token and readable by others gives a warning', () => {
  const t = workspace({ site: { url: 'https://a.atlassian.net', email: 'a@b.c', apiToken: 'secret-in-file' } });
  try {
    const file = join(t.dir, 'config', 'csync.json');
    chmodSync(file, 0o644);
    const c = loadConfig({ workspace: t.dir, env: {} });
    assert.equal(c.warnings.length, 1);
    assert.match(c.warnings[0]!, /holds a token and is readable by others \(mode 644\); run: chmod 600/);
    chmodSync(file, 0o600);
    assert.deepEqual(loadConfig({ workspace: t.dir, env: {} }).warnings, []);
  } finally {
    t.cleanup();
  }
});

test('requireSite names the missing credential', () => {
  const t = workspace({});
  try {
    assert.match(loadError(() => loadConfig({ workspace: t.dir, env: {}, requireSite: true })).message, /no Confluence URL configured/);
    assert.match(loadError(() => loadConfig({ workspace: t.dir, env: { CONFLUENCE_URL: 'https://a.atlassian.net' }, requireSite: true })).message, /no Confluence credentials configured/);
    assert.match(loadError(() => loadConfig({ workspace: t.dir, env: { CONFLUENCE_URL: 'https://a.atlassian.net', CONFLUENCE_API_TOKEN: 't' }, requireSite: true })).message, /API token is configured but no e-mail/);
    const ok = loadConfig({ workspace: t.dir, env: { CONFLUENCE_URL: 'https://dc.example.com/confluence', CONFLUENCE_PAT: 'p' }, requireSite: true });
    assert.equal(ok.site.pat, 'p');
  } finally {
    t.cleanup();
  }
});

test('Jira settings: JIRA_URL and JIRA_PAT aliases, defaults, the PAT is a secret', () => {
  const t = workspace({});
  try {
    const c = loadConfig({ workspace: t.dir, env: { JIRA_URL: 'https://jira.example.com', JIRA_PAT: 'jira-secret-pat', ATLASSIAN_USERNAME: 'me@example.com', ATLASSIAN_API_TOKEN: 'tok' } });
    assert.equal(c.jira.url, 'https://jira.example.com');
    assert.equal(c.jira.pat, 'jira-secret-pat');
    assert.equal(c.jira.flavour, 'auto');
    assert.deepEqual(c.jira.rate, { requestsPerSecond: 10, burst: 20, maxConcurrent: 4 });
    assert.equal(c.site.email, 'me@example.com');
    assert.ok(secretsOf(c).includes('jira-secret-pat'));
    assert.throws(() => loadConfig({ workspace: t.dir, env: { JIRA_URL: 'not a url' } }), /jira\.url = "not a url" \(from environment JIRA_URL\) is invalid/);
  } finally {
    t.cleanup();
  }
});
