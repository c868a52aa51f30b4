/**
 * The job store on a real SQLite file: a jobs.db of an earlier version, whose finished jobs say `done`, reads as
 * `completed`; prune forgets jobs that ended more than N days ago (never running ones, never the newest completed run
 * of a named definition). Through the CLI: `export.keepJobsDays` sets the days (default 7), and a bad value is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { JobStore } from '../../src/export/job-store.js';
import type { ExportSpec } from '../../src/export/types.js';
import { tempDir } from '../helpers/cli.js';
import { workspaceWithEmulator } from '../helpers/workspace.js';

const spec = (definition?: string): ExportSpec => ({ selection: [{ source: 'confluence', spaces: ['DEMO'], labels: [] }], formats: ['md'], singleFile: false, attachments: false, useCache: true, out: '/tmp/x', title: 't', definition });

test('a jobs.db whose finished jobs say done (earlier versions) reads them as completed', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'jobs.db');
    // The schema of the earlier version (migrations 1 and 2), with a job it finished.
    let store = new JobStore(file);
    store.create('old', spec(), 'https://x');
    store.close();
    const db = new Database(file);
    db.prepare("UPDATE jobs SET state = 'done'").run();
    db.pragma('user_version = 2');
    db.close();
    store = new JobStore(file);
    assert.equal(store.get('old')?.state, 'completed');
    const ro = new Database(file, { readonly: true });
    assert.equal(ro.prepare("SELECT state FROM jobs WHERE id = 'old'").pluck().get(), 'completed', 'migrated in the file');
    ro.close();
    // A row an older csync writes after the migration still reads as completed, and is final.
    store.close();
    const db2 = new Database(file);
    db2.prepare("UPDATE jobs SET state = 'done'").run();
    db2.close();
    store = new JobStore(file);
    assert.equal(store.get('old')?.state, 'completed');
    assert.deepEqual(store.list().map((j) => j.state), ['completed']);
    assert.throws(() => store.transition('old', 'running'), /is completed; it cannot become running/);
    store.close();
  } finally {
    t.cleanup();
  }
});

test('prune forgets ended jobs older than N days; running jobs and the newest completed run of a definition stay', () => {
  const t = tempDir();
  try {
    let now = new Date('2026-12-01T00:00:00Z');
    const store = new JobStore(join(t.dir, 'jobs.db'), () => now);
    const make = (id: string, state: 'completed' | 'failed' | 'cancelled' | 'running', definition?: string) => {
      store.create(id, spec(definition), 'https://x');
      store.transition(id, 'running');
      if (state !== 'running') store.transition(id, state);
    };
    make('a-completed', 'completed');
    make('a-failed', 'failed');
    make('a-cancelled', 'cancelled');
    make('a-running', 'running');
    make('nightly-1', 'completed', 'nightly');
    now = new Date('2026-12-02T00:00:00Z');
    make('nightly-2', 'completed', 'nightly');
    make('weekly-failed', 'failed', 'weekly');
    now = new Date('2026-12-09T12:00:00Z'); // 8.5 and 7.5 days later
    assert.deepEqual(store.prune(10), [], 'nothing is 10 days old');
    assert.deepEqual(store.prune(8).sort(), ['a-cancelled', 'a-completed', 'a-failed', 'nightly-1']);
    assert.deepEqual(store.prune(7).sort(), ['weekly-failed'], 'nightly-2 is the newest completed run of nightly: kept');
    assert.deepEqual(store.list().map((j) => j.id).sort(), ['a-running', 'nightly-2']);
    assert.deepEqual(store.prune(0), []);
    store.close();
  } finally {
    t.cleanup();
  }
});

test('export.keepJobsDays: ended jobs stay 7 days by default; 0 forgets them at the next export; a negative value is refused (exit 3)', async () => {
  const ws = await workspaceWithEmulator();
  try {
    const jobs = async () => {
      const l = await ws.csync(['export', 'list', '--json']);
      assert.equal(l.code, 0, l.stderr);
      return (JSON.parse(l.stdout) as { jobs: Array<{ id: string; state: string }> }).jobs;
    };
    for (const out of ['a', 'b']) {
      const r = await ws.csync(['export', '--format', 'json', '--no-attachments', '--out', join(ws.dir, out)]);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.deepEqual((await jobs()).map((j) => j.state), ['completed', 'completed'], 'both kept (7 days)');
    const c = await ws.csync(['export', '--format', 'json', '--no-attachments', '--out', join(ws.dir, 'c')], { CSYNC_EXPORT_KEEP_JOBS_DAYS: '0' });
    assert.equal(c.code, 0, c.stderr);
    const left = await jobs();
    assert.equal(left.length, 1, 'the two earlier jobs were forgotten');
    assert.match(c.stdout, new RegExp(`job ${left[0]!.id}`));
    const bad = await ws.csync(['export', 'list'], { CSYNC_EXPORT_KEEP_JOBS_DAYS: '-1' });
    assert.equal(bad.code, 3, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /export\.keepJobsDays/);
  } finally {
    await ws.close();
  }
});
