/**
 * A push stopped after its create request reached Confluence (the page exists, the pending record is all the
 * workspace knows of it); then the user moves the new file to another folder or renames it before running csync
 * again. The rerun must not create the page a second time: it finds the moved file, tracks it as that page and
 * pushes the move (and any edit). When the file cannot be recognised (moved and rewritten), it says so and loses
 * nothing: the rewritten file is published, and the text the stopped push sent stays in Confluence's trash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseFile } from '../../src/format/front-matter.js';
import { stoppedPush } from '../helpers/stopped-push.js';
import { fileOf, workspaceWithEmulator, writes, type TestWorkspace } from '../helpers/workspace.js';

const textOf = (n: number) => `Goals for quarter ${n}.\n\nShip importer ${n}.\n\nWrite guide ${n}.\n\nRetire the old server.\n`;

/** Writes a new page file and runs a push that is stopped right after Confluence applied its create; returns the page id. */
async function stoppedCreate(ws: TestWorkspace, rel: string, n: number): Promise<string> {
  mkdirSync(join(ws.dir, dirname(rel)), { recursive: true });
  writeFileSync(join(ws.dir, rel), textOf(n));
  await stoppedPush(ws, 'POST');
  const made = pagesWith(ws, `Ship importer ${n}`);
  assert.equal(made.length, 1, 'the create reached Confluence');
  return made[0]!.id;
}

const pagesWith = (ws: TestWorkspace, text: string) => ws.emu.api.pages('DEMO').filter((p) => p.status === 'current' && ws.emu.api.body(p.id).includes(text));
const idIn = (ws: TestWorkspace, rel: string) => String(parseFile(readFileSync(join(ws.dir, rel), 'utf8')).meta.id);
/** The folder a page's children go in. */
const childDir = (ws: TestWorkspace, title: string) => fileOf(ws, title).replace(/\.md$/, '');
const move = (ws: TestWorkspace, from: string, to: string) => {
  mkdirSync(join(ws.dir, dirname(to)), { recursive: true });
  renameSync(join(ws.dir, from), join(ws.dir, to));
};
const creates = (ws: TestWorkspace) => writes(ws).filter((w) => w.startsWith('POST /wiki/api/v2/pages'));

test('a push stopped after a create, then the file moved before the rerun: the page is adopted and moved, never created twice; moved and rewritten, it is said so and nothing is lost', async () => {
  const ws = await workspaceWithEmulator({ seed: 'demo' });
  try {
    assert.equal((await ws.csync(['pull'])).code, 0);
    const architecture = ws.emu.api.pages('DEMO').find((p) => p.title === 'Architecture')!;

    // 1. Moved under another page; the rerun is a push.
    const first = join(childDir(ws, 'Onboarding'), 'Quarter plan.md');
    const id1 = await stoppedCreate(ws, first, 1);
    const moved = join(childDir(ws, 'Architecture'), 'Quarter plan.md');
    move(ws, first, moved);
    ws.emu.resetLog();
    let r = await ws.csync(['push']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(creates(ws), [], 'no second create');
    assert.deepEqual(pagesWith(ws, 'Ship importer 1').map((p) => p.id), [id1], 'one page');
    assert.equal(idIn(ws, moved), id1, 'the moved file is that page');
    assert.equal(ws.emu.api.page(id1).parentId, architecture.id, 'the page moved with its file');

    // 2. Renamed, moved and edited; the rerun is a sync (its pull settles first).
    const second = join(childDir(ws, 'Onboarding'), 'Second plan.md');
    const id2 = await stoppedCreate(ws, second, 2);
    const renamed = join(childDir(ws, 'Architecture'), 'Launch plan.md');
    move(ws, second, renamed);
    writeFileSync(join(ws.dir, renamed), `${textOf(2)}\nHire two engineers.\n`);
    ws.emu.resetLog();
    r = await ws.csync(['sync']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(creates(ws), [], 'no second create');
    assert.deepEqual(pagesWith(ws, 'Ship importer 2').map((p) => p.id), [id2], 'one page');
    assert.equal(idIn(ws, renamed), id2, 'the renamed file is that page');
    assert.equal(ws.emu.api.page(id2).title, 'Launch plan', 'renamed as the file');
    assert.equal(ws.emu.api.page(id2).parentId, architecture.id, 'moved with the file');
    assert.match(ws.emu.api.body(id2), /Hire two engineers/, 'the edit is pushed');

    // 3. Moved and rewritten beyond recognition: nothing says which file it became.
    const third = join(childDir(ws, 'Onboarding'), 'Third plan.md');
    const id3 = await stoppedCreate(ws, third, 3);
    const rewritten = join(childDir(ws, 'Architecture'), 'Something else.md');
    move(ws, third, rewritten);
    writeFileSync(join(ws.dir, rewritten), 'An entirely different text.\n');
    r = await ws.csync(['push']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /Third plan\.md: a push stopped after creating its page/, `the run says what happened: ${r.stdout}${r.stderr}`);
    assert.equal(pagesWith(ws, 'An entirely different text').length, 1, 'the rewritten file is published once');
    assert.ok(pagesWith(ws, 'Ship importer 3').length === 1 || ws.emu.api.page(id3).status === 'trashed', 'the text the stopped push sent is still in Confluence (current or in its trash)');
    assert.ok(pagesWith(ws, 'Ship importer 3').length <= 1, 'no duplicate of it');

    assert.match((await ws.csync(['status'])).stdout, /Everything in sync/);
  } finally {
    await ws.close();
  }
});
