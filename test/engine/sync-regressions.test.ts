/**
 * Regression tests for the bugs the randomized sync tests found (sync.property.test.ts, test/core/sync-model),
 * each as the shrunk counterexample: real engine in-process, real SQLite, the emulator over HTTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runPull } from '../../src/engine/pull.js';
import { runPush } from '../../src/engine/push.js';
import { composeFile, parseFile } from '../../src/format/front-matter.js';
import { getFormat, loadFormat } from '../../src/format/index.js';
import { acquireWorkspaceLock } from '../../src/local/lock.js';
import { silentLogger } from '../../src/obs/logger.js';
import { openStateStore } from '../../src/state/index.js';
import { listFiles as files } from '../helpers/files.js';
import { sharedEmulator, stopAfterWrite } from './sync-harness.js';

const t = sharedEmulator();
let n = 0;

/** A space with Home → A, B (B → C), pulled into a fresh workspace. */
async function setup() {
  const key = `REG${++n}`;
  t.emu.api.createSpace(key);
  const home = t.emu.api.createPage(key, 'Home', '<p>home</p>', null);
  const a = t.emu.api.createPage(key, 'A', '<p>one</p><p>two</p><p>three</p>', home.id);
  const b = t.emu.api.createPage(key, 'B', '<p>bee</p>', home.id);
  const c = t.emu.api.createPage(key, 'C', '<p>sea</p>', b.id);
  const ws = mkdtempSync(join(tmpdir(), 'csync-reg-'));
  const common = { workspace: ws, api: t.client, spaces: [key], formatFor: () => getFormat('markdown'), maxDelete: { percent: 50 }, force: false, dryRun: false, concurrency: 4, logger: silentLogger() };
  const pull = () => runPull(common);
  const push = () => runPush(common);
  await pull();
  const dir = join(ws, 'content', key, 'Home');
  const content = () => files(join(ws, 'content', key)).map((f) => relative(ws, f));
  const state = () => {
    const s = openStateStore(join(ws, 'cache', 'state.db'), { readonly: true });
    try {
      return { pages: s.pagesOfSpace(key), conflicts: s.conflicts() };
    } finally {
      s.close();
    }
  };
  return { key, ws, home, a, b, c, dir, pull, push, content, state, cleanup: () => rmSync(ws, { recursive: true, force: true }) };
}

test('a file moved locally while its page changed remotely: sync keeps one file and one page (was: restored beside it, then pushed as a duplicate page)', async () => {
  const s = await setup();
  try {
    mkdirSync(join(s.dir, 'B', 'A'), { recursive: true });
    renameSync(join(s.dir, 'A.md'), join(s.dir, 'B', 'A.md'));
    t.emu.api.editPage(s.a.id, { body: `${t.emu.api.body(s.a.id)}<p>remote line</p>` });
    await s.pull();
    await s.push();
    const pages = t.emu.api.pages(s.key);
    assert.equal(pages.length, 4, `no duplicate page: ${pages.map((p) => p.title).join(', ')}`);
    const withId = s.content().filter((f) => f.endsWith('.md') && parseFile(readFileSync(join(s.ws, f), 'utf8')).meta.id === s.a.id);
    assert.equal(withId.length, 1, `one file for page A: ${withId.join(', ')}`);
    assert.match(readFileSync(join(s.ws, withId[0]!), 'utf8'), /remote line/);
  } finally {
    s.cleanup();
  }
});

test('a new file whose title someone else took meanwhile is reported, not adopted (was: marked synced with the other page, never pushed)', async () => {
  const s = await setup();
  try {
    writeFileSync(join(s.dir, 'Notes.md'), 'my notes\n');
    const theirs = t.emu.api.createPage(s.key, 'Notes', '<p>their notes</p>', s.home.id);
    const r = await s.push();
    assert.equal(r.pages.created, 0);
    assert.ok(r.warnings.some((w) => /Notes\.md: a page titled "Notes" already exists/.test(w)), r.warnings.join('\n'));
    assert.equal(parseFile(readFileSync(join(s.dir, 'Notes.md'), 'utf8')).meta.id, undefined, 'the file is not bound to their page');
    assert.equal(t.emu.api.body(theirs.id), '<p>their notes</p>');
    assert.equal(s.state().pages.some((p) => p.id === theirs.id), false);
  } finally {
    s.cleanup();
  }
});

test('a create that stopped before its record, then a pull: the rerun adopts the page, no conflict or copy left (was: a conflict that never went away)', async () => {
  const s = await setup();
  try {
    writeFileSync(join(s.dir, 'Fresh.md'), 'fresh text\n');
    // What a run of an older csync (no pending-create record) left when it stopped: the page exists with our body,
    // made by our account; the file has no id, the state knows nothing.
    const ours = t.emu.store.createPage({ spaceId: t.emu.api.space(s.key).id, title: 'Fresh', body: (await loadFormat('markdown')).toStorage('fresh text\n', { spaceKey: s.key, title: 'Fresh' }).text, parentId: s.home.id });
    await s.pull();
    assert.equal(s.state().conflicts.length, 1, 'the pull saw an untracked file where the page goes');
    await s.push();
    assert.deepEqual(s.state().conflicts, []);
    assert.deepEqual(s.content().filter((f) => f.includes('.conflict-')), [], 'the duplicate copy is gone');
    assert.equal(parseFile(readFileSync(join(s.dir, 'Fresh.md'), 'utf8')).meta.id, ours.id);
    assert.equal(t.emu.api.pages(s.key).length, 5);
  } finally {
    s.cleanup();
  }
});

test('a page moved into its own subtree is reported and not moved (was: a parent cycle in Confluence)', async () => {
  const s = await setup();
  try {
    // B's folder holds C; moving B.md into B/C/ would make B a child of its own child.
    mkdirSync(join(s.dir, 'B', 'C'), { recursive: true });
    renameSync(join(s.dir, 'B.md'), join(s.dir, 'B', 'C', 'B.md'));
    const r = await s.push();
    assert.ok(r.warnings.some((w) => /cannot be moved under itself/.test(w)), r.warnings.join('\n'));
    assert.equal(t.emu.api.page(s.b.id).parentId, s.home.id);
    assert.equal(t.emu.api.page(s.c.id).parentId, s.b.id);
  } finally {
    s.cleanup();
  }
});

test('a file deleted locally whose page was edited remotely since the sync is not trashed by push (was: the remote edit went to the trash unseen)', async () => {
  const s = await setup();
  try {
    t.emu.api.editPage(s.a.id, { body: '<p>important remote edit</p>' });
    unlinkSync(join(s.dir, 'A.md'));
    const r = await s.push();
    assert.equal(r.pages.deleted, 0);
    assert.ok(r.warnings.some((w) => /changed in Confluence since the last sync; not deleted/.test(w)), r.warnings.join('\n'));
    assert.equal(t.emu.api.page(s.a.id).status, 'current');
    await s.pull();
    assert.match(readFileSync(join(s.dir, 'A.md'), 'utf8'), /important remote edit/, 'the next pull restores it');
    // An unchanged page is still deleted as before.
    unlinkSync(join(s.dir, 'A.md'));
    const again = await s.push();
    assert.equal(again.pages.deleted, 1);
    assert.equal(t.emu.api.page(s.a.id).status, 'trashed');
  } finally {
    s.cleanup();
  }
});

test('a conflicted file deleted locally keeps its page (was: trashed, with the remote edit only in the copy)', async () => {
  const s = await setup();
  try {
    const file = join(s.dir, 'A.md');
    const p = parseFile(readFileSync(file, 'utf8'));
    writeFileSync(file, composeFile(p.meta, p.body.replace('one', 'local one')));
    t.emu.api.editPage(s.a.id, { body: t.emu.api.body(s.a.id).replace('one', 'remote one') });
    await s.push();
    assert.equal(s.state().conflicts.length, 1);
    unlinkSync(file);
    const r = await s.push();
    assert.equal(r.pages.deleted, 0);
    assert.equal(t.emu.api.page(s.a.id).status, 'current');
  } finally {
    s.cleanup();
  }
});

test('a new file under a page deleted in Confluence meanwhile is reported; the rest of the push goes on (was: the whole push failed with a 404, every time)', async () => {
  const s = await setup();
  try {
    t.emu.api.deletePage(s.c.id);
    mkdirSync(join(s.dir, 'B', 'C'), { recursive: true });
    writeFileSync(join(s.dir, 'B', 'C', 'Child.md'), 'child\n');
    const a = join(s.dir, 'A.md');
    writeFileSync(a, readFileSync(a, 'utf8').replace('two', 'two, edited'));
    const r = await s.push();
    assert.ok(r.warnings.some((w) => /B\/C\/Child\.md: not created: .*404/.test(w)), r.warnings.join('\n'));
    assert.equal(r.pages.updated, 1);
    assert.match(t.emu.api.body(s.a.id), /two, edited/);
  } finally {
    s.cleanup();
  }
});

test('a rename to a title another page has is reported; the rest of the push goes on (was: the whole push failed with a 400)', async () => {
  const s = await setup();
  try {
    const a = join(s.dir, 'A.md');
    const p = parseFile(readFileSync(a, 'utf8'));
    writeFileSync(a, composeFile({ ...p.meta, title: 'B' }, p.body));
    const c = join(s.dir, 'B', 'C.md');
    writeFileSync(c, readFileSync(c, 'utf8').replace('sea', 'sea, edited'));
    const r = await s.push();
    // Known locally: refused before any write.
    assert.ok(r.warnings.some((w) => /A\.md: its title is also the title of .*B\.md; titles are unique in a space; not pushed/.test(w)), r.warnings.join('\n'));
    assert.equal(t.emu.api.page(s.a.id).title, 'A');
    assert.match(t.emu.api.body(s.c.id), /sea, edited/);
    // Taken in Confluence since the last pull (not known locally): Confluence refuses it, the rest goes on.
    t.emu.api.createPage(s.key, 'Theirs', '<p>theirs</p>', s.home.id);
    writeFileSync(a, composeFile({ ...p.meta, title: 'Theirs' }, p.body));
    writeFileSync(c, readFileSync(c, 'utf8').replace('sea, edited', 'sea, edited twice'));
    const r2 = await s.push();
    assert.ok(r2.warnings.some((w) => /A\.md: not pushed: .*400/.test(w)), r2.warnings.join('\n'));
    assert.equal(t.emu.api.page(s.a.id).title, 'A');
    assert.match(t.emu.api.body(s.c.id), /sea, edited twice/);
  } finally {
    s.cleanup();
  }
});

test('a PUT answered 500 while another user edited the page is not taken for ours (was: both edits silently dropped — the retry check saw the right version number)', async () => {
  const s = await setup();
  try {
    const a = join(s.dir, 'A.md');
    writeFileSync(a, `${readFileSync(a, 'utf8')}\nlocal tail\n`);
    t.emu.api.editPage(s.a.id, { body: `${t.emu.api.body(s.a.id)}<p>remote tail</p>` });
    t.emu.scriptFaults([{ kind: 'http500', method: 'PUT', count: 1 }]);
    await s.push();
    const conflicted = s.state().conflicts.some((c) => c.pageId === s.a.id);
    const remote = t.emu.api.body(s.a.id);
    assert.ok(conflicted || (/local tail/.test(remote) && /remote tail/.test(remote)), 'a conflict, or both edits in the page');
    assert.match(remote, /remote tail/, 'the other user\'s edit is still in the page');
    if (conflicted) assert.equal(s.content().filter((f) => f.includes('.conflict-')).length, 1);
  } finally {
    t.emu.clearFaults();
    s.cleanup();
  }
});

test('the workspace lock removes its exit listener on release (was: one leaked listener per run, MaxListenersExceededWarning)', () => {
  const ws = mkdtempSync(join(tmpdir(), 'csync-lock-'));
  try {
    const before = process.listenerCount('exit');
    for (let i = 0; i < 20; i++) acquireWorkspaceLock(ws, 'test')();
    assert.equal(process.listenerCount('exit'), before);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

/**
 * A push that stops right after Confluence applied a create, before the page is recorded (the answer is lost and the
 * server stays unreachable until the run gives up). Returns the page it created.
 */
async function pushStoppedAfterCreate(s: Awaited<ReturnType<typeof setup>>, title: string) {
  const before = new Set(t.emu.api.pages(s.key).map((p) => p.id));
  const restore = stopAfterWrite(t.emu, 'POST');
  try {
    await assert.rejects(s.push());
  } finally {
    restore();
  }
  const made = t.emu.api.pages(s.key).filter((p) => !before.has(p.id));
  assert.deepEqual(made.map((p) => p.title), [title], 'the stopped run created the page');
  assert.equal(s.state().pages.some((p) => p.id === made[0]!.id), false, 'and did not record it');
  return made[0]!;
}

/** Pages whose body holds `text` (a duplicate create shows as two). */
const pagesWith = (key: string, text: string) => t.emu.api.pages(key).filter((p) => t.emu.api.body(p.id).includes(text));

test('a create that stopped before its record, then a local rename of the file: the rerun adopts the page (was: created it again under the new name)', async () => {
  const s = await setup();
  try {
    writeFileSync(join(s.dir, 'Fresh.md'), 'fresh text\n');
    const ours = await pushStoppedAfterCreate(s, 'Fresh');
    renameSync(join(s.dir, 'Fresh.md'), join(s.dir, 'Renamed.md'));
    await s.push();
    await s.pull();
    await s.push();
    assert.deepEqual(pagesWith(s.key, 'fresh text').map((p) => p.id), [ours.id], 'one page');
    const withId = s.content().filter((f) => parseFile(readFileSync(join(s.ws, f), 'utf8')).meta.id === ours.id);
    assert.equal(withId.length, 1, `one file for the page: ${s.content().join(', ')}`);
    assert.deepEqual(s.content().filter((f) => /fresh|renamed/i.test(f)), withId, 'and no other file of it');
    assert.ok(s.state().pages.some((p) => p.id === ours.id && p.path === withId[0]), 'recorded');
    assert.deepEqual(s.state().conflicts, []);
  } finally {
    s.cleanup();
  }
});

test('a create that stopped before its record, then a local move and a title change in the file: the rerun adopts, moves and renames the page (was: a second page)', async () => {
  const s = await setup();
  try {
    writeFileSync(join(s.dir, 'Fresh.md'), 'fresh text\n');
    const ours = await pushStoppedAfterCreate(s, 'Fresh');
    mkdirSync(join(s.dir, 'B'), { recursive: true });
    writeFileSync(join(s.dir, 'B', 'Fresh.md'), composeFile({ title: 'Better' }, 'fresh text\n'));
    unlinkSync(join(s.dir, 'Fresh.md'));
    await s.push();
    await s.pull();
    assert.deepEqual(pagesWith(s.key, 'fresh text').map((p) => p.id), [ours.id], 'one page');
    assert.equal(t.emu.api.page(ours.id).title, 'Better');
    assert.equal(t.emu.api.page(ours.id).parentId, s.b.id);
    assert.equal(parseFile(readFileSync(join(s.dir, 'B', 'Better.md'), 'utf8')).meta.id, ours.id);
  } finally {
    s.cleanup();
  }
});

test('a create that stopped before its record, then another user renames the page: the rerun adopts it (was: created it again)', async () => {
  const s = await setup();
  try {
    writeFileSync(join(s.dir, 'Fresh.md'), 'fresh text\n');
    const ours = await pushStoppedAfterCreate(s, 'Fresh');
    t.emu.api.renamePage(ours.id, 'Renamed by them');
    t.emu.api.movePage(ours.id, s.b.id);
    const r = await s.push();
    assert.equal(r.pages.created, 0);
    await s.pull();
    assert.deepEqual(pagesWith(s.key, 'fresh text').map((p) => p.id), [ours.id], 'one page');
    assert.equal(t.emu.api.page(ours.id).title, 'Renamed by them', 'their rename stands');
    const file = join(s.dir, 'B', 'Renamed by them.md');
    assert.equal(parseFile(readFileSync(file, 'utf8')).meta.id, ours.id, 'the file followed the page');
    assert.deepEqual(s.content().filter((f) => /Fresh/.test(f)), []);
    assert.deepEqual(s.state().conflicts, []);
  } finally {
    s.cleanup();
  }
});

test('a create that stopped before its record, a local edit, then a pull: the pull adopts the page, no conflict copy; the push sends the edit (was: a copy, and the file never pushed)', async () => {
  const s = await setup();
  try {
    writeFileSync(join(s.dir, 'Fresh.md'), 'fresh text\n');
    const ours = await pushStoppedAfterCreate(s, 'Fresh');
    writeFileSync(join(s.dir, 'Fresh.md'), 'fresh text\n\nmore text\n');
    const pulled = await s.pull();
    assert.equal(pulled.pages.new, 0, 'the page is not new to the pull');
    assert.deepEqual(s.content().filter((f) => f.includes('.conflict-')), [], 'no conflict copy');
    assert.equal(parseFile(readFileSync(join(s.dir, 'Fresh.md'), 'utf8')).meta.id, ours.id, 'the pull wrote the id into the file');
    const r = await s.push();
    assert.deepEqual(r.warnings, []);
    assert.equal(r.pages.created, 0);
    assert.deepEqual(pagesWith(s.key, 'fresh text').map((p) => p.id), [ours.id], 'one page');
    assert.match(t.emu.api.body(ours.id), /more text/);
    assert.deepEqual(s.state().conflicts, []);
  } finally {
    s.cleanup();
  }
});

test('a create that stopped before its request leaves no page: the rerun drops its record and creates the page once', async () => {
  const s = await setup();
  try {
    writeFileSync(join(s.dir, 'Fresh.md'), 'fresh text\n');
    t.emu.scriptFaults([{ kind: 'http500', method: 'POST', count: 10 }]);
    await assert.rejects(s.push());
    t.emu.clearFaults();
    assert.deepEqual(pagesWith(s.key, 'fresh text'), []);
    const db = openStateStore(join(s.ws, 'cache', 'state.db'), { readonly: true });
    try {
      assert.deepEqual(db.pendingCreates(s.key).map((p) => p.path), [`content/${s.key}/Home/Fresh.md`], 'the record was written before the request');
    } finally {
      db.close();
    }
    const r = await s.push();
    assert.equal(r.pages.created, 1);
    assert.equal(pagesWith(s.key, 'fresh text').length, 1);
    const after = openStateStore(join(s.ws, 'cache', 'state.db'), { readonly: true });
    try {
      assert.deepEqual(after.pendingCreates(s.key), [], 'removed with the page record');
    } finally {
      after.close();
    }
  } finally {
    t.emu.clearFaults();
    s.cleanup();
  }
});

test('a POST answered 500 while another user created a page with that title is not taken for ours (was: the file bound to their page)', async () => {
  const s = await setup();
  const faults = t.emu.faults;
  const pick = faults.pick.bind(faults);
  try {
    writeFileSync(join(s.dir, 'Notes.md'), 'my notes\n');
    let theirs: { id: string } | undefined;
    faults.pick = (m: string, path: string) => {
      if (!theirs && m === 'POST' && /\/pages$/.test(path)) {
        theirs = t.emu.api.createPage(s.key, 'Notes', '<p>their notes</p>', s.home.id);
        return { kind: 'http500' };
      }
      return pick(m, path);
    };
    const r = await s.push();
    assert.equal(r.pages.created, 0);
    assert.ok(r.warnings.some((w) => /Notes\.md: not created/.test(w)), r.warnings.join('\n'));
    assert.equal(parseFile(readFileSync(join(s.dir, 'Notes.md'), 'utf8')).meta.id, undefined, 'the file is not bound to their page');
    assert.equal(s.state().pages.some((p) => p.id === theirs!.id), false);
  } finally {
    faults.pick = pick;
    s.cleanup();
  }
});
