/**
 * Pending creates (src/engine/pending.ts): a run stopped between a create and its record, and a settle itself
 * stopped at each of its steps, converge to one page and one file. Real engine, real SQLite, the emulator over HTTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { runPull } from '../../src/engine/pull.js';
import { runPush } from '../../src/engine/push.js';
import { composeFile, parseFile } from '../../src/format/front-matter.js';
import { getFormat } from '../../src/format/index.js';
import { silentLogger } from '../../src/obs/logger.js';
import { openStateStore } from '../../src/state/index.js';
import { MIGRATIONS } from '../../src/state/sqlite/migrations.js';
import { listFiles as files } from '../helpers/files.js';
import { sharedEmulator, stopAfterWrite } from './sync-harness.js';

const t = sharedEmulator();
let n = 0;

async function setup() {
  const key = `PEND${++n}`;
  t.emu.api.createSpace(key);
  const home = t.emu.api.createPage(key, 'Home', '<p>home</p>', null);
  const b = t.emu.api.createPage(key, 'B', '<p>bee</p>', home.id);
  const ws = mkdtempSync(join(tmpdir(), 'csync-pending-'));
  const common = { workspace: ws, api: t.client, spaces: [key], formatFor: () => getFormat('markdown'), maxDelete: { percent: 50 }, force: false, dryRun: false, concurrency: 4, logger: silentLogger() };
  await runPull(common);
  const dir = join(ws, 'content', key, 'Home');
  const db = () => openStateStore(join(ws, 'cache', 'state.db'), { readonly: true });
  const pending = () => {
    const s = db();
    try {
      return s.pendingCreates(key);
    } finally {
      s.close();
    }
  };
  const recorded = (id: string) => {
    const s = db();
    try {
      return s.page(id);
    } finally {
      s.close();
    }
  };
  const withText = (text: string) => t.emu.api.pages(key).filter((p) => t.emu.api.body(p.id).includes(text));
  const content = () => files(join(ws, 'content', key)).map((f) => relative(ws, f));
  /** A push that stops right after Confluence applied the create of `file`'s page. */
  const stoppedCreate = async () => {
    const restore = stopAfterWrite(t.emu, 'POST');
    try {
      await assert.rejects(runPush(common));
    } finally {
      restore();
    }
    assert.equal(pending().length, 1, 'the record of the create is left');
  };
  return { key, ws, home, b, dir, common, pending, recorded, withText, content, stoppedCreate, cleanup: () => rmSync(ws, { recursive: true, force: true }) };
}

test('a settle stopped after writing the id into the file (record not yet written): the next run finishes it', async () => {
  const s = await setup();
  try {
    writeFileSync(join(s.dir, 'Fresh.md'), 'fresh text\n');
    await s.stoppedCreate();
    const [ours] = s.withText('fresh text');
    // What the stopped settle did: the id (and title) in the file, nothing in the state.
    writeFileSync(join(s.dir, 'Fresh.md'), composeFile({ id: ours!.id, title: 'Fresh' }, 'fresh text\n'));
    const r = await runPush(s.common);
    assert.equal(r.pages.created, 0);
    assert.deepEqual(s.pending(), []);
    assert.equal(s.recorded(ours!.id)?.path, `content/${s.key}/Home/Fresh.md`);
    assert.equal(s.withText('fresh text').length, 1);
    const p = await runPull(s.common);
    assert.equal(p.pages.new + p.pages.updated + p.pages.conflicted, 0, 'nothing left to pull');
  } finally {
    s.cleanup();
  }
});

test('a settle stopped after writing the id into a file the user had moved: the next run adopts the page and pushes the move', async () => {
  const s = await setup();
  try {
    writeFileSync(join(s.dir, 'Fresh.md'), 'fresh text\n');
    await s.stoppedCreate();
    const [ours] = s.withText('fresh text');
    mkdirSync(join(s.dir, 'B'), { recursive: true });
    writeFileSync(join(s.dir, 'B', 'Fresh.md'), composeFile({ id: ours!.id, title: 'Fresh' }, 'fresh text\n'));
    rmSync(join(s.dir, 'Fresh.md'));
    await runPush(s.common);
    assert.deepEqual(s.pending(), []);
    assert.equal(t.emu.api.page(ours!.id).parentId, s.b.id, 'the move was pushed');
    assert.equal(s.withText('fresh text').length, 1);
  } finally {
    s.cleanup();
  }
});

test('a settle stopped by failing requests leaves the record; the run after it adopts the page once', async () => {
  const s = await setup();
  try {
    writeFileSync(join(s.dir, 'Fresh.md'), 'fresh text\n');
    await s.stoppedCreate();
    t.emu.api.renamePage(s.withText('fresh text')[0]!.id, 'Their title');
    renameSync(join(s.dir, 'Fresh.md'), join(s.dir, 'Mine.md'));
    // The settle's first request fails (more often than the client retries): nothing is settled, nothing created.
    t.emu.scriptFaults([{ kind: 'http500', method: 'GET', count: 20 }]);
    await assert.rejects(runPull(s.common));
    t.emu.clearFaults();
    assert.equal(s.pending().length, 1);
    await runPull(s.common);
    await runPush(s.common);
    await runPull(s.common);
    const pages = s.withText('fresh text');
    assert.equal(pages.length, 1, 'one page');
    assert.deepEqual(s.pending(), []);
    const mine = s.content().filter((f) => parseFile(readFileSync(join(s.ws, f), 'utf8')).meta.id === pages[0]!.id);
    assert.equal(mine.length, 1, `one file: ${s.content().join(', ')}`);
  } finally {
    t.emu.clearFaults();
    s.cleanup();
  }
});

test('another user\'s page with the same first title and body is not taken for ours (created by someone else)', async () => {
  const s = await setup();
  try {
    writeFileSync(join(s.dir, 'Fresh.md'), 'fresh text\n');
    await s.stoppedCreate();
    const [ours] = s.withText('fresh text');
    // Ours is trashed by someone, who then makes a page just like it: not ours to adopt.
    t.emu.api.deletePage(ours!.id);
    const theirs = t.emu.api.createPage(s.key, 'Fresh', t.emu.api.body(ours!.id), s.home.id);
    const r = await runPush(s.common);
    assert.equal(s.recorded(theirs.id), undefined, 'their page is not recorded as ours');
    assert.ok(r.warnings.some((w) => /Fresh\.md: a page titled "Fresh" already exists/.test(w)), r.warnings.join('\n'));
    assert.deepEqual(s.pending(), [], 'the record is dropped: the page it stood for is gone');
  } finally {
    s.cleanup();
  }
});

test('state: a database at migration 2 gains the pending-create table and keeps its pages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csync-mig-'));
  try {
    const path = join(dir, 'state.db');
    const db = new Database(path);
    for (const m of MIGRATIONS.slice(0, 2)) db.exec(m);
    db.pragma('user_version = 2');
    db.prepare("INSERT INTO spaces(key, id, homepage_id) VALUES ('K', '1', NULL)").run();
    db.prepare("INSERT INTO pages(id, space_key, parent_id, title, position, version, path, hash, size, mtime_ms, base) VALUES ('7', 'K', NULL, 'T', NULL, 3, 'content/K/T.md', 'h', 1, 0, 'x')").run();
    db.close();
    const s = openStateStore(path);
    try {
      assert.equal(s.page('7')?.version, 3);
      const p = { path: 'content/K/T/New.md', spaceKey: 'K', title: 'New', parentId: '7', bodyHash: 'abc', text: 'new\n', startedAt: '2026-11-30T12:00:00.000Z' };
      s.addPendingCreate(p);
      s.addPendingCreate({ ...p, title: 'Newer' });
      assert.deepEqual(s.pendingCreates('K'), [{ ...p, title: 'Newer' }], 'one record per path, upserted');
      assert.deepEqual(s.pendingCreates('OTHER'), []);
      s.removePendingCreate(p.path);
      assert.deepEqual(s.pendingCreates('K'), []);
    } finally {
      s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
