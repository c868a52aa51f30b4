/**
 * In process, real parts (the emulator on loopback, SQLite, temp dirs): the daemon's ExportScheduler runs an `every`
 * definition on its timer, one run at a time (a trigger during a run waits for it), publishes atomically, and an
 * unchanged selection does not re-export on a change check; the `--via` client's poll rhythm, its stall report and
 * its checksum check against a loopback server that misbehaves on purpose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/index.js';
import { clientFor } from '../../src/cli/site.js';
import { ExportScheduler, publishedVersions } from '../../src/daemon/exports.js';
import { startEmulator } from '../../src/emulator/index.js';
import { ExportCache } from '../../src/export/cache.js';
import { JobStore } from '../../src/export/job-store.js';
import { apiBase, fetchViaDaemon, nextPollMs } from '../../src/export/via.js';
import { tempDir } from '../helpers/cli.js';

const until = async (cond: () => boolean | Promise<boolean>, what: string, ms = 30_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never happened within ${ms} ms: ${what}`);
};

test('ExportScheduler: every → a run per period, one at a time; an unchanged selection is not exported again', async () => {
  const emu = await startEmulator({ seed: 'demo' });
  const t = tempDir();
  mkdirSync(join(t.dir, 'config'));
  writeFileSync(
    join(t.dir, 'config', 'csync.json'),
    JSON.stringify({ site: { url: emu.url }, spaces: ['DEMO'], exports: [{ name: 'tick', select: { label: 'runbook' }, format: 'json', out: 'tick.zip', every: 5, onChange: true }] }),
  );
  const config = loadConfig({ workspace: t.dir, env: { CONFLUENCE_EMAIL: emu.credentials.email, CONFLUENCE_API_TOKEN: emu.credentials.token, CSYNC_PROFILE: 'fast' } });
  const api = clientFor(config);
  const root = join(t.dir, 'cache', 'export');
  const store = new JobStore(join(root, 'jobs.db'));
  const s = new ExportScheduler({ workspace: t.dir, definitions: () => config.exports, spaces: () => config.spaces, deps: () => ({ api, store, cache: new ExportCache(root), cacheRoot: root, siteUrl: emu.url }), store });
  const jobs = () => store.list().filter((j) => j.spec.definition === 'tick');
  try {
    emu.setLatency(200);
    s.start(); // no bundle yet: the onChange check publishes one
    await until(() => s.runningJob('tick') !== undefined, 'the start check launches a run');
    const first = s.runningJob('tick')!;
    assert.throws(() => s.submit('tick'), /already running as job/);
    s.remoteChanged(); // during the run: remembered, checked once it ends
    await until(() => store.get(first)?.state === 'completed', 'the first run finishes');
    emu.setLatency(0);
    assert.deepEqual([...(await publishedVersions(join(t.dir, 'tick.zip')))!.keys()].length, 2);
    // The check after the run finds the selection unchanged: nothing more until the timer (5 s after the end).
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(jobs().length, 1, 'an unchanged selection is not exported again');
    await until(() => jobs().length === 2 && jobs().every((j) => j.state === 'completed'), 'the every timer runs it again', 20_000);
    const [newest, oldest] = jobs();
    assert.ok(Date.parse(newest!.startedAt!) - Date.parse(oldest!.endedAt!) >= 4500, 'one period after the previous run ended');
    assert.equal(s.currentJob('tick')?.id, newest!.id);
    assert.throws(() => s.submit('nosuch'), /no export definition named "nosuch"/);

    // A stop cancels the run in flight: its partial bundle goes, the published one stays.
    const published = await publishedVersions(join(t.dir, 'tick.zip'));
    emu.setLatency(400);
    const { jobId } = s.submit('tick');
    await s.stop();
    emu.setLatency(0);
    assert.equal(store.get(jobId)?.state, 'cancelled');
    assert.equal(store.get(jobId)?.error, 'the daemon stopped');
    assert.deepEqual(readdirSync(t.dir).filter((n) => n.includes('.csync-')), [], 'no partial bundle left');
    assert.deepEqual(await publishedVersions(join(t.dir, 'tick.zip')), published, 'the published bundle stays');
    assert.throws(() => s.submit('tick'), /the daemon is stopping/);
  } finally {
    await s.stop();
    store.close();
    await api.close();
    await emu.close();
    t.cleanup();
  }
});

test('via: loopback only, adaptive poll intervals, a stall is reported, a checksum mismatch is refused', async () => {
  assert.throws(() => apiBase('http://10.0.0.5:9464', false), /is not a loopback address/);
  assert.equal(apiBase('http://10.0.0.5:9464/', true), 'http://10.0.0.5:9464');
  assert.throws(() => apiBase('http://u:p@127.0.0.1:1', false), /credentials is refused/);
  const job = (done: number, items = 100, etaSeconds: number | null = 60) => ({ progress: { items, done, failed: 0, bytes: 0, requests: 0 }, etaSeconds, step: 'fetch' });
  const t = { fast: 100, slow: 1000 };
  assert.equal(nextPollMs(1, 100, job(0), t), 100, 'fast at first');
  assert.equal(nextPollMs(9, 100, job(10), t), 150, 'then slower');
  assert.equal(nextPollMs(20, 900, job(50), t), 1000, 'up to the slow interval');
  assert.equal(nextPollMs(20, 1000, job(95), t), 100, 'fast again near the end');
  assert.equal(nextPollMs(20, 1000, job(50, 100, 1), t), 100, 'fast again when the ETA is short');

  let polls = 0;
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'j1' }));
    } else if (req.url === '/exports/j1') {
      polls++;
      // `done`: a daemon of an earlier version called a completed job so; the client takes it as completed.
      const state = polls > 6 ? 'done' : 'running';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'j1', name: 'x', state, step: 'fetch', progress: { items: 10, done: 3, failed: 0, bytes: 0, requests: 4 }, etaSeconds: null, error: null }));
    } else {
      res.writeHead(200, { 'content-type': 'application/zip', 'x-checksum-sha256': '0'.repeat(64), 'content-length': '4' }).end('PK..');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = tempDir();
  const notes: string[] = [];
  try {
    const port = (server.address() as AddressInfo).port;
    await assert.rejects(
      fetchViaDaemon({ baseUrl: `http://127.0.0.1:${port}`, name: 'x', to: join(dir.dir, 'out'), stallPolls: 3, pollMs: { fast: 10, slow: 20 }, note: (m) => notes.push(m) }),
      (err: Error & { code?: string }) => err.code === 'CSYNC_INTEGRITY' && /does not match its checksum/.test(err.message),
    );
    assert.equal(notes.filter((n) => /has not moved for 3 polls \(step fetch, 3\/10 items\)/.test(n)).length, 1, notes.join('\n'));
  } finally {
    server.close();
    dir.cleanup();
  }
});
