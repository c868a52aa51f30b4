/**
 * Regression tests for runs that stop part way (issue 13): the soak findings of the randomized suites and the
 * pending-update record (src/engine/sent.ts). Real engine in-process, real SQLite, the emulator over HTTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runPull } from '../../src/engine/pull.js';
import { runPush } from '../../src/engine/push.js';
import { parseFile } from '../../src/format/front-matter.js';
import { getFormat } from '../../src/format/index.js';
import { silentLogger } from '../../src/obs/logger.js';
import { openStateStore } from '../../src/state/index.js';
import { RACY_MTIME_MS } from '../../src/state/sqlite/store.js';
import { listFiles } from '../helpers/files.js';
import { sharedEmulator, stopAfterWrite } from './sync-harness.js';

const t = sharedEmulator();
let n = 0;

/** A space with Home → A, B, pulled into a fresh workspace. */
async function setup() {
  const key = `CR${++n}`;
  t.emu.api.createSpace(key);
  const home = t.emu.api.createPage(key, 'Home', '<p>home</p>', null);
  const a = t.emu.api.createPage(key, 'A', '<p>one</p><p>two</p><p>three</p>', home.id);
  const b = t.emu.api.createPage(key, 'B', '<p>bee</p>', home.id);
  const ws = mkdtempSync(join(tmpdir(), 'csync-crash-reg-'));
  const common = { workspace: ws, api: t.client, spaces: [key], formatFor: () => getFormat('markdown'), maxDelete: { percent: 50 }, force: false, dryRun: false, concurrency: 4, logger: silentLogger() };
  await runPull(common);
  const dir = join(ws, 'content', key, 'Home');
  const content = () => listFiles(join(ws, 'content', key)).map((f) => relative(ws, f)).sort();
  const state = () => {
    const s = openStateStore(join(ws, 'cache', 'state.db'), { readonly: true });
    try {
      return { pages: s.pagesOfSpace(key), conflicts: s.conflicts(), pendingUpdates: s.pendingUpdates(key) };
    } finally {
      s.close();
    }
  };
  const stopped = async <T>(method: 'POST' | 'PUT', run: () => Promise<T>) => {
    const restore = stopAfterWrite(t.emu, method);
    try {
      await assert.rejects(run());
    } finally {
      restore();
    }
  };
  return { key, ws, home, a, b, dir, common, content, state, stopped, cleanup: () => rmSync(ws, { recursive: true, force: true }) };
}

test('soak finding A: a pull after a stopped create does not count the adopted page toward the delete gate (was: trashed 2 of 3 files without --force)', async () => {
  const s = await setup();
  try {
    writeFileSync(join(s.dir, 'New.md'), 'fresh text\n');
    t.emu.api.deletePage(s.a.id);
    t.emu.api.deletePage(s.b.id);
    await s.stopped('POST', () => runPush(s.common));
    // 2 of the 3 pages synced before are gone in Confluence: more than 50%, whatever the stopped create adds.
    await assert.rejects(runPull(s.common), (e: { code?: string }) => e.code === 'CSYNC_SAFETY_GATE');
    assert.ok(existsSync(join(s.dir, 'A.md')) && existsSync(join(s.dir, 'B.md')), 'nothing was trashed');
    const forced = await runPull({ ...s.common, force: true });
    assert.equal(forced.pages.deleted, 2);
    assert.deepEqual(s.content(), [`content/${s.key}/Home.md`, `content/${s.key}/Home/New.md`]);
    assert.equal(t.emu.api.pages(s.key).filter((p) => p.title === 'New').length, 1, 'the stopped create was adopted, not made again');
  } finally {
    s.cleanup();
  }
});

test('soak finding A, push side: local deletes are gated against the pages synced before, not the adopted create', async () => {
  const s = await setup();
  try {
    writeFileSync(join(s.dir, 'New.md'), 'fresh text\n');
    await s.stopped('POST', () => runPush(s.common));
    rmSync(join(s.dir, 'A.md'));
    rmSync(join(s.dir, 'B.md'));
    await assert.rejects(runPush(s.common), (e: { code?: string }) => e.code === 'CSYNC_SAFETY_GATE');
    assert.equal(t.emu.api.pages(s.key).length, 4, 'no page was trashed');
  } finally {
    s.cleanup();
  }
});

/** Markdown that Confluence's rendering does not give back byte for byte: its merge against the file would conflict. */
const UNCANONICAL = '\n_emphasis_ here\n\n+ one\n+ two\n';

test('an update that reached Confluence but not the state, then a pull: the pull records it, no conflict, no download (pending update)', async () => {
  const s = await setup();
  try {
    const f = join(s.dir, 'A.md');
    writeFileSync(f, readFileSync(f, 'utf8') + UNCANONICAL);
    await s.stopped('PUT', () => runPush(s.common));
    assert.equal(t.emu.api.page(s.a.id).version.number, 2, 'the update reached Confluence');
    assert.equal(s.state().pendingUpdates.length, 1, 'its record is left');
    const pulled = await runPull(s.common);
    assert.equal(pulled.pages.conflicted, 0);
    assert.equal(pulled.pages.updated, 0, 'nothing to download: the version is ours');
    const st = s.state();
    assert.deepEqual(st.conflicts, []);
    assert.deepEqual(st.pendingUpdates, []);
    assert.equal(st.pages.find((p) => p.id === s.a.id)?.version, 2);
    const pushed = await runPush(s.common);
    assert.equal(pushed.pages.updated, 0, 'nothing left to push');
    assert.equal(t.emu.api.page(s.a.id).version.number, 2, 'no second version');
    assert.match(readFileSync(f, 'utf8'), /_emphasis_/, 'the file is as the user wrote it');
  } finally {
    s.cleanup();
  }
});

test('an update that reached Confluence, then a local edit and someone else\'s edit: the rerun pushes the local edit on top and merges, no conflict', async () => {
  const s = await setup();
  try {
    const f = join(s.dir, 'A.md');
    writeFileSync(f, readFileSync(f, 'utf8') + UNCANONICAL);
    await s.stopped('PUT', () => runPush(s.common));
    // After the stop: the user edits the middle, another user the top. (Not next to the Markdown Confluence renders
    // otherwise: the base is the text sent, so an edit touching those lines would meet their rendering.)
    writeFileSync(f, readFileSync(f, 'utf8').replace('two', 'two and a later line'));
    t.emu.api.editPage(s.a.id, { body: `<p>top by someone else</p>${t.emu.api.body(s.a.id)}` });
    const pushed = await runPush(s.common);
    assert.equal(pushed.pages.conflicted, 0);
    const body = t.emu.api.body(s.a.id);
    assert.match(body, /top by someone else/);
    assert.match(body, /later line/);
    assert.match(body, /emphasis/);
    const text = readFileSync(f, 'utf8');
    assert.match(text, /top by someone else/);
    assert.deepEqual(s.state().conflicts, []);
  } finally {
    s.cleanup();
  }
});

test('an update that never reached Confluence: its record is dropped and the update is sent once', async () => {
  const s = await setup();
  try {
    const f = join(s.dir, 'A.md');
    writeFileSync(f, readFileSync(f, 'utf8') + UNCANONICAL);
    // Every request fails from the first update on: the PUT is not applied.
    const faults = t.emu.faults;
    const pick = faults.pick.bind(faults);
    faults.pick = (m: string, p: string) => (m === 'PUT' ? { kind: 'http500' } : pick(m, p));
    try {
      await assert.rejects(runPush(s.common));
    } finally {
      faults.pick = pick;
    }
    assert.equal(t.emu.api.page(s.a.id).version.number, 1);
    assert.equal(s.state().pendingUpdates.length, 1);
    const pushed = await runPush(s.common);
    assert.equal(pushed.pages.updated, 1);
    assert.equal(t.emu.api.page(s.a.id).version.number, 2);
    assert.deepEqual(s.state().pendingUpdates, []);
    assert.equal(parseFile(readFileSync(f, 'utf8')).meta.id, s.a.id);
  } finally {
    s.cleanup();
  }
});

test('a label change in a stopped update is set by the settle (the run stopped before the label request)', async () => {
  const s = await setup();
  try {
    mkdirSync(s.dir, { recursive: true });
    const f = join(s.dir, 'B.md');
    const p = parseFile(readFileSync(f, 'utf8'));
    writeFileSync(f, readFileSync(f, 'utf8').replace('title: B', 'title: B\nlabels:\n  - fresh') + UNCANONICAL);
    assert.notEqual(p.meta.labels, ['fresh']);
    await s.stopped('PUT', () => runPush(s.common));
    assert.deepEqual(t.emu.api.page(s.b.id).labels, [], 'the stop came before the label request');
    await runPush(s.common);
    assert.deepEqual(t.emu.api.page(s.b.id).labels, ['fresh']);
    assert.equal(t.emu.api.page(s.b.id).version.number, 2);
    assert.deepEqual(s.state().conflicts, []);
  } finally {
    s.cleanup();
  }
});

/**
 * Soak finding B: a file written again within the filesystem's mtime tick of the write a sync recorded keeps that
 * mtime; with the same size the stat fast path took it for unchanged for good. Here the coarse clock is played by
 * utimes: the file gets back the mtime it had when the sync recorded it.
 */
function sameTick(file: string, text: string): void {
  const before = statSync(file);
  writeFileSync(file, text);
  utimesSync(file, before.atimeMs / 1000, before.mtimeMs / 1000);
  assert.ok(Math.abs(statSync(file).mtimeMs - before.mtimeMs) < 1, 'the same mtime (to the stat fast path)');
}

test('soak finding B: an attachment rewritten within the mtime tick of its download, same size, is pushed (was: taken for unchanged; Confluence kept the old bytes)', async () => {
  const s = await setup();
  try {
    t.emu.api.addAttachment(s.a.id, 'a.txt', 'tok2x\n');
    await runPull(s.common);
    const file = join(s.ws, 'attachments', s.key, 'Home', 'A', 'a.txt');
    assert.equal(readFileSync(file, 'utf8'), 'tok2x\n');
    sameTick(file, 'tok4x\n');
    const pushed = await runPush(s.common);
    assert.equal(pushed.attachments.updated, 1, 'the new bytes are uploaded');
    assert.equal(t.emu.api.attachments(s.a.id)[0]!.data.toString('utf8'), 'tok4x\n');
  } finally {
    s.cleanup();
  }
});

test('soak finding B, pages: a page file rewritten within the mtime tick of its pull, same size, is pushed', async () => {
  const s = await setup();
  try {
    t.emu.api.editPage(s.b.id, { body: '<p>bee2</p>' });
    await runPull(s.common);
    const file = join(s.dir, 'B.md');
    sameTick(file, readFileSync(file, 'utf8').replace('bee2', 'bee3'));
    const pushed = await runPush(s.common);
    assert.equal(pushed.pages.updated, 1);
    assert.match(t.emu.api.body(s.b.id), /bee3/);
  } finally {
    s.cleanup();
  }
});

test('records saved right after their file was written keep no mtime; the next push that finds the file unchanged stores it (the fast path comes back)', async () => {
  const s = await setup();
  try {
    t.emu.api.addAttachment(s.a.id, 'a.txt', 'bytes\n');
    await runPull(s.common);
    const att = join(s.ws, 'attachments', s.key, 'Home', 'A', 'a.txt');
    const page = join(s.dir, 'A.md');
    const store = () => {
      const st = openStateStore(join(s.ws, 'cache', 'state.db'), { readonly: true });
      try {
        return { page: st.pageByPath(relative(s.ws, page))!.mtimeMs, att: st.attachmentsOfSpace(s.key)[0]!.mtimeMs };
      } finally {
        st.close();
      }
    };
    const fresh = store();
    assert.equal(fresh.att, 0, 'written just now: no mtime trusted yet');
    // The page was written by the setup's pull: this pull stored its mtime at its end only if it was past the window.
    assert.ok(fresh.page === 0 || Date.now() - fresh.page >= RACY_MTIME_MS, 'no racy mtime stored for the page');
    // Later (the files' mtimes well past a filesystem tick): a push hashes them once and remembers their mtimes.
    const old = new Date(Date.now() - 60_000);
    utimesSync(att, old, old);
    utimesSync(page, old, old);
    await runPush(s.common);
    assert.deepEqual(store(), { page: statSync(page).mtimeMs, att: statSync(att).mtimeMs });
  } finally {
    s.cleanup();
  }
});
