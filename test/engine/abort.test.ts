/**
 * Cancellation (src/core/run-signal.ts): one AbortSignal per run stops its queue, its requests and its writes
 * together. After abort() no request reaches Confluence and no file is written; the run rejects with
 * CSYNC_INTERRUPTED and records itself as stopped; a rerun converges. Real engine, real SQLite, the emulator over
 * HTTP with a latency so runs are long.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { CsyncError } from '../../src/core/errors.js';
import { runPull } from '../../src/engine/pull.js';
import { runPush } from '../../src/engine/push.js';
import { getFormat } from '../../src/format/index.js';
import { silentLogger } from '../../src/obs/logger.js';
import { listFiles } from '../helpers/files.js';
import { sharedEmulator } from './sync-harness.js';

const t = sharedEmulator();
let n = 0;

const snapshot = (dir: string) =>
  listFiles(dir)
    .map((f) => `${f} ${statSync(f).size} ${statSync(f).mtimeMs}`)
    .sort()
    .join('\n');

async function space(pages: number) {
  const key = `ABRT${++n}`;
  t.emu.api.createSpace(key);
  const home = t.emu.api.createPage(key, 'Home', '<p>home</p>', null);
  const ids = Array.from({ length: pages }, (_, i) => t.emu.api.createPage(key, `Page ${i}`, `<p>page ${i}</p>`, home.id).id);
  const ws = mkdtempSync(join(tmpdir(), 'csync-abort-'));
  const common = { workspace: ws, api: t.client, spaces: [key], formatFor: () => getFormat('markdown'), maxDelete: { percent: 50 }, force: false, dryRun: false, concurrency: 2, logger: silentLogger() };
  await runPull(common);
  return { key, ws, ids, common };
}

/** Polls `cond` (an event the emulator saw, not a time) until it holds. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 6000; i++) {
    if (cond()) return;
    await sleep(5);
  }
  assert.fail(`never happened: ${what}`);
}

/** Aborts `run` once `when` holds; returns what happened after the abort. */
async function abortWhen(when: () => boolean, run: (signal: AbortSignal) => Promise<unknown>, ws: string) {
  const ctl = new AbortController();
  const p = run(ctl.signal);
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await until(() => settled || when(), 'the run reached the point to abort it at');
  ctl.abort(Object.assign(new Error('test abort'), { code: 'CSYNC_INTERRUPTED' }));
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  const files = snapshot(join(ws, 'content'));
  const logged = t.emu.requestLog().length;
  await sleep(1500);
  return { err, filesChanged: snapshot(join(ws, 'content')) !== files, requestsAfter: t.emu.requestLog().length - logged };
}

/** Requests torn down at the abort are still applied by the emulator once their latency is over: wait for them. */
const landed = () => until(() => t.emu.requestLog().every((q) => q.status !== 0), 'every request sent has been answered');

function lastRun(ws: string): { command: string; status: string } {
  const db = new Database(join(ws, 'cache', 'state.db'), { readonly: true });
  try {
    return db.prepare('SELECT command, status FROM runs ORDER BY id DESC LIMIT 1').get() as { command: string; status: string };
  } finally {
    db.close();
  }
}

test('an aborted push stops: no request after the abort, no file written, the run recorded as stopped; a rerun pushes the rest', async () => {
  const s = await space(12);
  try {
    const files = listFiles(join(s.ws, 'content')).filter((f) => /Page \d+\.md$/.test(f));
    for (const f of files) writeFileSync(f, `${readFileSync(f, 'utf8')}\nedited\n`);
    t.emu.setLatency(700);
    t.emu.resetLog();
    // Aborted while its first update is on the wire (the emulator logs a request as it arrives).
    const r = await abortWhen(() => t.emu.requestLog().some((q) => q.method === 'PUT'), (signal) => runPush({ ...s.common, signal }), s.ws);
    assert.equal((r.err as CsyncError).code, 'CSYNC_INTERRUPTED', String(r.err));
    assert.equal(r.requestsAfter, 0, 'no request after the abort');
    assert.equal(r.filesChanged, false, 'no file written after the abort');
    const sent = t.emu.requestLog().filter((q) => q.method === 'PUT').length;
    assert.ok(sent > 0 && sent < files.length, `a part was sent before the abort (${sent} of ${files.length})`);
    assert.equal(lastRun(s.ws).status, 'error');
    await landed();
    t.emu.setLatency(0);
    const again = await runPush(s.common);
    assert.equal(again.pages.conflicted, 0);
    for (const id of s.ids) assert.match(t.emu.api.body(id), /edited/, `page ${id} has the edit`);
  } finally {
    t.emu.setLatency(0);
  }
});

test('an aborted pull stops: no request after the abort, no file written; a rerun converges', async () => {
  const s = await space(12);
  try {
    for (const id of s.ids) t.emu.api.editPage(id, { body: `${t.emu.api.body(id)}<p>remote edit</p>` });
    t.emu.setLatency(700);
    t.emu.resetLog();
    // Aborted once its second request is on the wire (the listing is read one request at a time).
    const r = await abortWhen(() => t.emu.requestLog().length >= 2, (signal) => runPull({ ...s.common, signal }), s.ws);
    assert.equal((r.err as CsyncError).code, 'CSYNC_INTERRUPTED', String(r.err));
    assert.equal(r.requestsAfter, 0, 'no request after the abort');
    assert.equal(r.filesChanged, false, 'no file written after the abort');
    assert.equal(lastRun(s.ws).status, 'error');
    await landed();
    t.emu.setLatency(0);
    await runPull(s.common);
    const all = listFiles(join(s.ws, 'content')).map((f) => readFileSync(f, 'utf8'));
    assert.equal(all.filter((t) => /remote edit/.test(t)).length, s.ids.length);
  } finally {
    t.emu.setLatency(0);
  }
});

test('a signal already aborted: the run does nothing at all', async () => {
  const s = await space(2);
  const ctl = new AbortController();
  ctl.abort();
  t.emu.resetLog();
  await assert.rejects(runPush({ ...s.common, signal: ctl.signal }), (e: CsyncError) => e.code === 'CSYNC_INTERRUPTED');
  await assert.rejects(runPull({ ...s.common, signal: ctl.signal }), (e: CsyncError) => e.code === 'CSYNC_INTERRUPTED');
  assert.deepEqual(t.emu.requestLog(), []);
});
