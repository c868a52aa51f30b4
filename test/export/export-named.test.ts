/**
 * Named export definitions through the real CLI against the emulator: `csync export NAME` publishes a bundle that
 * verifies (and replaces the earlier one), `--batch` runs several at once with one failing → the summary table and
 * exit 11, and bad definitions are refused with a line naming the element (exit 3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { JobStore } from '../../src/export/job-store.js';
import { verifyBundle } from '../../src/export/verify.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';

const EXPORTS = [
  { name: 'runbooks', select: { label: ['runbook'] }, format: ['md', 'json'], out: 'runbooks.zip' },
  { name: 'ghost', select: { space: 'NOPE' }, format: 'json', out: 'ghost' },
];

test('csync export NAME publishes the definition\'s bundle; --batch runs several, one failing: one summary table, exit 11', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo', config: { exports: EXPORTS } });
  try {
    const one = await ws.csync(['export', 'runbooks']);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /exported 2 of 2 item\(s\) → .*runbooks\.zip/);
    assert.equal((await verifyBundle(join(ws.dir, 'runbooks.zip'))).ok, true);
    const again = await ws.csync(['export', 'runbooks', '--json']);
    assert.equal(again.code, 0, again.stderr);
    const second = JSON.parse(again.stdout) as { jobId: string; target: string };
    assert.equal(second.target, join(ws.dir, 'runbooks.zip'), 'the second run replaced the published zip');
    assert.deepEqual(readdirSync(ws.dir).filter((n) => n.includes('csync-')), [], 'no staging file left beside it');
    const unknown = await ws.csync(['export', 'nosuch']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no export definition named "nosuch"\n.*runbooks, ghost/);

    writeFileSync(
      join(ws.dir, 'batch.json'),
      JSON.stringify({ exports: ['runbooks', 'ghost', { name: 'guides', select: { space: 'DEMO', label: 'guide' }, format: ['json'], out: 'out/guides' }] }),
    );
    const b = await ws.csync(['export', '--batch', join(ws.dir, 'batch.json')]);
    assert.equal(b.code, 11, b.stdout + b.stderr);
    const lines = b.stdout.trim().split('\n');
    assert.match(lines[0]!, /^NAME\s+JOB\s+STATE\s+ITEMS\s+FAILURES\s+BUNDLE$/);
    assert.match(b.stdout, /\nrunbooks\s+\S+\s+completed\s+2\s+0\s+.*runbooks\.zip/);
    assert.match(b.stdout, /\nghost\s+\S+\s+failed\s+0\s+0\s+- \(CSYNC_NOT_FOUND: .*NOPE/);
    assert.match(b.stdout, /\nguides\s+\S+\s+completed\s+2\s+0\s+.*out\/guides/);
    assert.match(b.stdout, /2 of 3 export\(s\) completed without failures/);
    const guides = readFileSync(join(ws.dir, 'out', 'guides', 'pages.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { title: string }).title);
    assert.deepEqual(guides.sort(), ['Formatting guide', 'Getting started']);
    const store = new JobStore(join(ws.dir, 'cache', 'export', 'jobs.db'));
    const ghost = store.list().filter((j) => j.spec.definition === 'ghost');
    store.close();
    assert.deepEqual(ghost.map((j) => j.state), ['failed'], 'the failing definition is a failed job, listed like any other');
    assert.match(b.stdout, new RegExp(`\\nghost\\s+${ghost[0]!.id}\\s`));

    writeFileSync(join(ws.dir, 'bad.json'), JSON.stringify({ exports: [{ name: 'x', out: 'x', format: 'docx' }] }));
    const bad = await ws.csync(['export', '--batch', join(ws.dir, 'bad.json')]);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /the batch file .*bad\.json is invalid at \.exports\[0\]/);
    assert.equal(existsSync(join(ws.dir, 'x')), false);
  } finally {
    await ws.close();
  }
});

test('bad export definitions in the config are refused naming the element and the problem', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [[{ name: 'a', out: 'a.zip', every: '5 minutes' }], /exports\[0\]\.every \(from .*csync\.json\) is invalid: a period of at least 5 s/],
    [[{ name: 'list', out: 'a' }], /exports\[0\]\.name .* is invalid: a name that is not an export action/],
    [[{ name: 'a', out: 'a', select: { spaces: ['DEMO'] } }], /exports\[0\]\.select .* is invalid: .*spaces/],
    [[{ name: 'a', out: 'a' }, { name: 'a', out: 'b' }], /exports\[1\]\.name .* is invalid: the name "a" is used twice/],
    [[{ name: 'a', out: 'a', format: 'json', singleFile: true }], /exports\[0\]\.singleFile .* is invalid: singleFile goes with format md/],
  ];
  const t = tempDir();
  try {
    mkdirSync(join(t.dir, 'config'));
    for (const [exportsValue, re] of cases) {
      writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify({ exports: exportsValue }));
      assert.throws(() => loadConfig({ workspace: t.dir, env: {} }), (err: Error) => re.test(err.message), JSON.stringify(exportsValue));
    }
    writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify({ exports: [{ name: 'nightly', select: { space: 'DOC', label: 'runbook' }, out: 'n.zip', every: '1h', onChange: true }] }));
    const c = loadConfig({ workspace: t.dir, env: {} });
    assert.deepEqual(c.exports[0]!.format, ['md'], 'format defaults to md');
    // What the user sees: one line naming the element, exit 3.
    writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify({ exports: [{ name: 'a', out: 'a', every: 2 }] }));
    const r = await runCli(['-w', t.dir, 'export', 'a']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^csync: exports\[0\]\.every \(from .*\) is invalid: a period of at least 5 s/);
  } finally {
    t.cleanup();
  }
});
