import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseFile } from '../../src/format/front-matter.js';
import { fileOf, type TestWorkspace, workspaceWithEmulator, writes } from '../helpers/workspace.js';

const HOME = 'content/DEMO/Demo space home';
function edit(ws: TestWorkspace, rel: string, fn: (text: string) => string): void {
  const abs = join(ws.dir, rel);
  writeFileSync(abs, fn(readFileSync(abs, 'utf8')));
}

async function pulled(): Promise<TestWorkspace> {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  const r = await ws.csync(['pull']);
  assert.equal(r.code, 0, r.stderr);
  ws.emu.resetLog();
  return ws;
}

test('an unedited workspace pushes nothing: zero write requests', async () => {
  const ws = await pulled();
  try {
    const r = await ws.csync(['push']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(writes(ws), []);
    assert.match(r.stdout, /Nothing to push/);
  } finally {
    await ws.close();
  }
});

test('a local edit updates the page with version + 1, without a GET first; a rerun writes nothing', async () => {
  const ws = await pulled();
  try {
    const rel = fileOf(ws, 'Architecture');
    const page = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
    const before = page.version.number;
    edit(ws, rel, (t) => `${t}\nA line added locally.\n`);
    const r = await ws.csync(['push']);
    assert.equal(r.code, 0, r.stderr);
    const after = ws.emu.api.page(page.id);
    assert.equal(after.version.number, before + 1);
    assert.match(ws.emu.api.body(page.id), /A line added locally\./);
    assert.deepEqual(writes(ws), ['PUT /wiki/api/v2/pages/{id}']);
    assert.equal(ws.emu.requestCounts()['GET /wiki/api/v2/pages/{id}'] ?? 0, 0);
    ws.emu.resetLog();
    const again = await ws.csync(['push']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(writes(ws), []);
    assert.equal(ws.emu.api.page(page.id).version.number, before + 1);
  } finally {
    await ws.close();
  }
});

test('concurrent non-overlapping edits merge: both edits end up in the page and the file', async () => {
  const ws = await pulled();
  try {
    const rel = fileOf(ws, 'Architecture');
    const page = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
    ws.emu.api.editPage(page.id, { body: ws.emu.api.body(page.id).replace('Another point', 'Another point, edited remotely') });
    const remoteVersion = ws.emu.api.page(page.id).version.number;
    edit(ws, rel, (t) => t.replace('Edit it in Confluence', 'Edit it here (locally)'));
    ws.emu.resetLog();
    const r = await ws.csync(['push']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const body = ws.emu.api.body(page.id);
    assert.match(body, /edited remotely/);
    assert.match(body, /Edit it here \(locally\)/);
    assert.equal(ws.emu.api.page(page.id).version.number, remoteVersion + 1);
    const text = readFileSync(join(ws.dir, rel), 'utf8');
    assert.match(text, /edited remotely/);
    assert.match(text, /Edit it here \(locally\)/);
    assert.equal(ws.files('content').filter((f) => f.includes('.conflict-')).length, 0);
    // A 409, one GET, one successful PUT.
    assert.equal(ws.emu.requestCounts()['PUT /wiki/api/v2/pages/{id}'], 2);
    ws.emu.resetLog();
    assert.equal((await ws.csync(['push'])).code, 0);
    assert.deepEqual(writes(ws), []);
    const pull = await ws.csync(['pull']);
    assert.match(pull.stdout, /Already up to date/);
  } finally {
    await ws.close();
  }
});

test('overlapping edits: conflict copy beside the file, exit 6, the page is not changed', async () => {
  const ws = await pulled();
  try {
    const rel = fileOf(ws, 'Architecture');
    const page = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
    ws.emu.api.editPage(page.id, { body: ws.emu.api.body(page.id).replace('Edit it in Confluence', 'Remote wording') });
    const remote = ws.emu.api.page(page.id);
    const remoteBody = ws.emu.api.body(page.id);
    edit(ws, rel, (t) => t.replace('Edit it in Confluence', 'Local wording'));
    const localText = readFileSync(join(ws.dir, rel), 'utf8');
    const r = await ws.csync(['push']);
    assert.equal(r.code, 6, r.stderr + r.stdout);
    assert.match(r.stdout, /CONFLICT/);
    assert.equal(ws.emu.api.page(page.id).version.number, remote.version.number);
    assert.equal(ws.emu.api.body(page.id), remoteBody);
    assert.equal(readFileSync(join(ws.dir, rel), 'utf8'), localText, 'the local file is untouched');
    const copies = ws.files('content').filter((f) => f.includes('.conflict-'));
    assert.equal(copies.length, 1);
    assert.match(readFileSync(join(ws.dir, copies[0]!), 'utf8'), /Remote wording/);
    // The page stays unpushed until resolved: a second push makes no write.
    ws.emu.resetLog();
    const again = await ws.csync(['push']);
    assert.equal(again.code, 6);
    assert.deepEqual(writes(ws), []);
    assert.equal(ws.files('content').filter((f) => f.includes('.conflict-')).length, 1, 'the copy is not pushed as a new page');
  } finally {
    await ws.close();
  }
});

test('a new file creates a page under its folder page; the id is written back and a rerun creates nothing', async () => {
  const ws = await pulled();
  try {
    const parentRel = fileOf(ws, 'Architecture');
    const rel = `${parentRel.replace(/\.md$/, '')}/Decisions.md`;
    mkdirSync(join(ws.dir, rel, '..'), { recursive: true });
    writeFileSync(join(ws.dir, rel), 'We chose SQLite.\n');
    writeFileSync(join(ws.dir, HOME, '.hidden.md'), 'not a page\n');
    writeFileSync(join(ws.dir, HOME, 'Notes.md~'), 'editor backup\n');
    const pagesBefore = ws.emu.api.pages('DEMO').length;
    const r = await ws.csync(['push']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const created = ws.emu.api.pageByTitle('DEMO', 'Decisions');
    assert.ok(created);
    assert.equal(created.parentId, ws.emu.api.pageByTitle('DEMO', 'Architecture')!.id);
    assert.match(ws.emu.api.body(created.id), /We chose SQLite/);
    assert.equal(ws.emu.api.pages('DEMO').length, pagesBefore + 1);
    const meta = parseFile(readFileSync(join(ws.dir, rel), 'utf8')).meta;
    assert.equal(meta.id, created.id);
    ws.emu.resetLog();
    assert.equal((await ws.csync(['push'])).code, 0);
    assert.deepEqual(writes(ws), []);
    assert.equal(ws.emu.api.pages('DEMO').length, pagesBefore + 1);
    const pull = await ws.csync(['pull']);
    assert.match(pull.stdout, /Already up to date/);
  } finally {
    await ws.close();
  }
});

test('a rerun after a crash between create and record adopts the page instead of creating a duplicate', async () => {
  const ws = await pulled();
  try {
    const rel = `${HOME}/Top level note.md`;
    writeFileSync(join(ws.dir, rel), 'Hello.\n');
    const before = ws.emu.api.pages('DEMO').length;
    assert.equal((await ws.csync(['push'])).code, 0);
    const created = ws.emu.api.pageByTitle('DEMO', 'Top level note')!;
    assert.equal(created.parentId, ws.emu.api.pageByTitle('DEMO', 'Demo space home')!.id);
    // Simulate the crash: the state never recorded the page, the file has no id yet.
    const db = new Database(join(ws.dir, 'cache', 'state.db'));
    db.prepare('DELETE FROM pages WHERE id = ?').run(created.id);
    db.close();
    writeFileSync(join(ws.dir, rel), 'Hello.\n');
    ws.emu.resetLog();
    const r = await ws.csync(['push']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(ws.emu.requestCounts()['POST /wiki/api/v2/pages'] ?? 0, 0);
    assert.equal(ws.emu.api.pages('DEMO').length, before + 1);
    assert.equal(parseFile(readFileSync(join(ws.dir, rel), 'utf8')).meta.id, created.id);
  } finally {
    await ws.close();
  }
});

test('a deleted file trashes its page; mass deletion stops at the safety gate (exit 7) and --no-delete skips deletes', async () => {
  const ws = await pulled();
  try {
    const rel = fileOf(ws, '2026-11-16 Planning');
    const page = ws.emu.api.pageByTitle('DEMO', '2026-11-16 Planning')!;
    unlinkSync(join(ws.dir, rel));
    const noDel = await ws.csync(['push', '--no-delete']);
    assert.equal(noDel.code, 0, noDel.stderr);
    assert.deepEqual(writes(ws), []);
    const r = await ws.csync(['push']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(ws.emu.api.page(page.id).status, 'trashed');
    ws.emu.resetLog();
    for (const f of ws.files('content')) unlinkSync(join(ws.dir, f));
    const gate = await ws.csync(['push']);
    assert.equal(gate.code, 7, gate.stderr + gate.stdout);
    assert.deepEqual(writes(ws), []);
    assert.ok(ws.emu.api.pages('DEMO').length > 5);
  } finally {
    await ws.close();
  }
});

test('push --dry-run changes nothing at all', async () => {
  const ws = await pulled();
  try {
    edit(ws, fileOf(ws, 'Architecture'), (t) => `${t}\nMore.\n`);
    writeFileSync(join(ws.dir, HOME, 'Brand new.md'), 'New.\n');
    unlinkSync(join(ws.dir, fileOf(ws, '2026-11-16 Planning')));
    const db = join(ws.dir, 'cache', 'state.db');
    const dbBefore = readFileSync(db);
    const r = await ws.csync(['push', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /update .*Architecture\.md/);
    assert.match(r.stdout, /create .*Brand new\.md/);
    assert.match(r.stdout, /delete .*Planning\.md/);
    assert.deepEqual(writes(ws), []);
    assert.ok(readFileSync(db).equals(dbBefore), 'state.db unchanged');
    assert.equal(parseFile(readFileSync(join(ws.dir, HOME, 'Brand new.md'), 'utf8')).meta.id, undefined);
    assert.equal(existsSync(join(ws.dir, 'cache', 'csync.lock')), false);
  } finally {
    await ws.close();
  }
});
