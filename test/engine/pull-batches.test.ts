/**
 * A first pull plans and writes its new pages a batch at a time, read from the listing table by keyset (issue 18:
 * flat memory; pull/plan-sql.ts newPagePlans). Batches of 7 (CSYNC_TEST_NEW_PAGE_BATCH) over the 41-page demo space
 * plan and write every page exactly once, with the same files, records and plan as one batch; a kill -9 between
 * two batches (CSYNC_TEST_CRASH_AFTER_BATCHES) leaves the batches before it committed, and the rerun ends where the
 * uninterrupted pull does without downloading a body again. Real CLI, real SQLite, the emulator on 127.0.0.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { CONFLICT_COPY_RE } from '../../src/merge/conflict-name.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { listFiles } from '../helpers/files.js';
import { workspaceWithEmulator, type TestWorkspace } from '../helpers/workspace.js';

interface Summary {
  plan: Array<{ action: string; path: string; id: string }>;
  planOmitted?: number;
  pages: { new: number; updated: number; conflicted: number; deleted: number };
  attachments: Record<string, number>;
}

interface Dir {
  dir: string;
  csync(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  cleanup(): void;
}

/** Another workspace on the same emulator (same pages, same ids). */
function dirOn(ws: TestWorkspace, config: Record<string, unknown> = {}): Dir {
  const t = tempDir('csync-batches-');
  mkdirSync(join(t.dir, 'config'));
  writeFileSync(join(t.dir, 'config', 'csync.json'), JSON.stringify({ site: { url: ws.emu.url }, spaces: ['DEMO'], ...config }));
  const env = { CONFLUENCE_EMAIL: ws.emu.credentials.email, CONFLUENCE_API_TOKEN: ws.emu.credentials.token, CSYNC_PROFILE: 'fast', CSYNC_RATE_REQUESTS_PER_SECOND: '200', CSYNC_RATE_BURST: '200' };
  return { dir: t.dir, csync: (args, extra) => runCli(['-w', t.dir, '--no-progress', ...args], { env: { ...env, ...extra } }), cleanup: t.cleanup };
}

/** Every page and attachment file: path (conflict-copy stamps blanked) → hash of its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const sub of ['content', 'attachments']) {
    for (const f of listFiles(join(dir, sub))) {
      const rel = relative(dir, f).split('\\').join('/');
      const name = basename(rel).replace(CONFLICT_COPY_RE, '$1.conflict-STAMP-$4$5');
      out[`${dirname(rel)}/${name}`] = createHash('sha256').update(readFileSync(f)).digest('hex');
    }
  }
  return out;
}

/** The state's records (what a later run reads), after an integrity check. */
function records(dir: string) {
  const db = new Database(join(dir, 'cache', 'state.db'), { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const all = (sql: string) => db.prepare(sql).all();
    return {
      pages: all('SELECT id, path, version, status, hash, labels, title, parent_id FROM pages ORDER BY id'),
      attachments: all('SELECT id, page_id, path, version, hash, status FROM attachments ORDER BY id'),
      conflicts: all('SELECT page_id, path, kind, remote_version FROM conflicts ORDER BY page_id'),
      bases: all('SELECT page_id, version FROM base_bodies ORDER BY page_id'),
      staged: (db.prepare('SELECT count(*) AS n FROM staged_bodies').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

const pageCount = (dir: string) => {
  const db = new Database(join(dir, 'cache', 'state.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM pages').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

/** The demo space plus two pages whose titles collide (named in SQL before any batch is read). */
async function demo(): Promise<TestWorkspace> {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  ws.emu.api.createPage('DEMO', 'Notes', '<p>one</p>');
  ws.emu.api.createPage('DEMO', 'notes', '<p>two</p>');
  return ws;
}

const BATCH = { CSYNC_TEST_NEW_PAGE_BATCH: '7' };

test('a first pull in batches of 7 plans and writes each of 41 pages once, as one batch does (an untracked file in a later batch is kept)', { timeout: 300_000 }, async () => {
  const ws = await demo();
  const batched = dirOn(ws);
  const whole = dirOn(ws);
  try {
    // The page planned 25th (the 4th batch) finds a file of the user's at its path in both workspaces.
    const dry = await batched.csync(['pull', '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const dryPlan = (JSON.parse(dry.stdout) as Summary).plan;
    assert.equal(dryPlan.length, 41);
    const clash = dryPlan[24]!;
    assert.equal(clash.action, 'new');
    for (const d of [batched, whole]) {
      mkdirSync(join(d.dir, dirname(clash.path)), { recursive: true });
      writeFileSync(join(d.dir, clash.path), 'my own notes\n');
    }

    const b = await batched.csync(['pull', '--json'], BATCH);
    const w = await whole.csync(['pull', '--json']);
    assert.equal(b.code, EXIT.CONFLICTS, b.stderr);
    assert.equal(w.code, EXIT.CONFLICTS, w.stderr);
    const bs = JSON.parse(b.stdout) as Summary;
    const wsum = JSON.parse(w.stdout) as Summary;

    // Every page planned once, in listing order, as one batch plans it (and as the dry run printed it).
    assert.equal(new Set(bs.plan.map((l) => l.id)).size, 41, 'each page planned once');
    assert.deepEqual(bs.plan, wsum.plan);
    assert.deepEqual(
      bs.plan.map((l) => `${l.action} ${l.path}`),
      dryPlan.map((l) => (l.id === clash.id ? `untracked-clash ${l.path}` : `${l.action} ${l.path}`)),
    );
    assert.equal(bs.planOmitted, undefined, 'nothing left out of a 41-line plan');
    // Written once: 40 new files and one conflict copy (a second write of a page would fail or count twice).
    assert.equal(bs.pages.new, 40);
    assert.equal(bs.pages.conflicted, 1);
    assert.deepEqual(bs.pages, wsum.pages);
    assert.deepEqual(bs.attachments, wsum.attachments);

    assert.equal(readFileSync(join(batched.dir, clash.path), 'utf8'), 'my own notes\n', 'the untracked file is kept');
    assert.deepEqual(snapshot(batched.dir), snapshot(whole.dir));
    const rb = records(batched.dir);
    assert.deepEqual(rb, records(whole.dir));
    assert.equal(rb.pages.length, 40);
  } finally {
    batched.cleanup();
    whole.cleanup();
    await ws.close();
  }
});

test('kill -9 after each batch of a first pull (batches of 7): the batches before it are committed, the rerun ends as an uninterrupted pull', { timeout: 600_000 }, async () => {
  const ws = await demo();
  const whole = dirOn(ws);
  const dirs: Dir[] = [whole];
  try {
    const w = await whole.csync(['pull']);
    assert.equal(w.code, 0, w.stderr);
    const want = { files: snapshot(whole.dir), records: records(whole.dir) };
    assert.equal(want.records.pages.length, 41);
    // 41 pages: batches of 7, 7, 7, 7, 7 and 6; the last kill comes after every page, before the attachments.
    for (let k = 1; k <= 6; k++) {
      const d = dirOn(ws);
      dirs.push(d);
      const crashed = await d.csync(['pull'], { ...BATCH, CSYNC_TEST_CRASH_AFTER_BATCHES: String(k) });
      assert.equal(crashed.signal, 'SIGKILL', `k=${k}: killed after batch ${k}: ${crashed.stderr}`);
      assert.equal(pageCount(d.dir), Math.min(7 * k, 41), `k=${k}: the first ${k} batch(es) are committed, nothing of the next`);
      assert.equal(listFiles(join(d.dir, 'content')).length, Math.min(7 * k, 41), `k=${k}: their files are written, no other`);
      const served = ws.emu.store.bodiesServed;
      const rerun = await d.csync(['pull', '--json'], BATCH);
      assert.equal(rerun.code, 0, `k=${k}: ${rerun.stderr}`);
      const s = JSON.parse(rerun.stdout) as Summary;
      assert.equal(s.pages.new, 41 - Math.min(7 * k, 41), `k=${k}: the rerun writes the rest`);
      assert.equal(s.pages.updated + s.pages.conflicted + s.pages.deleted, 0);
      assert.equal(ws.emu.store.bodiesServed, served, `k=${k}: no body downloaded again (the listing staged them)`);
      assert.deepEqual(snapshot(d.dir), want.files, `k=${k}: the same files`);
      assert.deepEqual(records(d.dir), want.records, `k=${k}: the same records`);
    }
  } finally {
    for (const d of dirs) d.cleanup();
    await ws.close();
  }
});

test('a first pull of 1,010 pages (two batches of the default size) lists its first 1,000 plan lines and counts the rest in planOmitted', { timeout: 600_000 }, async () => {
  const ws = await workspaceWithEmulator({ seed: 1010, spaces: ['BENCH'], config: { format: 'storage' } });
  try {
    const r = await ws.csync(['pull', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Summary;
    assert.equal(s.pages.new, 1010);
    assert.equal(s.plan.length, 1000);
    assert.equal(s.planOmitted, 10);
    assert.equal(new Set(s.plan.map((l) => l.id)).size, 1000);
    assert.ok(s.plan.every((l) => l.action === 'new'));
    assert.equal(ws.files('content').length, 1010);
    assert.equal(pageCount(ws.dir), 1010);
  } finally {
    await ws.close();
  }
});
