import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { rateOf, SOURCES } from '../../src/config/source-rate.js';
import { isCsyncError } from '../../src/core/errors.js';
import { tempDir } from '../helpers/cli.js';

function ws(file?: unknown) {
  const t = tempDir();
  if (file !== undefined) {
    mkdirSync(join(t.dir, 'config'));
    writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify(file));
  }
  return t;
}

test('each source has its own rate from its profile: Jira like Confluence, Notion slower; the default profile is balanced', () => {
  const t = ws();
  try {
    const c = loadConfig({ workspace: t.dir, env: {} });
    assert.deepEqual(rateOf(c, 'confluence'), { profile: 'balanced', requestsPerSecond: 10, burst: 20, maxConcurrent: 4 });
    assert.deepEqual(rateOf(c, 'jira'), { profile: 'balanced', requestsPerSecond: 10, burst: 20, maxConcurrent: 4 });
    assert.deepEqual(rateOf(c, 'notion'), { profile: 'balanced', requestsPerSecond: 2.5, burst: 6, maxConcurrent: 2 });
    for (const p of ['fast', 'conservative']) {
      const pc = loadConfig({ workspace: t.dir, env: { CSYNC_PROFILE: p } });
      for (const s of SOURCES) assert.equal(rateOf(pc, s).profile, p);
      assert.ok(rateOf(pc, 'notion').requestsPerSecond < rateOf(pc, 'confluence').requestsPerSecond);
    }
  } finally {
    t.cleanup();
  }
});

test('per-source profile and CSYNC_* overrides change that source alone, with their origin recorded', () => {
  const t = ws({ profile: 'fast', notion: { profile: 'conservative' } });
  try {
    const c = loadConfig({ workspace: t.dir, env: { CSYNC_JIRA_RATE_REQUESTS_PER_SECOND: '7', CSYNC_JIRA_RATE_MAX_CONCURRENT: '3' } });
    assert.deepEqual(rateOf(c, 'confluence'), { profile: 'fast', requestsPerSecond: 20, burst: 40, maxConcurrent: 8 });
    assert.deepEqual(rateOf(c, 'jira'), { profile: 'fast', requestsPerSecond: 7, burst: 40, maxConcurrent: 3 });
    assert.deepEqual(rateOf(c, 'notion'), { profile: 'conservative', requestsPerSecond: 1, burst: 3, maxConcurrent: 1 });
    assert.deepEqual(c.sources['jira.rate.requestsPerSecond'], { layer: 'env', name: 'CSYNC_JIRA_RATE_REQUESTS_PER_SECOND' });
    assert.equal(c.sources['notion.rate.burst']?.layer, 'profile');
    assert.equal(c.sources['notion.rate.burst']?.name, 'conservative');
    assert.equal(c.warnings.length, 0, c.warnings.join('; '));
    // The environment beats the file for a source's profile too.
    const e = loadConfig({ workspace: t.dir, env: { CSYNC_NOTION_PROFILE: 'fast' } });
    assert.deepEqual(rateOf(e, 'notion'), { profile: 'fast', requestsPerSecond: 3, burst: 10, maxConcurrent: 3 });
  } finally {
    t.cleanup();
  }
});

test('a bad per-source value is a config error naming the setting, the value and where it came from', () => {
  const t = ws();
  try {
    const bad = (env: Record<string, string>, re: RegExp) =>
      assert.throws(
        () => loadConfig({ workspace: t.dir, env }),
        (e: unknown) => isCsyncError(e) && e.code === 'CSYNC_CONFIG' && re.test(e.message),
      );
    bad({ CSYNC_NOTION_PROFILE: 'turbo' }, /^notion\.profile = "turbo" \(from .*CSYNC_NOTION_PROFILE.*\) is invalid: expected one of fast, balanced, conservative/);
    bad({ CSYNC_JIRA_RATE_BURST: '0' }, /^jira\.rate\.burst = 0 \(from .*CSYNC_JIRA_RATE_BURST.*\) is invalid/);
    bad({ CSYNC_JIRA_RATE_REQUESTS_PER_SECOND: 'lots' }, /CSYNC_JIRA_RATE_REQUESTS_PER_SECOND="lots" is invalid for jira\.rate\.requestsPerSecond: expected a number/);
  } finally {
    t.cleanup();
  }
});
