/**
 * Paths converge in one sync: a push that renames, re-parents or creates a page leaves its file (with its children's
 * files and its attachments) where the next pull would put it, so `csync status` is clean and a following pull has
 * nothing to do. Real CLI, real SQLite, the emulator over HTTP; crashes are real (SIGKILL) at every file move.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeFile, parseFile } from '../../src/format/front-matter.js';
import { type TestWorkspace, withPulledWorkspace } from '../helpers/workspace.js';

const HOME = 'content/DEMO/Demo space home';

function fileOf(ws: TestWorkspace, id: string): string {
  const hits = ws.files('content').filter((p) => String(parseFile(readFileSync(join(ws.dir, p), 'utf8')).meta.id ?? '') === id);
  assert.equal(hits.length, 1, `exactly one file carries page ${id}: ${hits.join(', ')}`);
  return hits[0]!;
}

function retitle(ws: TestWorkspace, path: string, title: string): void {
  const parsed = parseFile(readFileSync(join(ws.dir, path), 'utf8'));
  writeFileSync(join(ws.dir, path), composeFile({ ...parsed.meta, title }, parsed.body));
}

function move(ws: TestWorkspace, from: string, to: string): void {
  mkdirSync(join(ws.dir, to, '..'), { recursive: true });
  renameSync(join(ws.dir, from), join(ws.dir, to));
}

/** status is clean, and a pull plans nothing, moves nothing, downloads nothing. */
async function assertConverged(ws: TestWorkspace): Promise<void> {
  const st = await ws.csync(['status', '--json']);
  assert.equal(st.code, 0, st.stderr);
  const s = JSON.parse(st.stdout) as { local: Record<string, unknown[]>; remote: Record<string, unknown[]>; conflicts: unknown[] };
  assert.deepEqual(s.local, { modified: [], new: [], deleted: [], moved: [] }, 'status: nothing local to push');
  assert.deepEqual(s.remote, { changed: [], new: [], deleted: [] }, 'status: nothing remote to pull');
  assert.deepEqual(s.conflicts, []);
  const files = [...ws.files('content'), ...ws.files('attachments')];
  const pl = await ws.csync(['pull', '--json']);
  assert.equal(pl.code, 0, pl.stderr);
  const p = JSON.parse(pl.stdout) as { plan: unknown[]; pages: Record<string, number>; attachments: Record<string, number> };
  assert.deepEqual(p.plan, [], 'pull: nothing to do');
  assert.equal(p.pages.moved, 0);
  assert.deepEqual({ downloaded: p.attachments.downloaded, moved: p.attachments.moved, deleted: p.attachments.deleted }, { downloaded: 0, moved: 0, deleted: 0 }, 'pull: attachments already in place');
  assert.deepEqual([...ws.files('content'), ...ws.files('attachments')], files, 'pull moved no file');
}

test('push of title changes moves the files, the children folder and the attachment folder where pull puts them; collisions named like pull', async () => {
  await withPulledWorkspace(async (ws) => {
    const api = ws.emu.api;
    const guide = api.pageByTitle('DEMO', 'Formatting guide')!;
    const images = api.pageByTitle('DEMO', 'Images and files')!;
    const tables = api.pageByTitle('DEMO', 'Tables')!;
    const code = api.pageByTitle('DEMO', 'Code samples')!;
    assert.ok(Number(tables.id) < Number(code.id), 'the seed creates Tables first');
    retitle(ws, `${HOME}/Formatting guide.md`, 'Style guide');
    retitle(ws, `${HOME}/Formatting guide/Images and files.md`, 'Pictures: and files');
    // "Code samples." names its file like "Code samples": the lower id (Tables) takes the plain name.
    retitle(ws, `${HOME}/Formatting guide/Tables.md`, 'Code samples.');
    ws.emu.resetLog();
    const r = await ws.csync(['push']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /file\(s\) moved to the path of their page/);
    assert.equal(ws.emu.requestCounts()['PUT /wiki/api/v2/pages/{id}'], 3, 'one PUT per renamed page, nothing for the moves');
    assert.equal(fileOf(ws, guide.id), `${HOME}/Style guide.md`);
    assert.equal(fileOf(ws, images.id), `${HOME}/Style guide/Pictures_ and files.md`);
    assert.equal(fileOf(ws, tables.id), `${HOME}/Style guide/Code samples.md`);
    assert.equal(fileOf(ws, code.id), `${HOME}/Style guide/Code samples (${code.id.slice(-6)}).md`);
    assert.equal(fileOf(ws, api.pageByTitle('DEMO', 'Emoticons')!.id), `${HOME}/Style guide/Emoticons.md`, 'the children follow their parent');
    assert.deepEqual(ws.files('attachments'), [`attachments/DEMO/Demo space home/Style guide/Pictures_ and files/logo.png`, `attachments/DEMO/Demo space home/Style guide/Pictures_ and files/report.csv`]);
    assert.deepEqual(ws.files('content').filter((f) => f.includes('Formatting guide')), [], 'the old folder is gone');
    await assertConverged(ws);
    // And back: a swap of the two colliding names goes through, still in one push.
    retitle(ws, `${HOME}/Style guide/Code samples.md`, 'Tables');
    const again = await ws.csync(['push']);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.equal(fileOf(ws, tables.id), `${HOME}/Style guide/Tables.md`);
    assert.equal(fileOf(ws, code.id), `${HOME}/Style guide/Code samples.md`, 'the freed plain name goes back to its page');
    await assertConverged(ws);
  });
});

test('sync: a created page lands at the name of its title; a re-parented file keeps its name when pull would compute it, else moves', async () => {
  await withPulledWorkspace(async (ws) => {
    const api = ws.emu.api;
    writeFileSync(join(ws.dir, HOME, 'Getting started', 'faq.md'), composeFile({ title: 'Q&A / FAQ' }, 'Questions.\n'));
    const retro = api.pageByTitle('DEMO', '2026-11-09 Retro')!;
    const planning = api.pageByTitle('DEMO', '2026-11-16 Planning')!;
    const arch = api.pageByTitle('DEMO', 'Architecture')!;
    move(ws, `${HOME}/Meeting notes/2026-11-09 Retro.md`, `${HOME}/Architecture/2026-11-09 Retro.md`);
    move(ws, `${HOME}/Meeting notes/2026-11-16 Planning.md`, `${HOME}/Architecture/planning.md`);
    const r = await ws.csync(['sync']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const faq = api.pageByTitle('DEMO', 'Q&A / FAQ')!;
    assert.ok(faq);
    assert.equal(fileOf(ws, faq.id), `${HOME}/Getting started/Q&A _ FAQ.md`);
    assert.equal(api.page(retro.id).parentId, arch.id);
    assert.equal(api.page(planning.id).parentId, arch.id);
    assert.equal(api.page(planning.id).title, '2026-11-16 Planning', 'a file name is not a title');
    assert.equal(fileOf(ws, retro.id), `${HOME}/Architecture/2026-11-09 Retro.md`);
    assert.equal(fileOf(ws, planning.id), `${HOME}/Architecture/2026-11-16 Planning.md`);
    await assertConverged(ws);
  });
});

test('kill -9 after each file move of a rename (before its record): the next push converges, no duplicate file, no lost edit', { timeout: 300_000 }, async () => {
  await withPulledWorkspace(async (ws) => {
    const api = ws.emu.api;
    const install = api.pageByTitle('DEMO', 'Installation')!;
    const images = api.pageByTitle('DEMO', 'Images and files')!;
    const linux = api.pageByTitle('DEMO', 'Linux')!;
    const pagesBefore = [...ws.emu.store.pages.values()].filter((p) => p.status === 'current').length;
    // Installation + its 2 children, the 2 attachments + Images and files: 6 renames; one crash point after each.
    for (let k = 1; k <= 6; k++) {
      retitle(ws, fileOf(ws, install.id), `Installation ${k}`);
      retitle(ws, fileOf(ws, images.id), `Images ${k}`);
      // An unpushed edit of a child that moves: it must survive the crash and be pushed by the rerun.
      const linuxFile = fileOf(ws, linux.id);
      writeFileSync(join(ws.dir, linuxFile), `${readFileSync(join(ws.dir, linuxFile), 'utf8')}\nedit-${k}\n`);
      const crashed = await ws.csync(['push'], { CSYNC_TEST_CRASH_AFTER_MOVES: String(k) });
      assert.equal(crashed.signal, 'SIGKILL', `round ${k}: killed after move ${k}: ${crashed.stderr}`);
      const rerun = await ws.csync(['push']);
      assert.equal(rerun.code, 0, `round ${k}: ${rerun.stderr}${rerun.stdout}`);
      assert.equal(fileOf(ws, install.id), `${HOME}/Getting started/Installation ${k}.md`);
      assert.equal(fileOf(ws, linux.id), `${HOME}/Getting started/Installation ${k}/Linux.md`);
      assert.equal(fileOf(ws, images.id), `${HOME}/Formatting guide/Images ${k}.md`);
      assert.deepEqual(ws.files('attachments'), [`attachments/DEMO/Demo space home/Formatting guide/Images ${k}/logo.png`, `attachments/DEMO/Demo space home/Formatting guide/Images ${k}/report.csv`]);
      assert.match(api.body(linux.id), new RegExp(`edit-${k}`), `round ${k}: the edit reached Confluence`);
      assert.equal([...ws.emu.store.pages.values()].filter((p) => p.status === 'current').length, pagesBefore, 'no page created or deleted');
      await assertConverged(ws);
    }
  });
});
