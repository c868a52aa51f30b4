import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '../../src/format/front-matter.js';
import { fileOf, withPulledWorkspace } from '../helpers/workspace.js';

const HOME = 'content/DEMO/Demo space home';

test('status lists local and remote changes and conflicts (text and --json) and writes nothing', async () => {
  await withPulledWorkspace(async (ws) => {
    const clean = await ws.csync(['status']);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /Everything in sync/);

    const arch = fileOf(ws, 'Architecture');
    writeFileSync(join(ws.dir, arch), `${readFileSync(join(ws.dir, arch), 'utf8')}\nlocal\n`);
    writeFileSync(join(ws.dir, HOME, 'Fresh.md'), 'new\n');
    const planning = fileOf(ws, '2026-11-16 Planning');
    unlinkSync(join(ws.dir, planning));
    const retro = ws.emu.api.pageByTitle('DEMO', '2026-11-09 Retro')!;
    ws.emu.api.editPage(retro.id, { body: '<p>changed remotely</p>' });
    ws.emu.api.createPage('DEMO', 'Remote only', '<p>x</p>');
    ws.emu.resetLog();

    const text = await ws.csync(['status']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`modified: +${arch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(text.stdout, /new: +content\/DEMO\/Demo space home\/Fresh\.md/);
    assert.match(text.stdout, /deleted: +.*Planning\.md/);
    assert.match(text.stdout, /changed: +.*Retro\.md/);
    assert.match(text.stdout, /new: +Remote only/);
    assert.ok(ws.emu.requestLog().every((r) => r.method === 'GET'), 'status only reads');

    const json = await ws.csync(['status', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const r = JSON.parse(json.stdout) as { local: Record<string, Array<{ path: string }>>; remote: { changed: Array<{ id: string }>; new: Array<{ title: string }> }; conflicts: unknown[] };
    assert.deepEqual(r.local.modified!.map((e) => e.path), [arch]);
    assert.deepEqual(r.local.new!.map((e) => e.path), [`${HOME}/Fresh.md`]);
    assert.deepEqual(r.local.deleted!.map((e) => e.path), [planning]);
    assert.deepEqual(r.remote.changed.map((e) => e.id), [retro.id]);
    assert.deepEqual(r.remote.new.map((e) => e.title), ['Remote only']);
    assert.deepEqual(r.conflicts, []);
    assert.equal(parseFile(readFileSync(join(ws.dir, HOME, 'Fresh.md'), 'utf8')).meta.id, undefined);
  });
});

test('status shows a conflict (exit 6); sync pulls remote edits and pushes local ones in one pass', async () => {
  await withPulledWorkspace(async (ws) => {
    const arch = fileOf(ws, 'Architecture');
    const page = ws.emu.api.pageByTitle('DEMO', 'Architecture')!;
    ws.emu.api.editPage(page.id, { body: ws.emu.api.body(page.id).replace('Edit it in Confluence', 'Remote wording') });
    writeFileSync(join(ws.dir, arch), readFileSync(join(ws.dir, arch), 'utf8').replace('Edit it in Confluence', 'Local wording'));
    assert.equal((await ws.csync(['push'])).code, 6);
    const st = await ws.csync(['status', '--json']);
    assert.equal(st.code, 6);
    const r = JSON.parse(st.stdout) as { conflicts: Array<{ path: string; copyPath: string }> };
    assert.equal(r.conflicts.length, 1);
    assert.equal(r.conflicts[0]!.path, arch);
    assert.match(r.conflicts[0]!.copyPath, /\.conflict-/);
    assert.match((await ws.csync(['status'])).stdout, /both-modified: .*Architecture\.md/);

    const retro = ws.emu.api.pageByTitle('DEMO', '2026-11-09 Retro')!;
    ws.emu.api.editPage(retro.id, { body: '<p>changed remotely</p>' });
    const intro = fileOf(ws, 'Getting started');
    writeFileSync(join(ws.dir, intro), `${readFileSync(join(ws.dir, intro), 'utf8')}\nsynced from here\n`);
    const sync = await ws.csync(['sync']);
    assert.equal(sync.code, 6, 'the unresolved conflict remains');
    assert.match(readFileSync(join(ws.dir, fileOf(ws, '2026-11-09 Retro')), 'utf8'), /changed remotely/);
    assert.match(ws.emu.api.body(ws.emu.api.pageByTitle('DEMO', 'Getting started')!.id), /synced from here/);
  });
});
